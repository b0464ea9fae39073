/**
 * scan.c: the scans. AvScanInUser asks the user-mode scanner over the scan port and waits for it
 * (cancellably, with the scan timeout); AvScanInKernel maps a data-scan section into the current
 * process and searches it itself. AvCloseSectionForDataScan is the one way the filter closes a
 * section: clear the back-pointer, dereference the section object, FltCloseSectionForDataScan.
 */
import {
  FltCancellableWaitForSingleObject,
  FltCloseSectionForDataScan,
  FltCreateSectionForDataScan,
  FltSendMessage,
  FsRtlEnterFileSystem,
  FsRtlExitFileSystem,
  IRP_MJ_CLEANUP,
  IRP_MJ_CREATE,
  InterlockedExchangePointer,
  KeInitializeEvent,
  KeSetEvent,
  NT_SUCCESS,
  NotificationEvent,
  NtCurrentProcess,
  OBJ_CASE_INSENSITIVE,
  OBJ_KERNEL_HANDLE,
  ObDereferenceObject,
  PAGE_READONLY,
  SEC_COMMIT,
  SECTION_MAP_READ,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_PORT_DISCONNECTED,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  ViewUnmap,
  ZwClose,
  ZwMapViewOfSection,
  ZwUnmapViewOfSection,
  preempt,
  viewBytes,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFLT_CONTEXT,
} from '../../../src/index.js';
import { AV_SCANNER_NOTIFICATION_SIZE, AvMsgStartScanning, AvScanOnCleanup, AvScanOnOpen, AvScanResultClean, AvScanResultInfected, AvScanResultUndetermined, decodedPattern, encodeNotification, type AVSCAN_RESULT } from './avlib.js';
import { IS_FILE_NEED_SCAN, SET_FILE_STATE_EX, type AV_SECTION_CONTEXT, type AV_STREAM_CONTEXT, type AvGlobals, type AvCalls } from './avscanTypes.js';
import { AvAcquireResourceExclusive, AvReleaseResource } from './utility.js';

/** 1 ms in 100-ns units, as the C's _1ms. */
const _1ms = 10000;
/** Bytes searched between two polls of the cancel flag: the polls are the scheduling points a scan offers. */
export const SCAN_CHUNK = 8;

/**
 * AvScanMemoryStream: search for the decoded pattern, polling *OperationCanceled; Undetermined if
 * cancelled. A kernel scan of a mapped view; the poll between chunks is where an abort can land.
 */
export function* AvScanMemoryStream(StartingAddress: Uint8Array, Size: number, OperationCanceled: { value: boolean }): Blocking<AVSCAN_RESULT> {
  const target = decodedPattern();
  const end = Size - target.length;
  for (let p = 0; p <= end; p++) {
    if (p % SCAN_CHUNK === 0) yield* preempt();
    if (OperationCanceled.value) return AvScanResultUndetermined;
    if (target.every((b, i) => StartingAddress[p + i] === b)) return AvScanResultInfected;
  }
  OperationCanceled.value = false;
  return AvScanResultClean;
}

