// What bounds an exhaustive search's work (docs/exploration.md, "What a budget bounds"). A run cut
// short — at a state already visited, at a point where every enabled thread sleeps, at the
// preemption bound — re-executes its prefix as a complete run does, but is no schedule: the schedule
// budget does not count it. Threads that poll (many scheduling points, few distinct outcomes; avscan's
// scanner polls its abort flag every 8 bytes of a 4 KB view) make most runs cut, so a budget of 25
// schedules ran for minutes; `maxRuns` (default 10 x the budget) counts every run.
import { describe, expect, it } from 'vitest';
import { exhaustiveSearch, explore, preempt, reducedSearch, type Explorable, type Simulation } from '../../src/index.js';

/** Two pollers: each spins through `polls` scheduling points; their interleavings meet in few states. */
function pollers(polls: number, built: { runs: number }): Explorable {
  return {
    build(sim: Simulation) {
      built.runs++;
      for (const name of ['poller A', 'poller B']) {
        sim.spawn(name, function* () {
          for (let i = 0; i < polls; i++) yield* preempt();
        });
      }
    },
  };
}

const base = { seed: 1, args: {}, maxSteps: 20_000, maxOperationsInFlight: 32, invariants: true, monitors: [], preemptionBound: 2, stateHashing: true, visit: () => false };

describe('exhaustive search with state hashing on two pollers: most runs are cut, maxRuns bounds them all', () => {
  it('unbounded by runs, the search exhausts its space in many more cut runs than schedules', () => {
    const built = { runs: 0 };
    const r = exhaustiveSearch(pollers(10, built), { ...base, maxSchedules: 10_000 });
    // Past the schedules with one preemption, each comes with a cut run per point it could preempt at.
    expect(r).toMatchObject({ exhausted: true, schedules: 62, pruned: 160 });
    expect(built.runs).toBe(r.schedules + r.pruned);
  });

  it.each(['plain', 'sleep-sets'] as const)('%s: a budget of 100 schedules with maxRuns 60 stops at the 60th run, not exhausted', (search) => {
    const built = { runs: 0 };
    const target = pollers(20, built);
    const options = { ...base, maxSchedules: 100, maxRuns: 60 };
    const r = search === 'plain' ? exhaustiveSearch(target, options) : reducedSearch(target, { ...options, reduction: 'sleep-sets' });
    expect({ exhausted: r.exhausted, runs: r.schedules + r.pruned, built: built.runs }).toEqual({ exhausted: false, runs: 60, built: 60 });
    expect(r.pruned).toBeGreaterThan(0);
  });

  it('explore: an explicit maxRuns (the default is 10 x schedules) ends the search at that run', () => {
    const built = { runs: 0 };
    const r = explore(pollers(20, built), { strategy: 'exhaustive', reduction: 'none', schedules: 100, maxRuns: 50 });
    expect({ exhausted: r.exhausted, schedules: r.schedules, runs: built.runs }).toEqual({ exhausted: false, schedules: 44, runs: 50 });
  });

  it('maxRuns is checked like every option', () => {
    expect(() => explore(pollers(1, { runs: 0 }), { strategy: 'exhaustive', maxRuns: -1 })).toThrow(/options\.maxRuns/);
    expect(() => explore(pollers(1, { runs: 0 }), { strategy: 'exhaustive', maxRuns: 1.5 })).toThrow(/options\.maxRuns/);
  });
});
