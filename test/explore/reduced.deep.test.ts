// The long version of reduced.test.ts (issue 16): more and larger random programs against brute
// force, and on every built-in race (bound 2) DPOR finds the violations the plain search finds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exhaustiveSearch, reducedSearch, type Reduction } from '../../src/index.js';
import { raceScenarios } from '../../examples/races/index.js';
import { checkAgainstBruteForce, checkStatefulAgainstDpor, programs, programsWithSettled } from './reducedRun.js';
import { checkIoAgainstBruteForce, ioPrograms } from './reducedIoRun.js';
import { checkRaceAgainstPlain } from './reducedRaceRun.js';
import './reduced.test.js';

describe('reduced exhaustive search = brute-force enumeration (long)', () => {
  it('on 60 random programs of up to 5,000 interleavings', () => {
    fc.assert(fc.property(programs(5_000), (p) => void checkAgainstBruteForce(p, true)), { numRuns: 60 });
  });
});

describe('stateful DPOR under a preemption bound reaches what DPOR reaches (long)', () => {
  it('on 100 random programs at bounds 0, 1 and 2', () => {
    fc.assert(fc.property(programs(3_000), (p) => { for (const bound of [0, 1, 2]) checkStatefulAgainstDpor(p, bound); }), { numRuns: 100, seed: 1617 });
  });
});

// The host's whenSettled continuations are steps of their own under DPOR and stateful DPOR
// (docs/exploration.md, "The algorithm"): never reversed, dependent on every step. Here one runs
// between two waves of threads, reads and writes cells and hands what it read to the second wave.
describe('a whenSettled continuation between two waves of threads: reduced search = brute force, stateful DPOR reaches what DPOR reaches (long)', () => {
  it('on 150 random programs, unbounded against brute force', () => {
    fc.assert(fc.property(programsWithSettled(5_000), ({ program, settledFrom }) => void checkAgainstBruteForce(program, true, settledFrom)), { numRuns: 150, seed: 1618 });
  });
  it('on 200 random programs at bounds 0, 1 and 2', () => {
    fc.assert(fc.property(programsWithSettled(3_000), ({ program, settledFrom }) => { for (const bound of [0, 1, 2]) checkStatefulAgainstDpor(program, bound, settledFrom); }), { numRuns: 200, seed: 1619 });
  });
});

describe('reduced exhaustive search = brute force on I/O while the filter unloads (long)', () => {
  it('random threads of one operation beside an unload of the filter they issue it through', () => {
    fc.assert(fc.property(ioPrograms(1, true), (p) => void checkIoAgainstBruteForce(p)), { numRuns: 6 });
  });
});

// Two filters attach to the volume while a thread's I/O runs (§3, §13): their inserts into the
// volume's stack commute, but the I/O that walks the stack and middle's InstanceSetup, which
// enumerates the volume's instances, read it, so what each filter saw must match brute force.
describe('reduced exhaustive search = brute force while two filters attach to the volume (long)', () => {
  for (const kind of ['read', 'write'] as const) {
    it(`one ${kind} beside two filters loading`, () => {
      const r = checkIoAgainstBruteForce({ threads: [[{ kind, file: 0 }]], unload: false, attach: 'load' });
      expect(r.dpor).toBeLessThan(r.brute);
    });
  }
});

describe('every built-in race, bound 2: DPOR and stateful DPOR find the violations the plain search finds', () => {
  const violations = (scenario: (typeof raceScenarios)[number], variant: string, reduction: Reduction) => {
    const names = new Set<string>();
    const options = { seed: 1, args: { variant }, maxSteps: 20_000, maxOperationsInFlight: 32, invariants: true, monitors: [], preemptionBound: 2, stateHashing: true, maxSchedules: 50_000 };
    const visit = (o: { violation: { name: string } | null }) => (o.violation !== null && names.add(o.violation.name), false);
    const r = reduction === 'none' ? exhaustiveSearch(scenario, { ...options, visit }) : reducedSearch(scenario, { ...options, reduction, visit });
    expect(r.exhausted).toBe(true);
    return names;
  };
  for (const scenario of raceScenarios) {
    it(scenario.id, () => {
      for (const variant of ['buggy', 'fixed']) {
        const plain = violations(scenario, variant, 'none');
        expect(violations(scenario, variant, 'dpor'), variant).toEqual(plain);
        expect(violations(scenario, variant, 'stateful-dpor'), `${variant}, stateful`).toEqual(plain);
      }
    });
  }
});

// Every built-in race but race-unload-async-read, whose 16,407 bounded schedules take minutes
// (docs/exploration.md, "The floor": stateful DPOR's final states up to ids were compared with them
// once, by hand, when objects were first named by their makers).
describe('built-in races, bound 2: DPOR and stateful DPOR reach the final states of every bounded schedule, up to ids', () => {
  for (const id of ['race-reentrant-create', 'race-free-before-callback', 'race-cancel-completion', 'race-unload-sync-read', 'race-drain-parked-post']) {
    it(id, () => {
      const scenario = raceScenarios.find((s) => s.id === id)!;
      for (const variant of ['buggy', 'fixed']) {
        const r = checkRaceAgainstPlain(scenario, variant, 2);
        expect(r.dpor, variant).toBeLessThanOrEqual(r.plain);
        expect(r.stateful, variant).toBeLessThanOrEqual(r.dpor);
      }
    });
  }

  // The worker's early free reads only its data's `owed` facet (factFootprint.ts CALLBACK_OWED),
  // which the file system's completion leaves alone: wherever the free lands among the completion's
  // steps is one trace, after the callback's first step another, after its last a third
  // (docs/exploration.md, "The floor").
  it('race-free-before-callback buggy: its 3 traces, in 3 schedules of DPOR and of stateful DPOR (5 before the facet)', () => {
    const r = checkRaceAgainstPlain(raceScenarios.find((s) => s.id === 'race-free-before-callback')!, 'buggy', 2);
    expect(r).toEqual({ plain: 59, dpor: 3, stateful: 3 });
  });
});
