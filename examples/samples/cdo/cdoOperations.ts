/**
 * CdoOperations.c and CdoProc.h of the cdo sample, routine by routine: creating and deleting the
 * control device object, CdoMajorFunction (the dispatch routine of every major function), the
 * private open / cleanup / close / FSCTL handlers, the fast I/O routines of CdoFastIoDispatch, and
 * the resource helpers. I/O on the CDO reaches these routines straight from the I/O manager, never
 * through FltMgr (§23.6).
 *
 * What differs, and why:
 * - PAGED_CODE() and FLT_ASSERT are left out (the verifier checks IRQL; the asserts restate flags).
 * - The fast I/O routines keep their C parameters; fltsim calls FastIoDeviceControl (for
 *   NtDeviceIoControlFile), and the others never: the CDO's file objects have no cache, so reads,
 *   writes, locks and queries go as IRPs (and CdoMajorFunction fails them).
 */
import {
  ExAcquireResourceExclusiveLite,
  ExAcquireResourceSharedLite,
  ExReleaseResourceLite,
  FILE_DEVICE_DISK_FILE_SYSTEM,
  FILE_DEVICE_SECURE_OPEN,
  FILE_OPENED,
  IoCompleteRequest,
  IoCreateDevice,
  IoDeleteDevice,
  IoGetCurrentIrpStackLocation,
  IO_NO_INCREMENT,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_MAXIMUM_FUNCTION,
  KeEnterCriticalRegion,
  KeLeaveCriticalRegion,
  NT_SUCCESS,
  STATUS_DEVICE_ALREADY_ATTACHED,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_SUCCESS,
  type Blocking,
  type ERESOURCE,
  type FAST_IO_DISPATCH,
  type IO_STATUS_BLOCK,
  type NTSTATUS,
  type PDEVICE_FILE_OBJECT,
  type PDEVICE_OBJECT,
  type PDRIVER_OBJECT,
  type PIRP,
} from '../../../src/index.js';
import {
  CONTROL_DEVICE_OBJECT_NAME,
  DEBUG_TRACE_CDO_ALL_OPERATIONS,
  DEBUG_TRACE_CDO_CREATE_DELETE,
  DEBUG_TRACE_CDO_FASTIO_OPERATIONS,
  DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS,
  DEBUG_TRACE_ERROR,
  DebugTrace,
  FlagOn,
  GLOBAL_DATA_F_CDO_OPEN_HANDLE,
  GLOBAL_DATA_F_CDO_OPEN_REF,
  IS_MY_CONTROL_DEVICE_OBJECT,
  type CDO_GLOBAL_DATA,
} from './cdoStruct.js';

export interface CdoOperations {
  CdoCreateControlDeviceObject(DriverObject: PDRIVER_OBJECT): NTSTATUS;
  CdoDeleteControlDeviceObject(): void;
  CdoMajorFunction(DeviceObject: PDEVICE_OBJECT, Irp: PIRP): Blocking<NTSTATUS>;
  readonly CdoFastIoDispatch: FAST_IO_DISPATCH;
}

//  Resource support (CdoProc.h): the critical region around the ERESOURCE.

export function* CdoAcquireResourceExclusive(Resource: ERESOURCE): Blocking<void> {
  yield* KeEnterCriticalRegion();
  yield* ExAcquireResourceExclusiveLite(Resource, true);
}

export function* CdoAcquireResourceShared(Resource: ERESOURCE): Blocking<void> {
  yield* KeEnterCriticalRegion();
  yield* ExAcquireResourceSharedLite(Resource, true);
}

export function* CdoReleaseResource(Resource: ERESOURCE): Blocking<void> {
  yield* ExReleaseResourceLite(Resource);
  yield* KeLeaveCriticalRegion();
}

