// A registered scenario over the random kernel workload, so property tests can save and restore it.
import type { Scenario } from '../../src/index.js';
import { randomWorkload } from '../../src/testing/index.js';
import { randomFrameBoundaries } from '../../src/scenarios/builders/randomWorkload.js';

export const randomKernelScenario: Scenario = {
  id: 'test-random-kernel',
  description: 'randomWorkload: random volumes, frames, legacy filters, minifilters and operators (seeded by the run)',
  options: (seed) => ({ frameBoundaries: randomFrameBoundaries(seed), onViolation: 'record' }),
  build(sim) {
    randomWorkload(sim, sim.seed);
  },
};
