/**
 * Push locks through the Filter Manager (§18.4): FltInitializePushLock, FltAcquirePushLockExclusive
 * / FltAcquirePushLockShared (which disable normal kernel APCs, as the Flt resource wrappers do),
 * FltReleasePushLock, FltDeletePushLock. Not recursive in any mode; unfair (whoever the scheduler
 * runs first after a release gets it).
 */
import type { AnyMachineSnapshot } from 'xstate';
import { kernelCall, type Blocking } from '../kernel/effects.js';
import type { LockMode } from '../kernel/facts.js';
import type { LockContext } from '../machines/lockOwners.js';
import { pushLockMachine, pushLockSelfDeadlock } from '../machines/pushLock.js';
import { changeRegion, checkIrql } from './irql.js';
import { requireKernelObject } from './kernelObject.js';
import { acquireLock, deleteLock, initializeLock, LockObject, releaseLock, type SelfDeadlockCheck } from './lockCore.js';

export class EX_PUSH_LOCK extends LockObject {
  readonly lockType = 'EX_PUSH_LOCK' as const;
}

const selfDeadlock: SelfDeadlockCheck = (snapshot: AnyMachineSnapshot, thread: string) =>
  pushLockSelfDeadlock(snapshot.context as LockContext, thread) ? 'it already holds it, and push locks are not recursive: the acquire never returns (§18.4)' : null;

/** FltInitializePushLock(PushLock). */
export function* FltInitializePushLock(PushLock: EX_PUSH_LOCK): Blocking<void> {
  yield* requireKernelObject('FltInitializePushLock', 'PushLock', PushLock, EX_PUSH_LOCK);
  return yield* kernelCall((kernel, thread) => initializeLock(kernel, thread, PushLock, pushLockMachine, 'FltInitializePushLock'));
}

/** FltDeletePushLock(PushLock). */
export function* FltDeletePushLock(PushLock: EX_PUSH_LOCK): Blocking<void> {
  yield* requireKernelObject('FltDeletePushLock', 'PushLock', PushLock, EX_PUSH_LOCK);
  return yield* kernelCall((kernel, thread) => deleteLock(kernel, thread, PushLock, 'FltDeletePushLock'));
}

function* acquire(routine: string, PushLock: EX_PUSH_LOCK, mode: LockMode): Blocking<void> {
  yield* requireKernelObject(routine, 'PushLock', PushLock, EX_PUSH_LOCK);
  yield* kernelCall((kernel, thread) => {
    checkIrql(kernel, thread, routine);
    changeRegion(kernel, thread, routine, 'critical', 1);
  });
  yield* acquireLock(PushLock, routine, mode, selfDeadlock, () => {});
}

/** FltAcquirePushLockExclusive(PushLock). */
export function FltAcquirePushLockExclusive(PushLock: EX_PUSH_LOCK): Blocking<void> {
  return acquire('FltAcquirePushLockExclusive', PushLock, 'Exclusive');
}

/** FltAcquirePushLockShared(PushLock). */
export function FltAcquirePushLockShared(PushLock: EX_PUSH_LOCK): Blocking<void> {
  return acquire('FltAcquirePushLockShared', PushLock, 'Shared');
}

/** FltReleasePushLock(PushLock): releases, then re-enables normal kernel APCs. */
export function* FltReleasePushLock(PushLock: EX_PUSH_LOCK): Blocking<void> {
  yield* requireKernelObject('FltReleasePushLock', 'PushLock', PushLock, EX_PUSH_LOCK);
  return yield* releaseLock(PushLock, 'FltReleasePushLock', (kernel, thread) => changeRegion(kernel, thread, 'FltReleasePushLock', 'critical', -1));
}
