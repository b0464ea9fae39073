/**
 * `fltsim explore --workers N`: a random or PCT exploration spread over N worker threads, with the
 * same answer a single thread gives. Schedule i depends only on the plan and i (explorationPlan), so
 * the threads run disjoint indices, taken in chunks from a shared counter (exploreWorker.ts); this
 * thread is one of them; scheduleReports.ts turns their reports into the report one thread prints.
 * This is the one-shot form the CLI runs; explorationPool.ts keeps its threads across explorations.
 *
 * Node only (worker_threads), which is why this lives in the CLI and not in src/explore.
 */
import type { ExploreResult } from '../explore/types.js';
import type { Scenario } from '../scenarios/scenario.js';
import { exploreWorkerLoop, type ExhaustiveWorkerMessage, type ExploreWorkerData, type ExploreWorkerMessage, type ScheduleReport } from './exploreWorker.js';
import { mergeShards, type ShardPlan, type ShardResult } from '../explore/shard.js';
import { ScheduleReports, type ParallelExploreOptions } from './scheduleReports.js';
import { startWorker } from './workerThread.js';

export type { ParallelExploreOptions } from './scheduleReports.js';

/**
 * Schedule indices a worker takes at a time: a few milliseconds of work each, so a worker that gets
 * less of the machine holds up the end by at most one chunk.
 */
export const CHUNK = 16;

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
  const reports = new ScheduleReports(scenario, options, onProgress);
  const onBatch = (batch: readonly ScheduleReport[]): void => reports.add(batch);
  const data = { kind: 'fltsim-explore', scenarioId: scenario.id, ...(module === undefined ? {} : { module }), options, shared: reports.shared, chunk: CHUNK } as const;
  const count = Math.max(1, Math.min(workers, reports.budget));
  // This thread is one of the N: it has the modules loaded and warm, so it runs schedules at once
  // while the other N-1 start up (loading the modules, warming up), and they join as they are ready.
  // A worker still starting when every needed index is reported has nothing left that is needed,
  // and is not waited for.
  const threads = Array.from({ length: count - 1 }, (_, w) => spawn({ ...data, worker: w + 1 }, onBatch));
  try {
    exploreWorkerLoop({ ...data, worker: 0 }, (m) => void (m.kind === 'batch' && onBatch(m.reports)), scenario);
    await Promise.race([reports.complete, Promise.all(threads.map((t) => t.finished))]);
  } finally {
    for (const t of threads) t.stop();
  }
  return reports.result();
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
    const { worker } = startWorker({ kind: 'fltsim-explore-shard', plan, index: w + 1, count }, plan.module !== undefined);
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
  const { worker } = startWorker(data, data.module !== undefined);
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
