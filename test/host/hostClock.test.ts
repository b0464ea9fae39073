// Host-owned time (issue 18 item 4, docs/embedding.md "Who owns time"): with `clock: 'host'`
// fltsim never moves its clock by itself. A step with only sleepers left says it waits, and when;
// only the host's advanceTo / runUntil(t) move time, and a save records those moves.
import { describe, expect, it } from 'vitest';
import { createScenarioSimulation, createSimulation, restoreSimulation, sleep, UsageError, type Scenario, type Simulation } from '../../src/index.js';

function sleepers(sim: Simulation, ran: string[], times: readonly number[]): void {
  for (const t of times) {
    sim.spawn(`wake at ${t}`, function* () {
      yield* sleep(t);
      ran.push(`${t}@${sim.now}`);
      return 0;
    });
  }
}

const sleepersScenario: Scenario = {
  id: 'test-sleepers',
  description: 'three threads that sleep 2, 5 and 9 ticks, under a host-owned clock',
  options: { clock: 'host' },
  build(sim) {
    sleepers(sim, [], [2, 5, 9]);
  },
};

describe("clock: 'host' — fltsim never advances time by itself", () => {
  it('a step with only sleepers left waits for the host instead of jumping; nextEventTime says until when', () => {
    const sim = createSimulation({ clock: 'host' });
    const ran: string[] = [];
    sleepers(sim, ran, [5]);
    expect(sim.run()).toEqual({ reason: 'waiting', steps: 1, until: 5 });
    expect(sim.step()).toEqual({ kind: 'waiting', until: 5, time: 0, facts: [] });
    expect(sim.now).toBe(0);
    expect(sim.enabled()).toEqual([]); // a sleeper is not a choice: only time wakes it
    expect(sim.nextEventTime()).toBe(5);
    expect(() => sim.step('T1')).toThrow(UsageError);
    sim.advanceTo(5);
    expect(sim.enabled()).toEqual([{ kind: 'thread', id: 'T1', name: 'wake at 5' }]);
    expect(sim.run()).toMatchObject({ reason: 'idle' });
    expect(ran).toEqual(['5@5']);
    expect(sim.log.filter((f) => f.type === 'ClockAdvance').map((f) => `${f.type}@${f.time}`)).toEqual(['ClockAdvance@5']);
  });

  it('runUntil(t) wakes each sleeper exactly on time, as the sim-owned clock does, and ends at t', () => {
    const logs = (['sim', 'host'] as const).map((clock) => {
      const sim = createSimulation({ clock });
      const ran: string[] = [];
      sleepers(sim, ran, [2, 5, 9]);
      expect(sim.runUntil(20)).toMatchObject({ reason: 'reached' });
      expect(ran).toEqual(['2@2', '5@5', '9@9']);
      expect(sim.now).toBe(20);
      return sim.log.map((f) => `${f.time} ${f.object} ${f.type}`);
    });
    expect(logs[1]).toEqual(logs[0]);
  });

  it('runUntilFact stops waiting rather than moving time', () => {
    const sim = createSimulation({ clock: 'host' });
    sleepers(sim, [], [3]);
    expect(sim.runUntilFact((f) => f.type === 'ThreadExit')).toEqual({ reason: 'waiting', steps: 1, until: 3 });
  });

  it('the option is saved, and a save between host clock moves restores and continues byte-identically', () => {
    const scenarios = [sleepersScenario];
    const sim = createScenarioSimulation('test-sleepers', {}, { scenarios });
    expect(sim.options.clock).toBe('host');
    sim.run();
    sim.advanceTo(3);
    sim.run();
    const saved = JSON.parse(JSON.stringify(sim.save()));
    expect(saved.options.clock).toBe('host');
    const restored = restoreSimulation(saved, { scenarios });
    for (const s of [sim, restored]) {
      expect(s.run()).toMatchObject({ reason: 'waiting', until: 5 });
      s.runUntil(12);
    }
    expect(JSON.stringify(restored.log)).toBe(JSON.stringify(sim.log));
  });

  it("a sim-owned clock is the default and is not written into the options", () => {
    expect(createSimulation().options).not.toHaveProperty('clock');
    expect(() => createSimulation({ clock: 'wall' as 'host' })).toThrow(/\[BAD_OPTION\] clock must be 'sim' or 'host'/);
  });
});
