/**
 * A small builder for test and example filters: register, start, and (by default) unregister on
 * unload, with any callback overridden. Keeps scenario tests about the behaviour under test.
 */
import { UsageError } from '../../kernel/errors.js';
import type { Blocking } from '../../kernel/effects.js';
import type { DriverObject } from '../../fltmgr/driverObject.js';
import type { FilterObject } from '../../fltmgr/filterObject.js';
import { FltRegisterFilter, FltStartFiltering, FltUnregisterFilter } from '../../fltmgr/filterRoutines.js';
import type { FLT_OPERATION_REGISTRATION, FLT_REGISTRATION, InstancesKey } from '../../fltmgr/registration.js';
import type { Simulation, ThreadHandle } from '../../simulation.js';
import { STATUS_SUCCESS, type NTSTATUS } from '../../wdk/ntstatus.js';

export interface TestFilterSpec {
  readonly name: string;
  /** Altitude of the default instance (named "<name> Instance"). */
  readonly altitude: string;
  /** Extra registry instances: name → altitude. */
  readonly moreInstances?: Readonly<Record<string, string>>;
  /** Registry instance flags of the default instance (0x1 suppresses automatic attachment). */
  readonly instanceFlags?: number;
  /** Callbacks and flags; FilterUnloadCallback defaults to one that unregisters and succeeds. */
  readonly registration?: FLT_REGISTRATION;
  /** Call FltStartFiltering in DriverEntry (default true). */
  readonly start?: boolean;
}

export interface TestFilter {
  readonly entry: ThreadHandle;
  /** The filter object once DriverEntry has registered it. */
  readonly filter: () => FilterObject;
  readonly instanceName: string;
}

export function installFilter(sim: Simulation, spec: TestFilterSpec): TestFilter {
  const instanceName = `${spec.name} Instance`;
  // Assigned, not a computed key in the literal: that took V8's runtime path on every schedule (~2.5x slower).
  const instances: Record<string, { Altitude: string; Flags?: number }> = {};
  instances[instanceName] = { Altitude: spec.altitude, Flags: spec.instanceFlags ?? 0 };
  for (const [n, a] of Object.entries(spec.moreInstances ?? {})) instances[n] = { Altitude: a };
  const registry: InstancesKey = { DefaultInstance: instanceName, Instances: instances };
  const loaded: LoadedFilter = { spec, registration: null, filter: null };
  loaded.registration = {
    FilterUnloadCallback: () => unregisterOnUnload(loaded),
    ...spec.registration,
  };
  const entry = sim.loadDriver({ name: spec.name, instances: registry }, (driver) => registerAndStart(loaded, driver));
  return {
    entry,
    instanceName,
    filter: () => {
      if (loaded.filter === null) throw new UsageError('NOT_READY', `filter ${spec.name} has not registered yet: run the simulation first`);
      return loaded.filter;
    },
  };
}

/** What installFilter's DriverEntry and unload callback share: the spec, the registration, the filter once registered. */
interface LoadedFilter {
  readonly spec: TestFilterSpec;
  registration: FLT_REGISTRATION | null;
  filter: FilterObject | null;
}

/*
 * DriverEntry and the default unload callback are module-level generators behind plain arrows, not
 * generator expressions: a called generator closure gets its own initial map, which V8 allocates in
 * the old generation pointing back at the closure and its context, so every simulation that loaded a
 * test filter survived young-generation collections until the next full one (docs/exploration.md,
 * "Memory").
 */
function* registerAndStart(loaded: LoadedFilter, driver: DriverObject): Blocking<NTSTATUS> {
  const r = FltRegisterFilter(driver, loaded.registration!);
  if (r.filter === null) return r.status;
  loaded.filter = r.filter;
  if (loaded.spec.start === false) return STATUS_SUCCESS;
  return yield* FltStartFiltering(r.filter);
}

function* unregisterOnUnload(loaded: LoadedFilter): Blocking<NTSTATUS> {
  yield* FltUnregisterFilter(loaded.filter!);
  return STATUS_SUCCESS;
}

/** An OperationRegistration table: the same pre and/or post callbacks for several major functions. */
export function operations(majors: readonly number[], callbacks: Omit<FLT_OPERATION_REGISTRATION, 'MajorFunction'>): FLT_OPERATION_REGISTRATION[] {
  return majors.map((MajorFunction) => ({ MajorFunction, ...callbacks }));
}
