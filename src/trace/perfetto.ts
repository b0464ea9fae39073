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
 * Timestamps are log positions (1 µs per fact), not virtual time: many facts share one tick and
 * the order is what a reader needs. Every event carries `time` (virtual ticks) in its args.
 */
import type { Fact } from '../kernel/facts.js';
import { TraceNamer } from './textFormat.js';

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
const OPEN_SPAN: Readonly<Record<string, string>> = { PreOperation: 'PreOperationReturned', PostOperation: 'PostOperationReturned', DrainPostOperation: 'DrainPostOperationReturned' };

export function toChromeTrace(facts: readonly Fact[]): ChromeTrace {
  const namer = new TraceNamer();
  const events: TraceEvent[] = [];
  const tids = new Map<string, number>();
  const tid = (id: string): number => {
    let t = tids.get(id);
    if (t === undefined) {
      t = tids.size + 1;
      tids.set(id, t);
      events.push({ name: 'thread_name', ph: 'M', pid: PID, tid: t, args: { name: namer.label(id) } });
      events.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: t, args: { sort_index: t } });
    }
    return t;
  };
  const lifetimes = new Map<string, { start: Fact; name: string }>();
  /** Open callback spans, by operation then instance: [start fact]. */
  const open = new Map<string, Fact>();
  /** For each instance, the operations whose callback of that instance is running (innermost last). */
  const inCallback = new Map<string, string[]>();
  const end = facts.length;
  const span = (track: string, name: string, from: Fact, to: number, args: Record<string, unknown> = {}): void => {
    events.push({ name, ph: 'X', pid: PID, tid: tid(track), ts: from.seq, dur: Math.max(to - from.seq, 1), cat: from.type, args: { time: from.time, ...args } });
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
          events.push({ name: 'generated I/O', ph: 's', cat: 'flow', id: flow, pid: PID, tid: tid(parent), ts: fact.seq });
          events.push({ name: 'generated I/O', ph: 'f', bp: 'e', cat: 'flow', id: flow, pid: PID, tid: tid(id), ts: fact.seq });
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
        if (tids.has(id) || id.startsWith('F')) {
          events.push({ name: fact.type, ph: 'i', s: 't', pid: PID, tid: tid(id), ts: fact.seq, cat: fact.type, args: { time: fact.time } });
        }
    }
  }
  // Whatever is still alive at the end of the log spans to the end.
  for (const [id, life] of lifetimes) span(id, life.name, life.start, end, { open: true });
  events.unshift({ name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: 'fltsim' } });
  return { traceEvents: events, displayTimeUnit: 'ns', otherData: { source: 'fltsim', timestamps: 'log position (1 µs per fact); args.time is virtual time' } };
}
