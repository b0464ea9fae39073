// Every schedule a strategy runs replays to the same log: shared by replay.test.ts (short) and its
// deep twin. A schedule is (seed, choices); replaySchedule re-runs it with replayStrategy, which
// throws where the run would diverge, and judges it afresh (no verdict cache).
import fc from 'fast-check';
import { expect } from 'vitest';
import { exhaustiveSearch, explorationPlan, explore, reducedSearch, replaySchedule, runPlannedSchedule, type ExploreOptions, type ExploreResult, type Reduction, type ScheduleOutcome } from '../../src/explore/index.js';
import { scheduleBase } from '../../src/explore/explore.js';
import { raceScenarios } from '../../examples/races/index.js';
import { findScenario } from '../../src/scenarios/index.js';
import { formatTrace } from '../../src/trace/textFormat.js';

export interface ReplayPlan {
  readonly scenario: string;
  readonly variant: 'buggy' | 'fixed';
  readonly strategy: 'random' | 'pct' | 'exhaustive';
  readonly reduction: Reduction;
  readonly seed: number;
  readonly depth: number;
  readonly bound: number;
}

export const replayPlans = fc.record({
  scenario: fc.constantFrom('race-cancel-completion', 'race-free-before-callback', 'race-unload-sync-read', 'race-drain-parked-post', 'race-reentrant-create'),
  variant: fc.constantFrom('buggy' as const, 'fixed' as const),
  strategy: fc.constantFrom('random' as const, 'pct' as const, 'exhaustive' as const),
  reduction: fc.constantFrom('none' as const, 'sleep-sets' as const, 'dpor' as const, 'stateful-dpor' as const),
  seed: fc.integer({ min: 1, max: 100_000 }),
  depth: fc.integer({ min: 1, max: 3 }),
  bound: fc.integer({ min: 0, max: 2 }),
});

/** What a run is judged by: its whole log (every fact, in order) and its violation. */
const seen = (o: ScheduleOutcome) => ({ log: JSON.stringify(o.sim.log), violation: o.violation });

/**
 * The first `count` schedules of the plan (random and PCT: schedule i of the plan, seed + i;
 * exhaustive: the complete schedules of the search in order, cut runs are no schedule) each replay
 * to the same log and violation; and when explore() finds a violation within `count` schedules,
 * its failing schedule and its shrunk schedule replay to the trace and violation it reports.
 * Returns how many schedules were replayed, and explore()'s result.
 */
export function checkReplays(plan: ReplayPlan, count: number): { replayed: number; explored: ExploreResult } {
  const scenario = findScenario(plan.scenario, raceScenarios);
  const args = { variant: plan.variant };
  const options: ExploreOptions = { strategy: plan.strategy, seed: plan.seed, schedules: count, args, depth: plan.depth, preemptionBound: plan.bound, reduction: plan.reduction };
  const runs: { seed: number; choices: readonly string[]; outcome: ReturnType<typeof seen> }[] = [];
  if (plan.strategy === 'exhaustive') {
    const search = { ...scheduleBase(options), seed: plan.seed, preemptionBound: plan.bound, stateHashing: true, maxSchedules: count, visit: (o: ScheduleOutcome, choices: readonly string[]) => (runs.push({ seed: plan.seed, choices: choices.slice(), outcome: seen(o) }), false) };
    if (plan.reduction === 'none') exhaustiveSearch(scenario, search);
    else reducedSearch(scenario, { ...search, reduction: plan.reduction });
  } else {
    const planned = explorationPlan(scenario, options);
    for (let i = 0; i < count; i++) {
      const run = runPlannedSchedule(scenario, options, planned, i);
      runs.push({ seed: run.seed, choices: run.outcome.sim.choices.slice(), outcome: seen(run.outcome) });
    }
  }
  const where = JSON.stringify(plan);
  expect(runs.length, where).toBeGreaterThan(0);
  for (const [i, run] of runs.entries()) {
    expect(seen(replaySchedule(scenario, { seed: run.seed, choices: run.choices, args })), `${where}, schedule ${i}`).toEqual(run.outcome);
  }
  const r = explore(scenario, options);
  if (r.found) {
    const again = replaySchedule(scenario, { seed: r.seed, choices: r.choices, args });
    expect({ trace: formatTrace(again.sim.log), violation: again.violation, choices: again.sim.choices }, `${where}, found`).toEqual({ trace: r.trace, violation: r.violation, choices: r.choices });
    const shrunk = r.shrunk!;
    const replayed = replaySchedule(scenario, { seed: r.seed, choices: shrunk.choices, args });
    expect({ trace: formatTrace(replayed.sim.log), violation: replayed.violation, choices: replayed.sim.choices }, `${where}, shrunk`).toEqual({ trace: shrunk.trace, violation: shrunk.violation, choices: shrunk.choices });
  }
  return { replayed: runs.length, explored: r };
}
