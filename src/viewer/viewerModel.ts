/**
 * What the viewer page holds for one trace: the facts, their index, and a Timeline (the existing
 * time-travel checkpoints) folded a chunk at a time, so the page paints before a long trace is
 * folded; and the moves of the cursor. On the page the facts themselves arrive a block at a time
 * (payload.ts's LazyFacts): a slice is decoded, indexed and folded together, so the first picture
 * costs the facts up to the cursor, not the whole trace. A position p is the state after the first p facts (0 … the
 * log's length); the fact "at the cursor" is the one that led there, seq p - 1, as in Cursor.
 */
import type { Fact } from '../kernel/facts.js';
import type { Draft } from 'immer';
import { changedUnnamed, restack } from '../projection/fold.js';
import { emptySimState, type SimState } from '../projection/simState.js';
import { diffStates, type StateDiff } from '../travel/diff.js';
import { RECORD_OF_PREFIX } from '../travel/foldEngine.js';
import { Timeline } from '../travel/timeline.js';
import { copyView } from '../travel/viewCopy.js';
import type { ViewerTrace } from './payload.js';
import { lastBefore, nextAfter, TraceIndex, type Marker } from './traceIndex.js';

/** What the page shows of one position: the state there and what the fact that led there changed. */
export interface CursorView {
  readonly state: SimState;
  /** Null at the start (no fact). */
  readonly diff: StateDiff | null;
}

export class ViewerModel {
  readonly index: TraceIndex;
  readonly timeline = new Timeline();
  private readonly cache = new Map<number, CursorView>();
  private sortedMarkers: Marker[] = [];
  private markersFrom = -1;

  constructor(readonly trace: ViewerTrace) {
    this.index = new TraceIndex(trace.facts, trace.header?.built ?? 0, { lazy: trace.lazy !== undefined });
  }

  get length(): number {
    return this.index.length;
  }

  /** Facts folded so far (decoded and indexed too): states up to this position are ready. */
  get folded(): number {
    return this.timeline.length;
  }

  /** Decode (on the page) the facts the next foldMore(count) folds. */
  decodeMore(count: number): Promise<void> {
    return this.trace.lazy?.decodeTo(this.folded + count) ?? Promise.resolve();
  }

  /** Index and fold up to `count` more facts, as far as they are decoded; true once every fact is folded. */
  foldMore(count: number): boolean {
    const facts = this.trace.facts;
    const end = Math.min(facts.length, this.timeline.length + count, this.decoded);
    this.index.indexTo(end);
    for (let seq = this.timeline.length; seq < end; seq++) this.timeline.push(facts[seq]!);
    this.settleWaiters();
    return this.timeline.length === facts.length;
  }

  /** Facts decoded so far (all of them off the page). */
  get decoded(): number {
    return this.trace.lazy?.decoded ?? this.trace.facts.length;
  }

  /** Is every fact indexed (the event list, markers, lanes and searches cover the whole trace)? */
  get complete(): boolean {
    return this.index.indexed === this.length;
  }

  /**
   * Index more of the trace ahead of the fold, `chunk` facts at a time until `enough()` says the
   * slice is over: decoding the next block first when every decoded fact is indexed.
   */
  async indexSome(enough: () => boolean, chunk = 2_000): Promise<void> {
    if (this.index.indexed === this.decoded && this.decoded < this.length) await this.trace.lazy?.decodeTo(this.decoded + 1);
    do this.index.indexTo(Math.min(this.decoded, this.index.indexed + chunk));
    while (this.index.indexed < this.decoded && !enough());
    this.settleWaiters();
  }

  /** Fold more of the indexed trace, `chunk` facts at a time until `enough()`; indexing first if the fold has caught up with it. */
  async foldSome(enough: () => boolean, chunk = 256): Promise<void> {
    if (this.folded === this.index.indexed) await this.indexSome(enough);
    const facts = this.trace.facts;
    do {
      const end = Math.min(this.index.indexed, this.timeline.length + chunk);
      for (let seq = this.timeline.length; seq < end; seq++) this.timeline.push(facts[seq]!);
    } while (this.timeline.length < this.index.indexed && !enough());
  }

  private waiters: { readonly until: () => boolean; readonly done: () => void }[] = [];

  /**
   * Resolves once `until()` holds or the whole trace is indexed: a jump to a time, a search for the
   * next violation or the next fact of a thread waits so for the part of the trace it needs. While
   * one waits, the page's background work indexes before it folds (`wantsIndexing`).
   */
  whenIndexed(until: () => boolean): Promise<void> {
    return new Promise((done) => {
      this.waiters.push({ until, done });
      this.settleWaiters();
    });
  }

