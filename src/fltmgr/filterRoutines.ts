/**
 * Filter registration, start and unload (§2): FltRegisterFilter, FltStartFiltering,
 * FltUnregisterFilter, and the unload procedure behind FltUnloadFilter / FilterUnload (non-mandatory,
 * the filter may veto) and service stop (mandatory, the return value is ignored).
 */
import { preempt, type Blocking } from '../kernel/effects.js';
import { isAltitude } from '../wdk/altitude.js';
import {
  FLT_MAJOR_VERSION,
  FLT_REGISTRATION_VERSION,
  FLTFL_FILTER_UNLOAD_MANDATORY,
  FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT,
  FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD,
  FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD,
  FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP,
} from '../wdk/fltConstants.js';
import {
  STATUS_FLT_DELETING_OBJECT,
  STATUS_FLT_DO_NOT_DETACH,
  STATUS_FLT_FILTER_NOT_FOUND,
  STATUS_FLT_FILTER_NOT_READY,
  STATUS_FLT_INVALID_CONTEXT_REGISTRATION,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FilterState } from '../machines/filter.js';
import { DriverObject } from './driverObject.js';
import { objectArgument } from '../kernel/arguments.js';
import { filterArgument } from './objectArguments.js';
import { registrationArgument } from './registrationArguments.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import { contextRegistrationError } from './contextRegistration.js';
import { waitForRundown } from './gates.js';
import { FilterFiles } from './filterFiles.js';
import { ignoreContexts, ignoreOpenFiles } from './rundown.js';
import type { Outstanding } from '../streams/outstanding.js';
import { attachInstance, ensureTornDown } from './instanceRoutines.js';
import { disconnectPortsAtUnregister, reportLeakedClientPorts } from './portUnload.js';
import { INSTANCE_FLAG_SUPPRESS_AUTOMATIC_ATTACHMENT, type FLT_REGISTRATION } from './registration.js';
import { checkStatusResult, fail, isVeto, requireThread } from './routineSupport.js';
import type { VolumeObject } from './volumeObject.js';

/** Read the state afresh: TypeScript narrows getters, but a blocking call may have changed it. */
function stateNow(filter: FilterObject): FilterState {
  return filter.state;
}

/**
 * §16.6: a name provider supplies GenerateFileNameCallback and at least one of
 * NormalizeNameComponent(Ex)Callback; a provider callback that is not a function is invalid too.
 */
function nameProviderProblem(r: FLT_REGISTRATION): string | null {
  const callbacks = ['GenerateFileNameCallback', 'NormalizeNameComponentCallback', 'NormalizeNameComponentExCallback', 'NormalizeContextCleanupCallback'] as const;
  for (const name of callbacks) {
    const value = r[name];
    if (value !== undefined && value !== null && typeof value !== 'function') return `${name} is not a function`;
  }
  const generate = r.GenerateFileNameCallback !== undefined && r.GenerateFileNameCallback !== null;
  const normalize = (r.NormalizeNameComponentCallback ?? r.NormalizeNameComponentExCallback ?? null) !== null;
  if (generate !== normalize || (!generate && r.NormalizeContextCleanupCallback != null)) {
    return 'a name provider needs GenerateFileNameCallback and NormalizeNameComponentCallback or NormalizeNameComponentExCallback';
  }
  return null;
}

export interface RegisterResult {
  readonly status: NTSTATUS;
  readonly filter: FilterObject | null;
}

/**
 * FltRegisterFilter(Driver, Registration): validates the registration and the driver's registry
 * Instances key, and returns the filter in Registered. Non-blocking.
 */
