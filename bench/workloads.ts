/**
 * Workloads driven only through fltsim's public API (src/index.ts), as a user of the package would
 * write them. Each returns the simulation so the caller can count facts and check outcomes.
 *
 * Two shapes:
 * - `churn`: filters registered, started (auto-attaching to every volume), then many manual
 *   attach/detach cycles, then unloaded; repeated for several rounds under the same names.
 * - `stack`: n filters, each attaching one instance at its own altitude on one volume.
 */
import {
  createSimulation,
  FltAttachVolumeAtAltitude,
  FltRegisterFilter,
  FltStartFiltering,
  FltUnregisterFilter,
  INSTANCE_FLAG_SUPPRESS_AUTOMATIC_ATTACHMENT,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_REGISTRATION,
  type InstancesKey,
  type PFLT_FILTER,
  type PFLT_VOLUME,
  type RunResult,
  type Simulation,
  type ThreadHandle,
} from '../src/index.js';

/**
 * A well-behaved minifilter: accepts every volume, allows every manual detach, and unregisters
 * itself when asked to unload. `filterOf` is read when unload runs, after registration filled it in.
 */
function cooperativeRegistration(filterOf: () => PFLT_FILTER): FLT_REGISTRATION {
  return {
    InstanceSetupCallback: () => STATUS_SUCCESS,
    InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
    InstanceTeardownStartCallback: () => undefined,
    InstanceTeardownCompleteCallback: () => undefined,
    FilterUnloadCallback: function* () {
      yield* FltUnregisterFilter(filterOf());
      return STATUS_SUCCESS;
    },
  };
}

/** Load a cooperative driver whose DriverEntry registers and starts it. */
function loadCooperativeDriver(sim: Simulation, name: string, instances: InstancesKey, afterStart?: (filter: PFLT_FILTER) => Blocking<void>): ThreadHandle {
  let filter: PFLT_FILTER | null = null;
  const registration = cooperativeRegistration(() => {
    if (filter === null) throw new Error(`bench: ${name} unloads before it registered`);
    return filter;
  });
  return sim.loadDriver({ name, instances }, function* (driver) {
    const registered = FltRegisterFilter(driver, registration);
    if (registered.filter === null) return registered.status;
    filter = registered.filter;
    const status = yield* FltStartFiltering(filter);
    if (status !== STATUS_SUCCESS || afterStart === undefined) return status;
    yield* afterStart(filter);
    return STATUS_SUCCESS;
  });
}

function* attachOnce(filter: PFLT_FILTER, volume: PFLT_VOLUME, altitude: string): Blocking<void> {
  const attached = yield* FltAttachVolumeAtAltitude(filter, volume, altitude);
  if (attached.status !== STATUS_SUCCESS) throw new Error(`bench: attach of ${filter.name} at ${altitude} failed: 0x${attached.status.toString(16)}`);
}

/** Run to idle; anything else means the workload is wrong, and its timing would be meaningless. */
export function runToIdle(sim: Simulation): RunResult {
  const result = sim.run({ maxSteps: Number.MAX_SAFE_INTEGER });
  if (result.reason !== 'idle') throw new Error(`bench: simulation ended ${result.reason} after ${result.steps} steps (seed ${sim.seed})`);
  return result;
}

export interface ChurnShape {
  readonly volumes: number;
  readonly filters: number;
  /** Manual attach/detach cycles per filter per volume in each round. */
  readonly cycles: number;
  /** Register → churn → unload, repeated under the same filter names. */
  readonly rounds: number;
}

export const CHURN: ChurnShape = { volumes: 4, filters: 6, cycles: 8, rounds: 3 };

/**
 * The churn workload. Every routine must succeed: threads that return a failure status would make
 * the benchmark time failure paths, so `checkChurn` verifies that once before timing.
 */
