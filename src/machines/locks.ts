/** The machine of each lock type (§18.4): what a LockInitialize gives birth to, live and in a fold. */
import type { AnyStateMachine } from 'xstate';
import type { LockType } from '../kernel/facts.js';
import { eresourceMachine } from './eresource.js';
import { fastMutexMachine } from './fastMutex.js';
import { guardedMutexMachine } from './guardedMutex.js';
import { pushLockMachine } from './pushLock.js';
import { spinLockMachine } from './spinLock.js';

export const LOCK_MACHINES: Readonly<Record<LockType, AnyStateMachine>> = {
  ERESOURCE: eresourceMachine,
  FAST_MUTEX: fastMutexMachine,
  KGUARDED_MUTEX: guardedMutexMachine,
  EX_PUSH_LOCK: pushLockMachine,
  KSPIN_LOCK: spinLockMachine,
};
