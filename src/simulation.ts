/**
 * createSimulation: one object that owns the clock, the random source, the scheduler, the log and
 * every kernel object. Two simulations never share anything.
 */
import { bufferArgument, integerArgument, objectArgument, optionalRecordArgument, recordArgument, ulongArgument } from './kernel/arguments.js';
import { functionArgument, instancesKeyArgument, legacySpecArgument, optionalStringArgument, stringArgument, threadOptionsArgument, volumeSpecArgument } from './simulationArguments.js';
import { connectCommunicationPort, type ConnectResult } from './fltmgr/filterPortUser.js';
import type { EventHandle } from './fltmgr/portObjects.js';
import { createEvent } from './fltmgr/win32Events.js';
import type { Observable } from 'rxjs';
import { waitFor, type Blocking } from './kernel/effects.js';
import { UsageError } from './kernel/errors.js';
import type { Fact } from './kernel/facts.js';
import { Kernel, type BlockedThread } from './kernel/kernel.js';
import type { SimThread } from './kernel/thread.js';
import { SharedCell } from './kernel/sharedCell.js';
import { DriverObject } from './fltmgr/driverObject.js';
import { FilterManager } from './fltmgr/filterManager.js';
import type { FilterObject } from './fltmgr/filterObject.js';
import { unloadFilter } from './fltmgr/filterRoutines.js';
import { FltAttachVolume, FltAttachVolumeAtAltitude, FltDetachVolume } from './fltmgr/instanceRoutines.js';
import type { InstancesKey } from './fltmgr/registration.js';
import { VolumeObject, type LegacyFilterSpec, type VolumeSpec } from './fltmgr/volumeObject.js';
import { dismountVolume, mountVolume, offerNewVolume } from './fltmgr/volumeRoutines.js';
import { installTeardownAtLastClose } from './fltmgr/volumeMount.js';
import { ejectVolume, shutdownSystem, surpriseRemoveVolume } from './issuedIo/pnpManager.js';
import { liveState, type SimState } from './projection/liveState.js';
import type { WaitForEdge } from './projection/waitFor.js';
import { IoManager } from './io/ioManager.js';
import { applicationThread } from './io/threadExit.js';
import { DEFAULT_USER_SID } from './kernel/sids.js';
import { ProcessObject, type ThreadObject } from './io/processes.js';
import { enumerateFilters, enumerateInstances, type EnumerationResult } from './fltmgr/enumeration.js';
import type { InstanceObject } from './fltmgr/instanceObject.js';
import { installAsyncDelivery } from './issuedIo/asyncDelivery.js';
import type { MemoryFileSystem } from './fs/memoryFileSystem.js';
import { FLTSIM_VERSION } from './version.js';
import { resolveOptions, type ResolvedOptions, type SimulationOptions } from './simulationOptions.js';

export type { SimulationOptions, ResolvedOptions } from './simulationOptions.js';
import { STATUS_FLT_FILTER_NOT_FOUND, STATUS_FLT_VOLUME_NOT_FOUND, type NTSTATUS } from './wdk/ntstatus.js';
import { fail } from './fltmgr/routineSupport.js';
import { HostDriver } from './host/driver.js';
import { logDigest, SNAPSHOT_FORMAT, type SimulationSnapshot } from './host/snapshot.js';
import { SNAPSHOT_FORMAT_VERSION } from './host/snapshotFormat.js';
import type { EnabledChoice, HostStep, RunUntilFactResult, RunUntilTimeResult } from './host/types.js';
import { jsonValueProblem, type JsonValue, type ScenarioArgs } from './kernel/jsonValue.js';
import { BUILT_IN_ACTIONS, type HostActionFunction } from './host/actions.js';
import type { PendingFsRequest, RequestCompletion } from './io/heldRequests.js';


export interface DriverSpec {
  /** The service name; also the filter's name. */
  readonly name: string;
  /** The registry `Instances` key the INF would write; omit to model a missing key. */
  readonly instances?: InstancesKey;
}

export type DriverEntry = (driver: DriverObject) => Blocking<NTSTATUS>;

/** A simulated thread as a caller sees it. */
export interface ThreadHandle {
  readonly id: string;
  readonly name: string;
  readonly state: SimThread['state'];
  /** The body's return value once exited (an NTSTATUS for routines that return one). */
  readonly result: unknown;
  readonly error: unknown;
}

export type RunResult =
  | { readonly reason: 'idle'; readonly steps: number }
  | {
      readonly reason: 'deadlock';
      readonly steps: number;
      readonly blocked: readonly BlockedThread[];
      /** The wait-for cycles among the blocked threads, edge by edge (empty when the waits end at something no thread owes, §18.5). */
      readonly cycles: readonly (readonly WaitForEdge[])[];
    }
  | { readonly reason: 'limit'; readonly steps: number }
  /** Host-owned clock only (`clock: 'host'`): nothing is ready and the first sleeper is due at `until`. */
  | { readonly reason: 'waiting'; readonly steps: number; readonly until: number }
  /**
   * `fileSystemCompletion: 'host'`: nothing can run until the host completes one of `requests`
   * (`sim.completeRequest`); `blocked` are the threads waiting, as a deadlock would list them.
   */
  | { readonly reason: 'waitingForHost'; readonly steps: number; readonly requests: readonly PendingFsRequest[]; readonly blocked: readonly BlockedThread[] };

