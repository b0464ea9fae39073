/**
 * explore(scenario, options): run a scenario under many schedules, stop at the first violation,
 * and hand back what reproduces it — the seed, the choice list (for replayStrategy), the trace, and
 * a 1-minimal shrunk schedule. Schedule i of a random or PCT exploration runs with seed + i, so
 * every schedule is also reproducible from its seed alone.
 */
import { randomStrategy, replayStrategy, type Strategy } from '../kernel/strategy.js';
import type { ScenarioArgs } from '../scenarios/scenario.js';
import type { Simulation } from '../simulation.js';
import { formatTrace } from '../trace/textFormat.js';
import { exhaustiveSearch } from './exhaustive.js';
import { pctBound, pctStrategy } from './pct.js';
import { runSchedule, SCHEDULE_DEFAULTS, type ScheduleOptions, type ScheduleOutcome } from './run.js';
import { shrinkSchedule } from './shrink.js';
import type { Explorable, ExploreOptions, ExploreResult, Monitor, PctBound } from './types.js';

export function explore(target: Explorable, options: ExploreOptions = {}): ExploreResult {
  const strategy = options.strategy ?? 'random';
  const seed = options.seed ?? 1;
  const budget = options.schedules ?? 1000;
  const base = scheduleBase(options);
  let found: { outcome: ScheduleOutcome; seed: number; choices: readonly string[] } | null = null;
  let schedules = 0;
  let exhausted = false;
  let bound: PctBound | null = null;
  if (strategy === 'exhaustive') {
    const r = exhaustiveSearch(target, {
      ...base,
      seed,
      preemptionBound: options.preemptionBound ?? 2,
      stateHashing: options.stateHashing ?? true,
      maxSchedules: budget,
      visit: (outcome, choices) => {
        options.onSchedule?.(schedules, outcome.violation !== null);
        schedules++;
        if (outcome.violation === null) return false;
        found = { outcome, seed, choices };
        return true;
      },
    });
    exhausted = r.exhausted;
  } else {
    const depth = options.depth ?? 2;
    // PCT needs n and k up front: estimate them from one run, and let k grow with what runs show.
    let estimate = strategy === 'pct' ? measure(target, { ...base, seed, strategy: randomStrategy() }) : { threads: 0, steps: 0 };
    for (let i = 0; i < budget; i++) {
      const s = seed + i;
      const chosen: Strategy = strategy === 'pct' ? pctStrategy({ depth, steps: estimate.steps }) : randomStrategy();
      const outcome = runSchedule(target, { ...base, seed: s, strategy: chosen });
      schedules++;
      if (strategy === 'pct') estimate = { threads: Math.max(estimate.threads, threadCount(outcome.sim)), steps: Math.max(estimate.steps, outcome.sim.choices.length) };
      options.onSchedule?.(i, outcome.violation !== null);
      if (outcome.violation !== null) {
        found = { outcome, seed: s, choices: outcome.sim.choices.slice() };
        break;
      }
    }
    if (strategy === 'pct') bound = pctBound(estimate.threads, estimate.steps, depth);
  }
  const hit = found as { outcome: ScheduleOutcome; seed: number; choices: readonly string[] } | null;
  if (hit === null) {
    return { found: false, schedules, seed: seed + Math.max(0, schedules - 1), strategy, choices: [], violation: null, trace: [], shrunk: null, pctBound: bound, exhausted };
  }
  const violation = hit.outcome.violation!;
  let shrunk: ExploreResult['shrunk'] = null;
  if (options.shrink ?? true) {
    const s = shrinkSchedule(target, { ...base, seed: hit.seed }, hit.choices, violation);
    shrunk = { choices: s.choices, preemptions: s.preemptions, trace: formatTrace(s.outcome.sim.log) };
  }
  return { found: true, schedules, seed: hit.seed, strategy, choices: hit.choices, violation, trace: formatTrace(hit.outcome.sim.log), shrunk, pctBound: bound, exhausted };
}

export interface ReplayOptions {
  readonly seed: number;
  readonly choices: readonly string[];
  readonly args?: ScenarioArgs;
  readonly maxSteps?: number;
  readonly maxOperationsInFlight?: number;
  readonly invariants?: boolean;
  readonly monitors?: readonly Monitor[];
}

/** Re-run a found schedule exactly (replayStrategy: a divergence throws) and judge it the same way. */
export function replaySchedule(target: Explorable, options: ReplayOptions): ScheduleOutcome {
  return runSchedule(target, { ...scheduleBase(options), seed: options.seed, strategy: replayStrategy(options.choices) });
}

function scheduleBase(options: Omit<ExploreOptions, 'seed' | 'strategy'>): Omit<ScheduleOptions, 'seed' | 'strategy'> {
  return {
    args: options.args ?? {},
    maxSteps: options.maxSteps ?? SCHEDULE_DEFAULTS.maxSteps,
    maxOperationsInFlight: options.maxOperationsInFlight ?? SCHEDULE_DEFAULTS.maxOperationsInFlight,
    invariants: options.invariants ?? SCHEDULE_DEFAULTS.invariants,
    monitors: options.monitors ?? SCHEDULE_DEFAULTS.monitors,
  };
}

function measure(target: Explorable, options: ScheduleOptions): { threads: number; steps: number } {
  const { sim } = runSchedule(target, options);
  return { threads: threadCount(sim), steps: Math.max(1, sim.choices.length) };
}

function threadCount(sim: Simulation): number {
  return sim.kernel.threads.size;
}
