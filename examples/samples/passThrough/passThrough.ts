/**
 * passThrough.c, ported routine by routine: a template that registers the same pre/post pair for
 * every major function and passes everything through. The one thing it does: for oplock requests
 * and directory-change notifications its pre-operation asks FltRequestOperationStatusCallback for
 * the status the request got when it was sent below (STATUS_PENDING = granted / parked).
 * INF: "PassThrough Instance" at 370030, Flags 0x0 (attaches to every volume).
 *
 * The C globals (gFilterHandle, OperationStatusCtx, gTraceFlags) are one object per loaded image:
 * each call of passThrough() is the driver loaded on one simulated machine. PT_DBG_PRINT appends to
 * `DbgPrint` instead of the kernel debugger.
 */
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltRegisterFilter,
  FltRequestOperationStatusCallback,
  FltStartFiltering,
  FltUnregisterFilter,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_FILTER_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
  FSCTL_REQUEST_OPLOCK_LEVEL_2,
  IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
  IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_CREATE_MAILSLOT,
  IRP_MJ_CREATE_NAMED_PIPE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_INTERNAL_DEVICE_CONTROL,
  IRP_MJ_LOCK_CONTROL,
  IRP_MJ_MDL_READ,
  IRP_MJ_MDL_READ_COMPLETE,
  IRP_MJ_MDL_WRITE_COMPLETE,
  IRP_MJ_NAMES,
  IRP_MJ_NETWORK_QUERY_OPEN,
  IRP_MJ_OPERATION_END,
  IRP_MJ_PNP,
  IRP_MJ_PREPARE_MDL_WRITE,
  IRP_MJ_QUERY_EA,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_QUOTA,
  IRP_MJ_QUERY_SECURITY,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_RELEASE_FOR_CC_FLUSH,
  IRP_MJ_RELEASE_FOR_MOD_WRITE,
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_SET_EA,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_SET_QUOTA,
  IRP_MJ_SET_SECURITY,
  IRP_MJ_SET_VOLUME_INFORMATION,
  IRP_MJ_SHUTDOWN,
  IRP_MJ_VOLUME_DISMOUNT,
  IRP_MJ_VOLUME_MOUNT,
  IRP_MJ_WRITE,
  IRP_MN_NOTIFY_CHANGE_DIRECTORY,
  NT_SUCCESS,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_IO_PARAMETER_BLOCK,
  type FLT_OPERATION_REGISTRATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_FILTER,
} from '../../../src/index.js';

export const PASSTHROUGH_NAME = 'PassThrough';

/** What passThrough.inf writes under the service's Instances key. */
export const PASSTHROUGH_INSTANCES: InstancesKey = {
  DefaultInstance: 'PassThrough Instance',
  Instances: { 'PassThrough Instance': { Altitude: '370030', Flags: 0x0 } },
};

export const PTDBG_TRACE_ROUTINES = 0x00000001;
export const PTDBG_TRACE_OPERATION_STATUS = 0x00000002;

export interface PassThroughImage {
  readonly globals: { gFilterHandle: PFLT_FILTER | null; OperationStatusCtx: number; gTraceFlags: number };
  /** What PT_DBG_PRINT printed, in order. */
  readonly DbgPrint: string[];
  readonly FilterRegistration: FLT_REGISTRATION;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
}

