/**
 * What every routine that generates I/O shares (§10): checking that the initiating instance and the
 * file object may be used, and issuing the operation synchronously or asynchronously. Generated I/O
 * is seen only below its initiator (the path is computed by beginOperation), and it holds the
 * initiator's drain gate and its filter's unload gate shut until it completes — or, when issued
 * asynchronously, until its callback has returned.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { fail } from '../fltmgr/routineSupport.js';
import type { IoOperation, AsyncCallback } from '../io/ioOperation.js';
import { drive, driveToCompletion } from '../io/dispatch.js';
import { releaseGenerated } from '../io/generatedIoCount.js';
import type { FileObject } from '../io/fileObject.js';
import { STATUS_FLT_DELETING_OBJECT, STATUS_INVALID_PARAMETER, type NTSTATUS } from '../wdk/ntstatus.js';
import { DISPATCH_LEVEL, PASSIVE_LEVEL } from '../sync/irql.js';

/**
 * May `instance` initiate I/O now? Once freed (torn down, last reference gone) it is use after free,
 * a verifier error; torn down but still referenced, STATUS_FLT_DELETING_OBJECT. During teardown it
 * is allowed unless `semantics.generatedIoDuringTeardown` is 'deny'. Returns a failure status, or
 * null when the I/O may go ahead.
 */
export function checkInitiator(fltMgr: FilterManager, instance: InstanceObject, routine: string): NTSTATUS | null {
  const state = instance.state;
  if (state === 'Freed' || state === 'Declined') {
    throw fltMgr.kernel.violation('INSTANCE_USED_AFTER_TEARDOWN', instance.id, `${routine} from ${instance}, which is gone (${state}): nothing held a reference on it`);
  }
  if (state === 'Detached') {
    // Still referenced, so the pointer is good, but its rundown has completed.
    return fail(fltMgr, instance, routine, STATUS_FLT_DELETING_OBJECT, `${instance} has completed its teardown`);
  }
  if (state === 'InstanceSetup') return null;
  if (!instance.receivesOperations && fltMgr.options.semantics.generatedIoDuringTeardown === 'deny') {
    return fail(fltMgr, instance, routine, STATUS_FLT_DELETING_OBJECT, `${instance} is tearing down (semantics.generatedIoDuringTeardown = 'deny')`);
  }
  return null;
}

/**
 * May `fo` carry I/O from `instance`? A closed file object is use after free and a file object from
 * another simulation is foreign (verifier errors); one on another volume than the instance is
 * STATUS_INVALID_PARAMETER (§13 A14, a documented choice).
 */
export function checkFileObject(fltMgr: FilterManager, instance: InstanceObject, fo: FileObject | null | undefined, routine: string): NTSTATUS | null {
  if (fo === null || fo === undefined) {
    throw fltMgr.kernel.violation('NULL_FILE_OBJECT', instance.id, `${routine} from ${instance} with no FileObject (a failed FltCreateFileEx returns none)`);
  }
  if (fo.state === 'Closed' || fo.state === 'OpenFailed') {
    throw fltMgr.kernel.violation('IO_ON_CLOSED_FILE_OBJECT', fo.id, `${routine} on ${fo}, which is ${fo.state}`);
  }
  if (fltMgr.fileObjects.get(fo.id) !== fo) {
    throw fltMgr.kernel.violation('FOREIGN_FILE_OBJECT', instance.id, `${routine} on a file object that does not belong to this simulation (${fo.id})`);
  }
  if (fo.volume !== instance.volume) {
    return fail(fltMgr, fo.id, routine, STATUS_INVALID_PARAMETER, `${instance} is on ${instance.volume}, ${fo} on ${fo.volume} (§13 A14)`);
  }
  return null;
}

/** Issue synchronously: drive the operation and wait for it on the calling thread. */
export function* performSynchronous(fltMgr: FilterManager, op: IoOperation): Blocking<void> {
  yield* driveToCompletion(fltMgr, op);
}

export type AsyncOutcome = 'completedInline' | 'pending';

/**
 * Issue asynchronously: the calling thread takes the operation as far as it goes without waiting.
 * With `inlineCallback`, an operation that completes within the call has its callback run right
 * here, before the routine returns (FltPerformAsynchronousIo's STATUS_SUCCESS); otherwise the
 * callback is delivered later by a scheduled completion.
 */
export function* performAsynchronous(fltMgr: FilterManager, op: IoOperation, callback: AsyncCallback, inlineCallback: boolean): Blocking<AsyncOutcome> {
  // From here the run owes its callback (IoOperation.callbackOwed) until the machine records the call.
  op.asyncCallback = callback;
  op.issuingInline = inlineCallback;
  try {
    yield* drive(fltMgr, op);
  } finally {
    op.issuingInline = false;
  }
  if (!op.inFlight && inlineCallback) {
    yield* runAsyncCallback(fltMgr, op);
    return 'completedInline';
  }
  // Not inline: completeOperation has handed (or will hand) the run to the completion stream.
  return 'pending';
}

/** Call the completion routine on the current thread (at the IRQL callAsyncCallback says), then release the gates. */
export function* runAsyncCallback(fltMgr: FilterManager, op: IoOperation): Blocking<void> {
  yield* callAsyncCallback(fltMgr, op);
  releaseGenerated(op);
}

/**
 * Call the completion routine on the current thread. Also for a request refused before it was
 * issued: the callback runs exactly once on every path (§11.10), then with nothing in flight to
 * release.
 *
 * IRQL (§11.10, §18.1): the DDI says "IRQL <= DISPATCH_LEVEL", so by default the callback runs at
 * DISPATCH_LEVEL, the worst case the contract allows (no ERESOURCE, no wait, nothing paged).
 * `semantics.asyncIoCallbackIrql: 'completer'` runs it where Windows' I/O completion does: at the
 * IRQL of whoever completed the request (the issuer when it completed inside the call, the thread
 * whose change let a parked request go, the canceller, DISPATCH_LEVEL for a completion thread).
 */
export function* callAsyncCallback(fltMgr: FilterManager, op: IoOperation): Blocking<void> {
  const callback = op.asyncCallback!;
  const instance = op.initiator!;
  const thread = fltMgr.kernel.current;
  const irql = thread?.irql ?? PASSIVE_LEVEL;
  const callbackIrql = fltMgr.options.semantics.asyncIoCallbackIrql === 'completer' ? (op.completerIrql ?? irql) : DISPATCH_LEVEL;
  // From here the filter owns the data again (the machine is Completed.AsyncIoCallbackCalled): it
  // may free or reuse it inside the callback (§11.10).
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'AsyncIoCallback', instance: instance.id });
  if (thread !== null) thread.irql = callbackIrql;
  try {
    yield* fltMgr.invoke(instance.filter, () => callback.routine(op.data, callback.context) as void);
  } finally {
    if (thread !== null) thread.irql = irql;
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'AsyncIoCallbackReturned', instance: instance.id });
}

