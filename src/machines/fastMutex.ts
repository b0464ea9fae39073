/** The FAST_MUTEX (§18.4): ExAcquireFastMutex / ExReleaseFastMutex; the holder runs at APC_LEVEL. States and rules in exclusiveLock.ts. */
import { exclusiveLockMachine } from './exclusiveLock.js';

export type { ExclusiveLockState as FastMutexState } from './exclusiveLock.js';
export const fastMutexMachine = exclusiveLockMachine('fastMutex');
