// §15, §19.9 inv. 1–7 over random filters that set, get, replace, delete and release contexts while
// applications open files and operators detach, dismount and unload them (src/testing/randomContextWorkload.ts).
// Every assertion names its seed; `build(seed)` replays it exactly. A longer run: contexts.deep.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSimulation, foldLog, type Simulation } from '../../src/index.js';
import { checkContextInvariants, randomContextSimulationOptions, randomContextWorkload } from '../../src/testing/index.js';
import { checkKernelInvariants } from '../../src/checkers/kernelInvariants.js';

export function build(seed: number): Simulation {
  const sim = createSimulation(randomContextSimulationOptions(seed));
  randomContextWorkload(sim, seed);
  return sim;
}

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
const described = (vs: readonly { invariant: string; seq: number; message: string }[]) => vs.map((v) => `inv ${v.invariant} #${v.seq}: ${v.message}`);

export function checkContextRun(seed: number): void {
  const sim = build(seed);
  const end = sim.run({ maxSteps: 200_000 });
  const where = `seed ${seed}`;
  expect(end.reason, `${where}: the run ends idle`).toBe('idle');
  expect(plain(sim.state().violations), `${where}: no verifier finding`).toEqual([]);
  expect(described(checkContextInvariants(sim.log)), `${where}: §19.9 context invariants`).toEqual([]);
  expect(described(checkKernelInvariants(sim.log)), `${where}: §14 kernel invariants`).toEqual([]);
  // Every context of a filter that finished unloading was freed (§15.8, §19.9 inv. 6).
  const state = sim.state();
  for (const [id, c] of Object.entries(state.contexts)) {
    expect(state.filters[c.filter]!.state, `${where}: ${id} outlived its filter`).not.toBe('Unloaded');
  }
  expect(plain(foldLog(sim.log)), `${where}: fold = live`).toEqual(plain(state));
}

describe('random context use under teardown and unload (§15, §19.9)', () => {
  it('every run ends idle, with no verifier finding, the §19.9 invariants holding and fold = live', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => checkContextRun(seed)), { numRuns: 60 });
  });

  it('is deterministic: the same seed gives the same log', () => {
    const a = build(4242);
    a.run();
    const b = build(4242);
    b.run();
    expect(JSON.stringify(b.log)).toBe(JSON.stringify(a.log));
    expect(a.log.some((f) => f.type === 'ContextLinked')).toBe(true);
  });
});
