/**
 * Runs that can be rebuilt: started from a registered scenario, saved as what built them (scenario,
 * options with the seed, the drive record), and re-executed to any step. Simulated threads are
 * generators, which cannot be serialised, so re-execution *is* restore (docs/time-travel.md); it
 * also rebuilds what XState's own persistence drops: blocked threads, pended operations, in-flight
 * completions, sleepers' deadlines and unload gates.
 *
 * Saving and restoring whole runs is `sim.save()` / `restoreSimulation` (src/host); this module
 * adds what time travel needs on top: re-executing only up to a position, forking there with other
 * choices, and replaying a recording with a fact-by-fact determinism check.
 */
import { ReplayDivergenceError } from '../kernel/errors.js';
import type { Fact } from '../kernel/facts.js';
import { createScenarioSimulation, type ScenarioRunOptions } from '../host/scenarios.js';
import type { SimulationSnapshot } from '../host/snapshot.js';
import type { DriveEntry } from '../host/types.js';
import { scenarios as registry, type Scenario, type ScenarioArgs } from '../scenarios/index.js';
import type { Simulation } from '../simulation.js';
import { DeterminismError } from './errors.js';

export interface RunSpec {
  /** A registered scenario id. */
  readonly scenario: string;
  readonly args?: ScenarioArgs;
  /** Seed, strategy ('in-order' or 'random', so the run can be saved) and any other option. */
  readonly options?: ScenarioRunOptions;
}

/** What rebuilds a run: the parts of a saved simulation that re-execution needs. */
export type Recording = Pick<SimulationSnapshot, 'scenario' | 'args' | 'options' | 'drive'>;

/** A fresh simulation built by a registered scenario, not yet run; it can be saved at any step. */
export function startRun(spec: RunSpec, scenarios: readonly Scenario[] = registry): Simulation {
  return createScenarioSimulation(spec.scenario, spec.options ?? {}, { args: spec.args ?? {}, scenarios });
}

/**
 * Rebuild a recording by re-executing it, stopping before the first step that would take the log
 * past `position` (default: the whole recording). Positions inside a step (a step appends several
 * facts) stop at the step boundary at or before them; `sim.log.length` says where it stopped.
 */
export function rebuild(recording: Recording, options: { readonly position?: number; readonly scenarios?: readonly Scenario[] } = {}): Simulation {
  const scenarios = options.scenarios ?? registry;
  const spec = { scenario: recording.scenario, args: recording.args, options: recording.options };
  if (options.position === undefined) {
    const sim = startRun(spec, scenarios);
    sim.host.replay(recording.drive);
    return sim;
  }
  // A step's length is known only once it has run, so the first pass finds how many steps fit.
  const probe = startRun(spec, scenarios);
  const position = options.position;
  const steps = stepsWithin(probe, recording.drive, position);
  const sim = startRun(spec, scenarios);
  sim.host.replay(truncateDrive(recording.drive, steps));
  return sim;
}

/**
 * A new simulation that continues the recording from `position` with other choices: it is
 * rebuilt up to the step boundary at or before `position`, then takes one step per id in
 * `choose` (each must be enabled then; `sim.enabled()` lists them), and is left for the caller to
 * run with the recording's strategy. The fork is itself savable: its drive records the choices.
 */
export function fork(recording: Recording, position: number, choose: readonly string[] = [], scenarios?: readonly Scenario[]): Simulation {
  const sim = rebuild(recording, scenarios === undefined ? { position } : { position, scenarios });
  for (const id of choose) sim.step(id);
  return sim;
}

/**
 * Re-run a recording and check that it reproduces `expected` fact for fact (a determinism check).
 * Throws DeterminismError naming the first differing fact; returns the rebuilt simulation.
 */
export function replayChecked(recording: Recording, expected: readonly Fact[], scenarios?: readonly Scenario[]): Simulation {
  let sim: Simulation;
  try {
    sim = rebuild(recording, scenarios === undefined ? {} : { scenarios });
  } catch (error) {
    if (!(error instanceof ReplayDivergenceError)) throw error;
    // The drive could not be followed: still report the first fact that differs, if any.
    sim = startRun({ scenario: recording.scenario, args: recording.args, options: recording.options }, scenarios);
    sim.run();
  }
  const difference = firstDifference(expected, sim.log);
  if (difference !== null) throw new DeterminismError(difference, expected[difference], sim.log[difference], recording.options.seed);
  return sim;
}

/** The first seq at which two logs differ (by their JSON), or null if they are identical. */
export function firstDifference(a: readonly Fact[], b: readonly Fact[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  return a.length === b.length ? null : n;
}

/** How many steps of the drive end with the log at or before `position`. */
function stepsWithin(sim: Simulation, drive: readonly DriveEntry[], position: number): number {
  let steps = 0;
  if (sim.log.length > position) return 0;
  const probe = (choice?: string): boolean => {
    try {
      sim.step(choice);
    } catch {
      // A step that threw (a recorded verifier violation) still happened, as in the recording.
    }
    if (sim.log.length > position) return false;
    steps++;
    return true;
  };
  for (const entry of drive) {
    if (typeof entry === 'number') {
      for (let i = 0; i < entry; i++) if (!probe()) return steps;
    } else if (typeof entry === 'string') {
      if (!probe(entry)) return steps;
    } else {
      sim.advanceTo(entry.advanceTo);
    }
  }
  return steps;
}

/** The drive record's first `steps` steps (and the clock moves among them). */
export function truncateDrive(drive: readonly DriveEntry[], steps: number): DriveEntry[] {
  const out: DriveEntry[] = [];
  let left = steps;
  for (const entry of drive) {
    if (typeof entry === 'number') {
      if (left === 0) break;
      const n = Math.min(entry, left);
      out.push(n);
      left -= n;
    } else if (typeof entry === 'string') {
      if (left === 0) break;
      out.push(entry);
      left--;
    } else {
      if (left === 0) break;
      out.push(entry);
    }
  }
  return out;
}
