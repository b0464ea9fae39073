// Sharded exploration (issue 16, item 5) through the API: for any plan and any number of shards,
// runShard over every shard and mergeShards give exactly the ExploreResult of one explore() — the
// schedules run, the failing seed and choices, the trace, the shrunk schedule, the summed coverage;
// for exhaustive plans under every reduction (none, sleep sets, DPOR, stateful DPOR), with or without a
// bound on runs per subtree.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkSharded, plans } from './shardRun.js';

describe('sharded exploration = one exploration', () => {
  it('on random plans (random, PCT, exhaustive under each reduction) over 1–4 shards', () => {
    fc.assert(fc.property(plans, fc.integer({ min: 1, max: 4 }), (plan, count) => checkSharded(plan, count)), { numRuns: 3 });
  });

  it('a budget that runs out inside a subtree, and a failure past a smaller one', () => {
    checkSharded({ scenario: 'race-unload-sync-read', args: { variant: 'fixed' }, strategy: 'exhaustive', seed: 1, schedules: 7, depth: 2, bound: 2, splitDepth: 2 }, 3);
    checkSharded({ scenario: 'race-unload-sync-read', args: {}, strategy: 'random', seed: 9, schedules: 30, depth: 2, bound: 2, splitDepth: 0 }, 4);
  });
});
