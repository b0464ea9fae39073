/**
 * explore(scenario, options): run a scenario under many schedules, stop at the first violation,
 * and hand back what reproduces it — the seed, the choice list (for replayStrategy), the trace, and
 * a 1-minimal shrunk schedule. Schedule i of a random or PCT exploration runs with seed + i, so
 * every schedule is also reproducible from its seed alone.
 */
import { integerArgument } from '../kernel/arguments.js';
import { choicesArgument, explorableArgument, exploreOptionsArgument, scheduleFieldsArgument } from './exploreArguments.js';
import { UsageError } from '../kernel/errors.js';
import { randomStrategy, replayStrategy, type Strategy } from '../kernel/strategy.js';
import type { ScenarioArgs } from '../scenarios/scenario.js';
import type { Simulation } from '../simulation.js';
import { formatTrace } from '../trace/textFormat.js';
import { exhaustiveSearch, type ExhaustiveOptions } from './exhaustive.js';
import { reducedSearch } from './reduced.js';
import { subtreeRoots } from './subtrees.js';
import { InvariantVerdicts } from './verdicts.js';
import { CoverageCounter, hitsOfWindows, type RaceWindow, type WindowCoverage } from './coverage.js';
import { pctBound, pctStrategy } from './pct.js';
import { runCheckedSchedule, runSchedule, SCHEDULE_DEFAULTS, type ScheduleOptions, type ScheduleOutcome } from './run.js';
import { shrinkSchedule } from './shrink.js';
import type { Explorable, ExploreOptions, ExploreResult, Monitor, PctBound } from './types.js';

/**
 * What every schedule of a random or PCT exploration shares, fixed before the first one runs so
 * that schedule i depends only on (plan, i): the parallel CLI runs the indices on several threads
 * and gets the schedules a single thread would.
 */
export interface ExplorationPlan {
  readonly strategy: 'random' | 'pct';
  readonly seed: number;
  readonly depth: number;
  /** PCT: threads n and choices k, the most seen over the first PCT_ESTIMATE_RUNS random runs. */
  readonly estimate: { readonly threads: number; readonly steps: number };
  readonly windows: readonly RaceWindow[];
}

/** Random runs that size PCT's change-point range before exploring (k must be fixed up front). */
const PCT_ESTIMATE_RUNS = 4;
/** Exhaustive: runs (complete or cut short) per schedule of the budget when `maxRuns` is not given. */
export const DEFAULT_RUNS_PER_SCHEDULE = 10;

export function explorationPlan(target: Explorable, options: ExploreOptions = {}): ExplorationPlan {
  const strategy = options.strategy ?? 'random';
  if (strategy === 'exhaustive') throw new UsageError('BAD_OPTION', 'explorationPlan: exhaustive search has no independent schedules');
  const seed = options.seed ?? 1;
  let estimate = { threads: 0, steps: 0 };
  if (strategy === 'pct') {
    const base = scheduleBase(options);
    for (let i = 0; i < PCT_ESTIMATE_RUNS; i++) {
      const m = measure(target, { ...base, seed: seed + i, strategy: randomStrategy() });
      estimate = { threads: Math.max(estimate.threads, m.threads), steps: Math.max(estimate.steps, m.steps) };
    }
  }
  return { strategy, seed, depth: options.depth ?? 2, estimate, windows: windowsOf(target, options) };
}

export interface IndexedSchedule {
  readonly outcome: ScheduleOutcome;
  readonly seed: number;
  /** Hits of each of the plan's windows in this schedule. */
  readonly windowHits: readonly number[];
}

/** Schedule `index` of a plan: seed + index, under a fresh random or PCT strategy; `checked` when the caller has checked target and options. */
export function runPlannedSchedule(target: Explorable, options: ExploreOptions, plan: ExplorationPlan, index: number, verdicts?: InvariantVerdicts, checked = false): IndexedSchedule {
  const seed = plan.seed + index;
  const strategy: Strategy = plan.strategy === 'pct' ? pctStrategy({ depth: plan.depth, steps: plan.estimate.steps }) : randomStrategy();
  const base = scheduleBase(options);
  // Written out: spreading the base and an optional field into a new literal took V8's generic copy, per schedule.
  const { args, maxSteps, maxOperationsInFlight, invariants, monitors, disabledRules = SCHEDULE_DEFAULTS.disabledRules } = base;
  const scheduleOptions: ScheduleOptions =
    verdicts === undefined
      ? { args, maxSteps, maxOperationsInFlight, invariants, monitors, disabledRules, seed, strategy }
      : { args, maxSteps, maxOperationsInFlight, invariants, monitors, disabledRules, seed, strategy, verdicts };
  const outcome = (checked ? runCheckedSchedule : runSchedule)(target, scheduleOptions);
  return { outcome, seed, windowHits: hitsOfWindows(outcome.sim.log, plan.windows) };
}

