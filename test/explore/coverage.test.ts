// Race windows (issue 6, item 4): a window opens, closes and is hit by facts; exploration counts
// the schedules that reach each window and names the windows never reached. A longer run:
// coverage.deep.test.ts.
import { describe, expect, it } from 'vitest';
import { explore, formatCoverage, InvariantVerdicts, runSchedule, windowHits, type RaceWindow } from '../../src/explore/index.js';
import { randomStrategy } from '../../src/kernel/strategy.js';
import type { Fact } from '../../src/kernel/facts.js';
import { cancelRaceScenario, freeRaceScenario, raceScenarios } from '../../examples/races/index.js';
import { budget } from '../support/deep.js';

// Fact types with no fields of their own, so each hand-built fact passes windowHits' schema check.
const fact = (seq: number, letter: string): Fact => ({ seq, time: 0, object: 'F1', type: TYPES[letter] }) as unknown as Fact;
// a = FltStartFiltering opens, c = FltUnregisterFilter closes, b = DriverUnload hits.
const window: RaceWindow = { name: 'b between a and c', opensAt: (f) => f.type === 'FltStartFiltering', closesAt: (f) => f.type === 'FltUnregisterFilter', hitBy: (f) => f.type === 'DriverUnload' };
const TYPES: Record<string, string> = { a: 'FltStartFiltering', b: 'DriverUnload', c: 'FltUnregisterFilter' };

describe('windowHits', () => {
  it('counts hits only while open; windows do not nest; a closed window is not hit', () => {
    const log = ['b', 'a', 'b', 'a', 'b', 'c', 'b', 'a', 'c'].map((t, i) => fact(i, t));
    expect(windowHits(log, [window])).toEqual([2]);
    expect(windowHits(log.slice(5), [window])).toEqual([0]);
  });
});

describe('explore reports race windows', () => {
  it('every built-in race declares at least one window, and its bug reaches one', () => {
    for (const scenario of raceScenarios) {
      expect(scenario.windows?.length, scenario.id).toBeGreaterThan(0);
      const r = explore(scenario, { seed: 1, schedules: 500, shrink: false });
      expect(r.coverage.some((c) => c.schedules > 0), scenario.id).toBe(true);
    }
  });

  it('counts schedules per window and names the windows never reached', () => {
    const r = explore(cancelRaceScenario, { seed: 1, schedules: 200, args: { variant: 'fixed' } });
    expect(r.found).toBe(false);
    const [race, fatal] = r.coverage;
    expect(race!.schedules).toBeGreaterThan(0);
    expect(race!.schedules).toBeLessThan(200);
    expect(fatal!.schedules).toBe(0); // the fix never completes a cancelled request twice
    expect(r.windowsNeverHit).toEqual([fatal!.name]);
    expect(formatCoverage(r.coverage, r.schedules).at(-1)).toBe(`# never reached: ${fatal!.name}`);
  });

  it('the fix of free-before-callback never reaches its window; the bug does', () => {
    expect(explore(freeRaceScenario, { schedules: 100, args: { variant: 'fixed' } }).windowsNeverHit).toHaveLength(1);
    expect(explore(freeRaceScenario, { schedules: 100, shrink: false }).windowsNeverHit).toHaveLength(0);
  });

  it('windows passed in options are counted after the scenario\'s own, under every strategy', () => {
    const unload: RaceWindow = { name: 'unload returns', opensAt: (f) => f.type === 'SimulationStart', closesAt: () => false, hitBy: (f) => f.type === 'FilterUnloadReturned' };
    for (const strategy of ['random', 'pct', 'exhaustive'] as const) {
      const r = explore(cancelRaceScenario, { strategy, schedules: 30, args: { variant: 'fixed' }, windows: [unload] });
      expect(r.coverage.map((c) => c.name).at(-1)).toBe('unload returns');
      expect(r.coverage.at(-1)!.schedules).toBe(r.schedules);
    }
  });
});

describe('remembered §14 verdicts', () => {
  it('give the same verdict as running the checkers, for every schedule', () => {
    const verdicts = new InvariantVerdicts();
    const base = { args: {}, maxSteps: 20_000, maxOperationsInFlight: 32, invariants: true, monitors: [] };
    for (const scenario of raceScenarios) {
      for (let seed = 1; seed <= budget(5, 40); seed++) {
        const plain = runSchedule(scenario, { ...base, seed, strategy: randomStrategy() });
        const cached = runSchedule(scenario, { ...base, seed, strategy: randomStrategy(), verdicts });
        expect(cached.violation).toEqual(plain.violation);
      }
    }
  });

  it('are looked up by the whole log: a log differing in one field gets its own verdict, the seed alone does not (§14 6)', () => {
    const verdicts = new InvariantVerdicts();
    const base = { args: { variant: 'fixed' }, maxSteps: 20_000, maxOperationsInFlight: 32, invariants: true, monitors: [] };
    const log = runSchedule(freeRaceScenario, { ...base, seed: 1, strategy: randomStrategy() }).sim.log;
    expect(verdicts.check(log)).toBeNull();
    // The same length and scheduler choices, one operation's completion named after another object.
    const at = log.findIndex((f) => f.type === 'IoComplete');
    const renamed = log.map((f, i) => (i === at ? { ...f, object: 'X9' } : f));
    const found = verdicts.check(renamed);
    expect(found).toMatchObject({ kind: 'invariant', name: 'completesOnce (§14 6)', seq: at, message: 'X9: IoComplete before its IoStart' });
    // Another seed in SimulationStart, nothing else: the remembered verdict itself.
    const reseeded = renamed.map((f, i) => (i === 0 ? { ...f, seed: 99 } : f));
    expect(verdicts.check(reseeded)).toBe(found);
    expect(verdicts.check(log)).toBeNull();
  });
});
