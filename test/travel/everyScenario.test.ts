// Save / restore / fork / checked replay for every kind of scenario (issue 13; docs/time-travel.md).
// The long sweep is everyScenario.deep.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore, replaySchedule, restoreSimulation, builtInScenarios as scenarios } from '../../src/index.js';
import { rebuild, replayChecked, startRun } from '../../src/travel/recording.js';
import { budget } from '../support/deep.js';
import { checkRun, kinds, registry, runs } from './everyScenario.js';

describe('time travel on every scenario', () => {
  it('save at a random step → restore → continue is the uninterrupted log; a fork with another choice is a valid run; checked replay passes', () => {
    fc.assert(fc.property(runs, (r) => checkRun(r)), { numRuns: budget(8, 600) });
  });

  it('each kind once at a fixed seed, saved after its first set-up step (a DriverEntry still running)', () => {
    for (const kind of kinds) checkRun({ kind, seed: 7, strategy: 'random', at: 0.05, other: 1 });
  });

  it('rebuild stops mid-set-up in a race: the DriverEntry threads are still running there', () => {
    const original = startRun({ scenario: 'race-unload-async-read', options: { seed: 3, strategy: 'random' } });
    original.run();
    const setUp = original.log.findIndex((f) => f.type === 'ThreadCreate' && f.name === 'prefetch worker');
    const sim = rebuild(original.save(), { position: setUp - 3 });
    expect(sim.log.length).toBeLessThanOrEqual(setUp - 3);
    expect(sim.enabled().map((c) => c.name)).not.toContain('prefetch worker');
    sim.run();
    expect(JSON.stringify(sim.log)).toBe(JSON.stringify(original.log));
  });

  it('a build that runs the simulation itself saves after its build; a position inside it is refused by name', () => {
    const spec = { scenario: 'scanner', args: { setup: 'run' }, options: { seed: 2 } } as const;
    const sim = startRun(spec, registry);
    expect(sim.built.steps).toBeGreaterThan(0);
    sim.run();
    expect(() => rebuild(sim.save(), { position: 3, scenarios: registry })).toThrow(/POSITION_IN_BUILD.*inside the build of scenario 'scanner'/);
  });

  it('an explored schedule (PCT, a custom strategy) saves as its choices and replays checked, for every race', () => {
    for (const race of scenarios.filter((s) => s.id.startsWith('race-'))) {
      const found = explore(race, { strategy: 'pct', schedules: 50, seed: 1 });
      if (!found.found) continue;
      const { sim } = replaySchedule(race, { seed: found.seed, choices: found.shrunk?.choices ?? found.choices });
      const saved = sim.save();
      expect(saved).toMatchObject({ scenario: race.id, options: { strategy: 'replay' }, choices: expect.any(Array) });
      expect(replayChecked(saved, sim.log).log.length).toBe(sim.log.length);
      expect(JSON.stringify(restoreSimulation(JSON.parse(JSON.stringify(saved)), { scenarios }).log)).toBe(JSON.stringify(sim.log));
    }
  });
});
