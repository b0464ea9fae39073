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
 * oplocks (Read, Read-Handle, Read-Write, Read-Write-Handle) held through another file object, to
 * none, without acknowledgement, for a SyncTypeCreateSection acquire of a writable section
 * (PAGE_READWRITE, PAGE_EXECUTE_READWRITE); legacy oplocks (Level 1, Batch, Filter, Level 2) are not
 * affected (src/fs/oplocks.ts, cause `section`, §21.8).
 */
import type { FsState, OpenContext } from './model.js';
import { complete, type FsCompletion, type FsRequest } from './types.js';
import { STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION } from '../wdk/irp.js';
import { PAGE_EXECUTE_READWRITE, PAGE_READWRITE, SyncTypeCreateSection } from '../wdk/sectionConstants.js';
import { parametersMember } from '../wdk/parameters.js';
import { oplockGate } from './oplockGate.js';

export function fsFilterCallback(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = request.MajorFunction === IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION ? parametersMember(request.Parameters, 'AcquireForSectionSynchronization') : null;
  if (params !== null && params.SyncType === SyncTypeCreateSection && (params.PageProtection === PAGE_READWRITE || params.PageProtection === PAGE_EXECUTE_READWRITE)) {
    // These breaks never wait: the gate only completes the broken holders' requests.
    oplockGate(state, request, ctx, { kind: 'section', writable: true });
  }
  return complete(STATUS_SUCCESS);
}
