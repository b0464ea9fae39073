/**
 * The FsFilter callback operations the memory and cache managers issue (§24.1), as FltMgr presents
 * them to minifilters: callback data with FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION, walked through the
 * volume's instances like any operation (pre-ops from the highest altitude down, the file system's
 * acquire or release callback, post-ops back up), all on the calling thread. They have no buffers,
 * cannot be pended, and no filter issues them (src/io/preOperation.ts, src/io/postOperation.ts and
 * FltPerform*Io say so as verifier findings).
 *
 * Who calls what ([model] where the documentation names the purpose but not the count):
 * - every section creation (CreateFileMappingW, FltCreateSectionForDataScan): one
 *   IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION (SyncTypeCreateSection, the section's page protection)
 *   before the section exists, one IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION after — none when the
 *   acquire failed (a pre-op may fail it with STATUS_INSUFFICIENT_RESOURCES; the creation fails with it);
 * - the modified page writer: one IRP_MJ_ACQUIRE_FOR_MOD_WRITE / IRP_MJ_RELEASE_FOR_MOD_WRITE pair
 *   around each paging write it sends;
 * - a flush of a mapped view (FlushViewOfFile): one IRP_MJ_ACQUIRE_FOR_CC_FLUSH /
 *   IRP_MJ_RELEASE_FOR_CC_FLUSH pair around the paging write it sends, if any page is dirty.
 */
import type { Blocking } from '../kernel/effects.js';
import { SYSTEM_SID } from '../kernel/sids.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import {
  IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
  IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_RELEASE_FOR_CC_FLUSH,
  IRP_MJ_RELEASE_FOR_MOD_WRITE,
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
} from '../wdk/irp.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import type { FltParameters } from '../wdk/parameters.js';
import { driveToCompletion } from './dispatch.js';
import type { FileObject } from './fileObject.js';
import { startOperation } from './startOperation.js';

/** One FsFilter operation on `fo`, from the top of its volume's stack, on this thread; its final status. */
function* fsFilterOperation(fltMgr: FilterManager, fo: FileObject, MajorFunction: number, Parameters: FltParameters): Blocking<NTSTATUS> {
  const op = startOperation(fltMgr, {
    volume: fo.volume,
    fileObject: fo,
    MajorFunction,
    Parameters,
    RequestorMode: 'KernelMode',
    requestorSid: fltMgr.kernel.current?.token ?? SYSTEM_SID,
    initiator: null,
    fsFilter: true,
  });
  yield* driveToCompletion(fltMgr, op);
  return op.data.IoStatus.Status;
}

/** FsRtlAcquireToCreateMappedSection: the acquire before a section on `fo` is created. */
export function* acquireForSectionSynchronization(fltMgr: FilterManager, fo: FileObject, SyncType: number, PageProtection: number): Blocking<NTSTATUS> {
  return yield* fsFilterOperation(fltMgr, fo, IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, { AcquireForSectionSynchronization: { SyncType, PageProtection } });
}

/** FsRtlReleaseFile after the section exists. */
export function* releaseForSectionSynchronization(fltMgr: FilterManager, fo: FileObject): Blocking<void> {
  yield* fsFilterOperation(fltMgr, fo, IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION, { Others: {} });
}

/** FsRtlAcquireFileForModWriteEx: before a paging write of the modified page writer ending at `EndingOffset`. */
export function* acquireForModWrite(fltMgr: FilterManager, fo: FileObject, EndingOffset: number): Blocking<NTSTATUS> {
  return yield* fsFilterOperation(fltMgr, fo, IRP_MJ_ACQUIRE_FOR_MOD_WRITE, { AcquireForModifiedPageWriter: { EndingOffset } });
}

/** FsRtlReleaseFileForModWrite after that paging write. */
export function* releaseForModWrite(fltMgr: FilterManager, fo: FileObject): Blocking<void> {
  yield* fsFilterOperation(fltMgr, fo, IRP_MJ_RELEASE_FOR_MOD_WRITE, { ReleaseForModifiedPageWriter: {} });
}

/** FsRtlAcquireFileForCcFlushEx: before a flush's paging writes. */
export function* acquireForCcFlush(fltMgr: FilterManager, fo: FileObject): Blocking<NTSTATUS> {
  return yield* fsFilterOperation(fltMgr, fo, IRP_MJ_ACQUIRE_FOR_CC_FLUSH, { Others: {} });
}

/** FsRtlReleaseFileForCcFlush after them. */
export function* releaseForCcFlush(fltMgr: FilterManager, fo: FileObject): Blocking<void> {
  yield* fsFilterOperation(fltMgr, fo, IRP_MJ_RELEASE_FOR_CC_FLUSH, { Others: {} });
}
