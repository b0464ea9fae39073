/**
 * The walk of one operation through the stack (§6, §8): pre-operations top to bottom, legacy
 * filters, the file system, then post-operations bottom to top, and completion.
 *
 * `advance` moves an operation as far as the *current* thread can take it. It stops when the
 * operation is pended (pre or post), when the file system completes later, when a post-operation
 * must run on another thread (SYNCHRONIZE, or any post-create: they run where the pre-op ran), or at
 * completion. Whoever resumes the operation — FltCompletePendedPreOperation, FltCompletePendedPost-
 * Operation, an I/O completion thread, or the thread the walk was handed back to — calls `advance`
 * again, on its own thread. That is how Windows does it, and it is what makes the thread a callback
 * runs on a property of the schedule that tests and the explorer can observe.
 */
import { waitFor, type Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { LegacyFilter } from '../fltmgr/volumeObject.js';
import { STATUS_PENDING } from '../wdk/ntstatus.js';
import { type IoOperation } from './ioOperation.js';
import { copyIopb } from './iopbCopy.js';
import { operationRegistration } from './eligibility.js';
import { fileSystemStage } from './fileSystemStage.js';
import { postOperation } from './postOperation.js';
import { preOperation } from './preOperation.js';
import { beginPost } from './walkSteps.js';
import { releaseGenerated } from './generatedIoCount.js';
import { irpCompleted, isCancelable } from './irpCancel.js';
import { dropStatusRequests, operationStatusCallbacks } from './operationStatus.js';

/**
 * Where a thread takes the walk up: from the pre walk at the cursor (a new run, a pended pre-op
 * resumed with SUCCESS_*), or from the post walk at the post cursor (after a completion, a pended
 * post-op resumed, a post-op handed back, a pre-op that completed the operation).
 */
export type WalkFrom = 'pre' | 'post';

export function* advance(fltMgr: FilterManager, op: IoOperation, from: WalkFrom = 'pre'): Blocking<void> {
  if (from === 'pre') {
    const next = yield* preWalk(fltMgr, op);
    if (next === 'stop') return;
    if (next === 'fileSystem') {
      yield* fileSystemStage(fltMgr, op, (o) => continueAfterCompletion(fltMgr, o));
      // Inline, the file system completed it (the machine is PostOperation); deferred, it is FsPending.
      const pending = op.matches('FsPending');
      if (op.statusRequests.length > 0) {
        // FltRequestOperationStatusCallback: the send below returns now. Deferred, it returned
        // STATUS_PENDING; inline, the completion ran inside it, so the rest of the walk this thread
        // can take comes first, and the status is the file system's (src/io/operationStatus.ts).
        const requests = op.statusRequests.splice(0);
        const returned = pending ? STATUS_PENDING : op.data.IoStatus.Status;
        if (!pending) yield* postWalk(fltMgr, op);
        yield* operationStatusCallbacks(fltMgr, op, requests, returned);
        return;
      }
      if (pending) return;
    }
  }
  yield* postWalk(fltMgr, op);
}

/** Pre-operations from the cursor down: to the file system, to the post walk (completed above), or a stop (pended). */
function* preWalk(fltMgr: FilterManager, op: IoOperation): Blocking<'fileSystem' | 'post' | 'stop'> {
  for (;;) {
    const node = op.path[op.cursor];
    if (node === undefined) return 'fileSystem';
    if (node.kind === 'legacy') {
      if (legacyDispatch(fltMgr, op, node.legacy) === 'complete') return 'post';
      continue;
    }
    const entry = operationRegistration(node.instance, op.currentIopb);
    if (entry === null) {
      op.cursor++;
      continue;
    }
    const outcome = yield* preOperation(fltMgr, op, node.instance, entry);
    if (outcome === 'pended') return 'stop';
    if (outcome === 'complete') return 'post';
  }
}

/**
 * Post-operations from the post cursor up, then completion. Stops when a post-op pends, or when the
 * next one must run on another thread (SYNCHRONIZE, any post-create): that thread takes the walk up
 * in serveHandoffs, where it finds the node at the cursor still waiting for it.
 */
function* postWalk(fltMgr: FilterManager, op: IoOperation): Blocking<void> {
  for (;;) {
    const node = op.completion[op.postCursor];
    if (node === undefined) {
      completeOperation(fltMgr, op);
      return;
    }
    if (node.kind === 'legacy') {
      fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'LegacyFilterCompletion', legacy: node.legacy.id, status: op.data.IoStatus.Status });
      op.postCursor--;
      continue;
    }
    if (node.mark === 'drained') {
      op.postCursor--;
      continue;
    }
    if (node.synchronize && node.thread !== (fltMgr.kernel.current?.id ?? null)) {
      // Hand the post walk to the thread that must run this node, and stop here.
      signalProgress(fltMgr, op);
      return;
    }
    if ((yield* postOperation(fltMgr, op, node)) === 'pended') return;
  }
}

/** After the file system completes on a completion thread: the post walk, on that thread. */
function* continueAfterCompletion(fltMgr: FilterManager, op: IoOperation): Blocking<void> {
  yield* postWalk(fltMgr, op);
}

