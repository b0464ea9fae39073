/**
 * Resuming pended operations (§8) and marking edits (§7):
 * FltCompletePendedPreOperation, FltCompletePendedPostOperation, FltSetCallbackDataDirty,
 * FltClearCallbackDataDirty, FltIsCallbackDataDirty.
 *
 * Resuming continues the walk on the caller's thread, as FltMgr does; so these routines can block
 * (a lower pre-op may wait on its own I/O) and are called with `yield*`.
 */
import { finishSwap } from './buffers.js';
import type { Blocking } from '../kernel/effects.js';
import {
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_CALLBACK_DATA_DIRTY,
  type FLT_PREOP_CALLBACK_STATUS,
} from '../wdk/fltConstants.js';
import { describe } from '../fltmgr/routineSupport.js';
import type { FLT_CALLBACK_DATA, IoOperation } from './ioOperation.js';
import { callbackDataRef } from './callbackDataRef.js';
import { drive } from './dispatch.js';
import { isCancelable } from './irpCancel.js';
import { applyPreResult } from './preOperation.js';
import { checkCompletionStatus } from './walkSteps.js';
import type { FilterManager } from '../fltmgr/filterManager.js';

function operationFor(Data: FLT_CALLBACK_DATA, routine: string): IoOperation {
  const ref = callbackDataRef(Data, routine);
  if (ref.kind === 'drainingCopy') {
    // A draining post-op may not pend (it must return FINISHED_PROCESSING), so its copy is never pended.
    throw ref.op.volume.fltMgr.kernel.violation('COMPLETE_NOT_PENDED', ref.op.id, `${routine} on the copy of ${ref.op.id} a draining post-op of ${ref.instance} received; a drained operation is not pended by it (§14 invariants 7, 20)`);
  }
  return ref.op;
}

/**
 * FltCompletePendedPreOperation(Data, CallbackStatus, Context): resume an operation a pre-op
 * pended, exactly as if the pre-op had returned CallbackStatus (COMPLETE, SUCCESS_NO_CALLBACK or
 * SUCCESS_WITH_CALLBACK; SYNCHRONIZE is refused, §13 A1).
 */
export function* FltCompletePendedPreOperation(Data: FLT_CALLBACK_DATA, CallbackStatus: FLT_PREOP_CALLBACK_STATUS, Context: unknown = null): Blocking<void> {
  const op = operationFor(Data, 'FltCompletePendedPreOperation');
  const fltMgr = op.volume.fltMgr;
  // The machine says whether it is pended (PrePended), or a pre-op is running that may still pend it (§8).
  const running = op.preCallbackRunning;
  const early = running !== null && op.earlyPreCompletion === null;
  const instance = early ? running : op.pendedBy;
  if (instance === null || (!early && !op.matches('PrePended'))) {
    throw fltMgr.kernel.violation('COMPLETE_NOT_PENDED', op.id, `FltCompletePendedPreOperation on ${op.id}, which is not pended in a pre-operation (it is ${op.walkDescription}); §14 invariant 7`);
  }
  if (CallbackStatus !== FLT_PREOP_COMPLETE && CallbackStatus !== FLT_PREOP_SUCCESS_NO_CALLBACK && CallbackStatus !== FLT_PREOP_SUCCESS_WITH_CALLBACK) {
    throw fltMgr.kernel.violation('COMPLETE_PENDED_BAD_STATUS', instance.id, `FltCompletePendedPreOperation on ${op.id} with ${describe(CallbackStatus)}; only COMPLETE, SUCCESS_NO_CALLBACK and SUCCESS_WITH_CALLBACK resume a pended pre-op (§13 A1)`);
  }
  if (CallbackStatus !== FLT_PREOP_SUCCESS_WITH_CALLBACK && Context !== null && Context !== undefined) {
    throw fltMgr.kernel.violation('COMPLETION_CONTEXT_WITHOUT_CALLBACK', instance.id, `FltCompletePendedPreOperation on ${op.id} passed a Context without SUCCESS_WITH_CALLBACK (§14 invariant 9)`);
  }
  if (CallbackStatus === FLT_PREOP_SUCCESS_WITH_CALLBACK && instance.filter.registration.OperationRegistration?.find((e) => e.MajorFunction === op.major)?.PostOperation === undefined) {
    throw fltMgr.kernel.violation('NO_POST_OPERATION', instance.id, `FltCompletePendedPreOperation on ${op.id} with SUCCESS_WITH_CALLBACK, but ${instance.filter.name} registered no post-operation for it`);
  }
  checkOwnsCompletion(fltMgr, op, 'FltCompletePendedPreOperation');
  if (CallbackStatus === FLT_PREOP_COMPLETE) checkCompletionStatus(fltMgr, op, instance, `FltCompletePendedPreOperation on ${op.id}`, Data.IoStatus.Status);
  if (early) {
    // The pre-op has not returned yet: its own thread goes on with this result when it returns
    // PENDING, and the fact is logged then, where it takes effect.
    op.earlyPreCompletion = { instance, result: CallbackStatus, context: Context };
    return;
  }
  fltMgr.emitFact({
    seq: 0, time: 0, object: op.id,
    type: 'FltCompletePendedPreOperation',
    instance: instance.id,
    result: CallbackStatus,
    status: CallbackStatus === FLT_PREOP_COMPLETE ? Data.IoStatus.Status : null,
    early: false,
  });
  const seen = op.pendedSeen!;
  op.pendedSeen = null;
  instance.rundown.add('pendedOperations', -1);
  const outcome = applyPreResult(fltMgr, op, instance, CallbackStatus, Context, seen);
  yield* drive(fltMgr, op, outcome === 'complete' ? 'post' : 'pre');
}

