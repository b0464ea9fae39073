/**
 * Bounded exhaustive search with partial-order reduction: sleep sets, and dynamic partial-order
 * reduction (source-set DPOR, Abdulla et al. 2014) on top of them, under the same preemption bound
 * and state hashing as the plain search (exhaustive.ts). Stateless like it: every run re-executes
 * the scenario, following the current path's choices and then a default continuation.
 *
 * - Each step's footprint comes from the kernel (footprint.ts). Two steps of different threads are
 *   independent when neither writes what the other touches; their two orders reach the same state.
 * - Sleep sets: after the subtree of choice p at a point is done, p sleeps in its siblings'
 *   subtrees until a step dependent with p's step runs; a run in which every enabled thread sleeps
 *   is cut (its schedules are covered). Past its prefix a run never picks a sleeping thread.
 * - DPOR: a choice point starts with one choice; after each run the races of its steps
 *   (races.ts) add, at the choice point before a race's first step, a thread that starts the
 *   reversed order, unless one is there already. Only such points are ever branched. A race whose
 *   second step's thread only the first step made ready (created, woke) has no reversed order.
 * - Preemption bound: a choice that would exceed it is not taken. A reversal that needs one more
 *   preemption than allowed is also tried at the latest earlier point where that thread could be
 *   scheduled without preempting (Coons et al., "Bounded partial-order reduction", 2013).
 * - A run cut off before its end (step bound, runaway recursion) gives each unfinished thread one
 *   more step that depends on everything, so the races its next step may have are not lost.
 * - State hashing (sleep sets only): a point is cut when its state, enabled threads, last thread,
 *   preemptions spent and sleep set were all seen before. DPOR runs without it: a cut run hides
 *   the races its rest would have shown. Stateful DPOR ('stateful-dpor') cuts at visited states
 *   and analyses the cut run against every continuation explored from there (stateSummaries.ts).
 *
 * Without a bound, the final states and violations it reaches are those of the full enumeration
 * (test/explore/reduced.test.ts checks it against brute force). With a bound it explores each
 * Mazurkiewicz trace through some schedule within the bound it finds, not every such schedule.
 */
import { oneOfArgument } from '../kernel/arguments.js';
import { exhaustiveOptionsArgument, explorableArgument } from './exploreArguments.js';
import { ReplayDivergenceError } from '../kernel/errors.js';
import { FootprintRecorder, HOST_STEP, dependent, type StepFootprint, type StepRecord } from '../kernel/footprint.js';
import type { Strategy } from '../kernel/strategy.js';
import type { Simulation } from '../simulation.js';
import type { ExhaustiveOptions, ExhaustiveResult } from './exhaustive.js';
import { stateKey } from './stateKey.js';
import { HappensBefore } from './races.js';
import { runCheckedSchedule, ScheduleAbandoned, type ScheduleOutcome } from './run.js';
import { CellProvenance, Continuations, statefulKey, VisitedStates } from './stateSummaries.js';
import type { Explorable } from './types.js';

export type Reduction = 'none' | 'sleep-sets' | 'dpor' | 'stateful-dpor';

interface Node {
  readonly enabled: readonly string[];
  readonly previous: string | null;
  /** Preemptions spent before this choice. */
  readonly spent: number;
  /** Position of this choice's step among the run's steps. */
  readonly step: number;
  /** Threads asleep on arrival, with the footprint of the step each would take. */
  readonly sleep: ReadonlyMap<string, StepFootprint>;
  chosen: string;
  /** A choice of the subtree's root: never branched here. */
  readonly frozen: boolean;
  readonly backtrack: string[];
  readonly done: Set<string>;
  /** The footprint of the step each explored choice took here. */
  readonly explored: Map<string, StepFootprint>;
  /** Stateful DPOR: what was explored below this point's state (stateSummaries.ts). */
  readonly below: Continuations | null;
  /** Stateful DPOR: what earlier visits of this state explored that this point does not (threads in `done` it never ran). */
  readonly covered: Continuations | null;
}

/** Stateful DPOR's visited states, and where the current run was cut. */
interface Visited {
  readonly states: VisitedStates;
  holder: { readonly sim: Simulation | null };
  provenance: CellProvenance;
  cutAt: Continuations | null;
}

/** A run cut short on purpose; caught here, never escapes. */
class Cut extends ScheduleAbandoned {}

