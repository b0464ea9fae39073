/**
 * Byte-range locks from an application (§21.10): NtLockFile / NtUnlockFile, and Win32's
 * LockFileEx / UnlockFileEx with an OVERLAPPED, through `sim.io`. Each is one IRP_MJ_LOCK_CONTROL
 * from the top of the stack; the requestor's process is the owner's process (the IRP's ProcessId).
 *
 * A lock request that conflicts and may wait stays pending in the file system: NtLockFile blocks
 * its thread until the lock is granted, the request is cancelled (CancelIoEx, CancelSynchronousIo:
 * STATUS_CANCELLED) or the handle is cleaned up; LockFileEx on an asynchronous handle returns
 * STATUS_PENDING and completes the OVERLAPPED later.
 */
import type { Blocking } from '../kernel/effects.js';
import type { OVERLAPPED } from '../fltmgr/portObjects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK, IRP_MN_UNLOCK_SINGLE } from '../wdk/irp.js';
import type { LockControlParameters } from '../wdk/parameters.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import { SYSTEM_PID } from './processes.js';
import { requestOverlapped } from './overlappedIo.js';
import type { IoManager } from './ioManager.js';

/** LockFileEx's dwFlags (fileapi.h). */
export const LOCKFILE_FAIL_IMMEDIATELY = 0x00000001;
export const LOCKFILE_EXCLUSIVE_LOCK = 0x00000002;

/** The PID the I/O manager puts in the IRP: the calling thread's process. */
export function requestorPid(fltMgr: FilterManager): number {
  const thread = fltMgr.kernel.current;
  return thread === null ? SYSTEM_PID : fltMgr.processes.threadObject(thread).Cid.UniqueProcess;
}

export function lockParameters(fltMgr: FilterManager, ByteOffset: number, Length: number, Key: number, FailImmediately: boolean, ExclusiveLock: boolean): { LockControl: LockControlParameters } {
  return { LockControl: { ByteOffset, Length, Key, ProcessId: requestorPid(fltMgr), FailImmediately, ExclusiveLock } };
}

/** LockFileEx(hFile, dwFlags, 0, nNumberOfBytesToLock, lpOverlapped): the range starts at lpOverlapped.Offset. */
export function* lockFileEx(io: IoManager, handle: string, dwFlags: number, nNumberOfBytesToLock: number, overlapped: OVERLAPPED): Blocking<NTSTATUS> {
  const fltMgr = io.fltMgrOf();
  const parameters = lockParameters(fltMgr, overlapped.Offset ?? 0, nNumberOfBytesToLock, 0, (dwFlags & LOCKFILE_FAIL_IMMEDIATELY) !== 0, (dwFlags & LOCKFILE_EXCLUSIVE_LOCK) !== 0);
  return yield* requestOverlapped(fltMgr, io, handle, IRP_MJ_LOCK_CONTROL, parameters, overlapped, undefined, { MinorFunction: IRP_MN_LOCK });
}

/** UnlockFileEx(hFile, 0, nNumberOfBytesToUnlock, lpOverlapped). */
export function* unlockFileEx(io: IoManager, handle: string, nNumberOfBytesToUnlock: number, overlapped: OVERLAPPED): Blocking<NTSTATUS> {
  const fltMgr = io.fltMgrOf();
  const parameters = lockParameters(fltMgr, overlapped.Offset ?? 0, nNumberOfBytesToUnlock, 0, false, false);
  return yield* requestOverlapped(fltMgr, io, handle, IRP_MJ_LOCK_CONTROL, parameters, overlapped, undefined, { MinorFunction: IRP_MN_UNLOCK_SINGLE });
}
