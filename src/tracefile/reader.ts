/**
 * Reading a trace file, all or nothing: the header is checked, every line is parsed and checked
 * for shape and order, and every fact is folded (its object's machine must accept it) before
 * anything is returned. The first problem is a TraceFileError naming the line (1 is the header).
 */
import type { Fact } from '../kernel/facts.js';
import { logDigest } from '../host/snapshot.js';
import { FactRejectedError, TraceFileError } from '../travel/errors.js';
import { Timeline } from '../travel/timeline.js';
import { FLTSIM_VERSION } from '../version.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION, type TraceHeader } from './header.js';

export interface TraceFile {
  readonly header: TraceHeader;
  readonly facts: readonly Fact[];
  /** The facts folded, ready to jump: reading checks every fact by folding it anyway. */
  readonly timeline: Timeline;
}

export function readTraceFile(text: string): TraceFile {
  if (text.length === 0) throw new TraceFileError(0, 'the file is empty');
  const lines = text.split('\n');
  const last = lines.pop();
  if (last !== '') throw new TraceFileError(lines.length + 1, 'truncated: the last line has no newline (the file was cut short)');
  const header = checkHeader(parseLine(lines[0]!, 1));
  const timeline = new Timeline();
  const facts: Fact[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const fact = checkFactShape(parseLine(lines[i]!, line), line, facts.length);
    try {
      timeline.push(fact);
    } catch (error) {
      if (error instanceof FactRejectedError) throw new TraceFileError(line, error.problem === `expected seq ${facts.length}` ? `seq ${fact.seq} out of order, expected ${facts.length}` : `${fact.type} on ${fact.object}: ${error.problem}`);
      throw error;
    }
    facts.push(fact);
  }
  if (facts.length !== header.facts) {
    throw new TraceFileError(lines.length + 1, `truncated: the header announces ${header.facts} facts, the file holds ${facts.length}`);
  }
  if (logDigest(facts) !== header.digest) {
    throw new TraceFileError(0, `the facts do not match the header's digest ${header.digest} (edited by hand?): replay it with \`fltsim replay\` to see the first fact that differs`);
  }
  return { header, facts, timeline };
}

function parseLine(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TraceFileError(line, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function checkHeader(value: unknown): TraceHeader {
  const h = value as Partial<Record<keyof TraceHeader, unknown>> | null;
  if (typeof h !== 'object' || h === null || h.format !== TRACE_FORMAT) throw new TraceFileError(1, `not an fltsim trace (the header's format must be '${TRACE_FORMAT}')`);
  if (typeof h.formatVersion !== 'number' || h.formatVersion > TRACE_FORMAT_VERSION) {
    throw new TraceFileError(1, `trace format version ${String(h.formatVersion)} is newer than this fltsim (${FLTSIM_VERSION}) reads (${TRACE_FORMAT_VERSION}): upgrade fltsim`);
  }
  if (typeof h.fltsimVersion !== 'string' || compareVersions(h.fltsimVersion, FLTSIM_VERSION) > 0) {
    throw new TraceFileError(1, `written by fltsim ${String(h.fltsimVersion)}, newer than this fltsim ${FLTSIM_VERSION}: upgrade fltsim`);
  }
  const scenario = h.scenario as { id?: unknown; args?: unknown } | null;
  const options = h.options as { seed?: unknown } | null;
  const ok =
    typeof scenario === 'object' && scenario !== null && typeof scenario.id === 'string' && typeof scenario.args === 'object' && scenario.args !== null &&
    typeof options === 'object' && options !== null && Number.isSafeInteger(options.seed) && options.seed === h.seed &&
    Array.isArray(h.choices) && h.choices.every((c) => typeof c === 'string') && Array.isArray(h.drive) &&
    Number.isSafeInteger(h.facts) && typeof h.digest === 'string';
  if (!ok) throw new TraceFileError(1, 'the header lacks scenario, seed, options, choices, drive, facts or digest, or one of them is malformed');
  // The optional fields (scenario module, build length, violation): checked here too, so a command never meets a malformed one.
  const module = (scenario as { module?: unknown }).module as { path?: unknown; sha256?: unknown } | null | undefined;
  if (module !== undefined && (typeof module !== 'object' || module === null || typeof module.path !== 'string' || typeof module.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(module.sha256))) {
    throw new TraceFileError(1, 'the header\'s scenario.module must be { path, sha256 } (a string and 64 hex digits)');
  }
  if (h.built !== undefined && !(Number.isSafeInteger(h.built) && (h.built as number) >= 0 && (h.built as number) <= (h.facts as number))) {
    throw new TraceFileError(1, 'the header\'s built must be a whole number of facts, at most facts');
  }
  const v = h.violation as { kind?: unknown; name?: unknown; seq?: unknown; message?: unknown } | null | undefined;
  if (v !== undefined && (typeof v !== 'object' || v === null || typeof v.kind !== 'string' || typeof v.name !== 'string' || typeof v.message !== 'string' || !Number.isSafeInteger(v.seq) || (v.seq as number) < 0 || (v.seq as number) >= (h.facts as number))) {
    throw new TraceFileError(1, 'the header\'s violation must be { kind, name, seq, message } with seq a fact of the file');
  }
  return h as unknown as TraceHeader;
}

function checkFactShape(value: unknown, line: number, expectedSeq: number): Fact {
  const f = value as { seq?: unknown; time?: unknown; object?: unknown; type?: unknown } | null;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new TraceFileError(line, 'a fact must be a JSON object');
  if (typeof f.type !== 'string' || typeof f.object !== 'string' || !Number.isSafeInteger(f.time) || !Number.isSafeInteger(f.seq)) {
    throw new TraceFileError(line, 'a fact needs seq and time (integers), object and type (strings)');
  }
  if (f.seq !== expectedSeq) throw new TraceFileError(line, `seq ${String(f.seq)} out of order, expected ${expectedSeq}`);
  return value as Fact;
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