export class Simulation {
  /** @internal */ readonly kernel: Kernel;
  /** @internal */ readonly fltMgr: FilterManager;
  /** I/O from above the stack, as an application issues it (NtCreateFile, NtReadFile, …). */
  readonly io: IoManager;
  readonly seed: number;
  readonly options: ResolvedOptions;
  /** @internal Host-driven stepping and its record (src/host/driver.ts). */
  readonly host: HostDriver;
  /** The registered scenario that built this simulation, if one did (src/host/scenarios.ts). */
  private scenario: { readonly id: string; readonly args: ScenarioArgs; readonly actions: Readonly<Record<string, HostActionFunction>> } | null = null;
  /**
   * Depth of code whose effects a restore repeats by itself: the scenario's build, its
   * `whenSettled` continuations and recorded actions. A change made by host code outside them is
   * not in the drive record, and makes the simulation unsavable (`unrecorded` says which).
   */
  private recordedDepth = 0;
  private unrecorded: string | null = null;
  private readonly strategyIsBuiltIn: boolean;

  constructor(options: SimulationOptions = {}) {
    const resolved = resolveOptions(optionalRecordArgument<SimulationOptions>('Simulation', 'options', options) ?? {});
    const { seed, strategy, frames, onViolation, clock } = resolved;
    this.strategyIsBuiltIn = resolved.strategyIsBuiltIn;
    this.seed = seed;
    this.options = resolved.summary;
    this.kernel = new Kernel({ seed, strategy, onViolation, clock });
    this.kernel.log.recording = resolved.summary.record;
    this.fltMgr = new FilterManager(this.kernel, {
      frames,
      instanceSetupOnMount: resolved.summary.instanceSetupOnMount,
      fileSystemCompletion: resolved.summary.fileSystemCompletion,
      fileSystemLatency: resolved.summary.fileSystemLatency,
      semantics: resolved.summary.semantics,
    });
    installAsyncDelivery(this.fltMgr);
    installTeardownAtLastClose(this.fltMgr);
    this.io = new IoManager(this.fltMgr);
    this.host = new HostDriver(this.kernel);
    this.host.perform = (name, args) => this.act(name, args);
    this.kernel.emit('sim', { type: 'SimulationStart', seed, frames, version: FLTSIM_VERSION });
  }

  // ---------------------------------------------------------------- the log

  /** Every fact so far, in order. Read-only; `slice()` it to keep a copy. */
  get log(): readonly Fact[] {
    return this.kernel.log.all();
  }

  /** Facts as they are appended (not the ones before subscribing). */
  get facts$(): Observable<Fact> {
    return this.kernel.log.facts$;
  }

  get now(): number {
    return this.kernel.now;
  }

  /** Thread ids chosen at every real scheduling choice: feed to `replayStrategy` to reproduce the run. Empty with `record: false`. */
  get choices(): readonly string[] {
    return this.kernel.choices;
  }

  /** The state of every object, as plain frozen data (the same shape `foldLog` rebuilds from the log). */
  state(): SimState {
    return liveState(this);
  }

  // ---------------------------------------------------------------- building a system

  /** Load a legacy filter driver; it attaches to every volume mounted from now on, above frame `aboveFrame` (-1: just above the FS). */
  loadLegacyFilter(spec: LegacyFilterSpec): void {
    this.refuseDuringDelivery('loadLegacyFilter');
    legacySpecArgument('loadLegacyFilter', spec);
    this.noteHostChange(`loadLegacyFilter(${spec.name})`);
    const top = this.fltMgr.frames.length - 1;
    if (!Number.isInteger(spec.aboveFrame) || spec.aboveFrame < -1 || spec.aboveFrame > top) {
      throw new UsageError('BAD_ARGUMENT', `legacy filter ${spec.name}: aboveFrame must be an integer from -1 to ${top}, got ${spec.aboveFrame}`);
    }
    this.fltMgr.legacyFilters.push(spec);
  }

  /** Mount a volume now. Automatic attachment follows per `instanceSetupOnMount`. */
  mountVolume(spec: VolumeSpec): VolumeObject {
    volumeSpecArgument('mountVolume', spec);
    return this.kernel.log.delivery.guard('mountVolume', () => this.mountVolumeNow(spec));
  }

