/**
 * Running one schedule of a scenario under a strategy and judging it. Each schedule gets a fresh
 * simulation (the scenario is re-executed), so schedules never share anything and any of them can
 * be rebuilt from (seed, args, choices) alone.
 */
import { explorableArgument, scheduleFieldsArgument, strategyArgument } from './exploreArguments.js';
import { ReplayDivergenceError } from '../kernel/errors.js';
import type { Fact } from '../kernel/facts.js';
import type { Strategy } from '../kernel/strategy.js';
import type { ScenarioArgs } from '../scenarios/scenario.js';
import { createSimulation, type Simulation } from '../simulation.js';
import type { SimulationOptions } from '../simulationOptions.js';
import {
  deadlockViolation,
  hotParts,
  idleLivenessViolation,
  invariantViolation,
  monitorViolation,
  verifierViolation,
} from './check.js';
import type { InvariantVerdicts } from './verdicts.js';
import type { Explorable, ExplorationViolation, Monitor } from './types.js';

export interface ScheduleOptions {
  readonly seed: number;
  readonly args: ScenarioArgs;
  readonly strategy: Strategy;
  readonly maxSteps: number;
  readonly maxOperationsInFlight: number;
  readonly invariants: boolean;
  readonly monitors: readonly Monitor[];
  /** Verifier rules that do not count as this schedule's violation (ExploreOptions.disabledRules). */
  readonly disabledRules?: readonly string[];
  /** Remembered §14 verdicts by log, shared across the schedules of one exploration (same result, less work). */
  readonly verdicts?: InvariantVerdicts;
  /** Called with the fresh simulation before the scenario builds and runs it (a strategy that reads state needs it). */
  readonly onBuilt?: (sim: Simulation) => void;
}

export interface ScheduleOutcome {
  readonly sim: Simulation;
  readonly violation: ExplorationViolation | null;
}

/** A strategy throws this to end a run early on purpose (exhaustive search at a visited state). */
export class ScheduleAbandoned extends Error {}

export const SCHEDULE_DEFAULTS = { maxSteps: 20_000, maxOperationsInFlight: 32, invariants: true, monitors: [] as readonly Monitor[], disabledRules: [] as readonly string[] };

/** Steps between checks for runaway recursion: often enough to stop it early, rare enough to cost nothing. */
const CHUNK = 64;

export function buildSimulation(target: Explorable, seed: number, args: ScenarioArgs, strategy: Strategy, onBuilt?: (sim: Simulation) => void): Simulation {
  const o = target.options;
  const scenarioOptions = o === undefined ? {} : typeof o === 'function' ? o(seed, args) : o;
  // 'record' so a verifier error ends only the offending thread and the run (and its log) goes on.
  // Copied, then set: the spread with keys after it (onViolation one the scenario's options may
  // already hold) took V8's slow path on every schedule (3.8% of the smallest race's profile, 0.2% this way).
  const options: { -readonly [K in keyof SimulationOptions]: SimulationOptions[K] } = Object.assign({}, scenarioOptions);
  options.seed = seed;
  options.strategy = strategy;
  options.onViolation = 'record';
  const sim = createSimulation(options);
  onBuilt?.(sim); // before build: a scenario may run its setup inside build, under the same strategy
  sim.buildScenario(target, args); // with an id, the schedule can be saved and written as a trace
  return sim;
}

/** Run one schedule to its end (idle, deadlock or the step bound) and return its first violation. */
export function runSchedule(target: Explorable, options: ScheduleOptions): ScheduleOutcome {
  explorableArgument('runSchedule', target);
  scheduleFieldsArgument('runSchedule', 'options', options, true);
  strategyArgument('runSchedule', 'options.strategy', options.strategy);
  return runCheckedSchedule(target, options);
}

/**
 * runSchedule without checking its arguments again: for a caller that checked the target and the
 * options once for all its schedules (explore), and made the strategy itself. Checking them per
 * schedule cost about 2% of a schedule of the smallest race.
 */
