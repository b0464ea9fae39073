/**
 * One worker thread of `fltsim explore --workers N` (see parallelExplore.ts). The workers take the
 * plan's schedule indices in chunks from a shared counter, in increasing order, so a worker that
 * gets more of the machine runs more of them (a fixed split waits for the slowest worker), and
 * post each one's window hits and verdict in batches. A worker stops at the first index past the
 * lowest failing index any worker has found (a shared Int32), because the exploration's answer is
 * the lowest failing index and everything before it; every lower index was handed out before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InvariantVerdicts } from '../explore/verdicts.js';
import { explorationPlan, runPlannedSchedule } from '../explore/explore.js';
import { runShard, type ShardPlan, type ShardResult } from '../explore/shard.js';
import type { ExploreOptions } from '../explore/types.js';
import { findScenario, type Scenario } from '../scenarios/index.js';
import { loadScenarioModule } from './scenarioModule.js';

/** What the coordinator hands each worker: plain data only (windows and monitors are functions). */
export interface ExploreWorkerData {
  /** Marks the workerData as ours: this module runs its loop only when started with it. */
  readonly kind: 'fltsim-explore';
  readonly scenarioId: string;
  /** A scenario module's absolute path: the worker imports it (a module is code, trusted like the command line). */
  readonly module?: string;
  readonly options: Pick<ExploreOptions, 'strategy' | 'seed' | 'schedules' | 'args' | 'depth' | 'maxSteps' | 'maxOperationsInFlight' | 'disabledRules'>;
  readonly worker: number;
  /** Int32[2]: [0] the lowest failing index found so far (`schedules` while none is), [1] the next index not handed out. */
  readonly shared: SharedArrayBuffer;
  /** Indices a worker takes at a time. */
  readonly chunk: number;
}

/** The shared cells of one exploration: no failure yet, nothing handed out. */
export function sharedCells(budget: number): SharedArrayBuffer {
  const shared = new SharedArrayBuffer(8);
  new Int32Array(shared)[FIRST_FAILURE] = budget;
  return shared;
}

const FIRST_FAILURE = 0;
const NEXT = 1;

/** One schedule's result: [index, violated (0/1), ...hits per window]. */
export type ScheduleReport = readonly number[];

export type ExploreWorkerMessage = { readonly kind: 'batch'; readonly reports: readonly ScheduleReport[] } | { readonly kind: 'done' };

/**
 * Schedules per message: large enough that posting costs little, small enough for a live progress
 * line (128 of the smallest race's ~0.3 ms schedules is ~40 ms). Each message wakes the calling
 * thread: at 32 a pool of 2 spent 2.3–2.9% of its workers' CPU again on the calling thread, at 128
 * 1.3–1.5% (4,000 schedules, load ~11).
 */
const BATCH = 128;

/**
 * The worker's loop, callable without a thread (the tests drive it directly). `verdicts`: the §14
 * verdicts by log it may reuse (a pool's worker keeps them across explorations of one scenario).
 */
export function exploreWorkerLoop(data: ExploreWorkerData, post: (m: ExploreWorkerMessage) => void, scenario: Scenario = findScenario(data.scenarioId), verdicts = new InvariantVerdicts()): void {
  // The plan is a pure function of the scenario and options, so every worker derives the same one.
  const plan = explorationPlan(scenario, data.options);
  const budget = data.options.schedules ?? 1000;
  const cells = new Int32Array(data.shared);
  let batch: ScheduleReport[] = [];
  let failed = false;
  while (!failed) {
    const start = Atomics.add(cells, NEXT, data.chunk);
    for (let i = start; i < Math.min(start + data.chunk, budget); i++) {
      if (i > Atomics.load(cells, FIRST_FAILURE)) break;
      const run = runPlannedSchedule(scenario, data.options, plan, i, verdicts);
      const violated = run.outcome.violation !== null;
      batch.push([i, violated ? 1 : 0, ...run.windowHits]);
      if (violated) {
        lowerTo(cells, i);
        failed = true;
        break;
      }
      if (batch.length === BATCH) {
        post({ kind: 'batch', reports: batch });
        batch = [];
      }
    }
    // Past the budget or the lowest failure: every later chunk would be too.
    if (start + data.chunk >= budget || start + data.chunk > Atomics.load(cells, FIRST_FAILURE)) break;
  }
  if (batch.length > 0) post({ kind: 'batch', reports: batch });
  post({ kind: 'done' });
}

/** Atomically set the first-failure cell to min(cell, value). */
function lowerTo(cells: Int32Array, value: number): void {
  for (;;) {
    const current = Atomics.load(cells, FIRST_FAILURE);
    if (current <= value || Atomics.compareExchange(cells, FIRST_FAILURE, current, value) === current) return;
  }
}

