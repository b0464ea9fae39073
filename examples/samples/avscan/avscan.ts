/**
 * avscan.c: DriverEntry, AvUnload, the instance callbacks, the modifying-operation callbacks, the
 * section conflict callback, and AvSendAbortToUser / AvSendUnloadingToUser. The image's routines from
 * context.c, scan.c, communication.c and avscan.c's create and cleanup callbacks (createCleanup.ts),
 * transaction routines (transaction.ts) and file-state cache (cache.ts) are
 * composed here into one table per loaded image (createAvScan), with the globals; a C reader finds
 * each routine under its own name.
 *
 * Ported: user-mode scans at open (post-create) and at cleanup of a modified stream, the scan
 * context list and its lock, the scan and abort ports, the section conflict abort, unload telling
 * the scanner first, and transactions (§22.4: a writer's open enlists, its scans and writes go to
 * the transacted view, the KTM callback propagates or discards it), and the file-state cache (a new
 * stream context loads its file's state by file id; pre-cleanup syncs a clean or infected state;
 * teardown empties the table; cache.ts), and the prefetcher's opens (GUID_ECP_PREFETCH_OPEN: a flagged stream-handle
 * context, never scanned; createCleanup.ts). Not ported: CSVFS, alternate streams and encrypted files
 * (fltsim's file system has neither), IoGetStackLimits (no stack file objects), and the query
 * port's AvIsFileModified (created, never used by the sample's scanner).
 */
