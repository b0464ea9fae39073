/**
 * A byte-range lock (§21.10): one FILE_LOCK_INFO of a stream's FILE_LOCK, from the IRP_MN_LOCK that
 * asked for it until an unlock or the owner's cleanup removes it. A request that conflicts and may
 * wait (FailImmediately FALSE) is a lock in Waiting: its IRP stays pending in the file system,
 * cancellable, until an unlock lets it in (FsRtl grants waiters in arrival order).
 *
 *   Requested --ByteRangeLockGranted--> Granted --ByteRangeLockReleased--> Released
 *   Requested --ByteRangeLockWaiting--> Waiting --ByteRangeLockGranted--> Granted
 *   Waiting --ByteRangeLockAbandoned--> Abandoned          (cancelled, or its file object cleaned up)
 *
 * The first fact moves it out of Requested in the same step it is born (the object exists only for
 * requests the file system keeps: a refused FailImmediately request leaves just its status).
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type ByteRangeLockEvent =
  | FactOf<'ByteRangeLockWaiting'>
  | FactOf<'ByteRangeLockGranted'>
  | FactOf<'ByteRangeLockReleased'>
  | FactOf<'ByteRangeLockAbandoned'>;

export type ByteRangeLockState = 'Requested' | 'Waiting' | 'Granted' | 'Released' | 'Abandoned';

export const byteRangeLockMachine = setup({
  types: {} as { context: MachineContext; events: ByteRangeLockEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'byteRangeLock',
  context: contextFromInput,
  initial: 'Requested',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    Requested: { on: { ByteRangeLockGranted: 'Granted', ByteRangeLockWaiting: 'Waiting' } },
    Waiting: { on: { ByteRangeLockGranted: 'Granted', ByteRangeLockAbandoned: 'Abandoned' } },
    Granted: { on: { ByteRangeLockReleased: 'Released' } },
    Released: { type: 'final' },
    Abandoned: { type: 'final' },
  },
});
