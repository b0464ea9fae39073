/**
 * communication.c: the three server ports and their callbacks. The scanner's commands arrive in
 * AvMessageNotifyCallback, in the scanner's thread and process: AvCmdCreateSectionForDataScan
 * creates the data-scan section there (so the handle is the scanner's), AvCmdCloseSectionForDataScan
 * records the result and finalizes. Whoever takes the section context out of the scan context
 * (AvFinalizeScanContext's exchange) closes the section: the I/O thread on timeout, the teardown, or
 * the scanner's close command — exactly one of them.
 */
import {
  FLT_ASSERT,
  FltCloseClientPort,
  FltCreateCommunicationPort,
  FltCreateSectionForDataScan,
  FltGetStreamContext,
  FltReferenceContext,
  FltReleaseContext,
  IRP_MJ_CLEANUP,
  InterlockedExchangePointer,
  KeSetEvent,
  NT_SUCCESS,
  NtClose,
  OBJ_CASE_INSENSITIVE,
  OBJ_KERNEL_HANDLE,
  PAGE_READONLY,
  SEC_COMMIT,
  SECTION_MAP_READ,
  STATUS_CANCELLED,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_3,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type Blocking,
  type NTSTATUS,
  type PFLT_CONTEXT,
  type PFLT_PORT,
  type PSECURITY_DESCRIPTOR,
  type SECTION_HANDLE,
} from '../../../src/index.js';
import {
  AV_ABORT_PORT_NAME,
  AV_QUERY_PORT_NAME,
  AV_SCAN_PORT_NAME,
  AvCmdCloseSectionForDataScan,
  AvCmdCreateSectionForDataScan,
  AvConnectForAbort,
  AvConnectForQuery,
  AvConnectForScan,
  AvScanResultClean,
  AvScanResultInfected,
  AvScanResultUndetermined,
  COMMAND_MESSAGE_SIZE,
  decodeCommand,
  writeHandle,
  type AVSCAN_RESULT,
} from './avlib.js';
import { SET_FILE_STATE_EX, type AV_SCAN_CONTEXT, type AV_SECTION_CONTEXT, type AV_STREAM_CONTEXT, type AvGlobals, type AvCalls } from './avscanTypes.js';
import { AvAcquireResourceShared, AvReleaseResource } from './utility.js';