export function reducedSearch(target: Explorable, options: ExhaustiveOptions & { readonly reduction: 'sleep-sets' | 'dpor' | 'stateful-dpor' }): ExhaustiveResult {
  explorableArgument('reducedSearch', target);
  exhaustiveOptionsArgument('reducedSearch', options);
  oneOfArgument('reducedSearch', 'options.reduction', options.reduction, ['sleep-sets', 'dpor', 'stateful-dpor'] as const);
  const dpor = options.reduction !== 'sleep-sets';
  const hashing = options.stateHashing && !dpor;
  // Undeclared JavaScript state: the key cannot see it, so no state is ever the same (plain DPOR).
  const visited: Visited | null =
    options.reduction === 'stateful-dpor' && options.stateHashing && target.sharedState === 'cells' ? { states: new VisitedStates(), holder: { sim: null }, provenance: new CellProvenance(), cutAt: null } : null;
  const bound = options.preemptionBound;
  const seen = new Set<string>();
  const path: Node[] = [];
  let prefix = 0;
  let schedules = 0;
  let pruned = 0;
  let prunedAfterLast = 0;
  for (;;) {
    if (schedules >= options.maxSchedules || schedules + pruned >= (options.maxRuns ?? Infinity)) return { schedules, pruned, prunedAfterLast, exhausted: false, stopped: false };
    // Objects named by their makers wherever a key compares states (FootprintRecorder.canonical).
    // DPOR and stateful DPOR record the host's continuations as steps of their own (FootprintRecorder.continuations);
    // sleep sets gain nothing by it: a step after which they run was its point's only choice and leaves no sleeper.
    const recorder = new FootprintRecorder(target.sharedState !== 'cells', visited !== null || (hashing && target.sharedState === 'cells'), options.reduction !== 'sleep-sets');
    const holder: { sim: Simulation | null } = { sim: null };
    if (visited !== null) {
      visited.holder = holder;
      visited.provenance = new CellProvenance();
      visited.cutAt = null;
    }
    const strategy = follow(path, prefix, options.root ?? [], recorder, bound, hashing ? { seen, holder, cells: target.sharedState === 'cells' ? new CellProvenance() : null } : null, visited);
    let outcome: ScheduleOutcome | null = null;
    try {
      outcome = runCheckedSchedule(target, {
        ...options,
        strategy,
        onBuilt: (sim) => {
          holder.sim = sim;
          sim.kernel.recordFootprints(recorder);
        },
      });
    } catch (error) {
      if (!(error instanceof Cut)) throw error;
      pruned++;
      prunedAfterLast++;
    }
    const steps = recorder.steps;
    for (const node of path) {
      const taken = steps[node.step];
      if (taken !== undefined && !node.explored.has(node.chosen)) node.explored.set(node.chosen, taken);
    }
    if (dpor) {
      const pending = outcome === null ? [] : unfinished(outcome.sim);
      reversalsOf(path, steps, pending, bound);
      if (visited !== null) {
        const cutAt = visited.cutAt;
        for (const node of path) {
          if (node.below === null) continue;
          if (cutAt === null) node.below.ended(steps, node.step, pending);
          else node.below.cut(steps, node.step, cutAt);
        }
        // The run stopped at a visited state: its races with each continuation explored from there.
        cutAt?.each((rest, ending) => reversalsOf(path, [...steps, ...rest], ending, bound));
        // The same for each point this run reached that earlier visits of its state partly covered,
        // once (the path before it stays): and the points above it record those continuations too.
        for (let c = prefix; c < path.length; c++) {
          const node = path[c]!;
          if (node.covered === null) continue;
          const before = steps.slice(0, node.step);
          node.covered.each((rest, ending) => reversalsOf(path.slice(0, c), [...before, ...rest], ending, bound));
          for (let a = 0; a < c; a++) path[a]!.below?.through(steps, path[a]!.step, node.step, node.covered);
        }
      }
    }
    else for (const node of path) for (const id of node.enabled) if (!node.backtrack.includes(id)) node.backtrack.push(id);
    if (outcome !== null) {
      schedules++;
      prunedAfterLast = 0;
      if (options.visit(outcome, outcome.sim.choices.slice())) return { schedules, pruned, prunedAfterLast, exhausted: false, stopped: true };
    }
    // Backtrack: the deepest point with a choice left that is neither done, asleep, nor over the bound.
    let next = -1;
    for (let c = path.length - 1; c >= 0 && next < 0; c--) {
      const node = path[c]!;
      if (node.frozen) break;
      const q = node.backtrack.find((id) => !node.done.has(id) && !node.sleep.has(id) && node.spent + cost(node, id) <= bound);
      if (q === undefined) continue;
      node.done.add(q);
      node.chosen = q;
      next = c;
    }
    if (next < 0) return { schedules, pruned, prunedAfterLast, exhausted: true, stopped: false };
    path.length = next + 1;
    prefix = next + 1;
  }
}

