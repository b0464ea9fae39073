/**
 * createSimulation: one object that owns the clock, the random source, the scheduler, the log and
 * every kernel object. Two simulations never share anything.
 *
 * What it owns and how a system is built in it is simulationBase.ts; this file adds what drives it:
 * the host's inputs, the routines without an object argument, running, saving and scenario builds.
 */
import { bufferArgument, integerArgument, optionalRecordArgument, recordArgument, ulongArgument } from './kernel/arguments.js';
import { functionArgument, optionalStringArgument, stringArgument } from './simulationArguments.js';
import { connectCommunicationPort, type ConnectResult } from './fltmgr/filterPortUser.js';
import type { EventHandle } from './fltmgr/portObjects.js';
import { createEvent } from './fltmgr/win32Events.js';
import type { Blocking } from './kernel/effects.js';
import { UsageError } from './kernel/errors.js';
import type { Fact } from './kernel/facts.js';
import type { BlockedThread } from './kernel/kernel.js';
import type { FilterObject } from './fltmgr/filterObject.js';
import { unloadFilter } from './fltmgr/filterRoutines.js';
import { FltAttachVolume, FltAttachVolumeAtAltitude, FltDetachVolume } from './fltmgr/instanceRoutines.js';
import { VolumeObject } from './fltmgr/volumeObject.js';
import { liveState, type SimState } from './projection/liveState.js';
import { ProcessObject, type ThreadObject } from './io/processes.js';
import { enumerateFilters, enumerateInstances, type EnumerationResult } from './fltmgr/enumeration.js';
import type { InstanceObject } from './fltmgr/instanceObject.js';
import { FLTSIM_VERSION } from './version.js';
import type { SimulationOptions } from './simulationOptions.js';
import { STATUS_FLT_FILTER_NOT_FOUND, STATUS_FLT_VOLUME_NOT_FOUND, type NTSTATUS } from './wdk/ntstatus.js';
import { fail } from './fltmgr/routineSupport.js';
import { logDigest, SNAPSHOT_FORMAT, type SimulationSnapshot } from './host/snapshot.js';
import { SNAPSHOT_FORMAT_VERSION } from './host/snapshotFormat.js';
import type { EnabledChoice, HostStep, RunUntilFactResult, RunUntilTimeResult } from './host/types.js';
import { copyScenarioArgs, jsonValueProblem, type JsonValue, type ScenarioArgs } from './kernel/jsonValue.js';
import { BUILT_IN_ACTIONS, type HostActionFunction } from './host/actions.js';
import type { PendingFsRequest, RequestCompletion } from './io/heldRequests.js';
import { SimulationBase } from './simulationBase.js';
import type { RunResult } from './simulationTypes.js';

export type { SimulationOptions, ResolvedOptions } from './simulationOptions.js';
export type { DriverEntry, DriverSpec, RunResult, ThreadHandle } from './simulationTypes.js';

export class Simulation extends SimulationBase {
  constructor(options: SimulationOptions = {}) {
    super(options);
    // Through a const, not assigned as a literal (V8 puts those in the old generation; docs/exploration.md, "Memory").
    const perform = (name: string, args: JsonValue): void => this.act(name, args);
    this.host.perform = perform;
  }

  /** The state of every object, as plain frozen data (the same shape `foldLog` rebuilds from the log). */
  state(): SimState {
    return liveState(this);
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
    if (scenario.id !== undefined) this.scenario = { id: scenario.id, args: copyScenarioArgs(args), actions: scenario.actions ?? {} };
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

export function createSimulation(options: SimulationOptions = {}): Simulation {
  return new Simulation(optionalRecordArgument<SimulationOptions>('createSimulation', 'options', options) ?? {});
}

/** `{ maxSteps }` of the run methods: absent, or a whole number of steps from 0. */
function maxStepsOf(routine: string, options: unknown): number {
  const o = optionalRecordArgument<{ maxSteps?: unknown }>(routine, 'options', options);
  return o === null || o.maxSteps === undefined ? 1_000_000 : integerArgument(routine, 'options.maxSteps', o.maxSteps, 0, Number.MAX_SAFE_INTEGER, 'a whole number of steps');
}

