/**
 * Partial-order reduction (issue 16, item 1): runs exhaustive search needs to exhaust each built-in
 * race's space with preemption bound 2, plain depth-first search with state hashing (the search
 * before reduction, `reduction: 'none'`) against DPOR with sleep sets (the default), both in this
 * run, and the violations each finds (they must be the same). A run is a complete schedule or one
 * cut short at a visited state; both cost an execution. Beside the counts, the distinct final states
 * DPOR's runs reach (the state without log positions and times): where they are far fewer than the
 * runs, the runs are different orders of dependent steps that end alike. Then stateful DPOR
 * (`reduction: 'stateful-dpor'`, which also stops at visited states) against the same baseline.
 */
import { exhaustiveSearch, reducedSearch, type ExhaustiveResult } from '../src/explore/index.js';
import { InvariantVerdicts } from '../src/explore/verdicts.js';
import { raceScenarios } from '../examples/races/index.js';
import type { Simulation } from '../src/simulation.js';
import type { Row } from './harness.js';

/** How the POR figures exhaust a built-in race: bound 2, state hashing on, one verdict cache per search. */
export function raceSearchOptions(variant: string) {
  return {
    seed: 1,
    args: { variant },
    maxSteps: 20_000,
    maxOperationsInFlight: 32,
    invariants: true,
    monitors: [],
    verdicts: new InvariantVerdicts(),
    preemptionBound: 2,
    stateHashing: true,
    maxSchedules: 100_000,
  };
}

function exhaust(scenario: (typeof raceScenarios)[number], variant: string, reduction: 'none' | 'dpor' | 'stateful-dpor'): { r: ExhaustiveResult; names: string[]; finals: number; seconds: number } {
  const names = new Set<string>();
  const finals = new Set<string>();
  const options = {
    ...raceSearchOptions(variant),
    visit: (o: { sim: Simulation; violation: { name: string } | null }) => {
      if (o.violation !== null) names.add(o.violation.name);
      finals.add(JSON.stringify(o.sim.state(), (key, value: unknown) => (key === 'seq' || key === 'time' ? undefined : value)));
      return false;
    },
  };
  const start = process.hrtime.bigint();
  const r = reduction === 'none' ? exhaustiveSearch(scenario, options) : reducedSearch(scenario, { ...options, reduction });
  return { r, names: [...names].sort(), finals: finals.size, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

export function explorePorFigures(): Row[] {
  const rows: Row[] = [];
  for (const scenario of raceScenarios) {
    for (const variant of ['buggy', 'fixed']) {
      const before = exhaust(scenario, variant, 'none');
      const after = exhaust(scenario, variant, 'dpor');
      const stateful = exhaust(scenario, variant, 'stateful-dpor');
      const runs = (x: ExhaustiveResult) => x.schedules + x.pruned;
      const sameAs = (x: typeof after) => (before.names.join() === x.names.join() ? `same violations (${x.names.join(', ') || 'none'})` : `VIOLATIONS DIFFER: ${before.names.join(', ')} / ${x.names.join(', ')}`);
      const same = sameAs(after);
      rows.push({
        name: `exhaustive, bound 2, ${scenario.id} ${variant}: runs with DPOR`,
        value: runs(after.r),
        unit: 'runs',
        baseline: { name: 'plain DFS with state hashing', value: runs(before.r) },
        ratio: runs(before.r) / runs(after.r),
        target: 10,
        note: `ratio = baseline / DPOR; ${before.r.schedules}+${before.r.pruned} cut → ${after.r.schedules}, which reach ${after.finals} distinct final states; ${before.seconds.toFixed(1)} s → ${after.seconds.toFixed(1)} s; ${same}`,
      });
      rows.push({
        name: `exhaustive, bound 2, ${scenario.id} ${variant}: runs with stateful DPOR`,
        value: runs(stateful.r),
        unit: 'runs',
        baseline: { name: 'plain DFS with state hashing', value: runs(before.r) },
        ratio: runs(before.r) / runs(stateful.r),
        target: 10,
        note: `ratio = baseline / stateful DPOR; ${stateful.r.schedules}+${stateful.r.pruned} cut, reaching ${stateful.finals} distinct final states; ${stateful.seconds.toFixed(1)} s; ${sameAs(stateful)}`,
      });
    }
  }
  return rows;
}
