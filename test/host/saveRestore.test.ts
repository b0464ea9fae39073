// Save/restore as plain JSON (issue 7): a snapshot names the scenario, the options and the drive
// record; restoring re-executes them and must rebuild the same log and the same future. Bad
// snapshots get typed errors and leave every simulation as it was.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createScenarioSimulation,
  createSimulation,
  builtInScenarios,
  FLTSIM_VERSION,
  ReplayDivergenceError,
  restoreSimulation,
  UsageError,
  type SimulationSnapshot,
  type Simulation,
} from '../../src/index.js';
import { randomKernelScenario } from './randomScenario.js';

const scenarios = [...builtInScenarios, randomKernelScenario];
const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const json = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

/** Drive with a mix the record must capture: strategy steps, host choices, host clock moves. */
function drive(sim: Simulation, pattern: readonly number[], steps: number): void {
  for (let i = 0; i < steps; i++) {
    const p = pattern[i % pattern.length]!;
    const enabled = sim.enabled();
    if (enabled.length === 0) return;
    if (p % 5 === 0) sim.advanceTo(sim.now + (p % 3));
    else if (p % 2 === 0) sim.step(enabled[p % enabled.length]!.id);
    else sim.step();
  }
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof UsageError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('save and restore', () => {
  it('a snapshot is plain JSON: scenario, options, drive record, fact count and digest', () => {
    const sim = createScenarioSimulation('demo', { seed: 3, strategy: 'random' }, { scenarios: builtInScenarios });
    sim.step();
    sim.step('T2');
    sim.advanceTo(5);
    sim.runUntil(7);
    const snapshot = sim.save();
    expect(json(snapshot)).toEqual(snapshot);
    expect(snapshot).toMatchObject({ format: 'fltsim.snapshot', formatVersion: 2, writtenBy: FLTSIM_VERSION, scenario: 'demo', args: {}, options: { seed: 3, strategy: 'random' } });
    expect(snapshot.drive).toEqual([1, 'T2', { advanceTo: 5 }, expect.any(Number), { advanceTo: 7 }]);
    expect(snapshot.facts).toBe(sim.log.length);
  });

  it('restore rebuilds the same log, and the restored run continues exactly as the original', () => {
    fc.assert(
      fc.property(seeds, fc.array(fc.nat(20), { minLength: 1, maxLength: 30 }), fc.nat(200), (seed, pattern, steps) => {
        const original = createScenarioSimulation(randomKernelScenario.id, { seed, strategy: 'random' }, { scenarios });
        drive(original, pattern, steps);
        const snapshot = JSON.parse(JSON.stringify(original.save())) as SimulationSnapshot;
        const restored = restoreSimulation(snapshot, { scenarios });
        expect(JSON.stringify(restored.log)).toBe(JSON.stringify(original.log));
        drive(original, [...pattern].reverse(), 100);
        drive(restored, [...pattern].reverse(), 100);
        original.run({ maxSteps: 50_000 });
        restored.run({ maxSteps: 50_000 });
        expect(JSON.stringify(restored.log)).toBe(JSON.stringify(original.log));
        expect(restored.save()).toEqual(original.save());
      }),
      { numRuns: 40 },
    );
  });

  it('bad input gets a typed error and leaves the simulation it came from usable', () => {
    const sim = createScenarioSimulation('demo', { seed: 2 }, { scenarios: builtInScenarios });
    sim.runUntil(() => sim.log.length > 40);
    const good = sim.save();
    const before = JSON.stringify(sim.log);
    expect(codeOf(() => restoreSimulation({ ...good, writtenBy: '99.0.0' }, { scenarios: builtInScenarios }))).toBe('SNAPSHOT_VERSION');
    expect(codeOf(() => restoreSimulation({ ...good, scenario: 'no-such-scenario' }, { scenarios: builtInScenarios }))).toBe('UNKNOWN_SCENARIO');
    expect(codeOf(() => createScenarioSimulation('no-such-scenario', {}, { scenarios: builtInScenarios }))).toBe('UNKNOWN_SCENARIO');
    // No default registry (a host's bundle would carry the built-in scenarios): a missing one is named.
    expect(codeOf(() => restoreSimulation(good, undefined as never))).toBe('BAD_ARGUMENT');
    expect(() => createScenarioSimulation('demo', {}, {} as never)).toThrow("createScenarioSimulation: scenarios must be the registry to look 'demo' up in");
    expect(codeOf(() => restoreSimulation({ hello: 'world' }, { scenarios: builtInScenarios }))).toBe('BAD_SNAPSHOT');
    expect(codeOf(() => restoreSimulation({ ...good, drive: [0] }, { scenarios: builtInScenarios }))).toBe('BAD_SNAPSHOT');
    expect(() => restoreSimulation({ ...good, drive: [...good.drive, 'T99'] }, { scenarios: builtInScenarios })).toThrow(ReplayDivergenceError);
    expect(() => restoreSimulation({ ...good, digest: '00000000' }, { scenarios: builtInScenarios })).toThrow(ReplayDivergenceError);
    expect(JSON.stringify(sim.log)).toBe(before);
    expect(sim.run().reason).toBe('idle');
    expect(restoreSimulation(good, { scenarios: builtInScenarios }).log.length).toBe(good.facts);
  });

  it('only a scenario-built simulation with a built-in strategy can be saved', () => {
    expect(codeOf(() => createSimulation().save())).toBe('NOT_SAVABLE');
  });
});