  /** Does a search wait for more of the trace to be indexed? */
  get wantsIndexing(): boolean {
    return this.waiters.length > 0;
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (this.complete || w.until()) w.done();
      else this.waiters.push(w);
    }
  }

  /** Violations, unloads, teardowns (and preemptions, when known), by seq, as far as the trace is indexed. */
  get markers(): readonly Marker[] {
    if (this.markersFrom === this.index.indexed) return this.sortedMarkers;
    const markers = [...this.index.markers];
    for (const seq of this.trace.preemptions ?? []) {
      const f = seq < this.index.indexed ? this.trace.facts[seq] : undefined;
      if (f !== undefined) markers.push({ seq, kind: 'preemption', label: `preemption: ${f.object} runs` });
    }
    const v = this.trace.header?.violation;
    // A checker's violation (a §14 invariant) is no fact of its own: the header says where it is.
    if (v !== undefined && v.seq < this.length && !markers.some((m) => m.seq === v.seq && m.kind === 'violation')) {
      markers.push({ seq: v.seq, kind: 'violation', label: `${v.name} (${v.kind})` });
    }
    markers.sort((a, b) => a.seq - b.seq);
    this.markersFrom = this.index.indexed;
    this.sortedMarkers = markers;
    return markers;
  }

  /** The state at `position`, or null while the fold has not reached it. */
  stateAt(position: number): SimState | null {
    return this.viewAt(position)?.state ?? null;
  }

  /**
   * What the fact at the cursor (seq position - 1) changed: `diffStates` of the states before and
   * after it, over the objects the fact can change only — the ones it names, and on a ClockAdvance
   * the sleeping threads — so a step costs the same in a run of a thousand objects as of a million.
   * Null at the start and while the fold has not reached the position.
   */
  diffAt(position: number): StateDiff | null {
    return this.viewAt(position)?.diff ?? null;
  }

  /**
   * The state at `position` and its diff, from one fold of the Timeline: the objects the fact
   * changes are copied from the fold just before it takes the fact (Timeline.stateAtPeeking), so a
   * jump folds once, not once for the state and once more for the state before it.
   */
  viewAt(position: number): CursorView | null {
    if (position > this.timeline.length) return null;
    let view = this.cache.get(position);
    if (view === undefined) {
      if (position === 0) view = { state: this.timeline.stateAt(0), diff: null };
      else {
        let before: SimState | null = null;
        let ids = new Set<string>();
        const state = this.timeline.stateAtPeeking(position, (working, fact) => {
          ids = idsChangedBy(fact, working, this.index);
          before = copyOf(working, ids, position - 1);
        });
        view = { state, diff: diffStates(before!, only(state, ids)) };
      }
      if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(position, view);
    }
    return view;
  }

  /** Is the state at `position` at hand (a step back or forth from the last one needs no new fold)? */
  hasState(position: number): boolean {
    return this.cache.has(position);
  }

  clamp(position: number): number {
    return Math.max(0, Math.min(this.length, Math.trunc(position)));
  }

  /** Just after the next fact of `list` (an object's or a thread's facts) after the cursor's fact; the same position if none. */
  nextIn(list: readonly number[], position: number): number {
    return this.findNextIn(list, position) ?? position;
  }

  /** Just after the previous fact of `list` before the cursor's fact; the same position if none. */
  previousIn(list: readonly number[], position: number): number {
    return this.findPreviousIn(list, position) ?? position;
  }

  /** Just after the next violation after the cursor (or the first, from the start); the same position if none. */
  nextViolation(position: number): number {
    return this.findNextViolation(position) ?? position;
  }

  previousViolation(position: number): number {
    return this.findPreviousViolation(position) ?? position;
  }

  // The find… forms answer from the part of the trace indexed so far: a position (the same one when
  // there is none), or null when the answer may lie in the part not indexed yet (whenIndexed).

  findNextIn(list: readonly number[], position: number): number | null {
    const seq = nextAfter(list, position - 1);
    return seq !== null ? seq + 1 : this.complete ? position : null;
  }

  findPreviousIn(list: readonly number[], position: number): number | null {
    if (this.index.indexed < position - 1) return null;
    const seq = lastBefore(list, position - 1);
    return seq === null ? position : seq + 1;
  }

  findNextViolation(position: number): number | null {
    const m = this.markers.find((x) => x.kind === 'violation' && x.seq >= position);
    return m !== undefined ? m.seq + 1 : this.complete ? position : null;
  }

  findPreviousViolation(position: number): number | null {
    if (this.index.indexed < position - 1) return null;
    const m = this.markers.filter((x) => x.kind === 'violation' && x.seq < position - 1).pop();
    return m === undefined ? position : m.seq + 1;
  }

  /** Just after the first fact at or after virtual time `time` (the end if none); null while that fact is not indexed yet. */
  findTime(time: number): number | null {
    const seq = this.index.seqAtTime(time);
    return seq < this.index.indexed || this.complete ? this.clamp(seq + 1) : null;
  }

  /** Where the page opens: just after the violation the trace was written for, else its first violation, else at the start. */
  get openingPosition(): number {
    return openingPosition(this.trace);
  }

  /** Just after the fact at `seq`. */
  positionOfSeq(seq: number): number {
    return this.clamp(seq + 1);
  }

  /** Just after the first fact at or after virtual time `time`. */
  positionOfTime(time: number): number {
    return this.clamp(this.index.seqAtTime(time) + 1);
  }
}

