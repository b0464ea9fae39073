// The long run of traceFuzz.test.ts (npm run test:deep): more mutations, random seeds.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkMutatedTrace, mutatedTraces } from './traceMutations.js';

describe('mutated real traces, long', () => {
  it('5,000 mutated files: refused cleanly or replayed identically, Object.prototype untouched', () => {
    fc.assert(fc.property(mutatedTraces, ({ base, mutation }) => void checkMutatedTrace(base, mutation)), { numRuns: 5000 });
  });
});
