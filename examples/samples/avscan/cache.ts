/**
 * avscan.c, the file-state cache: AvLoadFileStateFromCache (post-create of a new stream context reads
 * the state the file had when its last stream context synced it) and AvSyncCache (pre-cleanup writes
 * a clean or infected state into the table). The table is the instance context's RTL_AVL_TABLE keyed
 * by file id (AvCompareEntry), guarded by the instance context's ERESOURCE, and emptied by
 * AvInstanceTeardownStart; AvInstanceContextCleanup asserts it is empty.
 */
import {
  FLT_ASSERT,
  FltGetInstanceContext,
  FltReleaseContext,
  NT_SUCCESS,
  RtlInsertElementGenericTableAvl,
  RtlLookupElementGenericTableAvl,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  type Blocking,
  type NTSTATUS,
  type PFLT_CONTEXT,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import { AV_GENERIC_TABLE_ENTRY_SIZE, AV_INVALID_FILE_REFERENCE, FS_SUPPORTS_FILE_STATE_CACHE, type AV_FILE_REFERENCE, type AV_GENERIC_TABLE_ENTRY, type AV_INSTANCE_CONTEXT, type AV_STREAM_CONTEXT, type AvGlobals } from './avscanTypes.js';
import { AvAcquireResourceExclusive, AvAcquireResourceShared, AvReleaseResource } from './utility.js';

/** The out-parameters of AvLoadFileStateFromCache (State, VolumeRevision, CacheRevision, FileRevision): the stream context's fields. */
export type AvCachedFileState = Pick<AV_STREAM_CONTEXT, 'State' | 'VolumeRevision' | 'CacheRevision' | 'FileRevision'>;

/** A zeroed AV_GENERIC_TABLE_ENTRY whose FileId is a copy of `FileId` (the C's `= {0}` and RtlCopyMemory). */
function entryFor(FileId: AV_FILE_REFERENCE): AV_GENERIC_TABLE_ENTRY {
  return { FileId: { FileId64: { ...FileId.FileId64 } }, InfectedState: 'AvFileUnknown', VolumeRevision: 0, CacheRevision: 0, FileRevision: 0 };
}

export function cacheRoutines(Globals: AvGlobals) {
  /**
   * AvLoadFileStateFromCache: the cached state of `FileId` into `Out` (only when found); STATUS_NOT_FOUND
   * when the table has no entry or the volume keeps no table. The table is read under the shared lock.
   */
  function* AvLoadFileStateFromCache(Instance: PFLT_INSTANCE, FileId: AV_FILE_REFERENCE, Out: AvCachedFileState): Blocking<NTSTATUS> {
    let status: NTSTATUS = STATUS_SUCCESS;
    // We should never be trying to cache with an invalid fileID.
    FLT_ASSERT(!AV_INVALID_FILE_REFERENCE(FileId), '!AV_INVALID_FILE_REFERENCE(*FileId)');
    const got = yield* FltGetInstanceContext<AV_INSTANCE_CONTEXT>(Instance);
    if (!NT_SUCCESS(got.status)) {
      Globals.DbgPrint.push('[AV] AvLoadFileStateFromCache: failed to get instance context.');
      return got.status;
    }
    const instanceContext = got.context!;
    cleanup: {
      if (!FS_SUPPORTS_FILE_STATE_CACHE(instanceContext.Data.VolumeFSType)) {
        status = STATUS_NOT_FOUND;
        break cleanup;
      }
      const query = entryFor(FileId);
      yield* AvAcquireResourceShared(instanceContext.Data.Resource);
      const entry = RtlLookupElementGenericTableAvl(instanceContext.Data.FileStateCacheTable, query);
      if (entry !== null) {
        Out.State = entry.InfectedState;
        Out.VolumeRevision = entry.VolumeRevision;
        Out.CacheRevision = entry.CacheRevision;
        Out.FileRevision = entry.FileRevision;
      } else {
        status = STATUS_NOT_FOUND;
      }
      yield* AvReleaseResource(instanceContext.Data.Resource);
    }
    FltReleaseContext(instanceContext);
    return status;
  }

  /**
   * AvSyncCache: the stream context's state into the table, inserted or overwritten in place, under
   * the exclusive lock; nothing for a volume without a table or a stream whose file id is unknown.
   * The state copied is the one the stream has when the lock is held, not the one the caller tested.
   */
  function* AvSyncCache(Instance: PFLT_INSTANCE | null, StreamContext: PFLT_CONTEXT<AV_STREAM_CONTEXT> | null): Blocking<NTSTATUS> {
    const status: NTSTATUS = STATUS_SUCCESS;
    if (Instance === null || StreamContext === null) return STATUS_INVALID_PARAMETER;
    const got = yield* FltGetInstanceContext<AV_INSTANCE_CONTEXT>(Instance);
    if (!NT_SUCCESS(got.status)) {
      Globals.DbgPrint.push('[AV] AvSyncCache: failed to get instance context.');
      return got.status;
    }
    const instanceContext = got.context!;
    cleanup: {
      if (!FS_SUPPORTS_FILE_STATE_CACHE(instanceContext.Data.VolumeFSType)) break cleanup;
      // If originally we failed to get the file id, we do not cache it.
      if (AV_INVALID_FILE_REFERENCE(StreamContext.Data.FileId)) break cleanup;
      const entry = entryFor(StreamContext.Data.FileId);
      yield* AvAcquireResourceExclusive(instanceContext.Data.Resource);
      const pEntry = yield* RtlInsertElementGenericTableAvl(instanceContext.Data.FileStateCacheTable, entry, AV_GENERIC_TABLE_ENTRY_SIZE, null);
      if (pEntry !== null) {
        // The cache may go stale as files are modified; a stream context that exists wins over it (post-create reads the table only for a new one).
        pEntry.InfectedState = StreamContext.Data.State;
        pEntry.VolumeRevision = StreamContext.Data.VolumeRevision;
        pEntry.CacheRevision = StreamContext.Data.CacheRevision;
        pEntry.FileRevision = StreamContext.Data.FileRevision;
      }
      yield* AvReleaseResource(instanceContext.Data.Resource);
      if (pEntry === null) Globals.DbgPrint.push('[AV] AvSyncCache: RtlInsertElementGenericTable failed.');
    }
    FltReleaseContext(instanceContext);
    return status;
  }

  return { AvLoadFileStateFromCache, AvSyncCache };
}
