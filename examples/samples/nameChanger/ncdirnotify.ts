/**
 * ncdirnotify.c of the NameChanger sample: directory change notifications a user requests on a
 * directory related to the mapping. Routine by routine; the helpers are in ncnotifyrequest.ts and
 * the abort, cancel and context parts in ncdirnotifyAbort.ts.
 *
 * - Filter mode (watching the parent of the real mapping, or an ancestor with a subtree watch, but
 *   not an ancestor of the user mapping): the user's request is pended (FLT_PREOP_PENDING) with a
 *   cancel routine, and a shadow request of the filter's own goes to the file system with
 *   FltPerformAsynchronousIo. Its completion routine (NcPostNotifyDirectoryReal) translates the
 *   entries into the user's buffer and completes the user's request — or, when every entry was
 *   suppressed, reissues the shadow from a work item.
 * - Munge mode (an ancestor of both mappings): the user's request goes to the file system; its
 *   post-operation rewrites the entries through FltDoCompletionProcessingWhenSafe.
 * - Merge mode (an ancestor of the user mapping only: a second request on a handle the filter opens
 *   to the real mapping's parent) is not ported: such a watch passes through unfiltered
 *   (FLT_PREOP_SUCCESS_NO_CALLBACK), which is what the user sees without NameChanger.
 *
 * The completion routine takes the stream handle context's ERESOURCE: it relies on being called at
 * the completer's IRQL (PASSIVE_LEVEL for a change notification), which the DDI does not promise
 * (§11.10, §13 A17); with the model's default it is the verifier's IRQL_TOO_HIGH.
 */
import {
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_CALLBACK_DATA_SYSTEM_BUFFER,
  FLTFL_POST_OPERATION_DRAINING,
  FO_CLEANUP_COMPLETE,
  FO_OPENED_CASE_SENSITIVE,
  FltAllocateGenericWorkItem,
  FltClearCancelCompletion,
  FltCompletePendedPreOperation,
  FltDoCompletionProcessingWhenSafe,
  FltFreeGenericWorkItem,
  FltGetInstanceContext,
  FltLockUserBuffer,
  FltParseFileNameInformation,
  FltPerformAsynchronousIo,
  FltQueueGenericWorkItem,
  FltReferenceContext,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltReuseCallbackData,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MN_NOTIFY_CHANGE_DIRECTORY,
  NT_SUCCESS,
  SL_WATCH_TREE,
  STATUS_CANCELLED,
  STATUS_NOTIFY_CLEANUP,
  STATUS_NOTIFY_ENUM_DIR,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  preempt,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
  type FltWorkItem,
  type NTSTATUS,
} from '../../../src/index.js';
import { FlagOn, NC_SEPARATOR, NcComparePath, NcLockStreamHandleContext, NcUnlockStreamHandleContext, type NC_GLOBAL_DATA, type NC_INSTANCE_CONTEXT, type PNC_INSTANCE_CONTEXT, type PNC_STREAM_HANDLE_CONTEXT } from './nc.js';
import { NcGetFileNameInformation, NcSetCancelCompletion } from './nchelper.js';
import { NcStreamHandleContextAllocAndAttach } from './nccontext.js';
import { NcNotifyCancelCallback } from './ncdirnotifyAbort.js';
import {
  FILE_NOTIFY_INFORMATION_FileName,
  NcAllocateNotifyRequestContext,
  NcBuildSubNotifyRequest,
  NcCleanupSubNotifyRequest,
  NcDirNotifyTranslateBuffers,
  NcFreeNotifyRequestContext,
  NcGetDestinationNotifyBuffer,
  NotifyDirectory,
  type NC_NOTIFY_REQUEST_CONTEXT,
} from './ncnotifyrequest.js';

/** NcRemoveTrailingSlashIfPresent. */
function NcRemoveTrailingSlashIfPresent(US: string): string {
  return US.endsWith(NC_SEPARATOR) ? US.slice(0, -1) : US;
}