/** A legacy filter's dispatch (§6): 'pass' sends the IRP on down, 'complete' means it completed it itself. */
function legacyDispatch(fltMgr: FilterManager, op: IoOperation, legacy: LegacyFilter): 'pass' | 'complete' {
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'LegacyFilterDispatch', legacy: legacy.id });
  const verdict = legacy.onIrp?.({
    MajorFunction: op.major,
    fileName: op.currentIopb.TargetFileObject?.FileName ?? '',
    generated: op.initiator !== null,
  }) ?? 'pass';
  if (verdict === 'pass') {
    op.cursor++;
    op.completion.push({ kind: 'legacy', legacy });
    return 'pass';
  }
  // The legacy filter completed the IRP itself: nothing below sees it; it gets no completion call.
  // The cursor stays at the legacy filter: the pre walk stopped above the file system.
  op.data.IoStatus = { Status: verdict.complete >>> 0, Information: 0 };
  beginPost(op);
  return 'complete';
}

/** Wake every thread waiting on this operation to re-check: a hand-off, a drained node, completion. */
export function signalProgress(fltMgr: FilterManager, op: IoOperation): void {
  if (op.progress.waiters.length > 0) fltMgr.kernel.signal(op.progress);
}

/**
 * For a thread that started or resumed the walk: run the post-operations that must run on this
 * thread when the walk hands them back. A resumer returns once it owns no waiting node; the issuer
 * (`untilComplete`) stays until the operation completes, because for a create every post-op is
 * its own, including those of nodes pushed later by a worker that resumed a pended pre-op.
 */
export function* serveHandoffs(fltMgr: FilterManager, op: IoOperation, untilComplete: boolean): Blocking<void> {
  const me = fltMgr.kernel.current?.id ?? null;
  for (;;) {
    if (!op.inFlight) return;
    if (isHandedTo(op, me)) {
      yield* postWalk(fltMgr, op);
      continue;
    }
    const owesMe = op.completion.some((n) => n.kind === 'instance' && n.synchronize && n.thread === me && op.slotState(n) === 'waiting');
    if (!owesMe && !untilComplete) return;
    yield* waitFor(op.progress, owesMe ? `${op.id} hands a post-op back to ${me ?? '-'}` : `${op.id} completion`);
  }
}

/**
 * Is the post walk parked at a node this thread must run? Only a hand-off leaves the node at the
 * post cursor waiting (or drained since) while no thread walks: the machine says when the node's
 * post-op is running or pended there, and before the post walk the cursor is -1.
 */
function isHandedTo(op: IoOperation, me: string | null): boolean {
  const next = op.completion[op.postCursor];
  if (next === undefined || next.kind !== 'instance' || next.thread !== me) return false;
  const where = op.slotState(next);
  return where === 'waiting' || where === 'drained';
}

/** Advance, then serve hand-backs: what a thread that resumes an operation does. */
export function* drive(fltMgr: FilterManager, op: IoOperation, from: WalkFrom = 'pre'): Blocking<void> {
  yield* advance(fltMgr, op, from);
  yield* serveHandoffs(fltMgr, op, false);
}

/** Drive the operation and block until it completes: synchronous I/O, from the issuing thread. */
export function* driveToCompletion(fltMgr: FilterManager, op: IoOperation): Blocking<void> {
  yield* advance(fltMgr, op);
  yield* serveHandoffs(fltMgr, op, true);
}

function completeOperation(fltMgr: FilterManager, op: IoOperation): void {
  const { Status, Information } = op.data.IoStatus;
  if (Status === STATUS_PENDING) {
    // §14 invariant 10: a post-op left STATUS_PENDING in IoStatus.
    throw fltMgr.kernel.violation('COMPLETE_WITH_PENDING_STATUS', op.id, `${op.id} would complete with STATUS_PENDING`);
  }
  if (isCancelable(op)) {
    // §19.5 rule 1: whoever armed the cancel routine still owns it; the cancel path could complete this too.
    throw fltMgr.kernel.violation('COMPLETE_WHILE_CANCELABLE', op.id, `${op.id} completes while its ${op.irp!.routineKind} cancel routine is still armed (${op.irp!.id}); take it back first (FltClearCancelCompletion, a Cbdq removal) — §19.3, §19.9 invariant 23`);
  }
  dropStatusRequests(op);
  // The filter that allocated the data sees its own view again, not the last lower level's (§7).
  if (op.allocatedBy !== null) op.data.Iopb = copyIopb(op.issuerIopb);
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'IoComplete', status: Status, information: Information });
  irpCompleted(fltMgr, op, Status);
  fltMgr.operations.delete(op);
  if (op.allocatedBy === null) fltMgr.kernel.retireActor(op.id);
  fltMgr.kernel.signal(op.completed);
  signalProgress(fltMgr, op);
  for (const listener of op.onComplete) listener(op);
  if (op.asyncCallback === null) releaseGenerated(op);
  else if (!op.issuingInline) fltMgr.completedRuns.next({ op, run: `${op.id}#${op.runs}`, callbackOwed: true });
}
