// An exploration pool (fltsim/node: createExplorationPool) keeps its worker threads across
// explorations, so a host running many pays the threads' start-up and JIT warm-up once. Schedule i
// depends only on the plan and i, so an exploration on the pool must give the result `explore`
// gives on one thread — the first failing schedule, its shrunk trace, the coverage — and the
// pool's second exploration must not see anything of the first (docs/exploration.md, "Many
// explorations: a pool").
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore.js';
import { findScenario } from '../../src/scenarios/index.js';
import { createExplorationPool } from '../../src/node.js';
import { budget } from '../support/deep.js';
import { optionsOf, plans } from '../explore/shardRun.js';

describe('an exploration pool reused across explorations', async () => {
  const pool = createExplorationPool({ workers: 2 });
  afterAll(() => pool.close());
  const race = findScenario('race-cancel-completion');
  // Seed 4 first fails at index 6 (7 schedules; test/cli/exploreWorkers.test.ts): the lower indices all had to be run to know it.
  const buggy = { strategy: 'random', seed: 4, args: { variant: 'buggy' } } as const;
  const fixed = { strategy: 'pct', schedules: budget(10, 400), args: { variant: 'fixed' } } as const;
  // The one-thread result, computed once (shrinking included) for the three comparisons.
  const oneThread = explore(race, buggy);

  it('gives the result one thread gives: the failing schedule, its shrunk trace and the coverage, then every schedule of a fixed filter', async () => {
    const first = await pool.explore('race-cancel-completion', buggy);
    expect(first).toEqual(oneThread);
    expect(first.schedules).toBe(7);
    expect(first.violation?.name).toBe('COMPLETE_NOT_PENDED');
    expect(first.shrunk).not.toBeNull();

    const progress: number[] = [];
    const second = await pool.explore('race-cancel-completion', { ...fixed, onProgress: (done) => progress.push(done) });
    expect(second).toEqual(explore(race, fixed));
    expect(second.found).toBe(false);
    expect(second.schedules).toBe(fixed.schedules);
    expect(progress.at(-1)).toBe(fixed.schedules);
  });

  // Its workers reuse the verdicts they checked in the two before (one scenario): a verdict is a function of the log alone.
  it('a third exploration, the first again on warm threads, is the same as a fresh one', async () => {
    expect(await pool.explore('race-cancel-completion', buggy)).toEqual(oneThread);
  });

  it('exhaustive search: the subtrees of the split depth dealt out to the workers, the result of one thread with the same split depth', async () => {
    // The fixed filter: every subtree is searched to its end, so both workers have their share.
    const exhaustive = { strategy: 'exhaustive', splitDepth: 2, args: { variant: 'fixed' } } as const;
    const r = await pool.explore('race-free-before-callback', exhaustive);
    expect(r).toEqual(explore(findScenario('race-free-before-callback'), exhaustive));
    expect(r.exhausted).toBe(true);
    // 8 since a race whose second thread only its first step made ready is not reversed (12 before;
    // 24 before DPOR recorded the set-up's whenSettled continuation as the host's step).
    expect(r.schedules).toBe(8);
  });

  // The plans test/explore/shard.test.ts deals out to shards: a race, buggy or fixed, under random,
  // PCT or exhaustive search (each reduction, a split depth, maybe a bound on runs per subtree).
  it('on random plans: the result explore() gives on one thread', async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => {
        const options = optionsOf(plan);
        expect(await pool.explore(plan.scenario, options), JSON.stringify(plan)).toEqual(explore(findScenario(plan.scenario), options));
      }),
      { numRuns: budget(2, 30) },
    );
  });

  it('refuses what it cannot run on its threads before asking them, and keeps working', async () => {
    // An exhaustive plan is JSON, as a shard's: string arguments, as `--arg` gives them.
    await expect(pool.explore('race-cancel-completion', { strategy: 'exhaustive', args: { variant: 1 } })).rejects.toThrow(/options\.args\.variant is number: an exhaustive search on a pool takes string arguments/);
    await expect(pool.explore('race-cancel-completion', { ...buggy, schedules: 1.5 })).rejects.toThrow(/ExplorationPool\.explore: options\.schedules/);
    await expect(pool.explore('no-such-race', buggy)).rejects.toThrow(/no scenario 'no-such-race'/);
    expect((await pool.explore('race-cancel-completion', buggy)).schedules).toBe(7);
  });

  it('is closed once: explorations asked for afterwards are refused', async () => {
    const other = createExplorationPool({ workers: 1 });
    await other.close();
    await expect(other.explore('race-cancel-completion', buggy)).rejects.toThrow(/explore after close/);
    expect(() => createExplorationPool({ workers: 0 })).toThrow(/workers must be an integer from 1 to 64, got 0/);
  });
});