export function FltRegisterFilter(Driver: DriverObject, Registration: FLT_REGISTRATION): RegisterResult {
  objectArgument('FltRegisterFilter', 'Driver', Driver, DriverObject, 'the PDRIVER_OBJECT DriverEntry received');
  registrationArgument(Registration);
  const fltMgr = Driver.fltMgr;
  const refuse = (status: NTSTATUS, detail: string): RegisterResult => ({ status: fail(fltMgr, 'sim', 'FltRegisterFilter', status, `${Driver.name}: ${detail}`), filter: null });
  if (Driver.filterId !== null) {
    throw fltMgr.kernel.violation('FLT_REGISTER_TWICE', Driver.filterId, `driver ${Driver.name} already registered filter ${Driver.filterId}`);
  }
  const version = Registration.Version ?? FLT_REGISTRATION_VERSION;
  if ((version & 0xff00) !== FLT_MAJOR_VERSION) return refuse(STATUS_INVALID_PARAMETER, `registration version 0x${version.toString(16)} has the wrong major version`);
  const provider = nameProviderProblem(Registration);
  if (provider !== null) return refuse(STATUS_INVALID_PARAMETER, provider);
  const registry = Driver.registry;
  if (registry === null) return refuse(STATUS_OBJECT_NAME_NOT_FOUND, 'no Instances key in the service registry');
  const names = Object.keys(registry.Instances);
  if (!names.some((n) => n.toLowerCase() === registry.DefaultInstance.toLowerCase())) {
    return refuse(STATUS_OBJECT_NAME_NOT_FOUND, `DefaultInstance '${registry.DefaultInstance}' has no instance key`);
  }
  for (const [name, key] of Object.entries(registry.Instances)) {
    if (!isAltitude(key.Altitude)) return refuse(STATUS_INVALID_PARAMETER, `instance '${name}' has a malformed altitude '${key.Altitude}'`);
  }
  const contextError = contextRegistrationError(Registration.ContextRegistration);
  if (contextError !== null) {
    const status = fltMgr.options.semantics.invalidContextRegistration === 'STATUS_INVALID_PARAMETER' ? STATUS_INVALID_PARAMETER : STATUS_FLT_INVALID_CONTEXT_REGISTRATION;
    return refuse(status, `ContextRegistration: ${contextError}`);
  }
  const filter = fltMgr.createFilter(Driver.name, Registration, registry, Registration.Flags ?? 0);
  Driver.filterId = filter.id;
  return { status: STATUS_SUCCESS, filter };
}

/**
 * Offer a volume to a started filter for automatic attachment with its default instance, unless
 * the instance key suppresses automatic attachment. A decline is an outcome, not an error.
 */
export function* offerVolume(fltMgr: FilterManager, filter: FilterObject, volume: VolumeObject, extraFlags: number): Blocking<void> {
  // A list no fact carries: partial-order reduction learns of it here (src/kernel/footprint.ts).
  // Only this filter's entry is looked at, so offers to two filters commute.
  fltMgr.kernel.footprintRecorder?.write(`${volume.id}:offered:${filter.id}`);
  if (volume.offeredTo.includes(filter.id)) return;
  volume.offeredTo.push(filter.id);
  const name = filter.registry.DefaultInstance;
  const key = Object.entries(filter.registry.Instances).find(([n]) => n.toLowerCase() === name.toLowerCase());
  if (key === undefined || ((key[1].Flags ?? 0) & INSTANCE_FLAG_SUPPRESS_AUTOMATIC_ATTACHMENT) !== 0) return;
  yield* attachInstance(fltMgr, 'AutomaticAttach', filter, volume, name, null, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT | extraFlags, false);
}

/** FltStartFiltering(Filter): start receiving I/O; existing volumes are offered before it returns. */
export function* FltStartFiltering(Filter: FilterObject): Blocking<NTSTATUS> {
  filterArgument('FltStartFiltering', Filter);
  const fltMgr = Filter.fltMgr;
  requireThread(fltMgr, 'FltStartFiltering');
  yield* preempt();
  if (Filter.state !== 'Registered') {
    return fail(fltMgr, Filter, 'FltStartFiltering', STATUS_INVALID_PARAMETER, `${Filter.name} is ${Filter.state}, not Registered`);
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: Filter.id, type: 'FltStartFiltering' }, Filter);
  for (const volume of fltMgr.volumes.slice()) {
    if (volume.state !== 'Mounted') continue;
    // The filter may have begun unloading while an earlier InstanceSetup ran.
    if (stateNow(Filter) !== 'Filtering') break;
    yield* offerVolume(fltMgr, Filter, volume, 0);
  }
  return STATUS_SUCCESS;
}

