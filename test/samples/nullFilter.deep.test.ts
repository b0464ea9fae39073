// The nullFilter sample (wdk-samples §1) under a long PCT exploration: the attach, two applications
// and the unload in every order PCT reaches (§2, §3, §4), no violation.
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/index.js';
import { scenario } from '../../examples/samples/nullFilter/index.js';

describe('nullFilter sample, deep', () => {
  it('PCT depth 3, 2,000 schedules: no violation', () => {
    const r = explore(scenario, { strategy: 'pct', depth: 3, seed: 7, schedules: 2000, shrink: false });
    expect(r.violation).toBeNull();
  });
});
