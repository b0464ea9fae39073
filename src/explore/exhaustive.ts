/**
 * Bounded exhaustive search: depth-first over the tree of scheduling choices, re-executing the
 * scenario from scratch for every branch (a run cannot be cloned; re-execution is how fltsim
 * restores anything). Every run follows a prefix of choices, then continues without preempting;
 * each choice point past the prefix adds its untried alternatives as new prefixes, unless taking one
 * would exceed the preemption bound (CHESS's iterative context bounding, with a fixed bound).
 *
 * State hashing: at each new choice point the folded state (sim.state() without seq and time) plus
 * the enabled threads, the last thread and the preemptions spent so far is hashed; a point already
 * seen is not expanded again (its subtree was, or will be, from the first visit), and the run stops
 * there. What the hash cannot see: a filter's private JavaScript variables and the path's own facts,
 * so a scenario whose filters keep state outside the model should run with hashing off. A scenario
 * that declares its shared variables as cells (`sharedState: 'cells'`) gets the key of sleep sets
 * and stateful DPOR (stateSummaries.ts statefulKey, objects by id): the folded state alone merged
 * runs whose cells, file contents or what a thread had read of the cells differ, and lost their
 * final states (test/explore/reduced.test.ts pins a program that showed it).
 */
import { exhaustiveOptionsArgument, explorableArgument } from './exploreArguments.js';
import { ReplayDivergenceError } from '../kernel/errors.js';
import { FootprintRecorder } from '../kernel/footprint.js';
import type { Strategy } from '../kernel/strategy.js';
import type { Simulation } from '../simulation.js';
import { runCheckedSchedule, ScheduleAbandoned, type ScheduleOptions, type ScheduleOutcome } from './run.js';
import type { ChoicePoint } from './shrink.js';
import { stateKey } from './stateKey.js';
import { CellProvenance, statefulKey } from './stateSummaries.js';
import type { Explorable } from './types.js';

export interface ExhaustiveOptions extends Omit<ScheduleOptions, 'strategy' | 'onBuilt'> {
  readonly preemptionBound: number;
  readonly stateHashing: boolean;
  /** Most complete schedules to run before giving up (the space may be larger). */
  readonly maxSchedules: number;
  /** Most runs, complete or cut short, before giving up (default no limit): what bounds the work when most runs are cut. */
  readonly maxRuns?: number;
  /** Called after each complete schedule; return true to stop the search (a violation was found). */
  readonly visit: (outcome: ScheduleOutcome, choices: readonly string[]) => boolean;
  /** Search only the subtree under these first choices (a root of the plan's partition, subtrees.ts). */
  readonly root?: readonly string[];
}

export interface ExhaustiveResult {
  /** Complete schedules run. */
  readonly schedules: number;
  /** Runs cut short at a state already visited. */
  readonly pruned: number;
  /** Runs cut short after the last complete schedule: whether a smaller budget would have ended exhausted. */
  readonly prunedAfterLast: number;
  /** The bounded space was covered (not stopped by a violation or by maxSchedules). */
  readonly exhausted: boolean;
  readonly stopped: boolean;
}

/** Thrown from inside a strategy to end a run at a visited state; caught here, never escapes. */
class Pruned extends ScheduleAbandoned {}

