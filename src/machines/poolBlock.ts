/**
 * A block of pool (§20.7): what ExAllocatePoolWithTag / ExAllocatePoolZero or
 * FltAllocatePoolAlignedWithTag hand out, until its free.
 *
 *   Allocated --PoolFree--> Freed
 *
 * A second free is refused by the machine: the routine names it POOL_FREE_INVALID first.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type PoolBlockState = 'Allocated' | 'Freed';

export const poolBlockMachine = setup({
  types: {} as { context: MachineContext; events: FactOf<'PoolFree'> | FactOf<'RoutineFailed'> | FactOf<'VerifierViolation'>; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'poolBlock',
  context: contextFromInput,
  initial: 'Allocated',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Allocated: { on: { PoolFree: 'Freed' } },
    Freed: {},
  },
});
