/**
 * FSCTL_LOCK_VOLUME, FSCTL_UNLOCK_VOLUME and FSCTL_DISMOUNT_VOLUME on a volume open (§21.7).
 *
 * Lock: only a direct volume open may lock; it fails with STATUS_ACCESS_DENIED while any other file
 * object is open on the volume (FastFat locks only when the locker is the one open file object; NTFS
 * the same) or the volume is locked already. While locked, new opens are STATUS_ACCESS_DENIED. The
 * lock lasts until FSCTL_UNLOCK_VOLUME on the locking file object or that file object's cleanup.
 * Implicit lock (FastFat's FatOpenVolume; NTFS the same in the model): a volume open that shares
 * neither write nor delete locks the volume as it opens. Asking for write access takes away its
 * FILE_SHARE_READ (autochk's exception ends at boot). Without FILE_SHARE_READ it needs the volume to
 * have no open file object at all; with it, every open file object must be read-only (no write or
 * delete access). Otherwise STATUS_SHARING_VIOLATION. The lock then belongs to the new file object,
 * like an FSCTL_LOCK_VOLUME one: FSCTL_UNLOCK_VOLUME on it or its cleanup releases it.
 * Dismount: succeeds whether or not the volume is in use, unless another file object holds the lock;
 * from then on every request but CLEANUP and CLOSE is STATUS_VOLUME_DISMOUNTED, and the I/O manager
 * mounts the volume again for the next open (src/fltmgr/volumeMount.ts).
 */
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion } from './types.js';
import { complete } from './types.js';
import { STATUS_ACCESS_DENIED, STATUS_INVALID_PARAMETER, STATUS_NOT_LOCKED, STATUS_SHARING_VIOLATION, STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { FILE_APPEND_DATA, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_WRITE_DATA } from '../wdk/fileConstants.js';

/** What a volume open's share mode asks of the volume: no lock, or an implicit one (with the share mode the open then uses). */
export type ImplicitLock = { readonly lock: false } | { readonly lock: true; readonly shareAccess: number };

/**
 * FatOpenVolume's check before a volume open that shares neither write nor delete: the share mode
 * the open goes on with, or STATUS_SHARING_VIOLATION while the volume is in use.
 */
export function implicitLockFor(state: FsState, desiredAccess: number, shareAccess: number): ImplicitLock | typeof STATUS_SHARING_VIOLATION {
  if (shareAccess & (FILE_SHARE_WRITE | FILE_SHARE_DELETE)) return { lock: false };
  const share = desiredAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA) ? shareAccess & ~FILE_SHARE_READ : shareAccess;
  const opens = [...state.contexts.values()];
  if (share & FILE_SHARE_READ) {
    // Readers may stay (Vcb->ReadOnlyCount == Vcb->OpenFileCount), writers and deleters may not.
    if (opens.some((o) => o.share.WriteAccess || o.share.DeleteAccess)) return STATUS_SHARING_VIOLATION;
  } else if (opens.length > 0) {
    return STATUS_SHARING_VIOLATION;
  }
  return { lock: true, shareAccess: share };
}

export function lockVolume(state: FsState, ctx: OpenContext): FsCompletion {
  if (ctx.kind !== 'volume') return complete(STATUS_INVALID_PARAMETER);
  if (state.lockedBy !== null) return complete(STATUS_ACCESS_DENIED);
  for (const other of state.contexts.keys()) if (other !== ctx.fileObjectId) return complete(STATUS_ACCESS_DENIED);
  state.lockedBy = ctx.fileObjectId;
  return complete(STATUS_SUCCESS);
}

export function unlockVolume(state: FsState, ctx: OpenContext): FsCompletion {
  if (ctx.kind !== 'volume') return complete(STATUS_INVALID_PARAMETER);
  if (state.lockedBy !== ctx.fileObjectId) return complete(STATUS_NOT_LOCKED);
  state.lockedBy = null;
  return complete(STATUS_SUCCESS);
}

export function dismountVolume(state: FsState, ctx: OpenContext): FsCompletion {
  if (ctx.kind !== 'volume') return complete(STATUS_INVALID_PARAMETER);
  if (state.lockedBy !== null && state.lockedBy !== ctx.fileObjectId) return complete(STATUS_ACCESS_DENIED);
  state.dismounted = true;
  return complete(STATUS_SUCCESS);
}

/** The locking file object's cleanup releases the lock. */
export function releaseLockAtCleanup(state: FsState, ctx: OpenContext): void {
  if (state.lockedBy === ctx.fileObjectId) state.lockedBy = null;
}
