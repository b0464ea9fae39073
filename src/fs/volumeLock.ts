/**
 * FSCTL_LOCK_VOLUME, FSCTL_UNLOCK_VOLUME and FSCTL_DISMOUNT_VOLUME on a volume open (§21.7).
 *
 * Lock: only a direct volume open may lock; it fails with STATUS_ACCESS_DENIED while any other file
 * object is open on the volume (FastFat locks only when the locker is the one open file object; NTFS
 * the same) or the volume is locked already. While locked, new opens are STATUS_ACCESS_DENIED. The
 * lock lasts until FSCTL_UNLOCK_VOLUME on the locking file object or that file object's cleanup.
 * Dismount: succeeds whether or not the volume is in use, unless another file object holds the lock;
 * from then on every request but CLEANUP and CLOSE is STATUS_VOLUME_DISMOUNTED. A later remount of
 * the volume is not modelled.
 */
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion } from './types.js';
import { complete } from './types.js';
import { STATUS_ACCESS_DENIED, STATUS_INVALID_PARAMETER, STATUS_NOT_LOCKED, STATUS_SUCCESS } from '../wdk/ntstatus.js';

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
