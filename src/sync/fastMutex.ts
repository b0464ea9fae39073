/**
 * FAST_MUTEX and KGUARDED_MUTEX (§18.4). A fast mutex raises its holder to APC_LEVEL (all APCs
 * off); a guarded mutex puts its holder in a guarded region instead (since Windows 8 it is a fast
 * mutex underneath). Neither is recursive: the owner acquiring again is LOCK_SELF_DEADLOCK.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { kernelCall, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SimThread } from '../kernel/thread.js';
import { exclusiveSelfDeadlock } from '../machines/exclusiveLock.js';
import { fastMutexMachine } from '../machines/fastMutex.js';
import { guardedMutexMachine } from '../machines/guardedMutex.js';
import type { LockContext } from '../machines/lockOwners.js';
import { APC_LEVEL, changeRegion } from './irql.js';
import { requireKernelObject } from './kernelObject.js';
import { acquireLock, initializeLock, LockObject, releaseLock, type SelfDeadlockCheck } from './lockCore.js';

export class FAST_MUTEX extends LockObject {
  readonly lockType = 'FAST_MUTEX' as const;
}

export class KGUARDED_MUTEX extends LockObject {
  readonly lockType = 'KGUARDED_MUTEX' as const;
}

const selfDeadlock: SelfDeadlockCheck = (snapshot: AnyMachineSnapshot, thread: string) =>
  exclusiveSelfDeadlock(snapshot.context as LockContext, thread) ? 'it already owns it, and it is not recursive: it would wait for itself (§18.4)' : null;

/** ExInitializeFastMutex(FastMutex). */
export function* ExInitializeFastMutex(FastMutex: FAST_MUTEX): Blocking<void> {
  yield* requireKernelObject('ExInitializeFastMutex', 'FastMutex', FastMutex, FAST_MUTEX);
  return yield* kernelCall((kernel, thread) => initializeLock(kernel, thread, FastMutex, fastMutexMachine, 'ExInitializeFastMutex'));
}

function raiseToApc(lock: LockObject) {
  return (_kernel: Kernel, thread: SimThread): void => {
    lock.savedIrql.push(thread.irql);
    if (thread.irql < APC_LEVEL) thread.irql = APC_LEVEL;
  };
}

function restoreIrql(lock: LockObject) {
  return (_kernel: Kernel, thread: SimThread): void => {
    thread.irql = lock.savedIrql.pop() ?? thread.irql;
  };
}

/** ExAcquireFastMutex(FastMutex): waits for it, then runs at APC_LEVEL until the release. */
export function* ExAcquireFastMutex(FastMutex: FAST_MUTEX): Blocking<void> {
  yield* requireKernelObject('ExAcquireFastMutex', 'FastMutex', FastMutex, FAST_MUTEX);
  return yield* acquireLock(FastMutex, 'ExAcquireFastMutex', 'Exclusive', selfDeadlock, raiseToApc(FastMutex));
}

/** ExReleaseFastMutex(FastMutex): releases and restores the IRQL of the acquire. */
export function* ExReleaseFastMutex(FastMutex: FAST_MUTEX): Blocking<void> {
  yield* requireKernelObject('ExReleaseFastMutex', 'FastMutex', FastMutex, FAST_MUTEX);
  return yield* releaseLock(FastMutex, 'ExReleaseFastMutex', restoreIrql(FastMutex));
}

/** KeInitializeGuardedMutex(Mutex). */
export function* KeInitializeGuardedMutex(Mutex: KGUARDED_MUTEX): Blocking<void> {
  yield* requireKernelObject('KeInitializeGuardedMutex', 'Mutex', Mutex, KGUARDED_MUTEX);
  return yield* kernelCall((kernel, thread) => initializeLock(kernel, thread, Mutex, guardedMutexMachine, 'KeInitializeGuardedMutex'));
}

/** KeAcquireGuardedMutex(Mutex): waits for it, then holds it in a guarded region. */
export function* KeAcquireGuardedMutex(Mutex: KGUARDED_MUTEX): Blocking<void> {
  yield* requireKernelObject('KeAcquireGuardedMutex', 'Mutex', Mutex, KGUARDED_MUTEX);
  return yield* acquireLock(Mutex, 'KeAcquireGuardedMutex', 'Exclusive', selfDeadlock, (kernel, thread) => changeRegion(kernel, thread, 'KeAcquireGuardedMutex', 'guarded', 1));
}

/** KeReleaseGuardedMutex(Mutex). */
export function* KeReleaseGuardedMutex(Mutex: KGUARDED_MUTEX): Blocking<void> {
  yield* requireKernelObject('KeReleaseGuardedMutex', 'Mutex', Mutex, KGUARDED_MUTEX);
  return yield* releaseLock(Mutex, 'KeReleaseGuardedMutex', (kernel, thread) => changeRegion(kernel, thread, 'KeReleaseGuardedMutex', 'guarded', -1));
}