  private mountVolumeNow(spec: VolumeSpec): VolumeObject {
    this.noteHostChange(`mountVolume(${spec.name})`);
    if (this.fltMgr.volumeByName(spec.name) !== undefined || (spec.dosName !== undefined && this.fltMgr.volumeByName(spec.dosName) !== undefined)) {
      throw new UsageError('DUPLICATE_VOLUME', `a mounted volume is already named ${spec.name}${spec.dosName ? ` or ${spec.dosName}` : ''}`);
    }
    const volume = mountVolume(this.fltMgr, spec);
    if (this.fltMgr.options.instanceSetupOnMount === 'mount') {
      this.kernel.spawn(`mount ${volume.dosName ?? volume.name}`, offerNewVolume(this.fltMgr, volume));
    }
    return volume;
  }

  /** Start dismounting a volume on a new thread (instances torn down with VOLUME_DISMOUNT). */
  dismountVolume(volume: VolumeObject): ThreadHandle {
    this.refuseDuringDelivery('dismountVolume');
    objectArgument('dismountVolume', 'volume', volume, VolumeObject, 'a PFLT_VOLUME (sim.mountVolume, sim.volume)');
    this.noteHostChange(`dismountVolume(${volume.name})`);
    return this.handle(this.kernel.spawn(`dismount ${volume.dosName ?? volume.name}`, dismountVolume(this.fltMgr, volume)));
  }

  /**
   * The PnP manager ejects the volume's device on a new thread (src/issuedIo/pnpManager.ts):
   * IRP_MN_QUERY_REMOVE_DEVICE down the stack, then IRP_MN_REMOVE_DEVICE and the dismount, or
   * IRP_MN_CANCEL_REMOVE_DEVICE when a filter or the file system refused. The thread's result is
   * the query's status.
   */
  ejectVolume(volume: VolumeObject): ThreadHandle {
    this.refuseDuringDelivery('ejectVolume');
    objectArgument('ejectVolume', 'volume', volume, VolumeObject, 'a PFLT_VOLUME (sim.mountVolume, sim.volume)');
    this.noteHostChange(`ejectVolume(${volume.name})`);
    return this.handle(this.kernel.spawn(`PnP eject ${volume.dosName ?? volume.name}`, ejectVolume(this.fltMgr, volume)));
  }

  /** The volume's device goes without warning: IRP_MN_SURPRISE_REMOVAL, the dismount, IRP_MN_REMOVE_DEVICE (pnpManager.ts). */
  surpriseRemoveVolume(volume: VolumeObject): ThreadHandle {
    this.refuseDuringDelivery('surpriseRemoveVolume');
    objectArgument('surpriseRemoveVolume', 'volume', volume, VolumeObject, 'a PFLT_VOLUME (sim.mountVolume, sim.volume)');
    this.noteHostChange(`surpriseRemoveVolume(${volume.name})`);
    return this.handle(this.kernel.spawn(`PnP surprise removal ${volume.dosName ?? volume.name}`, surpriseRemoveVolume(this.fltMgr, volume)));
  }

  /** System shutdown on a new thread: IRP_MJ_SHUTDOWN to every mounted volume, in mount order (pnpManager.ts). */
  shutdownSystem(): ThreadHandle {
    this.refuseDuringDelivery('shutdownSystem');
    this.noteHostChange('shutdownSystem');
    return this.handle(this.kernel.spawn('shutdown', shutdownSystem(this.fltMgr)));
  }

  /**
   * Load a minifilter driver: DriverEntry runs on a new thread when scheduled. It typically calls
   * FltRegisterFilter and `yield* FltStartFiltering(filter)`. If it returns a failure after
   * unregistering, the driver is unloaded.
   */
  loadDriver(spec: DriverSpec, entry: DriverEntry): ThreadHandle {
    this.refuseDuringDelivery('loadDriver');
    stringArgument('loadDriver', 'spec.name', recordArgument<DriverSpec>('loadDriver', 'spec', spec).name);
    instancesKeyArgument('loadDriver', spec.instances);
    functionArgument('loadDriver', 'entry', entry, false);
    this.noteHostChange(`loadDriver(${spec.name})`);
    const driver = new DriverObject(this.fltMgr, spec.name, spec.instances ?? null);
    const fltMgr = this.fltMgr;
    return this.handle(this.kernel.spawn(`DriverEntry(${spec.name})`, (function* () {
      const status = yield* entry(driver);
      const filter = driver.filterId === null ? undefined : fltMgr.filters.find((f) => f.id === driver.filterId);
      if ((status >>> 30) >= 2 && filter !== undefined) {
        if (filter.state !== 'Unregistered') {
          throw fltMgr.kernel.violation('DRIVER_ENTRY_FAILED_REGISTERED', filter.id, `DriverEntry of ${spec.name} failed without FltUnregisterFilter`);
        }
        fltMgr.emit(filter, { type: 'DriverUnload' });
      }
      return status;
    })()));
  }