export interface NcDirNotify {
  NcPreNotifyDirectory(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS>;
  NcPostNotifyDirectory(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS>;
}

/** The notification routines of one NameChanger (they reach NcGlobalData, as the C code its global). */
export function ncDirNotify(NcGlobalData: NC_GLOBAL_DATA): NcDirNotify {
  /** IRP_MN_NOTIFY_CHANGE_DIRECTORY from the user: pass it, munge it, or pend it behind a shadow. */
  function* NcPreNotifyDirectory(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    let ReturnValue: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let Status: NTSTATUS = STATUS_SUCCESS;
    let InstanceContext: PNC_INSTANCE_CONTEXT | null = null;
    let HandleContext: PNC_STREAM_HANDLE_CONTEXT | null = null;
    let FileNameInformation: FLT_FILE_NAME_INFORMATION | null = null;
    const FileObject = FltObjects.FileObject!;
    const WatchTree = FlagOn(Data.Iopb.OperationFlags, SL_WATCH_TREE);
    const IgnoreCase = !FlagOn(FileObject.Flags, FO_OPENED_CASE_SENSITIVE);
    let UnlockContext = false;
    let SizeWeReturn = 0;
    let ShadowRequestContext: NC_NOTIFY_REQUEST_CONTEXT | null = null;
    let NewShadowRequest: FLT_CALLBACK_DATA | null = null;

    NcPreNotifyDirectoryCleanup: {
      //  A file object already through cleanup: fail before setting anything up.
      if (FlagOn(FileObject.Flags, FO_CLEANUP_COMPLETE)) {
        ReturnValue = FLT_PREOP_COMPLETE;
        Status = STATUS_NOTIFY_CLEANUP;
        break NcPreNotifyDirectoryCleanup;
      }
      const got = yield* FltGetInstanceContext<NC_INSTANCE_CONTEXT>(FltObjects.Instance);
      Status = got.status;
      if (!NT_SUCCESS(Status)) {
        ReturnValue = FLT_PREOP_COMPLETE;
        break NcPreNotifyDirectoryCleanup;
      }
      InstanceContext = got.context!;
      //  Get the directory's name.
      const named = yield* NcGetFileNameInformation(Data, null, null, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT);
      Status = named.status;
      if (!NT_SUCCESS(Status)) {
        ReturnValue = FLT_PREOP_COMPLETE;
        break NcPreNotifyDirectoryCleanup;
      }
      FileNameInformation = named.FileNameInformation!;
      Status = FltParseFileNameInformation(FileNameInformation);
      if (!NT_SUCCESS(Status)) {
        ReturnValue = FLT_PREOP_COMPLETE;
        break NcPreNotifyDirectoryCleanup;
      }
      //  See if the directory is parent of either mapping.
      const UserOverlap = NcComparePath(FileNameInformation.Name, InstanceContext.Data.Mapping.UserMapping, IgnoreCase, true).Overlap;
      const RealOverlap = NcComparePath(FileNameInformation.Name, InstanceContext.Data.Mapping.RealMapping, IgnoreCase, true).Overlap;
      //  Watching within a mapping: names are relative to the handle, nothing to do.
      if (UserOverlap.InMapping || RealOverlap.InMapping) break NcPreNotifyDirectoryCleanup;
      //  No relation to either mapping: nothing to do.
      if (!UserOverlap.Ancestor && !RealOverlap.Ancestor) break NcPreNotifyDirectoryCleanup;
      //  Not recursive, and a non-parent ancestor: nothing to do.
      if (!WatchTree && !UserOverlap.Parent && !RealOverlap.Parent) break NcPreNotifyDirectoryCleanup;
      //  Attach our handle context: which object we monitor, how, and the outstanding subrequests.
      const attached = yield* NcStreamHandleContextAllocAndAttach(FltObjects.Filter, FltObjects.Instance, FileObject);
      Status = attached.status;
      if (!NT_SUCCESS(Status)) {
        ReturnValue = FLT_PREOP_COMPLETE;
        break NcPreNotifyDirectoryCleanup;
      }
      HandleContext = attached.Context!;
      const NotCtx = HandleContext.Data.DirectoryNotificationContext;
      yield* NcLockStreamHandleContext(HandleContext);
      UnlockContext = true;
      //  The user's handle went through cleanup (CleanupSeen is synchronized with us, the flag is not).
      if (NotCtx.CleanupSeen || FlagOn(FileObject.Flags, FO_CLEANUP_COMPLETE)) {
        ReturnValue = FLT_PREOP_COMPLETE;
        Status = STATUS_NOTIFY_CLEANUP;
        SizeWeReturn = 0;
        break NcPreNotifyDirectoryCleanup;
      }
      //  Save the path used on this handle (ancestors of a mapping cannot be renamed).
      if (NotCtx.UserRequestName === null) {
        NotCtx.UserRequestName = NcRemoveTrailingSlashIfPresent(FileNameInformation.Name);
        NotCtx.IgnoreCase = IgnoreCase;
        FltReferenceContext(InstanceContext);
        NotCtx.InstanceContext = InstanceContext;
        NotCtx.CompletionFilter = NotifyDirectory(Data).CompletionFilter;
        NotCtx.OperationFlags = Data.Iopb.OperationFlags;
      }
      //  A cancel of an earlier request on this handle no longer applies.
      NotCtx.CancelSeen = false;
      //  Only one outstanding user request per handle is supported.
      if (NotCtx.UserRequest !== null) {
        Status = STATUS_UNSUCCESSFUL;
        ReturnValue = FLT_PREOP_COMPLETE;
        break NcPreNotifyDirectoryCleanup;
      }
      //  The file system said the buffer was too small while there was no user request: say it now.
      if (NotCtx.InsufficientBufferSeen) {
        NotCtx.InsufficientBufferSeen = false;
        Status = STATUS_NOTIFY_ENUM_DIR;
        ReturnValue = FLT_PREOP_COMPLETE;
        break NcPreNotifyDirectoryCleanup;
      }
      //  Leftover changes from a previous call (Merge mode only): return them now.
      if (NotCtx.BufferToFree !== null) {
        const dest = NcGetDestinationNotifyBuffer(Data);
        Status = dest.status;
        ReturnValue = FLT_PREOP_COMPLETE;
        if (!NT_SUCCESS(Status)) break NcPreNotifyDirectoryCleanup;
        if (dest.BufferSize < NotCtx.BufferLength) {
          Status = STATUS_NOTIFY_ENUM_DIR;
        } else {
          dest.DestBuffer!.set(NotCtx.BufferToFree.subarray(0, NotCtx.BufferLength));
          SizeWeReturn = NotCtx.BufferLength;
          Status = STATUS_SUCCESS;
        }
        NotCtx.BufferToFree = null;
        NotCtx.BufferLength = 0;
        break NcPreNotifyDirectoryCleanup;
      }
      NotCtx.UserRequest = Data;
      if ((WatchTree && RealOverlap.Ancestor && !UserOverlap.Ancestor) || (!WatchTree && RealOverlap.Parent && !UserOverlap.Parent)) {
        //  Filter mode: entries of the real mapping must not reach the caller.
        NotCtx.Mode = 'Filter';
        if (NotCtx.ShadowRequest === null) {
          const built = yield* NcBuildSubNotifyRequest(Data, FltObjects.Instance, FileObject, HandleContext, 'NotifyShadowRequest');
          Status = built.status;
          if (!NT_SUCCESS(Status)) {
            ReturnValue = FLT_PREOP_COMPLETE;
            break NcPreNotifyDirectoryCleanup;
          }
          NewShadowRequest = built.SubRequest;
          ShadowRequestContext = built.NotifyRequestContext;
        }
        //  The request is set in the context under the lock; the lock is dropped to issue it. I/O is
        //  sent only by its creator or its completer.
        if (NewShadowRequest !== null) {
          //  Set up the subrequest before the cancel routine, so a cancel can do something with it.
          NotCtx.ShadowRequest = NewShadowRequest;
          //  The cancel routine goes on the user's request, which we keep; already cancelled: fail.
          Status = NcSetCancelCompletion(Data, NcNotifyCancelCallback);
          if (!NT_SUCCESS(Status)) {
            NotCtx.ShadowRequest = null;
            ReturnValue = FLT_PREOP_COMPLETE;
            break NcPreNotifyDirectoryCleanup;
          }
          yield* NcUnlockStreamHandleContext(HandleContext);
          UnlockContext = false;
          //  From here Data (NotCtx->UserRequest) may be completed under us; FltMgr calls the
          //  completion routine even on failure. NotCtx->ShadowRequest is read without the lock: a
          //  cancel or a cleanup on another processor can run before the read.
          yield* preempt();
          Status = yield* FltPerformAsynchronousIo(NotCtx.ShadowRequest!, NcPostNotifyDirectoryReal, ShadowRequestContext);
        }
        //  The request and its context belong to the request now.
        ShadowRequestContext = null;
        NewShadowRequest = null;
        //  Pending in every case: the file system pended the shadow, or it completed and our
        //  completion routine already completed the user's request.
        ReturnValue = FLT_PREOP_PENDING;
      } else if ((WatchTree && RealOverlap.Ancestor && UserOverlap.Ancestor) || (RealOverlap.Parent && UserOverlap.Parent)) {
        //  Munge mode: a common ancestor; the names in the buffer are translated in post. Without
        //  FltGetNewSystemBufferAddress the user buffer is locked now, so the file system maps it
        //  rather than switching the request to a system buffer we could not find.
        Status = FltLockUserBuffer(Data);
        if (!NT_SUCCESS(Status)) {
          ReturnValue = FLT_PREOP_COMPLETE;
          break NcPreNotifyDirectoryCleanup;
        }
        const allocated = NcAllocateNotifyRequestContext(HandleContext, FileObject, 'NotifyUserRequest', Data);
        Status = allocated.status;
        if (!NT_SUCCESS(Status)) {
          ReturnValue = FLT_PREOP_COMPLETE;
          break NcPreNotifyDirectoryCleanup;
        }
        CompletionContext.value = allocated.NotifyRequestContext;
        ReturnValue = FLT_PREOP_SUCCESS_WITH_CALLBACK;
        NotCtx.Mode = 'Munge';
      } else {
        //  Merge mode: not ported (see the header). The request passes through unfiltered.
        NotCtx.UserRequest = null;
        ReturnValue = FLT_PREOP_SUCCESS_NO_CALLBACK;
      }
    }
    // NcPreNotifyDirectoryCleanup:
    if (ReturnValue === FLT_PREOP_COMPLETE) {
      Data.IoStatus = { Status, Information: NT_SUCCESS(Status) ? SizeWeReturn : 0 };
      //  We complete it, so it is still ours: take it out of the context.
      if (HandleContext !== null) {
        if (!UnlockContext) {
          yield* NcLockStreamHandleContext(HandleContext);
          UnlockContext = true;
        }
        const NotCtx = HandleContext.Data.DirectoryNotificationContext;
        if (NotCtx.UserRequest === Data) NotCtx.UserRequest = null;
      }
    }
    if (NewShadowRequest !== null) {
      //  Still in the context, or removed by a cancel: tear it down either way (under the lock).
      yield* NcCleanupSubNotifyRequest(NewShadowRequest);
      HandleContext!.Data.DirectoryNotificationContext.ShadowRequest = NewShadowRequest = null;
    }
    if (InstanceContext !== null) FltReleaseContext(InstanceContext);
    if (UnlockContext) yield* NcUnlockStreamHandleContext(HandleContext!);
    //  With the lock dropped, free the request contexts of failed requests.
    if (ShadowRequestContext !== null) yield* NcFreeNotifyRequestContext(ShadowRequestContext);
    if (HandleContext !== null) FltReleaseContext(HandleContext);
    if (FileNameInformation !== null) FltReleaseFileNameInformation(FileNameInformation);
    return ReturnValue;
  }

  /**
   * A shadow request completed (the completion routine of FltPerformAsynchronousIo), or the user's
   * request in Munge mode (from NcPostNotifyDirectorySafe). Translates the entries, completes the
   * user's request or reissues the shadow. Must not call into the file system itself.
   */
  function* NcPostNotifyDirectoryReal(Data: FLT_CALLBACK_DATA, CompletionContext: unknown): Blocking<void> {
    let Status: NTSTATUS = STATUS_SUCCESS;
    let SourceBuffer: Uint8Array | null = null;
    const RequestContext = CompletionContext as NC_NOTIFY_REQUEST_CONTEXT;
    const HandleContext = RequestContext.UserHandleContext;
    const NotCtx = HandleContext.Data.DirectoryNotificationContext;
    const SizeActuallyReturned = Data.IoStatus.Information;
    let SizeWeReturn = 0;
    let UnlockContext = false;
    let CompleteUserRequest = true;
    let ReissuedRequest = false;

    yield* NcLockStreamHandleContext(HandleContext);
    UnlockContext = true;
    NcPostNotifyDirectoryRealCleanup: {
      //  The user's handle went through cleanup: propagate nothing meaningful.
      if (NotCtx.CleanupSeen) {
        if (NotCtx.UserRequest === null) CompleteUserRequest = false;
        else {
          Status = STATUS_NOTIFY_CLEANUP;
          SizeWeReturn = 0;
        }
        break NcPostNotifyDirectoryRealCleanup;
      }
      //  The user cancelled: completing subrequests fail, so none is reissued after the cancel.
      if (NotCtx.CancelSeen) Data.IoStatus = { ...Data.IoStatus, Status: STATUS_CANCELLED };
      //  Flow failures back to the user's request, if there is one.
      if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Status === STATUS_NOTIFY_CLEANUP || Data.IoStatus.Status === STATUS_NOTIFY_ENUM_DIR) {
        Status = Data.IoStatus.Status;
        SizeWeReturn = 0;
        if (NotCtx.UserRequest === null) {
          CompleteUserRequest = false;
          //  The file system asks for a rescan with no user request here: tell the next one.
          if (Data.IoStatus.Status === STATUS_NOTIFY_ENUM_DIR) NotCtx.InsufficientBufferSeen = true;
        }
        break NcPostNotifyDirectoryRealCleanup;
      }
      const InstanceContext = NotCtx.InstanceContext!.Data;
      let dest = NcGetDestinationNotifyBuffer(Data);
      Status = dest.status;
      if (!NT_SUCCESS(Status)) break NcPostNotifyDirectoryRealCleanup;
      if (SizeActuallyReturned > FILE_NOTIFY_INFORMATION_FileName) {
        //  Copy what the file system returned: the buffer may change under us.
        SourceBuffer = dest.DestBuffer!.slice(0, SizeActuallyReturned);
        //  A subrequest's results go to the user's request, if we hold one.
        if (RequestContext.RequestType === 'NotifyShadowRequest' || RequestContext.RequestType === 'NotifyMappingRequest') {
          if (NotCtx.UserRequest !== null) {
            dest = NcGetDestinationNotifyBuffer(NotCtx.UserRequest);
            Status = dest.status;
            if (!NT_SUCCESS(Status)) break NcPostNotifyDirectoryRealCleanup;
          } else {
            //  Merge mode only (not ported): buffer the results for the next call.
            CompleteUserRequest = false;
            NotCtx.BufferToFree = dest.BufferSize > 0 ? new Uint8Array(dest.BufferSize) : null;
            dest = { status: STATUS_SUCCESS, DestBuffer: NotCtx.BufferToFree, BufferSize: dest.BufferSize };
          }
        }
        let InputConsumed = 0;
        if (dest.BufferSize > 0) {
          const translated = NcDirNotifyTranslateBuffers(
            InstanceContext,
            NotCtx.IgnoreCase,
            NotCtx.UserRequestName!,
            RequestContext.RequestType === 'NotifyMappingRequest' ? NotCtx.MappingParentName! : NotCtx.UserRequestName!,
            SourceBuffer,
            dest.DestBuffer!,
            SizeActuallyReturned,
            dest.BufferSize,
            NotCtx.Mode === 'Munge' || NotCtx.Mode === 'Merge',
            RequestContext.RequestType === 'NotifyMappingRequest',
          );
          Status = translated.status;
          InputConsumed = translated.InputBufferConsumed;
          SizeWeReturn = translated.OutputBufferWritten;
        }
        if (!NT_SUCCESS(Status)) {
          //  Do not leave a garbage buffer to be picked up again.
          if (dest.DestBuffer === NotCtx.BufferToFree) {
            NotCtx.BufferToFree = null;
            NotCtx.BufferLength = 0;
          }
          break NcPostNotifyDirectoryRealCleanup;
        }
        //  The translation did not fit the caller's buffer: STATUS_NOTIFY_ENUM_DIR (rescan).
        if (dest.BufferSize === 0 || InputConsumed < SizeActuallyReturned) {
          if (!CompleteUserRequest) {
            NotCtx.BufferToFree = null;
            NotCtx.BufferLength = 0;
            NotCtx.InsufficientBufferSeen = true;
          }
          SizeWeReturn = 0;
          Status = STATUS_NOTIFY_ENUM_DIR;
          break NcPostNotifyDirectoryRealCleanup;
        }
        Status = STATUS_SUCCESS;
        if (dest.DestBuffer === NotCtx.BufferToFree) NotCtx.BufferLength = SizeWeReturn;
        //  Everything was filtered out: do not tell the caller nothing happened; reissue the request.
        if (SizeWeReturn === 0) {
          if (dest.DestBuffer === NotCtx.BufferToFree) {
            NotCtx.BufferToFree = null;
            NotCtx.BufferLength = 0;
          }
          const own = NcGetDestinationNotifyBuffer(Data);
          Status = own.status;
          if (!NT_SUCCESS(Status)) break NcPostNotifyDirectoryRealCleanup;
          const OldMdl = NotifyDirectory(Data).MdlAddress ?? null;
          const WorkItem = yield* FltAllocateGenericWorkItem();
          //  Reinitialize the request with the buffer it used: it is one of ours, so system buffered.
          FltReuseCallbackData(Data);
          Data.Iopb.MajorFunction = IRP_MJ_DIRECTORY_CONTROL;
          Data.Iopb.MinorFunction = IRP_MN_NOTIFY_CHANGE_DIRECTORY;
          Data.Iopb.OperationFlags = NotCtx.OperationFlags;
          Data.Iopb.Parameters = { DirectoryControl: { NotifyDirectory: { Length: own.BufferSize, DirectoryBuffer: own.DestBuffer, CompletionFilter: NotCtx.CompletionFilter, MdlAddress: OldMdl as null } } };
          if (own.BufferSize > 0) Data.Flags |= FLTFL_CALLBACK_DATA_SYSTEM_BUFFER;
          //  New I/O is issued from PASSIVE_LEVEL, where TopLevelIrp is surely NULL.
          Status = FltQueueGenericWorkItem(WorkItem, NcGlobalData.FilterHandle!, NcReissueNotifyRequestWorkerRoutine, 'DelayedWorkQueue', RequestContext);
          if (NT_SUCCESS(Status)) {
            ReissuedRequest = true;
            CompleteUserRequest = false;
          } else {
            break NcPostNotifyDirectoryRealCleanup;
          }
        }
      } else {
        //  Less than one entry: return nothing.
        SizeWeReturn = 0;
        if (NotCtx.UserRequest === null) CompleteUserRequest = false;
      }
    }
    // NcPostNotifyDirectoryRealCleanup:
    //  A subrequest is done with: take it out of the context and tear it down (unless reissued).
    if (!ReissuedRequest && (RequestContext.RequestType === 'NotifyShadowRequest' || RequestContext.RequestType === 'NotifyMappingRequest')) {
      if (Data === NotCtx.ShadowRequest) NotCtx.ShadowRequest = null;
      if (Data === NotCtx.MappingRequest) NotCtx.MappingRequest = null;
      yield* NcCleanupSubNotifyRequest(Data);
    }
    if (CompleteUserRequest) {
      const UserRequest = NotCtx.UserRequest!;
      UserRequest.IoStatus = { Status, Information: NT_SUCCESS(Status) ? SizeWeReturn : 0 };
      if (RequestContext.RequestType !== 'NotifyUserRequest') {
        //  Clear the cancel routine; if the cancel already ran it completes the request, else it is ours.
        const CancelStatus = FltClearCancelCompletion(UserRequest);
        if (CancelStatus !== STATUS_CANCELLED) {
          NotCtx.UserRequest = null;
          yield* NcUnlockStreamHandleContext(HandleContext);
          UnlockContext = false;
          yield* FltCompletePendedPreOperation(UserRequest, FLT_PREOP_COMPLETE, null);
        }
      } else {
        NotCtx.UserRequest = null;
      }
    }
    SourceBuffer = null;
    if (UnlockContext) yield* NcUnlockStreamHandleContext(HandleContext);
    //  With the lock dropped, drop our references.
    if (!ReissuedRequest) yield* NcFreeNotifyRequestContext(RequestContext);
  }

  /** The user's request completed in Munge mode, made safe (≤ APC_LEVEL) by FltDoCompletionProcessingWhenSafe. */
  function* NcPostNotifyDirectorySafe(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, _Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    yield* NcPostNotifyDirectoryReal(Data, CompletionContext);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /** The post-operation of the user's request (Munge mode); may run at DISPATCH_LEVEL. */
  function* NcPostNotifyDirectory(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    let Status: FLT_POSTOP_CALLBACK_STATUS;
    if (FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING)) {
      //  A user request we sent down; we no longer own it.
      yield* NcFreeNotifyRequestContext(CompletionContext as NC_NOTIFY_REQUEST_CONTEXT);
      Status = FLT_POSTOP_FINISHED_PROCESSING;
    } else {
      //  Completion at APC_LEVEL or below, so nothing needs to be nonpaged.
      const safe = yield* FltDoCompletionProcessingWhenSafe(Data, FltObjects, CompletionContext, Flags, NcPostNotifyDirectorySafe);
      Status = safe.RetPostOperationStatus;
      if (!safe.value) {
        Data.IoStatus = { Status: STATUS_UNSUCCESSFUL, Information: 0 };
        Status = FLT_POSTOP_FINISHED_PROCESSING;
      }
    }
    return Status;
  }

  /** Reissue a subrequest from a work item; FltMgr calls the completion routine even on failure. */
  function* NcReissueNotifyRequestWorkerRoutine(WorkItem: FltWorkItem, _Filter: unknown, RequestPtr: unknown): Blocking<void> {
    const RequestContext = RequestPtr as NC_NOTIFY_REQUEST_CONTEXT;
    //  Cancelled or cleaned up meanwhile: the file system completes it at once.
    yield* FltPerformAsynchronousIo(RequestContext.Request, NcPostNotifyDirectoryReal, RequestContext);
    FltFreeGenericWorkItem(WorkItem);
  }

  return { NcPreNotifyDirectory, NcPostNotifyDirectory };
}

