/**
 * Race (b): cancel racing completion of a pended user request — double completion.
 *
 * The filter pends every user read, queues it, and a worker completes it. Its teardown path
 * (InstanceTeardownStart, the unload's "cancel everything" point) completes whatever is queued with
 * STATUS_CANCELLED. The buggy worker peeks at the queue, works, and only then completes and
 * dequeues: if teardown cancels in between, both complete the same callback data and FltMgr's
 * verifier reports COMPLETE_NOT_PENDED (§14 invariant 7). The fix dequeues first — whoever takes
 * the data off the queue owns its completion — as a cancel-safe queue does.
 */
import { FltAllocateGenericWorkItem, FltFreeGenericWorkItem, FltQueueGenericWorkItem } from '../../fltmgr/workItems.js';
import type { FltWorkItem } from '../../fltmgr/workItemObjects.js';
import type { FLT_CALLBACK_DATA } from '../../io/ioOperation.js';
import { FltCompletePendedPreOperation } from '../../io/pending.js';
import { preempt, type Blocking } from '../../kernel/effects.js';
import { FILE_GENERIC_READ, FILE_OPEN, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT } from '../../wdk/fileConstants.js';
import { FLT_PREOP_COMPLETE, FLT_PREOP_PENDING, FLT_PREOP_SUCCESS_NO_CALLBACK } from '../../wdk/fltConstants.js';
import { IRP_MJ_READ } from '../../wdk/irp.js';
import { STATUS_CANCELLED, STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import type { Scenario } from '../scenario.js';
import { installFilter, operations } from '../builders/filterBuilder.js';
import { FILE, variantOf, VARIANT_ARGUMENT, volumeWithFile } from './common.js';

export const cancelRaceScenario: Scenario = {
  id: 'race-cancel-completion',
  description: 'teardown cancels a pended user read while the filter\'s worker completes it (double completion); args: variant (buggy|fixed)',
  options: { onViolation: 'record' },
  sharedState: 'cells',
  windows: [
    {
      // The race itself: teardown's cancel lands while the request sits pended on the queue.
      name: 'teardown starts between the pend and the completion of the read',
      opensAt: (f) => f.type === 'PreOperationReturned' && f.result === FLT_PREOP_PENDING,
      closesAt: (f) => f.type === 'FltCompletePendedPreOperation',
      hitBy: (f) => f.type === 'InstanceTeardownStart',
    },
    {
      // The fatal half: the worker completes after teardown already did.
      name: 'the worker completes after teardown cancelled',
      opensAt: (f) => f.type === 'FltCompletePendedPreOperation' && f.result === FLT_PREOP_COMPLETE,
      closesAt: () => false,
      hitBy: (f) => (f.type === 'FltCompletePendedPreOperation' && f.result !== FLT_PREOP_COMPLETE) || (f.type === 'VerifierViolation' && f.rule === 'COMPLETE_NOT_PENDED'),
    },
  ],
  arguments: VARIANT_ARGUMENT,
  build(sim, args) {
    const variant = variantOf(args);
    volumeWithFile(sim);
    // The filter's queue of pended reads: pushed by the pre-read, taken by the worker and by teardown.
    const queue = sim.sharedCell<FLT_CALLBACK_DATA[]>('pender queue', []);
    function* worker(WorkItem: FltWorkItem): Blocking<void> {
      yield* work();
      FltFreeGenericWorkItem(WorkItem);
    }
    function* work(): Blocking<void> {
      if (variant === 'fixed') {
        const data = queue.modify((q) => q.shift());
        if (data === undefined) return; // teardown cancelled it first
        yield* preempt(); // the work on the request
        yield* FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
        return;
      }
      const data = queue.get()[0];
      if (data === undefined) return;
      yield* preempt(); // the work on the request, with the data still on the queue
      yield* FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
      queue.modify((q) => q.shift());
    }
    installFilter(sim, {
      name: 'pender',
      altitude: '200000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            const WorkItem = yield* FltAllocateGenericWorkItem();
            // Queueing fails once teardown has started (STATUS_FLT_DELETING_OBJECT): then nobody would
            // complete the request, so let it pass instead of pending it (the explorer found this one).
            if (FltQueueGenericWorkItem(WorkItem, data.Iopb.TargetInstance!, worker, 'DelayedWorkQueue', null) !== STATUS_SUCCESS) {
              FltFreeGenericWorkItem(WorkItem);
              return FLT_PREOP_SUCCESS_NO_CALLBACK;
            }
            queue.modify((q) => q.push(data));
            return FLT_PREOP_PENDING;
          },
        }),
        InstanceTeardownStartCallback: function* () {
          const cancelled = queue.modify((q) => (variant === 'fixed' ? q.splice(0) : q.slice()));
          for (const data of cancelled) {
            data.IoStatus = { Status: STATUS_CANCELLED, Information: 0 };
            yield* FltCompletePendedPreOperation(data, FLT_PREOP_COMPLETE, null);
          }
        },
      },
    });
    sim.whenSettled(() => {
      sim.spawn('app', function* () {
        const open = yield* sim.io.NtCreateFile(FILE, { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
        if (open.handle === null) return open.status;
        const read = yield* sim.io.NtReadFile(open.handle, 4, 0);
        yield* sim.io.NtClose(open.handle);
        return read.status;
      });
      sim.spawn('fltmc unload pender', () => sim.FilterUnload('pender'));
    });
  },
};