  /**
   * Run `body` on a new simulated thread: an application thread of `options.process` (default: the
   * default application process, P1), with its process's token unless `options.token` names
   * another SID (`SYSTEM_SID` for a service).
   */
  spawn(name: string, body: () => Blocking<unknown>, options: { readonly token?: string; readonly process?: ProcessObject } = {}): ThreadHandle {
    this.refuseDuringDelivery('spawn');
    stringArgument('spawn', 'name', name);
    functionArgument('spawn', 'body', body, false);
    options = threadOptionsArgument('spawn', options) as typeof options;
    this.noteHostChange(`spawn(${name})`);
    const table = this.fltMgr.processes;
    const process = options.process ?? table.defaultApplication;
    if (!(process instanceof ProcessObject) || table.processes.get(process.id) !== process) {
      throw new UsageError('BAD_ARGUMENT', `spawn ${name}: options.process is not a process of this simulation (sim.createProcess)`);
    }
    if (process.state === 'Exited') throw new UsageError('PROCESS_EXITED', `spawn ${name}: ${process} has exited`);
    if (process !== table.defaultApplication) table.threadStarting(process);
    // The thread's exit cancels the I/O it still has in flight (IoCancelThreadIo, src/io/threadExit.ts).
    return this.handle(this.kernel.spawn(name, applicationThread(this.fltMgr, this.io.inFlight, body()), options.token ?? process.token, process.id));
  }

  /**
   * A new user-mode process (EPROCESS), Running: its threads are started with
   * `sim.spawn(name, body, { process })`, and it exits when the last of them has.
   */
  createProcess(ImageFileName: string, options: { readonly token?: string } = {}): ProcessObject {
    this.refuseDuringDelivery('createProcess');
    stringArgument('createProcess', 'ImageFileName', ImageFileName);
    options = threadOptionsArgument('createProcess', options);
    this.noteHostChange(`createProcess(${ImageFileName})`);
    if (ImageFileName.length === 0) throw new UsageError('BAD_ARGUMENT', 'createProcess: the image name is empty');
    return this.fltMgr.processes.create(ImageFileName, options.token ?? DEFAULT_USER_SID);
  }

  /**
   * A JavaScript variable the scenario's threads share, declared to exploration (partial-order
   * reduction sees its reads and writes; docs/exploration.md, "Independence").
   */
  sharedCell<T>(name: string, initial: T): SharedCell<T> {
    stringArgument('sharedCell', 'name', name);
    return new SharedCell(this.kernel, name, initial);
  }

  /**
   * Run `continuation` once nothing can run: at once if nothing can run now, otherwise at the end
   * of the step after which nothing can. A scenario queues the rest of its set-up with it (load
   * the drivers, then, once they have attached, start the workload) instead of calling `run()`
   * inside `build`: its set-up steps are then steps of the run, which is what lets a run be saved,
   * rebuilt and forked at any step, set-up included (docs/time-travel.md).
   */
  whenSettled(continuation: () => void): void {
    this.refuseDuringDelivery('whenSettled');
    functionArgument('whenSettled', 'continuation', continuation, false);
    this.noteHostChange('whenSettled');
    this.kernel.whenSettled(() => this.recorded(continuation));
  }

  /**
   * Perform the host input `name` with JSON `args` and record it in the drive record, so a restore
   * performs it again at this very step (docs/embedding.md, "Host inputs"). `name` is a built-in
   * action (`fltsim.applicationIo`, `fltsim.mountVolume`, `fltsim.dismountVolume`,
   * `fltsim.serviceStop`, `fltsim.filterUnload`; src/host/actions.ts) or one of the scenario's
   * `actions`. Unknown: UsageError `UNKNOWN_ACTION`; args that are not bounded JSON:
   * `BAD_ACTION_ARGUMENT`. An action that throws records nothing, and leaves the simulation
   * unsavable if it changed something before throwing.
   */
  act(name: string, args: JsonValue = null): void {
    this.host.assertOutsideThreads('act');
    stringArgument('act', 'name', name);
    const own = this.scenario?.actions;
    const action = own !== undefined && Object.hasOwn(own, name) ? own[name] : Object.hasOwn(BUILT_IN_ACTIONS, name) ? BUILT_IN_ACTIONS[name] : undefined;
    if (action === undefined) {
      const known = [...Object.keys(BUILT_IN_ACTIONS), ...Object.keys(this.scenario?.actions ?? {})];
      throw new UsageError('UNKNOWN_ACTION', `no action ${JSON.stringify(name)} (known: ${known.join(', ')})`, this.kernel.place());
    }
    const problem = jsonValueProblem(args);
    if (problem !== null) throw new UsageError('BAD_ACTION_ARGUMENT', `action ${name}: its argument must be a JSON value, got ${problem}`, this.kernel.place());
    // A copy: what the host later does to its own object must not change what was recorded.
    const copy = JSON.parse(JSON.stringify(args)) as JsonValue;
    const facts = this.kernel.log.length;
    try {
      this.kernel.log.delivery.guard('act', () => this.recorded(() => action(this, copy)));
    } catch (error) {
      if (this.kernel.log.length !== facts) this.unrecorded ??= `action ${name}, which threw after changing the simulation`;
      throw error;
    }
    this.host.recordAct(name, copy);
  }

