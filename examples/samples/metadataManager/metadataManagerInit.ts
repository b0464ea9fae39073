/**
 * MetadataManagerInit.c, ported: the registration (CREATE, CLEANUP, FILE_SYSTEM_CONTROL,
 * DEVICE_CONTROL, SHUTDOWN, PNP; CREATE and CLEANUP and FSCTL only for DASD opens, since
 * VERIFY_METADATA_OPENED is 0), DriverEntry, FmmUnload, the instance context's cleanup and the
 * instance callbacks. FmmInstanceSetup opens the metadata file on the volume (creating it only on a
 * manual attachment) and attaches only if that worked; FmmInstanceTeardownComplete closes it.
 * INF: instance "FMM" at 370060, Flags 0x0. Each call of metadataManager() is the driver loaded on
 * one machine, with its own Globals.
 *
 * What differs, and why:
 * - FltGetDiskDeviceObject is not modelled: fltsim's volumes sit on disks, so the device-type and
 *   characteristics check (FILE_DEVICE_DISK, not floppy / read-only / virtual) passes as on a disk;
 *   a read-only volume is refused the same way (STATUS_NOT_SUPPORTED).
 * - FmmContextCleanup cannot call ExDeleteResourceLite (a context cleanup callback cannot block in
 *   fltsim); it drops the resource, which is never held at that point (the last reference goes
 *   after FmmInstanceTeardownComplete released it).
 * - The registry DebugLevel is the constructor's argument.
 */
