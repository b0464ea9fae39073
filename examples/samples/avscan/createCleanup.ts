/**
 * avscan.c, the create and cleanup callbacks: AvPreCreate, AvPostCreate (the stream context, the
 * file-state cache, the previous transaction, the scan at open) with AvCancelFileOpen (avscan.h), and
 * AvPreCleanup (the scan of a modified stream, the cache's sync), and AvIsPrefetchEcpPresent: a
 * prefetcher's open (GUID_ECP_PREFETCH_OPEN from kernel mode) gets only a stream-handle context
 * flagged AV_FLAG_PREFETCH, so its I/O is never scanned or marks the file modified (the C: I/O through
 * a prefetch file object could deadlock), until its cleanup clears the flag. The rest of avscan.c is
 * avscan.ts.
 */
import {
  ACCESS_SYSTEM_SECURITY,
  DELETE,
  FILE_APPEND_DATA,
  FILE_DIRECTORY_FILE,
  FILE_WRITE_ATTRIBUTES,
  FILE_WRITE_DATA,
  FILE_WRITE_EA,
  FLT_ASSERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FltCancelFileOpen,
  FltDeleteStreamHandleContext,
  FltFindExtraCreateParameter,
  FltGetEcpListFromCallbackData,
  FltGetStreamContext,
  FltGetStreamHandleContext,
  FltIsEcpFromUserMode,
  FltReleaseContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  FltSupportsStreamHandleContexts,
  GUID_ECP_PREFETCH_OPEN,
  IRP_MJ_CLEANUP,
  IRP_MJ_CREATE,
  NT_SUCCESS,
  SL_OPEN_PAGING_FILE,
  SL_OPEN_TARGET_DIRECTORY,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  STATUS_VIRUS_INFECTED,
  WRITE_DAC,
  WRITE_OWNER,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFLT_CONTEXT,
  type PFLT_FILTER,
} from '../../../src/index.js';
import { AV_FLAG_PREFETCH, AV_SET_INVALID_FILE_REFERENCE, IS_FILE_INFECTED, IS_FILE_MODIFIED, IS_FILE_NEED_SCAN, IS_FILE_NOT_INFECTED, type AV_STREAM_CONTEXT, type AV_STREAMHANDLE_CONTEXT, type AvCalls, type AvGlobals } from './avscanTypes.js';
import { AvGetFileSize } from './context.js';
import { AvGetFileId } from './utility.js';