export function explore(target: Explorable, options: ExploreOptions = {}): ExploreResult {
  explorableArgument('explore', target);
  exploreOptionsArgument('explore', options);
  options ??= {};
  const strategy = options.strategy ?? 'random';
  const seed = options.seed ?? 1;
  const budget = options.schedules ?? 1000;
  const verdicts = new InvariantVerdicts();
  if (strategy === 'exhaustive') {
    const windows = windowsOf(target, options);
    const coverage = new CoverageCounter(windows);
    let found: SubtreeSearch['found'] = null;
    let schedules = 0;
    let exhausted = true;
    for (const root of exhaustiveRoots(target, options)) {
      if (schedules >= budget) {
        exhausted = false;
        break;
      }
      const r = searchSubtree(target, options, root, budget - schedules, windows, verdicts, (i, failed) => options.onSchedule?.(schedules + i, failed));
      for (const hits of r.hits) coverage.add(hits);
      schedules += r.schedules;
      if (r.found !== null) {
        found = r.found;
        break;
      }
      if (!r.exhausted) exhausted = false;
    }
    return concludeExploration(target, options, { schedules, exhausted: found === null && exhausted, pctBound: null, coverage: coverage.result(), found: found === null ? null : { outcome: found.outcome, choices: found.choices, seed } });
  }
  const plan = explorationPlan(target, options);
  const coverage = new CoverageCounter(plan.windows);
  let schedules = 0;
  let found: IndexedSchedule | null = null;
  for (let i = 0; i < budget; i++) {
    const run = runPlannedSchedule(target, options, plan, i, verdicts, true);
    schedules++;
    coverage.add(run.windowHits);
    options.onSchedule?.(i, run.outcome.violation !== null);
    if (run.outcome.violation !== null) {
      found = run;
      break;
    }
  }
  const hit = found as IndexedSchedule | null;
  return concludeExploration(target, options, {
    schedules,
    exhausted: false,
    pctBound: planBound(plan),
    coverage: coverage.result(),
    found: hit === null ? null : { outcome: hit.outcome, seed: hit.seed, choices: hit.outcome.sim.choices.slice() },
  });
}

/** The roots of an exhaustive plan: the choice prefixes of length `splitDepth` (one empty root when 0). */
export function exhaustiveRoots(target: Explorable, options: ExploreOptions): string[][] {
  const depth = options.splitDepth ?? 0;
  if (depth === 0) return [[]];
  return subtreeRoots(target, { ...scheduleBase(options), seed: options.seed ?? 1 }, depth, options.preemptionBound ?? 2);
}

/** One subtree's search: its schedules' window hits in order, and its first failing schedule. */
export interface SubtreeSearch {
  readonly schedules: number;
  readonly exhausted: boolean;
  /** Runs cut short after the last schedule (a budget of exactly `schedules` would not have ended exhausted). */
  readonly prunedAfterLast: number;
  readonly hits: readonly (readonly number[])[];
  readonly found: { readonly outcome: ScheduleOutcome; readonly choices: readonly string[] } | null;
}

/** Search the subtree under `root` (reduced unless `reduction: 'none'`) with at most `budget` schedules. */
export function searchSubtree(
  target: Explorable,
  options: ExploreOptions,
  root: readonly string[],
  budget: number,
  windows: readonly RaceWindow[],
  verdicts: InvariantVerdicts,
  onSchedule?: (index: number, failed: boolean) => void,
): SubtreeSearch {
  const reduction = options.reduction ?? 'dpor';
  const hits: number[][] = [];
  let found: SubtreeSearch['found'] = null;
  const search = reduction === 'none' ? exhaustiveSearch : (t: Explorable, o: ExhaustiveOptions) => reducedSearch(t, { ...o, reduction });
  const r = search(target, {
    ...scheduleBase(options),
    verdicts,
    seed: options.seed ?? 1,
    root,
    preemptionBound: options.preemptionBound ?? 2,
    stateHashing: options.stateHashing ?? true,
    maxSchedules: budget,
    // From the whole plan's budget, not the part left for this subtree: a shard searching the subtree alone stops where the single run does.
    maxRuns: options.maxRuns ?? DEFAULT_RUNS_PER_SCHEDULE * (options.schedules ?? 1000),
    visit: (outcome, choices) => {
      onSchedule?.(hits.length, outcome.violation !== null);
      hits.push(hitsOfWindows(outcome.sim.log, windows));
      if (outcome.violation === null) return false;
      found = { outcome, choices };
      return true;
    },
  });
  return { schedules: hits.length, exhausted: r.exhausted, prunedAfterLast: r.prunedAfterLast, hits, found };
}