import {
  ERESOURCE,
  ExInitializeResourceLite,
  FLT_CONTEXT_END,
  FLT_INSTANCE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT,
  FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  FltAllocateContext,
  FltGetInstanceContext,
  FltIsVolumeWritable,
  FltRegisterFilter,
  FltReleaseContext,
  FltSetInstanceContext,
  FltStartFiltering,
  FltUnregisterFilter,
  IRP_MJ_CLEANUP,
  IRP_MJ_CREATE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_OPERATION_END,
  IRP_MJ_PNP,
  IRP_MJ_SHUTDOWN,
  NonPagedPool,
  NT_SUCCESS,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_NOT_SUPPORTED,
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
import { dataStore } from './dataStore.js';
import {
  DEBUG_TRACE_ERROR,
  DEBUG_TRACE_INFO,
  DEBUG_TRACE_INSTANCES,
  DEBUG_TRACE_LOAD_UNLOAD,
  DebugTrace,
  FLT_ASSERT,
  FlagOn,
  FMM_INSTANCE_CONTEXT_SIZE,
  FMM_INSTANCE_CONTEXT_TAG,
  FmmAcquireResourceExclusive,
  FmmReleaseResource,
  INSTANCE_CONTEXT_F_METADATA_OPENED,
  INSTANCE_CONTEXT_F_TRANSITION,
  type FMM_GLOBAL_DATA,
  type FMM_INSTANCE_CONTEXT,
  type FmmVariant,
} from './metadataManagerStruc.js';
import { operations } from './operations.js';

export const FMM_NAME = 'fmm';

/** What fmm.inf writes under the service's Instances key. */
export const FMM_INSTANCES: InstancesKey = { DefaultInstance: 'FMM', Instances: { FMM: { Altitude: '370060', Flags: 0x0 } } };

export interface FmmImage {
  readonly Globals: FMM_GLOBAL_DATA;
  readonly FilterRegistration: FLT_REGISTRATION;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
}

export function metadataManager(options: { readonly DebugLevel?: number; readonly variant?: FmmVariant; readonly checked?: boolean } = {}): FmmImage {
  const Globals: FMM_GLOBAL_DATA = { Filter: null, DebugLevel: options.DebugLevel ?? DEBUG_TRACE_ERROR, DebugOutput: [], variant: options.variant ?? 'shipped', checked: options.checked ?? true };
  const ds = dataStore(Globals);
  const ops = operations(Globals, ds);

  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    // OPERATION_REGISTRATION_FLAGS_FOR_CREATE without VERIFY_METADATA_OPENED: only volume opens.
    { MajorFunction: IRP_MJ_CREATE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO | FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO, PreOperation: ops.FmmPreCreate, PostOperation: ops.FmmPostCreate },
    { MajorFunction: IRP_MJ_CLEANUP, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO | FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO, PreOperation: ops.FmmPreCleanup, PostOperation: ops.FmmPostCleanup },
    { MajorFunction: IRP_MJ_FILE_SYSTEM_CONTROL, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO | FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO, PreOperation: ops.FmmPreFSControl, PostOperation: ops.FmmPostFSControl },
    { MajorFunction: IRP_MJ_DEVICE_CONTROL, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: ops.FmmPreDeviceControl, PostOperation: ops.FmmPostDeviceControl },
    { MajorFunction: IRP_MJ_SHUTDOWN, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: ops.FmmPreShutdown },
    { MajorFunction: IRP_MJ_PNP, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: ops.FmmPrePnp, PostOperation: ops.FmmPostPnp },
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  const ContextRegistration: FLT_CONTEXT_REGISTRATION[] = [
    { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: FmmContextCleanup, Size: FMM_INSTANCE_CONTEXT_SIZE, PoolTag: FMM_INSTANCE_CONTEXT_TAG },
    { ContextType: FLT_CONTEXT_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: FmmUnload,
    InstanceSetupCallback: FmmInstanceSetup,
    InstanceQueryTeardownCallback: FmmInstanceQueryTeardown,
    InstanceTeardownStartCallback: FmmInstanceTeardownStart,
    InstanceTeardownCompleteCallback: FmmInstanceTeardownComplete,
  };

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    DebugTrace(Globals, DEBUG_TRACE_LOAD_UNLOAD, '[Fmm]: Driver being loaded');
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    if (!NT_SUCCESS(registered.status)) return registered.status;
    Globals.Filter = registered.filter;
    const status = yield* FltStartFiltering(Globals.Filter!);
    if (!NT_SUCCESS(status)) yield* FltUnregisterFilter(Globals.Filter!);
    DebugTrace(Globals, DEBUG_TRACE_LOAD_UNLOAD, `[Fmm]: Driver loaded complete (Status = 0x${(status >>> 0).toString(16).padStart(8, '0')})`);
    return status;
  }

  function* FmmUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    DebugTrace(Globals, DEBUG_TRACE_LOAD_UNLOAD, '[Fmm]: Unloading driver');
    yield* FltUnregisterFilter(Globals.Filter!);
    Globals.Filter = null;
    return STATUS_SUCCESS;
  }

  function FmmContextCleanup(Context: PFLT_CONTEXT, ContextType: number): void {
    switch (ContextType) {
      case FLT_INSTANCE_CONTEXT:
        DebugTrace(Globals, DEBUG_TRACE_INFO, `[Fmm]: Cleaning up instance context for volume (Context = ${Context})`);
        // ExDeleteResourceLite(&instanceContext->MetadataResource): see the header comment.
        break;
    }
    DebugTrace(Globals, DEBUG_TRACE_INFO, '[Fmm]: Context cleanup complete.');
  }

  function* FmmInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, Flags: number, VolumeDeviceType: string, VolumeFilesystemType: string): Blocking<NTSTATUS> {
    void VolumeDeviceType;
    DebugTrace(Globals, DEBUG_TRACE_INSTANCES, `[Fmm]: Instance setup started (Volume = ${FltObjects.Volume}, Instance = ${FltObjects.Instance})`);
    let status: NTSTATUS = STATUS_SUCCESS;
    let instanceContext: PFLT_CONTEXT<FMM_INSTANCE_CONTEXT> | null = null;
    // `do … while (false)` stands for the C's `goto FmmInstanceSetupCleanup`.
    do {
      // NTFS, FAT and ReFS, as examples: the metadata handling applies to any file system.
      if (VolumeFilesystemType !== 'NTFS' && VolumeFilesystemType !== 'FAT' && VolumeFilesystemType !== 'ReFS') {
        DebugTrace(Globals, DEBUG_TRACE_INSTANCES, `[Fmm]: Unsupported file system mounted (Volume = ${FltObjects.Volume}, Instance = ${FltObjects.Instance})`);
        status = STATUS_NOT_SUPPORTED;
        break;
      }
      // FltGetDiskDeviceObject: a disk, and not FILE_READ_ONLY_DEVICE (see the header comment).
      const writable = FltIsVolumeWritable(FltObjects.Volume);
      if (NT_SUCCESS(writable.status) && !writable.IsWritable) {
        DebugTrace(Globals, DEBUG_TRACE_INSTANCES, `[Fmm]: Unsupported device type or device characteristics (Volume = ${FltObjects.Volume}, Instance = ${FltObjects.Instance})`);
        status = STATUS_NOT_SUPPORTED;
        break;
      }
      const allocated = FltAllocateContext<FMM_INSTANCE_CONTEXT>(FltObjects.Filter, FLT_INSTANCE_CONTEXT, FMM_INSTANCE_CONTEXT_SIZE, NonPagedPool);
      status = allocated.status;
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_INSTANCES | DEBUG_TRACE_ERROR, `[Fmm]: Failed to allocate instance context (Volume = ${FltObjects.Volume}, Instance = ${FltObjects.Instance}, Status = 0x${(status >>> 0).toString(16)})`);
        break;
      }
      instanceContext = allocated.context!;
      const fields: FMM_INSTANCE_CONTEXT = {
        Flags: 0,
        Instance: FltObjects.Instance,
        FilesystemType: VolumeFilesystemType,
        Volume: FltObjects.Volume,
        MetadataResource: new ERESOURCE(`${FMM_NAME} MetadataResource ${FltObjects.Volume}`),
        MetadataHandle: null,
        MetadataFileObject: null,
        MetadataOpenTriggerFileObject: null,
      };
      Object.assign(instanceContext.Data, fields);
      yield* ExInitializeResourceLite(instanceContext.Data.MetadataResource);
      status = yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, instanceContext, null);
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_INSTANCES | DEBUG_TRACE_ERROR, `[Fmm]: Failed to set instance context (Volume = ${FltObjects.Volume}, Instance = ${FltObjects.Instance}, Status = 0x${(status >>> 0).toString(16)})`);
        break;
      }
      const context = instanceContext.Data;
      yield* FmmAcquireResourceExclusive(context.MetadataResource);
      FLT_ASSERT(Globals, !FlagOn(context.Flags, INSTANCE_CONTEXT_F_TRANSITION), 'no transition during instance setup');
      // Attach where the metadata file is found; a manual attachment creates it.
      status = yield* ds.FmmOpenMetadata(context, FlagOn(Flags, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT));
      yield* FmmReleaseResource(context.MetadataResource);
    } while (false);

    // FmmInstanceSetupCleanup: our reference goes whether or not the set succeeded.
    if (instanceContext !== null) FltReleaseContext(instanceContext);
    DebugTrace(
      Globals,
      DEBUG_TRACE_INSTANCES,
      `[Fmm]: Instance setup complete (Volume = ${FltObjects.Volume}, Instance = ${FltObjects.Instance}). Filter will ${NT_SUCCESS(status) ? '' : 'not '}attach to the volume.`,
    );
    // An automatic attachment to a volume we do not support is not an error worth an event log entry.
    if (status === STATUS_NOT_SUPPORTED && !FlagOn(Flags, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT)) status = STATUS_FLT_DO_NOT_ATTACH;
    return status;
  }

  function FmmInstanceQueryTeardown(FltObjects: FLT_RELATED_OBJECTS, Flags: number): NTSTATUS {
    void FltObjects, Flags;
    return STATUS_SUCCESS;
  }

  function FmmInstanceTeardownStart(FltObjects: FLT_RELATED_OBJECTS, Flags: number): void {
    void FltObjects, Flags;
  }

  /** Closes the metadata file if the instance still has it open. */
  function* FmmInstanceTeardownComplete(FltObjects: FLT_RELATED_OBJECTS, Flags: number): Blocking<void> {
    void Flags;
    DebugTrace(Globals, DEBUG_TRACE_INSTANCES, `[Fmm]: Instance teardown complete started (Instance = ${FltObjects.Instance})`);
    const got = yield* FltGetInstanceContext<FMM_INSTANCE_CONTEXT>(FltObjects.Instance);
    if (NT_SUCCESS(got.status)) {
      const instanceContext = got.context!.Data;
      yield* FmmAcquireResourceExclusive(instanceContext.MetadataResource);
      FLT_ASSERT(Globals, !FlagOn(instanceContext.Flags, INSTANCE_CONTEXT_F_TRANSITION), 'no transition during instance teardown complete');
      if (FlagOn(instanceContext.Flags, INSTANCE_CONTEXT_F_METADATA_OPENED)) yield* ds.FmmCloseMetadata(instanceContext);
      yield* FmmReleaseResource(instanceContext.MetadataResource);
      FltReleaseContext(got.context!);
    }
    DebugTrace(Globals, DEBUG_TRACE_INSTANCES, `[Fmm]: Instance teardown complete ended (Instance = ${FltObjects.Instance})`);
  }

  return { Globals, FilterRegistration, DriverEntry };
}
