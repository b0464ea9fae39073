/**
 * The state of every object at any position of a log, cheaply.
 *
 * A Timeline folds the log once, as facts arrive, and every `interval` facts records a checkpoint.
 * A checkpoint does not copy the state: it records a frozen copy of each object that changed since
 * the previous checkpoint (a *version*), so memory grows with the changes, not with checkpoints ×
 * objects (a long run keeps every exited thread in its state). `stateAt(p)` assembles the state at
 * the checkpoint below p from the versions, then folds the tail, copying only the views the tail
 * changes. See docs/time-travel.md for the measured choice of the interval.
 */
import { badArgument, integerArgument } from '../kernel/arguments.js';
import { factArgument } from '../kernel/dataArguments.js';
import { freeze } from 'immer';
import type { Fact } from '../kernel/facts.js';
import { idRecord, type SimState } from '../projection/simState.js';
import { changedUnnamed } from '../projection/fold.js';
import { emptyState, FoldEngine, RECORD_OF_PREFIX, type RecordName, type WorkingState } from './foldEngine.js';
import { copyView } from './viewCopy.js';

/** Facts between checkpoints; measured in bench/timeTravel.ts (docs/time-travel.md). */
export const DEFAULT_CHECKPOINT_INTERVAL = 1024;

interface History {
  readonly id: string;
  readonly record: RecordName;
  /** Checkpoint indexes, ascending, at which the object had a new version. */
  readonly at: number[];
  /** The object's view from that checkpoint on; null once it has left the state. */
  readonly versions: (object | null)[];
}

interface Checkpoint {
  readonly time: number;
  readonly seed: number;
  readonly frames: SimState['frames'];
  readonly violations: number;
  /** The name cache is small and keyed by entry, not by object: kept whole per checkpoint. */
  readonly nameCache: Readonly<Record<string, string>>;
  readonly sleepers: readonly (readonly [string, number])[];
  /** The threads not exited, in creation order: the wait-for graph looks at these only (a long run keeps its exited threads by the ten thousand). */
  readonly live: readonly string[];
}

export class Timeline {
  private readonly facts: Fact[] = [];
  private readonly head = new FoldEngine(emptyState());
  /** Histories in the order objects first appeared at a checkpoint: assembly stops at the first one born later. */
  private readonly histories: History[] = [];
  private readonly historyOf = new Map<string, History>();
  private readonly checkpoints: Checkpoint[] = [];
  /** Threads created and not exited at the head (only ThreadCreate makes a thread, only ThreadExit ends one). */
  private readonly live = new Set<string>();

  constructor(readonly interval: number = DEFAULT_CHECKPOINT_INTERVAL) {
    integerArgument('Timeline', 'interval', interval, 1, Number.MAX_SAFE_INTEGER, 'a checkpoint interval (a whole number from 1)');
    this.head.touched = new Set();
    this.checkpoint();
  }

