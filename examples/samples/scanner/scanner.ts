/**
 * scanner.c and scanner.h, ported routine by routine: a content scanner. After an open of a file
 * whose extension is in the registry's `Extensions` list (default "doc") it reads the first
 * kilobyte non-cached and sends it to scanUser over `\ScannerPort`; a reply of SafeToOpen FALSE
 * undoes the open (FltCancelFileOpen, STATUS_ACCESS_DENIED). A safe open with write access gets a
 * stream-handle context that asks for a rescan at cleanup; writes on such a handle are scanned
 * before they go down, and offloaded writes refused. Opens by the connected scanUser process are
 * never scanned. INF: "Scanner Instance" at 265000, Flags 0x0.
 *
 * The C globals (ScannerData, ScannedExtensions, ScannedExtensionCount) are one object per loaded
 * image: each call of scanner() is the driver loaded on one simulated machine. DbgPrint appends to
 * the image's `DbgPrint` list. ScannerData.ClientPort is a PortVariable: FltSendMessage and
 * FltCloseClientPort take its address in C.
 */
import {
  FLT_CONTEXT_END,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_PORT_ALL_ACCESS,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_VOLUME_PROPERTIES_SIZE,
  FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET,
  FLTFL_IO_OPERATION_NON_CACHED,
  FSCTL_OFFLOAD_WRITE,
  ExAllocatePoolZero,
  ExFreePoolWithTag,
  FltAllocateContext,
  FltAllocatePoolAlignedWithTag,
  FltBuildDefaultSecurityDescriptor,
  FltCancelFileOpen,
  FltCloseClientPort,
  FltCloseCommunicationPort,
  FltCreateCommunicationPort,
  FltFreePoolAlignedWithTag,
  FltFreeSecurityDescriptor,
  FltGetFileNameInformation,
  FltGetStreamHandleContext,
  FltGetVolumeFromInstance,
  FltGetVolumeProperties,
  FltObjectDereference,
  FltParseFileNameInformation,
  FltReadFile,
  FltRegisterFilter,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltSendMessage,
  FltSetStreamHandleContext,
  FltStartFiltering,
  FltUnregisterFilter,
  IoThreadToProcess,
  IRP_MJ_CLEANUP,
  IRP_MJ_CREATE,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_OPERATION_END,
  IRP_MJ_WRITE,
  IRP_PAGING_IO,
  MdlMappingNoExecute,
  MmGetSystemAddressForMdlSafe,
  NonPagedPool,
  NormalPagePriority,
  NT_ERROR,
  NT_SUCCESS,
  OBJ_CASE_INSENSITIVE,
  OBJ_KERNEL_HANDLE,
  PagedPool,
  portVariable,
  STATUS_ACCESS_DENIED,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_CONTEXT_REGISTRATION,
  type FLT_OPERATION_REGISTRATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PEPROCESS,
  type PFILE_OBJECT,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
  type PFLT_PORT,
  type PFLT_SERVER_PORT,
  type PFLT_VOLUME,
  type PortVariable,
  type Simulation,
} from '../../../src/index.js';
import { contentsOf, getBytesToScan, SCANNER_NOTIFICATION_SIZE, SCANNER_READ_BUFFER_SIZE, SCANNER_REPLY_SIZE, ScannerPortName, setBytesToScan } from './scanuk.js';

export const SCANNER_NAME = 'scanner';

/** What scanner.inf writes under the service's Instances key. */
export const SCANNER_INSTANCES: InstancesKey = { DefaultInstance: 'Scanner Instance', Instances: { 'Scanner Instance': { Altitude: '265000', Flags: 0x0 } } };

/** SCANNER_DATA: the driver's globals. */
export interface SCANNER_DATA {
  DriverObject: PDRIVER_OBJECT | null;
  Filter: PFLT_FILTER | null;
  /** Listens for incoming connections. */
  ServerPort: PFLT_SERVER_PORT | null;
  /** The process that connected (PsGetCurrentProcess in ScannerPortConnect). */
  UserProcess: PEPROCESS | null;
  /** The connection to user mode; its address is what FltSendMessage and FltCloseClientPort take. */
  readonly ClientPort: PortVariable;
}