  /**
   * `fileSystemCompletion: 'host'`: the file-system requests waiting for the host to complete
   * them, in arrival order — major function, file, offset and length (docs/embedding.md).
   */
  heldRequests(): readonly PendingFsRequest[] {
    return this.fltMgr.held.pending();
  }

  /**
   * Complete a held request (recorded, as the action `fltsim.completeRequest`): at tick `at`
   * (default now), failed with `status` (a fault, instead of performing it), or with at most
   * `information` bytes transferred (a short read or write). Not held: UsageError `NOT_HELD`.
   */
  completeRequest(id: string, completion: RequestCompletion = {}): void {
    stringArgument('completeRequest', 'id', id);
    recordArgument('completeRequest', 'completion', completion);
    this.act('fltsim.completeRequest', { id, ...completion });
  }

  /** @internal The action's body: `completeRequest` records it. */
  completeHeldRequest(id: string, completion: RequestCompletion): void {
    this.fltMgr.held.complete(id, completion);
  }

  private recorded<T>(body: () => T): T {
    this.recordedDepth++;
    try {
      return body();
    } finally {
      this.recordedDepth--;
    }
  }

  /** A change from host code between steps that no recorded call covers: a restore could not repeat it. */
  private noteHostChange(call: string): void {
    if (this.recordedDepth > 0 || this.kernel.current !== null || this.scenario === null) return;
    this.unrecorded ??= `${call} at step ${this.kernel.stepCount}`;
  }

  /** A fact subscriber must not drive the simulation (src/kernel/factStream.ts). */
  private refuseDuringDelivery(call: string): void {
    this.kernel.log.delivery.refuseDuringDelivery(call);
  }

  /** The simulated thread running now (like PsGetCurrentThreadId), or null outside a run. */
  currentThread(): string | null {
    return this.kernel.current?.id ?? null;
  }

  private currentThreadObject(routine: string): ThreadObject {
    const thread = this.kernel.current;
    if (thread === null) throw new UsageError('NOT_ON_A_THREAD', `${routine} reads the current thread: call it from a simulated thread`, this.kernel.place());
    return this.fltMgr.processes.threadObject(thread);
  }

  /** FltEnumerateFilters(FilterList, NumberFiltersProvided, &NumberFiltersReturned): each filter returned is referenced (§23.3). */
  FltEnumerateFilters(NumberFiltersProvided: number): EnumerationResult<FilterObject> {
    return enumerateFilters(this.fltMgr, NumberFiltersProvided);
  }

  /** FltEnumerateInstances with no Volume and no Filter: every attached instance, each referenced (§23.3). */
  FltEnumerateInstances(Volume: VolumeObject | null, Filter: FilterObject | null, NumberInstancesProvided: number): EnumerationResult<InstanceObject> {
    return enumerateInstances(this.fltMgr, Volume, Filter, NumberInstancesProvided);
  }

  /** PsGetCurrentThread(): the running thread's PETHREAD. */
  PsGetCurrentThread(): ThreadObject {
    return this.currentThreadObject('PsGetCurrentThread');
  }

  /** PsGetCurrentProcess(): the process of the running thread (in a post-op on a worker, the worker's: System). */
  PsGetCurrentProcess(): ProcessObject {
    return this.currentThreadObject('PsGetCurrentProcess').process;
  }

  /** PsGetCurrentProcessId(): the PID of the running thread's process. */
  PsGetCurrentProcessId(): number {
    return this.currentThreadObject('PsGetCurrentProcessId').process.UniqueProcessId;
  }

  /** PsGetCurrentThreadId(): the TID of the running thread. */
  PsGetCurrentThreadId(): number {
    return this.currentThreadObject('PsGetCurrentThreadId').Cid.UniqueThread;
  }

  /** Block the current simulated thread until `thread` exits; returns its result. */
  *join(thread: ThreadHandle): Blocking<unknown> {
    // Not recording, the kernel forgets exited threads; the handle it gave out still knows its thread.
    const t = (typeof thread === 'object' && thread !== null ? this.handleThreads.get(thread) : undefined) ?? this.kernel.threads.get((thread as { id?: string } | null)?.id ?? '');
    if (t === undefined) {
      throw new UsageError('UNKNOWN_THREAD', `no thread ${shownId(thread)} in this simulation`, this.kernel.place());
    }
    yield* waitFor(this.kernel.exitEventOf(t), `join ${t.id}`);
    return t.result;
  }

  // ---------------------------------------------------------------- routines without an object argument

  /** FltUnloadFilter(FilterName): non-mandatory unload from kernel code (§2). */
  FltUnloadFilter(FilterName: string): Blocking<NTSTATUS> {
    stringArgument('FltUnloadFilter', 'FilterName', FilterName);
    return unloadFilter(this.fltMgr, 'FltUnloadFilter', FilterName, false);
  }

