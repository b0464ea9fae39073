// Shared by test/property/ports.test.ts and ports.deep.test.ts: one random port workload run and its checks.
import { expect } from 'vitest';
import { createSimulation, foldLog, type Simulation } from '../../src/index.js';
import { checkPortInvariants, randomPortWorkload } from '../../src/testing/index.js';
import { SAFETY_CHECKS } from '../../src/explore/check.js';

export function portRun(seed: number): { sim: Simulation; outcome: string } {
  const sim = createSimulation({ seed, strategy: 'random', onViolation: 'record' });
  randomPortWorkload(sim, seed);
  let outcome: string;
  try {
    const r = sim.run({ maxSteps: 200_000 });
    outcome = r.reason === 'deadlock' ? `deadlock: ${r.blocked.map((b) => `${b.name}: ${b.reason}`).join('; ')}` : r.reason;
  } catch (error) {
    outcome = `threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  return { sim, outcome };
}

export function checkPortRun(seed: number): void {
  const { sim, outcome } = portRun(seed);
  expect(outcome, `seed ${seed}`).toBe('idle');
  expect(sim.state().violations, `seed ${seed}`).toEqual([]);
  expect(checkPortInvariants(sim.log), `seed ${seed}`).toEqual([]);
  for (const [name, check] of Object.entries(SAFETY_CHECKS)) expect(check(sim.log), `seed ${seed} ${name}`).toEqual([]);
  expect(sim.state().filters.F1?.state, `seed ${seed}`).toBe('Unloaded');
  expect(sim.state().messages, `seed ${seed}`).toEqual({});
  expect(JSON.parse(JSON.stringify(foldLog(sim.log))), `seed ${seed}`).toEqual(JSON.parse(JSON.stringify(sim.state())));
}