export function passThrough(gTraceFlags = 0): PassThroughImage {
  const globals = { gFilterHandle: null as PFLT_FILTER | null, OperationStatusCtx: 1, gTraceFlags };
  const DbgPrint: string[] = [];
  const PT_DBG_PRINT = (level: number, text: string): void => {
    if ((globals.gTraceFlags & level) !== 0) DbgPrint.push(text);
  };

  const passThroughPair = (MajorFunction: number): FLT_OPERATION_REGISTRATION => ({
    MajorFunction,
    Flags: 0,
    PreOperation: PtPreOperationPassThrough,
    PostOperation: PtPostOperationPassThrough,
  });

  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    ...[
      IRP_MJ_CREATE,
      IRP_MJ_CREATE_NAMED_PIPE,
      IRP_MJ_CLOSE,
      IRP_MJ_READ,
      IRP_MJ_WRITE,
      IRP_MJ_QUERY_INFORMATION,
      IRP_MJ_SET_INFORMATION,
      IRP_MJ_QUERY_EA,
      IRP_MJ_SET_EA,
      IRP_MJ_FLUSH_BUFFERS,
      IRP_MJ_QUERY_VOLUME_INFORMATION,
      IRP_MJ_SET_VOLUME_INFORMATION,
      IRP_MJ_DIRECTORY_CONTROL,
      IRP_MJ_FILE_SYSTEM_CONTROL,
      IRP_MJ_DEVICE_CONTROL,
      IRP_MJ_INTERNAL_DEVICE_CONTROL,
    ].map(passThroughPair),
    // Post operations are not supported for shutdown.
    { MajorFunction: IRP_MJ_SHUTDOWN, Flags: 0, PreOperation: PtPreOperationNoPostOperationPassThrough },
    ...[
      IRP_MJ_LOCK_CONTROL,
      IRP_MJ_CLEANUP,
      IRP_MJ_CREATE_MAILSLOT,
      IRP_MJ_QUERY_SECURITY,
      IRP_MJ_SET_SECURITY,
      IRP_MJ_QUERY_QUOTA,
      IRP_MJ_SET_QUOTA,
      IRP_MJ_PNP,
      IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
      IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
      IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
      IRP_MJ_RELEASE_FOR_MOD_WRITE,
      IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
      IRP_MJ_RELEASE_FOR_CC_FLUSH,
      IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE,
      IRP_MJ_NETWORK_QUERY_OPEN,
      IRP_MJ_MDL_READ,
      IRP_MJ_MDL_READ_COMPLETE,
      IRP_MJ_PREPARE_MDL_WRITE,
      IRP_MJ_MDL_WRITE_COMPLETE,
      IRP_MJ_VOLUME_MOUNT,
      IRP_MJ_VOLUME_DISMOUNT,
    ].map(passThroughPair),
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: PtUnload,
    InstanceSetupCallback: PtInstanceSetup,
    InstanceQueryTeardownCallback: PtInstanceQueryTeardown,
    InstanceTeardownStartCallback: PtInstanceTeardownStart,
    InstanceTeardownCompleteCallback: PtInstanceTeardownComplete,
  };

  /** Attach to every volume: without this routine automatic instances would be created anyway. */
  function PtInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, Flags: number, VolumeDeviceType: string, VolumeFilesystemType: string): NTSTATUS {
    void FltObjects, Flags, VolumeDeviceType, VolumeFilesystemType;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtInstanceSetup: Entered');
    return STATUS_SUCCESS;
  }

  /** Present so a manual detach is allowed (without it FltDetachVolume / FilterDetach would fail). */
  function PtInstanceQueryTeardown(FltObjects: FLT_RELATED_OBJECTS, Flags: number): NTSTATUS {
    void FltObjects, Flags;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtInstanceQueryTeardown: Entered');
    return STATUS_SUCCESS;
  }

  function PtInstanceTeardownStart(FltObjects: FLT_RELATED_OBJECTS, Flags: number): void {
    void FltObjects, Flags;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtInstanceTeardownStart: Entered');
  }

  function PtInstanceTeardownComplete(FltObjects: FLT_RELATED_OBJECTS, Flags: number): void {
    void FltObjects, Flags;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtInstanceTeardownComplete: Entered');
  }

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!DriverEntry: Entered');
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    let status = registered.status;
    if (NT_SUCCESS(status)) {
      globals.gFilterHandle = registered.filter;
      status = yield* FltStartFiltering(globals.gFilterHandle!);
      if (!NT_SUCCESS(status)) yield* FltUnregisterFilter(globals.gFilterHandle!);
    }
    return status;
  }

  function* PtUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtUnload: Entered');
    yield* FltUnregisterFilter(globals.gFilterHandle!);
    return STATUS_SUCCESS;
  }

  function PtPreOperationPassThrough(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS {
    void FltObjects, CompletionContext;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtPreOperationPassThrough: Entered');
    // Most filters never need this: only to learn, e.g., whether an oplock was actually granted.
    if (PtDoRequestOperationStatus(Data)) {
      const status = FltRequestOperationStatusCallback(Data, PtOperationStatusCallback, ++globals.OperationStatusCtx);
      if (!NT_SUCCESS(status)) {
        PT_DBG_PRINT(PTDBG_TRACE_OPERATION_STATUS, `PassThrough!PtPreOperationPassThrough: FltRequestOperationStatusCallback Failed, status=${hex8(status)}`);
      }
    }
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
  }

  /** Called when the request returns from being sent below: STATUS_PENDING here means it was queued. */
  function PtOperationStatusCallback(FltObjects: FLT_RELATED_OBJECTS, ParameterSnapshot: FLT_IO_PARAMETER_BLOCK, OperationStatus: NTSTATUS, RequesterContext: unknown): void {
    void FltObjects;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtOperationStatusCallback: Entered');
    const major = ParameterSnapshot.MajorFunction;
    PT_DBG_PRINT(
      PTDBG_TRACE_OPERATION_STATUS,
      // FltGetIrpName is a debugging aid fltsim does not model; IRP_MJ_NAMES gives the same name.
      `PassThrough!PtOperationStatusCallback: Status=${hex8(OperationStatus)} ctx=${String(RequesterContext)} IrpMj=${hex2(major)}.${hex2(ParameterSnapshot.MinorFunction)} "${IRP_MJ_NAMES[major] ?? 'IRP_MJ_UNKNOWN'}"`,
    );
  }

  function PtPostOperationPassThrough(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): FLT_POSTOP_CALLBACK_STATUS {
    void Data, FltObjects, CompletionContext, Flags;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtPostOperationPassThrough: Entered');
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  function PtPreOperationNoPostOperationPassThrough(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS {
    void Data, FltObjects, CompletionContext;
    PT_DBG_PRINT(PTDBG_TRACE_ROUTINES, 'PassThrough!PtPreOperationNoPostOperationPassThrough: Entered');
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  /** The operations whose normal answer is STATUS_PENDING: oplock requests and change notifications. */
  function PtDoRequestOperationStatus(Data: FLT_CALLBACK_DATA): boolean {
    const iopb = Data.Iopb;
    const fsctl = (iopb.Parameters as { FileSystemControl?: { FsControlCode?: number } }).FileSystemControl?.FsControlCode;
    return (
      (iopb.MajorFunction === IRP_MJ_FILE_SYSTEM_CONTROL &&
        (fsctl === FSCTL_REQUEST_FILTER_OPLOCK || fsctl === FSCTL_REQUEST_BATCH_OPLOCK || fsctl === FSCTL_REQUEST_OPLOCK_LEVEL_1 || fsctl === FSCTL_REQUEST_OPLOCK_LEVEL_2)) ||
      (iopb.MajorFunction === IRP_MJ_DIRECTORY_CONTROL && iopb.MinorFunction === IRP_MN_NOTIFY_CHANGE_DIRECTORY)
    );
  }

  return { globals, DbgPrint, FilterRegistration, DriverEntry };
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