import {
  FLT_ASSERT,
  FltGetTransactionContext,
  FLT_INSTANCE_CONTEXT,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PORT_ALL_ACCESS,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FILE_INFORMATION_CLASS,
  ERESOURCE,
  ExInitializeResourceLite,
  RTL_AVL_TABLE,
  RtlDeleteElementGenericTableAvl,
  RtlGetElementGenericTableAvl,
  RtlInitializeGenericTableAvl,
  RtlIsGenericTableEmptyAvl,
  FltAllocateContext,
  FltBuildDefaultSecurityDescriptor,
  FltCloseCommunicationPort,
  FltDeleteInstanceContext,
  FltFreeSecurityDescriptor,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltGetStreamHandleContext,
  FltRegisterFilter,
  FltRegisterForDataScan,
  FltReleaseContext,
  FltSendMessage,
  FltSetInstanceContext,
  FltStartFiltering,
  FltUnregisterFilter,
  IRP_MJ_CLEANUP,
  IRP_MJ_CREATE,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_WRITE,
  NT_SUCCESS,
  NonPagedPoolNx,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_INVALID_PARAMETER_2,
  STATUS_NOT_SUPPORTED,
  STATUS_PORT_DISCONNECTED,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  InterlockedExchangePointer,
  portVariable,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_CONTEXT,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import { AV_SCANNER_NOTIFICATION_SIZE, AvConnectForAbort, AvConnectForQuery, AvConnectForScan, AvMsgAbortScanning, AvMsgFilterUnloading, encodeNotification } from './avlib.js';
import { AV_FLAG_PREFETCH, FS_SUPPORTS_FILE_STATE_CACHE, type AV_INSTANCE_CONTEXT, type AV_SECTION_CONTEXT, type AV_STREAM_CONTEXT, type AV_STREAMHANDLE_CONTEXT, type AvCalls, type AvGlobals, type AvResults } from './avscanTypes.js';
import { AvAcquireResourceExclusive, AvAllocateGenericTableEntry, AvCompareEntry, AvFreeGenericTableEntry, AvReleaseResource } from './utility.js';
import { cacheRoutines } from './cache.js';
import { createCleanupRoutines } from './createCleanup.js';
import { communicationRoutines } from './communication.js';
import { AvGetFileSize, contextRoutines } from './context.js';
import { scanRoutines } from './scan.js';
import { transactionRoutines } from './transaction.js';

const FSCTL_OFFLOAD_WRITE = 0x00098268;
const FSCTL_WRITE_RAW_ENCRYPTED = 0x000900df;
const FSCTL_SET_ZERO_DATA = 0x000980c8;
const FSCTL_TXFS_SAVEPOINT_INFORMATION = 0x00098288;
const _1ms = 10000;

/** The image's routine table: every routine of the four files, by its C name. */
export type AvRoutines = ReturnType<typeof contextRoutines> &
  ReturnType<typeof scanRoutines> &
  ReturnType<typeof communicationRoutines> &
  ReturnType<typeof transactionRoutines> &
  ReturnType<typeof cacheRoutines> &
  ReturnType<typeof createCleanupRoutines> &
  ReturnType<typeof filterRoutines> & { AvGetFileSize: typeof AvGetFileSize; results: AvResults };

export interface AvScanConfig {
  /** LocalScanTimeout (ms): the registry value; the C default is 30000. */
  readonly LocalScanTimeout?: number;
  /** Not in the C: AvPreCleanup syncs only a clean or infected file, as its comment says (fltsim's finding, docs/samples.md). */
  readonly fixCacheSync?: boolean;
}

export interface AvScanImage {
  readonly Globals: AvGlobals;
  readonly routines: AvRoutines;
  readonly DriverEntry: (DriverObject: PDRIVER_OBJECT) => Blocking<NTSTATUS>;
}

export function createAvScan(config: AvScanConfig = {}): AvScanImage {
  const Globals: AvGlobals = {
    Filter: null,
    ScanServerPort: null,
    AbortServerPort: null,
    QueryServerPort: null,
    ScanClientPort: portVariable(),
    AbortClientPort: portVariable(),
    QueryClientPort: portVariable(),
    ScanCtxListHead: [],
    ScanCtxListLock: new ERESOURCE('ScanCtxListLock'),
    ScanIdCounter: 0,
    Unloading: false,
    LocalScanTimeout: config.LocalScanTimeout ?? 30000,
    FixCacheSync: config.fixCacheSync ?? false,
    NetworkScanTimeout: 60000,
    DbgPrint: [],
  };
  const R = { AvGetFileSize, results: { closes: [] } } as unknown as AvRoutines & AvCalls;
  Object.assign(R, contextRoutines(Globals));
  Object.assign(R, scanRoutines(Globals, R));
  Object.assign(R, communicationRoutines(Globals, R));
  Object.assign(R, transactionRoutines(Globals, R));
  Object.assign(R, cacheRoutines(Globals));
  Object.assign(R, createCleanupRoutines(Globals, R));
  Object.assign(R, filterRoutines(Globals, R));
  return { Globals, routines: R, DriverEntry: R.DriverEntry };
}

function filterRoutines(Globals: AvGlobals, R: AvCalls) {
  /**
   * AvInstanceSetup: not on network volumes; an instance context, with the file-state cache (an AVL
   * table keyed by file id, and its ERESOURCE) where the file system's ids are unique (NTFS, ReFS);
   * FltRegisterForDataScan. (AvIsVolumeOnCsvDisk is not ported: the model has no CSV disks.)
   */
  function* AvInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, _Flags: number, VolumeDeviceType: string, VolumeFilesystemType: string): Blocking<NTSTATUS> {
    if (VolumeDeviceType === 'FILE_DEVICE_NETWORK_FILE_SYSTEM') return STATUS_FLT_DO_NOT_ATTACH;
    const isOnCsv = false;
    const r = FltAllocateContext<AV_INSTANCE_CONTEXT>(Globals.Filter!, FLT_INSTANCE_CONTEXT, 32, NonPagedPoolNx);
    if (r.context === null) return STATUS_FLT_DO_NOT_ATTACH;
    // RtlZeroMemory, then the fields.
    const instanceContext = r.context;
    Object.assign(instanceContext.Data, { FileStateCacheTable: new RTL_AVL_TABLE(), Resource: new ERESOURCE('AV_INSTANCE_CONTEXT.Resource') });
    instanceContext.Data.Volume = FltObjects.Volume;
    instanceContext.Data.Instance = FltObjects.Instance;
    instanceContext.Data.VolumeFSType = VolumeFilesystemType;
    instanceContext.Data.IsOnCsvMDS = isOnCsv;
    // One cache table per instance where file ids are unique; unbounded, as the sample says a production filter should not be.
    if (FS_SUPPORTS_FILE_STATE_CACHE(VolumeFilesystemType)) {
      yield* ExInitializeResourceLite(instanceContext.Data.Resource);
      RtlInitializeGenericTableAvl(instanceContext.Data.FileStateCacheTable, AvCompareEntry, AvAllocateGenericTableEntry, AvFreeGenericTableEntry, null);
    }
    const status = yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, instanceContext, null);
    FltReleaseContext(instanceContext);
    if (!NT_SUCCESS(status)) return STATUS_FLT_DO_NOT_ATTACH;
    if (!NT_SUCCESS(FltRegisterForDataScan(FltObjects.Instance))) return STATUS_FLT_DO_NOT_ATTACH;
    return STATUS_SUCCESS;
  }

  function AvInstanceQueryTeardown(): NTSTATUS {
    return STATUS_SUCCESS;
  }

  /**
   * AvInstanceTeardownStart: for each scan of this instance, tell the scanner to abort (holding the
   * list lock across the send); if that cannot be delivered, finalize the scan and section here. Then
   * empty the file-state cache (element 0, deleted, until none is left) and delete the instance context.
   */
  function* AvInstanceTeardownStart(FltObjects: FLT_RELATED_OBJECTS): Blocking<void> {
    const got = yield* FltGetInstanceContext<AV_INSTANCE_CONTEXT>(FltObjects.Instance);
    if (!NT_SUCCESS(got.status)) return;
    const instanceContext = got.context!;
    yield* AvAcquireResourceExclusive(Globals.ScanCtxListLock);
    for (const scanCtx of [...Globals.ScanCtxListHead]) {
      if (scanCtx.FilterInstance !== FltObjects.Instance) continue;
      const status = yield* AvSendAbortToUser(scanCtx.ScanThreadId, scanCtx.ScanId);
      if (!NT_SUCCESS(status) || status === STATUS_TIMEOUT) yield* R.AvFinalizeScanAndSection(scanCtx);
    }
    yield* AvReleaseResource(Globals.ScanCtxListLock);
    if (FS_SUPPORTS_FILE_STATE_CACHE(instanceContext.Data.VolumeFSType)) {
      yield* AvAcquireResourceExclusive(instanceContext.Data.Resource);
      while (!RtlIsGenericTableEmptyAvl(instanceContext.Data.FileStateCacheTable)) {
        const entry = RtlGetElementGenericTableAvl(instanceContext.Data.FileStateCacheTable, 0)!;
        Globals.DbgPrint.push(`[AV] AvInstanceTeardownStart: ${entry.FileId.FileId64.UpperZeroes.toString(16)},${entry.FileId.FileId64.Value.toString(16)} requesting deletion, state:${entry.InfectedState}`);
        yield* RtlDeleteElementGenericTableAvl(instanceContext.Data.FileStateCacheTable, entry);
      }
      yield* AvReleaseResource(instanceContext.Data.Resource);
    }
    FltReleaseContext(instanceContext);
    yield* FltDeleteInstanceContext(FltObjects.Instance, null);
  }

  function AvInstanceTeardownComplete(): void {}

  /** DriverEntry: the list lock, the filter, the three ports (one default security descriptor), start filtering. */
  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    yield* ExInitializeResourceLite(Globals.ScanCtxListLock);
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    if (registered.filter === null) return registered.status;
    Globals.Filter = registered.filter;
    const sd = yield* FltBuildDefaultSecurityDescriptor(FLT_PORT_ALL_ACCESS);
    let status = sd.status;
    if (NT_SUCCESS(status)) status = R.AvPrepareServerPort(sd.SecurityDescriptor!, AvConnectForScan);
    if (NT_SUCCESS(status)) status = R.AvPrepareServerPort(sd.SecurityDescriptor!, AvConnectForAbort);
    if (NT_SUCCESS(status)) status = R.AvPrepareServerPort(sd.SecurityDescriptor!, AvConnectForQuery);
    if (NT_SUCCESS(status)) status = yield* FltStartFiltering(Globals.Filter);
    if (sd.SecurityDescriptor !== null) yield* FltFreeSecurityDescriptor(sd.SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
      for (const port of [Globals.ScanServerPort, Globals.AbortServerPort, Globals.QueryServerPort]) if (port !== null) FltCloseCommunicationPort(port);
      yield* FltUnregisterFilter(Globals.Filter);
      Globals.Filter = null;
    }
    return status;
  }

  /** AvUnload: mark Unloading, tell the scanner and wait for its reply, close the ports, unregister. */
  function* AvUnload(): Blocking<NTSTATUS> {
    yield* AvAcquireResourceExclusive(Globals.ScanCtxListLock);
    Globals.Unloading = true;
    yield* AvReleaseResource(Globals.ScanCtxListLock);
    yield* AvSendUnloadingToUser();
    FltCloseCommunicationPort(Globals.ScanServerPort!);
    Globals.ScanServerPort = null;
    FltCloseCommunicationPort(Globals.AbortServerPort!);
    Globals.AbortServerPort = null;
    FltCloseCommunicationPort(Globals.QueryServerPort!);
    Globals.QueryServerPort = null;
    yield* FltUnregisterFilter(Globals.Filter!);
    Globals.Filter = null;
    return STATUS_SUCCESS;
  }

  /** AvOperationsModifyingFile: writes, three FSCTLs, end of file and valid data length. */
  function AvOperationsModifyingFile(Data: FLT_CALLBACK_DATA): boolean {
    const iopb = Data.Iopb;
    switch (iopb.MajorFunction) {
      case IRP_MJ_WRITE:
        return true;
      case IRP_MJ_FILE_SYSTEM_CONTROL: {
        const code = (iopb.Parameters as { FileSystemControl?: { FsControlCode?: number } }).FileSystemControl?.FsControlCode;
        return code === FSCTL_OFFLOAD_WRITE || code === FSCTL_WRITE_RAW_ENCRYPTED || code === FSCTL_SET_ZERO_DATA;
      }
      case IRP_MJ_SET_INFORMATION: {
        const infoClass = (iopb.Parameters as { SetFileInformation?: { FileInformationClass: number } }).SetFileInformation?.FileInformationClass;
        return infoClass === FILE_INFORMATION_CLASS.FileEndOfFileInformation || infoClass === FILE_INFORMATION_CLASS.FileValidDataLengthInformation;
      }
      default:
        return false;
    }
  }

  /** AvPreOperationCallback: an operation that modifies the file marks its stream context Modified. */
  function* AvPreOperationCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    if (!AvOperationsModifyingFile(Data)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    const handle = yield* FltGetStreamHandleContext<AV_STREAMHANDLE_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (NT_SUCCESS(handle.status)) {
      const flags = handle.context!.Data.Flags;
      FltReleaseContext(handle.context!);
      if ((flags & AV_FLAG_PREFETCH) !== 0) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    const stream = yield* FltGetStreamContext<AV_STREAM_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (!NT_SUCCESS(stream.status)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    const streamContext = stream.context!;
    if (streamContext.Data.TxContext.value !== null && FltObjects.Transaction !== null) {
      // The checked build's asserts (#if DBG): post-create created the transaction context and linked this stream to it.
      const statusTx = yield* FltGetTransactionContext(FltObjects.Instance, FltObjects.Transaction);
      FLT_ASSERT(NT_SUCCESS(statusTx.status), 'NT_SUCCESS( statusTx )');
      FLT_ASSERT((statusTx.context as PFLT_CONTEXT<object> | null) === streamContext.Data.TxContext.value, 'streamContext->TxContext == transactionContext');
      if (NT_SUCCESS(statusTx.status)) FltReleaseContext(statusTx.context!);
      // The transacted writer's view is modified, not the file's.
      streamContext.Data.TxState = 'AvFileModified';
    } else {
      streamContext.Data.State = 'AvFileModified';
    }
    FltReleaseContext(streamContext);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  function* AvPreFsControl(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    const code = (Data.Iopb.Parameters as { FileSystemControl?: { FsControlCode?: number } }).FileSystemControl?.FsControlCode;
    if (code === FSCTL_TXFS_SAVEPOINT_INFORMATION) {
      Data.IoStatus.Status = STATUS_NOT_SUPPORTED;
      return FLT_PREOP_COMPLETE;
    }
    return yield* AvPreOperationCallback(Data, FltObjects);
  }

  /**
   * AvScanAbortCallbackAsync (SectionNotificationCallback): conflicting I/O aborts a scan started at
   * cleanup only; create-time scans win. May run before FltCreateSectionForDataScan has returned.
   */
  function* AvScanAbortCallbackAsync(_Instance: PFLT_INSTANCE, Context: PFLT_CONTEXT<object>, _Data: FLT_CALLBACK_DATA): Blocking<NTSTATUS> {
    const sectionCtx = (Context as PFLT_CONTEXT<AV_SECTION_CONTEXT> | null)?.Data ?? null;
    if (sectionCtx === null) return STATUS_INVALID_PARAMETER_2;
    if (sectionCtx.CancelableOnConflictingIo) {
      const scanCtx = yield* InterlockedExchangePointer(sectionCtx.ScanContext, null);
      if (scanCtx === null) return STATUS_SUCCESS;
      sectionCtx.Aborted.value = true;
      yield* AvSendAbortToUser(scanCtx.ScanThreadId, scanCtx.ScanId);
    }
    return STATUS_SUCCESS;
  }

  /** AvSendAbortToUser: AvMsgAbortScanning on the abort port, 1 s timeout, no reply. */
  function* AvSendAbortToUser(ScanThreadId: number, ScanId: number): Blocking<NTSTATUS> {
    const notification = encodeNotification({ Message: AvMsgAbortScanning, Reason: 0, ScanId, ScanThreadId });
    const status = yield* FltSendMessage(Globals.Filter!, Globals.AbortClientPort, notification, AV_SCANNER_NOTIFICATION_SIZE, null, { value: 0 }, -1000 * _1ms);
    if ((!NT_SUCCESS(status) || status === STATUS_TIMEOUT) && status !== STATUS_PORT_DISCONNECTED && status !== STATUS_TIMEOUT) {
      Globals.DbgPrint.push(`[Av]: AvSendAbortToUser: Failed to FltSendMessage, 0x${status.toString(16)}`);
    }
    return status;
  }

  /** AvSendUnloadingToUser: AvMsgFilterUnloading on the abort port; waits for the reply without a timeout. */
  function* AvSendUnloadingToUser(): Blocking<NTSTATUS> {
    const notification = encodeNotification({ Message: AvMsgFilterUnloading, Reason: 0, ScanId: 0, ScanThreadId: 0 });
    const reply = new Uint8Array(4);
    const status = yield* FltSendMessage(Globals.Filter!, Globals.AbortClientPort, notification, AV_SCANNER_NOTIFICATION_SIZE, reply, { value: 4 }, null);
    if (!NT_SUCCESS(status)) Globals.DbgPrint.push(`[Av]: AvSendUnloadingToUser: Failed to FltSendMessage, 0x${status.toString(16)}`);
    return status;
  }

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration: R.ContextRegistration,
    OperationRegistration: [
      { MajorFunction: IRP_MJ_CREATE, Flags: 0, PreOperation: R.AvPreCreate, PostOperation: R.AvPostCreate },
      { MajorFunction: IRP_MJ_CLEANUP, Flags: 0, PreOperation: R.AvPreCleanup },
      { MajorFunction: IRP_MJ_WRITE, Flags: 0, PreOperation: AvPreOperationCallback },
      { MajorFunction: IRP_MJ_SET_INFORMATION, Flags: 0, PreOperation: AvPreOperationCallback },
      { MajorFunction: IRP_MJ_FILE_SYSTEM_CONTROL, Flags: 0, PreOperation: AvPreFsControl },
    ],
    FilterUnloadCallback: AvUnload,
    InstanceSetupCallback: AvInstanceSetup,
    InstanceQueryTeardownCallback: AvInstanceQueryTeardown,
    InstanceTeardownStartCallback: AvInstanceTeardownStart,
    InstanceTeardownCompleteCallback: AvInstanceTeardownComplete,
    TransactionNotificationCallback: R.AvKtmNotificationCallback,
    SectionNotificationCallback: AvScanAbortCallbackAsync,
  };

  return {
    AvInstanceSetup,
    AvInstanceQueryTeardown,
    AvInstanceTeardownStart,
    AvInstanceTeardownComplete,
    DriverEntry,
    AvUnload,
    AvOperationsModifyingFile,
    AvPreOperationCallback,
    AvPreFsControl,
    AvScanAbortCallbackAsync,
    AvSendAbortToUser,
    AvSendUnloadingToUser,
    FilterRegistration,
  };
}
