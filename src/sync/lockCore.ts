/**
 * What every lock routine does (§18.4), whatever the lock: initialize, acquire, release, delete.
 *
 * The lock's machine decides: an acquire is granted when `snapshot.can(LockAcquire)`; otherwise the
 * thread waits on the lock's waitable (a pulse whose id is the lock's, so ThreadWait names the
 * lock) and asks again when an owner releases it. Every waiter wakes and asks; who gets the lock is
 * the scheduler's choice, which is how exploration sees every order of contenders. A request that
 * can never be granted because the thread itself holds the lock is reported (LOCK_SELF_DEADLOCK),
 * never left to hang.
 *
 * Each acquire and release is a scheduling point (a preempt before it). A granted acquire adds
 * `held → this` edges to the run's lock-order graph; an edge that closes a cycle is reported
 * (LOCK_ORDER_INVERSION, Driver Verifier 0xC4/0x1001) and the run goes on.
 */
import { type AnyStateMachine, type AnyMachineSnapshot } from 'xstate';
import { kernelCall, preempt, waitFor, type Blocking } from '../kernel/effects.js';
import type { FactOf, LockMode, LockType } from '../kernel/facts.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SimThread } from '../kernel/thread.js';
import type { Waitable } from '../kernel/waitable.js';
import type { LockContext } from '../machines/lockOwners.js';
import { checkIrql } from './irql.js';
import { bound, describe, KernelObject, type Binding } from './kernelObject.js';

export abstract class LockObject extends KernelObject {
  abstract readonly lockType: LockType;
  /** @internal The IRQL to restore at release, for locks that raise it (fast mutex, spin lock). */
  savedIrql: number[] = [];
}

/** Why a request cannot be granted yet although nobody else would ever release it: null if it may wait. */
export type SelfDeadlockCheck = (snapshot: AnyMachineSnapshot, thread: string, mode: LockMode) => string | null;

/** Bind a lock to the kernel (its machine, waitable and id) and log LockInitialize. */
export function initializeLock(kernel: Kernel, thread: SimThread, lock: LockObject, machine: AnyStateMachine, routine: string): void {
  checkIrql(kernel, thread, routine);
  if (lock.binding !== null && !lock.deleted) {
    const snapshot = lock.binding.actor.getSnapshot() as AnyMachineSnapshot;
    if (!snapshot.matches('Free')) {
      throw kernel.violation('LOCK_DELETED_WHILE_OWNED', lock.binding.id, `${routine} re-initializes ${describe(lock)} while ${ownersText(snapshot)} holds it`);
    }
  }
  if (lock.binding === null || lock.deleted) {
    const id = kernel.nextId('K');
    const actor = kernel.startMachine(machine);
    kernel.attachActor(id, actor);
    const waitable = kernel.createWaitable(lock.name ?? id, 'pulse', id);
    lock.binding = { kernel, id, actor, waitable };
    kernel.kernelObjects.set(id, lock);
  }
  kernel.emitFact({ seq: 0, time: 0, object: lock.binding.id, type: 'LockInitialize', routine, lockType: lock.lockType, name: lock.name ?? lock.binding.id });
}

function acquireFact(b: Binding, kernel: Kernel, routine: string, thread: string, mode: LockMode): FactOf<'LockAcquire'> {
  return { seq: kernel.log.nextSeq, time: kernel.now, object: b.id, type: 'LockAcquire', routine, thread, mode };
}

function ownersText(snapshot: AnyMachineSnapshot): string {
  const owners = Object.keys((snapshot.context as LockContext).owners);
  return owners.length === 0 ? 'nobody' : owners.join(', ');
}

/**
 * Try once to take the lock for the calling thread: true if granted (logged, ordered), false if it
 * must wait (Wait = FALSE callers return then). `before` runs on a grant, before the fact is logged
 * (raising IRQL, entering a region).
 */
