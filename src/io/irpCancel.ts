/**
 * The cancel state of an operation's IRP (§19.1–§19.3), shared by every party that can arm a
 * cancel routine (FltSetCancelCompletion, a Cbdq insertion, the file system parking a request)
 * and every party that can cancel (FltCancelIo, the I/O manager's NtCancelIoFile / CancelIoEx /
 * CancelSynchronousIo). IoCancelIrp's rule is the whole protocol: set the cancel bit; if a routine
 * is armed, take it and call it — its owner now owns the completion; if none is, leave the bit set
 * so the request is cancelled once it becomes cancellable.
 *
 * The IRP machine (src/machines/irp.ts) decides: `Cancelable` means a routine is armed, and the
 * engine only ever asks the snapshot. The object is created on the first cancel fact about the
 * operation, so logs of runs without cancellation carry no IRP.
 */
import { type Actor } from 'xstate';
import { callMaybeBlocking, type Blocking, type MaybeBlocking } from '../kernel/effects.js';
import type { CancelRoutineKind } from '../kernel/facts.js';
import type { Waitable } from '../kernel/waitable.js';
import { armedRoutine, irpMachine, irpState, type IrpState } from '../machines/irp.js';
import { DISPATCH_LEVEL, PASSIVE_LEVEL } from '../sync/irql.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import type { IoOperation } from './ioOperation.js';

/** What IoCancelIrp calls: the routine armed with the cancel routine, on the cancelling thread. */
export type CancelRoutine = (op: IoOperation) => MaybeBlocking<void>;

export class IrpCancel {
  /** The routine IoCancelIrp would call: what the armed party handed over, kept while the machine is Cancelable. */
  routine: CancelRoutine | null = null;
  /** Irp->CancelIrql: the canceller's IRQL, which IoReleaseCancelSpinLock(Irp->CancelIrql) returns to. */
  CancelIrql = PASSIVE_LEVEL;

  constructor(
    readonly id: string,
    readonly op: IoOperation,
    /** @internal */ readonly actor: Actor<typeof irpMachine>,
  ) {}

  get state(): IrpState {
    return irpState(this.actor.getSnapshot());
  }

  /** Who armed the cancel routine (the machine's part of Cancelable), or null when none is armed. */
  get routineKind(): CancelRoutineKind | null {
    return armedRoutine(this.actor.getSnapshot());
  }

  /** Irp->Cancel. */
  get cancelBit(): boolean {
    return this.state === 'CancelRequested' || this.state === 'CancelRoutineCalled';
  }
}

/** The IRP of `op`, created (J…) the first time cancellation concerns it. */
export function irpOf(fltMgr: FilterManager, op: IoOperation): IrpCancel {
  if (op.irp !== null) return op.irp;
  const kernel = fltMgr.kernel;
  const id = kernel.nextId('J');
  const actor = kernel.startMachine(irpMachine);
  kernel.attachActor(id, actor);
  op.irp = new IrpCancel(id, op, actor);
  return op.irp;
}

/** Signaled with the cancel bit: FltCancellableWaitFor* waits on it beside its objects (§18.3). */
export function cancelSignal(fltMgr: FilterManager, op: IoOperation): Waitable {
  if (op.cancelRequested === null) {
    op.cancelRequested = fltMgr.kernel.createWaitable(`${op.id} cancel requested`, 'notification');
    op.cancelRequested.signaled = isCancelRequested(op);
  }
  return op.cancelRequested;
}

/** FltIsIoCanceled's answer: the cancel bit of the operation's IRP. */
export function isCancelRequested(op: IoOperation): boolean {
  return op.irp !== null && op.irp.cancelBit;
}

/** A cancel routine is armed: only its owner, or whoever takes it back, may complete the operation. */
export function isCancelable(op: IoOperation): boolean {
  return op.irp !== null && op.irp.state === 'Cancelable';
}

/**
 * Arm a cancel routine. Returns 'armed', or 'cancelled' when the cancel bit was already set: the
 * machine then moved straight to CancelRoutineCalled and the caller runs its cancel path itself
 * (the insertion race §19.4 describes, settled the way FltMgr's Cbdq settles it).
 */