/**
 * FltUnregisterFilter(Filter): stop new callbacks, tear down every instance, then block until the
 * unload gate opens (no references, pended operations, generated I/O or work items left).
 */
export function* FltUnregisterFilter(Filter: FilterObject): Blocking<void> {
  filterArgument('FltUnregisterFilter', Filter);
  const fltMgr = Filter.fltMgr;
  requireThread(fltMgr, 'FltUnregisterFilter');
  yield* preempt();
  if (Filter.state === 'Unregistering' || Filter.state === 'Unregistered' || Filter.state === 'Unloaded') {
    throw fltMgr.kernel.violation('FLT_UNREGISTER_TWICE', Filter.id, `FltUnregisterFilter on ${Filter.name}, which is already ${Filter.state}`);
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: Filter.id, type: 'FltUnregisterFilter' }, Filter);
  // §17.2: client ports are disconnected before the instances are torn down; an open server port is the filter's bug.
  yield* disconnectPortsAtUnregister(Filter);
  const reason =
    (Filter.unloadFlags & FLTFL_FILTER_UNLOAD_MANDATORY) !== 0
      ? FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD
      : FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD;
  // Tear down in attach order; re-scan because a racing teardown may finish some meanwhile.
  for (;;) {
    const next = Filter.instances.find((i) => !i.isGone);
    if (next === undefined) break;
    yield* ensureTornDown(fltMgr, next, reason);
  }
  // §15.8: after the TeardownComplete callbacks, FltMgr deletes every context the filter still has linked.
  fltMgr.contexts.filterUnregistering(Filter);
  // Files the filter opened hold the unload only with semantics.leakedFilesHoldUnload (§2, §12).
  const holdFiles = fltMgr.options.semantics.leakedFilesHoldUnload;
  const counted = holdFiles ? (o: Outstanding): Outstanding => o : ignoreOpenFiles;
  // An open server port keeps the gate shut (§17.2): the wait names it with the other holders.
  yield* waitForRundown(fltMgr, Filter, Filter.rundown, (o) => ignoreContexts(counted(o)), `unload gate of ${Filter.id}`, { openFiles: holdFiles });
  reportLeakedClientPorts(Filter);
  // §15.9: a context still referenced now is leaked; Filter Verifier reports it, and the reference
  // keeps the filter object alive, so the unload waits for a release that may never come.
  const leaked = fltMgr.contexts.liveOf(Filter);
  if (leaked.length > 0) {
    const list = leaked.map((c) => `${c.id} RefCount ${c.references}`).join(', ');
    fltMgr.kernel.reportViolation('CONTEXT_LEAKED', Filter.id, `FILTER VERIFIER: ${Filter.name} leaked references to FLT_CONTEXT: ${leaked.length} (${list}); FltUnregisterFilter waits for them`);
    yield* waitForRundown(fltMgr, Filter, Filter.rundown, counted, `contexts of ${Filter.id}`, { contexts: true, openFiles: holdFiles });
  }
  // §13 A12: callback data the filter allocated and never freed is a leak, reported as the filter goes.
  for (const data of fltMgr.allocatedData.values()) {
    if (data.allocatedBy?.filter === Filter) {
      fltMgr.kernel.reportViolation('CALLBACK_DATA_LEAKED', data.id, `${Filter.name} unregistered without freeing callback data ${data.id} (FltFreeCallbackData)`);
    }
  }
  // §15.9, §16.4: Filter Verifier reports name-information references a filter still holds as it goes.
  for (const name of fltMgr.names.heldBy(Filter.id)) {
    fltMgr.kernel.reportViolation(
      'FLT_NAME_LEAKED',
      name.id,
      `${Filter.name} unregistered holding ${name.byFilter.get(Filter.id)} reference(s) to FLT_FILE_NAME_INFORMATION ${name.id} (${name.info.Name}); release each with FltReleaseFileNameInformation`,
    );
  }
  // Files it opened and never closed: Filter Verifier reports each with its opener (§2, §12).
  for (const [handle, open] of Filter.files.handles) {
    fltMgr.kernel.reportViolation('FILE_HANDLE_LEAKED', open.fo.id, `${Filter.name} unregistered with kernel handle ${handle} to ${open.fo} still open (${FilterFiles.opener(Filter, open)}); FltClose it, at the latest in InstanceTeardownComplete`);
  }
  for (const open of Filter.files.references) {
    fltMgr.kernel.reportViolation('FILE_OBJECT_LEAKED', open.fo.id, `${Filter.name} unregistered still holding the reference FltCreateFileEx handed it on ${open.fo} (${FilterFiles.opener(Filter, open)}); ObDereferenceObject it`);
  }
  Filter.waitingFor = null;
  fltMgr.emitFact({ seq: 0, time: 0, object: Filter.id, type: 'FltUnregisterFilterReturned' }, Filter);
}

