/**
 * KSPIN_LOCK (§18.4): KeInitializeSpinLock, KeAcquireSpinLock (raises to DISPATCH_LEVEL and returns
 * the old IRQL), KeReleaseSpinLock (restores it). While a spin lock is held the thread runs at
 * DISPATCH_LEVEL: waiting there is WAIT_AT_DISPATCH, any other block BLOCKING_AT_DISPATCH, and a
 * routine limited to APC_LEVEL or below is IRQL_TOO_HIGH. A thread waiting for a spin lock spins,
 * which is allowed at DISPATCH_LEVEL (a second spin lock taken while holding one).
 */
import type { AnyMachineSnapshot } from 'xstate';
import { kernelCall, type Blocking } from '../kernel/effects.js';
import { exclusiveSelfDeadlock } from '../machines/exclusiveLock.js';
import type { LockContext } from '../machines/lockOwners.js';
import { spinLockMachine } from '../machines/spinLock.js';
import { DISPATCH_LEVEL, PASSIVE_LEVEL, type KIRQL } from './irql.js';
import { integerArgument } from '../kernel/arguments.js';
import { requireKernelObject } from './kernelObject.js';
import { acquireLock, initializeLock, LockObject, releaseLock, type SelfDeadlockCheck } from './lockCore.js';

export class KSPIN_LOCK extends LockObject {
  readonly lockType = 'KSPIN_LOCK' as const;
}

const selfDeadlock: SelfDeadlockCheck = (snapshot: AnyMachineSnapshot, thread: string) =>
  exclusiveSelfDeadlock(snapshot.context as LockContext, thread) ? 'it already holds it: the processor would spin forever (§18.4)' : null;

/** KeInitializeSpinLock(SpinLock). */
export function* KeInitializeSpinLock(SpinLock: KSPIN_LOCK): Blocking<void> {
  yield* requireKernelObject('KeInitializeSpinLock', 'SpinLock', SpinLock, KSPIN_LOCK);
  return yield* kernelCall((kernel, thread) => initializeLock(kernel, thread, SpinLock, spinLockMachine, 'KeInitializeSpinLock'));
}

/** KeAcquireSpinLock(SpinLock, &OldIrql): the old IRQL is the result. */
export function* KeAcquireSpinLock(SpinLock: KSPIN_LOCK): Blocking<KIRQL> {
  yield* requireKernelObject('KeAcquireSpinLock', 'SpinLock', SpinLock, KSPIN_LOCK);
  let old: KIRQL = 0;
  yield* acquireLock(
    SpinLock,
    'KeAcquireSpinLock',
    'Exclusive',
    selfDeadlock,
    (_kernel, thread) => {
      old = thread.irql as KIRQL;
      thread.irql = DISPATCH_LEVEL;
    },
    true,
  );
  return old;
}

/** KeReleaseSpinLock(SpinLock, NewIrql): releases and lowers the IRQL to what KeAcquireSpinLock returned. */
export function* KeReleaseSpinLock(SpinLock: KSPIN_LOCK, NewIrql: KIRQL): Blocking<void> {
  integerArgument('KeReleaseSpinLock', 'NewIrql', NewIrql, PASSIVE_LEVEL, DISPATCH_LEVEL, 'a KIRQL from PASSIVE_LEVEL to DISPATCH_LEVEL');
  yield* requireKernelObject('KeReleaseSpinLock', 'SpinLock', SpinLock, KSPIN_LOCK);
  return yield* releaseLock(SpinLock, 'KeReleaseSpinLock', (_kernel, thread) => {
    thread.irql = NewIrql;
  });
}
