/**
 * FltMgr's own state for one simulation: frames, filters, volumes, legacy filters, and the
 * helpers every routine shares (creating objects with their machines, emitting facts, invoking a
 * filter's callback). Routines live in their own files and take this as their context.
 */
import { DeviceTable } from '../io/deviceObjects.js';
import { FltSimError, VerifierError } from '../kernel/errors.js';
import { isGenerator, PREEMPT, type Blocking, type MaybeBlocking } from '../kernel/effects.js';
import type { Fact, FactBody, FrameSpec } from '../kernel/facts.js';
import type { Kernel } from '../kernel/kernel.js';
import type { OperationCallbackFrame } from '../kernel/thread.js';
import { filterMachine } from '../machines/filter.js';
import { instanceMachine } from '../machines/instance.js';
import { volumeMachine } from '../machines/volume.js';
import { compareAltitudes } from '../wdk/altitude.js';
import { mountedFileSystem } from '../fs/memoryFileSystem.js';
import type { IoOperation } from '../io/ioOperation.js';
import { Subject } from 'rxjs';
import type { CompletedRun } from '../streams/asyncCompletions.js';
import type { Semantics } from './semantics.js';
import { FileNameState } from './names/nameState.js';

export interface CompletedRunItem extends CompletedRun {
  readonly op: IoOperation;
}
import type { FileObject } from '../io/fileObject.js';
import { ContextTable } from './contextTable.js';
import { EcpTable } from './ecpObjects.js';
import { MemoryTable } from './memoryObjects.js';
import { WorkItemTable } from './workItemObjects.js';
import { SectionTable } from './sectionObjects.js';
import { TransactionTable, type TransactionObject } from './transactionObjects.js';
import { ProcessTable } from '../io/processes.js';
import { FilterObject } from './filterObject.js';
import { PortRegistry } from './portObjects.js';
import { InstanceObject } from './instanceObject.js';
import type { FLT_REGISTRATION, FLT_RELATED_OBJECTS, InstancesKey } from './registration.js';
import { VolumeObject, type LegacyFilter, type LegacyFilterSpec } from './volumeObject.js';
import { HeldRequests } from '../io/heldRequests.js';

/** When an automatic attachment to a newly mounted volume happens (§13 A7). */
export type InstanceSetupOnMount = 'firstOperation' | 'mount';

/** Whether the file system completes requests in the sending thread or later on a completion thread. */
export type FileSystemCompletion = 'inline' | 'deferred' | 'host';

export interface FilterManagerOptions {
  readonly frames: readonly FrameSpec[];
  readonly instanceSetupOnMount: InstanceSetupOnMount;
  readonly fileSystemCompletion: FileSystemCompletion;
  /** Ticks between a deferred request reaching the file system and its completion. */
  readonly fileSystemLatency: number;
  readonly semantics: Semantics;
}

export type FltObject = FilterObject | InstanceObject | VolumeObject;

/** How many times one instance's pre- (or post-) operation may be running on one thread before it is CALLBACK_RECURSION. */
export const MAX_CALLBACK_REENTRY = 8;

/** A request the file system parked, and how its post-operation walk goes on once released. */
export interface ParkedRequest {
  readonly op: IoOperation;
  readonly runPostWalk: (op: IoOperation) => Blocking<void>;
}