export function setCancelRoutine(fltMgr: FilterManager, op: IoOperation, kind: CancelRoutineKind, instance: InstanceObject | null, routine: CancelRoutine): 'armed' | 'cancelled' {
  const irp = irpOf(fltMgr, op);
  fltMgr.emitFact({ seq: 0, time: 0, object: irp.id, type: 'IoSetCancelRoutine', operation: op.id, routine: kind, instance: instance?.id ?? null });
  if (irp.state === 'CancelRoutineCalled') return 'cancelled';
  irp.routine = routine;
  return 'armed';
}

/** Take the cancel routine back before it is called (IoSetCancelRoutine(Irp, NULL) returning it): true if this caller got it. */
export function clearCancelRoutine(fltMgr: FilterManager, op: IoOperation, by: string): boolean {
  const irp = op.irp;
  if (irp === null || irp.state !== 'Cancelable') return false;
  fltMgr.emitFact({ seq: 0, time: 0, object: irp.id, type: 'CancelRoutineCleared', operation: op.id, routine: irp.routineKind!, by });
  irp.routine = null;
  return true;
}

/**
 * IoCancelIrp as FltCancelIo and the I/O manager use it: true if a cancel routine was called.
 * The routine runs on the cancelling thread, inside this call, as on Windows.
 *
 * IRQL (§18.1, §19.3): IoCancelIrp takes the system cancel spin lock, so the routine (a
 * DRIVER_CANCEL) is entered at DISPATCH_LEVEL and runs there until it calls
 * IoReleaseCancelSpinLock(Irp->CancelIrql), which drops back to the canceller's IRQL. The file
 * system's routine does its work there (take the request off its list, queue the completion: nothing
 * that waits). FltMgr's routines release the lock first and then call the filter — its
 * CanceledCallback "without holding the system cancel spin lock", the Cbdq's Acquire /
 * RemoveIo / Release / CompleteCanceledIo — so a filter's cancel code runs at the canceller's IRQL:
 * PASSIVE_LEVEL for an application's cancel, DISPATCH_LEVEL for FltCancelIo under a spin lock or
 * from a completion, where a wait or a PASSIVE-only routine is the verifier's finding.
 */
export function* cancelIrp(fltMgr: FilterManager, op: IoOperation, by: string): Blocking<boolean> {
  if (!op.inFlight) return false;
  const irp = irpOf(fltMgr, op);
  const routine = irp.state === 'Cancelable' ? irp.routine : null;
  const kind = irp.routineKind;
  fltMgr.emitFact({ seq: 0, time: 0, object: irp.id, type: 'IoCancelIrp', operation: op.id, thread: fltMgr.kernel.current?.id ?? null, by, routineCalled: routine !== null });
  if (op.cancelRequested !== null) fltMgr.kernel.signal(op.cancelRequested);
  if (routine === null) return false;
  irp.routine = null;
  const thread = fltMgr.kernel.current;
  const cancelIrql = thread?.irql ?? PASSIVE_LEVEL;
  irp.CancelIrql = cancelIrql;
  // Only the file system's routine runs under the cancel spin lock; FltMgr's release it before the filter's code.
  if (thread !== null && kind === 'FileSystem') thread.irql = DISPATCH_LEVEL;
  try {
    yield* callMaybeBlocking(routine(op));
  } finally {
    if (thread !== null) thread.irql = cancelIrql;
  }
  return true;
}

/** The operation completed: its IRP (if it has one) is done with, and must not still have a routine armed. */
export function irpCompleted(fltMgr: FilterManager, op: IoOperation, status: NTSTATUS): void {
  const irp = op.irp;
  if (irp === null || irp.state === 'Completed') return;
  fltMgr.emitFact({ seq: 0, time: 0, object: irp.id, type: 'IoCompleteRequest', operation: op.id, status });
  irp.routine = null;
  fltMgr.kernel.retireActor(irp.id);
}