  /** fltlib FilterUnload / `fltmc unload`: non-mandatory. Reports the NTSTATUS, not an HRESULT. */
  FilterUnload(FilterName: string): Blocking<NTSTATUS> {
    stringArgument('FilterUnload', 'FilterName', FilterName);
    return unloadFilter(this.fltMgr, 'FilterUnload', FilterName, false);
  }

  /** Service control STOP (`sc stop`): a mandatory unload (FLTFL_FILTER_UNLOAD_MANDATORY). */
  ServiceStop(ServiceName: string): Blocking<NTSTATUS> {
    stringArgument('ServiceStop', 'ServiceName', ServiceName);
    return unloadFilter(this.fltMgr, 'ServiceStop', ServiceName, true);
  }

  /**
   * fltlib FilterConnectCommunicationPort(lpPortName, dwOptions, lpContext, wSizeOfContext,
   * lpSecurityAttributes, &hPort), from an application thread: ConnectNotify runs in it (§17.4).
   * Returns the HRESULT and hPort (null where fltlib returns INVALID_HANDLE_VALUE).
   * lpSecurityAttributes is accepted and ignored, as it only shapes the handle's own security.
   */
  FilterConnectCommunicationPort(
    lpPortName: string | null,
    dwOptions: number,
    lpContext: Uint8Array | null,
    wSizeOfContext: number,
    lpSecurityAttributes: unknown = null,
  ): Blocking<ConnectResult> {
    void lpSecurityAttributes;
    const routine = 'FilterConnectCommunicationPort';
    // NULL for lpPortName is what a C caller can pass: the HRESULT E_INVALIDARG (connectCommunicationPort); a number or an object is not.
    const name = optionalStringArgument(routine, 'lpPortName', lpPortName);
    ulongArgument(routine, 'dwOptions', dwOptions);
    bufferArgument(routine, 'lpContext', lpContext, true);
    integerArgument(routine, 'wSizeOfContext', wSizeOfContext, 0, 0xffff, 'a WORD (a whole number from 0 to 0xFFFF)');
    return connectCommunicationPort(this.fltMgr, name, dwOptions, lpContext, wSizeOfContext);
  }

  /** Win32 CreateEventW(lpEventAttributes, bManualReset, bInitialState, lpName), for OVERLAPPED gets. */
  CreateEventW(lpEventAttributes: unknown, bManualReset: boolean, bInitialState: boolean, lpName: string | null): EventHandle {
    void lpEventAttributes;
    return createEvent(this.kernel, bManualReset, bInitialState, lpName);
  }

  /** fltlib FilterAttach / `fltmc attach`. */
  *FilterAttach(FilterName: string, VolumeName: string, InstanceName: string | null = null): Blocking<NTSTATUS> {
    const found = this.lookup('FilterAttach', FilterName, VolumeName);
    if (typeof found === 'number') return found;
    return (yield* FltAttachVolume(found.filter, found.volume, InstanceName)).status;
  }

  /** fltlib FilterAttachAtAltitude. */
  *FilterAttachAtAltitude(FilterName: string, VolumeName: string, Altitude: string, InstanceName: string | null = null): Blocking<NTSTATUS> {
    const found = this.lookup('FilterAttachAtAltitude', FilterName, VolumeName);
    if (typeof found === 'number') return found;
    return (yield* FltAttachVolumeAtAltitude(found.filter, found.volume, Altitude, InstanceName)).status;
  }

  /** fltlib FilterDetach / `fltmc detach`. */
  *FilterDetach(FilterName: string, VolumeName: string, InstanceName: string | null = null): Blocking<NTSTATUS> {
    const found = this.lookup('FilterDetach', FilterName, VolumeName);
    if (typeof found === 'number') return found;
    return yield* FltDetachVolume(found.filter, found.volume, InstanceName);
  }

  private lookup(routine: string, filterName: string, volumeName: string): { filter: FilterObject; volume: VolumeObject } | NTSTATUS {
    stringArgument(routine, 'FilterName', filterName);
    stringArgument(routine, 'VolumeName', volumeName);
    const filter = this.fltMgr.filterByName(filterName);
    if (filter === undefined) return fail(this.fltMgr, 'sim', routine, STATUS_FLT_FILTER_NOT_FOUND, `no filter named '${filterName}'`);
    const volume = this.fltMgr.volumeByName(volumeName);
    if (volume === undefined) return fail(this.fltMgr, 'sim', routine, STATUS_FLT_VOLUME_NOT_FOUND, `no volume named '${volumeName}'`);
    return { filter, volume };
  }

  // ---------------------------------------------------------------- lookups

  filter(name: string): FilterObject | undefined {
    stringArgument('filter', 'name', name);
    return this.fltMgr.filterByName(name);
  }

  volume(name: string): VolumeObject | undefined {
    stringArgument('volume', 'name', name);
    return this.fltMgr.volumeByName(name);
  }

