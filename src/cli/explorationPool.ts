/**
 * A pool of worker threads kept across explorations, for a host that runs many (a test suite, a
 * service, a sweep over seeds or variants). `fltsim explore --workers N` starts its threads for one
 * exploration and ends them (parallelExplore.ts), so every worker pays its start-up and V8's JIT
 * warm-up — compiling the engine anew, ~3,000 schedules' worth of CPU on the smallest race — inside
 * the exploration. A pool's workers pay it once and stay warm: the second exploration runs at full
 * speed from its first schedule (docs/exploration.md, "Many explorations: a pool").
 *
 * An exploration on the pool is the one `fltsim explore --workers N` runs: the workers take schedule
 * indices in chunks from a shared counter (exploreWorker.ts) and the report is the one a single
 * thread gives (scheduleReports.ts). Here the calling thread runs no schedule: it hands work out,
 * collects the reports, and re-runs and shrinks the failing schedule, if any. Explorations run one
 * at a time, in the order `explore` was called. Idle workers do not keep the process alive.
 *
 * Node only (worker_threads): the `fltsim/node` entry.
 */
import { UsageError } from '../kernel/errors.js';
import { badArgument } from '../kernel/arguments.js';
import { exploreOptionsArgument } from '../explore/exploreArguments.js';
import type { ExploreOptions, ExploreResult } from '../explore/types.js';
import type { PoolRequest, PoolWorkerMessage } from './exploreWorker.js';
import { CHUNK } from './parallelExplore.js';
import { resolveScenario, type ResolvedScenario } from './scenarioModule.js';
import { shardPlan } from './shardCommand.js';
import type { ExploreCliOptions } from './exploreCommand.js';
import type { VerifierRule } from '../kernel/verifierRules.js';
import { mergeShards, type ShardResult } from '../explore/shard.js';
import { ScheduleReports, type ParallelExploreOptions } from './scheduleReports.js';
import { startWorker, type StartedWorker } from './workerThread.js';

export interface ExplorationPoolOptions {
  /** Worker threads, 1..64 (typically the number of cores). */
  readonly workers: number;
}

/** What one exploration on a pool is given: the options `fltsim explore` has (random, PCT or exhaustive). */
export type PoolExploreOptions = Omit<ParallelExploreOptions, 'strategy'> &
  Pick<ExploreOptions, 'preemptionBound' | 'splitDepth' | 'maxRuns' | 'reduction'> & {
    /** 'random' when left out, as for `explore`. */
    readonly strategy?: 'random' | 'pct' | 'exhaustive';
    /** Random and PCT: called as reports arrive with the schedules done, the budget and the violations so far. */
    readonly onProgress?: (done: number, budget: number, violations: number) => void;
  };

const SENT = ['strategy', 'seed', 'schedules', 'args', 'depth', 'maxSteps', 'maxOperationsInFlight', 'disabledRules'] as const satisfies readonly (keyof ParallelExploreOptions)[];

export interface ExplorationPool {
  readonly workers: number;
  /**
   * Explore a built-in scenario (its id) or a scenario module (a path, as `fltsim explore` takes
   * it; each worker imports a module once, so a module changed after its first exploration is not
   * seen again) on the pool's threads. The result is the one `explore` gives on one thread for the
   * same scenario and options.
   */
  explore(target: string, options: PoolExploreOptions): Promise<ExploreResult>;
  /** End the workers once the explorations asked for are over; `explore` afterwards rejects. */
  close(): Promise<void>;
}

/** What a shard plan can carry of exhaustive options (it is JSON: string arguments, no step limits). */
function exhaustiveArguments(opts: PoolExploreOptions): void {
  for (const [key, value] of Object.entries(opts.args ?? {})) {
    if (typeof value !== 'string') throw badArgument('ExplorationPool.explore', `options.args.${key} is ${typeof value}: an exhaustive search on a pool takes string arguments, as \`fltsim explore --arg\` does`);
  }
  for (const key of ['maxSteps', 'maxOperationsInFlight'] as const) {
    if (opts[key] !== undefined) throw badArgument('ExplorationPool.explore', `options.${key}: an exhaustive search on a pool takes the scenario's own limits, as \`fltsim explore\` does`);
  }
}

