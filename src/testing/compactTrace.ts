/**
 * A trace for pinning in a test: the text format without `#seq t=` and without scheduling noise
 * (Choice, thread bookkeeping) unless asked for, so a test reads like the sequence a person checks
 * against the WDK documentation.
 */
import type { Fact, FactType } from '../kernel/facts.js';
import { formatFact } from '../trace/textFormat.js';
import { TraceNamer } from '../trace/traceNamer.js';

const NOISE: ReadonlySet<FactType> = new Set(['Choice', 'ThreadCreate', 'ThreadWait', 'ThreadWaitObjects', 'ThreadWake', 'ThreadSleep', 'ThreadExit', 'ClockAdvance', 'SimulationStart']);

export interface CompactTraceOptions {
  /** Only these fact types (default: everything but scheduling and thread bookkeeping). */
  readonly types?: readonly FactType[];
  /** Only facts about these object ids. */
  readonly objects?: readonly string[];
  /** Start at this log position. */
  readonly from?: number;
}

export function compactTrace(facts: readonly Fact[], options: CompactTraceOptions = {}): string[] {
  const namer = new TraceNamer();
  const types = options.types === undefined ? null : new Set(options.types);
  const objects = options.objects === undefined ? null : new Set(options.objects);
  const from = options.from ?? 0;
  const out: string[] = [];
  for (const fact of facts) {
    const line = formatFact(fact, namer);
    if (fact.seq < from) continue;
    if (types === null ? NOISE.has(fact.type) : !types.has(fact.type)) continue;
    if (objects !== null && !objects.has(fact.object)) continue;
    out.push(line.replace(/^#\d+ t=\d+ /, ''));
  }
  return out;
}
