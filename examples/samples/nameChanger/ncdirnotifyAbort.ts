/**
 * ncdirnotify.c of the NameChanger sample, second part: aborting a change notification from the
 * user's cancel (NcNotifyCancelCallback) or from handle cleanup (NcStreamHandleContextNotCleanup),
 * through NcNotifyAbort, and the setup and teardown of the notification part of the stream handle
 * context (NcStreamHandleContextNotCreate / NotClose). The first part is ncdirnotify.ts.
 *
 * Merge mode is not ported (ncdirnotify.ts says why), so RealParentHandle, RealParentFileObject and
 * RealParentCloseWorkItem are always NULL here and NcNotifyAbort's close of the mapping parent
 * handle on a work item (NcCloseHandleWorkerRoutine) has nothing to do; it is left out.
 */
import {
  FLT_PREOP_COMPLETE,
  FltCancelIo,
  FltClearCancelCompletion,
  FltCompletePendedPreOperation,
  FltGetStreamHandleContext,
  FltReleaseContext,
  NT_SUCCESS,
  STATUS_CANCELLED,
  STATUS_NOTIFY_CLEANUP,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type NTSTATUS,
} from '../../../src/index.js';
import { NcLockStreamHandleContext, NcUnlockStreamHandleContext, type NC_DIR_NOT_CONTEXT, type NC_STREAM_HANDLE_CONTEXT, type PNC_STREAM_HANDLE_CONTEXT } from './nc.js';

/**
 * Abort a change notification: called with the context lock held, from cancel (STATUS_CANCELLED)
 * and from handle cleanup (STATUS_NOTIFY_CLEANUP). It may drop the lock (LockHeld.value FALSE on
 * return) to complete the user's request and cancel the subrequests. When racing with a cancel,
 * cancel always wins.
 */
export function* NcNotifyAbort(HandleContext: PNC_STREAM_HANDLE_CONTEXT, Status: NTSTATUS, LockHeld: { value: boolean }): Blocking<void> {
  const NotCtx = HandleContext.Data.DirectoryNotificationContext;
  //  In the Munge case the request is owned by the filesystem: it completes it at cleanup.
  if (NotCtx.Mode === 'Filter' || NotCtx.Mode === 'Merge') {
    let RequestToComplete = NotCtx.UserRequest;
    const RequestToCancel1 = NotCtx.ShadowRequest;
    const RequestToCancel2 = NotCtx.MappingRequest;
    NotCtx.ShadowRequest = null;
    NotCtx.MappingRequest = null;
    NotCtx.RealParentHandle = null;
    NotCtx.RealParentFileObject = null;
    //  Clear the cancel callback on the user's request. If that fails we are cancelling it
    //  ourselves, or we are in cleanup racing with a cancel: cancel always wins.
    if (RequestToComplete !== null) {
      const CancelStatus = FltClearCancelCompletion(RequestToComplete);
      if (CancelStatus === STATUS_CANCELLED && Status !== STATUS_CANCELLED) {
        RequestToComplete = null;
      } else {
        NotCtx.UserRequest = null;
      }
    }
    yield* NcUnlockStreamHandleContext(HandleContext);
    LockHeld.value = false;
    if (RequestToComplete !== null) {
      RequestToComplete.IoStatus = { Status, Information: 0 };
      yield* FltCompletePendedPreOperation(RequestToComplete, FLT_PREOP_COMPLETE, null);
    }
    //  Cancel any outstanding IOs, ignoring status. A request not yet at the file system is only
    //  marked; one already completing finishes soon, and CleanupSeen/CancelSeen are already set.
    if (RequestToCancel1 !== null) yield* FltCancelIo(RequestToCancel1);
    if (RequestToCancel2 !== null) yield* FltCancelIo(RequestToCancel2);
  }
}

