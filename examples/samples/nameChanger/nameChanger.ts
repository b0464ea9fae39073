/**
 * nc.c of the NameChanger sample (filesys/miniFilter/NameChanger), the parts the directory change
 * notification core needs: registration, DriverEntry, NcUnload, the instance callbacks, and the
 * IRP_MJ_CLEANUP and IRP_MJ_DIRECTORY_CONTROL callbacks. The notification core itself is
 * ncdirnotify.ts, ncdirnotifyAbort.ts and ncnotifyrequest.ts.
 *
 * Reduced, precisely (the rest of NameChanger renames creates, enumerations, file information and
 * FSCTLs, and is a name provider; none of it is ported):
 * - Callbacks: IRP_MJ_CLEANUP and IRP_MJ_DIRECTORY_CONTROL only (CREATE, QUERY_INFORMATION,
 *   SET_INFORMATION, NETWORK_QUERY_OPEN and FILE_SYSTEM_CONTROL are left out), and no name provider
 *   callbacks (GenerateFileName, NormalizeNameComponent(Ex)). IRP_MN_QUERY_DIRECTORY
 *   (NcEnumerateDirectory) passes through.
 * - NcInitializeMapping reads the registry; here the configuration gives the four strings it reads
 *   (UserMappingPath, UserMappingFinalComponent, RealMappingPath, RealMappingFinalComponent).
 * - NcInstanceSetup keeps its refusals (ReFS, automatic attachment) and the checks that neither
 *   mapping lies in or above the other; it builds the mapping from the volume name and those strings
 *   (NcBuildMappingPathFromVolume) instead of opening both parents, querying the user mapping's
 *   final component and asking for short and normalized names (NcBuildMapping).
 */
import {
  FLT_CONTEXT_END,
  FLT_FSTYPE_REFS,
  FLT_INSTANCE_CONTEXT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAMHANDLE_CONTEXT,
  FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT,
  FLTFL_POST_OPERATION_DRAINING,
  FltAllocateContext,
  FltGetInstanceContext,
  FltGetStreamHandleContext,
  FltGetVolumeName,
  FltRegisterFilter,
  FltReleaseContext,
  FltSetInstanceContext,
  FltStartFiltering,
  FltUnregisterFilter,
  IRP_MJ_CLEANUP,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MN_NOTIFY_CHANGE_DIRECTORY,
  IRP_MN_QUERY_DIRECTORY,
  NonPagedPool,
  NT_SUCCESS,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PDRIVER_OBJECT,
} from '../../../src/index.js';
import { FlagOn, NcBuildMappingPathFromVolume, NcComparePath, type NC_GLOBAL_DATA, type NC_INSTANCE_CONTEXT, type NC_STREAM_HANDLE_CONTEXT } from './nc.js';
import { NcInstanceContextClose, NcStreamHandleContextClose } from './nccontext.js';
import { ncDirNotify } from './ncdirnotify.js';
import { NcStreamHandleContextNotCleanup } from './ncdirnotifyAbort.js';

/** What NcInitializeMapping reads from the service's Parameters key. */
export interface NameChangerConfiguration {
  /** The parent of the user mapping, from the volume root (`\user`). */
  readonly UserMappingPath: string;
  readonly UserMappingFinalComponent: string;
  /** The parent of the real mapping (`\real`). */
  readonly RealMappingPath: string;
  readonly RealMappingFinalComponent: string;
}

export interface NameChanger {
  readonly NcGlobalData: NC_GLOBAL_DATA;
  readonly DriverEntry: (DriverObject: PDRIVER_OBJECT) => Blocking<NTSTATUS>;
}

