/**
 * Indexes over one trace that every view of the viewer reads, built in one pass as the page decodes
 * the trace (and by tests in Node, whole): the facts of each object and of each thread (for stepping by operation
 * and by thread, and for where each operation is in its stack), which thread appended each fact
 * (threadActivity), the names the text format uses, the markers of the timeline, where each
 * object's story starts (whyFact's origins, so a why never reads the log), and the streams each
 * file object was seen on (the folded state names a stream context's stream, `V1:stream#64`, not the
 * file objects open on it).
 */
import type { Fact } from '../kernel/facts.js';
import { TraceNamer } from '../trace/traceNamer.js';
import { ThreadActivityPass } from '../travel/threadActivity.js';
import type { WhyOrigins } from '../travel/why.js';

export type MarkerKind = 'violation' | 'unload' | 'teardown' | 'preemption';

export interface Marker {
  readonly seq: number;
  readonly kind: MarkerKind;
  /** What the marker says, e.g. `INSTANCE_USED_AFTER_TEARDOWN on I2`. */
  readonly label: string;
}

export class TraceIndex implements WhyOrigins {
  readonly activity: ThreadActivityPass;
  /** Names from the creation facts of the trace read so far (an id names one object for the whole run). */
  readonly namer = new TraceNamer();
  /** Threads in the order they were created. */
  readonly threads: string[] = [];
  /** The seq of each thread's ThreadCreate, in the order of `threads` (ascending). */
  private readonly threadCreated: number[] = [];
  private readonly threadExited = new Map<string, number>();
  /** The threads live at the indexing head, in creation order (a Set keeps its insertion order). */
  private readonly liveNow = new Set<string>();
  /** `liveAtMark[k]`: the threads live at position k × LIVE_MARK, in creation order. */
  private readonly liveAtMark: (readonly string[])[] = [];
  /** In seq order, as far as the trace is indexed. */
  readonly markers: Marker[] = [];
  /** The fact types seen so far, in the order first seen. */
  readonly types = new Set<string>();
  private readonly byObject = new Map<string, number[]>();
  private readonly byThread = new Map<string, number[]>();
  private readonly openers = new Map<string, number>();
  /** The file object of each operation (its IoStart), the target of each context's last link, the streams of each file object. */
  private readonly fileOfOperation = new Map<string, string>();
  private readonly targetOfContext = new Map<string, string>();
  private readonly streamsOfFile = new Map<string, string[]>();
  private next = 0;

  /**
   * Indexes `facts` whole, or (`{ lazy: true }`) nothing yet: the caller fills `facts` in order and
   * calls indexTo as it goes — the viewer indexes a long trace a slice at a time as it decodes it.
   * @param buildFacts facts the scenario's build appended before the run (the trace header's `built`)
   */
  constructor(
    readonly facts: readonly Fact[],
    buildFacts = 0,
    options: { readonly lazy?: boolean } = {},
  ) {
    this.activity = new ThreadActivityPass(facts, buildFacts);
    if (options.lazy !== true) this.indexTo(facts.length);
  }

  /** The trace's length (facts past `indexed` may not be decoded yet). */
  get length(): number {
    return this.facts.length;
  }

  /** Facts indexed so far: seqs 0 … indexed - 1. */
  get indexed(): number {
    return this.next;
  }

  /** Index the facts up to (not including) seq `end`; they must be in `facts` by now. */
  indexTo(end: number): void {
    const { facts, threads, markers } = this;
    end = Math.min(end, facts.length);
    if (end <= this.next) return;
    this.activity.advanceTo(end);
    for (let seq = this.next; seq < end; seq++) {
      const f = facts[seq]!;
      if (seq % LIVE_MARK === 0) this.liveAtMark.push([...this.liveNow]);
      this.namer.learn(f);
      this.types.add(f.type);
      const own = this.byObject.get(f.object);
      if (own === undefined) this.byObject.set(f.object, [seq]);
      else own.push(seq);
      const thread = this.activity.threadOf[seq];
      if (thread !== null && thread !== undefined) push(this.byThread, thread, seq);
      if (f.type === 'ThreadCreate') {
        threads.push(f.object);
        this.threadCreated.push(seq);
        this.liveNow.add(f.object);
      } else if (f.type === 'ThreadExit') {
        this.threadExited.set(f.object, seq);
        this.liveNow.delete(f.object);
      }
      if (f.type === 'VerifierViolation') markers.push({ seq, kind: 'violation', label: `${f.rule} on ${f.object}` });
      else if (f.type === 'FilterUnloadCallback') markers.push({ seq, kind: 'unload', label: `unload ${this.namer.label(f.object)}` });
      else if (f.type === 'InstanceTeardownStart') markers.push({ seq, kind: 'teardown', label: `teardown ${this.namer.label(f.object)}` });
      else if (f.type === 'IoStart' && f.fileObject !== null) {
        // A volume-level request (PnP, shutdown) has no file object: nothing to open or to attach contexts to.
        this.fileOfOperation.set(f.object, f.fileObject);
        if (!this.openers.has(f.fileObject)) {
          // whyFact's opener: the first IoStart on a file object whose story began with its creation.
          const first = this.byObject.get(f.fileObject)?.[0];
          if (first !== undefined && facts[first]!.type === 'FileObjectCreate') this.openers.set(f.fileObject, seq);
        }
      } else if (f.type === 'ContextLinked') {
        this.targetOfContext.set(f.object, f.target);
        this.sawStream(seq, f.target);
      } else if (f.type === 'FltReferenceContext' && /^FltGet\w*Contexts?$/.test(f.by)) {
        const target = this.targetOfContext.get(f.object);
        if (target !== undefined) this.sawStream(seq, target);
      }
    }
    this.next = end;
  }

