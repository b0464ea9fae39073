/**
 * The Chrome trace-event JSON that Perfetto's UI (ui.perfetto.dev) and chrome://tracing open.
 *
 * One process, one track (a "thread" in the format) per volume, instance and operation:
 * - a volume's track holds its lifetime (VolumeMount → VolumeDismounted);
 * - an instance's track holds its lifetime and every pre/post callback it ran, as nested spans;
 * - an operation's track holds the operation (IoStart → IoComplete) with its pre/post spans,
 *   file-system dispatch and pended intervals inside it;
 * - a flow arrow runs from an operation to each operation generated while a callback of the
 *   generating instance was running on it (`IoStart.initiator`).
 * A second process, "simulated threads", has a track per simulated thread: its life (ThreadCreate →
 * ThreadExit), the callbacks it ran nested as slices (threadActivity.ts), and its waits.
 * Timestamps are virtual time: one tick is `ticks` µs (a power of ten above the most facts any one
 * tick holds), and the facts of a tick follow each other 1 µs apart in log order, so spans inside
 * one tick keep their order and width. Every event also carries `seq` and `time` in its args.
 */
import { factsArgument } from '../kernel/dataArguments.js';
import type { Fact } from '../kernel/facts.js';
import { TraceNamer } from './traceNamer.js';
import { threadActivity } from '../travel/threadActivity.js';

export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'M' | 's' | 'f';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly id?: number;
  readonly bp?: 'e';
  readonly s?: 't';
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface ChromeTrace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ns' | 'ms';
  readonly otherData: Readonly<Record<string, unknown>>;
}

const PID = 1;
const THREADS_PID = 2;

/** Per seq (and one past the end), the timestamp in µs: `time * ticks` plus the fact's place within its tick. */
function virtualTimestamps(facts: readonly Fact[]): { ts: Float64Array; ticks: number } {
  let most = 1;
  for (let i = 0, run = 0; i < facts.length; i++) {
    run = i > 0 && facts[i - 1]!.time === facts[i]!.time ? run + 1 : 1;
    if (run > most) most = run;
  }
  let ticks = 10;
  while (ticks <= most) ticks *= 10;
  const ts = new Float64Array(facts.length + 1);
  for (let i = 0, place = 0; i < facts.length; i++) {
    place = i > 0 && facts[i - 1]!.time === facts[i]!.time ? place + 1 : 0;
    ts[i] = facts[i]!.time * ticks + place;
  }
  ts[facts.length] = facts.length === 0 ? 0 : ts[facts.length - 1]! + 1;
  return { ts, ticks };
}
const OPEN_SPAN: Readonly<Record<string, string>> = { PreOperation: 'PreOperationReturned', PostOperation: 'PostOperationReturned', DrainPostOperation: 'DrainPostOperationReturned' };

