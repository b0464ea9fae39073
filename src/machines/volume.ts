/**
 * The volume object (PFLT_VOLUME), §5.
 *
 *   Mounting --VolumeMounted--> Mounted --VolumeDismount--> Dismounting --VolumeDismounted--> Dismounted
 *
 * Dismounting is where every instance on the volume is torn down with VOLUME_DISMOUNT.
 * A Dismounted volume stays enumerable while references remain (a "detached volume").
 *
 * Mounted has two parts: AwaitingFirstOperation, then FirstOperationSeen once the first operation
 * reached the volume (VolumeFirstOperation). By default FltMgr offers a mounted volume to the started
 * filters only then, on the issuing thread (§13 A7): the part decides whether an operation does that
 * first. With instanceSetupOnMount 'mount' the offer comes at mount and no fact moves the part.
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { topState } from './stateValue.js';

export type VolumeEvent =
  | FactOf<'VolumeMounted'>
  | FactOf<'VolumeFirstOperation'>
  | FactOf<'VolumeDismount'>
  | FactOf<'VolumeDismounted'>
  | FactOf<'FltObjectReference'>
  | FactOf<'FltObjectDereference'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type VolumeState = 'Mounting' | 'Mounted' | 'Dismounting' | 'Dismounted';

const bookkeeping = {
  FltObjectReference: {},
  FltObjectDereference: {},
  RoutineFailed: {},
  VerifierViolation: {},
} as const;

export const volumeMachine = setup({
  types: {} as { context: MachineContext; events: VolumeEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
  },
}).createMachine({
  id: 'volume',
  context: contextFromInput,
  initial: 'Mounting',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    Mounting: { on: { ...bookkeeping, VolumeMounted: 'Mounted' } },
    Mounted: {
      initial: 'AwaitingFirstOperation',
      states: {
        AwaitingFirstOperation: { on: { VolumeFirstOperation: 'FirstOperationSeen' } },
        FirstOperationSeen: {},
      },
      on: { ...bookkeeping, VolumeDismount: 'Dismounting' },
    },
    Dismounting: { on: { ...bookkeeping, VolumeDismounted: 'Dismounted' } },
    Dismounted: { on: { ...bookkeeping } },
  },
});

/** The volume's top-level state. */
export function volumeState(snapshot: SnapshotFrom<typeof volumeMachine>): VolumeState {
  return topState(snapshot.value) as VolumeState;
}

/** The first operation has reached the mounted volume (VolumeFirstOperation): FltMgr's lazy offer is done. */
export function firstOperationSeen(snapshot: SnapshotFrom<typeof volumeMachine>): boolean {
  return snapshot.matches({ Mounted: 'FirstOperationSeen' });
}

/** The machine value of a volume whose view says `state` and `firstOperationSeen` (what a fold resumes from). */
export function volumeStateValue(state: VolumeState, seen: true | undefined): StateValue {
  return state === 'Mounted' ? { Mounted: seen === true ? 'FirstOperationSeen' : 'AwaitingFirstOperation' } : state;
}
