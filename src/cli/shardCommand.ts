/**
 * `fltsim explore <scenario> --shard K/N [--out FILE]`: run the K-th of N partitions of one
 * exploration plan and write its result file (src/explore/shard.ts), for `fltsim merge`. Shards
 * run on different machines (a CI matrix, a Kubernetes Indexed Job), so the plan is everything in
 * the file the merge needs; a shard exits 0 once its file is written, and the merge reports.
 */
import { runShard, type ShardPlan } from '../explore/shard.js';
import { stringOption, type Parsed } from './args.js';
import { EXIT, usageError } from './exitCodes.js';
import { writeChunks } from './files.js';
import type { CliIo } from './io.js';
import type { ResolvedScenario } from './scenarioModule.js';
import type { StrategyChoice } from '../explore/types.js';
import type { ExploreCliOptions } from './exploreCommand.js';

/** `--shard K/N`: 1 ≤ K ≤ N ≤ 10,000, or null when not given. */
export function shardOption(p: Parsed): { readonly index: number; readonly count: number } | null {
  const v = stringOption(p, 'shard');
  if (v === undefined) {
    if (stringOption(p, 'out') !== undefined) throw usageError('--out names the result file of --shard K/N, which is not given');
    return null;
  }
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(v);
  const index = m === null ? NaN : Number(m[1]);
  const count = m === null ? NaN : Number(m[2]);
  if (!(index >= 1 && count >= 1 && index <= count && count <= 10_000)) throw usageError(`--shard must be K/N with 1 <= K <= N <= 10000, got '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`);
  return { index, count };
}

/** The plan the command line describes, as every shard of it (and every worker of `--workers`) gets it. */
export function shardPlan(r: Pick<ShardRequest, 'target' | 'strategy' | 'options'>, resolved: ResolvedScenario): ShardPlan {
  return {
    // A module's plan names its scenario by id and records where the module is and its digest, as a trace does.
    scenario: resolved.module === undefined ? r.target : resolved.scenario.id,
    ...(resolved.module === undefined ? {} : { module: resolved.module }),
    args: r.options.args,
    strategy: r.strategy,
    seed: r.options.seed,
    schedules: r.options.schedules,
    depth: r.options.depth ?? 2,
    bound: r.options.preemptionBound ?? 2,
    splitDepth: r.options.splitDepth ?? 0,
    ...(r.options.maxRuns === undefined ? {} : { maxRuns: r.options.maxRuns }),
    ...(r.options.reduction === undefined ? {} : { reduction: r.options.reduction }),
    // Only when given, so a plan without it reads as before (and the shard file's format keeps its version).
    ...(r.options.disabledRules === undefined ? {} : { disabledRules: r.options.disabledRules }),
  };
}

interface ShardRequest {
  readonly target: string;
  readonly strategy: StrategyChoice;
  readonly options: ExploreCliOptions;
  readonly workers: number;
}

export async function runShardCommand(p: Parsed, r: ShardRequest, shard: { readonly index: number; readonly count: number }, resolved: ResolvedScenario, io: CliIo): Promise<number> {
  if (r.workers > 1) throw usageError('--shard and --workers do not combine: run more shards instead');
  for (const flag of ['trace', 'trace-shrunk']) if (stringOption(p, flag) !== undefined) throw usageError(`--${flag} goes to fltsim merge, which finds the failing schedule of the whole plan`);
  const plan = shardPlan(r, resolved);
  const out = stringOption(p, 'out') ?? `shard-${shard.index}-of-${shard.count}.json`;
  const result = runShard(resolved.scenario, plan, shard.index, shard.count);
  writeChunks(out, [JSON.stringify(result), '\n']);
  const schedules = result.units.reduce((n, u) => n + u.schedules, 0);
  const failed = result.units.some((u) => u.failure !== null);
  const units = plan.strategy === 'exhaustive' ? `, ${result.units.length} of ${result.roots} subtree(s)` : '';
  io.out(`# shard ${shard.index}/${shard.count} of ${resolved.scenario.id} with ${plan.strategy}: ${schedules} schedule(s)${units}${failed ? ', a violation among them' : ''}; result in ${out}`);
  io.out(`# merge the ${shard.count} result(s): fltsim merge <files>`);
  return EXIT.ok;
}
