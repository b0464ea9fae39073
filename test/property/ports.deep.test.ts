// The long run of test/property/ports.test.ts: many more random port workloads (npm run test:deep).
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { checkPortRun } from './portRuns.js';

describe('random port traffic, deep (§17, §19.9 13–17)', () => {
  it('invariants hold over 400 random workloads', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => checkPortRun(seed)), { numRuns: 400, seed: 1701 });
  });
});
