/**
 * A memory descriptor list (§20.3, §20.4): describes the pages of a buffer. Built by IoAllocateMdl
 * (a filter swapping buffers) or by FltLockUserBuffer (FltMgr, for the operation); its pages must be
 * locked before MmGetSystemAddressForMdlSafe maps them.
 *
 *   Allocated --MdlLocked--> Locked
 *   Allocated | Locked --IoFreeMdl--> Freed
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type MdlState = 'Allocated' | 'Locked' | 'Freed';

export const mdlMachine = setup({
  types: {} as { context: MachineContext; events: FactOf<'MdlLocked'> | FactOf<'IoFreeMdl'> | FactOf<'RoutineFailed'> | FactOf<'VerifierViolation'>; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'mdl',
  context: contextFromInput,
  initial: 'Allocated',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Allocated: { on: { MdlLocked: 'Locked', IoFreeMdl: 'Freed' } },
    Locked: { on: { IoFreeMdl: 'Freed' } },
    Freed: {},
  },
});
