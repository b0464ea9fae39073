/**
 * `fltsim explore --shard K/N` (issue 16, item 5): the target is that the shards of one plan cost,
 * added up, at most 1.1x the single run of the same plan — partitioning must not re-do work. Two
 * measurements, both in this run:
 *
 * - In one process (`runShard` for K = 1..N one after the other, against `explore` on the same
 *   plan), CPU seconds of this process, warm: what the partition itself costs — the plan every shard
 *   rebuilds (PCT's k from 4 random runs, the exhaustive plan's subtree roots) and, exhaustive, the
 *   state hashing and reduction a subtree cannot share with its siblings. The target is read here.
 * - As processes (`fltsim explore ... --shard K/2` twice, then `fltsim merge`, against one
 *   `fltsim explore`), their CPU seconds, one after another: what a CI matrix pays, start-up and
 *   each process's JIT warm-up included. Those are a constant per process, so the ratio rises
 *   toward the in-process one as the plan grows; the row's note gives the start-up alone.
 *
 * The plans never stop early (the fixed variants: no violation), so every shard runs its whole share.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore, mergeShards, runShard, type ShardPlan } from '../src/explore/index.js';
import { exploreOptionsOf } from '../src/explore/shard.js';
import { findScenario } from '../src/scenarios/index.js';
import { formatNumber, median, type Row } from './harness.js';

const SHARDS = 2;
const TARGET = 1 / 1.1;

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function timed(work: () => unknown): number {
  const start = cpuSeconds();
  work();
  return cpuSeconds() - start;
}

const PLANS: readonly ShardPlan[] = [
  { scenario: 'race-unload-sync-read', args: { variant: 'fixed' }, strategy: 'random', seed: 7, schedules: 1_000, depth: 2, bound: 2, splitDepth: 0 },
  { scenario: 'race-unload-sync-read', args: { variant: 'fixed' }, strategy: 'pct', seed: 7, schedules: 1_000, depth: 2, bound: 2, splitDepth: 0 },
  { scenario: 'race-unload-async-read', args: { variant: 'fixed' }, strategy: 'exhaustive', seed: 1, schedules: 100_000, depth: 2, bound: 2, splitDepth: 2 },
];

function inProcess(plan: ShardPlan): Row {
  const scenario = findScenario(plan.scenario);
  const single = () => explore(scenario, exploreOptionsOf(plan));
  const shards = () => {
    const results = Array.from({ length: SHARDS }, (_, k) => runShard(scenario, plan, k + 1, SHARDS));
    return mergeShards(scenario, results);
  };
  // Warm both paths first, then alternate so load drifts hit both alike.
  single();
  shards();
  const singles: number[] = [];
  const sums: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    singles.push(timed(single));
    sums.push(timed(shards));
  }
  const one = median([...singles].sort((a, b) => a - b));
  const sum = median([...sums].sort((a, b) => a - b));
  return {
    name: `explore --shard: ${SHARDS} shards + merge over one run, ${plan.strategy} ${plan.scenario} fixed (in-process CPU)`,
    value: sum,
    unit: 's',
    baseline: { name: 'one run', value: one },
    // The target is "sum <= 1.1 x single": as a ratio where higher is better, single / sum >= 1/1.1.
    ratio: one / sum,
    target: TARGET,
    note: `ratio = one run / sum of shards (sum = ${(sum / one).toFixed(3)}x the run); ${plan.strategy === 'exhaustive' ? `bound ${plan.bound}, split depth ${plan.splitDepth}` : `${plan.schedules} schedules`}; medians of 3`,
  };
}

/** CPU seconds of the children this process has waited for (Linux: /proc/self/stat cutime + cstime), or null. */
function childrenCpu(): number | null {
  try {
    // After the command name in parentheses the fields start at the third (state), so cutime (16th)
    // and cstime (17th) sit at offsets 13 and 14; both count clock ticks, 100 a second on Linux.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/** The CLI as a user runs it (bin/fltsim.mjs: compiled dist/ when it is current, else tsx): its CPU seconds, or wall seconds where /proc is missing. */
function cli(args: readonly string[], cwd: string): number {
  const cpu = childrenCpu();
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'fltsim.mjs'), ...args], { cwd, encoding: 'utf8' });
  // explore exits 0 with no violation; merge likewise. Anything else means the figure is wrong.
  if (r.status !== 0) throw new Error(`fltsim ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const after = childrenCpu();
  return cpu !== null && after !== null ? after - cpu : Number(process.hrtime.bigint() - start) / 1e9;
}

function asProcesses(schedules: number): Row {
  const dir = mkdtempSync(join(tmpdir(), 'fltsim-bench-shards-'));
  try {
    const plan = ['race-unload-sync-read', '--arg', 'variant=fixed', '--strategy', 'random', '--seed', '7'];
    const startUp = cli(['explore', ...plan, '--schedules', '1'], dir);
    const single = cli(['explore', ...plan, '--schedules', String(schedules)], dir);
    let sum = 0;
    for (let k = 1; k <= SHARDS; k++) sum += cli(['explore', ...plan, '--schedules', String(schedules), '--shard', `${k}/${SHARDS}`, '--out', `s${k}.json`], dir);
    const merge = cli(['merge', ...Array.from({ length: SHARDS }, (_, k) => `s${k + 1}.json`)], dir);
    const unit = childrenCpu() === null ? 'wall' : 'CPU';
    return {
      name: `explore --shard: ${SHARDS} shard processes + merge over one process, random, ${formatNumber(schedules)} schedules (${unit})`,
      value: sum + merge,
      unit: 's',
      baseline: { name: 'one process', value: single },
      ratio: single / (sum + merge),
      note: `sum = ${((sum + merge) / single).toFixed(3)}x the run; a process's start-up and JIT warm-up (${startUp.toFixed(2)} s for one schedule) are paid per shard and by the merge (${merge.toFixed(2)} s), so the ratio nears the in-process one as plans grow; no target`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function exploreShardFigures(): Row[] {
  return [...PLANS.map(inProcess), asProcesses(4_000)];
}