/** The cancel routine of the user's request (FltSetCancelCompletion), in Filter and Merge modes. */
export function* NcNotifyCancelCallback(Data: FLT_CALLBACK_DATA): Blocking<void> {
  //  Find the context of this request (FltObjects are not given to a cancel routine).
  const got = yield* FltGetStreamHandleContext<NC_STREAM_HANDLE_CONTEXT>(Data.Iopb.TargetInstance!, Data.Iopb.TargetFileObject!);
  if (!NT_SUCCESS(got.status)) return;
  const HandleContext = got.context!;
  const NotCtx = HandleContext.Data.DirectoryNotificationContext;
  yield* NcLockStreamHandleContext(HandleContext);
  const UnlockContext = { value: true };
  //  Completing subrequests racing with us drain out with STATUS_CANCELLED from here; the flag is
  //  cleared by the user's next request on this handle.
  NotCtx.CancelSeen = true;
  //  A cancelling user does not expect the whole picture: drop any held-over buffer.
  if (NotCtx.BufferToFree !== null) {
    NotCtx.BufferToFree = null;
    NotCtx.BufferLength = 0;
  }
  //  This call may drop the lock; then nothing more may be torn down here.
  yield* NcNotifyAbort(HandleContext, STATUS_CANCELLED, UnlockContext);
  if (UnlockContext.value) {
    yield* NcUnlockStreamHandleContext(HandleContext);
    UnlockContext.value = false;
  }
  FltReleaseContext(HandleContext);
}

/** Initialize the notification part of a new stream handle context. */
export function NcStreamHandleContextNotCreate(): { status: NTSTATUS; Context: NC_DIR_NOT_CONTEXT } {
  return {
    status: STATUS_SUCCESS,
    Context: {
      Mode: 'Uninitialized',
      CancelSeen: false,
      CleanupSeen: false,
      IgnoreCase: false,
      InsufficientBufferSeen: false,
      WatchTree: false,
      OperationFlags: 0,
      CompletionFilter: 0,
      UserRequestName: null,
      MappingParentName: null,
      UserRequest: null,
      ShadowRequest: null,
      MappingRequest: null,
      InstanceContext: null,
      RealParentHandle: null,
      RealParentFileObject: null,
      BufferToFree: null,
      BufferLength: 0,
    },
  };
}

/**
 * IRP_MJ_CLEANUP of the user's handle (from NcPostCleanupCallback): outstanding requests complete
 * with STATUS_NOTIFY_CLEANUP and no new work starts; tear down what can be torn down now.
 */
export function* NcStreamHandleContextNotCleanup(HandleContext: PNC_STREAM_HANDLE_CONTEXT): Blocking<void> {
  const NotCtx = HandleContext.Data.DirectoryNotificationContext;
  yield* NcLockStreamHandleContext(HandleContext);
  const UnlockContext = { value: true };
  //  Outstanding requests now complete without propagating status or buffering results.
  NotCtx.CleanupSeen = true;
  //  Complete our requests (this may drop the lock).
  yield* NcNotifyAbort(HandleContext, STATUS_NOTIFY_CLEANUP, UnlockContext);
  if (!UnlockContext.value) {
    yield* NcLockStreamHandleContext(HandleContext);
    UnlockContext.value = true;
  }
  //  Requests may remain; the completion routine sees CleanupSeen and does nothing with them.
  NotCtx.UserRequestName = null;
  NotCtx.MappingParentName = null;
  NotCtx.BufferToFree = null;
  NotCtx.BufferLength = 0;
  if (NotCtx.InstanceContext !== null) {
    FltReleaseContext(NotCtx.InstanceContext);
    NotCtx.InstanceContext = null;
  }
  NotCtx.Mode = 'Uninitialized';
  yield* NcUnlockStreamHandleContext(HandleContext);
  UnlockContext.value = false;
}

/**
 * Tear down the notification part of a stream handle context (its cleanup callback). No subrequest
 * may still be outstanding: CleanupSeen or FltMgr's drain kept them from coming back.
 */
export function NcStreamHandleContextNotClose(Context: NC_DIR_NOT_CONTEXT): void {
  Context.RealParentFileObject = null;
  Context.RealParentHandle = null;
  Context.UserRequestName = null;
  Context.MappingParentName = null;
  Context.BufferToFree = null;
  Context.BufferLength = 0;
  Context.Mode = 'Uninitialized';
  if (Context.InstanceContext !== null) {
    FltReleaseContext(Context.InstanceContext);
    Context.InstanceContext = null;
  }
}