/** The reversals of a run's races, and of those of each thread a cut-off run left unfinished. */
function reversalsOf(path: readonly Node[], steps: readonly StepRecord[], pending: readonly StepRecord[], bound: number): void {
  addReversals(path, new HappensBefore(steps), bound);
  // One at a time: appended together, the stand-ins would order each other and hide their races.
  for (const stand of pending) addReversals(path, new HappensBefore([...steps, stand]), bound);
}

/** For every race in the run, make sure the point before its first step can start the reversed order. */
function addReversals(path: readonly Node[], hb: HappensBefore, bound: number): void {
  const byStep = new Map<number, number>();
  path.forEach((node, c) => byStep.set(node.step, c));
  for (const race of hb.races((i) => byStep.has(i))) {
    const c = byStep.get(race.first)!;
    const node = path[c]!;
    if (node.frozen) continue;
    // The host's continuations run once no thread can: no choice runs them before a step of a thread.
    if (hb.steps[race.second]!.thread === HOST_STEP) continue;
    const second = hb.steps[race.second]!.thread;
    // Not reversible: the second step's thread cannot run here and nothing between the two steps but
    // what follows the first makes it ready (whatever creates or wakes a thread writes it), so the
    // first did. Its notdep steps are then no reversal, only an order of independent steps again.
    if (!node.enabled.includes(second) && !readiedBetween(hb, race.first, race.second, second)) continue;
    if (race.initials.some((id) => node.backtrack.includes(id))) continue;
    // Prefer the thread of the second step.
    const candidates = race.initials.includes(second) ? [second, ...race.initials] : race.initials;
    const p = candidates.find((id) => node.enabled.includes(id));
    if (p === undefined) continue;
    addBacktrack(path, c, p, bound);
  }
}

/**
 * Whether a step between steps `first` and `second` that does not happen after `first` writes
 * `thread`: creates it (ThreadCreate), wakes it (ThreadWake) or leaves no thread ready before its
 * sleep ends (Kernel.chargeWakes), which is how a thread that cannot run becomes able to.
 */
function readiedBetween(hb: HappensBefore, first: number, second: number, thread: string): boolean {
  for (let k = first + 1; k < second; k++) if (!hb.before(first, k) && hb.steps[k]!.writes.has(thread)) return true;
  return false;
}

/** Explore p at point c; over the bound there, also where p costs no preemption, the latest such point before. */
function addBacktrack(path: readonly Node[], c: number, p: string, bound: number): void {
  const node = path[c]!;
  if (!node.backtrack.includes(p)) node.backtrack.push(p);
  if (node.spent + cost(node, p) <= bound) return;
  for (let k = c - 1; k >= 0; k--) {
    const earlier = path[k]!;
    if (earlier.frozen) break;
    if (earlier.enabled.includes(p) && cost(earlier, p) === 0) {
      if (!earlier.backtrack.includes(p)) earlier.backtrack.push(p);
      break;
    }
  }
}

/**
 * A run cut off before its threads finished (the step bound, runaway recursion, a crash) did not
 * show their next steps, whose races decide where to branch. Each thread still ready or sleeping
 * takes one more step of unknown footprint, dependent on everything (Flanagan–Godefroid look at
 * every enabled thread's next step; this is the conservative stand-in).
 */
function unfinished(sim: Simulation): StepRecord[] {
  const out: StepRecord[] = [];
  for (const t of sim.kernel.threads.values()) {
    if (t.state === 'ready' || t.state === 'sleeping') out.push({ thread: t.id, reads: new Set(), writes: new Set(), updates: new Set(), opaque: true, choiceIndex: null });
  }
  return out;
}

function cost(node: Pick<Node, 'previous' | 'enabled'>, chosen: string): number {
  return node.previous !== null && chosen !== node.previous && node.enabled.includes(node.previous) ? 1 : 0;
}

/**
 * Follow the path's choices for `prefix` points, then at each new point pick the last thread if it
 * can run and is awake (no preemption), else the oldest awake thread; record each new point.
 */