export function createExplorationPool(options: ExplorationPoolOptions): ExplorationPool {
  const size = options.workers;
  if (!Number.isInteger(size) || size < 1 || size > 64) throw new UsageError('BAD_OPTION', `createExplorationPool: workers must be an integer from 1 to 64, got ${String(size)}`);
  let threads: StartedWorker[] = [];
  /** The exploration under way: its id, and where its workers' messages go. */
  let current: { readonly id: number; onMessage(worker: number, m: PoolWorkerMessage): void; fail(error: Error): void } | null = null;
  let broken: Error | null = null;
  const start = (sources: boolean): StartedWorker[] =>
    Array.from({ length: size }, (_, w) => {
      const started = startWorker({ kind: 'fltsim-explore-pool' }, sources);
      const thread = started.worker;
      thread.unref();
      thread.on('message', (m: PoolWorkerMessage) => {
        // A worker that started late posts the 'done' of explorations already concluded: ignored.
        if (current !== null && m.id === current.id) current.onMessage(w, m);
      });
      const lost = (error: Error): void => {
        if (!threads.includes(started)) return; // replaced on purpose (below)
        broken ??= error;
        current?.fail(error);
      };
      thread.on('error', lost);
      thread.on('exit', (code) => lost(new Error(`exploration pool: worker ${w} exited with code ${code}`)));
      return started;
    });
  threads = start(false);
  let closed = false;
  let ids = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const run = async (target: string, opts: PoolExploreOptions): Promise<ExploreResult> => {
    if (broken !== null) throw broken;
    exploreOptionsArgument('ExplorationPool.explore', opts);
    const strategy = opts.strategy ?? 'random';
    if (strategy === 'exhaustive') exhaustiveArguments(opts);
    // What a worker is sent: the fields it reads, plain data (a stray function would not cross).
    // Fields left out stay absent (a default applies), as in the options `explore` is given.
    const explore = { ...Object.fromEntries(SENT.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]])), strategy } as ParallelExploreOptions;
    const onProgress = opts.onProgress;
    const resolved = await resolveScenario(target);
    if (resolved.module !== undefined && threads.some((t) => t.compiledFromSources)) {
      // A scenario module may import the checkout's sources, which a compiled worker's engine does
      // not recognise: from now on the pool runs the sources, as this thread does.
      const compiled = threads;
      threads = start(true);
      await Promise.all(compiled.map((t) => t.worker.terminate()));
    }
    if (strategy === 'exhaustive') return exhaustive(resolved, opts);
    const reports = new ScheduleReports(resolved.scenario, explore, onProgress);
    reports.plan();
    const id = ++ids;
    const done = new Set<number>();
    const over = new Promise<void>((resolve, reject) => {
      current = {
        id,
        onMessage(worker, m) {
          if (m.kind === 'batch') reports.add(m.reports);
          else if (m.kind === 'failed') reject(m.error);
          else if (done.add(worker).size === size) resolve();
        },
        fail: reject,
      };
    });
    // A worker lost after the exploration concluded rejects `over` with no one awaiting it.
    over.catch(() => undefined);
    for (const t of threads) t.worker.ref();
    try {
      const module = resolved.module?.path;
      threads.forEach(({ worker: t }, w) => {
        const data = { kind: 'fltsim-explore', scenarioId: resolved.scenario.id, ...(module === undefined ? {} : { module }), options: explore, shared: reports.shared, chunk: CHUNK, worker: w } as const;
        t.postMessage({ kind: 'explore', id, data } satisfies PoolRequest);
      });
      // Every needed index reported is the end, even while a worker still starting has taken none:
      // it takes nothing later either (the counter is past the budget or the failure).
      await Promise.race([reports.complete, over]);
    } finally {
      current = null;
      for (const t of threads) t.worker.unref();
    }
    return reports.result();
  };

  /**
   * Exhaustive search: the plan's subtrees (cut at its split depth) dealt out as to `size` shards,
   * one per worker, and merged as `fltsim merge` merges shards (src/explore/shard.ts), which gives
   * the result one thread gives with the same split depth. At split depth 0 (the default) the plan
   * is one tree, which one worker searches.
   */
  const exhaustive = async (resolved: ResolvedScenario, opts: PoolExploreOptions): Promise<ExploreResult> => {
    const { seed = 1, schedules = 1000, args = {}, depth, preemptionBound, splitDepth, maxRuns, reduction, disabledRules } = opts;
    const options: ExploreCliOptions = {
      seed,
      schedules,
      args: args as Record<string, string>, // checked: strings only (exhaustiveArguments)
      ...(depth === undefined ? {} : { depth }),
      ...(preemptionBound === undefined ? {} : { preemptionBound }),
      ...(splitDepth === undefined ? {} : { splitDepth }),
      ...(maxRuns === undefined ? {} : { maxRuns }),
      ...(reduction === undefined ? {} : { reduction }),
      // strings (exploreOptionsArgument); an unknown rule is refused where a simulation is built, as by explore()
      ...(disabledRules === undefined ? {} : { disabledRules: disabledRules as readonly VerifierRule[] }),
    };
    const plan = shardPlan({ target: resolved.scenario.id, strategy: 'exhaustive', options }, resolved);
    const id = ++ids;
    const results: ShardResult[] = [];
    const over = new Promise<void>((resolve, reject) => {
      current = {
        id,
        onMessage(_worker, m) {
          if (m.kind === 'shard') results.push(m.result);
          else if (m.kind === 'failed') reject(m.error);
          if (results.length === size) resolve();
        },
        fail: reject,
      };
    });
    over.catch(() => undefined);
    for (const t of threads) t.worker.ref();
    try {
      threads.forEach(({ worker: t }, w) => t.postMessage({ kind: 'shard', id, data: { kind: 'fltsim-explore-shard', plan, index: w + 1, count: size } } satisfies PoolRequest));
      await over;
    } finally {
      current = null;
      for (const t of threads) t.worker.unref();
    }
    return mergeShards(resolved.scenario, results);
  };

  return {
    workers: size,
    explore(target, opts) {
      if (closed) return Promise.reject(new UsageError('BAD_OPTION', 'exploration pool: explore after close'));
      const next = queue.then(() => run(target, opts));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      closed = true;
      await queue;
      broken ??= new Error('exploration pool: closed');
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
