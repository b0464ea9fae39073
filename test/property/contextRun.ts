// One run of the random context workload (src/testing/randomContextWorkload.ts) and what must hold
// after it; shared by contexts.test.ts (short) and contexts.deep.test.ts (long).
import { expect } from 'vitest';
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

