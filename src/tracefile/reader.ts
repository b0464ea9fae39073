/**
 * Reading a trace file, all or nothing. A trace file is untrusted input (docs/security.md), so the
 * reader works in passes and nothing of the file reaches the fold before the whole of it has passed
 * the one before:
 *
 * 1. the header line is checked against its schema (src/tracefile/validate.ts), and the number of
 *    lines against the facts it announces and the budget (`maxFacts`);
 * 2. every fact line is parsed and checked against the schema of its fact type
 *    (src/kernel/factSchema.ts): seq order, object ids, every field's type and range;
 * 3. then every fact is folded (its object's machine must accept it), and the digest compared.
 *
 * The first problem is a TraceFileError naming the line (1 is the header) and the field.
 */
import { sizeArgument } from '../kernel/arguments.js';
import { optionalShapeArgument } from '../kernel/dataArguments.js';
import { elide } from '../kernel/elide.js';
import type { Fact } from '../kernel/facts.js';
import { logDigest } from '../host/snapshot.js';
import { FactRejectedError, TraceFileError } from '../travel/errors.js';
import { Timeline } from '../travel/timeline.js';
import { FLTSIM_VERSION } from '../version.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION, type TraceHeader } from './header.js';
import { headerProblem, isPlainRecord, shown, validateFact } from './validate.js';

export interface TraceFile {
  readonly header: TraceHeader;
  readonly facts: readonly Fact[];
  /** The facts folded, ready to jump: reading checks every fact by folding it anyway. */
  readonly timeline: Timeline;
}

/** What reading may cost; a user raises them for a larger trace (`--max-facts`). */
export interface TraceReadLimits {
  /** The most facts a file may hold (default DEFAULT_MAX_FACTS). */
  readonly maxFacts?: number;
  /** The longest line (characters, default DEFAULT_MAX_LINE): a fact the writer produces is a few hundred. */
  readonly maxLineLength?: number;
}

export const DEFAULT_MAX_FACTS = 5_000_000;
export const DEFAULT_MAX_LINE = 1_048_576;

export function readTraceFile(text: string, limits: TraceReadLimits = {}): TraceFile {
  optionalShapeArgument('readTraceFile', 'limits', limits, { maxFacts: 'any', maxLineLength: 'any' }, 'TraceReadLimits ({ maxFacts?, maxLineLength? })');
  const maxFacts = limits?.maxFacts === undefined ? DEFAULT_MAX_FACTS : sizeArgument('readTraceFile', 'limits.maxFacts', limits.maxFacts);
  const maxLine = limits?.maxLineLength === undefined ? DEFAULT_MAX_LINE : sizeArgument('readTraceFile', 'limits.maxLineLength', limits.maxLineLength);
  if (typeof text !== 'string') throw new TraceFileError(0, `a trace file is text, got ${shown(text)}`);
  if (text.length === 0) throw new TraceFileError(0, 'the file is empty');
  const lines = text.split('\n');
  const last = lines.pop();
  if (last !== '') throw new TraceFileError(lines.length + 1, 'truncated: the last line has no newline (the file was cut short)');
  const header = checkHeader(parseLine(lines[0]!, 1, maxLine));
  if (header.facts > maxFacts) {
    throw new TraceFileError(1, `the header announces ${header.facts} facts, more than the budget of ${maxFacts} (raise it with --max-facts)`);
  }
  if (lines.length - 1 > header.facts) {
    throw new TraceFileError(header.facts + 2, `the header announces ${header.facts} facts, the file holds ${lines.length - 1}`);
  }
  const facts: Fact[] = [];
  for (let i = 1; i < lines.length; i++) facts.push(validateFact(parseLine(lines[i]!, i + 1, maxLine), i + 1, facts.length));
  if (facts.length !== header.facts) {
    throw new TraceFileError(lines.length + 1, `truncated: the header announces ${header.facts} facts, the file holds ${facts.length}`);
  }
  const timeline = new Timeline();
  for (const fact of facts) {
    try {
      timeline.push(fact);
    } catch (error) {
      if (error instanceof FactRejectedError) throw new TraceFileError(fact.seq + 2, `${fact.type} on ${fact.object}: ${error.problem}`);
      throw error;
    }
  }
  if (logDigest(facts) !== header.digest) {
    throw new TraceFileError(0, `the facts do not match the header's digest ${header.digest} (edited by hand?): replay it with \`fltsim replay\` to see the first fact that differs`);
  }
  return { header, facts, timeline };
}

function parseLine(text: string, line: number, maxLine: number): unknown {
  if (text.length > maxLine) throw new TraceFileError(line, `the line is ${text.length} characters long, more than ${maxLine}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TraceFileError(line, `not JSON (${shown(error instanceof Error ? error.message : String(error), 120).replace(/^"|"$/g, '')})`);
  }
}

function checkHeader(value: unknown): TraceHeader {
  const h = value as Partial<Record<keyof TraceHeader, unknown>> | null;
  if (!isPlainRecord(h) || h['format'] !== TRACE_FORMAT) throw new TraceFileError(1, `not an fltsim trace (the header's format must be '${TRACE_FORMAT}')`);
  if (typeof h['formatVersion'] === 'number' && h['formatVersion'] > TRACE_FORMAT_VERSION) {
    throw new TraceFileError(1, `trace format version ${shown(h['formatVersion'])} is newer than this fltsim (${FLTSIM_VERSION}) reads (${TRACE_FORMAT_VERSION}): upgrade fltsim`);
  }
  if (typeof h['fltsimVersion'] === 'string' && compareVersions(h['fltsimVersion'], FLTSIM_VERSION) > 0) {
    throw new TraceFileError(1, `written by fltsim ${elide(h['fltsimVersion'], 40)}, newer than this fltsim ${FLTSIM_VERSION}: upgrade fltsim`);
  }
  const problem = headerProblem(h);
  if (problem !== null) throw new TraceFileError(1, `the header's ${problem}`);
  return h as unknown as TraceHeader;
}

/** Compare dotted numeric versions ('0.10.0' > '0.9.1'). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