export class FilterManager {
  readonly filters: FilterObject[] = [];
  readonly volumes: VolumeObject[] = [];
  /** Legacy filters loaded so far; each attaches to every volume mounted after it loads. */
  readonly legacyFilters: LegacyFilterSpec[] = [];
  /** Operations in flight, in start order: what a teardown drains (§4 step 3). */
  readonly operations = new Set<IoOperation>();
  /** File objects not yet closed (or failed to open), in creation order. */
  readonly fileObjects = new Map<string, FileObject>();
  /** Callback data filters allocated and have not freed (FltAllocateCallbackData), by id. */
  readonly allocatedData = new Map<string, IoOperation>();
  /** Kernel handles from FltCreateFile*, closed with FltClose. */
  readonly kernelHandles = new Map<string, FileObject>();
  /** Every completed run of an operation, for the asynchronous-completion stream (src/streams/asyncCompletions.ts). */
  readonly completedRuns = new Subject<CompletedRunItem>();
  /**
   * Each volume an IRP_MJ_CLOSE completed on, as it completes (src/io/startOperation.ts): the last
   * close of a dismounted mount tears its instances down (src/fltmgr/volumeMount.ts subscribes).
   */
  readonly closesOnVolumes = new Subject<VolumeObject>();
  /** Every context not yet freed, and which object each is linked to (§15). */
  readonly contexts: ContextTable = new ContextTable(this);
  /** Processes and which one owns each thread (§23.1). */
  readonly processes: ProcessTable;
  /** File name information, the name cache and running name providers (§16). */
  readonly names: FileNameState;
  /*
   * The tables below are made on first use: most runs never touch most of them, and an exploration
   * builds a simulation per schedule (~20 Maps a schedule that most schedules never filled). Made
   * empty and with no side effect, so when one is made changes nothing a run logs.
   */
  private madeHeld: HeldRequests | null = null;
  private madeFsParked: Map<string, ParkedRequest> | null = null;
  private madeEcps: EcpTable | null = null;
  private madeMemory: MemoryTable | null = null;
  private madeWorkItems: WorkItemTable | null = null;
  private madeSections: SectionTable | null = null;
  private madePorts: PortRegistry | null = null;
  private madeDevices: DeviceTable | null = null;
  private madeTransactions: TransactionTable | null = null;

  constructor(
    readonly kernel: Kernel,
    readonly options: FilterManagerOptions,
  ) {
    this.processes = new ProcessTable(kernel);
    kernel.owners.set('FilterManager', this);
    this.names = new FileNameState(kernel);
  }

  /** Requests held for the host (`fileSystemCompletion: 'host'`, src/io/heldRequests.ts). */
  get held(): HeldRequests {
    return (this.madeHeld ??= new HeldRequests(this.kernel));
  }

  /** Requests the file system parked (a waiting byte-range lock, §21.10), by operation id: what its later release completes (src/io/fileSystemStage.ts). */
  get fsParked(): Map<string, ParkedRequest> {
    return (this.madeFsParked ??= new Map());
  }

  /** ECP lists and ECP contexts not yet freed (§22). */
  get ecps(): EcpTable {
    return (this.madeEcps ??= new EcpTable(this));
  }

  /** Pool blocks and MDLs not yet freed (§20). */
  get memory(): MemoryTable {
    return (this.madeMemory ??= new MemoryTable(this.kernel));
  }

  /** Work items not yet freed (§12.1). */
  get workItems(): WorkItemTable {
    return (this.madeWorkItems ??= new WorkItemTable(this.kernel));
  }

  /** Sections backed by files (§24): data-scan sections and applications' file mappings. */
  get sections(): SectionTable {
    return (this.madeSections ??= new SectionTable(this.kernel));
  }

  /** Communication ports, connections and messages in flight (§17). */
  get ports(): PortRegistry {
    return (this.madePorts ??= new PortRegistry());
  }

  /** Drivers' own device objects, the file objects and handles on them, their IRPs in flight (§23.6). */
  get devices(): DeviceTable {
    return (this.madeDevices ??= new DeviceTable());
  }

  /** KTM transactions, their handles and enlistments (§22.4). */
  get transactions(): TransactionTable {
    return (this.madeTransactions ??= new TransactionTable(this));
  }

  get frames(): readonly FrameSpec[] {
    return this.options.frames;
  }

  /** The frame whose altitude interval holds `altitude` (frames partition the altitude line). */
  frameOf(altitude: string): number {
    for (const f of this.options.frames) {
      if (compareAltitudes(altitude, f.low) >= 0 && (f.high === null || compareAltitudes(altitude, f.high) < 0)) return f.index;
    }
    throw new FltSimError(`internal: no frame holds altitude ${altitude}`);
  }

  // ---------------------------------------------------------------- facts

  /** `kernel.emitFact` for a fact about `about`: its instance's waiters are told, as `emit` tells them. */
  emitFact(fact: Fact, about?: FltObject): void {
    this.kernel.emitFact(fact);
    if (about instanceof InstanceObject && about.changed.waiters.length > 0) this.kernel.signal(about.changed);
  }

  emit(object: FltObject | string, body: FactBody): void {
    const id = typeof object === 'string' ? object : object.id;
    this.kernel.emit(id, body);
    if (object instanceof InstanceObject && object.changed.waiters.length > 0) this.kernel.signal(object.changed);
  }

  // ---------------------------------------------------------------- object creation

