/**
 * `fltsim explore --workers N`: a random or PCT exploration spread over N worker threads, with the
 * same answer a single thread gives. Schedule i depends only on the plan and i (explorationPlan), so
 * the threads run disjoint indices, taken in chunks from a shared counter (exploreWorker.ts); this
 * thread is one of them. The answer is the lowest failing index f, the coverage is summed over
 * indices 0..f, and the failing schedule is re-run here (it is deterministic) for its log, its
 * trace and its shrinking, which then happen exactly as in `explore`.
 *
 * Node only (worker_threads), which is why this lives in the CLI and not in src/explore.
 */
import { FltSimError, ReplayDivergenceError } from '../kernel/errors.js';
import { Worker } from 'node:worker_threads';
import { CoverageCounter } from '../explore/coverage.js';
import { concludeExploration, explorationPlan, planBound, runPlannedSchedule } from '../explore/explore.js';
import type { ExploreResult } from '../explore/types.js';
import type { Scenario } from '../scenarios/scenario.js';
import { exploreWorkerLoop, sharedCells, type ExhaustiveWorkerData, type ExhaustiveWorkerMessage, type ExploreWorkerData, type ExploreWorkerMessage, type ScheduleReport } from './exploreWorker.js';
import { mergeShards, type ShardPlan, type ShardResult } from '../explore/shard.js';

/**
 * Schedule indices a worker takes at a time: a few milliseconds of work each, so a worker that gets
 * less of the machine holds up the end by at most one chunk.
 */
const CHUNK = 16;

export type ParallelExploreOptions = ExploreWorkerData['options'] & { readonly strategy: 'random' | 'pct' };

/**
 * Explore `scenario` on `workers` threads (workers look a built-in scenario up by id, and import a module's).
 * `onProgress(done, budget, violations)` is called as batches arrive.
 */
export async function exploreInParallel(
  scenario: Scenario,
  options: ParallelExploreOptions,
  workers: number,
  /** The scenario module's absolute path, when the scenario is not built in: each worker imports it. */
  module: string | undefined,
  onProgress?: (done: number, budget: number, violations: number) => void,
): Promise<ExploreResult> {
  const budget = options.schedules ?? 1000;
  const shared = sharedCells(budget);
  const cells = new Int32Array(shared);
  const reports = new Map<number, ScheduleReport>();
  let violations = 0;
  // Done once every index up to the lowest failure (or the budget) is reported: a worker still
  // starting up then has nothing left that is needed, and is not waited for.
  let complete: () => void = () => {};
  const completed = new Promise<void>((resolve) => (complete = resolve));
  let reported = 0;
  const onBatch = (batch: readonly ScheduleReport[]): void => {
    for (const r of batch) {
      reports.set(r[0]!, r);
      violations += r[1]!;
    }
    onProgress?.(reports.size, budget, violations);
    while (reports.has(reported)) reported++;
    const failing = Atomics.load(cells, 0);
    if (reported >= (failing < budget ? failing + 1 : budget)) complete();
  };
  const data = { kind: 'fltsim-explore', scenarioId: scenario.id, ...(module === undefined ? {} : { module }), options, shared, chunk: CHUNK } as const;
  const count = Math.max(1, Math.min(workers, budget));
  // This thread is one of the N: it has the modules loaded and warm, so it runs schedules at once
  // while the other N-1 start up (loading the modules, warming up), and they join as they are ready.
  const threads = Array.from({ length: count - 1 }, (_, w) => spawn({ ...data, worker: w + 1 }, onBatch));
  try {
    exploreWorkerLoop({ ...data, worker: 0 }, (m) => void (m.kind === 'batch' && onBatch(m.reports)), scenario);
    await Promise.race([completed, Promise.all(threads.map((t) => t.finished))]);
  } finally {
    for (const t of threads) t.stop();
  }
  const plan = explorationPlan(scenario, options);
  const failing = new Int32Array(shared)[0]!;
  const schedules = failing < budget ? failing + 1 : budget;
  const coverage = new CoverageCounter(plan.windows);
  for (let i = 0; i < schedules; i++) {
    const r = reports.get(i);
    if (r === undefined) throw new FltSimError(`fltsim explore --workers: schedule ${i} was never reported (a worker stopped early)`);
    coverage.add(r.slice(2));
  }
  let found = null;
  if (failing < budget) {
    const run = runPlannedSchedule(scenario, options, plan, failing);
    if (run.outcome.violation === null) throw new ReplayDivergenceError(`fltsim explore --workers: schedule ${failing} failed on a worker but passed when re-run (nondeterminism)`, {});
    found = { outcome: run.outcome, seed: run.seed, choices: run.outcome.sim.choices.slice() };
  }
  return concludeExploration(scenario, options, { schedules, exhausted: false, pctBound: planBound(plan), coverage: coverage.result(), found });
}

/**
 * Exhaustive search on `workers` threads: the plan's subtrees (cut at its split depth) dealt out as
 * to `workers` shards, each worker searching one shard's, and the results merged as `fltsim merge`
 * merges shards, so the report is the one a single run with the same --split-depth prints. With
 * split depth 0 the plan is one tree, which one worker searches.
 */
export async function exhaustiveInParallel(scenario: Scenario, plan: ShardPlan, workers: number): Promise<ExploreResult> {
  const count = Math.max(1, workers);
  const threads = Array.from({ length: count }, (_, w) => {
    const worker = startWorker({ kind: 'fltsim-explore-shard', plan, index: w + 1, count });
    const result = new Promise<ShardResult>((resolve, reject) => {
      let got: ShardResult | null = null;
      worker.on('message', (m: ExhaustiveWorkerMessage) => void (got = m.result));
      worker.on('error', reject);
      worker.on('exit', (code) => (got !== null ? resolve(got) : reject(new Error(`fltsim explore --workers: worker ${w} exited with code ${code} before finishing`))));
    });
    return { worker, result };
  });
  try {
    const results = await Promise.all(threads.map((t) => t.result));
    return mergeShards(scenario, results);
  } finally {
    for (const t of threads) void t.worker.terminate();
  }
}

function spawn(data: ExploreWorkerData, onBatch: (reports: readonly ScheduleReport[]) => void): { stop(): void; finished: Promise<void> } {
  const worker = startWorker(data);
  let done = false;
  const finished = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: ExploreWorkerMessage) => {
      if (m.kind === 'batch') onBatch(m.reports);
      else done = true;
    });
    worker.on('error', (error) => (done ? resolve() : reject(error)));
    worker.on('exit', (code) => (done ? resolve() : reject(new Error(`fltsim explore --workers: worker ${data.worker} exited with code ${code} before finishing`))));
  });
  // Stopped on purpose (its reports are no longer needed, or this thread failed): its end is no failure.
  const stop = (): void => {
    done = true;
    void worker.terminate();
  };
  return { stop, finished };
}

/**
 * Compiled, the worker is exploreWorker.js beside this file. From a checkout (run through tsx) it is
 * the .ts source, and a worker thread does not inherit tsx's loader, so a two-line bootstrap
 * registers tsx in the worker before importing it.
 */
function startWorker(data: ExploreWorkerData | ExhaustiveWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./exploreWorker.js', here), { workerData: data });
  const entry = new URL('./exploreWorker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}
