/**
 * Cancellation as a minifilter sees it (§18.3, §19.1–§19.3): FltSetCancelCompletion,
 * FltClearCancelCompletion, FltCancelIo, FltIsIoCanceled, FltCancellableWaitForSingleObject and
 * FltCancellableWaitForMultipleObjects. The IRP's cancel state and IoCancelIrp are in
 * src/io/irpCancel.ts.
 *
 * The exactly-once protocol of §19.3: a worker calls FltClearCancelCompletion first; STATUS_SUCCESS
 * means it took the routine back and owns the completion, STATUS_CANCELLED that the cancel path
 * owns it (the routine was called, or none was set). Completing while the routine is armed is the
 * verifier's COMPLETE_WHILE_CANCELABLE (src/io/pending.ts).
 */
import { kernelCall, preempt, waitForObjects, type Blocking, type MaybeBlocking, type WaitType } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import { arrayArgument, badArgument, integerArgument, oneOfArgument } from '../kernel/arguments.js';
import type { LargeInteger } from '../kernel/time.js';
import { finishWait, planWait, MAXIMUM_WAIT_OBJECTS, THREAD_WAIT_OBJECTS, type DispatcherObject } from '../sync/waits.js';
import { APC_LEVEL, PASSIVE_LEVEL, checkIrql } from '../sync/irql.js';
import { STATUS_CANCELLED, STATUS_SUCCESS, STATUS_TIMEOUT, STATUS_WAIT_0, type NTSTATUS } from '../wdk/ntstatus.js';
import { callbackDataRef } from '../io/callbackDataRef.js';
import type { FLT_CALLBACK_DATA, IoOperation } from '../io/ioOperation.js';
import { cancelIrp, cancelSignal, clearCancelRoutine, isCancelable, isCancelRequested, setCancelRoutine } from '../io/irpCancel.js';
import { fail } from './routineSupport.js';

/** PFLT_COMPLETE_CANCELED_CALLBACK: runs on the cancelling thread; it must complete the operation. */
export type PFLT_COMPLETE_CANCELED_CALLBACK = (CallbackData: FLT_CALLBACK_DATA) => MaybeBlocking<void>;

function operationFor(Data: FLT_CALLBACK_DATA, routine: string): IoOperation {
  const ref = callbackDataRef(Data, routine);
  if (ref.kind === 'drainingCopy') {
    throw ref.op.volume.fltMgr.kernel.violation('CANCEL_COMPLETION_NOT_PENDED', ref.op.id, `${routine} on the copy of ${ref.op.id} a draining post-op of ${ref.instance} received: a drained operation is not posted anywhere (§19.3)`);
  }
  return ref.op;
}

/** Pended by a filter, or about to be: its pre-op or post-op is running and may still return PENDING / MORE_PROCESSING_REQUIRED. */
function isPendedOrPending(op: IoOperation): boolean {
  return op.matches('PrePended') || op.matches('PostPended') || op.preCallbackRunning !== null || op.postCallbackRunning !== null;
}

/**
 * FltSetCancelCompletion(CallbackData, CanceledCallback): arm the filter's cancel routine on an
 * operation it is posting to a work queue. If the cancel bit is already set the routine is not
 * armed and STATUS_CANCELLED comes back [model: the DDI says "an appropriate NTSTATUS"]: the caller
 * completes the operation itself.
 */
