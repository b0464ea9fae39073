// Sharded exploration (issue 16, item 5) through the API: for any plan and any number of shards,
// runShard over every shard and mergeShards give exactly the ExploreResult of one explore() — the
// schedules run, the failing seed and choices, the trace, the shrunk schedule, the summed coverage.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkSharded, plans } from './shardRun.js';

describe('sharded exploration = one exploration', () => {
  it('on random plans over 1–4 shards', () => {
    fc.assert(fc.property(plans, fc.integer({ min: 1, max: 4 }), (plan, count) => checkSharded(plan, count)), { numRuns: 5, seed: 16 });
  });

  it('a budget that runs out inside a subtree, and a failure past a smaller one', () => {
    checkSharded({ scenario: 'race-unload-sync-read', args: { variant: 'fixed' }, strategy: 'exhaustive', seed: 1, schedules: 7, depth: 2, bound: 2, splitDepth: 2 }, 3);
    checkSharded({ scenario: 'race-unload-sync-read', args: {}, strategy: 'random', seed: 9, schedules: 30, depth: 2, bound: 2, splitDepth: 0 }, 4);
  });
});