export function communicationRoutines(Globals: AvGlobals, R: AvCalls) {
  /** AvConnectNotifyCallback: the connection context names the port's use; the client port goes into its global. */
  function AvConnectNotifyCallback(ClientPort: PFLT_PORT, _ServerPortCookie: unknown, ConnectionContext: Uint8Array | null, _SizeOfContext: number, ConnectionCookie: { value: unknown }): NTSTATUS {
    if (ConnectionContext === null || ConnectionContext.length < 4) return STATUS_INVALID_PARAMETER_3;
    const type = new DataView(ConnectionContext.buffer, ConnectionContext.byteOffset, 4).getUint32(0, true);
    switch (type) {
      case AvConnectForScan:
        Globals.ScanClientPort.value = ClientPort;
        break;
      case AvConnectForAbort:
        Globals.AbortClientPort.value = ClientPort;
        break;
      case AvConnectForQuery:
        Globals.QueryClientPort.value = ClientPort;
        break;
      default:
        ConnectionCookie.value = null;
        return STATUS_INVALID_PARAMETER_3;
    }
    ConnectionCookie.value = { type };
    return STATUS_SUCCESS;
  }

  function AvDisconnectNotifyCallback(ConnectionCookie: unknown): void {
    const cookie = ConnectionCookie as { type: number } | null;
    if (cookie === null) return;
    const variable = cookie.type === AvConnectForScan ? Globals.ScanClientPort : cookie.type === AvConnectForAbort ? Globals.AbortClientPort : Globals.QueryClientPort;
    FltCloseClientPort(Globals.Filter!, variable);
  }

  /** AvGetScanCtxSynchronized: find the scan by id under the list lock (shared) and reference it. */
  function* AvGetScanCtxSynchronized(ScanId: number): Blocking<{ status: NTSTATUS; scanCtx: AV_SCAN_CONTEXT | null }> {
    yield* AvAcquireResourceShared(Globals.ScanCtxListLock);
    const found = Globals.ScanCtxListHead.find((s) => s.ScanId === ScanId) ?? null;
    if (found !== null) yield* R.AvReferenceScanContext(found);
    yield* AvReleaseResource(Globals.ScanCtxListLock);
    return found === null ? { status: STATUS_UNSUCCESSFUL, scanCtx: null } : { status: STATUS_SUCCESS, scanCtx: found };
  }

  /**
   * AvHandleCmdCreateSectionForDataScan: a section in the scanner's process. The abort flag is
   * checked before and after FltCreateSectionForDataScan: an I/O thread that gave up in between
   * makes this call close the handle and finalize the scan itself.
   */
  function* AvHandleCmdCreateSectionForDataScan(ScanContext: AV_SCAN_CONTEXT): Blocking<{ status: NTSTATUS; sectionHandle: number }> {
    let status: NTSTATUS;
    let sectionHandle = 0;
    let sectionHandleObject: SECTION_HANDLE | null = null;
    let sectionContext: PFLT_CONTEXT<AV_SECTION_CONTEXT> | null = null;
    const got = yield* FltGetStreamContext<AV_STREAM_CONTEXT>(ScanContext.FilterInstance, ScanContext.FileObject);
    const streamContext = got.context;
    status = got.status;
    cleanup: {
      if (!NT_SUCCESS(status)) break cleanup;
      const created = yield* R.AvCreateSectionContext(ScanContext.FilterInstance, ScanContext.FileObject);
      status = created.status;
      if (!NT_SUCCESS(status)) break cleanup;
      const section = created.context!;
      sectionContext = section;
      if (ScanContext.IoWaitOnScanCompleteNotificationAborted) {
        status = STATUS_CANCELLED;
        break cleanup;
      }
      section.Data.ScanContext.value = ScanContext;
      section.Data.CancelableOnConflictingIo = ScanContext.IOMajorFunctionAtScan === IRP_MJ_CLEANUP;
      // The conflict callback may run before this returns, with SectionHandle and SectionObject not yet set.
      const s = yield* FltCreateSectionForDataScan(ScanContext.FilterInstance, ScanContext.FileObject, section, SECTION_MAP_READ, null, null, PAGE_READONLY, SEC_COMMIT, 0);
      status = s.status;
      section.Data.SectionHandle = s.SectionHandle;
      section.Data.SectionObject = s.SectionObject;
      sectionHandleObject = s.SectionHandle;
      if (!NT_SUCCESS(status)) break cleanup;
      // Scanning, so a write during the scan (which sets Modified) makes the result not stick.
      SET_FILE_STATE_EX(ScanContext.IsFileInTxWriter, streamContext!.Data, 'AvFileScanning');
      FltReferenceContext(section);
      ScanContext.SectionContext.value = section;
      sectionHandle = s.SectionHandle!.value;
    }
    if (!NT_SUCCESS(status)) yield* KeSetEvent(ScanContext.ScanCompleteNotification, 0, false);
    if (streamContext !== null) {
      if (!NT_SUCCESS(status)) SET_FILE_STATE_EX(ScanContext.IsFileInTxWriter, streamContext.Data, 'AvFileModified');
      FltReleaseContext(streamContext);
    }
    if (sectionContext !== null) FltReleaseContext(sectionContext);
    if (NT_SUCCESS(status) && ScanContext.IoWaitOnScanCompleteNotificationAborted) {
      status = STATUS_CANCELLED;
      yield* NtClose(sectionHandleObject!);
      yield* AvFinalizeScanAndSection(ScanContext);
    }
    return { status, sectionHandle };
  }

  /**
   * AvUpdateStreamContextWithScanResult: a compare-exchange from Scanning, so a write during the
   * scan keeps the file Modified; on the TxState for a transacted writer's scan, else the State.
   */
  function AvUpdateStreamContextWithScanResult(StreamContext: PFLT_CONTEXT<AV_STREAM_CONTEXT>, ScanContext: AV_SCAN_CONTEXT, ScanResult: AVSCAN_RESULT): NTSTATUS {
    const c = StreamContext.Data;
    const field = ScanContext.IsFileInTxWriter ? 'TxState' : 'State';
    switch (ScanResult) {
      case AvScanResultUndetermined:
        SET_FILE_STATE_EX(ScanContext.IsFileInTxWriter, c, 'AvFileModified');
        break;
      case AvScanResultInfected:
        if (c[field] === 'AvFileScanning') c[field] = 'AvFileInfected';
        break;
      case AvScanResultClean:
        if (c[field] === 'AvFileScanning') c[field] = 'AvFileNotInfected';
        break;
      default:
        FLT_ASSERT(false, 'No such scan result.');
    }
    return STATUS_SUCCESS;
  }

  function* AvFinalizeScanAndSection(ScanContext: AV_SCAN_CONTEXT): Blocking<NTSTATUS> {
    const sectionContext = yield* AvFinalizeScanContext(ScanContext);
    return sectionContext === null ? STATUS_SUCCESS : yield* AvFinalizeSectionContext(sectionContext);
  }

  /** AvFinalizeScanContext: take the section context out (the winner closes it) and release the waiting I/O thread. */
  function* AvFinalizeScanContext(ScanContext: AV_SCAN_CONTEXT): Blocking<PFLT_CONTEXT<AV_SECTION_CONTEXT> | null> {
    const old = yield* InterlockedExchangePointer(ScanContext.SectionContext, null);
    yield* KeSetEvent(ScanContext.ScanCompleteNotification, 0, false);
    return old;
  }

  function* AvFinalizeSectionContext(SectionContext: PFLT_CONTEXT<AV_SECTION_CONTEXT>): Blocking<NTSTATUS> {
    const status = yield* R.AvCloseSectionForDataScan(SectionContext);
    if (!NT_SUCCESS(status)) Globals.DbgPrint.push(`***[AV]: AvFinalizeSectionContext: Close section failed 0x${status.toString(16)}.`);
    R.results.closes.push({ context: SectionContext.id, status });
    FltReleaseContext(SectionContext);
    return status;
  }

  function* AvHandleCmdCloseSectionForDataScan(ScanContext: AV_SCAN_CONTEXT, ScanResult: AVSCAN_RESULT): Blocking<NTSTATUS> {
    const got = yield* FltGetStreamContext<AV_STREAM_CONTEXT>(ScanContext.FilterInstance, ScanContext.FileObject);
    if (NT_SUCCESS(got.status)) AvUpdateStreamContextWithScanResult(got.context!, ScanContext, ScanResult);
    const status = yield* AvFinalizeScanAndSection(ScanContext);
    if (got.context !== null) FltReleaseContext(got.context);
    return status;
  }

  /** AvMessageNotifyCallback: the scanner's commands (AvIsFileModified on the query port is not ported). */
  function* AvMessageNotifyCallback(_ConnectionCookie: unknown, InputBuffer: Uint8Array | null, InputBufferSize: number, OutputBuffer: Uint8Array | null, OutputBufferSize: number, ReturnOutputBufferLength: { value: number }): Blocking<NTSTATUS> {
    if (InputBuffer === null || InputBufferSize < COMMAND_MESSAGE_SIZE) return STATUS_INVALID_PARAMETER;
    const command = decodeCommand(InputBuffer);
    switch (command.Command) {
      case AvCmdCreateSectionForDataScan: {
        if (OutputBuffer === null || OutputBufferSize < 8) return STATUS_INVALID_PARAMETER;
        const got = yield* AvGetScanCtxSynchronized(command.ScanId);
        if (!NT_SUCCESS(got.status)) return STATUS_NOT_FOUND;
        const r = yield* AvHandleCmdCreateSectionForDataScan(got.scanCtx!);
        if (NT_SUCCESS(r.status)) {
          writeHandle(OutputBuffer, r.sectionHandle);
          ReturnOutputBufferLength.value = 8;
        }
        yield* R.AvReleaseScanContext(got.scanCtx!);
        return r.status;
      }
      case AvCmdCloseSectionForDataScan: {
        const result = command.ScanResult as AVSCAN_RESULT;
        if (result === AvScanResultInfected) Globals.DbgPrint.push('[AV]: *******AvCmdCloseSectionForDataScan: infected.');
        const got = yield* AvGetScanCtxSynchronized(command.ScanId);
        if (!NT_SUCCESS(got.status)) return STATUS_NOT_FOUND;
        const status = yield* AvHandleCmdCloseSectionForDataScan(got.scanCtx!, result === AvScanResultClean || result === AvScanResultInfected ? result : AvScanResultUndetermined);
        if (NT_SUCCESS(status)) ReturnOutputBufferLength.value = 0;
        yield* R.AvReleaseScanContext(got.scanCtx!);
        return status;
      }
      default:
        return STATUS_INVALID_PARAMETER;
    }
  }

  /** AvPrepareServerPort: one port per connection type, MaxConnections 1. */
  function AvPrepareServerPort(SecurityDescriptor: PSECURITY_DESCRIPTOR, ConnectionType: number): NTSTATUS {
    const name = ConnectionType === AvConnectForScan ? AV_SCAN_PORT_NAME : ConnectionType === AvConnectForAbort ? AV_ABORT_PORT_NAME : AV_QUERY_PORT_NAME;
    const r = FltCreateCommunicationPort(
      Globals.Filter!,
      { ObjectName: name, Attributes: OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, SecurityDescriptor },
      null,
      AvConnectNotifyCallback,
      AvDisconnectNotifyCallback,
      AvMessageNotifyCallback,
      1,
    );
    if (ConnectionType === AvConnectForScan) Globals.ScanServerPort = r.ServerPort;
    else if (ConnectionType === AvConnectForAbort) Globals.AbortServerPort = r.ServerPort;
    else Globals.QueryServerPort = r.ServerPort;
    return r.status;
  }

  return {
    AvConnectNotifyCallback,
    AvDisconnectNotifyCallback,
    AvGetScanCtxSynchronized,
    AvHandleCmdCreateSectionForDataScan,
    AvUpdateStreamContextWithScanResult,
    AvFinalizeScanAndSection,
    AvFinalizeScanContext,
    AvFinalizeSectionContext,
    AvHandleCmdCloseSectionForDataScan,
    AvMessageNotifyCallback,
    AvPrepareServerPort,
  };
}
