/** The KSPIN_LOCK (§18.4): KeAcquireSpinLock / KeReleaseSpinLock; the holder runs at DISPATCH_LEVEL. States and rules in exclusiveLock.ts. */
import { exclusiveLockMachine } from './exclusiveLock.js';

export type { ExclusiveLockState as SpinLockState } from './exclusiveLock.js';
export const spinLockMachine = exclusiveLockMachine('spinLock');
