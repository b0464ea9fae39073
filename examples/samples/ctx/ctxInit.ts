/**
 * CtxInit.c, ported: the ctx sample's registration (four context types sharing CtxContextCleanup;
 * CREATE, CLEANUP, CLOSE and SET_INFORMATION, all SKIP_PAGING_IO), DriverEntry, CtxUnload, and the
 * instance callbacks — CtxInstanceSetup keeps the volume's name in an instance context.
 * INF: "Ctx" instance at 370070, Flags 0x0. Each call of ctx() is the driver loaded on one machine,
 * with its own Globals.
 */
import {
  ExDeleteResourceLite,
  FLT_CONTEXT_END,
  FLT_FILE_CONTEXT,
  FLT_INSTANCE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  FltAllocateContext,
  FltGetVolumeName,
  FltRegisterFilter,
  FltReleaseContext,
  FltSetInstanceContext,
  FltStartFiltering,
  FltUnregisterFilter,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_OPERATION_END,
  IRP_MJ_SET_INFORMATION,
  NonPagedPool,
  NT_SUCCESS,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CONTEXT_REGISTRATION,
  type FLT_OPERATION_REGISTRATION,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_CONTEXT,
} from '../../../src/index.js';
import { contextRoutines } from './context.js';
import {
  CTX_FILE_CONTEXT_SIZE,
  CTX_FILE_CONTEXT_TAG,
  CTX_INSTANCE_CONTEXT_SIZE,
  CTX_INSTANCE_CONTEXT_TAG,
  CTX_STREAM_CONTEXT_SIZE,
  CTX_STREAM_CONTEXT_TAG,
  CTX_STREAMHANDLE_CONTEXT_SIZE,
  CTX_STREAMHANDLE_CONTEXT_TAG,
  DEBUG_TRACE_ERROR,
  DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS,
  DEBUG_TRACE_LOAD_UNLOAD,
  DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS,
  DebugTrace,
  type CTX_GLOBAL_DATA,
  type CTX_INSTANCE_CONTEXT,
  type CTX_STREAM_CONTEXT,
  type CTX_STREAMHANDLE_CONTEXT,
} from './ctxStruc.js';
import { operations } from './operations.js';

export const CTX_NAME = 'ctx';

/** What ctx.inf writes under the service's Instances key. */
export const CTX_INSTANCES: InstancesKey = { DefaultInstance: 'Ctx', Instances: { Ctx: { Altitude: '370070', Flags: 0x0 } } };

export interface CtxImage {
  readonly Globals: CTX_GLOBAL_DATA;
  readonly FilterRegistration: FLT_REGISTRATION;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
}

