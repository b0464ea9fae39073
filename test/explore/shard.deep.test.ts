// The long version of shard.test.ts: more random plans and shard counts.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkSharded, plans } from './shardRun.js';

describe('sharded exploration = one exploration (long)', () => {
  it('on 150 random plans (random, PCT, exhaustive under each reduction) over 1–6 shards', () => {
    fc.assert(fc.property(plans, fc.integer({ min: 1, max: 6 }), (plan, count) => checkSharded(plan, count)), { numRuns: 150 });
  });
});
