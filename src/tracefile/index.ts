/** NDJSON trace files (docs/trace-format.md): write, and read all-or-nothing. */
export { TRACE_FORMAT, TRACE_FORMAT_VERSION, traceHeader, recordingOf } from './header.js';
export type { ScenarioModuleRef, TraceHeader, TraceHeaderExtras, TraceViolation } from './header.js';
export { traceFileLines, traceFileChunks, traceFileText } from './writer.js';
export { readTraceFile, compareVersions, DEFAULT_MAX_FACTS, DEFAULT_MAX_LINE } from './reader.js';
export type { TraceFile, TraceReadLimits } from './reader.js';
