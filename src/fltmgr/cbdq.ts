/**
 * The cancel-safe callback-data queue (§19.4): FltCbdqInitialize, FltCbdqInsertIo, FltCbdqRemoveIo,
 * FltCbdqRemoveNextIo, FltCbdqDisable, FltCbdqEnable.
 *
 * The list is the filter's own (its InsertIo / RemoveIo / PeekNextIo callbacks keep it); FltMgr
 * adds the cancel routine and the lock discipline: it calls those three only between the filter's
 * Acquire and Release, arms its own cancel routine on every inserted operation, and whoever takes
 * that routine back first — a removal, or IoCancelIrp — owns the completion (§19.5 rules 1–3).
 * FltMgr also keeps which operations are queued (`queued`), for the fold and the live state.
 *
 * The filter's callbacks run on the calling thread without a scheduling point of their own: the
 * interleavings are at the lock (Acquire/Release call the filter's lock routines, which have them).
 * A cancel arriving for queued data runs FltMgr's routine on the cancelling thread: Acquire,
 * RemoveIo, Release, then CompleteCanceledIo (§19.4 "cancellation path").
 */
import { callMaybeBlocking, type Blocking, type MaybeBlocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import { cbdqMachine, type CbdqState } from '../machines/cbdq.js';
import { bound, KernelObject } from '../sync/kernelObject.js';
import type { KIRQL } from '../sync/irql.js';
import { NT_SUCCESS, STATUS_FLT_CBDQ_DISABLED, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { callbackDataRef } from '../io/callbackDataRef.js';
import type { FLT_CALLBACK_DATA, IoOperation } from '../io/ioOperation.js';
import { clearCancelRoutine, isCancelable, setCancelRoutine } from '../io/irpCancel.js';
import type { InstanceObject } from './instanceObject.js';
import { requireThread } from './routineSupport.js';
import { functionArgument, objectArgument, optionalObjectArgument } from '../kernel/arguments.js';
import { instanceArgument } from './objectArguments.js';

const queueArgument = (routine: string, value: unknown): FLT_CALLBACK_DATA_QUEUE =>
  objectArgument(routine, 'Cbdq', value, FLT_CALLBACK_DATA_QUEUE, 'an FLT_CALLBACK_DATA_QUEUE');

export type PFLT_CALLBACK_DATA_QUEUE_INSERT_IO = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA, InsertContext: unknown) => MaybeBlocking<NTSTATUS>;
export type PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA) => MaybeBlocking<void>;
export type PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA | null, PeekContext: unknown) => MaybeBlocking<FLT_CALLBACK_DATA | null>;
/** Returns the IRQL to hand back to Release (the WDK's `PKIRQL Irql` out-parameter); a mutex-based lock returns nothing. */
export type PFLT_CALLBACK_DATA_QUEUE_ACQUIRE = (Cbdq: FLT_CALLBACK_DATA_QUEUE) => MaybeBlocking<KIRQL | void>;
export type PFLT_CALLBACK_DATA_QUEUE_RELEASE = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Irql: KIRQL) => MaybeBlocking<void>;
export type PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO = (Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA) => MaybeBlocking<void>;

interface CbdqCallbacks {
  readonly InsertIo: PFLT_CALLBACK_DATA_QUEUE_INSERT_IO;
  readonly RemoveIo: PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO;
  readonly PeekNextIo: PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO;
  readonly Acquire: PFLT_CALLBACK_DATA_QUEUE_ACQUIRE;
  readonly Release: PFLT_CALLBACK_DATA_QUEUE_RELEASE;
  readonly CompleteCanceledIo: PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO;
}

/** FLT_CALLBACK_DATA_QUEUE: allocated by the filter (usually in its instance context), bound by FltCbdqInitialize. */
export class FLT_CALLBACK_DATA_QUEUE extends KernelObject {
  /** @internal */ instance: InstanceObject | null = null;
  /** @internal */ callbacks: CbdqCallbacks | null = null;
  /** @internal What FltMgr has inserted and not yet seen removed, oldest first. */
  readonly queued: IoOperation[] = [];

  get state(): CbdqState | null {
    return (this.binding?.actor.getSnapshot().value as CbdqState | undefined) ?? null;
  }
}

/**
 * FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT: the filter's handle on one queued operation, for
 * FltCbdqRemoveIo. It stays valid after the removal, so a second removal (worker vs cancel) gets NULL.
 */