  createFilter(name: string, registration: FLT_REGISTRATION, registry: InstancesKey, flags: number): FilterObject {
    const id = this.kernel.nextId('F');
    this.kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FltRegisterFilter', name, flags });
    const actor = this.kernel.startMachine(filterMachine);
    this.kernel.attachActor(id, actor);
    const filter = new FilterObject(this, id, name, registration, registry, actor);
    this.filters.push(filter);
    return filter;
  }

  /** `remountOf`: the dismounted volume whose disk this mount reads (src/fltmgr/volumeMount.ts). */
  createVolume(name: string, dosName: string | null, fsType: 'NTFS' | 'FAT' | 'ReFS', deviceType: string, sectorSize: number, readOnly = false, shortNames = false, remountOf: VolumeObject | null = null): VolumeObject {
    const id = this.kernel.nextId('V');
    this.kernel.emitFact({
      seq: 0, time: 0, object: id,
      type: 'VolumeMount', name, dosName, fsType, deviceType, sectorSize,
      ...(readOnly ? { readOnly } : {}), ...(shortNames ? { shortNames } : {}), ...(remountOf !== null ? { remountOf: remountOf.id } : {}),
    });
    const actor = this.kernel.startMachine(volumeMachine);
    this.kernel.attachActor(id, actor);
    const kernel = this.kernel;
    const fileSystem = remountOf !== null ? remountOf.fileSystem.remount() : mountedFileSystem({
      volumeName: name,
      fsType: fsType === 'ReFS' ? 'NTFS' : fsType,
      sectorSize,
      now: () => kernel.now,
      kernel,
      ...(fsType === 'ReFS' ? { fileSystemName: 'ReFS' } : {}),
      ...(readOnly ? { readOnly } : {}),
      // Set only when asked, so logs of volumes without 8.3 names stay as they were.
      ...(shortNames ? { shortNames } : {}),
      ...(this.options.semantics.filterOplockCreateBreak === 'writableAndNoShareRead' ? { filterOplockCreateBreak: 'writableAndNoShareRead' as const } : {}),
    });
    const volume = new VolumeObject(this, id, name, dosName, fsType, deviceType, sectorSize, actor, fileSystem);
    this.volumes.push(volume);
    return volume;
  }

  attachLegacyFilter(volume: VolumeObject, spec: LegacyFilterSpec): LegacyFilter {
    const { name, aboveFrame } = spec;
    const legacy: LegacyFilter = { id: this.kernel.nextId('L'), name, aboveFrame, onIrp: spec.onIrp ?? null };
    this.kernel.emitFact({ seq: 0, time: 0, object: legacy.id, type: 'LegacyFilterAttach', name, volume: volume.id, aboveFrame });
    volume.legacyFilters.push(legacy);
    return legacy;
  }

  /** Create an instance in InstanceSetup, reserving its altitude on the volume. */
  createInstance(filter: FilterObject, volume: VolumeObject, name: string, altitude: string, flags: number): InstanceObject {
    const id = this.kernel.nextId('I');
    const frame = this.frameOf(altitude);
    this.kernel.emitFact({ seq: 0, time: 0, object: id, type: 'InstanceSetup', filter: filter.id, volume: volume.id, name, altitude, frame, flags });
    const actor = this.kernel.startMachine(instanceMachine);
    this.kernel.attachActor(id, actor);
    const instance = new InstanceObject(id, name, altitude, frame, filter, volume, actor, this.kernel.createWaitable(`${id} changed`, 'pulse'));
    filter.instances.push(instance);
    volume.insertInstance(instance);
    return instance;
  }

  /** Unlink an instance that is gone from its volume's list (its altitude becomes free). */
  unlinkInstance(instance: InstanceObject): void {
    instance.volume.removeInstance(instance);
  }

  // ---------------------------------------------------------------- lookups

  filterByName(name: string): FilterObject | undefined {
    // The newest registration wins: an unloaded filter may be registered again under its name.
    for (let i = this.filters.length - 1; i >= 0; i--) {
      const f = this.filters[i]!;
      if (f.name.toLowerCase() === name.toLowerCase() && f.state !== 'Unloaded') return f;
    }
    return undefined;
  }