  /** The in-memory file system of a volume, to seed files before a run and inspect them after. */
  fileSystem(volumeName: string): MemoryFileSystem {
    stringArgument('fileSystem', 'volumeName', volumeName);
    const volume = this.fltMgr.volumeByName(volumeName);
    if (volume === undefined) throw new UsageError('UNKNOWN_VOLUME', `no mounted volume named '${volumeName}'`);
    return volume.fileSystem;
  }

  /** A handle for `t`, remembered so `join` finds the thread even after the kernel forgot it (record: false). */
  private handle(t: SimThread): ThreadHandle {
    const handle = handleOf(t);
    this.handleThreads.set(handle, t);
    return handle;
  }

  /** The thread behind each handle given out; weak, so a handle nobody holds frees its thread. */
  private readonly handleThreads = new WeakMap<object, SimThread>();

  thread(id: string): ThreadHandle | undefined {
    const t = this.kernel.threads.get(id);
    return t === undefined ? undefined : this.handle(t);
  }

  // ---------------------------------------------------------------- running

  /**
   * Run exactly one scheduler step and say what happened: the thread run, the clock after it, and
   * the facts the step appended. With `choice` (an id from `enabled()`) the host makes the choice
   * the strategy would have made; a choice that is not enabled is a UsageError (`NOT_ENABLED`) and
   * changes nothing.
   */
  step(choice?: string): HostStep {
    return this.host.step(choice);
  }

  /** What the next `step()` may run, in creation order: the ready threads, or the sleepers due first. */
  enabled(): readonly EnabledChoice[] {
    return this.host.enabled();
  }

  /** The earliest virtual time at which fltsim has something to run: now if a thread is ready, else the first sleeper's wake-up, else null. */
  nextEventTime(): number | null {
    return this.host.nextEventTime();
  }

  /** The earliest wake-up among sleeping threads (whether or not others are ready now), or null. */
  nextWakeTime(): number | null {
    return this.kernel.nextWakeTime();
  }

  /**
   * For a host that owns the clock: move virtual time to `time` without running anything. Sleepers
   * due by then become ready (a host that wants them woken exactly on time stops at
   * `nextEventTime()` first). Time moving backwards is a UsageError (`TIME_BACKWARDS`) that changes nothing.
   */
  advanceTo(time: number): void {
    this.host.advanceTo(time);
  }

  /**
   * Run until a step appends a fact `match` accepts (the run stops right after that step and
   * returns the fact), nothing can run, or `maxSteps` steps.
   */
  runUntilFact(match: (fact: Fact) => boolean, options: { readonly maxSteps?: number } = {}): RunUntilFactResult {
    functionArgument('runUntilFact', 'match', match, false);
    return this.host.runUntilFact(match, maxStepsOf('runUntilFact', options));
  }

  /** Run until nothing can run: `run()` under the name a host looks for. */
  runUntilIdle(options: { readonly maxSteps?: number } = {}): RunResult {
    return this.run(options);
  }

  /**
   * The whole simulation as plain JSON data: scenario, options and drive record
   * (src/host/snapshot.ts); `restoreSimulation` rebuilds it. Only a simulation built by a
   * scenario can be saved, since a restore re-executes it; otherwise a UsageError (`NOT_SAVABLE`).
   * A run under a custom strategy (exploration's PCT or search) saves the choices it made as
   * strategy `'replay'`: restored, it follows them and then continues in order.
   */
  save(): SimulationSnapshot {
    this.host.assertOutsideThreads('save');
    if (this.scenario === null) {
      throw new UsageError('NOT_SAVABLE', 'only a simulation built by a scenario (createScenarioSimulation, startRun, explore) can be saved: restore re-executes its scenario');
    }
    if (this.unrecorded !== null) {
      throw new UsageError(
        'NOT_SAVABLE',
        `the host changed the simulation outside a recorded call (${this.unrecorded}): a restore could not repeat it; perform host inputs with sim.act(name, args) (docs/embedding.md, "Host inputs")`,
      );
    }
    const o = this.options;
    const builtIn = this.strategyIsBuiltIn && (o.strategy === 'in-order' || o.strategy === 'random');
    const strategy = builtIn ? (o.strategy as 'in-order' | 'random') : 'replay';
    return {
      format: SNAPSHOT_FORMAT,
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      writtenBy: FLTSIM_VERSION,
      scenario: this.scenario.id,
      args: JSON.parse(JSON.stringify(this.scenario.args)) as ScenarioArgs,
      options: JSON.parse(JSON.stringify({ ...o, strategy })) as SimulationSnapshot['options'],
      ...(builtIn ? {} : { choices: [...this.kernel.choices] }),
      drive: this.host.drive(),
      facts: this.kernel.log.length,
      digest: logDigest(this.kernel.log.all()),
    };
  }

