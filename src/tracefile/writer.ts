/**
 * Writing a trace file: the header line, then one fact per line as the log holds it (JSON, keys in
 * the log's order). Lines, not one string, so a caller can stream a long log to disk: one JS
 * string caps near 6M facts. Every line ends with a newline; a last line without one means the
 * file was cut short.
 */
import { integerArgument } from '../kernel/arguments.js';
import { factsArgument } from '../kernel/dataArguments.js';
import { extrasArgument, headerArgument, simulationArgument } from './headerArguments.js';
import type { Fact } from '../kernel/facts.js';
import type { Simulation } from '../simulation.js';
import { traceHeader, type TraceHeaderExtras, type TraceHeader } from './header.js';

export function traceFileLines(header: TraceHeader, facts: readonly Fact[]): Generator<string> {
  // Checked when called, not at the first next(): a generator body runs only when iterated.
  headerArgument('traceFileLines', header);
  factsArgument('traceFileLines', 'facts', facts);
  return lines(header, facts);
}

function* lines(header: TraceHeader, facts: readonly Fact[]): Generator<string> {
  yield JSON.stringify(header) + '\n';
  for (const fact of facts) yield JSON.stringify(fact) + '\n';
}

/** The whole trace file of a scenario-built simulation, in chunks of about `chunk` lines. */
export function traceFileChunks(sim: Simulation, chunk = 10_000, extras: TraceHeaderExtras = {}): Generator<string> {
  simulationArgument('traceFileChunks', sim);
  integerArgument('traceFileChunks', 'chunk', chunk, 1, Number.MAX_SAFE_INTEGER, 'a number of lines (a whole number from 1)');
  return chunks(traceHeader(sim, extrasArgument('traceFileChunks', extras)), sim.log, chunk);
}

function* chunks(header: TraceHeader, facts: readonly Fact[], chunk: number): Generator<string> {
  let buffer: string[] = [];
  for (const line of lines(header, facts)) {
    buffer.push(line);
    if (buffer.length >= chunk) {
      yield buffer.join('');
      buffer = [];
    }
  }
  if (buffer.length > 0) yield buffer.join('');
}

export function traceFileText(sim: Simulation, extras: TraceHeaderExtras = {}): string {
  simulationArgument('traceFileText', sim);
  extrasArgument('traceFileText', extras);
  return [...traceFileChunks(sim, 10_000, extras)].join('');
}
