/**
 * CdoInit.c of the cdo sample (filesys/miniFilter/cdo), routine by routine: DriverEntry (register,
 * create the control device object, start filtering, undoing in reverse on failure), CdoUnload
 * (vetoes a non-mandatory unload while the CDO is open, else unregisters and deletes the CDO) and
 * CdoInstanceSetup (refuses every volume). The filter filters nothing: its purpose is the CDO.
 *
 * What differs, and why:
 * - CdoInitializeDebugLevel (DBG builds) reads the registry in C; here `DebugLevel` is an argument.
 * - The globals are one object per loaded image (`createCdo`), not module state.
 */
import {
  ERESOURCE,
  ExDeleteResourceLite,
  ExInitializeResourceLite,
  FLTFL_FILTER_UNLOAD_MANDATORY,
  FltRegisterFilter,
  FltStartFiltering,
  FltUnregisterFilter,
  NT_SUCCESS,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_FLT_DO_NOT_DETACH,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PDRIVER_OBJECT,
} from '../../../src/index.js';
import { CdoAcquireResourceShared, CdoReleaseResource, cdoOperations } from './cdoOperations.js';
import { DEBUG_TRACE_ERROR, DEBUG_TRACE_LOAD_UNLOAD, DebugTrace, FlagOn, GLOBAL_DATA_F_CDO_OPEN_REF, type CDO_GLOBAL_DATA } from './cdoStruct.js';

export interface Cdo {
  readonly Globals: CDO_GLOBAL_DATA;
  readonly DriverEntry: (DriverObject: PDRIVER_OBJECT) => Blocking<NTSTATUS>;
}

/** The sample's image: its globals and routines, for one simulation. */
export function createCdo(configuration: { readonly DebugLevel?: number } = {}): Cdo {
  const Globals: CDO_GLOBAL_DATA = { Filter: null, FilterDriverObject: null, FilterControlDeviceObject: null, Flags: 0, Resource: new ERESOURCE('Globals.Resource'), DebugLevel: DEBUG_TRACE_ERROR, trace: [] };
  const { CdoCreateControlDeviceObject, CdoDeleteControlDeviceObject } = cdoOperations(Globals);
  const trace = (Level: number, text: string): void => DebugTrace(Globals, Level, text);

  //  What we filter with FltMgr: nothing (no operation callbacks).
  const filterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    FilterUnloadCallback: CdoUnload,
    InstanceSetupCallback: CdoInstanceSetup,
  };

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    Globals.DebugLevel = configuration.DebugLevel ?? DEBUG_TRACE_ERROR;
    trace(DEBUG_TRACE_LOAD_UNLOAD, '[Cdo]: Driver being loaded');
    yield* ExInitializeResourceLite(Globals.Resource);
    Globals.FilterDriverObject = DriverObject;
    const registered = FltRegisterFilter(DriverObject, filterRegistration);
    let status = registered.status;
    if (!NT_SUCCESS(status)) {
      yield* ExDeleteResourceLite(Globals.Resource);
      return status;
    }
    Globals.Filter = registered.filter;
    status = CdoCreateControlDeviceObject(DriverObject);
    if (!NT_SUCCESS(status)) {
      yield* FltUnregisterFilter(Globals.Filter!);
      yield* ExDeleteResourceLite(Globals.Resource);
      return status;
    }
    status = yield* FltStartFiltering(Globals.Filter!);
    if (!NT_SUCCESS(status)) {
      CdoDeleteControlDeviceObject();
      yield* FltUnregisterFilter(Globals.Filter!);
      yield* ExDeleteResourceLite(Globals.Resource);
      return status;
    }
    return status;
  }

  /** Fails a non-mandatory unload while the CDO is referenced; otherwise unregisters, deletes the CDO and the resource. */
  function* CdoUnload(Flags: number): Blocking<NTSTATUS> {
    trace(DEBUG_TRACE_LOAD_UNLOAD, '[Cdo]: Unloading driver');
    yield* CdoAcquireResourceShared(Globals.Resource);
    if (FlagOn(Globals.Flags, GLOBAL_DATA_F_CDO_OPEN_REF) && !FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {
      trace(DEBUG_TRACE_LOAD_UNLOAD | DEBUG_TRACE_ERROR, '[Cdo]: Fail unloading driver since the unload is optional and the CDO is open');
      yield* CdoReleaseResource(Globals.Resource);
      return STATUS_FLT_DO_NOT_DETACH;
    }
    yield* FltUnregisterFilter(Globals.Filter!);
    Globals.Filter = null;
    CdoDeleteControlDeviceObject();
    yield* CdoReleaseResource(Globals.Resource);
    yield* ExDeleteResourceLite(Globals.Resource);
    return STATUS_SUCCESS;
  }

  /** No volume is attached: the filter exists for its CDO. */
  function CdoInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, Flags: number, VolumeDeviceType: string, VolumeFilesystemType: string): NTSTATUS {
    void FltObjects;
    void Flags;
    void VolumeDeviceType;
    void VolumeFilesystemType;
    return STATUS_FLT_DO_NOT_ATTACH;
  }

  return { Globals, DriverEntry };
}