export function churn(shape: ChurnShape, seed = 1): { sim: Simulation; threads: ThreadHandle[] } {
  const sim = createSimulation({ seed });
  const threads: ThreadHandle[] = [];
  const volumeNames: string[] = [];
  for (let v = 0; v < shape.volumes; v++) {
    const dosName = `${String.fromCharCode(67 + v)}:`;
    sim.mountVolume({ name: `\\Device\\HarddiskVolume${v + 1}`, dosName });
    volumeNames.push(dosName);
  }
  for (let round = 0; round < shape.rounds; round++) {
    const names: string[] = [];
    for (let f = 0; f < shape.filters; f++) {
      const name = `churn${f}`;
      names.push(name);
      // The default instance auto-attaches to every mounted volume when the filter starts.
      // Instance names are unique per volume across all filters (STATUS_FLT_INSTANCE_NAME_COLLISION).
      const instanceName = `${name} Default`;
      threads.push(loadCooperativeDriver(sim, name, { DefaultInstance: instanceName, Instances: { [instanceName]: { Altitude: String(320000 + f * 10) } } }));
    }
    runToIdle(sim);
    for (let f = 0; f < shape.filters; f++) {
      const name = names[f]!;
      const altitude = String(320000 + f * 10 + 5);
      const instanceName = `${name} Churn`;
      threads.push(
        sim.spawn(`churn ${name}`, function* () {
          for (let c = 0; c < shape.cycles; c++) {
            for (const volume of volumeNames) {
              const attached = yield* sim.FilterAttachAtAltitude(name, volume, altitude, instanceName);
              if (attached !== STATUS_SUCCESS) return attached;
              const detached = yield* sim.FilterDetach(name, volume, instanceName);
              if (detached !== STATUS_SUCCESS) return detached;
            }
          }
          return STATUS_SUCCESS;
        }),
      );
    }
    runToIdle(sim);
    for (const name of names) threads.push(sim.spawn(`fltmc unload ${name}`, () => sim.FilterUnload(name)));
    runToIdle(sim);
  }
  return { sim, threads };
}

/** Throw unless every thread of a churn run exited with STATUS_SUCCESS and no routine failed. */
export function checkChurn(run: { sim: Simulation; threads: readonly ThreadHandle[] }): void {
  for (const t of run.threads) {
    if (t.state !== 'exited' || t.result !== STATUS_SUCCESS || t.error !== undefined) {
      throw new Error(`bench: thread ${t.name} ended ${t.state} with ${String(t.result)} ${String(t.error ?? '')}`);
    }
  }
  const failed = run.sim.log.find((f) => f.type === 'RoutineFailed' || f.type === 'VerifierViolation');
  if (failed !== undefined) throw new Error(`bench: the churn workload logged ${JSON.stringify(failed)}`);
}

/**
 * A stack of `n` instances on one volume: n filters, each registered and started (automatic
 * attachment suppressed), then attaching one instance at a distinct altitude; run to idle.
 */
export function stack(n: number, seed = 1): Simulation {
  const sim = createSimulation({ seed });
  const volume = sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  for (let i = 0; i < n; i++) {
    // Altitudes 300000, 300010, ...: distinct and well inside one frame.
    const altitude = String(300000 + i * 10);
    const instanceName = `stack${i} Default`;
    const instances: InstancesKey = {
      DefaultInstance: instanceName,
      Instances: { [instanceName]: { Altitude: altitude, Flags: INSTANCE_FLAG_SUPPRESS_AUTOMATIC_ATTACHMENT } },
    };
    loadCooperativeDriver(sim, `stack${i}`, instances, (filter) => attachOnce(filter, volume, altitude));
  }
  runToIdle(sim);
  return sim;
}

/** Throw unless the stack really holds `n` attached instances. */
export function checkStack(sim: Simulation, n: number): void {
  const state = sim.state();
  const attached = Object.values(state.instances).filter((i) => i.state === 'Attached').length;
  const stackDepth = Object.values(state.volumes)[0]?.stack.length ?? 0;
  if (attached !== n || stackDepth !== n) throw new Error(`bench: stack(${n}) has ${attached} attached instances, ${stackDepth} in the device stack`);
}
