/**
 * The file system's side of the FsFilter callback operations (§24.1): the acquire and release
 * callbacks the memory and cache managers call around a section creation, each paging write of the
 * modified page writer, and a flush's paging writes. A real file system takes and drops its FCB
 * resources there; the in-memory file system has none to take, so each one succeeds, on a handle
 * that is still open or already cleaned up alike (the modified page writer's pair comes after
 * IRP_MJ_CLEANUP).
 *
 * Oplocks: the section-synchronization acquire is where a file system checks oplocks
 * (FsRtlCheckOplockForFsFilterCallback). The documented rule breaks only the Windows 7 caching
 * oplocks (Read, Read-Handle, Read-Write, Read-Write-Handle), to none, without acknowledgement,
 * for a SyncTypeCreateSection acquire of a writable section (PAGE_READWRITE, PAGE_EXECUTE_READWRITE);
 * legacy oplocks (Level 1, Batch, Filter, Level 2) are not affected. This model grants legacy
 * oplocks only (src/fs/oplocks.ts: FSCTL_REQUEST_OPLOCK is never granted), so the acquire breaks none.
 */
import type { OpenContext } from './model.js';
import { complete, type FsCompletion } from './types.js';
import { STATUS_SUCCESS } from '../wdk/ntstatus.js';

export function fsFilterCallback(_ctx: OpenContext): FsCompletion {
  return complete(STATUS_SUCCESS);
}
