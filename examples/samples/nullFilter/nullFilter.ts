/**
 * nullFilter.c, ported routine by routine: the smallest minifilter. It registers no operation
 * callbacks and no contexts, starts filtering, and on unload unregisters. Its INF installs one
 * instance, "Null Instance" at 370020, with Flags 0x1: no automatic attachment, so it has an
 * instance only where someone attaches it (`fltmc attach NullFilter C:`).
 *
 * The C sample keeps its filter handle in a global (NullFilterData). A simulation is one machine,
 * so each call of nullFilter() is one loaded image of the driver with its own globals.
 */
import {
  FltRegisterFilter,
  FltStartFiltering,
  FltUnregisterFilter,
  NT_SUCCESS,
  STATUS_SUCCESS,
  type Blocking,
  type DriverEntry as DRIVER_INITIALIZE,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_FILTER,
} from '../../../src/index.js';

/** NULL_FILTER_FILTER_NAME: the service (and filter) name. */
export const NULL_FILTER_FILTER_NAME = 'NullFilter';

/** What nullFilter.inf writes under the service's Instances key. */
export const NULL_FILTER_INSTANCES: InstancesKey = {
  DefaultInstance: 'Null Instance',
  Instances: { 'Null Instance': { Altitude: '370020', Flags: 0x1 } },
};

export interface NULL_FILTER_DATA {
  /** The filter handle that results from FltRegisterFilter. */
  FilterHandle: PFLT_FILTER | null;
}

export interface NullFilterImage {
  readonly NullFilterData: NULL_FILTER_DATA;
  readonly FilterRegistration: FLT_REGISTRATION;
  readonly DriverEntry: DRIVER_INITIALIZE;
}

export function nullFilter(): NullFilterImage {
  const NullFilterData: NULL_FILTER_DATA = { FilterHandle: null };

  // No contexts, no operation callbacks: the Filter Manager calls this filter for nothing but its
  // own lifetime (unload and detach).
  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration: [],
    OperationRegistration: [],
    FilterUnloadCallback: NullUnload,
    InstanceQueryTeardownCallback: NullQueryTeardown,
  };

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    let status = registered.status;
    if (NT_SUCCESS(status)) {
      NullFilterData.FilterHandle = registered.filter;
      status = yield* FltStartFiltering(NullFilterData.FilterHandle!);
      if (!NT_SUCCESS(status)) yield* FltUnregisterFilter(NullFilterData.FilterHandle!);
    }
    return status;
  }

  /** Unload is never refused, mandatory or not: FltUnregisterFilter tears every instance down. */
  function* NullUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    yield* FltUnregisterFilter(NullFilterData.FilterHandle!);
    return STATUS_SUCCESS;
  }

  /** Present so that a manual detach (FltDetachVolume / fltmc detach) is allowed: without it, it would be refused. */
  function NullQueryTeardown(FltObjects: FLT_RELATED_OBJECTS, Flags: number): NTSTATUS {
    void FltObjects;
    void Flags;
    return STATUS_SUCCESS;
  }

  return { NullFilterData, FilterRegistration, DriverEntry };
}
