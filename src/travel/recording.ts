/**
 * Runs that can be rebuilt: started from a scenario, saved as what built them (scenario, options
 * with the seed, the drive record), and re-executed to any step. Simulated threads are generators,
 * which cannot be serialised, so re-execution *is* restore (docs/time-travel.md); it also rebuilds
 * what XState's own persistence drops: blocked threads, pended operations, in-flight completions,
 * sleepers' deadlines and unload gates.
 *
 * Saving and restoring whole runs is `sim.save()` / `restoreSimulation` (src/host); this module
 * adds what time travel needs on top: re-executing only up to a position, forking there with other
 * choices, and replaying a recording with a fact-by-fact determinism check.
 */
import { sizeArgument, stringArgument } from '../kernel/arguments.js';
import { arrayOfArgument, factsArgument, optionalShapeArgument, shapeArgument } from '../kernel/dataArguments.js';
import { recordingArgument } from '../host/snapshot.js';
import { scenariosArgument } from '../scenarios/index.js';
import { ReplayDivergenceError, UsageError } from '../kernel/errors.js';
import type { Fact } from '../kernel/facts.js';
import { createScenarioSimulation, recordedSimulation, type Recording, type ScenarioRunOptions } from '../host/scenarios.js';
import type { DriveEntry } from '../host/types.js';
import { builtInScenarios as registry, type Scenario, type ScenarioArgs } from '../scenarios/index.js';
import type { Simulation } from '../simulation.js';
import { BudgetExceededError, MEMORY_CHECK_INTERVAL, resolveBudget, type ReplayBudget } from './budget.js';
import { DeterminismError } from './errors.js';

export type { Recording } from '../host/scenarios.js';

export interface RunSpec {
  /** A registered scenario id. */
  readonly scenario: string;
  readonly args?: ScenarioArgs;
  /** Seed, strategy ('in-order' or 'random', so the run can be saved) and any other option. */
  readonly options?: ScenarioRunOptions;
}

/** A fresh simulation built by a registered scenario, not yet run; it can be saved at any step. */
export function startRun(spec: RunSpec, scenarios: readonly Scenario[] = registry): Simulation {
  shapeArgument('startRun', 'spec', spec, { scenario: 'string', args: 'object?', options: 'object?' }, 'a RunSpec ({ scenario, args?, options? })');
  scenariosArgument('startRun', 'scenarios', scenarios);
  return createScenarioSimulation(spec.scenario, spec.options ?? {}, { args: spec.args ?? {}, scenarios });
}

/**
 * Rebuild a recording by re-executing it, stopping before the first step that would take the log
 * past `position` (default: the whole recording). Positions inside a step (a step appends several
 * facts) stop at the step boundary at or before them; `sim.log.length` says where it stopped.
 * Positions inside the scenario's build stop right after the build, unless the build ran steps
 * of its own (it calls `run()` instead of `whenSettled`): those positions cannot be re-executed
 * apart from the rest of the build, which is a UsageError (`POSITION_IN_BUILD`).
 */
export function rebuild(recording: Recording, options: { readonly position?: number; readonly scenarios?: readonly Scenario[] } = {}): Simulation {
  recordingArgument('rebuild', recording);
  optionalShapeArgument('rebuild', 'options', options, { position: 'integer?', scenarios: 'array?' }, '{ position?, scenarios? }');
  options ??= {};
  const scenarios = scenariosArgument('rebuild', 'options.scenarios', options.scenarios ?? registry);
  if (options.position !== undefined) sizeArgument('rebuild', 'options.position', options.position);
  if (options.position === undefined) {
    const sim = recordedSimulation(recording, scenarios);
    sim.host.replay(recording.drive);
    return sim;
  }
  // A step's length is known only once it has run, so the first pass finds how many steps fit.
  const probe = recordedSimulation(recording, scenarios);
  const position = options.position;
  if (position < probe.built.facts && probe.built.steps > 0) {
    throw new UsageError(
      'POSITION_IN_BUILD',
      `position ${position} is inside the build of scenario '${recording.scenario}', which runs ${probe.built.steps} steps itself (facts 0 to ${probe.built.facts}): ` +
        'a build that queues its later set-up with sim.whenSettled() can be rebuilt at any step',
    );
  }
  const steps = stepsWithin(probe, recording.drive, position);
  const sim = recordedSimulation(recording, scenarios);
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
  recordingArgument('fork', recording);
  sizeArgument('fork', 'position', position);
  arrayOfArgument('fork', 'choose', choose, (id, name) => stringArgument('fork', name, id), 'an array of thread ids');
  if (scenarios !== undefined) scenariosArgument('fork', 'scenarios', scenarios);
  const sim = rebuild(recording, scenarios === undefined ? { position } : { position, scenarios });
  for (const id of choose) sim.step(id);
  return sim;
}

