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
 *
 * Cancelable has one part per party that can arm the routine (the IoSetCancelRoutine fact's
 * `routine`): FltSetCancelCompletion (the filter's CanceledCallback), FltCbdq (FltMgr's routine for a
 * cancel-safe queue) or FileSystem (a request the file system parked). Which one is armed decides
 * what IoCancelIrp runs and at which IRQL, and what a conflicting arm or completion is told.
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { CancelRoutineKind, FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { subState, topState } from './stateValue.js';

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
  guards: {
    routineCalled: ({ event }) => event.type === 'IoCancelIrp' && event.routineCalled,
    byFilter: ({ event }) => event.type === 'IoSetCancelRoutine' && event.routine === 'FltSetCancelCompletion',
    byCbdq: ({ event }) => event.type === 'IoSetCancelRoutine' && event.routine === 'FltCbdq',
  },
}).createMachine({
  id: 'irp',
  context: contextFromInput,
  initial: 'NotCancelable',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    NotCancelable: {
      on: {
        VerifierViolation: {},
        IoSetCancelRoutine: [
          { guard: 'byFilter', target: 'Cancelable.FltSetCancelCompletion' },
          { guard: 'byCbdq', target: 'Cancelable.FltCbdq' },
          { target: 'Cancelable.FileSystem' },
        ],
        IoCancelIrp: 'CancelRequested',
        IoCompleteRequest: 'Completed',
      },
    },
    Cancelable: {
      initial: 'FileSystem',
      states: { FltSetCancelCompletion: {}, FltCbdq: {}, FileSystem: {} },
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

/** The IRP's top-level state. */
export function irpState(snapshot: SnapshotFrom<typeof irpMachine>): IrpState {
  return topState(snapshot.value) as IrpState;
}

/** Who armed the cancel routine, while the IRP is Cancelable; null otherwise. */
export function armedRoutine(snapshot: SnapshotFrom<typeof irpMachine>): CancelRoutineKind | null {
  return subState(snapshot.value) as CancelRoutineKind | null;
}

/** The machine value of an IRP whose view says `state` and `routine` (what a fold resumes from). */
export function irpStateValue(state: IrpState, routine: CancelRoutineKind | null): StateValue {
  return state === 'Cancelable' && routine !== null ? { Cancelable: routine } : state;
}