/** PCT's guarantee for the k its change points were drawn over; null for random. */
export function planBound(plan: ExplorationPlan): PctBound | null {
  return plan.strategy === 'pct' ? pctBound(plan.estimate.threads, plan.estimate.steps, plan.depth) : null;
}

export interface ExplorationSummary {
  readonly schedules: number;
  readonly exhausted: boolean;
  readonly pctBound: PctBound | null;
  readonly coverage: readonly WindowCoverage[];
  /** The first failing schedule, or null. */
  readonly found: { readonly outcome: ScheduleOutcome; readonly seed: number; readonly choices: readonly string[] } | null;
}

/** The result: the failing schedule's trace, shrunk when asked, and the coverage report. */
export function concludeExploration(target: Explorable, options: ExploreOptions, s: ExplorationSummary): ExploreResult {
  const strategy = options.strategy ?? 'random';
  const seed = options.seed ?? 1;
  const common = { schedules: s.schedules, strategy, pctBound: s.pctBound, exhausted: s.exhausted, coverage: s.coverage, windowsNeverHit: s.coverage.filter((c) => c.schedules === 0).map((c) => c.name) };
  const hit = s.found;
  if (hit === null) {
    return { ...common, found: false, seed: strategy === 'exhaustive' ? seed : seed + Math.max(0, s.schedules - 1), choices: [], violation: null, trace: [], shrunk: null };
  }
  const violation = hit.outcome.violation!;
  let shrunk: ExploreResult['shrunk'] = null;
  if (options.shrink ?? true) {
    const r = shrinkSchedule(target, { ...scheduleBase(options), seed: hit.seed }, hit.choices, violation);
    shrunk = { choices: r.choices, preemptions: r.preemptions, trace: formatTrace(r.outcome.sim.log), violation: r.outcome.violation ?? violation };
  }
  return { ...common, found: true, seed: hit.seed, choices: hit.choices, violation, trace: formatTrace(hit.outcome.sim.log), shrunk };
}

export function windowsOf(target: Explorable, options: ExploreOptions): readonly RaceWindow[] {
  return [...(target.windows ?? []), ...(options.windows ?? [])];
}

export interface ReplayOptions {
  readonly seed: number;
  readonly choices: readonly string[];
  readonly args?: ScenarioArgs;
  readonly maxSteps?: number;
  readonly maxOperationsInFlight?: number;
  readonly invariants?: boolean;
  readonly monitors?: readonly Monitor[];
  readonly disabledRules?: readonly string[];
}

/** Re-run a found schedule exactly (replayStrategy: a divergence throws) and judge it the same way. */
export function replaySchedule(target: Explorable, options: ReplayOptions): ScheduleOutcome {
  explorableArgument('replaySchedule', target);
  scheduleFieldsArgument('replaySchedule', 'options', options, false);
  integerArgument('replaySchedule', 'options.seed', options.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a seed (a whole number)');
  choicesArgument('replaySchedule', 'options.choices', options.choices);
  return runSchedule(target, { ...scheduleBase(options), seed: options.seed, strategy: replayStrategy(options.choices) });
}

export function scheduleBase(options: Omit<ExploreOptions, 'seed' | 'strategy'>): Omit<ScheduleOptions, 'seed' | 'strategy'> {
  return {
    args: options.args ?? {},
    maxSteps: options.maxSteps ?? SCHEDULE_DEFAULTS.maxSteps,
    maxOperationsInFlight: options.maxOperationsInFlight ?? SCHEDULE_DEFAULTS.maxOperationsInFlight,
    invariants: options.invariants ?? SCHEDULE_DEFAULTS.invariants,
    monitors: options.monitors ?? SCHEDULE_DEFAULTS.monitors,
    disabledRules: options.disabledRules ?? SCHEDULE_DEFAULTS.disabledRules,
  };
}

function measure(target: Explorable, options: ScheduleOptions): { threads: number; steps: number } {
  const { sim } = runSchedule(target, options);
  return { threads: threadCount(sim), steps: Math.max(1, sim.choices.length) };
}

function threadCount(sim: Simulation): number {
  return sim.kernel.threads.size;
}
