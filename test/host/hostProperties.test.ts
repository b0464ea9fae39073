// What must hold when a host drives fltsim (issue 7): simulations interleaved by one host never
// affect each other, and a host that makes every choice itself reproduces a run exactly.
// Each property prints its seeds on failure. A longer run: hostProperties.deep.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { budget } from '../support/deep.js';
import { createScenarioSimulation, type Simulation } from '../../src/index.js';
import { randomKernelScenario } from './randomScenario.js';

const scenarios = [randomKernelScenario];
const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });

function build(seed: number, strategy: 'random' | 'in-order' = 'random'): Simulation {
  return createScenarioSimulation(randomKernelScenario.id, { seed, strategy }, { scenarios });
}

function runAlone(seed: number): string {
  const sim = build(seed);
  sim.run({ maxSteps: 50_000 });
  return JSON.stringify(sim.log);
}

describe('two simulations driven by one host', () => {
  it('never affect each other, whatever order the host steps them in and whichever choices it makes', () => {
    fc.assert(
      fc.property(seeds, seeds, fc.array(fc.nat(), { minLength: 1, maxLength: 400 }), (seedA, seedB, picks) => {
        // Alone, each with its own strategy: the reference logs.
        const aloneA = runAlone(seedA);
        // B is driven by the host's own choices, A by its strategy; the host alternates by `picks`.
        const a = build(seedA);
        const b = build(seedB);
        const hostChoicesForB: string[] = [];
        let aDone = false;
        for (let i = 0; ; i++) {
          const pick = picks[i % picks.length]!;
          const bEnabled = b.enabled();
          if (aDone && bEnabled.length === 0) break;
          if (bEnabled.length === 0 || (!aDone && pick % 2 === 0)) {
            aDone = a.step().kind !== 'ran';
          } else {
            const choice = bEnabled[pick % bEnabled.length]!.id;
            hostChoicesForB.push(choice);
            b.step(choice);
          }
        }
        expect(JSON.stringify(a.log)).toBe(aloneA);
        // B alone, given the same host choices, logs the same.
        const bAlone = build(seedB);
        for (const choice of hostChoicesForB) bAlone.step(choice);
        expect(JSON.stringify(bAlone.log)).toBe(JSON.stringify(b.log));
      }),
      { numRuns: budget(15, 40) },
    );
  });
});

describe('a host that makes every choice itself', () => {
  it('reproduces a given run exactly, from the threads that run reported step by step', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const original = build(seed, 'random');
        const ran: string[] = [];
        for (let r = original.step(); r.kind === 'ran'; r = original.step()) ran.push(r.thread);
        // The host's simulation uses another strategy: every choice comes from the host.
        const host = build(seed, 'in-order');
        for (const thread of ran) {
          expect(host.enabled().map((c) => c.id)).toContain(thread);
          host.step(thread);
        }
        expect(host.step().kind).not.toBe('ran');
        expect(JSON.stringify(host.log)).toBe(JSON.stringify(original.log));
        expect(host.choices).toEqual(original.choices);
      }),
      { numRuns: budget(15, 40) },
    );
  });
});