/** Where a trace opens (ViewerModel.openingPosition), known before its facts are decoded. */
export function openingPosition(trace: ViewerTrace): number {
  const v = trace.header?.violation;
  if (v !== undefined && v.seq < trace.facts.length) return v.seq + 1;
  const first = trace.lazy !== undefined ? trace.lazy.firstViolation : trace.facts.findIndex((f) => f.type === 'VerifierViolation');
  return first === null || first < 0 ? 0 : first + 1;
}

/** The ids a fact can change, as the fold engine marks them touched (src/travel/foldEngine.ts). */
function idsChangedBy(fact: Fact, before: SimState, index: TraceIndex): Set<string> {
  const ids = new Set<string>();
  if (RECORD_OF_PREFIX[fact.object.charAt(0)] !== undefined) ids.add(fact.object);
  for (const key in fact) {
    const value = (fact as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string' && key !== 'object' && key !== 'type' && RECORD_OF_PREFIX[value.charAt(0)] !== undefined) ids.add(value);
  }
  if (fact.type === 'SimulationStart') return new Set(['*']);
  // What it changes without naming it (a declined instance's filter, a delivered message's port).
  const unnamed = changedUnnamed(before, fact);
  if (unnamed !== null) ids.add(unnamed);
  // The sleepers among the live threads (the index names them: a pass over every thread ever created was most of a step's cost).
  if (fact.type === 'ClockAdvance') for (const id of index.liveThreadsAt(fact.seq)) if (before.threads[id]?.state === 'sleeping') ids.add(id);
  // Every device stack is recomputed after each fact (an instance attaching or leaving restacks its volume): volumes are few.
  for (const id in before.volumes) ids.add(id);
  return ids;
}

/**
 * The working state of a fold (mutated after this call) as a state of its own with only the
 * objects in `ids` (every object for `*`), each copied; the volumes restacked as a fold's last step
 * does (§6): the stacks in a working state are recomputed only when the fold ends.
 */
function copyOf(working: SimState, ids: ReadonlySet<string>, seq: number): SimState {
  const picked = { ...emptySimState(), seq, time: working.time, seed: working.seed, frames: working.frames, violations: working.violations.slice() } as unknown as Record<string, Record<string, unknown>>;
  const all = ids.has('*');
  for (const record of new Set(Object.values(RECORD_OF_PREFIX))) {
    const views = working[record] as unknown as Record<string, object>;
    const wanted = all ? Object.keys(views) : [...ids].filter((id) => RECORD_OF_PREFIX[id.charAt(0)] === record);
    for (const id of wanted) if (views[id] !== undefined) picked[record]![id] = copyView(views[id]);
  }
  const copy = picked as unknown as SimState;
  const stacks = { instances: working.instances, legacyFilters: working.legacyFilters, frames: working.frames, volumes: copy.volumes } as unknown as Draft<SimState>;
  for (const id in copy.volumes) restack(stacks, id);
  return copy;
}

/** The state with only the objects in `ids` (every object for `*`), the rest of it as it is. */
function only(state: SimState, ids: ReadonlySet<string>): SimState {
  if (ids.has('*')) return state;
  const picked = { ...emptySimState(), seq: state.seq, time: state.time, violations: state.violations } as unknown as Record<string, unknown>;
  for (const id of ids) {
    const record = RECORD_OF_PREFIX[id.charAt(0)];
    if (record === undefined) continue;
    const view = (state[record] as Record<string, unknown>)[id];
    if (view !== undefined) (picked[record] as Record<string, unknown>)[id] = view;
  }
  return picked as unknown as SimState;
}
