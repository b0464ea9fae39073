/**
 * The IRP behind an IRP-based operation, as far as cancellation sees it (§19.1–§19.3). The object
 * (J…) is born with the first cancel fact about its operation: most operations never arm a cancel
 * routine nor get a cancel request, and their logs carry no IRP.
 *
 *   NotCancelable --IoSetCancelRoutine--> Cancelable --CancelRoutineCleared--> NotCancelable
 *   NotCancelable --IoCancelIrp--> CancelRequested                 (the bit is set; nobody to call)
 *   Cancelable --IoCancelIrp--> CancelRoutineCalled                (the routine's owner now owns the completion)
 *   CancelRequested --IoSetCancelRoutine--> CancelRoutineCalled    (armed after the bit was set: called at once)
 *   any --IoCompleteRequest--> Completed
 *
 * The state is who may complete the operation: in Cancelable only the cancel routine's owner,
 * through the routine, or whoever takes the routine back first (FltClearCancelCompletion, a Cbdq
 * removal); in CancelRoutineCalled only the cancel path. Completing while Cancelable is the
 * verifier's COMPLETE_WHILE_CANCELABLE.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type IrpEvent =
  | FactOf<'IoSetCancelRoutine'>
  | FactOf<'CancelRoutineCleared'>
  | FactOf<'IoCancelIrp'>
  | FactOf<'IoCompleteRequest'>
  | FactOf<'VerifierViolation'>;

export type IrpState = 'NotCancelable' | 'Cancelable' | 'CancelRequested' | 'CancelRoutineCalled' | 'Completed';

export const irpMachine = setup({
  types: {} as { context: MachineContext; events: IrpEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: { routineCalled: ({ event }) => event.type === 'IoCancelIrp' && event.routineCalled },
}).createMachine({
  id: 'irp',
  context: contextFromInput,
  initial: 'NotCancelable',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    NotCancelable: {
      on: { VerifierViolation: {}, IoSetCancelRoutine: 'Cancelable', IoCancelIrp: 'CancelRequested', IoCompleteRequest: 'Completed' },
    },
    Cancelable: {
      on: { VerifierViolation: {}, CancelRoutineCleared: 'NotCancelable', IoCancelIrp: [{ guard: 'routineCalled', target: 'CancelRoutineCalled' }], IoCompleteRequest: 'Completed' },
    },
    CancelRequested: {
      on: { VerifierViolation: {}, IoCancelIrp: {}, IoSetCancelRoutine: 'CancelRoutineCalled', IoCompleteRequest: 'Completed' },
    },
    CancelRoutineCalled: {
      on: { VerifierViolation: {}, IoCancelIrp: {}, IoCompleteRequest: 'Completed' },
    },
    Completed: { type: 'final' },
  },
});