  /**
   * @internal Build this fresh simulation with a scenario and remember it, so it can be saved
   * (src/host/scenarios.ts, src/explore). Steps the build itself takes (a build that calls `run()`
   * rather than `whenSettled`) are re-taken by the build on restore, so the drive record starts
   * after them.
   */
  buildScenario(
    scenario: { readonly id?: string; build(sim: Simulation, args: ScenarioArgs): void; readonly actions?: Readonly<Record<string, HostActionFunction>> },
    args: ScenarioArgs,
    watch: ((what: 'fact' | 'step') => void) | null = null,
  ): void {
    functionArgument('buildScenario', 'scenario.build', recordArgument<{ build?: unknown }>('buildScenario', 'scenario', scenario).build, false);
    recordArgument('buildScenario', 'args', args);
    if (!this.host.untouched || this.scenario !== null) throw new UsageError('NOT_SAVABLE', `scenario '${scenario.id ?? '(unnamed)'}' must build a fresh simulation`);
    if (scenario.id !== undefined) this.scenario = { id: scenario.id, args: JSON.parse(JSON.stringify(args)) as ScenarioArgs, actions: scenario.actions ?? {} };
    // `watch`: a replay's budgets bound the set-up too (a build may run the simulation itself).
    this.kernel.log.watch = watch;
    try {
      this.recorded(() => scenario.build(this, args));
    } finally {
      this.kernel.log.watch = null;
    }
    this.host.sealBuild();
  }

  /** Facts and steps the scenario's build produced (steps: only a build that runs the simulation itself). */
  get built(): { readonly facts: number; readonly steps: number } {
    return this.host.built;
  }

  /**
   * Run until `stop()` holds (checked before every step), nothing can run, or `maxSteps` steps.
   * The result's reason is 'stopped' when the predicate ended the run.
   *
   * Given a time instead: run everything due up to and including that time (the strategy chooses),
   * then move the clock there — lock-step with a host clock. Blocked threads do not end it; they
   * may be waiting for something the host does later. The result's reason is then 'reached'.
   */
  runUntil(time: number, options?: { readonly maxSteps?: number }): RunUntilTimeResult;
  runUntil(stop: () => boolean, options?: { readonly maxSteps?: number }): RunResult | { readonly reason: 'stopped'; readonly steps: number };
  runUntil(
    until: (() => boolean) | number,
    options: { readonly maxSteps?: number } = {},
  ): RunResult | RunUntilTimeResult | { readonly reason: 'stopped'; readonly steps: number } {
    const maxSteps = maxStepsOf('runUntil', options);
    if (typeof until === 'number') return this.host.runUntilTime(until, maxSteps);
    this.host.assertOutsideThreads('runUntil');
    const stop = functionArgument<() => boolean>('runUntil', 'until', until, false)!;
    for (let steps = 0; steps < maxSteps; steps++) {
      if (stop()) return { reason: 'stopped', steps };
      const r = this.kernel.step();
      if (r.kind === 'idle') return { reason: 'idle', steps };
      if (r.kind === 'deadlock') return this.stuck(steps, r.blocked);
      if (r.kind === 'waiting') return { reason: 'waiting', steps, until: r.until };
    }
    return { reason: 'limit', steps: maxSteps };
  }

  /** Nothing can run: waiting for the host if it holds requests, else a deadlock. */
  private stuck(steps: number, blocked: readonly BlockedThread[]): RunResult {
    const requests = this.fltMgr.held.pending();
    if (requests.length > 0) return { reason: 'waitingForHost', steps, requests, blocked };
    return { reason: 'deadlock', steps, blocked, cycles: this.state().waitCycles };
  }

  /** Run until nothing can run (idle, deadlock, or waiting for the host), or `maxSteps` steps. */
  run(options: { readonly maxSteps?: number } = {}): RunResult {
    this.refuseDuringDelivery('run');
    const maxSteps = maxStepsOf('run', options);
    for (let steps = 0; steps < maxSteps; steps++) {
      const r = this.kernel.step();
      if (r.kind === 'idle') return { reason: 'idle', steps };
      if (r.kind === 'deadlock') return this.stuck(steps, r.blocked);
      if (r.kind === 'waiting') return { reason: 'waiting', steps, until: r.until };
    }
    return { reason: 'limit', steps: maxSteps };
  }
}

function shownId(thread: unknown): string {
  const id = typeof thread === 'object' && thread !== null ? (thread as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 40) : String(typeof thread);
}

function handleOf(t: SimThread): ThreadHandle {
  return {
    id: t.id,
    name: t.name,
    get state() {
      return t.state;
    },
    get result() {
      return t.result;
    },
    get error() {
      return t.error;
    },
  };
}

export function createSimulation(options: SimulationOptions = {}): Simulation {
  return new Simulation(optionalRecordArgument<SimulationOptions>('createSimulation', 'options', options) ?? {});
}

/** `{ maxSteps }` of the run methods: absent, or a whole number of steps from 0. */
function maxStepsOf(routine: string, options: unknown): number {
  const o = optionalRecordArgument<{ maxSteps?: unknown }>(routine, 'options', options);
  return o === null || o.maxSteps === undefined ? 1_000_000 : integerArgument(routine, 'options.maxSteps', o.maxSteps, 0, Number.MAX_SAFE_INTEGER, 'a whole number of steps');
}
