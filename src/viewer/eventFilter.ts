/**
 * The event list's filters (object, fact type, thread, path) and search, over a trace index. A
 * filter is applied to a range of seqs at a time, so the page can filter a million facts in chunks
 * between frames instead of freezing; `matches` is the one predicate both use.
 */
import { eventRow, pathOf } from './eventRows.js';
import type { TraceIndex } from './traceIndex.js';

export interface EventFilter {
  /** An object id (`O3`, `D12`: that object only) or part of a name (`scanner`, `\\a.txt`). */
  readonly object?: string;
  /** A fact type, exactly (`PreOperation`). */
  readonly type?: string;
  /** A thread id (`T3`). */
  readonly thread?: string;
  /** Part of the path, case-insensitive. */
  readonly path?: string;
  /** Part of any column of the decoded row, case-insensitive. */
  readonly search?: string;
}

export function isEmptyFilter(filter: EventFilter): boolean {
  return !filter.object && !filter.type && !filter.thread && !filter.path && !filter.search;
}

/** Does the fact at `seq` pass `filter`? Cheap columns first: the search decodes the row. */
export function matches(index: TraceIndex, filter: EventFilter, seq: number): boolean {
  const f = index.facts[seq]!;
  if (filter.type && f.type !== filter.type) return false;
  if (filter.thread && index.threadOf(seq) !== filter.thread) return false;
  if (filter.object && !objectMatches(index, f.object, filter.object)) return false;
  if (filter.path && !pathOf(index, seq).toLowerCase().includes(filter.path.toLowerCase())) return false;
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    const r = eventRow(index, seq);
    const text = `#${r.seq} ${r.time} ${r.thread} ${r.object} ${r.operation} ${r.path} ${r.result} ${r.detail}`.toLowerCase();
    if (!text.includes(needle)) return false;
  }
  return true;
}

/** Append to `out` the seqs in [from, to) that pass `filter`. */
export function filterRange(index: TraceIndex, filter: EventFilter, from: number, to: number, out: number[]): void {
  for (let seq = from; seq < to; seq++) if (matches(index, filter, seq)) out.push(seq);
}

function objectMatches(index: TraceIndex, object: string, wanted: string): boolean {
  if (/^[A-Za-z]\d+$/.test(wanted)) return object.toUpperCase() === wanted.toUpperCase();
  return index.namer.label(object).toLowerCase().includes(wanted.toLowerCase());
}