export function ctx(DebugLevel = DEBUG_TRACE_ERROR): CtxImage {
  const Globals: CTX_GLOBAL_DATA = { Filter: null, DebugLevel, DebugOutput: [] };
  const ops = operations(Globals, contextRoutines(Globals));

  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    { MajorFunction: IRP_MJ_CREATE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: ops.CtxPreCreate, PostOperation: ops.CtxPostCreate },
    { MajorFunction: IRP_MJ_CLEANUP, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: ops.CtxPreCleanup },
    { MajorFunction: IRP_MJ_CLOSE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: ops.CtxPreClose },
    { MajorFunction: IRP_MJ_SET_INFORMATION, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: ops.CtxPreSetInfo, PostOperation: ops.CtxPostSetInfo },
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  const ContextRegistration: FLT_CONTEXT_REGISTRATION[] = [
    { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: CtxContextCleanup, Size: CTX_INSTANCE_CONTEXT_SIZE, PoolTag: CTX_INSTANCE_CONTEXT_TAG },
    { ContextType: FLT_FILE_CONTEXT, Flags: 0, ContextCleanupCallback: CtxContextCleanup, Size: CTX_FILE_CONTEXT_SIZE, PoolTag: CTX_FILE_CONTEXT_TAG },
    { ContextType: FLT_STREAM_CONTEXT, Flags: 0, ContextCleanupCallback: CtxContextCleanup, Size: CTX_STREAM_CONTEXT_SIZE, PoolTag: CTX_STREAM_CONTEXT_TAG },
    { ContextType: FLT_STREAMHANDLE_CONTEXT, Flags: 0, ContextCleanupCallback: CtxContextCleanup, Size: CTX_STREAMHANDLE_CONTEXT_SIZE, PoolTag: CTX_STREAMHANDLE_CONTEXT_TAG },
    { ContextType: FLT_CONTEXT_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: CtxUnload,
    InstanceSetupCallback: CtxInstanceSetup,
    InstanceQueryTeardownCallback: CtxInstanceQueryTeardown,
    InstanceTeardownStartCallback: CtxInstanceTeardownStart,
    InstanceTeardownCompleteCallback: CtxInstanceTeardownComplete,
  };

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    DebugTrace(Globals, DEBUG_TRACE_LOAD_UNLOAD, '[Ctx]: Driver being loaded');
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    if (!NT_SUCCESS(registered.status)) return registered.status;
    Globals.Filter = registered.filter;
    const status = yield* FltStartFiltering(Globals.Filter!);
    if (!NT_SUCCESS(status)) yield* FltUnregisterFilter(Globals.Filter!);
    return status;
  }

  function* CtxUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    DebugTrace(Globals, DEBUG_TRACE_LOAD_UNLOAD, '[Ctx]: Unloading driver');
    yield* FltUnregisterFilter(Globals.Filter!);
    Globals.Filter = null;
    return STATUS_SUCCESS;
  }

  /**
   * Frees what the contexts point to, the stream and stream-handle contexts' ERESOURCEs with
   * ExDeleteResourceLite; the Filter Manager frees the contexts.
   */
  function* CtxContextCleanup(Context: PFLT_CONTEXT, ContextType: number): Blocking<void> {
    switch (ContextType) {
      case FLT_INSTANCE_CONTEXT:
        (Context.Data as Partial<CTX_INSTANCE_CONTEXT>).VolumeName = null;
        break;
      case FLT_FILE_CONTEXT:
        Context.Data['FileName'] = null;
        break;
      case FLT_STREAM_CONTEXT: {
        const streamContext = Context.Data as Partial<CTX_STREAM_CONTEXT>;
        DebugTrace(
          Globals,
          DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS,
          `[Ctx]: Cleaning up stream context for file ${streamContext.FileName ?? ''} CreateCount = ${streamContext.CreateCount ?? 0} CleanupCount = ${streamContext.CleanupCount ?? 0} CloseCount = ${streamContext.CloseCount ?? 0}`,
        );
        if (streamContext.Resource != null) yield* ExDeleteResourceLite(streamContext.Resource);
        streamContext.Resource = null;
        streamContext.FileName = null;
        break;
      }
      case FLT_STREAMHANDLE_CONTEXT: {
        const streamHandleContext = Context.Data as Partial<CTX_STREAMHANDLE_CONTEXT>;
        if (streamHandleContext.Resource != null) yield* ExDeleteResourceLite(streamHandleContext.Resource);
        streamHandleContext.Resource = null;
        streamHandleContext.FileName = null;
        break;
      }
    }
  }

  function* CtxInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, Flags: number, VolumeDeviceType: string, VolumeFilesystemType: string): Blocking<NTSTATUS> {
    void Flags, VolumeDeviceType, VolumeFilesystemType;
    const allocated = FltAllocateContext<CTX_INSTANCE_CONTEXT>(FltObjects.Filter, FLT_INSTANCE_CONTEXT, CTX_INSTANCE_CONTEXT_SIZE, NonPagedPool);
    let status = allocated.status;
    const instanceContext = allocated.context;
    do {
      if (!NT_SUCCESS(status)) break;
      // First the length, then the name, as the C does with a NULL buffer.
      const length = FltGetVolumeName(FltObjects.Volume, null);
      if (!NT_SUCCESS(length.status) && length.status !== STATUS_BUFFER_TOO_SMALL) {
        status = length.status;
        break;
      }
      const named = FltGetVolumeName(FltObjects.Volume, length.BufferSizeNeeded);
      status = named.status;
      if (!NT_SUCCESS(status)) break;
      Object.assign(instanceContext!.Data, { Instance: FltObjects.Instance, Volume: FltObjects.Volume, VolumeName: named.VolumeName });
      status = yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, instanceContext!, null);
      DebugTrace(Globals, DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS, `[Ctx]: Instance context for volume ${named.VolumeName ?? ''} set (status 0x${(status >>> 0).toString(16)})`);
    } while (false);
    // The instance holds its own reference once set; ours goes in every case.
    if (instanceContext !== null) FltReleaseContext(instanceContext);
    return status;
  }

  function CtxInstanceQueryTeardown(FltObjects: FLT_RELATED_OBJECTS, Flags: number): NTSTATUS {
    void FltObjects, Flags;
    return STATUS_SUCCESS;
  }

  function CtxInstanceTeardownStart(FltObjects: FLT_RELATED_OBJECTS, Flags: number): void {
    void FltObjects, Flags;
  }

  function CtxInstanceTeardownComplete(FltObjects: FLT_RELATED_OBJECTS, Flags: number): void {
    void FltObjects, Flags;
  }

  return { Globals, FilterRegistration, DriverEntry };
}
