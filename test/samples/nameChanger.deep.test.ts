// The NameChanger exploration with the deep budget (npm run test:deep): the tests of
// nameChanger.test.ts again, and the searches that find nothing without cleanup or unload in the
// race (§19.9), which cost npm test ~2 s per run.
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/index.js';
import { scenario } from '../../examples/samples/nameChanger/index.js';
import { budget, DEEP } from '../support/deep.js';
import './nameChanger.test.js';

describe('NameChanger explored without cleanup or unload: change vs CancelIoEx (§19.9)', () => {
  it('PCT finds none of the sample\'s bugs: the user request completes once', () => {
    const r = explore(scenario, { strategy: 'pct', schedules: budget(2, 200), seed: 1, args: { unload: false } });
    expect(r.found).toBe(false);
  });

  it.each(DEEP ? [1, 2] : [1])('bounded exhaustive search (%i preemption(s)) finds none', (preemptionBound) => {
    const r = explore(scenario, { strategy: 'exhaustive', reduction: 'sleep-sets', preemptionBound, schedules: budget(6, 3000), seed: 1, args: { unload: false, watchTree: false } });
    expect(r.found).toBe(false);
    if (DEEP && preemptionBound === 1) expect(r.exhausted).toBe(true);
  });
});
