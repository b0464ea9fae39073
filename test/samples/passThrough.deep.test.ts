// The passThrough sample (wdk-samples §2) under a long PCT exploration, the file system pending every
// request so status callbacks, post-ops and the unload's drain interleave (§4, §8): no violation.
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/index.js';
import { scenario } from '../../examples/samples/passThrough/index.js';

describe('passThrough sample, deep', () => {
  for (const unloadAt of ['0', '2', '3']) {
    it(`PCT depth 3, 500 schedules, unload at t=${unloadAt}: no violation`, () => {
      const r = explore(scenario, { strategy: 'pct', depth: 3, seed: 11, schedules: 500, shrink: false, args: { completion: 'deferred', unloadAt } });
      expect(r.violation).toBeNull();
    });
  }
});
