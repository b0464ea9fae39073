/**
 * What the viewer page holds for one trace: the facts, their index, and a Timeline (the existing
 * time-travel checkpoints) folded a chunk at a time, so the page paints before a long trace is
 * folded; and the moves of the cursor. On the page the facts themselves arrive a block at a time
 * (payload.ts's LazyFacts): a slice is decoded, indexed and folded together, so the first picture
 * costs the facts up to the cursor, not the whole trace. A position p is the state after the first p facts (0 … the
 * log's length); the fact "at the cursor" is the one that led there, seq p - 1, as in Cursor.
 */
import type { Fact } from '../kernel/facts.js';
import { emptySimState, type SimState } from '../projection/simState.js';
import { diffStates, type StateDiff } from '../travel/diff.js';
import { RECORD_OF_PREFIX } from '../travel/foldEngine.js';
import { Timeline } from '../travel/timeline.js';
import type { ViewerTrace } from './payload.js';
import { lastBefore, nextAfter, TraceIndex, type Marker } from './traceIndex.js';

export class ViewerModel {
  readonly index: TraceIndex;
  readonly timeline = new Timeline();
  private readonly cache = new Map<number, SimState>();
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
    const end = Math.min(facts.length, this.timeline.length + count, this.trace.lazy?.decoded ?? facts.length);
    this.index.indexTo(end);
    for (let seq = this.timeline.length; seq < end; seq++) this.timeline.push(facts[seq]!);
    return this.timeline.length === facts.length;
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
    if (position > this.timeline.length) return null;
    let state = this.cache.get(position);
    if (state === undefined) {
      state = this.timeline.stateAt(position);
      if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(position, state);
    }
    return state;
  }

  /**
   * What the fact at the cursor (seq position - 1) changed: `diffStates` of the states before and
   * after it, over the objects the fact can change only — the ones it names, and on a ClockAdvance
   * the sleeping threads — so a step costs the same in a run of a thousand objects as of a million.
   */
  diffAt(position: number): StateDiff | null {
    if (position === 0) return null;
    const after = this.stateAt(position);
    const before = this.stateAt(position - 1);
    if (after === null || before === null) return null;
    const ids = idsChangedBy(this.index.facts[position - 1]!, before);
    return diffStates(only(before, ids), only(after, ids));
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
    const seq = nextAfter(list, position - 1);
    return seq === null ? position : seq + 1;
  }

  /** Just after the previous fact of `list` before the cursor's fact; the same position if none. */
  previousIn(list: readonly number[], position: number): number {
    const seq = lastBefore(list, position - 1);
    return seq === null ? position : seq + 1;
  }

  /** Just after the next violation after the cursor (or the first, from the start); the same position if none. */
  nextViolation(position: number): number {
    const m = this.markers.find((x) => x.kind === 'violation' && x.seq >= position);
    return m === undefined ? position : m.seq + 1;
  }

  previousViolation(position: number): number {
    const m = this.markers.filter((x) => x.kind === 'violation' && x.seq < position - 1).pop();
    return m === undefined ? position : m.seq + 1;
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
function idsChangedBy(fact: Fact, before: SimState): Set<string> {
  const ids = new Set<string>();
  if (RECORD_OF_PREFIX[fact.object.charAt(0)] !== undefined) ids.add(fact.object);
  for (const key in fact) {
    const value = (fact as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string' && key !== 'object' && key !== 'type' && RECORD_OF_PREFIX[value.charAt(0)] !== undefined) ids.add(value);
  }
  if (fact.type === 'SimulationStart') return new Set(['*']);
  if (fact.type === 'ClockAdvance') for (const id in before.threads) if (before.threads[id]!.state === 'sleeping') ids.add(id);
  // Every device stack is recomputed after each fact (an instance attaching or leaving restacks its volume): volumes are few.
  for (const id in before.volumes) ids.add(id);
  return ids;
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
