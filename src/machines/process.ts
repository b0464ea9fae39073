/**
 * The process object (EPROCESS), §23.1.
 *
 *   Running --ProcessExit--> Exited          (its last thread exited)
 *
 * The System process (P0) and the default application process (P1) exist from the simulation's
 * start and never exit; processes created with `sim.createProcess` are born Running with their
 * ProcessCreate fact.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type ProcessEvent = FactOf<'ProcessExit'> | FactOf<'RoutineFailed'> | FactOf<'VerifierViolation'>;

export type ProcessState = 'Running' | 'Exited';

export const processMachine = setup({
  types: {} as { context: MachineContext; events: ProcessEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'process',
  context: contextFromInput,
  initial: 'Running',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Running: { on: { ProcessExit: 'Exited' } },
    Exited: {},
  },
});
