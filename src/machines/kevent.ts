/**
 * The KEVENT (§18.2).
 *
 *   NotSignaled --KeSetEvent--> Signaled --KeResetEvent | KeClearEvent--> NotSignaled
 *   Signaled --EventAutoReset--> NotSignaled        (SynchronizationEvent: a satisfied wait resets it)
 *
 * KeInitializeEvent is the event's first fact and may come again (drivers re-initialize events
 * they reuse); it sets the state the caller asked for. A set on a signaled event and a reset on a
 * clear one change nothing: the routines report the previous state.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type KeventEvent =
  | FactOf<'KeInitializeEvent'>
  | FactOf<'KeSetEvent'>
  | FactOf<'KeResetEvent'>
  | FactOf<'KeClearEvent'>
  | FactOf<'EventAutoReset'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type KeventState = 'NotSignaled' | 'Signaled';

const bookkeeping = { RoutineFailed: {}, VerifierViolation: {} } as const;

export const keventMachine = setup({
  types: {} as { context: MachineContext; events: KeventEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: { initiallySignaled: ({ event }) => event.type === 'KeInitializeEvent' && event.signaled },
}).createMachine({
  id: 'kevent',
  context: contextFromInput,
  initial: 'NotSignaled',
  on: {
    '*': { actions: 'rejectEvent' },
    KeInitializeEvent: [{ guard: 'initiallySignaled', target: '.Signaled' }, { target: '.NotSignaled' }],
  },
  states: {
    NotSignaled: { on: { ...bookkeeping, KeSetEvent: 'Signaled', KeResetEvent: {}, KeClearEvent: {} } },
    Signaled: { on: { ...bookkeeping, KeSetEvent: {}, KeResetEvent: 'NotSignaled', KeClearEvent: 'NotSignaled', EventAutoReset: 'NotSignaled' } },
  },
});