/**
 * The unload procedure (§2) shared by FltUnloadFilter, FilterUnload and service stop.
 * Returns STATUS_SUCCESS when the driver is gone, or why it is not.
 */
export function* unloadFilter(fltMgr: FilterManager, routine: string, filterName: string, mandatory: boolean): Blocking<NTSTATUS> {
  const thread = requireThread(fltMgr, routine);
  yield* preempt();
  const filter = fltMgr.filterByName(filterName);
  if (filter === undefined) return fail(fltMgr, 'sim', routine, STATUS_FLT_FILTER_NOT_FOUND, `no filter named '${filterName}'`);
  if (thread.callbackFilters.includes(filter.id)) {
    throw fltMgr.kernel.violation('FLT_UNLOAD_SELF', filter.id, `${filter.name} asked to unload itself from its own callback; FltMgr would wait on itself`);
  }
  if (filter.state === 'Registered') return fail(fltMgr, filter, routine, STATUS_FLT_FILTER_NOT_READY, `${filter.name} has not started filtering`);
  if (filter.state !== 'Filtering') return fail(fltMgr, filter, routine, STATUS_FLT_DELETING_OBJECT, `${filter.name} is already ${filter.state}`);
  const flags = (filter.registration.Flags ?? 0);
  if (mandatory && (flags & FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP) !== 0) {
    return fail(fltMgr, filter, routine, STATUS_FLT_DO_NOT_DETACH, `${filter.name} registered FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP`);
  }
  const callback = filter.registration.FilterUnloadCallback;
  if (callback === undefined) return fail(fltMgr, filter, routine, STATUS_FLT_DO_NOT_DETACH, `${filter.name} has no FilterUnloadCallback`);
  const unloadFlags = mandatory ? FLTFL_FILTER_UNLOAD_MANDATORY : 0;
  filter.unloadFlags = unloadFlags;
  fltMgr.emitFact({ seq: 0, time: 0, object: filter.id, type: 'FilterUnloadCallback', flags: unloadFlags }, filter);
  const result: unknown = yield* fltMgr.invoke(filter, () => callback(unloadFlags));
  const status = checkStatusResult(fltMgr, filter, 'FilterUnloadCallback', result);
  const stateAfter = stateNow(filter);
  fltMgr.emitFact({ seq: 0, time: 0, object: filter.id, type: 'FilterUnloadReturned', status }, filter);
  if (stateAfter === 'Unregistered') {
    if (!mandatory && isVeto(status)) {
      throw fltMgr.kernel.violation('UNLOAD_VETO_AFTER_UNREGISTER', filter.id, `${filter.name} unregistered and then vetoed its unload with ${status}`);
    }
    return STATUS_SUCCESS;
  }
  filter.unloadFlags = 0;
  if (!mandatory && isVeto(status)) return fail(fltMgr, filter, routine, status, `${filter.name} vetoed the unload`);
  throw fltMgr.kernel.violation(
    'UNLOAD_WITHOUT_UNREGISTER',
    filter.id,
    `FilterUnloadCallback of ${filter.name} returned without FltUnregisterFilter; Windows would unload a driver FltMgr still calls`,
  );
}