  /** A timeline of a whole log. Throws FactRejectedError at the first fact that cannot follow the ones before it. */
  static of(facts: Iterable<Fact>, interval?: number): Timeline {
    const t = new Timeline(interval);
    if (facts === null || typeof (facts as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') throw badArgument('Timeline.of', 'facts is not an iterable of facts (a log)');
    for (const fact of facts) t.push(fact);
    return t;
  }

  /** Facts folded so far: positions run from 0 (before the first fact) to `length`. */
  get length(): number {
    return this.facts.length;
  }

  get log(): readonly Fact[] {
    return this.facts;
  }

  /** Append the next fact of the log. */
  push(fact: Fact): void {
    factArgument('Timeline.push', 'fact', fact);
    this.head.apply(fact);
    if (fact.type === 'ThreadCreate') this.live.add(fact.object);
    else if (fact.type === 'ThreadExit') this.live.delete(fact.object);
    this.facts.push(fact);
    if (this.facts.length % this.interval === 0) this.checkpoint();
  }

  /** The state after the first `position` facts (0 ≤ position ≤ length); equal to `foldLog(log.slice(0, position))`. */
  stateAt(position: number): SimState {
    integerArgument('Timeline.stateAt', 'position', position, 0, this.facts.length, `a position from 0 to ${this.facts.length}`);
    return this.fold(position, null);
  }

  /**
   * @internal The state at `position` (≥ 1), and a look at the state just before its last fact:
   * `peek(before, fact)` is called with the working state after position - 1 facts, before `fact`
   * (seq position - 1) is folded into it. The viewer copies there the few objects the fact changes,
   * so the diff of a jump costs one fold, not two. `before` is mutated afterwards: copy, never keep it.
   */
  stateAtPeeking(position: number, peek: (before: SimState, fact: Fact) => void): SimState {
    integerArgument('Timeline.stateAtPeeking', 'position', position, 1, this.facts.length, `a position from 1 to ${this.facts.length}`);
    return this.fold(position, peek);
  }

  private fold(position: number, peek: ((before: SimState, fact: Fact) => void) | null): SimState {
    // With a peek, the tail holds the last fact at least: the checkpoint below position - 1.
    const index = Math.min(Math.floor((peek === null ? position : position - 1) / this.interval), this.checkpoints.length - 1);
    const checkpoint = this.checkpoints[index]!;
    const base = this.assemble(index, checkpoint);
    const engine = new FoldEngine(base, new Map(checkpoint.sleepers));
    // The assembled records are fresh objects but the views in them are shared frozen versions:
    // copy a view before the tail changes it (the same ids the head marks as touched).
    const thawed: object[] = [];
    const thaw = (id: string): void => {
      const record = RECORD_OF_PREFIX[id.charAt(0)];
      if (record === undefined) return;
      const views = base[record] as Record<string, object>;
      const view = views[id];
      if (view !== undefined && Object.isFrozen(view)) thawed.push((views[id] = copyView(view)));
    };
    const facts = this.facts;
    const live = [...checkpoint.live];
    for (let seq = index * this.interval; seq < position; seq++) {
      const fact = facts[seq]!;
      if (fact.type === 'ThreadCreate') live.push(fact.object);
      if (fact.type === 'ClockAdvance') {
        for (const [id, wakeAt] of engine.sleepers) if (wakeAt <= fact.to) thaw(id);
      } else {
        for (const key in fact) {
          const value = (fact as unknown as Record<string, unknown>)[key];
          if (typeof value === 'string' && key !== 'type') thaw(value);
        }
        const unnamed = changedUnnamed(base as SimState, fact);
        if (unnamed !== null) thaw(unnamed);
      }
      if (peek !== null && seq === position - 1) peek(base as SimState, fact);
      engine.apply(fact);
    }
    for (const id of Object.keys(base.volumes)) thaw(id);
    engine.finish(live);
    for (const view of thawed) freeze(view, true);
    for (const record of Object.values(RECORD_OF_PREFIX)) Object.freeze(base[record]);
    freeze(base.violations, true);
    freeze(base.nameCache, true);
    return Object.freeze(base) as SimState;
  }

  /** Versions kept: what the checkpoints cost in memory (one frozen view each). */
  get versionCount(): number {
    let n = 0;
    for (const h of this.histories) n += h.versions.length;
    return n;
  }

  private checkpoint(): void {
    const index = this.checkpoints.length;
    const state = this.head.state;
    for (const id of this.head.touched!) {
      const record = RECORD_OF_PREFIX[id.charAt(0)]!;
      const view = (state[record] as Record<string, object>)[id];
      let history = this.historyOf.get(id);
      if (history === undefined) {
        if (view === undefined) continue; // born and gone between two checkpoints
        history = { id, record, at: [], versions: [] };
        this.histories.push(history);
        this.historyOf.set(id, history);
      }
      history.at.push(index);
      history.versions.push(view === undefined ? null : frozenCopy(view));
      if (view === undefined) this.historyOf.delete(id);
    }
    this.head.touched!.clear();
    this.checkpoints.push({ time: state.time, seed: state.seed, frames: state.frames, violations: state.violations.length, nameCache: Object.assign(idRecord<string>(), state.nameCache), sleepers: [...this.head.sleepers], live: [...this.live] });
  }

  /** The state at checkpoint `index`, sharing the frozen versions (immer copies what the tail changes). */
  private assemble(index: number, checkpoint: Checkpoint): WorkingState {
    const base = emptyState();
    const head = this.head.state;
    base.seq = index * this.interval;
    base.time = checkpoint.time;
    base.seed = checkpoint.seed;
    base.frames = checkpoint.frames as WorkingState['frames'];
    base.violations = head.violations.slice(0, checkpoint.violations);
    // A record without a prototype, as in the fold and the live state: a cache key is a name from the run.
    base.nameCache = Object.assign(idRecord<string>(), checkpoint.nameCache);
    for (const h of this.histories) {
      if (h.at[0]! > index) break;
      const version = h.versions[lastAtOrBefore(h.at, index)];
      if (version !== null && version !== undefined) (base[h.record] as Record<string, object>)[h.id] = version;
    }
    return base;
  }
}

/** Index of the last element ≤ target in an ascending array whose first element is ≤ target. */
function lastAtOrBefore(sorted: readonly number[], target: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (sorted[mid]! <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A version: a copy that shares nothing with the head's view (src/travel/viewCopy.ts), frozen. */
function frozenCopy(view: object): object {
  return freeze(copyView(view), true);
}
