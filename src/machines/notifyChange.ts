/**
 * FsRtl's notify structure for one directory handle (§21.9): what FsRtlNotifyFullChangeDirectory
 * creates for the handle's first IRP_MN_NOTIFY_CHANGE_DIRECTORY and FsRtlNotifyCleanup removes. Its
 * parked requests and queued changes are data (the fold keeps them); the machine is what the next
 * request gets:
 *
 *   Created --FsRtlNotifyFullChangeDirectory--> Watching
 *   Watching | ChangesQueued --FsRtlNotifyFullReportChange--> ChangesQueued    (it fits the buffer)
 *   any but CleanedUp --FsRtlNotifyFullReportChange [overflow]--> Overflowed  (STATUS_NOTIFY_ENUM_DIR owed)
 *   ChangesQueued | Overflowed --NotifyChangeCompleted [a request took them]--> Watching
 *   any --FsRtlNotifyCleanup--> CleanedUp
 *
 * A NotifyChangeCompleted with STATUS_CANCELLED, STATUS_NOTIFY_CLEANUP or STATUS_DELETE_PENDING (the
 * watched directory marked for deletion) ends one parked request and leaves the queue as it is.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { STATUS_NOTIFY_ENUM_DIR, STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type NotifyChangeEvent =
  | FactOf<'FsRtlNotifyFullChangeDirectory'>
  | FactOf<'FsRtlNotifyFullReportChange'>
  | FactOf<'NotifyChangeCompleted'>
  | FactOf<'FsRtlNotifyCleanup'>;

export type NotifyChangeState = 'Created' | 'Watching' | 'ChangesQueued' | 'Overflowed' | 'CleanedUp';

export const notifyChangeMachine = setup({
  types: {} as { context: MachineContext; events: NotifyChangeEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    overflow: ({ event }) => event.type === 'FsRtlNotifyFullReportChange' && event.overflow,
    taken: ({ event }) => event.type === 'NotifyChangeCompleted' && (event.status === STATUS_SUCCESS || event.status === STATUS_NOTIFY_ENUM_DIR),
  },
}).createMachine({
  id: 'notifyChange',
  context: contextFromInput,
  initial: 'Created',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    Created: { on: { FsRtlNotifyFullChangeDirectory: 'Watching' } },
    Watching: {
      on: {
        FsRtlNotifyFullChangeDirectory: {},
        FsRtlNotifyFullReportChange: [{ guard: 'overflow', target: 'Overflowed' }, { target: 'ChangesQueued' }],
        NotifyChangeCompleted: {},
        FsRtlNotifyCleanup: 'CleanedUp',
      },
    },
    ChangesQueued: {
      on: {
        FsRtlNotifyFullChangeDirectory: {},
        FsRtlNotifyFullReportChange: [{ guard: 'overflow', target: 'Overflowed' }, {}],
        NotifyChangeCompleted: [{ guard: 'taken', target: 'Watching' }, {}],
        FsRtlNotifyCleanup: 'CleanedUp',
      },
    },
    Overflowed: {
      on: {
        FsRtlNotifyFullChangeDirectory: {},
        FsRtlNotifyFullReportChange: {},
        NotifyChangeCompleted: [{ guard: 'taken', target: 'Watching' }, {}],
        FsRtlNotifyCleanup: 'CleanedUp',
      },
    },
    CleanedUp: { type: 'final' },
  },
});