/** SCANNER_STREAM_HANDLE_CONTEXT. */
export interface SCANNER_STREAM_HANDLE_CONTEXT {
  RescanRequired: boolean;
}
const SCANNER_STREAM_HANDLE_CONTEXT_SIZE = 1;

const SCANNER_TAG = 'Scan'; // 'nacS' as a little-endian multi-character constant
const ScannedExtensionDefault = 'doc';

export interface ScannerImage {
  readonly ScannerData: SCANNER_DATA;
  /** DbgPrint output, in order. */
  readonly DbgPrint: string[];
  /** ScannedExtensions now (DriverEntry fills them, ScannerUnload frees them). */
  readonly ScannedExtensions: readonly string[];
  readonly FilterRegistration: FLT_REGISTRATION;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
}

/**
 * The scanner driver image. `Extensions` is the registry's REG_MULTI_SZ value under the service's
 * Parameters key, or null when it is absent (DriverEntry then scans "doc" only). `sim` supplies
 * PsGetCurrentProcess, which ScannerPortConnect calls.
 */
export function scanner(sim: Simulation, Extensions: readonly string[] | null = null): ScannerImage {
  const ScannerData: SCANNER_DATA = { DriverObject: null, Filter: null, ServerPort: null, UserProcess: null, ClientPort: portVariable() };
  let ScannedExtensions: string[] = [];
  let ScannedExtensionCount = 0;
  const DbgPrint: string[] = [];

  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    { MajorFunction: IRP_MJ_CREATE, Flags: 0, PreOperation: ScannerPreCreate, PostOperation: ScannerPostCreate },
    { MajorFunction: IRP_MJ_CLEANUP, Flags: 0, PreOperation: ScannerPreCleanup },
    { MajorFunction: IRP_MJ_WRITE, Flags: 0, PreOperation: ScannerPreWrite },
    // WINVER >= 0x0602: offloaded writes.
    { MajorFunction: IRP_MJ_FILE_SYSTEM_CONTROL, Flags: 0, PreOperation: ScannerPreFileSystemControl },
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  // No cleanup callback: the context holds nothing to free.
  const ContextRegistration: FLT_CONTEXT_REGISTRATION[] = [
    { ContextType: FLT_STREAMHANDLE_CONTEXT, Flags: 0, ContextCleanupCallback: null, Size: SCANNER_STREAM_HANDLE_CONTEXT_SIZE, PoolTag: 0x63684253 /* 'chBS' */ },
    { ContextType: FLT_CONTEXT_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: ScannerUnload,
    InstanceSetupCallback: ScannerInstanceSetup,
    InstanceQueryTeardownCallback: ScannerQueryTeardown,
  };

  // ------------------------------------------------------------------ initialization and unload

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    ScannerData.DriverObject = DriverObject;
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    let status = registered.status;
    if (!NT_SUCCESS(status)) return status;
    ScannerData.Filter = registered.filter;

    status = ScannerInitializeScannedExtensions();
    if (!NT_SUCCESS(status)) {
      status = STATUS_SUCCESS;
      ScannedExtensions = [ScannedExtensionDefault];
      ScannedExtensionCount = 1;
    }

    // Only administrators and SYSTEM may connect.
    const sd = yield* FltBuildDefaultSecurityDescriptor(FLT_PORT_ALL_ACCESS);
    status = sd.status;
    if (NT_SUCCESS(status)) {
      const created = FltCreateCommunicationPort(
        ScannerData.Filter!,
        { ObjectName: ScannerPortName, Attributes: OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, SecurityDescriptor: sd.SecurityDescriptor },
        null,
        ScannerPortConnect,
        ScannerPortDisconnect,
        null,
        1,
      );
      status = created.status;
      ScannerData.ServerPort = created.ServerPort;
      // The port keeps its own copy of the descriptor.
      yield* FltFreeSecurityDescriptor(sd.SecurityDescriptor!);
      if (NT_SUCCESS(status)) {
        status = yield* FltStartFiltering(ScannerData.Filter!);
        if (NT_SUCCESS(status)) return STATUS_SUCCESS;
        FltCloseCommunicationPort(ScannerData.ServerPort!);
      }
    }
    ScannerFreeExtensions();
    yield* FltUnregisterFilter(ScannerData.Filter!);
    return status;
  }

  /**
   * The `Extensions` multi-string from the registry, one UNICODE_STRING each. An absent value
   * fails (ZwQueryValueKey's STATUS_OBJECT_NAME_NOT_FOUND), and DriverEntry falls back to "doc".
   */
  function ScannerInitializeScannedExtensions(): NTSTATUS {
    ScannedExtensions = [];
    ScannedExtensionCount = 0;
    if (Extensions === null) return STATUS_OBJECT_NAME_NOT_FOUND;
    // The multi-string ends at its first empty string.
    const end = Extensions.indexOf('');
    for (const ext of end < 0 ? Extensions : Extensions.slice(0, end)) {
      ScannedExtensions.push(ext);
      ScannedExtensionCount++;
    }
    return STATUS_SUCCESS;
  }

  function ScannerFreeExtensions(): void {
    ScannedExtensions = [];
    ScannedExtensionCount = 0;
  }

  /**
   * ConnectNotify, on the connecting thread: remembers that thread's process as the trusted one
   * (its opens are never scanned) and the connection's port. MaxConnections is 1, so at most one.
   */
  function ScannerPortConnect(ClientPort: PFLT_PORT, ServerPortCookie: unknown, ConnectionContext: Uint8Array | null, SizeOfContext: number, ConnectionCookie: { value: unknown }): NTSTATUS {
    void ServerPortCookie, ConnectionContext, SizeOfContext;
    ConnectionCookie.value = null;
    // FLT_ASSERT(ScannerData.ClientPort == NULL && ScannerData.UserProcess == NULL)
    ScannerData.UserProcess = sim.PsGetCurrentProcess();
    ScannerData.ClientPort.value = ClientPort;
    DbgPrint.push(`!!! scanner.sys --- connected, port=${ClientPort.id}`);
    return STATUS_SUCCESS;
  }

  /** DisconnectNotify: close the connection; with MaxConnections 1 no other connects until this returns. */
  function ScannerPortDisconnect(ConnectionCookie: unknown): void {
    void ConnectionCookie;
    DbgPrint.push(`!!! scanner.sys --- disconnected, port=${ScannerData.ClientPort.value?.id ?? 'NULL'}`);
    FltCloseClientPort(ScannerData.Filter!, ScannerData.ClientPort);
    ScannerData.UserProcess = null;
  }

  /** The server port closes before FltUnregisterFilter, which would otherwise wait for it forever (§17.2). */
  function* ScannerUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    ScannerFreeExtensions();
    FltCloseCommunicationPort(ScannerData.ServerPort!);
    yield* FltUnregisterFilter(ScannerData.Filter!);
    return STATUS_SUCCESS;
  }

  function ScannerInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, Flags: number, VolumeDeviceType: string, VolumeFilesystemType: string): NTSTATUS {
    void FltObjects, Flags, VolumeFilesystemType;
    // FLT_ASSERT(FltObjects->Filter == ScannerData.Filter)
    // Not on network volumes.
    if (VolumeDeviceType === 'FILE_DEVICE_NETWORK_FILE_SYSTEM') return STATUS_FLT_DO_NOT_ATTACH;
    return STATUS_SUCCESS;
  }

  function ScannerQueryTeardown(FltObjects: FLT_RELATED_OBJECTS, Flags: number): NTSTATUS {
    void FltObjects, Flags;
    return STATUS_SUCCESS;
  }

  // ------------------------------------------------------------------ operations

  /** Creates by the connected scanUser process are trusted; every other create gets a post-create. */
  function ScannerPreCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS {
    void FltObjects;
    CompletionContext.value = null;
    if (Data.Thread !== null && IoThreadToProcess(Data.Thread) === ScannerData.UserProcess) {
      DbgPrint.push('!!! scanner.sys -- allowing create for trusted process');
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
  }

  /** Whether the extension is one of ScannedExtensions, compared case-insensitively. */
  function ScannerpCheckExtension(Extension: string): boolean {
    if (Extension.length === 0) return false;
    for (let count = 0; count < ScannedExtensionCount; count++) {
      if (Extension.toUpperCase() === ScannedExtensions[count]!.toUpperCase()) return true;
    }
    return false;
  }

  /**
   * The file can only be read once the file system has opened it: scan here, and undo the open
   * when user mode finds it unsafe; a safe open with write access is marked for a rescan.
   */
  function* ScannerPostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void CompletionContext, Flags;
    let returnStatus: FLT_POSTOP_CALLBACK_STATUS = FLT_POSTOP_FINISHED_PROCESSING;
    if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Status === STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING;

    const name = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT);
    if (!NT_SUCCESS(name.status)) return FLT_POSTOP_FINISHED_PROCESSING;
    const nameInfo = name.FileNameInformation!;
    FltParseFileNameInformation(nameInfo);
    const scanFile = ScannerpCheckExtension(nameInfo.Extension);
    FltReleaseFileNameInformation(nameInfo);
    if (!scanFile) return FLT_POSTOP_FINISHED_PROCESSING;

    const scanned = yield* ScannerpScanFileInUserMode(FltObjects.Instance, FltObjects.FileObject!);
    if (!scanned.SafeToOpen) {
      DbgPrint.push('!!! scanner.sys -- foul language detected in postcreate !!!');
      DbgPrint.push('!!! scanner.sys -- undoing create');
      yield* FltCancelFileOpen(FltObjects.Instance, FltObjects.FileObject!);
      Data.IoStatus.Status = STATUS_ACCESS_DENIED;
      Data.IoStatus.Information = 0;
      returnStatus = FLT_POSTOP_FINISHED_PROCESSING;
    } else if (FltObjects.FileObject!.WriteAccess) {
      // Opened for write: rescan at cleanup.
      const allocated = FltAllocateContext<SCANNER_STREAM_HANDLE_CONTEXT>(ScannerData.Filter!, FLT_STREAMHANDLE_CONTEXT, SCANNER_STREAM_HANDLE_CONTEXT_SIZE, PagedPool);
      if (NT_SUCCESS(allocated.status)) {
        const scannerContext = allocated.context!;
        scannerContext.Data.RescanRequired = true;
        // The only failure would say contexts are unsupported; releasing frees it then.
        yield* FltSetStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, scannerContext, null);
        FltReleaseContext(scannerContext);
      }
    }
    return returnStatus;
  }

  /** Rescan a handle opened for write; cleanup cannot fail, so an unsafe result is only reported. */
  function* ScannerPreCleanup(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void Data, CompletionContext;
    const got = yield* FltGetStreamHandleContext<SCANNER_STREAM_HANDLE_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (NT_SUCCESS(got.status)) {
      const context = got.context!;
      if (context.Data.RescanRequired) {
        const scanned = yield* ScannerpScanFileInUserMode(FltObjects.Instance, FltObjects.FileObject!);
        if (!scanned.SafeToOpen) DbgPrint.push('!!! scanner.sys -- foul language detected in precleanup !!!');
      }
      FltReleaseContext(context);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  /** Scan what is being written on a handle with a context; an unsafe non-paging write is refused. */
  function* ScannerPreWrite(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void CompletionContext;
    let returnStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let notification: Uint8Array | null = null;
    let safe = true;
    if (ScannerData.ClientPort.value === null) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    const got = yield* FltGetStreamHandleContext<SCANNER_STREAM_HANDLE_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (!NT_SUCCESS(got.status)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    const context = got.context;
    try {
      do {
        const write = (Data.Iopb.Parameters as { Write: { Length: number; WriteBuffer?: Uint8Array; MdlAddress?: Parameters<typeof MmGetSystemAddressForMdlSafe>[0] | null } }).Write;
        if (write.Length !== 0) {
          let buffer: Uint8Array | null;
          if (write.MdlAddress !== undefined && write.MdlAddress !== null) {
            buffer = MmGetSystemAddressForMdlSafe(write.MdlAddress, NormalPagePriority | MdlMappingNoExecute);
            if (buffer === null) {
              Data.IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
              Data.IoStatus.Information = 0;
              returnStatus = FLT_PREOP_COMPLETE;
              break;
            }
          } else {
            buffer = write.WriteBuffer ?? null;
          }
          // A production filter would let user mode read the file itself: this is a sample.
          notification = yield* ExAllocatePoolZero(NonPagedPool, SCANNER_NOTIFICATION_SIZE, SCANNER_TAG);
          if (notification === null) {
            Data.IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
            Data.IoStatus.Information = 0;
            returnStatus = FLT_PREOP_COMPLETE;
            break;
          }
          const BytesToScan = Math.min(write.Length, SCANNER_READ_BUFFER_SIZE);
          setBytesToScan(notification, BytesToScan);
          // The C copies a raw user buffer under try/except; a buffer shorter than Length faults the same way.
          if (buffer === null || buffer.length < BytesToScan) {
            Data.IoStatus.Status = 0xc0000005; // STATUS_ACCESS_VIOLATION, GetExceptionCode()
            Data.IoStatus.Information = 0;
            returnStatus = FLT_PREOP_COMPLETE;
            break;
          }
          contentsOf(notification).set(buffer.subarray(0, BytesToScan));
          // FltSendMessage synchronizes with FltCloseClientPort on the variable.
          const replyLength = { value: SCANNER_REPLY_SIZE };
          const status = yield* FltSendMessage(ScannerData.Filter!, ScannerData.ClientPort, notification, SCANNER_NOTIFICATION_SIZE, notification, replyLength, null);
          if (status === STATUS_SUCCESS) safe = notification[0] !== 0;
          else DbgPrint.push(`!!! scanner.sys --- couldn't send message to user-mode to scan file, status 0x${(status >>> 0).toString(16).toUpperCase()}`);
        }
        if (!safe) {
          // Paging writes (memory-mapped ones) are let through: the sample blocks ordinary writes only.
          DbgPrint.push('!!! scanner.sys -- foul language detected in write !!!');
          if ((Data.Iopb.IrpFlags & IRP_PAGING_IO) === 0) {
            DbgPrint.push('!!! scanner.sys -- blocking the write !!!');
            Data.IoStatus.Status = STATUS_ACCESS_DENIED;
            Data.IoStatus.Information = 0;
            returnStatus = FLT_PREOP_COMPLETE;
          }
        }
      } while (false);
    } finally {
      if (notification !== null) yield* ExFreePoolWithTag(notification, SCANNER_TAG);
      if (context !== null) FltReleaseContext(context);
    }
    return returnStatus;
  }

  /** The scanner cannot see the data of an offloaded write: refuse it on a handle it must rescan. */
  function* ScannerPreFileSystemControl(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void CompletionContext;
    let returnStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    if (ScannerData.ClientPort.value === null) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    const got = yield* FltGetStreamHandleContext<SCANNER_STREAM_HANDLE_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (!NT_SUCCESS(got.status)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    try {
      const fsControlCode = (Data.Iopb.Parameters as { FileSystemControl: { FsControlCode: number } }).FileSystemControl.FsControlCode;
      if (fsControlCode === FSCTL_OFFLOAD_WRITE) {
        DbgPrint.push('!!! scanner.sys -- blocking the offload write !!!');
        Data.IoStatus.Status = STATUS_ACCESS_DENIED;
        Data.IoStatus.Information = 0;
        returnStatus = FLT_PREOP_COMPLETE;
      }
    } finally {
      FltReleaseContext(got.context!);
    }
    return returnStatus;
  }

  // ------------------------------------------------------------------ local support routines

  /**
   * Read the start of the file (non-cached, sector-sized, not moving the file pointer) and ask
   * user mode whether it is safe. Any failure — nothing connected, a directory with no data to
   * read, no memory — leaves SafeToOpen TRUE: failing opens while the service is down would keep
   * the service's own executable from loading.
   */
  function* ScannerpScanFileInUserMode(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; SafeToOpen: boolean }> {
    let status: NTSTATUS = STATUS_SUCCESS;
    let SafeToOpen = true;
    let buffer: Uint8Array | null = null;
    let notification: Uint8Array | null = null;
    let volume: PFLT_VOLUME | null = null;
    if (ScannerData.ClientPort.value === null) return { status: STATUS_SUCCESS, SafeToOpen };
    try {
      do {
        const got = FltGetVolumeFromInstance(Instance);
        status = got.status;
        if (!NT_SUCCESS(status)) break;
        volume = got.volume;
        // STATUS_BUFFER_OVERFLOW only says the names did not fit: the sector size is there.
        const props = FltGetVolumeProperties(volume!, FLT_VOLUME_PROPERTIES_SIZE);
        status = props.status;
        if (NT_ERROR(status)) break;
        const length = Math.max(SCANNER_READ_BUFFER_SIZE, props.VolumeProperties!.SectorSize);
        // Non-cached I/O needs sector-aligned memory.
        buffer = FltAllocatePoolAlignedWithTag(Instance, NonPagedPool, length, SCANNER_TAG);
        if (buffer === null) {
          status = STATUS_INSUFFICIENT_RESOURCES;
          break;
        }
        notification = yield* ExAllocatePoolZero(NonPagedPool, SCANNER_NOTIFICATION_SIZE, SCANNER_TAG);
        if (notification === null) {
          status = STATUS_INSUFFICIENT_RESOURCES;
          break;
        }
        const read = yield* FltReadFile(Instance, FileObject, 0, length, buffer, FLTFL_IO_OPERATION_NON_CACHED | FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET);
        status = read.status;
        if (NT_SUCCESS(status) && read.BytesRead !== 0) {
          setBytesToScan(notification, read.BytesRead);
          // Only as much as Contents holds.
          const copied = Math.min(getBytesToScan(notification), SCANNER_READ_BUFFER_SIZE);
          contentsOf(notification).set(buffer.subarray(0, copied));
          const replyLength = { value: SCANNER_REPLY_SIZE };
          status = yield* FltSendMessage(ScannerData.Filter!, ScannerData.ClientPort, notification, SCANNER_NOTIFICATION_SIZE, notification, replyLength, null);
          if (status === STATUS_SUCCESS) SafeToOpen = notification[0] !== 0;
          else DbgPrint.push(`!!! scanner.sys --- couldn't send message to user-mode to scan file, status 0x${(status >>> 0).toString(16).toUpperCase()}`);
        }
      } while (false);
    } finally {
      if (buffer !== null) FltFreePoolAlignedWithTag(Instance, buffer, SCANNER_TAG);
      if (notification !== null) yield* ExFreePoolWithTag(notification, SCANNER_TAG);
      if (volume !== null) FltObjectDereference(volume);
    }
    return { status, SafeToOpen };
  }

  return {
    ScannerData,
    DbgPrint,
    get ScannedExtensions() {
      return ScannedExtensions;
    },
    FilterRegistration,
    DriverEntry,
  };
}
