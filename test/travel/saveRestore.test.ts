// Save and restore (issue 5, item 2) and fork: a run saved at any step and restored — here through
// JSON, as another process would get it — continues to a log byte-identical to the uninterrupted
// run. Restore re-executes the scenario, so blocked threads, pended operations, sleepers' deadlines,
// in-flight completions and unload gates come back with it (docs/time-travel.md).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { restoreSimulation } from '../../src/index.js';
import { builtInScenarios as scenarios } from '../../src/scenarios/index.js';
import { fork, rebuild, replayChecked, startRun, type RunSpec } from '../../src/travel/recording.js';
import { DeterminismError } from '../../src/travel/errors.js';
import { budget } from '../support/deep.js';

const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const logText = (sim: { log: readonly unknown[] }): string => JSON.stringify(sim.log);

function uninterrupted(spec: RunSpec): string {
  const sim = startRun(spec);
  sim.run();
  return logText(sim);
}

/**
 * Save at every step of the run (every `stride`-th step in npm test: a restore re-executes the run
 * so far, so checking every step costs the square of the run's length), restore from JSON, run both
 * on: every restored run ends with the same log.
 */
function checkEveryStep(spec: RunSpec, stride = budget(10, 1)): number {
  const expected = uninterrupted(spec);
  const sim = startRun(spec);
  let steps = 0;
  for (;;) {
    if (steps % stride === 0) {
      const saved = JSON.parse(JSON.stringify(sim.save()));
      const restored = restoreSimulation(saved, { scenarios });
      expect(restored.log.length, `${spec.scenario} seed ${spec.options?.seed} step ${steps}`).toBe(sim.log.length);
      restored.run();
      expect(logText(restored), `${spec.scenario} seed ${spec.options?.seed}: restored at step ${steps}`).toBe(expected);
    }
    const r = sim.step();
    if (r.kind !== 'ran') break;
    steps++;
  }
  expect(logText(sim)).toBe(expected);
  return steps;
}

describe('save and restore at every step (every 10th in npm test)', () => {
  it('random kernel runs (attach, detach, unload racing; blocked threads and unload gates mid-flight)', () => {
    fc.assert(fc.property(seeds, (seed) => void checkEveryStep({ scenario: 'random', options: { seed, strategy: 'random' } })), { numRuns: budget(4, 12) });
  });

  it('random I/O runs (pended operations, deferred completions, workers, draining)', () => {
    // 2 random runs in npm test; test:deep 8, restored at every step (saveRestore.deep.test.ts).
    fc.assert(fc.property(seeds, (seed) => void checkEveryStep({ scenario: 'random-io', options: { seed, strategy: 'random' } })), { numRuns: budget(2, 8) });
  });

  it('the demo, in order', () => {
    expect(checkEveryStep({ scenario: 'demo', options: { seed: 1 } })).toBeGreaterThan(20);
  });
});

describe('fork and checked replay', () => {
  const spec: RunSpec = { scenario: 'io-soak', args: { threads: 3, iterations: 2 }, options: { seed: 9, strategy: 'random' } };
  const original = startRun(spec);
  original.run();
  const recording = original.save();

  it('rebuild to a position stops at the step boundary at or before it, with the same prefix', () => {
    const half = Math.floor(original.log.length / 2);
    const sim = rebuild(recording, { position: half });
    expect(sim.log.length).toBeLessThanOrEqual(half);
    expect(sim.log.length).toBeGreaterThan(half - 40);
    expect(logText(sim)).toBe(JSON.stringify(original.log.slice(0, sim.log.length)));
  });

  it('a fork at a choice point that picks another thread shares the prefix and then differs', () => {
    const choice = original.log.find((f, seq) => f.type === 'Choice' && seq > 60)!;
    const sim = fork(recording, choice.seq, []);
    const other = sim.enabled().find((c) => c.id !== choice.object)!;
    sim.step(other.id);
    sim.run();
    expect(JSON.stringify(sim.log.slice(0, choice.seq))).toBe(JSON.stringify(original.log.slice(0, choice.seq)));
    expect(sim.log[choice.seq]).toMatchObject({ type: 'Choice', object: other.id });
    // The fork is a run of its own: saved and restored, it reproduces itself.
    expect(logText(restoreSimulation(JSON.parse(JSON.stringify(sim.save())), { scenarios }))).toBe(logText(sim));
  });

  it('replaying the recording reproduces the log; a tampered expectation is reported at its first differing fact', () => {
    expect(logText(replayChecked(recording, original.log))).toBe(logText(original));
    const tampered = original.log.map((f) => (f.seq === 42 ? { ...f, time: f.time + 1 } : f));
    const error = (() => {
      try {
        replayChecked(recording, tampered);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(DeterminismError);
    expect(error).toMatchObject({ firstDifference: 42, expected: tampered[42], actual: original.log[42] });
  });
});
