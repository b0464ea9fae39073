/**
 * simrep.c, ported: the Simulate Reparse sample. Creates whose opened name lies under the "old
 * mapping" are completed in pre-create with STATUS_REPARSE after IoReplaceFileObjectName gave the
 * file object the name under the "new mapping", so the I/O manager re-parses the new name from the
 * top and nothing below simrep ever sees the old one. Network query opens (fast I/O) cannot be
 * reparsed and are refused with FLT_PREOP_DISALLOW_FASTIO. With RemapRenamesAndLinks, DriverEntry
 * picks the second registration: simrep also reparses the SL_OPEN_TARGET_DIRECTORY create of a
 * rename or link, is a pass-through name provider (simrepNames.ts), and rewrites renames and links
 * whose destination overlaps the mapping (simrepSetInfo.ts).
 *
 * INF: "FSFilter Activity Monitor", instance "SimRep" at 371100, Flags 0x0 — but SimRepInstanceSetup
 * refuses automatic attachment, so an instance exists only after `fltmc attach simrep C:`.
 * Each call of simrep() is the driver loaded on one machine, with its own Globals.
 */
import {
  FILE_OPEN_BY_FILE_ID,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  FltGetFileNameInformation,
  FltParseFileNameInformation,
  FltRegisterFilter,
  FltReleaseFileNameInformation,
  FltStartFiltering,
  FltUnregisterFilter,
  FO_VOLUME_OPEN,
  IO_REPARSE,
  IoReplaceFileObjectName,
  IRP_MJ_CREATE,
  IRP_MJ_NETWORK_QUERY_OPEN,
  IRP_MJ_OPERATION_END,
  IRP_MJ_SET_INFORMATION,
  NT_SUCCESS,
  SL_CASE_SENSITIVE,
  SL_OPEN_PAGING_FILE,
  SL_OPEN_TARGET_DIRECTORY,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_OPERATION_REGISTRATION,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
} from '../../../src/index.js';
import {
  DEBUG_TRACE_ALL,
  DEBUG_TRACE_ALL_IO,
  DEBUG_TRACE_ERROR,
  DEBUG_TRACE_INSTANCES,
  DEBUG_TRACE_LOAD_UNLOAD,
  DEBUG_TRACE_RENAME_REDIRECTION_OPERATIONS,
  DEBUG_TRACE_REPARSE_OPERATIONS,
  DEBUG_TRACE_REPARSED_OPERATIONS,
  DEBUG_TRACE_REPARSED_REISSUE,
  DebugTrace,
  hex,
  type SIMREP_GLOBAL_DATA,
  type SimRepRegistry,
} from './simrepGlobals.js';
import { simrepNames } from './simrepNames.js';
import { simrepSetInformation } from './simrepSetInfo.js';

export const SIMREP_NAME = 'simrep';

/** What simrep.inf writes under the service's Instances key. */
export const SIMREP_INSTANCES: InstancesKey = { DefaultInstance: 'SimRep', Instances: { SimRep: { Altitude: '371100', Flags: 0x0 } } };

export interface SimRepImage {
  readonly Globals: SIMREP_GLOBAL_DATA;
  readonly FilterRegistration: FLT_REGISTRATION;
  readonly FilterRegistrationWithRename: FLT_REGISTRATION;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
}