  /** Accepts `\Device\HarddiskVolume1`, `\DosDevices\D:`, `\??\D:` and `D:` (§5). */
  volumeByName(name: string): VolumeObject | undefined {
    const wanted = name.toLowerCase();
    // Both prefixes start with a backslash: a drive letter ('c:') skips the two replaces (every mount looks its names up).
    const dos = wanted.charCodeAt(0) === 0x5c ? wanted.replace(/^\\dosdevices\\/, '').replace(/^\\\?\?\\/, '') : wanted;
    for (let i = this.volumes.length - 1; i >= 0; i--) {
      const v = this.volumes[i]!;
      if (v.state === 'Dismounted') continue;
      if (v.name.toLowerCase() === wanted) return v;
      if (v.dosName !== null && v.dosName.toLowerCase() === dos) return v;
    }
    return undefined;
  }

  /** FLT_RELATED_OBJECTS for a callback of `instance`: the transaction is the file object's, or the one being notified. */
  relatedObjects(instance: InstanceObject, fileObject: FileObject | null = null, transaction: TransactionObject | null = fileObject?.transaction ?? null): FLT_RELATED_OBJECTS {
    const TransactionContext = transaction?.enlistmentOf(instance)?.context ?? null;
    return { Filter: instance.filter, Volume: instance.volume, Instance: instance, FileObject: fileObject, Transaction: transaction, TransactionContext };
  }

  // ---------------------------------------------------------------- callbacks

  /**
   * Invoke one of `filter`'s callbacks on the current thread: a scheduling point first (Windows
   * could switch threads here), then the callback, which may block. The thread remembers which
   * filter it is running so self-referential misuse (a filter unloading itself) can be named, and
   * for an operation callback (`frame` given) which instance's rundown protection it holds, so re-entry is bounded.
   */
  *invoke<T>(filter: FilterObject, call: () => MaybeBlocking<T>, frame?: OperationCallbackFrame): Blocking<T> {
    // preempt() and callMaybeBlocking spelled out: every callback passes here, and each was a generator object per call.
    yield PREEMPT;
    const thread = this.kernel.current;
    if (frame !== undefined && thread !== null) this.checkReentry(thread.operationCallbacks, frame);
    thread?.callbackFilters.push(filter.id);
    if (frame !== undefined) thread?.operationCallbacks.push(frame);
    try {
      const result = call();
      return isGenerator<T>(result) ? yield* result : result;
    } catch (error) {
      throw this.locateAssertion(error, filter, frame);
    } finally {
      // The same thread resumes this frame, so the stack is balanced even across blocking.
      const t = this.kernel.threads.get(thread?.id ?? '');
      t?.callbackFilters.pop();
      if (frame !== undefined) t?.operationCallbacks.pop();
    }
  }

  /**
   * A failed FLT_ASSERT leaving the innermost callback it failed in: logged here, where the filter's
   * place is still known (the frame is popped on the way out), on the instance of an operation
   * callback or else on the filter. Anything else passes through unchanged.
   */
  private locateAssertion(error: unknown, filter: FilterObject, frame: OperationCallbackFrame | undefined): unknown {
    if (!(error instanceof VerifierError) || error.rule !== 'FLT_ASSERT' || error.seq !== undefined) return error;
    const thread = this.kernel.current;
    const where = frame === undefined ? `a callback of ${filter.name}` : `the ${frame.callback} of ${filter.name} (${frame.instance}) for ${frame.operation()}`;
    return this.kernel.violation('FLT_ASSERT', frame?.instance ?? filter.id, `${error.detail} in ${where}${thread === null ? '' : `, on ${thread.name} (${thread.id})`}`);
  }

  /**
   * An instance's operation callback entered again on the same thread, through I/O it issued from
   * inside itself (typically FltCreateFile with Instance = NULL from a pre-create, §10), more than
   * MAX_CALLBACK_REENTRY times: on Windows the kernel stack overflows. Reported with the chain of
   * operations before JavaScript's own stack gives out.
   */
  private checkReentry(stack: readonly OperationCallbackFrame[], frame: OperationCallbackFrame): void {
    const same = stack.filter((f) => f.instance === frame.instance && f.callback === frame.callback);
    if (same.length < MAX_CALLBACK_REENTRY) return;
    const chain = [...same.map((f) => f.operation()), frame.operation()].join(' → ');
    throw this.kernel.violation(
      'CALLBACK_RECURSION',
      frame.instance,
      `${frame.callback} of ${frame.instance} entered ${same.length + 1} times on one thread, each time from I/O the one before issued: ${chain} (§10, §14 inv. 1)`,
    );
  }
}