export function createCleanupRoutines(Globals: AvGlobals, R: AvCalls) {
  /** AvIsPrefetchEcpPresent: the create carries GUID_ECP_PREFETCH_OPEN, and not from user mode. */
  function AvIsPrefetchEcpPresent(Filter: PFLT_FILTER, Data: FLT_CALLBACK_DATA): boolean {
    const got = FltGetEcpListFromCallbackData(Filter, Data);
    if (NT_SUCCESS(got.status) && got.EcpList !== null) {
      const found = FltFindExtraCreateParameter(Filter, got.EcpList, GUID_ECP_PREFETCH_OPEN);
      if (NT_SUCCESS(found.status)) {
        if (!FltIsEcpFromUserMode(Filter, found.EcpContext!)) return true;
      }
    }
    return false;
  }

  /**
   * AvPreCreate: directories, target-directory, paging-file and volume opens are never scanned; a
   * prefetch open is flagged (AV_FLAG_PREFETCH, passed to the post-create as the completion
   * context); the rest are synchronized.
   */
  function AvPreCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS {
    const streamHandleContext = { Flags: 0 };
    const create = (Data.Iopb.Parameters as { Create: { Options: number } }).Create;
    if ((create.Options & FILE_DIRECTORY_FILE) !== 0) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    if ((Data.Iopb.OperationFlags & (SL_OPEN_TARGET_DIRECTORY | SL_OPEN_PAGING_FILE)) !== 0) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    if (Data.Iopb.TargetFileObject?.FileName === '') return FLT_PREOP_SUCCESS_NO_CALLBACK;
    // Flag prefetch handles so they can be skipped: I/O through a prefetch file object could deadlock.
    if (AvIsPrefetchEcpPresent(FltObjects.Filter, Data)) streamHandleContext.Flags |= AV_FLAG_PREFETCH;
    CompletionContext.value = streamHandleContext.Flags;
    return FLT_PREOP_SYNCHRONIZE;
  }

  /** AvCancelFileOpen (utility.c): undo the open and fail the create with `status`. */
  function* AvCancelFileOpen(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, status: NTSTATUS): Blocking<void> {
    yield* FltCancelFileOpen(FltObjects.Instance, FltObjects.FileObject!);
    Data.IoStatus.Status = status;
    Data.IoStatus.Information = 0;
  }

  /** AvPostCreate: find or create the stream context; scan if the file needs it; deny an infected file with STATUS_VIRUS_INFECTED. */
  function* AvPostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    const status0 = Data.IoStatus.Status;
    if (!NT_SUCCESS(status0) || status0 === STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING;
    const size = yield* AvGetFileSize(FltObjects.Instance, FltObjects.FileObject!);
    if (NT_SUCCESS(size.status) && size.directory) return FLT_POSTOP_FINISHED_PROCESSING;
    // A prefetch open: flag the handle so its I/O is skipped; no stream context, no scan.
    if ((Number(CompletionContext ?? 0) & AV_FLAG_PREFETCH) !== 0) {
      if (!FltSupportsStreamHandleContexts(FltObjects.FileObject!)) return FLT_POSTOP_FINISHED_PROCESSING;
      const created = R.AvCreateStreamHandleContext(FltObjects.Filter);
      if (!NT_SUCCESS(created.status)) return FLT_POSTOP_FINISHED_PROCESSING;
      const streamHandleContext = created.context!;
      streamHandleContext.Data.Flags |= AV_FLAG_PREFETCH;
      const status = yield* FltSetStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, streamHandleContext, null);
      FltReleaseContext(streamHandleContext);
      if (!NT_SUCCESS(status)) {
        // Shouldn't find the handle already set.
        FLT_ASSERT(status !== STATUS_FLT_CONTEXT_ALREADY_DEFINED, 'status != STATUS_FLT_CONTEXT_ALREADY_DEFINED');
      }
      return FLT_POSTOP_FINISHED_PROCESSING;
    }
    let got = yield* FltGetStreamContext<AV_STREAM_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    let streamContext: PFLT_CONTEXT<AV_STREAM_CONTEXT>;
    if (got.status === STATUS_NOT_FOUND) {
      const created = yield* R.AvCreateStreamContext(FltObjects.Filter);
      if (created.context === null) return FLT_POSTOP_FINISHED_PROCESSING;
      streamContext = created.context;
      // The stream's infected state from the cache, if the file has an id (the id is optional: a failure does not change the scan).
      const fileIdStatus = yield* AvGetFileId(FltObjects.Instance, FltObjects.FileObject!, streamContext.Data.FileId);
      if (!NT_SUCCESS(fileIdStatus)) {
        AV_SET_INVALID_FILE_REFERENCE(streamContext.Data.FileId);
      } else {
        // Loads only what it finds; a miss (or any failure) leaves the new context Modified: the cache is optional.
        yield* R.AvLoadFileStateFromCache(FltObjects.Instance, streamContext.Data.FileId, streamContext.Data);
      }
      const old = { value: null as PFLT_CONTEXT<object> | null };
      const set = yield* FltSetStreamContext(FltObjects.Instance, FltObjects.FileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, streamContext, old);
      if (!NT_SUCCESS(set)) {
        FltReleaseContext(streamContext);
        if (set !== STATUS_FLT_CONTEXT_ALREADY_DEFINED) return FLT_POSTOP_FINISHED_PROCESSING;
        streamContext = old.value as PFLT_CONTEXT<AV_STREAM_CONTEXT>;
      }
    } else if (!NT_SUCCESS(got.status)) {
      return FLT_POSTOP_FINISHED_PROCESSING;
    } else streamContext = got.context!;
    got = { status: STATUS_SUCCESS, context: streamContext };
    let isTxWriter = false;
    cleanup: {
      // A successful open with TxF's "exclusive write" access: a previous transaction of the stream, if any, has ended.
      const desiredAccess = (Data.Iopb.Parameters as { Create: { SecurityContext: { DesiredAccess: number } } }).Create.SecurityContext.DesiredAccess;
      if ((desiredAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | WRITE_DAC | WRITE_OWNER | ACCESS_SYSTEM_SECURITY)) !== 0) {
        const processed = yield* R.AvProcessPreviousTransaction(FltObjects, streamContext);
        if (!NT_SUCCESS(processed)) {
          Globals.DbgPrint.push('[AV] AvPostCreate: AvProcessTransaction FAILED!!');
          break cleanup;
        }
        isTxWriter = FltObjects.Transaction !== null;
      }
      if (IS_FILE_NEED_SCAN(streamContext.Data)) {
        const status = yield* R.AvScan(Data, FltObjects, 'AvUserMode', IRP_MJ_CREATE, isTxWriter, streamContext);
        if (!NT_SUCCESS(status) || status === STATUS_TIMEOUT) break cleanup;
      }
      if (IS_FILE_INFECTED(streamContext.Data)) yield* AvCancelFileOpen(Data, FltObjects, STATUS_VIRUS_INFECTED);
    }
    FltReleaseContext(streamContext);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /** AvPreCleanup: a prefetch handle stops being one; a modified stream is scanned again before its handle goes; the cache is synced. */
  function* AvPreCleanup(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    const handle = yield* FltGetStreamHandleContext<AV_STREAMHANDLE_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (NT_SUCCESS(handle.status)) {
      const streamHandleContext = handle.context!;
      if ((streamHandleContext.Data.Flags & AV_FLAG_PREFETCH) !== 0) {
        // The Memory Manager may keep the file object for other applications' mapped I/O: after its
        // cleanup it is no prefetcher handle. (RtlInterlockedClearBits: a plain store here, as SET_FILE_STATE_EX.)
        streamHandleContext.Data.Flags &= ~AV_FLAG_PREFETCH;
        yield* FltDeleteStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, null);
        FltReleaseContext(streamHandleContext);
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
      }
      FltReleaseContext(streamHandleContext);
    }
    const got = yield* FltGetStreamContext<AV_STREAM_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (!NT_SUCCESS(got.status)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    const streamContext = got.context!;
    // A transacted writer's stream is not scanned at cleanup: the transaction may still roll back; a commit rescans it at the next open.
    if (streamContext.Data.TxContext.value === null && IS_FILE_MODIFIED(streamContext.Data)) {
      const status = yield* R.AvScan(Data, FltObjects, 'AvUserMode', IRP_MJ_CLEANUP, false, streamContext);
      if (!NT_SUCCESS(status) || status === STATUS_TIMEOUT) Globals.DbgPrint.push('[AV] AvPreCleanup: AvScan FAILED!!');
    }
    // Cleanup: the cache gets an entry only when the file is clean or infected (not while Modified).
    // (fixCacheSync, not the C: only a final state, never AvFileScanning or AvFileUnknown.)
    const syncs = Globals.FixCacheSync ? IS_FILE_NOT_INFECTED(streamContext.Data) || IS_FILE_INFECTED(streamContext.Data) : !IS_FILE_MODIFIED(streamContext.Data) || IS_FILE_INFECTED(streamContext.Data);
    if (syncs) {
      if (!NT_SUCCESS(yield* R.AvSyncCache(FltObjects.Instance, streamContext))) Globals.DbgPrint.push('[AV] AvPreCleanup: AvSyncCache FAILED!!');
    }
    FltReleaseContext(streamContext);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  return { AvIsPrefetchEcpPresent, AvPreCreate, AvCancelFileOpen, AvPostCreate, AvPreCleanup };
}