export function scanRoutines(Globals: AvGlobals, R: AvCalls) {
  /** AvMapSectionAndScan: map the section into the current process (ZwOpenProcess of the current process is NtCurrentProcess() here), scan, unmap. */
  function* AvMapSectionAndScan(SectionContext: PFLT_CONTEXT<AV_SECTION_CONTEXT>): Blocking<{ status: NTSTATUS; scanResult: AVSCAN_RESULT }> {
    const c = SectionContext.Data;
    const map = yield* ZwMapViewOfSection(c.SectionHandle!, NtCurrentProcess(), 0, 0, null, ViewUnmap, 0, PAGE_READONLY);
    if (!NT_SUCCESS(map.status)) return { status: map.status, scanResult: AvScanResultUndetermined };
    const scanResult = yield* AvScanMemoryStream(viewBytes(map.BaseAddress!), Math.min(map.ViewSize, c.FileSize), c.Aborted);
    yield* ZwUnmapViewOfSection(NtCurrentProcess(), map.BaseAddress!);
    return { status: map.status, scanResult };
  }

  /** AvScanInKernel: a data-scan section with a kernel handle, scanned here; the result goes into the stream context. */
  function* AvScanInKernel(FltObjects: FLT_RELATED_OBJECTS, IOMajorFunctionAtScan: number, IsInTxWriter: boolean, StreamContext: PFLT_CONTEXT<AV_STREAM_CONTEXT>): Blocking<NTSTATUS> {
    const created = yield* R.AvCreateSectionContext(FltObjects.Instance, FltObjects.FileObject!);
    if (!NT_SUCCESS(created.status)) return created.status;
    const sectionContext = created.context!;
    sectionContext.Data.CancelableOnConflictingIo = IOMajorFunctionAtScan === IRP_MJ_CLEANUP;
    const s = yield* FltCreateSectionForDataScan(FltObjects.Instance, FltObjects.FileObject!, sectionContext, SECTION_MAP_READ, { Attributes: OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE }, null, PAGE_READONLY, SEC_COMMIT, 0);
    // issue #847: on failure the section context is not released (kept as the sample has it).
    if (!NT_SUCCESS(s.status)) return s.status;
    sectionContext.Data.SectionHandle = s.SectionHandle;
    sectionContext.Data.SectionObject = s.SectionObject;
    const scan = yield* AvMapSectionAndScan(sectionContext);
    if (scan.scanResult === AvScanResultClean) SET_FILE_STATE_EX(IsInTxWriter, StreamContext.Data, 'AvFileNotInfected');
    else if (scan.scanResult === AvScanResultInfected) SET_FILE_STATE_EX(IsInTxWriter, StreamContext.Data, 'AvFileInfected');
    else SET_FILE_STATE_EX(IsInTxWriter, StreamContext.Data, 'AvFileUnknown');
    // The kernel handle: the C leaves it to AvFinalizeSectionContext's ObDereferenceObject; the handle is closed here.
    yield* ZwClose(s.SectionHandle!);
    return yield* R.AvFinalizeSectionContext(sectionContext);
  }

  /**
   * AvScanInUser: register a scan context, tell the scanner to start (FltSendMessage with the scan
   * timeout; the reply is the scanning thread's id), then wait for ScanCompleteNotification,
   * cancellably. On a failed or timed-out wait: ask the scanner to abort and give it a second; if
   * that fails too, finalize the scan and section here.
   */
  function* AvScanInUser(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, IOMajorFunctionAtScan: number, IsInTxWriter: boolean, _DeviceType: number): Blocking<NTSTATUS> {
    const allocated = yield* R.AvAllocateScanContext(FltObjects.Instance, FltObjects.FileObject!);
    if (!NT_SUCCESS(allocated.status)) return allocated.status;
    const scanCtx = allocated.scanCtx!;
    yield* KeInitializeEvent(scanCtx.ScanCompleteNotification, NotificationEvent, false);
    scanCtx.IOMajorFunctionAtScan = IOMajorFunctionAtScan;
    scanCtx.IsFileInTxWriter = IsInTxWriter;
    scanCtx.SectionContext.value = null;

    yield* AvAcquireResourceExclusive(Globals.ScanCtxListLock);
    if (Globals.Unloading) {
      yield* AvReleaseResource(Globals.ScanCtxListLock);
      yield* R.AvReleaseScanContext(scanCtx);
      return STATUS_FLT_DELETING_OBJECT;
    }
    scanCtx.ScanId = ++Globals.ScanIdCounter;
    Globals.ScanCtxListHead.push(scanCtx);
    yield* AvReleaseResource(Globals.ScanCtxListLock);

    const notification = encodeNotification({ Message: AvMsgStartScanning, ScanId: scanCtx.ScanId, Reason: IOMajorFunctionAtScan === IRP_MJ_CLEANUP ? AvScanOnCleanup : AvScanOnOpen, ScanThreadId: 0 });
    const timeout = -(Globals.LocalScanTimeout * _1ms);
    const reply = new Uint8Array(4);
    const replyLength = { value: 4 };
    let status = yield* FltSendMessage(Globals.Filter!, Globals.ScanClientPort, notification, AV_SCANNER_NOTIFICATION_SIZE, reply, replyLength, timeout);
    if (!NT_SUCCESS(status) || status === STATUS_TIMEOUT) {
      if (status !== STATUS_PORT_DISCONNECTED && status !== STATUS_TIMEOUT) Globals.DbgPrint.push(`[Av]: AvScanInUser: Failed to FltSendMessage, 0x${status.toString(16)}`);
    } else {
      scanCtx.ScanThreadId = new DataView(reply.buffer).getUint32(0, true);
      status = yield* FltCancellableWaitForSingleObject(scanCtx.ScanCompleteNotification, timeout, Data);
      if (!NT_SUCCESS(status) || status === STATUS_TIMEOUT) {
        let statusAbort = yield* R.AvSendAbortToUser(scanCtx.ScanThreadId, scanCtx.ScanId);
        if (NT_SUCCESS(statusAbort) && statusAbort !== STATUS_TIMEOUT) {
          statusAbort = yield* FltCancellableWaitForSingleObject(scanCtx.ScanCompleteNotification, -1000 * _1ms, null);
        }
        if (!NT_SUCCESS(statusAbort) || statusAbort === STATUS_TIMEOUT) {
          scanCtx.IoWaitOnScanCompleteNotificationAborted = true;
          yield* R.AvFinalizeScanAndSection(scanCtx);
        }
      }
      // The wait was cancelled (CancelSynchronousIo): the open is undone.
      if (!NT_SUCCESS(status) && IOMajorFunctionAtScan === IRP_MJ_CREATE) yield* R.AvCancelFileOpen(Data, FltObjects, status);
    }
    yield* AvAcquireResourceExclusive(Globals.ScanCtxListLock);
    Globals.ScanCtxListHead.splice(Globals.ScanCtxListHead.indexOf(scanCtx), 1);
    yield* AvReleaseResource(Globals.ScanCtxListLock);
    yield* R.AvReleaseScanContext(scanCtx);
    return status;
  }

  /** AvCloseSectionForDataScan: synchronised with AvScanAbortCallbackAsync through the exchange of ScanContext. */
  function* AvCloseSectionForDataScan(SectionContext: PFLT_CONTEXT<AV_SECTION_CONTEXT>): Blocking<NTSTATUS> {
    const c = SectionContext.Data;
    yield* InterlockedExchangePointer(c.ScanContext, null);
    yield* ObDereferenceObject(c.SectionObject!);
    c.SectionHandle = null;
    c.SectionObject = null;
    return yield* FltCloseSectionForDataScan(SectionContext);
  }

  /** AvScan (avscan.c): serialise scans of the stream on its event, then scan if it still needs one. */
  function* AvScan(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, ScanMode: 'AvUserMode' | 'AvKernelMode', IOMajorFunctionAtScan: number, IsInTxWriter: boolean, StreamContext: PFLT_CONTEXT<AV_STREAM_CONTEXT>): Blocking<NTSTATUS> {
    const size = yield* R.AvGetFileSize(FltObjects.Instance, FltObjects.FileObject!);
    if (NT_SUCCESS(size.status) && size.size === 0) {
      StreamContext.Data.State = 'AvFileNotInfected';
      return STATUS_SUCCESS;
    }
    yield* FsRtlEnterFileSystem();
    let status = yield* FltCancellableWaitForSingleObject(StreamContext.Data.ScanSynchronizationEvent, null, Data);
    if (NT_SUCCESS(status)) {
      // Again: the file may have been scanned (and found clean) while this thread waited.
      if (IS_FILE_NEED_SCAN(StreamContext.Data)) {
        status = ScanMode === 'AvUserMode' ? yield* AvScanInUser(Data, FltObjects, IOMajorFunctionAtScan, IsInTxWriter, 0) : yield* AvScanInKernel(FltObjects, IOMajorFunctionAtScan, IsInTxWriter, StreamContext);
        if (!NT_SUCCESS(status) || status === STATUS_TIMEOUT) Globals.DbgPrint.push('[AV] AvScan: failed to scan the file.');
      }
      yield* KeSetEvent(StreamContext.Data.ScanSynchronizationEvent, 0, false);
    } else if (IOMajorFunctionAtScan === IRP_MJ_CREATE) {
      yield* R.AvCancelFileOpen(Data, FltObjects, status);
    }
    yield* FsRtlExitFileSystem();
    return status;
  }

  return { AvMapSectionAndScan, AvScanInKernel, AvScanInUser, AvCloseSectionForDataScan, AvScan };
}
