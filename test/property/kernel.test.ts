// Event sourcing and determinism of the kernel, over random systems and workloads
// (design.md "Event sourcing"; style guide habit 3). Each case prints its seed on failure. A longer
// run: kernel.deep.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { budget } from '../support/deep.js';
import { createSimulation, foldLog, replayStrategy } from '../../src/index.js';
import { randomWorkload } from '../../src/testing/index.js';
import { randomFrameBoundaries } from '../../src/scenarios/builders/randomWorkload.js';
import { checkKernelInvariants } from '../../src/checkers/kernelInvariants.js';
import type { Simulation } from '../../src/index.js';

function build(seed: number, strategy: 'random' | 'in-order' = 'random'): Simulation {
  const sim = createSimulation({ seed, strategy, frameBoundaries: randomFrameBoundaries(seed), onViolation: 'record' });
  randomWorkload(sim, seed);
  return sim;
}

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe('the log is the source of truth', () => {
  it('fold(log) equals the live state at random points of random runs', () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 0, max: 60 }), (seed, pause) => {
        const sim = build(seed);
        sim.run({ maxSteps: pause });
        expect(plain(foldLog(sim.log))).toEqual(plain(sim.state()));
        expect(sim.run({ maxSteps: 50_000 }).reason).not.toBe('limit');
        expect(plain(foldLog(sim.log))).toEqual(plain(sim.state()));
      }),
      { numRuns: budget(20, 60) },
    );
  });

  it('the kernel invariants of §14 (5, 17, 18, 22) hold on every random run', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const sim = build(seed);
        sim.run({ maxSteps: 50_000 });
        expect(checkKernelInvariants(sim.log)).toEqual([]);
        expect(sim.state().violations).toEqual([]);
      }),
      { numRuns: budget(25, 80) },
    );
  });
});

describe('determinism', () => {
  it('the same seed and options give a byte-identical serialized log', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const a = build(seed);
        const b = build(seed);
        a.run();
        b.run();
        expect(JSON.stringify(b.log)).toBe(JSON.stringify(a.log));
      }),
      { numRuns: budget(15, 40) },
    );
  });

  it('replaying the recorded choices reproduces the log exactly', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const original = build(seed);
        original.run();
        const replay = createSimulation({
          seed,
          strategy: replayStrategy(original.choices),
          frameBoundaries: randomFrameBoundaries(seed),
          onViolation: 'record',
        });
        randomWorkload(replay, seed);
        replay.run();
        expect(JSON.stringify(replay.log)).toBe(JSON.stringify(original.log));
      }),
      { numRuns: budget(15, 40) },
    );
  });

  it('random workloads really interleave: different seeds choose differently, and in-order never needs the random stream', () => {
    const logs = new Set<string>();
    let choices = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const sim = build(seed);
      sim.run();
      logs.add(JSON.stringify(sim.log));
      choices += sim.choices.length;
    }
    expect(logs.size).toBe(10);
    expect(choices).toBeGreaterThan(50);
  });
});