export function exhaustiveSearch(target: Explorable, options: ExhaustiveOptions): ExhaustiveResult {
  explorableArgument('exhaustiveSearch', target);
  exhaustiveOptionsArgument('exhaustiveSearch', options);
  const seen = new Set<string>();
  const cells = options.stateHashing && target.sharedState === 'cells';
  const stack: string[][] = [[...(options.root ?? [])]];
  let schedules = 0;
  let pruned = 0;
  let prunedAfterLast = 0;
  while (stack.length > 0) {
    if (schedules >= options.maxSchedules || schedules + pruned >= (options.maxRuns ?? Infinity)) return { schedules, pruned, prunedAfterLast, exhausted: false, stopped: false };
    const prefix = stack.pop()!;
    const points: ChoicePoint[] = [];
    const holder: { sim: Simulation | null } = { sim: null };
    // Declared cells: what each thread saw in them, from the footprints. Objects keep their ids (not
    // named by their makers as stateful DPOR names them): the plain search stays the baseline the
    // reductions are measured against, merging only states that are the same.
    const recorder = cells ? new FootprintRecorder(false, false) : null;
    const provenance = new CellProvenance();
    const keyOf = (ids: readonly string[], previous: string | null, spent: number): string =>
      recorder === null
        ? stateKey(holder.sim!, ids, previous, spent)
        : recorder.unrecorded(() => `${statefulKey(holder.sim!, ids, provenance.key(recorder.steps, recorder.cellValues), recorder)}|${previous ?? ''}|${spent}`);
    const strategy = prefixThenNoPreemption(prefix, points, options.stateHashing ? (ids, previous, spent) => visitedBefore(seen, keyOf(ids, previous, spent)) : null);
    let outcome: ScheduleOutcome | null = null;
    try {
      outcome = runCheckedSchedule(target, {
        ...options,
        strategy,
        onBuilt: (sim) => {
          holder.sim = sim;
          if (recorder !== null) sim.kernel.recordFootprints(recorder);
        },
      });
    } catch (error) {
      if (!(error instanceof Pruned)) throw error;
      pruned++;
      prunedAfterLast++;
    }
    // Expand the new choice points (those past the prefix), deepest last so the stack pops them first.
    let spent = 0;
    for (let j = 0; j < points.length; j++) {
      const p = points[j]!;
      if (j >= prefix.length) {
        for (const alternative of p.enabled) {
          if (alternative === p.chosen) continue;
          const cost = spent + (isPreemption(p.previous, alternative, p.enabled) ? 1 : 0);
          if (cost <= options.preemptionBound) stack.push([...points.slice(0, j).map((q) => q.chosen), alternative]);
        }
      }
      if (isPreemption(p.previous, p.chosen, p.enabled)) spent++;
    }
    if (outcome !== null) {
      schedules++;
      prunedAfterLast = 0;
      if (options.visit(outcome, points.map((q) => q.chosen))) return { schedules, pruned, prunedAfterLast, exhausted: false, stopped: true };
    }
  }
  return { schedules, pruned, prunedAfterLast, exhausted: true, stopped: false };
}

function isPreemption(previous: string | null, chosen: string, enabled: readonly string[]): boolean {
  return previous !== null && chosen !== previous && enabled.includes(previous);
}

function visitedBefore(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return true;
  seen.add(key);
  return false;
}

/**
 * Follow `prefix`; past it, keep the last thread running when it can (no preemption), else the
 * oldest. Past the prefix, a state already seen ends the run (when hashing is on).
 */
function prefixThenNoPreemption(
  prefix: readonly string[],
  points: ChoicePoint[],
  seenBefore: ((enabled: readonly string[], previous: string | null, spent: number) => boolean) | null,
): Strategy {
  let spent = 0;
  return {
    name: 'exhaustive',
    choose(enabled, { choiceIndex, previous }) {
      const ids = enabled.map((t) => t.id);
      if (choiceIndex >= prefix.length && seenBefore !== null && seenBefore(ids, previous, spent)) throw new Pruned();
      let i: number;
      if (choiceIndex < prefix.length) {
        i = ids.indexOf(prefix[choiceIndex]!);
        if (i < 0) throw new ReplayDivergenceError(`exhaustive: prefix diverged at choice ${choiceIndex} (scenario not deterministic?)`, {});
      } else {
        const p = previous === null ? -1 : ids.indexOf(previous);
        i = p >= 0 ? p : 0;
      }
      if (isPreemption(previous, ids[i]!, ids)) spent++;
      points.push({ chosen: ids[i]!, previous, enabled: ids });
      return i;
    },
  };
}
