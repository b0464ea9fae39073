/**
 * FltRequestOperationStatusCallback (passThrough's oplock and notify pattern): from its pre-operation,
 * a filter asks to be told the status IoCallDriver returned when the request was sent on below the
 * Filter Manager — for an oplock request or a directory-change notification, STATUS_PENDING means
 * "granted / parked", long before the post-operation sees the final status.
 *
 * When it runs, in this model: on the thread that sent the request to the file system, when that
 * send returns. With `fileSystemCompletion: 'deferred'` the file system pends, so the callback gets
 * STATUS_PENDING before any post-operation; inline, the file system completes inside the send and
 * the completion (the post-operations this thread runs) happens inside it too, as IoCompleteRequest
 * inside IoCallDriver does, so the callback follows them with the file system's status. An
 * operation completed above the file system (a pre-op's FLT_PREOP_COMPLETE) is never sent below,
 * and its requests are dropped: there is no IoCallDriver to report on.
 */
import type { Blocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { PFLT_GET_OPERATION_STATUS_CALLBACK } from '../fltmgr/registration.js';
import { fail } from '../fltmgr/routineSupport.js';
import { FLTFL_CALLBACK_DATA_IRP_OPERATION } from '../wdk/fltConstants.js';
import { IRP_MJ_CLOSE } from '../wdk/irp.js';
import { STATUS_FLT_DELETING_OBJECT, STATUS_INVALID_PARAMETER, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { callbackDataRef } from './callbackDataRef.js';
import { type FLT_CALLBACK_DATA, type IoOperation, type OperationStatusRequest } from './ioOperation.js';
import { copyIopb } from './iopbCopy.js';

const ROUTINE = 'FltRequestOperationStatusCallback';

/**
 * FltRequestOperationStatusCallback(Data, CallbackRoutine, RequesterContext): only from the running
 * pre-operation of a non-close IRP operation (else STATUS_INVALID_PARAMETER), and not while the
 * instance is being torn down (STATUS_FLT_DELETING_OBJECT).
 */
export function FltRequestOperationStatusCallback(Data: FLT_CALLBACK_DATA, CallbackRoutine: PFLT_GET_OPERATION_STATUS_CALLBACK, RequesterContext: unknown = null): NTSTATUS {
  const ref = callbackDataRef(Data, ROUTINE);
  const op = ref.op;
  const fltMgr = op.volume.fltMgr;
  if (typeof CallbackRoutine !== 'function') throw new UsageError('BAD_ARGUMENT', `${ROUTINE}: CallbackRoutine must be a function (it cannot be NULL), got ${String(CallbackRoutine)}`);
  const instance = ref.kind === 'operation' ? op.preCallbackRunning : null;
  if (instance === null) return fail(fltMgr, op.id, ROUTINE, STATUS_INVALID_PARAMETER, `${op.id} is not in a pre-operation callback`);
  if (op.major === IRP_MJ_CLOSE) return fail(fltMgr, op.id, ROUTINE, STATUS_INVALID_PARAMETER, `${op.id} is IRP_MJ_CLOSE`);
  if ((Data.Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) === 0) return fail(fltMgr, op.id, ROUTINE, STATUS_INVALID_PARAMETER, `${op.id} is not an IRP operation`);
  if (!instance.receivesOperations) return fail(fltMgr, op.id, ROUTINE, STATUS_FLT_DELETING_OBJECT, `${instance.id} is being torn down`);
  // The snapshot is the parameters as the requesting pre-op sees them now.
  const snapshot = copyIopb(Data.Iopb);
  const objects = fltMgr.relatedObjects(instance, snapshot.TargetFileObject);
  op.statusRequests.push({ instance, call: (status) => CallbackRoutine(objects, snapshot, status, RequesterContext) });
  // The request holds the instance's rundown until its callback returns (or it is dropped), as a
  // running callback does: a teardown cannot free the instance under a callback it still owes.
  instance.rundown.add('callbacksInProgress', 1);
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FltRequestOperationStatusCallback', instance: instance.id });
  return STATUS_SUCCESS;
}

/** The send below returned `status`: call every request (taken off the operation first), in the order they were made (top first). */
export function* operationStatusCallbacks(fltMgr: FilterManager, op: IoOperation, requests: readonly OperationStatusRequest[], status: NTSTATUS): Blocking<void> {
  for (const request of requests) {
    fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'OperationStatusCallback', instance: request.instance.id, status });
    try {
      yield* fltMgr.invoke(request.instance.filter, () => request.call(status));
    } finally {
      request.instance.rundown.add('callbacksInProgress', -1);
    }
    fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'OperationStatusCallbackReturned', instance: request.instance.id });
  }
}

/** The operation completed without being sent below (completed above the file system): no callback, the holds go. */
export function dropStatusRequests(op: IoOperation): void {
  for (const request of op.statusRequests.splice(0)) request.instance.rundown.add('callbacksInProgress', -1);
}
