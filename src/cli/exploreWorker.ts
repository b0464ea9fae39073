/**
 * One worker thread of `fltsim explore --workers N` (see parallelExplore.ts). Worker w runs the
 * plan's schedules w, w+N, w+2N, … and posts each one's window hits and verdict in batches. It
 * stops at the first index past the lowest failing index any worker has found (a shared Int32),
 * because the exploration's answer is the lowest failing index and everything before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InvariantVerdicts } from '../explore/check.js';
import { explorationPlan, runPlannedSchedule } from '../explore/explore.js';
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
  readonly stride: number;
  /** Int32[1]: the lowest failing index found so far; `schedules` while none is. */
  readonly firstFailure: SharedArrayBuffer;
}

/** One schedule's result: [index, violated (0/1), ...hits per window]. */
export type ScheduleReport = readonly number[];

export type ExploreWorkerMessage = { readonly kind: 'batch'; readonly reports: readonly ScheduleReport[] } | { readonly kind: 'done' };

/** Schedules per message: large enough that posting costs little, small enough for a live progress line. */
const BATCH = 32;

/** The worker's loop, callable without a thread (the tests drive it directly). */
export function exploreWorkerLoop(data: ExploreWorkerData, post: (m: ExploreWorkerMessage) => void, scenario: Scenario = findScenario(data.scenarioId)): void {
  // The plan is a pure function of the scenario and options, so every worker derives the same one.
  const plan = explorationPlan(scenario, data.options);
  const budget = data.options.schedules ?? 1000;
  const firstFailure = new Int32Array(data.firstFailure);
  const verdicts = new InvariantVerdicts();
  let batch: ScheduleReport[] = [];
  for (let i = data.worker; i < budget; i += data.stride) {
    if (i > Atomics.load(firstFailure, 0)) break;
    const run = runPlannedSchedule(scenario, data.options, plan, i, verdicts);
    const violated = run.outcome.violation !== null;
    batch.push([i, violated ? 1 : 0, ...run.windowHits]);
    if (violated) {
      lowerTo(firstFailure, i);
      break;
    }
    if (batch.length === BATCH) {
      post({ kind: 'batch', reports: batch });
      batch = [];
    }
  }
  if (batch.length > 0) post({ kind: 'batch', reports: batch });
  post({ kind: 'done' });
}

/** Atomically set cell 0 to min(cell 0, value). */
function lowerTo(cell: Int32Array, value: number): void {
  for (;;) {
    const current = Atomics.load(cell, 0);
    if (current <= value || Atomics.compareExchange(cell, 0, current, value) === current) return;
  }
}

const started = workerData as Partial<ExploreWorkerData> | null;
if (parentPort !== null && started?.kind === 'fltsim-explore') {
  const port = parentPort;
  const data = started as ExploreWorkerData;
  const scenario = data.module === undefined ? Promise.resolve(findScenario(data.scenarioId)) : loadScenarioModule(data.module).then((r) => r.scenario);
  void scenario.then((s) => exploreWorkerLoop(data, (m) => port.postMessage(m), s));
}
