// The long run of badArguments.test.ts (npm run test:deep): random seeds, more calls, a fresh world
// every 200 calls, I/O checked on each world afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STATUS_SUCCESS } from '../../src/index.js';
import { badWorld, callBadly, CHECKED_ROUTINES, stillWorks } from './badArgumentsWorld.js';

describe('bad arguments to the generated-I/O routines, long', () => {
  it('10 worlds × 500 random bad calls: typed errors only, then I/O works', () => {
    for (let i = 0; i < 10; i++) {
      const w = badWorld();
      fc.assert(fc.property(fc.constantFrom(...CHECKED_ROUTINES), fc.array(fc.constantFrom(...w.pool), { maxLength: 13 }), (routine, args) => void callBadly(w, routine, args)), { numRuns: 500 });
      expect(stillWorks(w)).toBe(STATUS_SUCCESS);
    }
  }, 1_800_000);
});
