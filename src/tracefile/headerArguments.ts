/**
 * The arguments of the trace-file writers and `recordingOf` (issue 14): a header must be one the
 * reader would accept, a simulation a `Simulation`, the extras `{ module?, violation? }`. A wrong
 * one is a UsageError BAD_ARGUMENT naming the helper, never a TypeError half-way through a file.
 */
import { badArgument, kindOf, objectArgument } from '../kernel/arguments.js';
import { optionalShapeArgument } from '../kernel/dataArguments.js';
import { Simulation } from '../simulation.js';
import { TRACE_FORMAT } from './format.js';
import type { TraceHeader, TraceHeaderExtras } from './header.js';
import { headerProblem, isPlainRecord } from './validate.js';

export function headerArgument(routine: string, value: unknown): TraceHeader {
  if (!isPlainRecord(value) || value['format'] !== TRACE_FORMAT) throw badArgument(routine, `header is ${kindOf(value)}, not a trace header (traceHeader)`);
  const problem = headerProblem(value);
  if (problem !== null) throw badArgument(routine, `header's ${problem}`);
  return value as unknown as TraceHeader;
}

export function simulationArgument(routine: string, value: unknown): Simulation {
  return objectArgument(routine, 'sim', value, Simulation, 'a Simulation (createSimulation)');
}

export function extrasArgument(routine: string, value: unknown): TraceHeaderExtras {
  optionalShapeArgument(routine, 'extras', value, { module: 'any', violation: 'any' }, 'TraceHeaderExtras ({ module?, violation? })');
  const extras = (value ?? {}) as TraceHeaderExtras;
  optionalShapeArgument(routine, 'extras.module', extras.module, { path: 'string', sha256: 'string' }, 'a ScenarioModuleRef ({ path, sha256 })');
  optionalShapeArgument(routine, 'extras.violation', extras.violation, { kind: 'string', name: 'string', seq: 'integer', message: 'string' }, 'a TraceViolation ({ kind, name, seq, message })');
  return extras;
}