function follow(
  path: Node[],
  prefix: number,
  root: readonly string[],
  recorder: FootprintRecorder,
  bound: number,
  hashing: { readonly seen: Set<string>; readonly holder: { readonly sim: Simulation | null }; readonly cells: CellProvenance | null } | null,
  visited: Visited | null,
): Strategy {
  return {
    name: 'exhaustive',
    choose(enabled, { choiceIndex, previous }) {
      const ids = enabled.map((t) => t.id);
      if (choiceIndex < prefix) {
        const node = path[choiceIndex]!;
        const i = ids.indexOf(node.chosen);
        if (i < 0 || ids.join(',') !== node.enabled.join(',')) throw new ReplayDivergenceError(`exhaustive: prefix diverged at choice ${choiceIndex} (scenario not deterministic?)`, {});
        return i;
      }
      const parent = path[choiceIndex - 1];
      const sleep = parent === undefined ? new Map<string, StepFootprint>() : sleepAfter(parent, recorder);
      const spent = parent === undefined ? 0 : parent.spent + cost(parent, parent.chosen);
      const awake = ids.filter((id) => !sleep.has(id));
      const frozen = choiceIndex < root.length;
      let chosen = frozen ? root[choiceIndex] : previous !== null && awake.includes(previous) ? previous : awake[0];
      if (frozen && !ids.includes(chosen!)) throw new ReplayDivergenceError(`exhaustive: root diverged at choice ${choiceIndex} (scenario not deterministic?)`, {});
      if (chosen === undefined || spent + cost({ previous, enabled: ids }, chosen) > bound) throw new Cut();
      if (hashing !== null) {
        // Exploration's own look, not the step's: recorded, it would read every object and so wake
        // every sleeper. Where the scenario declares its cells, the key holds them and what each
        // thread saw in them, as stateful DPOR's does: with sleepers kept, a key of the folded
        // state alone merged runs whose cells differ (test/explore/reduced.test.ts found one).
        const key = recorder.unrecorded(() => {
          const sim = hashing.holder.sim!;
          const state = hashing.cells === null ? stateKey(sim, ids, previous, spent) : `${statefulKey(sim, ids, hashing.cells.key(recorder.steps, recorder.cellValues), recorder)}|${previous ?? ''}|${spent}`;
          return `${state}|${[...sleep.keys()].sort().join(',')}`;
        });
        if (hashing.seen.has(key)) throw new Cut();
        hashing.seen.add(key);
      }
      let below: Continuations | null = null;
      let covered: Continuations | null = null;
      let done = [chosen];
      if (visited !== null && !frozen) {
        const key = recorder.unrecorded(() => statefulKey(visited.holder.sim!, ids, visited.provenance.key(recorder.steps, recorder.cellValues), recorder));
        // A last thread that cannot run costs no preemption to leave: every continuation costs what it would after no thread.
        const last = previous !== null && ids.includes(previous) ? previous : null;
        const coverage = visited.states.lookup(key, [...sleep.keys()], last, spent, awake);
        if (coverage.all !== null) {
          visited.cutAt = coverage.all;
          throw new Cut();
        }
        if (coverage.threads.length > 0) {
          // Earlier visits explored what starts with these threads here: take another, and
          // analyse their continuations against this path as a run cut here would be.
          covered = new Continuations();
          for (const from of coverage.from) covered.through([], 0, 0, from);
          const open = awake.filter((id) => !coverage.threads.includes(id) && spent + cost({ previous, enabled: ids }, id) <= bound);
          const next = open.includes(chosen) ? chosen : open[0];
          if (next === undefined) {
            visited.cutAt = covered;
            throw new Cut();
          }
          chosen = next;
          done = [chosen, ...coverage.threads];
        }
        visited.states.record(key, [...sleep.keys()], last, spent, (below = new Continuations()));
        if (covered !== null) below.through([], 0, 0, covered);
      }
      path.push({ enabled: ids, previous, spent, step: recorder.steps.length, sleep, chosen, frozen, backtrack: [chosen], done: new Set(done), explored: new Map(), below, covered });
      return ids.indexOf(chosen);
    },
  };
}

/**
 * The sleep set at the next point: the parent's sleepers and its choices explored before the one
 * taken, kept while every step since (the parent's own and the forced ones after it) is
 * independent of the step each would take.
 */
function sleepAfter(parent: Node, recorder: FootprintRecorder): Map<string, StepFootprint> {
  const sleep = new Map(parent.sleep);
  for (const [id, footprint] of parent.explored) if (id !== parent.chosen && parent.done.has(id)) sleep.set(id, footprint);
  for (let s = parent.step; s < recorder.steps.length; s++) {
    const step = recorder.steps[s]!;
    for (const [id, footprint] of sleep) if (id === step.thread || dependent(footprint, step)) sleep.delete(id);
  }
  return sleep;
}
