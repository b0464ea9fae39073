/**
 * FltReissueSynchronousIo(InitiatingInstance, CallbackData) (§11.14): send an operation again to
 * the instances below the initiator, from the post-op of a synchronized operation (its pre-op
 * returned SYNCHRONIZE, or it is a create) or on the filter's own data after
 * FltPerformSynchronousIo. Lower instances see a second pre/post pair with
 * FLTFL_CALLBACK_DATA_REISSUED_IO; higher instances see only the final result. The reissue is a
 * nested walk of the same FLT_CALLBACK_DATA object, logged as its own operation id.
 */
import type { Blocking } from '../kernel/effects.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { requireThread } from '../fltmgr/routineSupport.js';
import { bindData, type FLT_CALLBACK_DATA } from '../io/ioOperation.js';
import { callbackDataRef } from '../io/callbackDataRef.js';
import { driveToCompletion } from '../io/dispatch.js';
import { startOperation } from '../io/startOperation.js';
import { FLTFL_CALLBACK_DATA_GENERATED_IO, FLTFL_CALLBACK_DATA_REISSUED_IO, FLTFL_CALLBACK_DATA_REISSUE_MASK } from '../wdk/fltConstants.js';
import { IRP_MJ_CREATE } from '../wdk/irp.js';
import { STATUS_CANCELLED } from '../wdk/ntstatus.js';
import { SYSTEM_SID } from '../kernel/sids.js';

export function* FltReissueSynchronousIo(InitiatingInstance: InstanceObject, CallbackData: FLT_CALLBACK_DATA): Blocking<void> {
  const ref = callbackDataRef(CallbackData, 'FltReissueSynchronousIo');
  const outer = ref.op;
  const fltMgr = outer.volume.fltMgr;
  requireThread(fltMgr, 'FltReissueSynchronousIo');
  if (ref.kind === 'drainingCopy') {
    throw fltMgr.kernel.violation('REISSUE_NOT_SYNCHRONIZED', InitiatingInstance.id, `FltReissueSynchronousIo on the copy of ${outer.id} a draining post-op of ${ref.instance} received: a drained operation is still below and cannot be sent again (§14 invariants 14, 20)`);
  }
  // Fast I/O post-ops run on the issuing thread too, but only IRP operations are synchronized and reissued (§8, §11.14).
  const fromSynchronizedPost =
    !outer.isFastIo &&
    outer.postCallbackRunning === InitiatingInstance &&
    outer.completion.some((n) => n.kind === 'instance' && n.instance === InitiatingInstance && n.synchronize && outer.slotState(n) === 'running');
  const ownAfterPerform = outer.allocatedBy === InitiatingInstance && outer.state === 'Completed' && outer.asyncCallback === null;
  if (!fromSynchronizedPost && !ownAfterPerform) {
    throw fltMgr.kernel.violation(
      'REISSUE_NOT_SYNCHRONIZED',
      InitiatingInstance.id,
      `FltReissueSynchronousIo on ${outer.id} from ${InitiatingInstance}: ${outer.isFastIo ? 'a fast I/O operation cannot be reissued (return FLT_PREOP_DISALLOW_FASTIO to get the IRP); ' : ''}only from the post-op of a synchronized IRP operation (SYNCHRONIZE or create), or on the filter's own data after FltPerformSynchronousIo (§14 invariant 14)`,
    );
  }
  const iopb = CallbackData.Iopb;
  const fo = iopb.TargetFileObject;
  // The file object's machine says whether its open was cancelled (FileObjectOpenCancelled); the
  // FO_FILE_OPEN_CANCELLED bit FltCancelFileOpen sets in Flags is what a filter reads, not what decides.
  if (iopb.MajorFunction === IRP_MJ_CREATE && fo !== null && fo.state === 'OpenCancelled') {
    // A cancelled open cannot be reissued (§11.13): it completes with STATUS_CANCELLED, as Windows
    // does; the filter's logic error is recorded too (§14 invariant 14), without ending its thread.
    CallbackData.IoStatus = { Status: STATUS_CANCELLED, Information: 0 };
    fltMgr.kernel.reportViolation('REISSUE_CANCELLED_OPEN', InitiatingInstance.id, `FltReissueSynchronousIo on ${outer.id} from ${InitiatingInstance}: the create of ${fo} was cancelled with FltCancelFileOpen and cannot be reissued; it completes with STATUS_CANCELLED (§11.13, §14 invariant 14)`);
    return;
  }
  const inner = startOperation(fltMgr, {
    volume: outer.volume,
    fileObject: fo,
    MajorFunction: iopb.MajorFunction,
    MinorFunction: iopb.MinorFunction,
    IrpFlags: iopb.IrpFlags,
    OperationFlags: iopb.OperationFlags,
    Parameters: iopb.Parameters,
    RequestorMode: CallbackData.RequestorMode,
    requestorSid: outer.requestorSid || SYSTEM_SID,
    initiator: InitiatingInstance,
    // REISSUED_IO, and what the original had: its kind bits, and GENERATED_IO only if it was
    // generated (or if semantics.reissuedIoFlags asks for it).
    markGenerated: (CallbackData.Flags & FLTFL_CALLBACK_DATA_GENERATED_IO) !== 0 || fltMgr.options.semantics.reissuedIoFlags === 'addGenerated',
    extraFlags: ((CallbackData.Flags & FLTFL_CALLBACK_DATA_REISSUE_MASK) | FLTFL_CALLBACK_DATA_REISSUED_IO) >>> 0,
    ...(outer.buffer === undefined ? {} : { buffer: outer.buffer }),
  });
  fltMgr.emitFact({ seq: 0, time: 0, object: outer.id, type: 'FltReissueSynchronousIo', instance: InitiatingInstance.id, reissue: inner.id });
  // Lower callbacks receive the caller's data object; while the reissue runs it belongs to the inner walk.
  const savedIopb = CallbackData.Iopb;
  const savedFlags = CallbackData.Flags;
  bindData(CallbackData, inner);
  Object.assign(CallbackData, { Flags: inner.data.Flags });
  (inner as { data: FLT_CALLBACK_DATA }).data = CallbackData;
  try {
    yield* driveToCompletion(fltMgr, inner);
  } finally {
    bindData(CallbackData, outer);
    CallbackData.Iopb = savedIopb;
    CallbackData.Flags = savedFlags;
  }
  // IoStatus and TagData are already the reissue's: the inner walk wrote them into this data object.
  outer.output = inner.output;
}