export function FltSetCancelCompletion(CallbackData: FLT_CALLBACK_DATA, CanceledCallback: PFLT_COMPLETE_CANCELED_CALLBACK): NTSTATUS {
  const op = operationFor(CallbackData, 'FltSetCancelCompletion');
  const fltMgr = op.volume.fltMgr;
  const thread = fltMgr.kernel.current;
  if (thread !== null) checkIrql(fltMgr.kernel, thread, 'FltSetCancelCompletion', 2);
  if (typeof CanceledCallback !== 'function') throw new UsageError('BAD_ARGUMENT', 'FltSetCancelCompletion: CanceledCallback must be a function', fltMgr.kernel.place(op.id));
  const owner = op.pendedBy ?? op.preCallbackRunning ?? op.postCallbackRunning;
  if (!isPendedOrPending(op) || owner === null) {
    throw fltMgr.kernel.violation('CANCEL_COMPLETION_NOT_PENDED', op.id, `FltSetCancelCompletion on ${op.id}, which no filter is pending (it is ${op.walkDescription}); the routine is for operations posted to a work queue (§19.3)`);
  }
  if (isCancelable(op)) {
    throw fltMgr.kernel.violation('CANCEL_ROUTINE_CONFLICT', op.id, `FltSetCancelCompletion on ${op.id}, which already has a ${op.irp!.routineKind} cancel routine${op.irp!.routineKind === 'FltCbdq' ? ' (it is in a cancel-safe queue)' : ''} (§19.3, §19.9 invariant 26)`);
  }
  if (isCancelRequested(op)) return fail(fltMgr, op.id, 'FltSetCancelCompletion', STATUS_CANCELLED, `${op.id} was cancelled before a cancel routine was armed; complete it`);
  setCancelRoutine(fltMgr, op, 'FltSetCancelCompletion', owner, () => CanceledCallback(op.data));
  return STATUS_SUCCESS;
}

/**
 * FltClearCancelCompletion(CallbackData): STATUS_SUCCESS if it took the filter's routine back (the
 * caller owns the completion); STATUS_CANCELLED if none was set or the cancel is under way.
 */
export function FltClearCancelCompletion(CallbackData: FLT_CALLBACK_DATA): NTSTATUS {
  const op = operationFor(CallbackData, 'FltClearCancelCompletion');
  const fltMgr = op.volume.fltMgr;
  if (op.irp?.routineKind === 'FltCbdq') {
    throw fltMgr.kernel.violation('CANCEL_ROUTINE_CONFLICT', op.id, `FltClearCancelCompletion on ${op.id}, which is in a cancel-safe queue: take it out with FltCbdqRemoveIo (§19.3)`);
  }
  // A worker that lost the race finds the operation completed by the cancel path: it owns nothing (§19.3).
  if (!op.inFlight) return STATUS_CANCELLED;
  if (!isPendedOrPending(op)) {
    throw fltMgr.kernel.violation('CANCEL_COMPLETION_NOT_PENDED', op.id, `FltClearCancelCompletion on ${op.id}, which no filter is pending (it is ${op.walkDescription}) (§19.3)`);
  }
  return clearCancelRoutine(fltMgr, op, 'FltClearCancelCompletion') ? STATUS_SUCCESS : STATUS_CANCELLED;
}

/**
 * FltCancelIo(CallbackData): IoCancelIrp on an operation the filter owns — I/O a filter issued
 * (FltPerformAsynchronousIo, FltReadFile with a callback, …) or holds pended. TRUE if a cancel
 * routine was called (it runs inside this call, on this thread); FALSE if none was armed (the bit
 * stays set: the operation is cancelled once it becomes cancellable), or it already completed.
 */
export function* FltCancelIo(CallbackData: FLT_CALLBACK_DATA): Blocking<boolean> {
  const op = operationFor(CallbackData, 'FltCancelIo');
  const fltMgr = op.volume.fltMgr;
  yield* preempt();
  yield* kernelCall((kernel, thread) => checkIrql(kernel, thread, 'FltCancelIo', 2));
  if (!op.inFlight) return false;
  if (op.initiator === null && op.pendedBy === null) {
    throw fltMgr.kernel.violation('CANCEL_IO_NOT_OWNED', op.id, `FltCancelIo on ${op.id}, which no filter issued and none holds pended (it is ${op.walkDescription}); cancel an application's request with its own cancel (CancelIoEx), not FltCancelIo (§19.1)`);
  }
  return yield* cancelIrp(fltMgr, op, 'FltCancelIo');
}

/** FltIsIoCanceled(CallbackData): the cancel bit of the operation's IRP. */
export function FltIsIoCanceled(CallbackData: FLT_CALLBACK_DATA): boolean {
  return isCancelRequested(operationFor(CallbackData, 'FltIsIoCanceled'));
}

/**
 * The wait of §18.3: like KeWaitFor*, plus STATUS_CANCELLED once CallbackData's operation is
 * cancelled (at once if it already is). Without CallbackData it is a plain wait. A WaitAll wait
 * notices a cancel only when it starts (the kernel's wait cannot express "all, or the cancel").
 */