export function tryAcquire(kernel: Kernel, thread: SimThread, lock: LockObject, routine: string, mode: LockMode, selfDeadlock: SelfDeadlockCheck): boolean {
  const b = bound(kernel, thread, lock, routine);
  const snapshot = b.actor.getSnapshot() as AnyMachineSnapshot;
  if (!snapshot.can(acquireFact(b, kernel, routine, thread.id, mode))) {
    const why = selfDeadlock(snapshot, thread.id, mode);
    if (why !== null) throw kernel.violation('LOCK_SELF_DEADLOCK', b.id, `${routine} by ${thread.name} on ${describe(lock)} (${lock.lockType}): ${why}`);
    return false;
  }
  const granted = kernel.emit(b.id, acquireFact(b, kernel, routine, thread.id, mode));
  if (!thread.locksHeld.includes(b.id)) {
    const cycle = kernel.lockOrder.acquire(thread.locksHeld, b.id, thread.id, granted.seq);
    thread.locksHeld.push(b.id);
    if (cycle !== null) {
      const text = cycle.map((e) => `${e.from} → ${e.to} (${e.thread} at #${e.seq})`).join(', ');
      kernel.reportViolation('LOCK_ORDER_INVERSION', b.id, `${thread.name} takes ${describe(lock)} while holding ${cycle[cycle.length - 1]!.from}; the locks were taken in both orders: ${text} (§18.5)`);
    }
  }
  return true;
}

/** Acquire, waiting while the lock is held elsewhere. `spin`: wait as a spinning processor (allowed at DISPATCH_LEVEL). */
export function* acquireLock(lock: LockObject, routine: string, mode: LockMode, selfDeadlock: SelfDeadlockCheck, onGrant: (kernel: Kernel, thread: SimThread) => void, spin = false): Blocking<void> {
  yield* preempt();
  for (;;) {
    const wait: Waitable | null = yield* kernelCall((kernel, thread) => {
      checkIrql(kernel, thread, routine);
      if (tryAcquire(kernel, thread, lock, routine, mode, selfDeadlock)) {
        onGrant(kernel, thread);
        return null;
      }
      return lock.binding!.waitable;
    });
    if (wait === null) return;
    yield* waitFor(wait, `${routine} ${describe(lock)} ${mode}`, spin);
  }
}

/** Release one hold of the calling thread; `onRelease` runs after the fact (lowering IRQL, leaving a region). */
export function* releaseLock(lock: LockObject, routine: string, onRelease: (kernel: Kernel, thread: SimThread) => void): Blocking<void> {
  yield* preempt();
  yield* kernelCall((kernel, thread) => {
    checkIrql(kernel, thread, routine);
    const b = bound(kernel, thread, lock, routine);
    const fact: FactOf<'LockRelease'> = { seq: kernel.log.nextSeq, time: kernel.now, object: b.id, type: 'LockRelease', routine, thread: thread.id };
    const snapshot = b.actor.getSnapshot() as AnyMachineSnapshot;
    if (!snapshot.can(fact)) {
      throw kernel.violation('LOCK_NOT_OWNED', b.id, `${routine} by ${thread.name} on ${describe(lock)} (${lock.lockType}), which ${thread.name} does not hold (held by ${ownersText(snapshot)})`);
    }
    kernel.emit(b.id, fact);
    const after = (b.actor.getSnapshot() as AnyMachineSnapshot).context as LockContext;
    if ((after.owners[thread.id] ?? 0) === 0) thread.locksHeld.splice(thread.locksHeld.indexOf(b.id), 1);
    onRelease(kernel, thread);
    kernel.signal(b.waitable);
  });
}

/** Delete a lock nobody holds (ExDeleteResourceLite, FltDeletePushLock). */
export function deleteLock(kernel: Kernel, thread: SimThread, lock: LockObject, routine: string): void {
  checkIrql(kernel, thread, routine);
  const b = bound(kernel, thread, lock, routine);
  const fact: FactOf<'LockDelete'> = { seq: kernel.log.nextSeq, time: kernel.now, object: b.id, type: 'LockDelete', routine };
  const snapshot = b.actor.getSnapshot() as AnyMachineSnapshot;
  if (!snapshot.can(fact)) throw kernel.violation('LOCK_DELETED_WHILE_OWNED', b.id, `${routine} on ${describe(lock)} while ${ownersText(snapshot)} holds it`);
  kernel.emit(b.id, fact);
}
