/**
 * One exploration plan over many machines: shard K of N runs the K-th of N deterministic
 * partitions of the plan and returns a ShardResult (JSON); `mergeShards` turns the N results into
 * the ExploreResult a single run gives. Random and PCT deal out schedule indices (shard K runs
 * K−1, K−1+N, …, stopping at its first failure); exhaustive search deals out the subtrees of the
 * plan's split (subtrees.ts: shard K searches roots K−1, K−1+N, …). Each unit records the window
 * hits of its schedules and its first failure, so the merge can sum coverage over exactly the
 * schedules a single run would have run, stop where it would have stopped, and re-run and shrink
 * the failing schedule as it would have. Result files come from elsewhere: shard-file.ts checks them.
 */
import { replayStrategy } from '../kernel/strategy.js';
import { InvariantVerdicts } from './verdicts.js';
import { CoverageCounter } from './coverage.js';
import { concludeExploration, exhaustiveRoots, explorationPlan, planBound, runPlannedSchedule, scheduleBase, searchSubtree, windowsOf } from './explore.js';
import { runSchedule } from './run.js';
import type { Explorable, ExploreOptions, ExploreResult, StrategyChoice } from './types.js';
import { UsageError } from '../kernel/errors.js';
import type { VerifierRule } from '../kernel/verifierRules.js';
import type { ScenarioModuleRef } from '../tracefile/header.js';

export const SHARD_FORMAT = 'fltsim-explore-shard';

/** What is wrong with a set of shard results, as one line (the CLI exits 3: an input error). */
export function shardError(message: string): UsageError {
  return new UsageError('BAD_SHARD_RESULT', message);
}

/** What must be equal in every shard of one plan (and what a single run is given to print the same report). */
export interface ShardPlan {
  readonly scenario: string;
  /**
   * A scenario module's path on the shard's machine and its SHA-256, as a trace header records them
   * (src/cli/moduleDigest.ts). Shards on different machines may see the module at different paths;
   * the digest is what must be the same everywhere (`samePlan`).
   */
  readonly module?: ScenarioModuleRef;
  readonly args: Readonly<Record<string, string>>;
  readonly strategy: StrategyChoice;
  readonly seed: number;
  readonly schedules: number;
  readonly depth: number;
  readonly bound: number;
  readonly splitDepth: number;
  /** ExploreOptions.maxRuns (exhaustive); absent when not given (the default, 10 x schedules). */
  readonly maxRuns?: number;
  /** ExploreOptions.reduction (exhaustive); absent when not given (the default, 'dpor'). */
  readonly reduction?: Reduction;
  /** ExploreOptions.disabledRules; absent when none (every shard of a plan must agree on it). */
  readonly disabledRules?: readonly VerifierRule[];
}

/** The largest `--max-runs` a plan may carry (the command line's and a result file's limit). */
export const MAX_RUNS = 1_000_000_000;