export class FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT {
  /** @internal */ op: IoOperation | null = null;
}

/** FltCbdqInitialize(Instance, Cbdq, InsertIo, RemoveIo, PeekNextIo, Acquire, Release, CompleteCanceledIo): the queue starts enabled. */
export function FltCbdqInitialize(
  Instance: InstanceObject,
  Cbdq: FLT_CALLBACK_DATA_QUEUE,
  InsertIo: PFLT_CALLBACK_DATA_QUEUE_INSERT_IO,
  RemoveIo: PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO,
  PeekNextIo: PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO,
  Acquire: PFLT_CALLBACK_DATA_QUEUE_ACQUIRE,
  Release: PFLT_CALLBACK_DATA_QUEUE_RELEASE,
  CompleteCanceledIo: PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO,
): NTSTATUS {
  instanceArgument('FltCbdqInitialize', Instance);
  queueArgument('FltCbdqInitialize', Cbdq);
  const callbacks = { InsertIo, RemoveIo, PeekNextIo, Acquire, Release, CompleteCanceledIo };
  for (const [name, fn] of Object.entries(callbacks)) functionArgument('FltCbdqInitialize', name, fn, false);
  const kernel = Instance.filter.fltMgr.kernel;
  if (Cbdq.binding === null) {
    const id = kernel.nextId('B');
    const actor = kernel.startMachine(cbdqMachine);
    kernel.attachActor(id, actor);
    Cbdq.binding = { kernel, id, actor, waitable: kernel.createWaitable(Cbdq.name ?? id, 'pulse', id) };
    kernel.kernelObjects.set(id, Cbdq);
  } else if (Cbdq.queued.length > 0) {
    throw new UsageError('BAD_ARGUMENT', `FltCbdqInitialize: ${Cbdq.binding.id} still holds ${Cbdq.queued.map((o) => o.id).join(', ')}`, kernel.place(Cbdq.binding.id));
  }
  Cbdq.instance = Instance;
  Cbdq.callbacks = callbacks;
  kernel.emitFact({ seq: 0, time: 0, object: Cbdq.binding.id, type: 'FltCbdqInitialize', instance: Instance.id, name: Cbdq.name ?? Cbdq.binding.id });
  return STATUS_SUCCESS;
}

function operationFor(Cbd: FLT_CALLBACK_DATA, routine: string): IoOperation {
  const ref = callbackDataRef(Cbd, routine);
  if (ref.kind === 'drainingCopy') throw new UsageError('BAD_ARGUMENT', `${routine}: the copy a draining post-op received cannot be queued (it is not pended)`);
  return ref.op;
}

function* acquire(Cbdq: FLT_CALLBACK_DATA_QUEUE): Blocking<KIRQL> {
  const irql = yield* callMaybeBlocking(Cbdq.callbacks!.Acquire(Cbdq));
  return (irql ?? 0) as KIRQL;
}

/**
 * FltCbdqInsertIo(Cbdq, Cbd, Context, InsertContext): STATUS_FLT_CBDQ_DISABLED on a disabled queue
 * (nothing inserted); otherwise InsertIo's status, and on success the data is queued with FltMgr's
 * cancel routine armed. Data whose cancel bit is already set is cancelled at once — RemoveIo and
 * CompleteCanceledIo run before this returns, which still returns InsertIo's status (§19.4 [model]);
 * the pre-op must then still return FLT_PREOP_PENDING.
 */
