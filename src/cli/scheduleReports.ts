/**
 * The coordinator's side of a random or PCT exploration spread over threads (`--workers N`, and an
 * exploration pool): the schedules' reports as they arrive, in any order, and the exploration's
 * answer once every needed index is in. Schedule i depends only on the plan and i, so the answer is
 * the lowest failing index f; the coverage is summed over indices 0..f, and the failing schedule is
 * re-run on this thread (it is deterministic) for its log, its trace and its shrinking, which then
 * happen exactly as in `explore`: the report is the one a single thread gives.
 */
import { FltSimError, ReplayDivergenceError } from '../kernel/errors.js';
import { CoverageCounter } from '../explore/coverage.js';
import { concludeExploration, explorationPlan, planBound, runPlannedSchedule, type ExplorationPlan } from '../explore/explore.js';
import type { ExploreResult } from '../explore/types.js';
import type { Scenario } from '../scenarios/scenario.js';
import { sharedCells, type ExploreWorkerData, type ScheduleReport } from './exploreWorker.js';

export type ParallelExploreOptions = ExploreWorkerData['options'] & { readonly strategy: 'random' | 'pct' };

export class ScheduleReports {
  readonly budget: number;
  /** The exploration's shared cells (exploreWorker.ts): the lowest failing index, the next index not handed out. */
  readonly shared: SharedArrayBuffer;
  /** Resolved once every index up to the lowest failure (or the budget) is reported. */
  readonly complete: Promise<void>;
  private readonly cells: Int32Array;
  private made: ExplorationPlan | null = null;
  private readonly reports = new Map<number, ScheduleReport>();
  private violations = 0;
  private reported = 0;
  private resolve: () => void = () => {};

  constructor(
    private readonly scenario: Scenario,
    private readonly options: ParallelExploreOptions,
    private readonly onProgress?: (done: number, budget: number, violations: number) => void,
  ) {
    this.budget = options.schedules ?? 1000;
    this.shared = sharedCells(this.budget);
    this.cells = new Int32Array(this.shared);
    this.complete = new Promise<void>((resolve) => (this.resolve = resolve));
  }

  /**
   * The plan every worker derives too (a pure function of the scenario and options). The one-shot
   * form makes it after starting its workers, so that their start-up overlaps it; a pool, whose
   * workers are running, makes it first, so that bad options throw here before any worker is asked.
   */
  plan(): ExplorationPlan {
    return (this.made ??= explorationPlan(this.scenario, this.options));
  }

  add(batch: readonly ScheduleReport[]): void {
    for (const r of batch) {
      this.reports.set(r[0]!, r);
      this.violations += r[1]!;
    }
    this.onProgress?.(this.reports.size, this.budget, this.violations);
    while (this.reports.has(this.reported)) this.reported++;
    const failing = Atomics.load(this.cells, 0);
    if (this.reported >= (failing < this.budget ? failing + 1 : this.budget)) this.resolve();
  }

  /** The exploration's result: coverage over the needed indices, the failing schedule re-run here and shrunk. */
  result(): ExploreResult {
    const { scenario, options, budget } = this;
    const plan = this.plan();
    const failing = Atomics.load(this.cells, 0);
    const schedules = failing < budget ? failing + 1 : budget;
    const coverage = new CoverageCounter(plan.windows);
    for (let i = 0; i < schedules; i++) {
      const r = this.reports.get(i);
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
}
