/**
 * Race (c): teardown draining a parked post-operation.
 *
 * 'parker' returns FLT_POSTOP_MORE_PROCESSING_REQUIRED from its post-create and finishes the work
 * on a worker (FltCompletePendedPostOperation). A lower filter pends creates for a while. If parker
 * is unloaded while a create is still pended below it, FltMgr drains parker's post-create with
 * FLTFL_POST_OPERATION_DRAINING — and the buggy filter parks the drain too, which FltMgr forbids
 * (DRAIN_MUST_FINISH, §14 invariant 20). The fix checks the flag and returns FINISHED_PROCESSING.
 */
import { FltAllocateGenericWorkItem, FltFreeGenericWorkItem, FltQueueGenericWorkItem } from '../../fltmgr/workItems.js';
import { FltCompletePendedPostOperation, FltCompletePendedPreOperation } from '../../io/pending.js';
import { preempt } from '../../kernel/effects.js';
import { FILE_GENERIC_READ, FILE_OPEN } from '../../wdk/fileConstants.js';
import { FLT_POSTOP_FINISHED_PROCESSING, FLT_POSTOP_MORE_PROCESSING_REQUIRED, FLT_PREOP_PENDING, FLT_PREOP_SUCCESS_NO_CALLBACK, FLT_PREOP_SUCCESS_WITH_CALLBACK, FLTFL_POST_OPERATION_DRAINING } from '../../wdk/fltConstants.js';
import { IRP_MJ_CREATE } from '../../wdk/irp.js';
import { STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import type { Scenario } from '../scenario.js';
import { installFilter, operations } from '../builders/filterBuilder.js';
import { FILE, variantOf, VARIANT_ARGUMENT, volumeWithFile } from './common.js';

export const drainRaceScenario: Scenario = {
  id: 'race-drain-parked-post',
  description: 'unload drains a post-create the filter parks with MORE_PROCESSING_REQUIRED while a lower filter holds the create pended; args: variant (buggy|fixed)',
  options: { onViolation: 'record' },
  // No JavaScript state is shared between threads: the parked data travels in the work item.
  sharedState: 'cells',
  windows: [
    {
      name: 'unload starts while the lower filter holds the create pended',
      opensAt: (f) => f.type === 'PreOperationReturned' && f.result === FLT_PREOP_PENDING,
      closesAt: (f) => f.type === 'FltCompletePendedPreOperation',
      hitBy: (f) => f.type === 'InstanceTeardownStart',
    },
    {
      name: "FltMgr drains parker's post-create",
      opensAt: (f) => f.type === 'InstanceTeardownStart',
      closesAt: (f) => f.type === 'InstanceFreed',
      hitBy: (f) => f.type === 'DrainPostOperation',
    },
  ],
  arguments: VARIANT_ARGUMENT,
  build(sim, args) {
    const variant = variantOf(args);
    volumeWithFile(sim);
    installFilter(sim, {
      name: 'parker',
      altitude: '300000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: function* (data, objects, _context, flags) {
            if (variant === 'fixed' && (flags & FLTFL_POST_OPERATION_DRAINING) !== 0) return FLT_POSTOP_FINISHED_PROCESSING;
            const WorkItem = yield* FltAllocateGenericWorkItem();
            const queued = FltQueueGenericWorkItem(WorkItem, objects.Instance, function* (FltWorkItem) {
              yield* FltCompletePendedPostOperation(data);
              FltFreeGenericWorkItem(FltWorkItem);
            }, 'DelayedWorkQueue', null);
            if (queued !== STATUS_SUCCESS) FltFreeGenericWorkItem(WorkItem);
            // Teardown has started (STATUS_FLT_DELETING_OBJECT): no worker will finish it, so finish now.
            if (queued !== STATUS_SUCCESS && (flags & FLTFL_POST_OPERATION_DRAINING) === 0) return FLT_POSTOP_FINISHED_PROCESSING;
            return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
          },
        }),
      },
    });
    installFilter(sim, {
      name: 'holder',
      altitude: '100000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: function* (data, objects) {
            FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), objects.Instance, function* (FltWorkItem) {
              yield* preempt(); // looks the file up before letting the create go on
              yield* FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
              FltFreeGenericWorkItem(FltWorkItem);
            }, 'DelayedWorkQueue', null);
            return FLT_PREOP_PENDING;
          },
        }),
      },
    });
    sim.whenSettled(() => {
      sim.spawn('app', function* () {
        const open = yield* sim.io.NtCreateFile(FILE, { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
        if (open.handle !== null) yield* sim.io.NtClose(open.handle);
        return open.status;
      });
      sim.spawn('fltmc unload parker', () => sim.FilterUnload('parker'));
    });
  },
};