  /**
   * A stream or file context (`V1:stream#64`, `V1:file#64`) set or got at `seq`: inside a callback
   * for an operation, it is the stream of that operation's file object (§15.1: FltSetStreamContext
   * and FltGetStreamContext take the operation's FileObject).
   */
  private sawStream(seq: number, target: string): void {
    if (!target.includes(':')) return;
    const callback = this.activity.callbackOf[seq] ?? -1;
    if (callback < 0) return;
    const fileObject = this.fileOfOperation.get(this.facts[callback]!.object);
    if (fileObject === undefined) return;
    const streams = this.streamsOfFile.get(fileObject);
    if (streams === undefined) this.streamsOfFile.set(fileObject, [target]);
    else if (!streams.includes(target)) streams.push(target);
  }

  /** The streams and files (`V1:stream#64`, `V1:file#64`) a context was set or got on through `fileObject`, as far as the trace is indexed. */
  streamsOf(fileObject: string): readonly string[] {
    return this.streamsOfFile.get(fileObject) ?? [];
  }

  /**
   * The threads created and not exited at `position` (after its first `position` facts), in
   * creation order: a long run keeps every exited thread in its state, by the ten thousand, and the
   * stack view lists the live ones only: the ones live at the mark at or below `position` (recorded
   * every LIVE_MARK facts as the trace is indexed) that are still live, then the ones created since.
   * A jump costs the live threads and a mark's worth of creations, not a pass over every thread.
   */
  liveThreadsAt(position: number): string[] {
    const mark = Math.min(Math.floor(Math.max(0, position) / LIVE_MARK), this.liveAtMark.length - 1);
    if (mark < 0) return [];
    const stillLive = (thread: string): boolean => {
      const exited = this.threadExited.get(thread);
      return exited === undefined || exited >= position;
    };
    const live = this.liveAtMark[mark]!.filter(stillLive);
    for (let i = indexAfter(this.threadCreated, mark * LIVE_MARK - 1); i < this.threads.length && this.threadCreated[i]! < position; i++) {
      if (stillLive(this.threads[i]!)) live.push(this.threads[i]!);
    }
    return live;
  }

  /** How many threads were created in the first `position` facts. */
  threadsCreatedBefore(position: number): number {
    return indexAfter(this.threadCreated, position - 1);
  }

  /** Seqs of the facts about `object` (its own facts, not the ones that merely name it), ascending. */
  factsOf(object: string): readonly number[] {
    return this.byObject.get(object) ?? [];
  }

  /** Seqs of the facts `thread` appended, ascending. */
  factsOnThread(thread: string): readonly number[] {
    return this.byThread.get(thread) ?? [];
  }

  /** The thread that appended the fact at `seq`, or null (the build, a host, the clock, or not indexed yet). */
  threadOf(seq: number): string | null {
    return this.activity.threadOf[seq] ?? null;
  }

  /** WhyOrigins: the first fact about `object`. */
  firstOf(object: string): number | undefined {
    return this.byObject.get(object)?.[0];
  }

  /** WhyOrigins: the IoStart of the create that opened `fileObject`. */
  openerOf(fileObject: string): number | undefined {
    return this.openers.get(fileObject);
  }

  /** The first indexed seq whose time is at least `time` (`indexed` if none): facts' times never decrease. */
  seqAtTime(time: number): number {
    let lo = 0;
    let hi = this.next;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.facts[mid]!.time < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Facts between two records of the live threads (liveThreadsAt). */
const LIVE_MARK = 1024;

function push(map: Map<string, number[]>, key: string, seq: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [seq]);
  else list.push(seq);
}

/** How many elements of an ascending list are ≤ `seq`. */
function indexAfter(sorted: readonly number[], seq: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
