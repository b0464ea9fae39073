/**
 * The volume object (PFLT_VOLUME), §5.
 *
 *   Mounting --VolumeMounted--> Mounted --VolumeDismount--> Dismounting --VolumeDismounted--> Dismounted
 *
 * Dismounting is where every instance on the volume is torn down with VOLUME_DISMOUNT.
 * A Dismounted volume stays enumerable while references remain (a "detached volume").
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type VolumeEvent =
  | FactOf<'VolumeMounted'>
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
    Mounted: { on: { ...bookkeeping, VolumeDismount: 'Dismounting' } },
    Dismounting: { on: { ...bookkeeping, VolumeDismounted: 'Dismounted' } },
    Dismounted: { on: { ...bookkeeping } },
  },
});
