// Reduced search on a built-in race against the plain search without state hashing (every schedule
// within the preemption bound): the final states both reach, up to the renaming of ids. Reordering
// independent steps hands out file-object, callback-data and thread ids in another order, so
// schedules that DPOR counts as one reach states that differ by names only. Shared by
// reduced.test.ts (short) and reduced.deep.test.ts.
import { expect } from 'vitest';
import { exhaustiveSearch, reducedSearch, type Scenario, type Simulation } from '../../src/index.js';
import { upToIds } from './upToIds.js';

export interface RaceReached {
  readonly finals: Set<string>;
  readonly violations: Set<string>;
  readonly schedules: number;
}

/** Final states (up to ids) and the violation lists of every schedule a search runs to its end. */
export function reachRace(scenario: Scenario, variant: string, bound: number, reduction: 'none' | 'dpor' | 'stateful-dpor'): RaceReached {
  const finals = new Set<string>();
  const violations = new Set<string>();
  const visit = (o: { sim: Simulation }) => {
    const state = o.sim.state();
    finals.add(upToIds(state));
    violations.add(state.violations.map((v) => v.rule).join(','));
    return false;
  };
  const options = { seed: 1, args: { variant }, maxSteps: 20_000, maxOperationsInFlight: 32, invariants: true, monitors: [], preemptionBound: bound, stateHashing: reduction === 'stateful-dpor', maxSchedules: 50_000, visit };
  const r = reduction === 'none' ? exhaustiveSearch(scenario, options) : reducedSearch(scenario, { ...options, reduction });
  expect(r.exhausted).toBe(true);
  return { finals, violations, schedules: r.schedules };
}

/**
 * DPOR and stateful DPOR reach the plain search's final states and violation lists; returns the
 * complete schedules each ran (stateful DPOR's runs cut at a visited state not counted).
 */
export function checkRaceAgainstPlain(scenario: Scenario, variant: string, bound: number): { plain: number; dpor: number; stateful: number } {
  const plain = reachRace(scenario, variant, bound, 'none');
  const dpor = reachRace(scenario, variant, bound, 'dpor');
  const stateful = reachRace(scenario, variant, bound, 'stateful-dpor');
  expect(dpor.finals, `${scenario.id} ${variant}`).toEqual(plain.finals);
  expect(dpor.violations, `${scenario.id} ${variant}`).toEqual(plain.violations);
  expect(stateful.finals, `stateful, ${scenario.id} ${variant}`).toEqual(plain.finals);
  expect(stateful.violations, `stateful, ${scenario.id} ${variant}`).toEqual(plain.violations);
  return { plain: plain.schedules, dpor: dpor.schedules, stateful: stateful.schedules };
}