/**
 * Re-run a recording and check that it reproduces `expected` fact for fact (a determinism check),
 * step by step, so a run that goes astray stops at its first differing fact. Throws
 * DeterminismError naming that fact — also when the recorded drive cannot be followed (its
 * `reason` says why) — and returns the rebuilt simulation otherwise. Nothing is reported
 * identical that was not compared: the whole expected log is.
 */
export function replayChecked(recording: Recording, expected: readonly Fact[], scenarios?: readonly Scenario[], budget?: ReplayBudget): Simulation {
  recordingArgument('replayChecked', recording);
  factsArgument('replayChecked', 'expected', expected);
  if (scenarios !== undefined) scenariosArgument('replayChecked', 'scenarios', scenarios);
  optionalShapeArgument('replayChecked', 'budget', budget, { maxFacts: 'any', maxSteps: 'any', maxMemory: 'any', heapUsed: 'function?' }, 'a ReplayBudget ({ maxFacts?, maxSteps?, maxMemory?, heapUsed? })');
  const limits = resolveBudget(budget ?? {});
  // What the recording asks for is known before anything runs: refuse it then, not after the work.
  if (expected.length > limits.maxFacts) throw new BudgetExceededError('facts', limits.maxFacts, `the recording has ${expected.length} facts`);
  const steps = driveSteps(recording.drive);
  if (steps > limits.maxSteps) throw new BudgetExceededError('steps', limits.maxSteps, `the recording takes ${steps} steps`);
  const sim = recordedSimulation(recording, scenarios ?? registry, buildWatch(limits));
  let checked = 0;
  let taken = 0;
  const check = (): void => {
    const log = sim.log;
    if (log.length > limits.maxFacts) throw new BudgetExceededError('facts', limits.maxFacts, `the replay reached ${log.length} facts`);
    if (limits.heapUsed !== undefined && ++taken % MEMORY_CHECK_INTERVAL === 1) {
      const used = limits.heapUsed();
      if (used > limits.maxMemory) throw new BudgetExceededError('memory', limits.maxMemory, `${Math.round(used / 2 ** 20)} MiB in use after ${taken} steps`);
    }
    for (; checked < log.length; checked++) {
      if (checked >= expected.length || JSON.stringify(log[checked]) !== JSON.stringify(expected[checked])) {
        throw new DeterminismError(checked, expected[checked], log[checked], recording.options.seed);
      }
    }
  };
  check();
  try {
    sim.host.replay(recording.drive, check);
  } catch (error) {
    if (!(error instanceof ReplayDivergenceError) || error instanceof DeterminismError) throw error;
    check();
    throw new DeterminismError(sim.log.length, expected[sim.log.length], undefined, recording.options.seed, `the recorded drive could not be followed (${error.message})`);
  }
  check();
  if (sim.log.length !== expected.length) throw new DeterminismError(sim.log.length, expected[sim.log.length], undefined, recording.options.seed);
  return sim;
}

/**
 * The budgets over a scenario's set-up, before its recorded drive is followed: a build may append
 * facts and run steps of its own (`io-soak` with 50,000,000 threads would), and a trace's header
 * chooses the scenario and its arguments.
 */
function buildWatch(limits: ReturnType<typeof resolveBudget>): (what: 'fact' | 'step') => void {
  let facts = 0;
  let steps = 0;
  return (what) => {
    if (what === 'fact' && ++facts > limits.maxFacts) throw new BudgetExceededError('facts', limits.maxFacts, `the scenario's set-up reached ${facts} facts`);
    if (what === 'step' && ++steps > limits.maxSteps) throw new BudgetExceededError('steps', limits.maxSteps, `the scenario's set-up took ${steps} steps`);
    if (limits.heapUsed !== undefined && (facts + steps) % MEMORY_CHECK_INTERVAL === 0) {
      const used = limits.heapUsed();
      if (used > limits.maxMemory) throw new BudgetExceededError('memory', limits.maxMemory, `${Math.round(used / 2 ** 20)} MiB in use during the scenario's set-up`);
    }
  };
}

/** The first seq at which two logs differ (by their JSON), or null if they are identical. */
export function firstDifference(a: readonly Fact[], b: readonly Fact[]): number | null {
  factsArgument('firstDifference', 'a', a);
  factsArgument('firstDifference', 'b', b);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  return a.length === b.length ? null : n;
}

/** Steps a drive record takes (its host choices and step counts). */
export function driveSteps(drive: readonly DriveEntry[]): number {
  let n = 0;
  for (const entry of drive) n += typeof entry === 'number' ? entry : typeof entry === 'string' ? 1 : 0;
  return n;
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
    } else if ('act' in entry) {
      sim.act(entry.act, entry.args);
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