function* cancellableWait(routine: string, objects: readonly DispatcherObject[], waitType: WaitType, Timeout: LargeInteger | null | undefined, CallbackData: FLT_CALLBACK_DATA | null): Blocking<NTSTATUS> {
  const op = CallbackData === null ? null : operationFor(CallbackData, routine);
  yield* preempt();
  const plan = yield* kernelCall((kernel, thread) => {
    // PASSIVE_LEVEL with an IRP-based CallbackData, else APC_LEVEL (§18.1).
    checkIrql(kernel, thread, routine, op === null ? APC_LEVEL : PASSIVE_LEVEL);
    if (op !== null && isCancelable(op)) {
      throw kernel.violation('CANCEL_ROUTINE_CONFLICT', op.id, `${routine} with ${op.id}, which has a ${op.irp!.routineKind} cancel routine: the wait may only watch data the caller owns outright (§18.3)`);
    }
    const extra = op === null || waitType === 'WaitAll' ? [] : [cancelSignal(op.volume.fltMgr, op)];
    return planWait(kernel, thread, routine, objects, waitType, Timeout, extra);
  });
  if (op !== null && isCancelRequested(op)) return yield* finishWait(routine, STATUS_CANCELLED);
  const outcome = yield* waitForObjects(plan.waitables, waitType, plan.ticks, `${routine} ${plan.waitables.map((w) => w.id).join(',')}`);
  let status: NTSTATUS;
  if (outcome.kind === 'timeout') status = STATUS_TIMEOUT;
  else if (op !== null && waitType === 'WaitAny' && outcome.index === objects.length) status = STATUS_CANCELLED;
  else status = waitType === 'WaitAny' ? STATUS_WAIT_0 + outcome.index : STATUS_SUCCESS;
  return yield* finishWait(routine, status);
}

/** FltCancellableWaitForSingleObject(Object, Timeout, CallbackData): STATUS_SUCCESS, STATUS_TIMEOUT or STATUS_CANCELLED. */
export function FltCancellableWaitForSingleObject(Object: DispatcherObject, Timeout: LargeInteger | null, CallbackData: FLT_CALLBACK_DATA | null): Blocking<NTSTATUS> {
  return cancellableWait('FltCancellableWaitForSingleObject', [Object], 'WaitAny', Timeout, CallbackData);
}

/** FltCancellableWaitForMultipleObjects(Count, ObjectArray, WaitType, Timeout, WaitBlockArray, CallbackData). */
export function* FltCancellableWaitForMultipleObjects(
  Count: number,
  ObjectArray: readonly DispatcherObject[],
  WaitType: WaitType,
  Timeout: LargeInteger | null,
  WaitBlockArray: unknown,
  CallbackData: FLT_CALLBACK_DATA | null,
): Blocking<NTSTATUS> {
  const routine = 'FltCancellableWaitForMultipleObjects';
  const objects = arrayArgument(routine, 'ObjectArray', ObjectArray, Number.MAX_SAFE_INTEGER, (o) => o as DispatcherObject);
  integerArgument(routine, 'Count', Count, 1, Number.MAX_SAFE_INTEGER, 'a ULONG from 1');
  if (Count > objects.length) throw badArgument(routine, `Count ${Count} is more than the ${objects.length} objects of ObjectArray`);
  oneOfArgument(routine, 'WaitType', WaitType, ['WaitAll', 'WaitAny'] as const);
  yield* kernelCall((kernel, thread) => {
    if (Count > MAXIMUM_WAIT_OBJECTS || (Count > THREAD_WAIT_OBJECTS && (WaitBlockArray === null || WaitBlockArray === undefined))) {
      throw kernel.violation('TOO_MANY_WAIT_OBJECTS', thread.id, `FltCancellableWaitForMultipleObjects on ${Count} objects without a WaitBlockArray (§18.2)`);
    }
  });
  return yield* cancellableWait('FltCancellableWaitForMultipleObjects', ObjectArray.slice(0, Count), WaitType, Timeout, CallbackData);
}

