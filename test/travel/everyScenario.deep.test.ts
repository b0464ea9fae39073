// The long sweep of everyScenario.test.ts: more random runs of every kind (npm run test:deep).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkRun, kinds, runs } from './everyScenario.js';

describe('time travel on every scenario (deep)', () => {
  it('save/restore, fork and checked replay over many random runs', () => {
    fc.assert(fc.property(runs, (r) => checkRun(r)), { numRuns: 600 });
  });

  it('every kind at many seeds, saved at every tenth of its run', () => {
    for (const kind of kinds) for (let seed = 1; seed <= 5; seed++) for (let tenth = 0; tenth <= 10; tenth++) checkRun({ kind, seed, strategy: 'random', at: tenth / 10, other: seed });
  });
});
