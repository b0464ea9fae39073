/**
 * Indexes over one trace that every view of the viewer reads, built in one pass when the page opens
 * (and by tests in Node): the facts of each object and of each thread (for stepping by operation
 * and by thread, and for where each operation is in its stack), which thread appended each fact
 * (threadActivity), the names the text format uses, and the markers of the timeline.
 */
import type { Fact } from '../kernel/facts.js';
import { TraceNamer } from '../trace/traceNamer.js';
import { threadActivity, type ThreadActivity } from '../travel/threadActivity.js';

export type MarkerKind = 'violation' | 'unload' | 'teardown' | 'preemption';

export interface Marker {
  readonly seq: number;
  readonly kind: MarkerKind;
  /** What the marker says, e.g. `INSTANCE_USED_AFTER_TEARDOWN on I2`. */
  readonly label: string;
}

export class TraceIndex {
  readonly activity: ThreadActivity;
  /** Names from the creation facts of the whole trace (an id names one object for the whole run). */
  readonly namer = new TraceNamer();
  /** Threads in the order they were created. */
  readonly threads: readonly string[];
  readonly markers: readonly Marker[];
  private readonly byObject = new Map<string, number[]>();
  private readonly byThread = new Map<string, number[]>();

  /** @param buildFacts facts the scenario's build appended before the run (the trace header's `built`) */
  constructor(
    readonly facts: readonly Fact[],
    buildFacts = 0,
  ) {
    this.activity = threadActivity(facts, buildFacts);
    const threads: string[] = [];
    const markers: Marker[] = [];
    for (let seq = 0; seq < facts.length; seq++) {
      const f = facts[seq]!;
      this.namer.learn(f);
      push(this.byObject, f.object, seq);
      const thread = this.activity.threadOf[seq];
      if (thread !== null && thread !== undefined) push(this.byThread, thread, seq);
      if (f.type === 'ThreadCreate') threads.push(f.object);
      else if (f.type === 'VerifierViolation') markers.push({ seq, kind: 'violation', label: `${f.rule} on ${f.object}` });
      else if (f.type === 'FilterUnloadCallback') markers.push({ seq, kind: 'unload', label: `unload ${this.namer.label(f.object)}` });
      else if (f.type === 'InstanceTeardownStart') markers.push({ seq, kind: 'teardown', label: `teardown ${this.namer.label(f.object)}` });
    }
    this.threads = threads;
    this.markers = markers;
  }

  get length(): number {
    return this.facts.length;
  }

  /** Seqs of the facts about `object` (its own facts, not the ones that merely name it), ascending. */
  factsOf(object: string): readonly number[] {
    return this.byObject.get(object) ?? [];
  }

  /** Seqs of the facts `thread` appended, ascending. */
  factsOnThread(thread: string): readonly number[] {
    return this.byThread.get(thread) ?? [];
  }

  /** The thread that appended the fact at `seq`, or null (the build, a host, the clock). */
  threadOf(seq: number): string | null {
    return this.activity.threadOf[seq] ?? null;
  }

  /** The first seq whose time is at least `time` (the log's length if none): facts' times never decrease. */
  seqAtTime(time: number): number {
    let lo = 0;
    let hi = this.facts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.facts[mid]!.time < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function push(map: Map<string, number[]>, key: string, seq: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [seq]);
  else list.push(seq);
}

/** The first element of an ascending list greater than `seq`, or null. */
export function nextAfter(sorted: readonly number[], seq: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo]! : null;
}

/** The last element of an ascending list less than `seq`, or null. */
export function lastBefore(sorted: readonly number[], seq: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? sorted[lo - 1]! : null;
}