export function runCheckedSchedule(target: Explorable, options: ScheduleOptions): ScheduleOutcome {
  const sim = buildSimulation(target, options.seed, options.args, options.strategy, options.onBuilt);
  let ended: ExplorationViolation | null = null;
  let reason: 'idle' | 'deadlock' | 'limit' = 'limit';
  try {
    let steps = 0;
    let inFlight = 0;
    let scanned = 0;
    while (steps < options.maxSteps) {
      const r = sim.run({ maxSteps: Math.min(CHUNK, options.maxSteps - steps) });
      steps += r.steps;
      if (r.reason === 'deadlock') {
        reason = 'deadlock';
        ended = deadlockViolation(r.blocked, lastSeq(sim.log), r.cycles);
        break;
      }
      if (r.reason === 'waitingForHost') {
        // No host answers during an exploration: requests held for it never complete.
        reason = 'deadlock';
        ended = deadlockViolation(r.blocked, lastSeq(sim.log), []);
        break;
      }
      if (r.reason === 'idle') {
        reason = 'idle';
        break;
      }
      const log = sim.log;
      for (; scanned < log.length; scanned++) {
        const t = log[scanned]!.type;
        if (t === 'IoStart') inFlight++;
        else if (t === 'IoComplete') inFlight--;
      }
      if (inFlight > options.maxOperationsInFlight) {
        ended = { kind: 'liveness', name: 'UNBOUNDED_RECURSION', seq: lastSeq(log), message: `${inFlight} operations in flight at once (bound ${options.maxOperationsInFlight}): I/O keeps issuing I/O` };
        break;
      }
    }
  } catch (error) {
    if (error instanceof ReplayDivergenceError || error instanceof ScheduleAbandoned) throw error;
    // JavaScript's own stack gives out first when a callback re-enters itself without a scheduling point.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      ended = { kind: 'liveness', name: 'UNBOUNDED_RECURSION', seq: lastSeq(sim.log), message: `the stack overflowed: a callback re-enters itself without end (${error.message})` };
    } else {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      ended = { kind: 'invariant', name: 'CRASH', seq: lastSeq(sim.log), message };
    }
  }
  const facts = sim.log;
  const violation =
    verifierViolation(facts, options.disabledRules ?? []) ??
    (options.invariants ? (options.verdicts === undefined ? invariantViolation(facts) : options.verdicts.check(facts)) : null) ??
    monitorViolation(facts, options.monitors) ??
    ended ??
    (reason === 'idle' ? (options.verdicts === undefined || !options.invariants ? idleLivenessViolation(facts) : options.verdicts.idleLiveness(facts)) : reason === 'limit' ? boundViolation(sim, facts) : null);
  return { sim, violation };
}

/** A run still going at the step bound is a liveness violation only if its state is hot. */
function boundViolation(sim: Simulation, facts: readonly Fact[]): ExplorationViolation | null {
  const hot = hotParts(sim.state());
  if (hot.length === 0) return null;
  return { kind: 'liveness', name: 'HOT_PAST_BOUND', seq: lastSeq(facts), message: `still owed after the step bound: ${hot.slice(0, 6).join('; ')}${hot.length > 6 ? ` (+${hot.length - 6} more)` : ''}` };
}

/**
 * Same violation for shrinking and replay purposes: same kind and name — and, for the verifier's
 * FLT_ASSERT, the same assertion: the rule covers every FLT_ASSERT of the filter, so without the
 * expression a shrink could trade the failure it was given for another assertion of the sample.
 */
export function sameViolation(a: ExplorationViolation | null, b: ExplorationViolation | null): boolean {
  if (a === null || b === null || a.kind !== b.kind || a.name !== b.name) return false;
  return a.kind !== 'verifier' || a.name !== 'FLT_ASSERT' || assertedExpression(a.message) === assertedExpression(b.message);
}

/** The expression of a failed FLT_ASSERT as its message carries it ("FLT_ASSERT(<expression>) failed …"). */
function assertedExpression(message: string): string {
  return /FLT_ASSERT\((.*)\) failed/.exec(message)?.[1] ?? message;
}

function lastSeq(facts: readonly Fact[]): number {
  return facts[facts.length - 1]?.seq ?? 0;
}
