/**
 * What a simulation is made of and how a system is built in it: the kernel, the Filter Manager and
 * the I/O manager it owns, the log, legacy filters, volumes, drivers, processes and threads, and the
 * bookkeeping that tells a restore which host changes it can repeat. Simulation (simulation.ts)
 * extends it with the host's inputs, the routines without an object argument, running and saving;
 * the split is by what a caller does (build, then drive), so each file reads in one sitting.
 */
import { objectArgument, optionalRecordArgument, recordArgument } from './kernel/arguments.js';
import { functionArgument, instancesKeyArgument, legacySpecArgument, stringArgument, threadOptionsArgument, volumeSpecArgument } from './simulationArguments.js';
import type { Observable } from 'rxjs';
import { waitFor, type Blocking } from './kernel/effects.js';
import { UsageError } from './kernel/errors.js';
import type { Fact } from './kernel/facts.js';
import { Kernel } from './kernel/kernel.js';
import type { SimThread } from './kernel/thread.js';
import { SharedCell } from './kernel/sharedCell.js';
import { DriverObject } from './fltmgr/driverObject.js';
import { FilterManager } from './fltmgr/filterManager.js';
import type { FilterObject } from './fltmgr/filterObject.js';
import { VolumeObject, type LegacyFilterSpec, type VolumeSpec } from './fltmgr/volumeObject.js';
import { dismountVolume, mountVolume, offerNewVolume } from './fltmgr/volumeRoutines.js';
import { installTeardownAtLastClose } from './fltmgr/volumeMount.js';
import { ejectVolume, shutdownSystem, surpriseRemoveVolume } from './issuedIo/pnpManager.js';
import { IoManager } from './io/ioManager.js';
import { applicationThread } from './io/threadExit.js';
import { DEFAULT_USER_SID } from './kernel/sids.js';
import { ProcessObject, type ThreadObject } from './io/processes.js';
import { installAsyncDelivery } from './issuedIo/asyncDelivery.js';
import type { MemoryFileSystem } from './fs/memoryFileSystem.js';
import { FLTSIM_VERSION } from './version.js';
import { resolveOptions, type ResolvedOptions, type SimulationOptions } from './simulationOptions.js';
import { HostDriver } from './host/driver.js';
import type { ScenarioArgs } from './kernel/jsonValue.js';
import type { HostActionFunction } from './host/actions.js';
import type { DriverEntry, DriverSpec, ThreadHandle } from './simulationTypes.js';
import type { NTSTATUS } from './wdk/ntstatus.js';

export class SimulationBase {
  /** @internal */ readonly kernel: Kernel;
  /** @internal */ readonly fltMgr: FilterManager;
  /** I/O from above the stack, as an application issues it (NtCreateFile, NtReadFile, …). */
  readonly io: IoManager;
  readonly seed: number;
  readonly options: ResolvedOptions;
  /** @internal Host-driven stepping and its record (src/host/driver.ts). */
  readonly host: HostDriver;
  /** @internal The registered scenario that built this simulation, if one did (src/host/scenarios.ts). */
  protected scenario: { readonly id: string; readonly args: ScenarioArgs; readonly actions: Readonly<Record<string, HostActionFunction>> } | null = null;
  /**
   * Depth of code whose effects a restore repeats by itself: the scenario's build, its
   * `whenSettled` continuations and recorded actions. A change made by host code outside them is
   * not in the drive record, and makes the simulation unsavable (`unrecorded` says which).
   */
  private recordedDepth = 0;
  /** @internal */
  protected unrecorded: string | null = null;
  /** @internal */
  protected readonly strategyIsBuiltIn: boolean;

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
    this.kernel.emitFact({ seq: 0, time: 0, object: 'sim', type: 'SimulationStart', seed, frames, version: FLTSIM_VERSION });
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
    return this.handle(this.kernel.spawn(`DriverEntry(${spec.name})`, driverEntryThread(this.fltMgr, spec, driver, entry)));
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

  /** @internal */
  protected recorded<T>(body: () => T): T {
    this.recordedDepth++;
    try {
      return body();
    } finally {
      this.recordedDepth--;
    }
  }

  /** @internal A change from host code between steps that no recorded call covers: a restore could not repeat it. */
  protected noteHostChange(call: string): void {
    if (this.recordedDepth > 0 || this.kernel.current !== null || this.scenario === null) return;
    this.unrecorded ??= `${call} at step ${this.kernel.stepCount}`;
  }

  /** @internal A fact subscriber must not drive the simulation (src/kernel/factStream.ts). */
  protected refuseDuringDelivery(call: string): void {
    this.kernel.log.delivery.refuseDuringDelivery(call);
  }

  /** The simulated thread running now (like PsGetCurrentThreadId), or null outside a run. */
  currentThread(): string | null {
    return this.kernel.current?.id ?? null;
  }

  /** @internal */
  protected currentThreadObject(routine: string): ThreadObject {
    const thread = this.kernel.current;
    if (thread === null) throw new UsageError('NOT_ON_A_THREAD', `${routine} reads the current thread: call it from a simulated thread`, this.kernel.place());
    return this.fltMgr.processes.threadObject(thread);
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

  /** @internal A handle for `t`, remembered so `join` finds the thread even after the kernel forgot it (record: false). */
  protected handle(t: SimThread): ThreadHandle {
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
}

/**
 * DriverEntry's thread. A module-level generator, not a generator expression in loadDriver: calling
 * a generator closure gives it its own initial map, which V8 allocates in the old generation with a
 * pointer back to the closure, whose context held the simulation — so every simulation survived
 * young-generation collections until the next full one (docs/exploration.md, "Memory").
 */
function* driverEntryThread(fltMgr: FilterManager, spec: DriverSpec, driver: DriverObject, entry: DriverEntry): Blocking<NTSTATUS> {
  const status = yield* entry(driver);
  const filter = driver.filterId === null ? undefined : fltMgr.filters.find((f) => f.id === driver.filterId);
  if ((status >>> 30) >= 2 && filter !== undefined) {
    if (filter.state !== 'Unregistered') {
      throw fltMgr.kernel.violation('DRIVER_ENTRY_FAILED_REGISTERED', filter.id, `DriverEntry of ${spec.name} failed without FltUnregisterFilter`);
    }
    fltMgr.emitFact({ seq: 0, time: 0, object: filter.id, type: 'DriverUnload' }, filter);
  }
  return status;
}

function shownId(thread: unknown): string {
  const id = typeof thread === 'object' && thread !== null ? (thread as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 40) : String(typeof thread);
}

/**
 * A handle's state, result and error read its thread through getters on the class, not getters in
 * an object literal: an accessor property of a literal costs V8 an AccessorPair allocated in the
 * old generation, pointing at the getter closures and through them at the thread, so every
 * simulation that ever made a handle survived young-generation collections until the next full
 * one (docs/exploration.md, "Memory").
 */
class SimThreadHandle implements ThreadHandle {
  readonly id: string;
  readonly name: string;
  readonly #thread: SimThread;

  constructor(thread: SimThread) {
    this.id = thread.id;
    this.name = thread.name;
    this.#thread = thread;
  }

  get state(): SimThread['state'] {
    return this.#thread.state;
  }

  get result(): unknown {
    return this.#thread.result;
  }

  get error(): unknown {
    return this.#thread.error;
  }
}

function handleOf(t: SimThread): ThreadHandle {
  return new SimThreadHandle(t);
}