export function* FltCbdqInsertIo(Cbdq: FLT_CALLBACK_DATA_QUEUE, Cbd: FLT_CALLBACK_DATA, Context: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT | null, InsertContext: unknown = null): Blocking<NTSTATUS> {
  queueArgument('FltCbdqInsertIo', Cbdq);
  optionalObjectArgument('FltCbdqInsertIo', 'Context', Context, FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT, 'an FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT');
  const op = operationFor(Cbd, 'FltCbdqInsertIo');
  const fltMgr = op.volume.fltMgr;
  const thread = requireThread(fltMgr, 'FltCbdqInsertIo');
  const b = bound(fltMgr.kernel, thread, Cbdq, 'FltCbdqInsertIo');
  if (isCancelable(op)) {
    throw fltMgr.kernel.violation('CANCEL_ROUTINE_CONFLICT', op.id, `FltCbdqInsertIo of ${op.id} into ${b.id}, which already has a ${op.irp!.routineKind} cancel routine (§19.3, §19.9 invariant 26)`);
  }
  if (Cbdq.state === 'Disabled') {
    fltMgr.emitFact({ seq: 0, time: 0, object: b.id, type: 'FltCbdqInsertIo', operation: op.id, status: STATUS_FLT_CBDQ_DISABLED, thread: thread.id });
    op.cbdqRefusedIn = Cbdq.instance;
    return STATUS_FLT_CBDQ_DISABLED;
  }
  const irql = yield* acquire(Cbdq);
  const status = (yield* callMaybeBlocking(Cbdq.callbacks!.InsertIo(Cbdq, Cbd, InsertContext))) >>> 0;
  fltMgr.emitFact({ seq: 0, time: 0, object: b.id, type: 'FltCbdqInsertIo', operation: op.id, status, thread: thread.id });
  if (!NT_SUCCESS(status)) {
    yield* callMaybeBlocking(Cbdq.callbacks!.Release(Cbdq, irql));
    return status;
  }
  Cbdq.queued.push(op);
  if (Context !== null) Context.op = op;
  const armed = setCancelRoutine(fltMgr, op, 'FltCbdq', Cbdq.instance, (cancelled) => cancelQueued(Cbdq, cancelled, Context));
  if (armed === 'armed') {
    yield* callMaybeBlocking(Cbdq.callbacks!.Release(Cbdq, irql));
    return status;
  }
  // Cancelled before it became cancellable: FltMgr's routine runs now, still under the lock.
  yield* removeCancelled(Cbdq, op, Context);
  yield* callMaybeBlocking(Cbdq.callbacks!.Release(Cbdq, irql));
  yield* callMaybeBlocking(Cbdq.callbacks!.CompleteCanceledIo(Cbdq, Cbd));
  return status;
}

/** FltMgr's cancel routine for queued data (called by IoCancelIrp on the cancelling thread). */
function* cancelQueued(Cbdq: FLT_CALLBACK_DATA_QUEUE, op: IoOperation, Context: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT | null): Blocking<void> {
  const irql = yield* acquire(Cbdq);
  yield* removeCancelled(Cbdq, op, Context);
  yield* callMaybeBlocking(Cbdq.callbacks!.Release(Cbdq, irql));
  yield* callMaybeBlocking(Cbdq.callbacks!.CompleteCanceledIo(Cbdq, op.data));
}

function* removeCancelled(Cbdq: FLT_CALLBACK_DATA_QUEUE, op: IoOperation, Context: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT | null): Blocking<void> {
  yield* callMaybeBlocking(Cbdq.callbacks!.RemoveIo(Cbdq, op.data));
  unqueue(Cbdq, op);
  if (Context !== null && Context.op === op) Context.op = null;
  const kernel = op.volume.fltMgr.kernel;
  kernel.emitFact({ seq: 0, time: 0, object: Cbdq.binding!.id, type: 'CbdqCompleteCanceledIo', operation: op.id, thread: kernel.current?.id ?? 'sim' });
}

function unqueue(Cbdq: FLT_CALLBACK_DATA_QUEUE, op: IoOperation): void {
  const at = Cbdq.queued.indexOf(op);
  if (at >= 0) Cbdq.queued.splice(at, 1);
}

/** FltCbdqRemoveIo(Cbdq, Context): that operation if it is still queued and not being cancelled, else NULL. */
export function* FltCbdqRemoveIo(Cbdq: FLT_CALLBACK_DATA_QUEUE, Context: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT): Blocking<FLT_CALLBACK_DATA | null> {
  queueArgument('FltCbdqRemoveIo', Cbdq);
  objectArgument('FltCbdqRemoveIo', 'Context', Context, FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT, 'the FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT of FltCbdqInsertIo');
  const kernel = Cbdq.binding?.kernel;
  if (kernel === undefined) throw new UsageError('BAD_ARGUMENT', 'FltCbdqRemoveIo on a queue FltCbdqInitialize never initialized');
  const thread = requireThread(Cbdq.instance!.filter.fltMgr, 'FltCbdqRemoveIo');
  const b = bound(kernel, thread, Cbdq, 'FltCbdqRemoveIo');
  const irql = yield* acquire(Cbdq);
  const op = Context.op;
  let removed: IoOperation | null = null;
  if (op !== null && Cbdq.queued.includes(op) && clearCancelRoutine(op.volume.fltMgr, op, 'FltCbdqRemoveIo')) {
    yield* callMaybeBlocking(Cbdq.callbacks!.RemoveIo(Cbdq, op.data));
    unqueue(Cbdq, op);
    Context.op = null;
    removed = op;
  }
  kernel.emitFact({ seq: 0, time: 0, object: b.id, type: 'FltCbdqRemoveIo', operation: removed?.id ?? null, thread: thread.id });
  yield* callMaybeBlocking(Cbdq.callbacks!.Release(Cbdq, irql));
  return removed?.data ?? null;
}