/** FltCompletePendedPostOperation(Data): resume an operation a post-op pended with MORE_PROCESSING_REQUIRED. */
export function* FltCompletePendedPostOperation(Data: FLT_CALLBACK_DATA): Blocking<void> {
  const op = operationFor(Data, 'FltCompletePendedPostOperation');
  const fltMgr = op.volume.fltMgr;
  const running = op.postCallbackRunning;
  const early = running !== null && op.earlyPostCompletion === null;
  const instance = early ? running : op.pendedBy;
  if (instance === null || (!early && !op.matches('PostPended'))) {
    throw fltMgr.kernel.violation('COMPLETE_NOT_PENDED', op.id, `FltCompletePendedPostOperation on ${op.id}, which is not pended in a post-operation (it is ${op.walkDescription}); §14 invariant 7`);
  }
  checkOwnsCompletion(fltMgr, op, 'FltCompletePendedPostOperation');
  if (early) {
    op.earlyPostCompletion = instance;
    return;
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FltCompletePendedPostOperation', instance: instance.id, early: false });
  const node = op.completion[op.postCursor];
  if (node !== undefined && node.kind === 'instance') {
    finishSwap(fltMgr, op, node);
    node.mark = 'done';
  }
  op.postCursor--;
  instance.rundown.add('pendedOperations', -1);
  yield* drive(fltMgr, op, 'post');
}

/**
 * §19.3, §19.5 rule 1: while a cancel routine is armed on the operation, its owner has not given it
 * up, so a completion here races the cancel path (whoever removes the data owns the completion).
 */
function checkOwnsCompletion(fltMgr: FilterManager, op: IoOperation, routine: string): void {
  if (!isCancelable(op)) return;
  const irp = op.irp!;
  const how = irp.routineKind === 'FltCbdq' ? 'it is still in a cancel-safe queue (remove it with FltCbdqRemoveIo / FltCbdqRemoveNextIo first)' : 'its FltSetCancelCompletion routine is still armed (FltClearCancelCompletion first, and complete only on STATUS_SUCCESS)';
  throw fltMgr.kernel.violation('COMPLETE_WHILE_CANCELABLE', op.id, `${routine} on ${op.id} while ${how}: a cancel now would complete it a second time (§19.3, §19.9 invariant 23)`);
}

/** FltSetCallbackDataDirty(Data): the edits made to Data->Iopb count for lower instances (§7). */
export function FltSetCallbackDataDirty(Data: FLT_CALLBACK_DATA): void {
  callbackDataRef(Data, 'FltSetCallbackDataDirty');
  Data.Flags = (Data.Flags | FLTFL_CALLBACK_DATA_DIRTY) >>> 0;
}

export function FltClearCallbackDataDirty(Data: FLT_CALLBACK_DATA): void {
  callbackDataRef(Data, 'FltClearCallbackDataDirty');
  Data.Flags = (Data.Flags & ~FLTFL_CALLBACK_DATA_DIRTY) >>> 0;
}

export function FltIsCallbackDataDirty(Data: FLT_CALLBACK_DATA): boolean {
  callbackDataRef(Data, 'FltIsCallbackDataDirty');
  return (Data.Flags & FLTFL_CALLBACK_DATA_DIRTY) !== 0;
}

export type { FilterManager };
