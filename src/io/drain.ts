/**
 * Draining at instance teardown (§4 step 3, §14 invariants 4 and 20): every operation still waiting
 * for this instance's post-op gets it now, with FLTFL_POST_OPERATION_DRAINING, on a copy of its
 * callback data flagged FLTFL_CALLBACK_DATA_DRAINING_IO. When the operation really completes, the
 * instance is skipped.
 *
 * Except an operation whose buffers this instance swapped (§20.6): draining it would let the
 * instance free the swapped buffer while the file system still fills it. FltMgr cancels it instead
 * (IoCancelIrp, on the teardown thread: whoever holds it below — the file system, a lower filter's
 * cancel-safe queue or posted work — gets its cancel routine called, or finds the bit set) and the
 * teardown waits for its real completion, whose post-op restores and frees the buffers.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { describeResult } from '../fltmgr/routineSupport.js';
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLTFL_CALLBACK_DATA_DRAINING_IO,
  FLTFL_CALLBACK_DATA_POST_OPERATION,
  FLTFL_POST_OPERATION_DRAINING,
} from '../wdk/fltConstants.js';
import { type FLT_CALLBACK_DATA } from './ioOperation.js';
import { copyIopb } from './iopbCopy.js';
import { signalProgress } from './dispatch.js';
import { markDrainingCopy } from './callbackDataRef.js';
import { callbackFrame } from './callbackFrame.js';
import { cancelIrp } from './irpCancel.js';

export function* drainPostOperations(fltMgr: FilterManager, instance: InstanceObject): Blocking<void> {
  for (const op of [...fltMgr.operations]) {
    for (const node of op.completion) {
      if (node.kind !== 'instance' || node.instance !== instance || op.slotState(node) !== 'waiting') continue;
      if (node.swap !== undefined && node.swap !== null) {
        if (!node.swap.cancelled) {
          node.swap.cancelled = true;
          fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'SwappedOperationCancelled', instance: instance.id });
          yield* cancelIrp(fltMgr, op, 'SwappedOperationCancelled');
        }
        continue;
      }
      // Marked before the call: the real completion must skip this node even if it arrives meanwhile.
      node.mark = 'drained';
      const post = instance.filter.registration.OperationRegistration?.find((e) => e.MajorFunction === op.major)?.PostOperation;
      if (post !== undefined) {
        const copy: FLT_CALLBACK_DATA = {
          ...op.data,
          Flags: (op.data.Flags | FLTFL_CALLBACK_DATA_DRAINING_IO | FLTFL_CALLBACK_DATA_POST_OPERATION) >>> 0,
          Iopb: { ...copyIopb(node.iopb), TargetInstance: instance },
          IoStatus: { ...op.data.IoStatus },
          FilterContext: [...op.data.FilterContext],
          QueueContext: [...op.data.QueueContext],
        };
        // Linked, so Flt routines handed the copy can answer for a draining operation (§14 invariant 19).
        markDrainingCopy(copy, op, instance);
        fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'DrainPostOperation', instance: instance.id, parameters: node.fingerprint });
        instance.rundown.add('callbacksInProgress', 1);
        const result: unknown = yield* fltMgr.invoke(instance.filter, () =>
          post(copy, fltMgr.relatedObjects(instance, copy.Iopb.TargetFileObject), node.context, FLTFL_POST_OPERATION_DRAINING),
        callbackFrame(op, instance, 'DrainPostOperation'));
        if (result !== FLT_POSTOP_FINISHED_PROCESSING) {
          throw fltMgr.kernel.violation(
            'DRAIN_MUST_FINISH',
            instance.id,
            `draining PostOperation of ${instance.filter.name} for ${op.id} returned ${describeResult(result)}; it must return FLT_POSTOP_FINISHED_PROCESSING (§14 invariant 20)`,
          );
        }
        fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'DrainPostOperationReturned', instance: instance.id, result });
        instance.rundown.add('callbacksInProgress', -1);
      }
      // A thread waiting to run this node's post-op (SYNCHRONIZE, create) is released without it.
      signalProgress(fltMgr, op);
    }
  }
}

/** Does any operation in flight still wait for this instance's post-op? */
export function hasWaitingPostOperation(fltMgr: FilterManager, instance: InstanceObject): boolean {
  for (const op of fltMgr.operations) {
    for (const node of op.completion) if (node.kind === 'instance' && node.instance === instance && op.slotState(node) === 'waiting') return true;
  }
  return false;
}