/**
 * FltCbdqRemoveNextIo(Cbdq, PeekContext): the first operation PeekNextIo matches whose cancel
 * routine FltMgr can still take back; one being cancelled is skipped (its cancel path owns it).
 */
export function* FltCbdqRemoveNextIo(Cbdq: FLT_CALLBACK_DATA_QUEUE, PeekContext: unknown = null): Blocking<FLT_CALLBACK_DATA | null> {
  queueArgument('FltCbdqRemoveNextIo', Cbdq);
  const kernel = Cbdq.binding?.kernel;
  if (kernel === undefined) throw new UsageError('BAD_ARGUMENT', 'FltCbdqRemoveNextIo on a queue FltCbdqInitialize never initialized');
  const thread = requireThread(Cbdq.instance!.filter.fltMgr, 'FltCbdqRemoveNextIo');
  const b = bound(kernel, thread, Cbdq, 'FltCbdqRemoveNextIo');
  const irql = yield* acquire(Cbdq);
  let removed: IoOperation | null = null;
  let at: FLT_CALLBACK_DATA | null = null;
  // Bounded by the queue: PeekNextIo walks the filter's list, which never holds more than FltMgr queued.
  for (let steps = 0; steps <= Cbdq.queued.length; steps++) {
    const next: FLT_CALLBACK_DATA | null = yield* callMaybeBlocking(Cbdq.callbacks!.PeekNextIo(Cbdq, at, PeekContext));
    if (next === null || next === undefined) break;
    const op = operationFor(next, 'PeekNextIo');
    if (Cbdq.queued.includes(op) && clearCancelRoutine(op.volume.fltMgr, op, 'FltCbdqRemoveNextIo')) {
      yield* callMaybeBlocking(Cbdq.callbacks!.RemoveIo(Cbdq, next));
      unqueue(Cbdq, op);
      removed = op;
      break;
    }
    at = next;
  }
  kernel.emitFact({ seq: 0, time: 0, object: b.id, type: 'FltCbdqRemoveNextIo', operation: removed?.id ?? null, thread: thread.id });
  yield* callMaybeBlocking(Cbdq.callbacks!.Release(Cbdq, irql));
  return removed?.data ?? null;
}

/** FltCbdqDisable(Cbdq): later insertions return STATUS_FLT_CBDQ_DISABLED; what is queued stays (drain it). */
export function FltCbdqDisable(Cbdq: FLT_CALLBACK_DATA_QUEUE): void {
  toggle(Cbdq, 'FltCbdqDisable');
}

/** FltCbdqEnable(Cbdq): insertions are accepted again. */
export function FltCbdqEnable(Cbdq: FLT_CALLBACK_DATA_QUEUE): void {
  toggle(Cbdq, 'FltCbdqEnable');
}

function toggle(Cbdq: FLT_CALLBACK_DATA_QUEUE, routine: 'FltCbdqDisable' | 'FltCbdqEnable'): void {
  queueArgument(routine, Cbdq);
  const kernel = Cbdq.binding?.kernel;
  if (kernel === undefined) throw new UsageError('BAD_ARGUMENT', `${routine} on a queue FltCbdqInitialize never initialized`);
  const thread = kernel.current;
  kernel.emitFact({ seq: 0, time: 0, object: Cbdq.binding!.id, type: routine, thread: thread?.id ?? 'sim' });
}

/** For the fold's counterpart in the live state. */
export function queuedIds(Cbdq: FLT_CALLBACK_DATA_QUEUE): string[] {
  return Cbdq.queued.map((o) => o.id);
}
