/** The KGUARDED_MUTEX (§18.4): KeAcquireGuardedMutex / KeReleaseGuardedMutex; the holder is in a guarded region. States and rules in exclusiveLock.ts. */
import { exclusiveLockMachine } from './exclusiveLock.js';

export type { ExclusiveLockState as GuardedMutexState } from './exclusiveLock.js';
export const guardedMutexMachine = exclusiveLockMachine('guardedMutex');