export function toChromeTrace(facts: readonly Fact[]): ChromeTrace {
  factsArgument('toChromeTrace', 'facts', facts);
  const namer = new TraceNamer();
  const events: TraceEvent[] = [];
  const tids = new Map<string, number>();
  const { ts, ticks } = virtualTimestamps(facts);
  const tid = (id: string): number => {
    let t = tids.get(id);
    if (t === undefined) {
      t = tids.size + 1;
      tids.set(id, t);
      // Simulated threads get their own process, so the UI groups them apart from the objects.
      const pid = /^T\d+$/.test(id) ? THREADS_PID : PID;
      events.push({ name: 'thread_name', ph: 'M', pid, tid: t, args: { name: namer.label(id) } });
      events.push({ name: 'thread_sort_index', ph: 'M', pid, tid: t, args: { sort_index: t } });
    }
    return t;
  };
  const lifetimes = new Map<string, { start: Fact; name: string }>();
  /** Open callback spans, by operation then instance: [start fact]. */
  const open = new Map<string, Fact>();
  /** For each instance, the operations whose callback of that instance is running (innermost last). */
  const inCallback = new Map<string, string[]>();
  const end = facts.length;
  const span = (track: string, name: string, from: Fact, to: number, args: Record<string, unknown> = {}, pid = PID): void => {
    events.push({ name, ph: 'X', pid, tid: tid(track), ts: ts[from.seq]!, dur: Math.max(ts[to]! - ts[from.seq]!, 1), cat: from.type, args: { seq: from.seq, time: from.time, ...args } });
  };
  let flows = 0;
  for (const fact of facts) {
    namer.learn(fact);
    const id = fact.object;
    switch (fact.type) {
      case 'VolumeMount':
      case 'InstanceSetup':
        tid(id);
        lifetimes.set(id, { start: fact, name: fact.type === 'VolumeMount' ? `volume ${fact.dosName ?? fact.name}` : `instance ${fact.name}` });
        break;
      case 'VolumeDismounted':
      case 'InstanceFreed': {
        const life = lifetimes.get(id);
        if (life !== undefined) span(id, life.name, life.start, fact.seq + 1);
        lifetimes.delete(id);
        break;
      }
      case 'IoStart': {
        tid(id);
        lifetimes.set(id, { start: fact, name: namer.label(id) });
        const parent = fact.initiator === null ? undefined : inCallback.get(fact.initiator)?.at(-1);
        if (parent !== undefined) {
          const flow = ++flows;
          events.push({ name: 'generated I/O', ph: 's', cat: 'flow', id: flow, pid: PID, tid: tid(parent), ts: ts[fact.seq]! });
          events.push({ name: 'generated I/O', ph: 'f', bp: 'e', cat: 'flow', id: flow, pid: PID, tid: tid(id), ts: ts[fact.seq]! });
        }
        break;
      }
      case 'IoComplete': {
        const life = lifetimes.get(id);
        if (life !== undefined) span(id, life.name, life.start, fact.seq + 1, { status: fact.status, information: fact.information });
        lifetimes.delete(id);
        break;
      }
      case 'PreOperation':
      case 'PostOperation':
      case 'DrainPostOperation':
        open.set(`${id} ${fact.instance} ${fact.type}`, fact);
        inCallback.set(fact.instance, [...(inCallback.get(fact.instance) ?? []), id]);
        break;
      case 'PreOperationReturned':
      case 'PostOperationReturned':
      case 'DrainPostOperationReturned': {
        const kind = Object.keys(OPEN_SPAN).find((k) => OPEN_SPAN[k] === fact.type)!;
        const start = open.get(`${id} ${fact.instance} ${kind}`);
        if (start === undefined) break;
        open.delete(`${id} ${fact.instance} ${kind}`);
        const name = `${kind === 'PreOperation' ? 'pre' : kind === 'PostOperation' ? 'post' : 'drain'} ${namer.short(fact.instance)}`;
        span(id, name, start, fact.seq + 1, { result: fact.result });
        span(fact.instance, `${name.split(' ')[0]} ${namer.label(id)}`, start, fact.seq + 1, { result: fact.result });
        const stack = inCallback.get(fact.instance) ?? [];
        const at = stack.lastIndexOf(id);
        if (at >= 0) stack.splice(at, 1);
        break;
      }
      default:
        if ((tids.has(id) || id.startsWith('F')) && !/^T\d+$/.test(id)) {
          events.push({ name: fact.type, ph: 'i', s: 't', pid: PID, tid: tid(id), ts: ts[fact.seq]!, cat: fact.type, args: { seq: fact.seq, time: fact.time } });
        }
    }
  }
  // Whatever is still alive at the end of the log spans to the end.
  for (const [id, life] of lifetimes) span(id, life.name, life.start, end, { open: true });
  threadTracks(facts, namer, span);
  events.unshift({ name: 'process_name', ph: 'M', pid: THREADS_PID, tid: 0, args: { name: 'simulated threads' } });
  events.unshift({ name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: 'fltsim' } });
  return { traceEvents: events, displayTimeUnit: 'ns', otherData: { source: 'fltsim', timestamps: `virtual time: 1 tick = ${ticks} µs; facts of one tick 1 µs apart in log order; args.seq is the log position`, ticks } };
}

/** One track per simulated thread: its life, the callbacks it ran (nested), and its waits. */
function threadTracks(facts: readonly Fact[], namer: TraceNamer, span: (track: string, name: string, from: Fact, to: number, args?: Record<string, unknown>, pid?: number) => void): void {
  const activity = threadActivity(facts);
  const born = new Map<string, Fact>();
  const waiting = new Map<string, Fact>();
  for (const f of facts) {
    if (f.type === 'ThreadCreate') born.set(f.object, f);
    else if (f.type === 'ThreadWait' || f.type === 'ThreadWaitObjects') waiting.set(f.object, f);
    else if (f.type === 'ThreadWake') {
      const w = waiting.get(f.object);
      if (w !== undefined) span(f.object, `wait ${'reason' in w ? w.reason : ''}`.trim(), w, f.seq + 1, { by: f.by }, THREADS_PID);
      waiting.delete(f.object);
    } else if (f.type === 'ThreadExit') {
      const b = born.get(f.object);
      if (b !== undefined) span(f.object, namer.label(f.object), b, f.seq + 1, { result: f.result, error: f.error }, THREADS_PID);
      born.delete(f.object);
    }
  }
  for (const [id, b] of born) span(id, namer.label(id), b, facts.length, { open: true }, THREADS_PID);
  for (const [id, w] of waiting) span(id, `wait ${'reason' in w ? w.reason : ''}`.trim(), w, facts.length, { open: true }, THREADS_PID);
  for (const cb of activity.callbacks.values()) {
    if (cb.thread === null) continue;
    const open = facts[cb.open]!;
    const instance = 'instance' in open && typeof open.instance === 'string' ? ` ${namer.short(open.instance)}` : '';
    span(cb.thread, `${open.type} ${namer.short(open.object)}${instance}`, open, cb.close === null ? facts.length : cb.close + 1, cb.close === null ? { open: true } : {}, THREADS_PID);
  }
}