/** The sample's module: its global data and routines, for one simulation. */
export function createNameChanger(configuration: NameChangerConfiguration): NameChanger {
  const NcGlobalData: NC_GLOBAL_DATA = { UserMappingPath: '', UserMappingFinalComponentLong: '', RealMappingPath: '', RealMappingFinalComponent: '', FilterHandle: null };
  const { NcPreNotifyDirectory, NcPostNotifyDirectory } = ncDirNotify(NcGlobalData);

  const Callbacks = [
    { MajorFunction: IRP_MJ_CLEANUP, Flags: 0, PreOperation: NcPreCleanupCallback, PostOperation: NcPostCleanupCallback },
    { MajorFunction: IRP_MJ_DIRECTORY_CONTROL, Flags: 0, PreOperation: NcPreDirectoryControlCallback, PostOperation: NcPostDirectoryControlCallback },
  ];

  const contextRegistration = [
    { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: NcInstanceContextClose, Size: 64, PoolTag: 0x6e69434e /* 'NCin' */ },
    { ContextType: FLT_STREAMHANDLE_CONTEXT, Flags: 0, ContextCleanupCallback: NcStreamHandleContextClose, Size: 64, PoolTag: 0x6873434e /* 'NCsh' */ },
    { ContextType: FLT_CONTEXT_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration: contextRegistration,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: NcUnload,
    InstanceSetupCallback: NcInstanceSetup,
    InstanceQueryTeardownCallback: NcInstanceQueryTeardown,
    InstanceTeardownStartCallback: NcInstanceTeardownStart,
  };

  /** Attach only when asked (never automatically), and only where the mapping makes sense. */
  function* NcInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, Flags: number, _VolumeDeviceType: unknown, VolumeFilesystemType: unknown): Blocking<NTSTATUS> {
    //  V3 USN records of ReFS are not handled.
    if (VolumeFilesystemType === FLT_FSTYPE_REFS) return STATUS_FLT_DO_NOT_ATTACH;
    //  Prevent the filter from auto attaching.
    if (FlagOn(Flags, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT)) return STATUS_FLT_DO_NOT_ATTACH;
    if (NcGlobalData.UserMappingPath.length === 0 || NcGlobalData.UserMappingFinalComponentLong.length === 0 || NcGlobalData.RealMappingPath.length === 0 || NcGlobalData.RealMappingFinalComponent.length === 0) return STATUS_FLT_DO_NOT_ATTACH;
    //  The volume name: its size first, then the name (NcBuildMappingPathFromVolume).
    const VolumeName = FltGetVolumeName(FltObjects.Volume, FltGetVolumeName(FltObjects.Volume, null).BufferSizeNeeded).VolumeName!;
    const UserPath = NcBuildMappingPathFromVolume(VolumeName, NcGlobalData.UserMappingPath, NcGlobalData.UserMappingFinalComponentLong);
    const RealPath = NcBuildMappingPathFromVolume(VolumeName, NcGlobalData.RealMappingPath, NcGlobalData.RealMappingFinalComponent);
    let ReturnValue: NTSTATUS = STATUS_SUCCESS;
    const allocated = FltAllocateContext<NC_INSTANCE_CONTEXT>(FltObjects.Filter, FLT_INSTANCE_CONTEXT, 64, NonPagedPool);
    if (!NT_SUCCESS(allocated.status)) return allocated.status;
    const InstanceContext = allocated.context!;
    NcInstanceSetupCleanup: {
      InstanceContext.Data.Mapping = { UserMapping: { LongNamePath: UserPath }, RealMapping: { LongNamePath: RealPath } };
      //  Neither mapping may lie in or above the other (case-insensitively, as requests may be).
      let Overlap = NcComparePath(RealPath.FullPath, InstanceContext.Data.Mapping.UserMapping, true, true).Overlap;
      if (Overlap.InMapping || Overlap.Ancestor) {
        ReturnValue = STATUS_FLT_DO_NOT_ATTACH;
        break NcInstanceSetupCleanup;
      }
      Overlap = NcComparePath(UserPath.FullPath, InstanceContext.Data.Mapping.RealMapping, true, true).Overlap;
      if (Overlap.InMapping || Overlap.Ancestor) {
        ReturnValue = STATUS_FLT_DO_NOT_ATTACH;
        break NcInstanceSetupCleanup;
      }
      InstanceContext.Data.VolumeFilesystemType = VolumeFilesystemType;
      ReturnValue = yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, InstanceContext, null);
    }
    // NcInstanceSetupCleanup:
    FltReleaseContext(InstanceContext);
    return ReturnValue;
  }

  function NcInstanceQueryTeardown(_FltObjects: FLT_RELATED_OBJECTS, _Flags: number): NTSTATUS {
    return STATUS_SUCCESS;
  }

  function* NcInstanceTeardownStart(FltObjects: FLT_RELATED_OBJECTS, _Flags: number): Blocking<void> {
    const got = yield* FltGetInstanceContext<NC_INSTANCE_CONTEXT>(FltObjects.Instance);
    if (got.context !== null) FltReleaseContext(got.context);
  }

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    let Status = NcInitializeMapping();
    if (!NT_SUCCESS(Status)) return Status;
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    Status = registered.status;
    if (NT_SUCCESS(Status)) {
      NcGlobalData.FilterHandle = registered.filter;
      Status = yield* FltStartFiltering(NcGlobalData.FilterHandle!);
      if (!NT_SUCCESS(Status)) yield* FltUnregisterFilter(NcGlobalData.FilterHandle!);
    }
    return Status;
  }

  /** The registry's four mapping strings (see the header). */
  function NcInitializeMapping(): NTSTATUS {
    NcGlobalData.UserMappingPath = configuration.UserMappingPath;
    NcGlobalData.UserMappingFinalComponentLong = configuration.UserMappingFinalComponent;
    NcGlobalData.RealMappingPath = configuration.RealMappingPath;
    NcGlobalData.RealMappingFinalComponent = configuration.RealMappingFinalComponent;
    return STATUS_SUCCESS;
  }

  function* NcUnload(_Flags: number): Blocking<NTSTATUS> {
    yield* FltUnregisterFilter(NcGlobalData.FilterHandle!);
    NcGlobalData.UserMappingPath = '';
    NcGlobalData.UserMappingFinalComponentLong = '';
    NcGlobalData.RealMappingPath = '';
    NcGlobalData.RealMappingFinalComponent = '';
    return STATUS_SUCCESS;
  }

  /** Every cleanup is synchronized, so post-cleanup runs at ≤ APC_LEVEL and may tear state down. */
  function NcPreCleanupCallback(_Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, _CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS {
    return FLT_PREOP_SYNCHRONIZE;
  }

  /** Tear down the change notification state of the handle. Cleanup never fails. */
  function* NcPostCleanupCallback(_Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, _CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    let HandleContext = null;
    if (!FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING)) {
      const got = yield* FltGetStreamHandleContext<NC_STREAM_HANDLE_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
      if (NT_SUCCESS(got.status)) {
        HandleContext = got.context!;
        yield* NcStreamHandleContextNotCleanup(HandleContext);
      }
    }
    if (HandleContext !== null) FltReleaseContext(HandleContext);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  function* NcPreDirectoryControlCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    switch (Data.Iopb.MinorFunction) {
      case IRP_MN_QUERY_DIRECTORY:
        //  NcEnumerateDirectory is not ported (see the header).
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
      case IRP_MN_NOTIFY_CHANGE_DIRECTORY:
        return yield* NcPreNotifyDirectory(Data, FltObjects, CompletionContext);
      default:
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
  }

  /** Called from completion, possibly at DISPATCH_LEVEL. */
  function* NcPostDirectoryControlCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    if (Data.Iopb.MinorFunction === IRP_MN_NOTIFY_CHANGE_DIRECTORY) return yield* NcPostNotifyDirectory(Data, FltObjects, CompletionContext, Flags);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  return { NcGlobalData, DriverEntry };
}
