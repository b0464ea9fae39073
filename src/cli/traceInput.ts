/** Reading a trace file for a command: a missing file or a damaged trace is one line, exit 3. */
import { readTraceFile, type TraceFile, type TraceReadLimits } from '../tracefile/reader.js';
import { TraceFileError } from '../travel/errors.js';
import { inputError } from './exitCodes.js';
import { readText } from './files.js';

/** Trace files end in .ndjson (or .jsonl); anything else a command takes is a scenario. */
export function isTracePath(source: string): boolean {
  return /\.(?:ndjson|jsonl)$/i.test(source);
}

export function loadTrace(path: string, limits: TraceReadLimits = {}): TraceFile {
  const text = readText(path, 'trace file');
  try {
    return readTraceFile(text, limits);
  } catch (error) {
    if (error instanceof TraceFileError) throw inputError(`${path}: ${error.message}`);
    throw error;
  }
}