/**
 * What the coordinator hands a worker of an exhaustive search on N threads: the plan, as a shard of
 * it gets it, and which of N shards to search (its subtrees: src/explore/shard.ts).
 */
export interface ExhaustiveWorkerData {
  readonly kind: 'fltsim-explore-shard';
  readonly plan: ShardPlan;
  readonly index: number;
  readonly count: number;
}

export type ExhaustiveWorkerMessage = { readonly kind: 'shard'; readonly result: ShardResult };

/** What an exploration pool's worker is started with (explorationPool.ts): it then waits for explorations. */
export interface PoolWorkerData {
  readonly kind: 'fltsim-explore-pool';
}

/**
 * An exploration handed to a pool's worker: random or PCT indices from the shared counter, or one
 * shard of an exhaustive plan's subtrees. `id` tags what it posts back, so a late message of an
 * earlier exploration is told apart.
 */
export type PoolRequest =
  | { readonly kind: 'explore'; readonly id: number; readonly data: ExploreWorkerData }
  | { readonly kind: 'shard'; readonly id: number; readonly data: ExhaustiveWorkerData };

export type PoolWorkerMessage = (ExploreWorkerMessage | ExhaustiveWorkerMessage | { readonly kind: 'failed'; readonly error: Error }) & { readonly id: number };

const started = workerData as Partial<ExploreWorkerData> | Partial<ExhaustiveWorkerData> | Partial<PoolWorkerData> | null;
const scenarioOf = (id: string, module: string | undefined): Promise<Scenario> => (module === undefined ? Promise.resolve(findScenario(id)) : loadScenarioModule(module).then((r) => r.scenario));
if (parentPort !== null && started?.kind === 'fltsim-explore') {
  const port = parentPort;
  const data = started as ExploreWorkerData;
  void scenarioOf(data.scenarioId, data.module).then((s) => exploreWorkerLoop(data, (m) => port.postMessage(m), s));
} else if (parentPort !== null && started?.kind === 'fltsim-explore-shard') {
  const port = parentPort;
  const data = started as ExhaustiveWorkerData;
  void scenarioOf(data.plan.scenario, data.plan.module?.path).then((s) => port.postMessage({ kind: 'shard', result: runShard(s, data.plan, data.index, data.count) } satisfies ExhaustiveWorkerMessage));
} else if (parentPort !== null && started?.kind === 'fltsim-explore-pool') {
  const port = parentPort;
  // A module is imported once per worker (an ES module cannot be loaded again anyway).
  const modules = new Map<string, Promise<Scenario>>();
  const scenario = (id: string, module: string | undefined): Promise<Scenario> => {
    if (module === undefined) return Promise.resolve(findScenario(id));
    let loaded = modules.get(module);
    if (loaded === undefined) modules.set(module, (loaded = scenarioOf(id, module)));
    return loaded;
  };
  // The §14 verdicts of the logs this worker has checked, kept while the explorations it is given
  // are of one scenario: a verdict is a pure function of the log (InvariantVerdicts), and the
  // explorations of one scenario — other seeds, budgets, arguments — see mostly the same logs (the
  // smallest race: ~175 distinct ones in 16,000 schedules, each ~0.6 ms of checking, which every
  // worker of every exploration paid again). Another scenario starts afresh, so the cache, bounded
  // and never emptied, holds one scenario's logs and not the first scenarios' for the pool's life.
  let verdicts: { readonly of: string; readonly kept: InvariantVerdicts } | null = null;
  const verdictsFor = (data: ExploreWorkerData): InvariantVerdicts => {
    const of = `${data.scenarioId}\0${data.module ?? ''}`;
    if (verdicts?.of !== of) verdicts = { of, kept: new InvariantVerdicts() };
    return verdicts.kept;
  };
  // Requests are handled one after another, in the order they came: each exploration's loop runs to
  // its end before the next starts (the pool gives a worker one exploration at a time).
  let queue = Promise.resolve();
  port.on('message', (request: PoolRequest) => {
    const { id } = request;
    queue = queue.then(async () => {
      try {
        if (request.kind === 'explore') {
          const { data } = request;
          exploreWorkerLoop(data, (m) => port.postMessage({ ...m, id } satisfies PoolWorkerMessage), await scenario(data.scenarioId, data.module), verdictsFor(data));
        } else {
          const { plan, index, count } = request.data;
          port.postMessage({ kind: 'shard', id, result: runShard(await scenario(plan.scenario, plan.module?.path), plan, index, count) } satisfies PoolWorkerMessage);
        }
      } catch (error) {
        port.postMessage({ kind: 'failed', id, error: error instanceof Error ? error : new Error(String(error)) } satisfies PoolWorkerMessage);
      }
    });
  });
}