/** ExploreOptions.reduction's values, as a plan (and the command line) may name them. */
export const REDUCTIONS = ['none', 'sleep-sets', 'dpor', 'stateful-dpor'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/** Schedules of one unit (random/PCT: the shard's indices; exhaustive: one subtree) in plan order. */
export interface ShardUnit {
  /** Exhaustive: the root's index in the plan; random/PCT: the shard's first index. */
  readonly unit: number;
  readonly schedules: number;
  readonly exhausted: boolean;
  readonly prunedAfterLast: number;
  /** [position, hits per window…] for each schedule that hit a window (position: index, or offset in the subtree). */
  readonly hits: readonly (readonly number[])[];
  /** The first failing schedule: its position and choices. */
  readonly failure: { readonly at: number; readonly choices: readonly string[] } | null;
}

export interface ShardResult {
  readonly format: typeof SHARD_FORMAT;
  readonly version: 1;
  readonly plan: ShardPlan;
  readonly shard: { readonly index: number; readonly count: number };
  readonly windows: number;
  /** Exhaustive: subtrees in the plan; random/PCT: 0. */
  readonly roots: number;
  readonly units: readonly ShardUnit[];
}

export function exploreOptionsOf(plan: ShardPlan): ExploreOptions {
  return { strategy: plan.strategy, seed: plan.seed, schedules: plan.schedules, args: plan.args, depth: plan.depth, preemptionBound: plan.bound, splitDepth: plan.splitDepth, ...(plan.maxRuns === undefined ? {} : { maxRuns: plan.maxRuns }), ...(plan.reduction === undefined ? {} : { reduction: plan.reduction }), ...(plan.disabledRules === undefined ? {} : { disabledRules: plan.disabledRules }) };
}

/** The plan as the shards must agree on it: everything but where the module sat on each machine. */
function planKey(plan: ShardPlan): string {
  const { module, ...rest } = plan;
  return JSON.stringify({ ...rest, module: module?.sha256 ?? null });
}

const describeModule = (module: ScenarioModuleRef | undefined): string => (module === undefined ? 'a built-in scenario' : `module ${module.path} (SHA-256 ${module.sha256.slice(0, 12)}…)`);

const sparse = (position: number, hits: readonly number[]): number[] | null => (hits.some((h) => h > 0) ? [position, ...hits] : null);

/** Run shard `index` (1-based) of `count`. */
export function runShard(target: Explorable, plan: ShardPlan, index: number, count: number): ShardResult {
  const options = exploreOptionsOf(plan);
  const windows = windowsOf(target, options);
  const verdicts = new InvariantVerdicts();
  const units: ShardUnit[] = [];
  let roots = 0;
  if (plan.strategy === 'exhaustive') {
    const all = exhaustiveRoots(target, options);
    roots = all.length;
    for (let r = index - 1; r < all.length; r += count) {
      const s = searchSubtree(target, options, all[r]!, plan.schedules, windows, verdicts);
      const hits = s.hits.flatMap((h, i) => sparse(i, h) ?? []);
      const failure = s.found === null ? null : { at: s.schedules - 1, choices: s.found.choices.slice() };
      units.push({ unit: r, schedules: s.schedules, exhausted: s.exhausted, prunedAfterLast: s.prunedAfterLast, hits: chunk(hits, windows.length + 1), failure });
      if (failure !== null) break; // roots after a failing one are never needed: the merge stops at the first failure
    }
  } else {
    const explorePlan = explorationPlan(target, options);
    const hits: number[][] = [];
    let failure: ShardUnit['failure'] = null;
    let schedules = 0;
    for (let i = index - 1; i < plan.schedules; i += count) {
      const run = runPlannedSchedule(target, options, explorePlan, i, verdicts);
      schedules++;
      const h = sparse(i, run.windowHits);
      if (h !== null) hits.push(h);
      if (run.outcome.violation !== null) {
        failure = { at: i, choices: run.outcome.sim.choices.slice() };
        break;
      }
    }
    units.push({ unit: index - 1, schedules, exhausted: false, prunedAfterLast: 0, hits, failure });
  }
  return { format: SHARD_FORMAT, version: 1, plan, shard: { index, count }, windows: windows.length, roots, units };
}

function chunk(flat: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += size) out.push(flat.slice(i, i + size));
  return out;
}

/**
 * The single run's result from the results of all N shards of one plan (checked: one plan, one
 * count, every shard once, every schedule the single run needs present). Throws shardError.
 */
