// The long run of test/property/contexts.test.ts (npm run test:deep).
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { checkContextRun } from './contextRun.js';

describe('random context use under teardown and unload, deep (§15, §19.9)', () => {
  it('holds over many seeds', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => checkContextRun(seed)), { numRuns: 3000 });
  });
});
