/**
 * Calling one instance's post-operation callback (§8): it sees the parameters its own pre-op saw
 * (§7) and the current IoStatus. A post-op that is not synchronized runs as if at DISPATCH_LEVEL
 * (any thread, must not block); blocking there is a verifier error, as it bugchecks on Windows.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { describeResult } from '../fltmgr/routineSupport.js';
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLTFL_CALLBACK_DATA_POST_OPERATION,
} from '../wdk/fltConstants.js';
import { IRP_MJ_SHUTDOWN, irpMajorName } from '../wdk/irp.js';
import { type CompletionNode, type IoOperation } from './ioOperation.js';
import { copyIopb } from './iopbCopy.js';
import { checkCompletionStatus } from './walkSteps.js';
import { callbackFrame } from './callbackFrame.js';
import { finishSwap } from './buffers.js';

type InstanceNode = Extract<CompletionNode, { kind: 'instance' }>;

const DISPATCH_LEVEL = 2;

/**
 * Run the post-op of the node at op.postCursor. 'pended': it returned MORE_PROCESSING_REQUIRED and
 * the walk stops here until FltCompletePendedPostOperation; 'next': the walk goes on upward.
 */
export function* postOperation(fltMgr: FilterManager, op: IoOperation, node: InstanceNode): Blocking<'next' | 'pended'> {
  const { instance } = node;
  // FltMgr calls no post-operation for IRP_MJ_SHUTDOWN (§2: one registered is never called).
  const post = op.major === IRP_MJ_SHUTDOWN ? undefined : instance.filter.registration.OperationRegistration?.find((e) => e.MajorFunction === op.major)?.PostOperation;
  if (post === undefined) {
    node.mark = 'done';
    op.postCursor--;
    return 'next';
  }
  const data = op.data;
  data.Iopb = copyIopb(node.iopb);
  data.Iopb.TargetInstance = instance;
  data.Flags |= FLTFL_CALLBACK_DATA_POST_OPERATION;
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'PostOperation', instance: instance.id, flags: 0, parameters: node.fingerprint });
  // From here until it returns, the machine (PostOperation) and this frame say the slot's post-op runs.
  op.postCallbackRunning = instance;
  instance.rundown.add('callbacksInProgress', 1);
  const thread = fltMgr.kernel.current;
  const irql = thread?.irql ?? 0;
  if (thread !== null && !node.synchronize) thread.irql = DISPATCH_LEVEL;
  let raw: unknown;
  try {
    raw = yield* fltMgr.invoke(instance.filter, () => post(data, fltMgr.relatedObjects(instance, data.Iopb.TargetFileObject), node.context, 0), callbackFrame(op, instance, 'PostOperation'));
  } finally {
    op.postCallbackRunning = null;
    if (thread !== null) thread.irql = irql;
    data.Flags &= ~FLTFL_CALLBACK_DATA_POST_OPERATION;
  }
  const where = `PostOperation of ${instance.filter.name} (${instance.id}) for ${op.id} ${irpMajorName(op.major)}`;
  if (raw !== FLT_POSTOP_FINISHED_PROCESSING && raw !== FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
    throw fltMgr.kernel.violation('CALLBACK_RETURN_INVALID', instance.id, `${where} returned ${describeResult(raw)}, not an FLT_POSTOP_CALLBACK_STATUS`);
  }
  if (raw === FLT_POSTOP_MORE_PROCESSING_REQUIRED && op.isFastIo) {
    throw fltMgr.kernel.violation('PEND_FAST_IO', instance.id, `${where} returned FLT_POSTOP_MORE_PROCESSING_REQUIRED for a fast I/O operation: only IRP operations can be pended (§8)`);
  }
  if (raw === FLT_POSTOP_MORE_PROCESSING_REQUIRED && op.isFsFilter) {
    throw fltMgr.kernel.violation('FS_FILTER_OPERATION_PENDED', instance.id, `${where} returned FLT_POSTOP_MORE_PROCESSING_REQUIRED for an FsFilter callback operation: they cannot be pended (§24.1)`);
  }
  checkCompletionStatus(fltMgr, op, instance, where, data.IoStatus.Status);
  if (op.earlyPostCompletion === instance && raw !== FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
    op.earlyPostCompletion = null;
    throw fltMgr.kernel.violation('COMPLETE_NOT_PENDED', instance.id, `FltCompletePendedPostOperation on ${op.id} while its post-op was running, and the post-op then returned FLT_POSTOP_FINISHED_PROCESSING`);
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'PostOperationReturned', instance: instance.id, result: raw, status: data.IoStatus.Status });
  if (raw === FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
    if (op.earlyPostCompletion === instance) {
      // FltCompletePendedPostOperation came before the post-op returned: carry on upward.
      op.earlyPostCompletion = null;
      fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FltCompletePendedPostOperation', instance: instance.id, early: true });
      finishSwap(fltMgr, op, node);
    } else {
      // The machine is PostPended (PostOperationReturned); the pending instance is the node at the cursor.
      // Counted before the callback is released, so a waiting teardown cannot slip between them.
      instance.rundown.add('pendedOperations', 1);
      instance.rundown.add('callbacksInProgress', -1);
      return 'pended';
    }
  }
  if (raw === FLT_POSTOP_FINISHED_PROCESSING) finishSwap(fltMgr, op, node);
  node.mark = 'done';
  op.postCursor--;
  instance.rundown.add('callbacksInProgress', -1);
  return 'next';
}