export function mergeShards(target: Explorable, results: readonly ShardResult[]): ExploreResult {
  const first = results[0];
  if (first === undefined) throw shardError('no shard results to merge');
  const plan = first.plan;
  const count = first.shard.count;
  const byIndex = new Map<number, ShardResult>();
  for (const r of results) {
    if (r.plan.module?.sha256 !== plan.module?.sha256) throw shardError(`shard ${r.shard.index}/${r.shard.count} ran ${describeModule(r.plan.module)}, shard ${first.shard.index}/${count} ${describeModule(plan.module)}: the shards ran different scenario modules`);
    if (planKey(r.plan) !== planKey(plan)) throw shardError(`shard ${r.shard.index}/${r.shard.count} belongs to another plan than shard ${first.shard.index}/${count}`);
    if (r.shard.count !== count) throw shardError(`shard ${r.shard.index}/${r.shard.count} is from a split into ${r.shard.count}, not ${count}`);
    if (byIndex.has(r.shard.index)) throw shardError(`shard ${r.shard.index}/${count} is given twice`);
    if (r.windows !== first.windows || r.roots !== first.roots) throw shardError(`shard ${r.shard.index}/${count} disagrees on the plan's windows or subtrees (another fltsim or scenario?)`);
    byIndex.set(r.shard.index, r);
  }
  for (let k = 1; k <= count; k++) if (!byIndex.has(k)) throw shardError(`shard ${k}/${count} is missing`);
  const options = exploreOptionsOf(plan);
  const windows = windowsOf(target, options);
  if (windows.length !== first.windows) throw shardError(`the results count ${first.windows} race window(s), the scenario declares ${windows.length}`);
  const coverage = new CoverageCounter(windows);
  // Schedules that hit no window add nothing to the counts, which is why the results list only the others.
  const add = (hits: readonly (readonly number[])[], below: number) => {
    for (const h of hits) if (h[0]! < below) coverage.add(h.slice(1));
  };
  if (plan.strategy !== 'exhaustive') {
    const units = [...byIndex.values()].map((r) => r.units[0]!);
    const failures = units.flatMap((u) => (u.failure === null ? [] : [u.failure]));
    const failure = failures.reduce<ShardUnit['failure']>((best, f) => (best === null || f.at < best.at ? f : best), null);
    const schedules = failure === null ? plan.schedules : failure.at + 1;
    for (const u of units) {
      // The shard ran u.unit, u.unit + count, …: it must have run every one of them below `schedules`.
      const needed = Math.max(0, Math.ceil((schedules - u.unit) / count));
      if (u.schedules < needed) throw shardError(`shard ${u.unit + 1}/${count} ran ${u.schedules} schedule(s), the merge needs ${needed} of them`);
      add(u.hits, schedules);
    }
    const explorePlan = explorationPlan(target, options);
    let found = null;
    if (failure !== null) {
      const run = runPlannedSchedule(target, options, explorePlan, failure.at);
      if (run.outcome.violation === null || run.outcome.sim.choices.join(',') !== failure.choices.join(',')) throw shardError(`schedule ${failure.at} does not fail again as its shard said (another fltsim or scenario, or an edited file)`);
      found = { outcome: run.outcome, seed: run.seed, choices: failure.choices };
    }
    return concludeExploration(target, options, { schedules, exhausted: false, pctBound: planBound(explorePlan), coverage: coverage.result(), found });
  }
  let schedules = 0;
  let exhausted = true;
  let failure: { at: number; choices: readonly string[] } | null = null;
  for (let r = 0; r < first.roots; r++) {
    if (schedules >= plan.schedules) {
      exhausted = false;
      break;
    }
    const owner = byIndex.get((r % count) + 1)!;
    const unit = owner.units.find((u) => u.unit === r);
    if (unit === undefined) throw shardError(`shard ${(r % count) + 1}/${count} has no result for subtree ${r}`);
    const remaining = plan.schedules - schedules;
    if (unit.failure !== null && unit.failure.at < remaining) {
      add(unit.hits, unit.failure.at + 1);
      schedules += unit.failure.at + 1;
      failure = unit.failure;
      break;
    }
    const ran = Math.min(unit.schedules, remaining);
    add(unit.hits, ran);
    schedules += ran;
    // With exactly `remaining` left, a single run ends exhausted only if nothing ran after its last schedule.
    if (unit.schedules > remaining || !unit.exhausted || (unit.schedules === remaining && unit.prunedAfterLast > 0)) exhausted = false;
  }
  let found = null;
  if (failure !== null) {
    const outcome = runSchedule(target, { ...scheduleBase(options), seed: plan.seed, strategy: replayStrategy(failure.choices) });
    if (outcome.violation === null) throw shardError('the failing schedule a shard reported passes when re-run (another fltsim or scenario, or an edited file)');
    found = { outcome, seed: plan.seed, choices: failure.choices };
  }
  return concludeExploration(target, options, { schedules, exhausted: found === null && exhausted, pctBound: null, coverage: coverage.result(), found });
}
