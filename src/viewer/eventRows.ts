/**
 * The event list's rows, Process Monitor-style: one fact decoded into columns (time, thread,
 * object, operation, path, result, detail). The detail is the text format's own payload
 * (factPayload), so the list says exactly what `fltsim replay` prints. Rows are decoded on demand:
 * the list is virtualized, and a million-fact trace decodes only the rows on screen.
 */
import type { Fact } from '../kernel/facts.js';
import { factPayload } from '../trace/textFormat.js';
import { TraceNamer } from '../trace/traceNamer.js';
import { printableLine } from '../trace/escape.js';
import { ntStatusName } from '../wdk/ntstatus.js';
import { FLT_POSTOP_NAMES, FLT_PREOP_NAMES } from '../wdk/fltConstants.js';
import { lastBefore, type TraceIndex } from './traceIndex.js';

export interface EventRow {
  readonly seq: number;
  readonly time: number;
  readonly thread: string;
  readonly object: string;
  readonly operation: string;
  readonly path: string;
  readonly result: string;
  readonly detail: string;
}

/**
 * A namer for one operation's facts: names come from the whole trace, parameter labels
 * (`params=as-issued`) from the operation's own facts in order, as the text format gives them.
 */
class OperationNamer extends TraceNamer {
  constructor(private readonly wholeTrace: TraceNamer) {
    super();
  }
  override label(id: string): string {
    return this.wholeTrace.label(id);
  }
  override short(id: string): string {
    return this.wholeTrace.short(id);
  }
}

/** The decoded row of the fact at `seq`. */
export function eventRow(index: TraceIndex, seq: number): EventRow {
  const f = index.facts[seq]!;
  const thread = index.threadOf(seq);
  return {
    seq,
    time: f.time,
    thread: thread === null ? '' : index.namer.label(thread),
    object: printableLine(index.namer.label(f.object)),
    operation: f.type,
    path: printableLine(pathOf(index, seq)),
    result: resultOf(f),
    detail: printableLine(detailOf(index, seq)),
  };
}

/** The fact's line as the text format prints it (`#12 t=0 D3(READ \\a.txt) PreOperation …`), names from the whole trace. */
export function factLine(index: TraceIndex, seq: number): string {
  const r = eventRow(index, seq);
  return `#${seq} t=${r.time} ${r.object} ${r.operation}${r.detail === '' ? '' : ` ${r.detail}`}`;
}

/** The file name a fact is about: its file object's, or its operation's file object's. */
export function pathOf(index: TraceIndex, seq: number): string {
  const f = index.facts[seq]!;
  if (f.type === 'FileObjectCreate') return f.fileName;
  const fileObject = f.object.startsWith('O') ? f.object : f.object.startsWith('D') ? fileObjectOfOperation(index, f.object, seq + 1) : null;
  if (fileObject === null) return '';
  const created = index.factsOf(fileObject)[0];
  const first = created === undefined ? undefined : index.facts[created];
  return first?.type === 'FileObjectCreate' ? first.fileName : '';
}

/** The file object of operation `op` as of `position`: its last IoStart's, or its allocation's. */
function fileObjectOfOperation(index: TraceIndex, op: string, position: number): string | null {
  const seqs = index.factsOf(op);
  for (let s = lastBefore(seqs, position); s !== null; s = lastBefore(seqs, s)) {
    const f = index.facts[s]!;
    if (f.type === 'IoStart' || f.type === 'FltAllocateCallbackData') return f.fileObject;
  }
  return null;
}

function resultOf(f: Fact): string {
  if (f.type === 'PreOperationReturned' || f.type === 'FltCompletePendedPreOperation') return FLT_PREOP_NAMES[f.result] ?? String(f.result);
  if (f.type === 'PostOperationReturned') return `${FLT_POSTOP_NAMES[f.result] ?? f.result} ${ntStatusName(f.status)}`;
  const status = (f as Fact & { status?: unknown }).status;
  return typeof status === 'number' ? ntStatusName(status) : '';
}

function detailOf(index: TraceIndex, seq: number): string {
  const f = index.facts[seq]!;
  if (!f.object.startsWith('D')) return factPayload(f, index.namer);
  // Parameter labels depend on the operation's facts before this one, from its last IoStart.
  const namer = new OperationNamer(index.namer);
  const seqs = index.factsOf(f.object);
  let from = indexOfSorted(seqs, seq);
  while (from > 0 && index.facts[seqs[from]!]!.type !== 'IoStart') from--;
  for (let i = Math.max(0, from); i < seqs.length && seqs[i]! < seq; i++) {
    const g = index.facts[seqs[i]!]!;
    namer.learn(g);
    factPayload(g, namer);
  }
  namer.learn(f);
  return factPayload(f, namer);
}

/** The index of `seq` in an ascending list that holds it. */
function indexOfSorted(sorted: readonly number[], seq: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