/** The driver image, reading `Registry` as SimRepSetConfiguration reads the service's key. */
export function simrep(Registry: SimRepRegistry = { OldMapping: '\\x\\y', NewMapping: '\\a\\b' }): SimRepImage {
  const Globals: SIMREP_GLOBAL_DATA = { Filter: null, Mapping: { OldName: null, NewName: null }, ReplaceFileNameFunction: null, RemapRenamesAndLinks: false, DebugLevel: DEBUG_TRACE_ALL, DebugOutput: [] };
  const names = simrepNames(Globals);
  const { SimRepPreSetInformation } = simrepSetInformation(Globals, names);

  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    { MajorFunction: IRP_MJ_CREATE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: SimRepPreCreate },
    { MajorFunction: IRP_MJ_NETWORK_QUERY_OPEN, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: SimRepPreNetworkQueryOpen },
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: SimRepUnload,
    InstanceSetupCallback: SimRepInstanceSetup,
    InstanceQueryTeardownCallback: SimRepInstanceQueryTeardown,
  };

  const CallbacksWithRename: FLT_OPERATION_REGISTRATION[] = [
    { MajorFunction: IRP_MJ_CREATE, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: SimRepPreCreate },
    { MajorFunction: IRP_MJ_NETWORK_QUERY_OPEN, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: SimRepPreNetworkQueryOpen },
    { MajorFunction: IRP_MJ_SET_INFORMATION, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: SimRepPreSetInformation },
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  /** The filter registers as a name provider and for SetInformation. */
  const FilterRegistrationWithRename: FLT_REGISTRATION = {
    Flags: 0,
    OperationRegistration: CallbacksWithRename,
    FilterUnloadCallback: SimRepUnload,
    InstanceSetupCallback: SimRepInstanceSetup,
    InstanceQueryTeardownCallback: SimRepInstanceQueryTeardown,
    GenerateFileNameCallback: names.SimRepGenerateFileName,
    NormalizeNameComponentCallback: names.SimRepNormalizeNameComponent,
    NormalizeNameComponentExCallback: names.SimRepNormalizeNameComponentEx,
  };

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    Globals.DebugLevel = DEBUG_TRACE_ALL;
    Globals.RemapRenamesAndLinks = false;
    Globals.Mapping.NewName = null;
    Globals.Mapping.OldName = null;
    // MmGetSystemRoutineAddress(L"IoReplaceFileObjectName") finds it (Windows 7 and later), so the
    // sample's own SimRepReplaceFileObjectName fallback is never used and not ported.
    Globals.ReplaceFileNameFunction = IoReplaceFileObjectName;
    let status = SimRepSetConfiguration();
    DebugTrace(Globals, DEBUG_TRACE_LOAD_UNLOAD, '[SimRep]: Driver being loaded');
    do {
      if (!NT_SUCCESS(status)) break;
      // Without rename remapping, neither the name provider nor the SetInformation callback is registered.
      const Registration = Globals.RemapRenamesAndLinks === false ? FilterRegistration : FilterRegistrationWithRename;
      const registered = FltRegisterFilter(DriverObject, Registration);
      status = registered.status;
      if (!NT_SUCCESS(status)) break;
      Globals.Filter = registered.filter;
      status = yield* FltStartFiltering(Globals.Filter!);
      if (!NT_SUCCESS(status)) yield* FltUnregisterFilter(Globals.Filter!);
    } while (false);
    DebugTrace(Globals, DEBUG_TRACE_LOAD_UNLOAD, `[SimRep]: Driver loaded complete (Status = ${hex(status)})`);
    if (!NT_SUCCESS(status)) SimRepFreeGlobals();
    return status;
  }

  /** The registry values, checked as the C checks them: both mappings present, both files or both directories. */
  function SimRepSetConfiguration(): NTSTATUS {
    if (Registry.DebugLevel !== undefined) Globals.DebugLevel = Registry.DebugLevel;
    if (Registry.RemapRenamesAndLinks !== undefined) Globals.RemapRenamesAndLinks = Registry.RemapRenamesAndLinks > 0;
    let status: NTSTATUS = STATUS_SUCCESS;
    do {
      // ZwQueryValueKey of a missing value fails with something other than BUFFER_TOO_SMALL / OVERFLOW.
      if (Registry.OldMapping === undefined || Registry.OldMapping === null || Registry.OldMapping === '') {
        status = STATUS_INVALID_PARAMETER;
        break;
      }
      Globals.Mapping.OldName = Registry.OldMapping;
      if (Registry.NewMapping === undefined || Registry.NewMapping === null || Registry.NewMapping === '') {
        status = STATUS_INVALID_PARAMETER;
        break;
      }
      Globals.Mapping.NewName = Registry.NewMapping;
      // Both name files or both name directories, as a trailing backslash says.
      const oldMappingTail = Globals.Mapping.OldName.at(-1);
      const newMappingTail = Globals.Mapping.NewName.at(-1);
      if (oldMappingTail !== newMappingTail && (oldMappingTail === '\\' || newMappingTail === '\\')) {
        status = STATUS_INVALID_PARAMETER;
        break;
      }
    } while (false);
    if (!NT_SUCCESS(status)) SimRepFreeGlobals();
    return status;
  }

  function SimRepFreeGlobals(): void {
    Globals.Mapping.NewName = null;
    Globals.Mapping.OldName = null;
  }

  /**
   * simrep owns no I/O, so it unloads at once. Creates reparsed before stay where they were sent;
   * new ones are no longer redirected.
   */
  function* SimRepUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    DebugTrace(Globals, DEBUG_TRACE_LOAD_UNLOAD, '[SimRep]: Unloading driver');
    yield* FltUnregisterFilter(Globals.Filter!);
    SimRepFreeGlobals();
    return STATUS_SUCCESS;
  }

  /** Attaches only when asked by hand (FilterAttach / fltmc attach), never automatically. */
  function SimRepInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, Flags: number, VolumeDeviceType: string, VolumeFilesystemType: string): NTSTATUS {
    void VolumeDeviceType, VolumeFilesystemType;
    if ((Flags & FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT) !== 0) {
      DebugTrace(Globals, DEBUG_TRACE_INSTANCES, `[Simrep]: Instance setup skipped (Volume = ${FltObjects.Volume.id}, Instance = ${FltObjects.Instance.id})`);
      return STATUS_FLT_DO_NOT_ATTACH;
    }
    DebugTrace(Globals, DEBUG_TRACE_INSTANCES, `[SimRep]: Instance setup started (Volume = ${FltObjects.Volume.id}, Instance = ${FltObjects.Instance.id})`);
    return STATUS_SUCCESS;
  }

  /** Implemented only so that FltDetachVolume / FilterDetach can detach it. */
  function SimRepInstanceQueryTeardown(FltObjects: FLT_RELATED_OBJECTS, Flags: number): NTSTATUS {
    void Flags;
    DebugTrace(Globals, DEBUG_TRACE_INSTANCES, `[SimRep]: Instance query teadown ended (Instance = ${FltObjects.Instance.id})`);
    return STATUS_SUCCESS;
  }

  /**
   * A network query open is fast I/O, which cannot be reparsed: one that would need redirecting is
   * refused with FLT_PREOP_DISALLOW_FASTIO so the I/O manager sends an IRP create, which
   * SimRepPreCreate then reparses. Others pass, so fast opens elsewhere stay fast.
   */
  function* SimRepPreNetworkQueryOpen(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void CompletionContext;
    let nameInfo: FLT_FILE_NAME_INFORMATION | null = null;
    let status: NTSTATUS = STATUS_SUCCESS;
    let callbackStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    DebugTrace(Globals, DEBUG_TRACE_ALL_IO, () => `[SimRep]: SimRepPreNetworkQueryOpen -> Enter (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
    // The create IRP the query open stands for: its stack flags and create options.
    const irpSp = (Cbd.Iopb.Parameters as { NetworkQueryOpen?: { Irp: { Flags: number; Options: number } } }).NetworkQueryOpen?.Irp ?? { Flags: 0, Options: 0 };
    do {
      // The paging file is never redirected.
      if ((irpSp.Flags & SL_OPEN_PAGING_FILE) !== 0) break;
      // Volume opens are not reparsed in the sample.
      if (((Cbd.Iopb.TargetFileObject?.Flags ?? 0) & FO_VOLUME_OPEN) !== 0) break;
      // An open by ID has no path to compare.
      if ((irpSp.Options & FILE_OPEN_BY_FILE_ID) !== 0) break;
      const got = yield* FltGetFileNameInformation(Cbd, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT);
      status = got.status;
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS | DEBUG_TRACE_ERROR, `[SimRep]: SimRepPreNetworkQueryOpen -> Failed to get name information (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        break;
      }
      nameInfo = got.FileNameInformation!;
      DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS, `[SimRep]: SimRepPreNetworkQueryOpen -> Processing create for file ${nameInfo.Name} (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
      status = FltParseFileNameInformation(nameInfo);
      if (!NT_SUCCESS(status)) break;
      // A case-sensitive create is compared case-sensitively.
      const match = names.SimRepCompareMapping(nameInfo, Globals.Mapping.OldName!, (irpSp.Flags & SL_CASE_SENSITIVE) === 0, null);
      if (match) {
        DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS, `[SimRep]: SimRepPreNetworkQueryOpen -> File name ${nameInfo.Name} matches mapping. (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        DebugTrace(Globals, DEBUG_TRACE_REPARSED_REISSUE, `[SimRep]: Disallow fast IO that is to a mapped path! ${nameInfo.Name}`);
        callbackStatus = FLT_PREOP_DISALLOW_FASTIO;
      }
    } while (false);
    if (nameInfo !== null) FltReleaseFileNameInformation(nameInfo);
    if (!NT_SUCCESS(status)) {
      DebugTrace(Globals, DEBUG_TRACE_ERROR, `[SimRep]: SimRepPreNetworkQueryOpen -> Failed with status ${hex(status)}`);
      Cbd.IoStatus.Status = status;
      callbackStatus = FLT_PREOP_COMPLETE;
    }
    DebugTrace(Globals, DEBUG_TRACE_ALL_IO, () => `[SimRep]: SimRepPreNetworkQueryOpen -> Exit (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
    return callbackStatus;
  }

  /**
   * The sample's work: query the opened name, and when it lies under the old mapping give the file
   * object the name under the new one and complete the create with STATUS_REPARSE / IO_REPARSE.
   */
  function* SimRepPreCreate(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void CompletionContext;
    let nameInfo: FLT_FILE_NAME_INFORMATION | null = null;
    let status: NTSTATUS = STATUS_SUCCESS;
    let callbackStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let newFileName: string | null = null;
    DebugTrace(Globals, DEBUG_TRACE_ALL_IO, () => `[SimRep]: SimRepPreCreate -> Enter (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
    const Iopb = Cbd.Iopb;
    const createOptions = (Iopb.Parameters as { Create?: { Options: number } }).Create?.Options ?? 0;
    // `do … while (false)` stands for the C's `goto SimRepPreCreateCleanup`.
    do {
      if ((Iopb.OperationFlags & SL_OPEN_PAGING_FILE) !== 0) {
        DebugTrace(Globals, DEBUG_TRACE_ALL_IO, `[SimRep]: SimRepPreCreate -> Ignoring paging file open (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        break;
      }
      if (((Iopb.TargetFileObject?.Flags ?? 0) & FO_VOLUME_OPEN) !== 0 || Iopb.TargetFileObject?.FileName === '') {
        DebugTrace(Globals, DEBUG_TRACE_ALL_IO, `[SimRep]: SimRepPreCreate -> Ignoring volume open (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        break;
      }
      // FILE_OPEN_REPARSE_POINT is not honoured: there is no mapping to open "itself".
      if ((createOptions & FILE_OPEN_BY_FILE_ID) !== 0) break;
      // The prelude of a rename or link the filter does not remap must not be reparsed, or the
      // rename would land somewhere the FileName in the request does not say.
      if ((Iopb.OperationFlags & SL_OPEN_TARGET_DIRECTORY) !== 0 && !Globals.RemapRenamesAndLinks) break;
      if ((Iopb.OperationFlags & SL_OPEN_TARGET_DIRECTORY) !== 0) {
        // The name of a target-directory create is its parent's; without the flag it is the whole
        // target, which is what the mapping is compared with.
        Iopb.OperationFlags &= ~SL_OPEN_TARGET_DIRECTORY;
        // The C traces &nameInfo->Name here while nameInfo is still NULL (see docs/samples.md).
        DebugTrace(Globals, DEBUG_TRACE_RENAME_REDIRECTION_OPERATIONS, `[SimRep]: SimRepPreCreate -> Clearing SL_OPEN_TARGET_DIRECTORY for (null) (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        // FILESYSTEM_ONLY keeps this below-simrep name out of the name cache.
        const got = yield* FltGetFileNameInformation(Cbd, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY);
        status = got.status;
        nameInfo = got.FileNameInformation;
        // The file system needs the flag back to open the target's parent for the SET_INFORMATION.
        Iopb.OperationFlags |= SL_OPEN_TARGET_DIRECTORY;
      } else {
        // In pre-create the name is never cached, so QUERY_DEFAULT costs nothing extra.
        const got = yield* FltGetFileNameInformation(Cbd, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT);
        status = got.status;
        nameInfo = got.FileNameInformation;
      }
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS | DEBUG_TRACE_ERROR, `[SimRep]: SimRepPreCreate -> Failed to get name information (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        break;
      }
      DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS, `[SimRep]: SimRepPreCreate -> Processing create for file ${nameInfo!.Name} (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
      status = FltParseFileNameInformation(nameInfo!);
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS | DEBUG_TRACE_ERROR, `[SimRep]: SimRepPreCreate -> Failed to parse name information for file ${nameInfo!.Name} (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        break;
      }
      const munged = names.SimRepMungeName(nameInfo!, Globals.Mapping.OldName!, Globals.Mapping.NewName!, (Iopb.OperationFlags & SL_CASE_SENSITIVE) === 0, false);
      status = munged.status;
      if (!NT_SUCCESS(status)) {
        if (status === STATUS_NOT_FOUND) status = STATUS_SUCCESS;
        break;
      }
      newFileName = munged.MungedPath;
      DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS, `[SimRep]: SimRepPreCreate -> File name ${nameInfo!.Name} matches mapping. (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'}) Mapping.OldFileName = ${Globals.Mapping.OldName} Mapping.NewFileName = ${Globals.Mapping.NewName}`);
      status = Globals.ReplaceFileNameFunction!(Iopb.TargetFileObject!, newFileName!, newFileName!.length * 2);
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS | DEBUG_TRACE_ERROR, `[SimRep]: SimRepPreCreate -> Failed to allocate string for file ${nameInfo!.Name} (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        break;
      }
      status = STATUS_REPARSE;
      DebugTrace(Globals, DEBUG_TRACE_REPARSE_OPERATIONS | DEBUG_TRACE_REPARSED_OPERATIONS, `[SimRep]: SimRepPreCreate -> Returning STATUS_REPARSE for file ${nameInfo!.Name}. (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'}) NewName = ${newFileName}`);
    } while (false);
    newFileName = null;
    if (nameInfo !== null) FltReleaseFileNameInformation(nameInfo);
    if (status === STATUS_REPARSE) {
      // Reparse the open: the I/O manager sends a new create for the name now in the file object.
      Cbd.IoStatus.Status = STATUS_REPARSE;
      Cbd.IoStatus.Information = IO_REPARSE;
      callbackStatus = FLT_PREOP_COMPLETE;
    } else if (!NT_SUCCESS(status)) {
      DebugTrace(Globals, DEBUG_TRACE_ERROR, `[SimRep]: SimRepPreCreate -> Failed with status ${hex(status)}`);
      Cbd.IoStatus.Status = status;
      callbackStatus = FLT_PREOP_COMPLETE;
    }
    DebugTrace(Globals, DEBUG_TRACE_ALL_IO, () => `[SimRep]: SimRepPreCreate -> Exit (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
    return callbackStatus;
  }

  return { Globals, FilterRegistration, FilterRegistrationWithRename, DriverEntry };
}