/** The routines of CdoOperations.c over one image's globals. */
export function cdoOperations(Globals: CDO_GLOBAL_DATA): CdoOperations {
  const trace = (Level: number, text: string): void => DebugTrace(Globals, Level, text);

  function CdoCreateControlDeviceObject(DriverObject: PDRIVER_OBJECT): NTSTATUS {
    trace(DEBUG_TRACE_CDO_CREATE_DELETE, '[Cdo]: Creating CDO ...');
    const created = IoCreateDevice(DriverObject, 0, CONTROL_DEVICE_OBJECT_NAME, FILE_DEVICE_DISK_FILE_SYSTEM, FILE_DEVICE_SECURE_OPEN, false);
    if (!NT_SUCCESS(created.status)) {
      trace(DEBUG_TRACE_CDO_CREATE_DELETE | DEBUG_TRACE_ERROR, `[Cdo]: Failure to create CDO. IoCreateDevice failed with status 0x${created.status.toString(16)}.`);
      return created.status;
    }
    Globals.FilterControlDeviceObject = created.DeviceObject;
    //  Every major function goes to CdoMajorFunction; the fast I/O table is the sample's own
    //  (allowed only because it owns a CDO).
    for (let i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) DriverObject.MajorFunction[i] = CdoMajorFunction;
    DriverObject.FastIoDispatch = CdoFastIoDispatch;
    trace(DEBUG_TRACE_CDO_CREATE_DELETE, '[Cdo]: Creating CDO successful');
    return STATUS_SUCCESS;
  }

  function CdoDeleteControlDeviceObject(): void {
    trace(DEBUG_TRACE_CDO_CREATE_DELETE, '[Cdo]: Deleting CDO ...');
    IoDeleteDevice(Globals.FilterControlDeviceObject!);
    trace(DEBUG_TRACE_CDO_CREATE_DELETE, '[Cdo]: Deleting CDO successful');
  }

  /** The dispatch routine of every IRP to the CDO: create, cleanup, close and FSCTL are handled, the rest fail. */
  function* CdoMajorFunction(DeviceObject: PDEVICE_OBJECT, Irp: PIRP): Blocking<NTSTATUS> {
    let status: NTSTATUS = STATUS_SUCCESS;
    const irpSp = IoGetCurrentIrpStackLocation(Irp);
    trace(DEBUG_TRACE_CDO_ALL_OPERATIONS, `[Cdo]: CdoMajorFunction entry ( Irp = ${Irp.id}, irpSp->MajorFunction = 0x${irpSp.MajorFunction.toString(16)} )`);
    switch (irpSp.MajorFunction) {
      //  A new HANDLE on the CDO.
      case IRP_MJ_CREATE: {
        status = yield* CdoHandlePrivateOpen(Irp);
        Irp.IoStatus.Status = status;
        Irp.IoStatus.Information = NT_SUCCESS(status) ? FILE_OPENED : 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
      }
      //  All references are gone: cannot fail.
      case IRP_MJ_CLOSE: {
        yield* CdoHandlePrivateClose(Irp);
        Irp.IoStatus.Status = STATUS_SUCCESS;
        Irp.IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
      }
      case IRP_MJ_FILE_SYSTEM_CONTROL: {
        const p = irpSp.Parameters['FileSystemControl'] as { FsControlCode: number; InputBufferLength: number; OutputBufferLength: number };
        const InputBuffer = Irp.AssociatedIrp.SystemBuffer;
        const OutputBuffer = Irp.AssociatedIrp.SystemBuffer;
        //  The handler fills in the IO status block.
        status = yield* CdoHandlePrivateFsControl(DeviceObject, p.FsControlCode, InputBuffer, p.InputBufferLength, OutputBuffer, p.OutputBufferLength, Irp.IoStatus, Irp);
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
      }
      //  All handles are closed: cannot fail.
      case IRP_MJ_CLEANUP: {
        yield* CdoHandlePrivateCleanup(Irp);
        Irp.IoStatus.Status = STATUS_SUCCESS;
        Irp.IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
      }
      default: {
        trace(DEBUG_TRACE_CDO_ALL_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: Unsupported Major Function 0x${irpSp.MajorFunction.toString(16)} ( Irp = ${Irp.id} )`);
        Irp.IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        Irp.IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        status = STATUS_INVALID_DEVICE_REQUEST;
      }
    }
    trace(DEBUG_TRACE_CDO_ALL_OPERATIONS, `[Cdo]: CdoMajorFunction exit ( Irp = ${Irp.id}, irpSp->MajorFunction = 0x${irpSp.MajorFunction.toString(16)}, status = 0x${status.toString(16)} )`);
    return status;
  }

  /** One outstanding create on the CDO at a time: STATUS_DEVICE_ALREADY_ATTACHED while it is open or referenced. */
  function* CdoHandlePrivateOpen(Irp: PIRP): Blocking<NTSTATUS> {
    let status: NTSTATUS;
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateOpen entry ( Irp = ${Irp.id} )`);
    yield* CdoAcquireResourceExclusive(Globals.Resource);
    if (FlagOn(Globals.Flags, GLOBAL_DATA_F_CDO_OPEN_HANDLE) || FlagOn(Globals.Flags, GLOBAL_DATA_F_CDO_OPEN_REF)) {
      status = STATUS_DEVICE_ALREADY_ATTACHED;
      trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: CdoHandlePrivateOpen -> Device open failure. Device already opened. ( Irp = ${Irp.id}, Flags = 0x${Globals.Flags.toString(16)}, status = 0x${status.toString(16)} )`);
    } else {
      //  A successful create is followed by exactly one cleanup (clears OPEN_HANDLE) and one close (clears OPEN_REF).
      Globals.Flags |= GLOBAL_DATA_F_CDO_OPEN_REF;
      Globals.Flags |= GLOBAL_DATA_F_CDO_OPEN_HANDLE;
      status = STATUS_SUCCESS;
      trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: CdoHandlePrivateOpen -> Device open successful. ( Irp = ${Irp.id}, Flags = 0x${Globals.Flags.toString(16)}, status = 0x${status.toString(16)} )`);
    }
    yield* CdoReleaseResource(Globals.Resource);
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateOpen exit ( Irp = ${Irp.id}, status = 0x${status.toString(16)} )`);
    return status;
  }

  function* CdoHandlePrivateCleanup(Irp: PIRP): Blocking<NTSTATUS> {
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateCleanup entry ( Irp = ${Irp.id} )`);
    yield* CdoAcquireResourceExclusive(Globals.Resource);
    Globals.Flags &= ~GLOBAL_DATA_F_CDO_OPEN_HANDLE;
    const status = STATUS_SUCCESS;
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: CdoHandlePrivateCleanup -> Device cleanup successful. ( Irp = ${Irp.id}, Flags = 0x${Globals.Flags.toString(16)}, status = 0x${status.toString(16)} )`);
    yield* CdoReleaseResource(Globals.Resource);
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateCleanup exit ( Irp = ${Irp.id}, status = 0x${status.toString(16)} )`);
    return status;
  }

  function* CdoHandlePrivateClose(Irp: PIRP): Blocking<NTSTATUS> {
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateClose entry ( Irp = ${Irp.id} )`);
    yield* CdoAcquireResourceExclusive(Globals.Resource);
    //  Future creates succeed again.
    Globals.Flags &= ~GLOBAL_DATA_F_CDO_OPEN_REF;
    const status = STATUS_SUCCESS;
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: CdoHandlePrivateClose -> Device close successful. ( Irp = ${Irp.id}, Flags = 0x${Globals.Flags.toString(16)}, status = 0x${status.toString(16)} )`);
    yield* CdoReleaseResource(Globals.Resource);
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateClose exit ( Irp = ${Irp.id}, status = 0x${status.toString(16)} )`);
    return status;
  }

  /**
   * IRP_MJ_FILE_SYSTEM_CONTROL (and the fast device-control path): STATUS_INVALID_DEVICE_STATE once
   * the handle was cleaned up — a request already past the handle when another thread closed it.
   */
  function* CdoHandlePrivateFsControl(DeviceObject: PDEVICE_OBJECT, IoControlCode: number, InputBuffer: unknown, InputBufferLength: number, OutputBuffer: unknown, OutputBufferLength: number, IoStatus: IO_STATUS_BLOCK, Irp: PIRP | null): Blocking<NTSTATUS> {
    void DeviceObject;
    void InputBuffer;
    void OutputBuffer;
    let status: NTSTATUS = STATUS_SUCCESS;
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateFsControl entry ( Irp = ${Irp?.id ?? 'NULL'} ) IoControlCode = 0x${IoControlCode.toString(16)} InputBufferLength = 0x${InputBufferLength.toString(16)} OutputBufferLength = 0x${OutputBufferLength.toString(16)}`);
    yield* CdoAcquireResourceShared(Globals.Resource);
    if (!FlagOn(Globals.Flags, GLOBAL_DATA_F_CDO_OPEN_HANDLE)) {
      trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: CdoHandlePrivateFsControl -> Failing IOCTL since no handle to CDO is open. ( Irp = ${Irp?.id ?? 'NULL'}, IoControlCode = 0x${IoControlCode.toString(16)}, Flags = 0x${Globals.Flags.toString(16)} )`);
      status = STATUS_INVALID_DEVICE_STATE;
      yield* CdoReleaseResource(Globals.Resource);
    } else {
      //  Work that needs the handle open goes here.
      trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateFsControl -> Processing IOCTL while handle to CDO is definitely open. ( Irp = ${Irp?.id ?? 'NULL'}, IoControlCode = 0x${IoControlCode.toString(16)} )`);
      yield* CdoReleaseResource(Globals.Resource);
      //  From here a cleanup may have run; the request's own reference still keeps the close away.
      trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateFsControl -> Processing IOCTL while handle to CDO may not be open. ( Irp = ${Irp?.id ?? 'NULL'}, IoControlCode = 0x${IoControlCode.toString(16)} )`);
      status = STATUS_SUCCESS;
    }
    IoStatus.Status = status;
    IoStatus.Information = 0;
    trace(DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS, `[Cdo]: CdoHandlePrivateFsControl exit ( Irp = ${Irp?.id ?? 'NULL'}, IoControlCode = 0x${IoControlCode.toString(16)}, status = 0x${status.toString(16)} )`);
    return status;
  }

  //  FastIO handling routines: this is the CDO, so each fails the operation (TRUE with
  //  STATUS_INVALID_DEVICE_REQUEST), except device control, which is the FSCTL handler, and the
  //  MDL completions, which return FALSE ("unsupported as fast I/O").

  function unsupported(routine: string, FileObject: PDEVICE_FILE_OBJECT, IoStatus: IO_STATUS_BLOCK, DeviceObject: PDEVICE_OBJECT): boolean {
    void IS_MY_CONTROL_DEVICE_OBJECT(Globals, DeviceObject);
    trace(DEBUG_TRACE_CDO_ALL_OPERATIONS | DEBUG_TRACE_CDO_FASTIO_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: ${routine} -> Unsupported FastIO call ( FileObject = ${FileObject.id}, DeviceObject = ${DeviceObject.id} )`);
    IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    IoStatus.Information = 0;
    return true;
  }

  function unsupportedAsFastIo(routine: string, FileObject: PDEVICE_FILE_OBJECT, DeviceObject: PDEVICE_OBJECT): boolean {
    trace(DEBUG_TRACE_CDO_ALL_OPERATIONS | DEBUG_TRACE_CDO_FASTIO_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: ${routine} -> Unsupported as FastIO call ( FileObject = ${FileObject.id}, DeviceObject = ${DeviceObject.id} )`);
    return false;
  }

  type F = PDEVICE_FILE_OBJECT;
  type S = IO_STATUS_BLOCK;
  type D = PDEVICE_OBJECT;
  const CdoFastIoCheckIfPossible = (FileObject: F, _FileOffset: number, _Length: number, _Wait: boolean, _LockKey: number, _CheckForReadOperation: boolean, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoCheckIfPossible', FileObject, IoStatus, DeviceObject);
  const CdoFastIoRead = (FileObject: F, _FileOffset: number, _Length: number, _Wait: boolean, _LockKey: number, _Buffer: Uint8Array, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoRead', FileObject, IoStatus, DeviceObject);
  const CdoFastIoWrite = (FileObject: F, _FileOffset: number, _Length: number, _Wait: boolean, _LockKey: number, _Buffer: Uint8Array, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoWrite', FileObject, IoStatus, DeviceObject);
  const CdoFastIoQueryBasicInfo = (FileObject: F, _Wait: boolean, _Buffer: unknown, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoQueryBasicInfo', FileObject, IoStatus, DeviceObject);
  const CdoFastIoQueryStandardInfo = (FileObject: F, _Wait: boolean, _Buffer: unknown, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoQueryStandardInfo', FileObject, IoStatus, DeviceObject);
  const CdoFastIoLock = (FileObject: F, _FileOffset: number, _Length: number, _ProcessId: unknown, _Key: number, _FailImmediately: boolean, _ExclusiveLock: boolean, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoLock', FileObject, IoStatus, DeviceObject);
  const CdoFastIoUnlockSingle = (FileObject: F, _FileOffset: number, _Length: number, _ProcessId: unknown, _Key: number, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoUnlockSingle', FileObject, IoStatus, DeviceObject);
  const CdoFastIoUnlockAll = (FileObject: F, _ProcessId: unknown, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoUnlockAll', FileObject, IoStatus, DeviceObject);
  const CdoFastIoUnlockAllByKey = (FileObject: F, _ProcessId: unknown, _Key: number, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoUnlockAllByKey', FileObject, IoStatus, DeviceObject);

  /** Device control on the CDO: handled here (TRUE), by the FSCTL handler, which fills in IoStatus. */
  function* CdoFastIoDeviceControl(FileObject: F, Wait: boolean, InputBuffer: Uint8Array | null, InputBufferLength: number, OutputBuffer: Uint8Array | null, OutputBufferLength: number, IoControlCode: number, IoStatus: S, DeviceObject: D): Blocking<boolean> {
    void Wait;
    const level = DEBUG_TRACE_CDO_ALL_OPERATIONS | DEBUG_TRACE_CDO_FASTIO_OPERATIONS | DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS;
    trace(level, `[Cdo]: CdoFastIoDeviceControl Entry ( FileObject = ${FileObject.id}, DeviceObject = ${DeviceObject.id} )`);
    yield* CdoHandlePrivateFsControl(DeviceObject, IoControlCode, InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength, IoStatus, null);
    trace(level, `[Cdo]: CdoFastIoDeviceControl Exit ( FileObject = ${FileObject.id}, DeviceObject = ${DeviceObject.id}, Status = 0x${IoStatus.Status.toString(16)} )`);
    return true;
  }

  const CdoFastIoQueryNetworkOpenInfo = (FileObject: F, _Wait: boolean, _Buffer: unknown, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoQueryNetworkOpenInfo', FileObject, IoStatus, DeviceObject);
  const CdoFastIoMdlRead = (FileObject: F, _FileOffset: number, _Length: number, _LockKey: number, _MdlChain: unknown, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoMdlRead', FileObject, IoStatus, DeviceObject);
  const CdoFastIoMdlReadComplete = (FileObject: F, _MdlChain: unknown, DeviceObject: D): boolean => unsupportedAsFastIo('CdoFastIoMdlReadComplete', FileObject, DeviceObject);
  const CdoFastIoPrepareMdlWrite = (FileObject: F, _FileOffset: number, _Length: number, _LockKey: number, _MdlChain: unknown, IoStatus: S, DeviceObject: D): boolean => unsupported('CdoFastIoPrepareMdlWrite', FileObject, IoStatus, DeviceObject);
  const CdoFastIoMdlWriteComplete = (FileObject: F, _FileOffset: number, _MdlChain: unknown, DeviceObject: D): boolean => unsupportedAsFastIo('CdoFastIoMdlWriteComplete', FileObject, DeviceObject);
  //  Compression on the wire (never implemented by NT), kept as the C keeps them.
  const CdoFastIoReadCompressed = (FileObject: F, _FileOffset: number, _Length: number, _LockKey: number, _Buffer: Uint8Array, _MdlChain: unknown, IoStatus: S, _CompressedDataInfo: unknown, _CompressedDataInfoLength: number, DeviceObject: D): boolean => unsupported('CdoFastIoReadCompressed', FileObject, IoStatus, DeviceObject);
  const CdoFastIoWriteCompressed = (FileObject: F, _FileOffset: number, _Length: number, _LockKey: number, _Buffer: Uint8Array, _MdlChain: unknown, IoStatus: S, _CompressedDataInfo: unknown, _CompressedDataInfoLength: number, DeviceObject: D): boolean => unsupported('CdoFastIoWriteCompressed', FileObject, IoStatus, DeviceObject);
  const CdoFastIoMdlReadCompleteCompressed = (FileObject: F, _MdlChain: unknown, DeviceObject: D): boolean => unsupportedAsFastIo('CdoFastIoMdlReadCompleteCompressed', FileObject, DeviceObject);
  const CdoFastIoMdlWriteCompleteCompressed = (FileObject: F, _FileOffset: number, _MdlChain: unknown, DeviceObject: D): boolean => unsupportedAsFastIo('CdoFastIoMdlWriteCompleteCompressed', FileObject, DeviceObject);
  const CdoFastIoQueryOpen = (Irp: PIRP, _NetworkInformation: unknown, DeviceObject: D): boolean => {
    trace(DEBUG_TRACE_CDO_ALL_OPERATIONS | DEBUG_TRACE_CDO_FASTIO_OPERATIONS | DEBUG_TRACE_ERROR, `[Cdo]: CdoFastIoQueryOpen -> Unsupported FastIO call ( Irp = ${Irp.id}, DeviceObject = ${DeviceObject.id} )`);
    Irp.IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp.IoStatus.Information = 0;
    return true;
  };

  const CdoFastIoDispatch: FAST_IO_DISPATCH = {
    SizeOfFastIoDispatch: 28 * 8,
    FastIoCheckIfPossible: CdoFastIoCheckIfPossible,
    FastIoRead: CdoFastIoRead,
    FastIoWrite: CdoFastIoWrite,
    FastIoQueryBasicInfo: CdoFastIoQueryBasicInfo,
    FastIoQueryStandardInfo: CdoFastIoQueryStandardInfo,
    FastIoLock: CdoFastIoLock,
    FastIoUnlockSingle: CdoFastIoUnlockSingle,
    FastIoUnlockAll: CdoFastIoUnlockAll,
    FastIoUnlockAllByKey: CdoFastIoUnlockAllByKey,
    FastIoDeviceControl: CdoFastIoDeviceControl,
    AcquireFileForNtCreateSection: null,
    ReleaseFileForNtCreateSection: null,
    FastIoDetachDevice: null,
    FastIoQueryNetworkOpenInfo: CdoFastIoQueryNetworkOpenInfo,
    AcquireForModWrite: null,
    MdlRead: CdoFastIoMdlRead,
    MdlReadComplete: CdoFastIoMdlReadComplete,
    PrepareMdlWrite: CdoFastIoPrepareMdlWrite,
    MdlWriteComplete: CdoFastIoMdlWriteComplete,
    FastIoReadCompressed: CdoFastIoReadCompressed,
    FastIoWriteCompressed: CdoFastIoWriteCompressed,
    MdlReadCompleteCompressed: CdoFastIoMdlReadCompleteCompressed,
    MdlWriteCompleteCompressed: CdoFastIoMdlWriteCompleteCompressed,
    FastIoQueryOpen: CdoFastIoQueryOpen,
    ReleaseForModWrite: null,
    AcquireForCcFlush: null,
    ReleaseForCcFlush: null,
  };

  return { CdoCreateControlDeviceObject, CdoDeleteControlDeviceObject, CdoMajorFunction, CdoFastIoDispatch };
}
