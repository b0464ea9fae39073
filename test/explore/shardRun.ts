// Sharded runs against one run, shared by shard.test.ts (short) and shard.deep.test.ts (long).
import fc from 'fast-check';
import { expect } from 'vitest';
import { explore, mergeShards, parseShardResult, runShard, type ExploreOptions, type ShardPlan } from '../../src/explore/index.js';
import { raceScenarios } from '../../examples/races/index.js';
import { findScenario } from '../../src/scenarios/index.js';

/** The plan as explore() options, written out here rather than taken from src/explore/shard.ts: the oracle is explore() itself. */
export function optionsOf(plan: ShardPlan): ExploreOptions {
  return { strategy: plan.strategy, seed: plan.seed, schedules: plan.schedules, args: plan.args, depth: plan.depth, preemptionBound: plan.bound, splitDepth: plan.splitDepth, ...(plan.reduction === undefined ? {} : { reduction: plan.reduction }), ...(plan.maxRuns === undefined ? {} : { maxRuns: plan.maxRuns }) };
}

export function checkSharded(plan: ShardPlan, count: number): void {
  const scenario = findScenario(plan.scenario, raceScenarios);
  const single = explore(scenario, optionsOf(plan));
  // Through JSON and the checker, as the files travel between machines.
  const results = Array.from({ length: count }, (_, k) => parseShardResult(JSON.parse(JSON.stringify(runShard(scenario, plan, k + 1, count))), `shard ${k + 1}`));
  expect(mergeShards(scenario, results.reverse())).toEqual(single);
}

export const plans = fc.record({
  scenario: fc.constantFrom('race-cancel-completion', 'race-free-before-callback', 'race-unload-sync-read'),
  args: fc.constantFrom({}, { variant: 'fixed' }),
  strategy: fc.constantFrom('random' as const, 'pct' as const, 'exhaustive' as const),
  seed: fc.integer({ min: 1, max: 1000 }),
  schedules: fc.integer({ min: 1, max: 40 }),
  depth: fc.integer({ min: 1, max: 3 }),
  bound: fc.integer({ min: 0, max: 2 }),
  splitDepth: fc.integer({ min: 0, max: 2 }),
  // Exhaustive only (random and PCT ignore them): each reduction, and a run bound that may stop a subtree early.
  reduction: fc.constantFrom('none' as const, 'sleep-sets' as const, 'dpor' as const, 'stateful-dpor' as const),
  maxRuns: fc.integer({ min: 1, max: 200 }),
}, { requiredKeys: ['scenario', 'args', 'strategy', 'seed', 'schedules', 'depth', 'bound', 'splitDepth', 'reduction'] });
