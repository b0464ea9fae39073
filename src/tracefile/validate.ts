/**
 * Checking a trace file's header, and each line against the fact schema, before anything is folded
 * or replayed. A trace file is untrusted (docs/security.md): no name from it may become a key of a
 * plain object, so object ids must look like ids, no object may carry `__proto__`, `constructor` or
 * `prototype` keys, and every field has the type and range its fact type says (the fact check is
 * kernel/factCheck.ts, shared with the helpers over a caller's own log). Messages name the line and
 * the field and elide long values, so a hostile line cannot make a huge error either.
 */
import { shown } from '../kernel/elide.js';
import { UsageError } from '../kernel/errors.js';
import { factProblem, isObjectId, isPlainRecord, isSafeJson } from '../kernel/factCheck.js';
import type { Fact } from '../kernel/facts.js';
import { resolveOptions } from '../simulationOptions.js';
import { TraceFileError } from '../travel/errors.js';

export { shown, isPlainRecord, isObjectId, isSafeJson };

/** Check one parsed fact line against the fact schema (kernel/factCheck.ts). Returns it typed, or throws a TraceFileError naming line and field. */
export function validateFact(value: unknown, line: number, expectedSeq: number): Fact {
  const problem = factProblem(value, expectedSeq);
  if (problem !== null) throw new TraceFileError(line, problem.problem);
  return value as Fact;
}

const HEADER_KEYS: ReadonlySet<string> = new Set([
  'format',
  'formatVersion',
  'fltsimVersion',
  'scenario',
  'seed',
  'options',
  'choices',
  'drive',
  'built',
  'violation',
  'facts',
  'digest',
]);
const VERSION = /^\d{1,6}\.\d{1,6}\.\d{1,6}([-+][0-9A-Za-z.-]{1,40})?$/;

/**
 * Check the header's shape, types and ranges (not what it means: the format, version and digest
 * checks are the reader's). Returns a problem as `field: what is wrong`, or null.
 */
export function headerProblem(h: Record<string, unknown>): string | null {
  for (const key of Object.keys(h)) if (!HEADER_KEYS.has(key)) return `fields include an unknown one, ${shown(key)}`;
  if (!Number.isSafeInteger(h['formatVersion']) || (h['formatVersion'] as number) < 1) return `formatVersion must be a whole number >= 1, got ${shown(h['formatVersion'])}`;
  if (typeof h['fltsimVersion'] !== 'string' || !VERSION.test(h['fltsimVersion'])) return `fltsimVersion must be a version such as 0.1.0, got ${shown(h['fltsimVersion'])}`;
  const scenario = h['scenario'];
  if (!isPlainRecord(scenario)) return 'scenario must be an object { id, args }';
  for (const key of Object.keys(scenario)) if (key !== 'id' && key !== 'args' && key !== 'module') return `scenario has no field ${shown(key)}`;
  if (typeof scenario['id'] !== 'string' || scenario['id'].length === 0 || scenario['id'].length > 4096) return `scenario.id must be a non-empty string, got ${shown(scenario['id'])}`;
  if (!isPlainRecord(scenario['args']) || !isSafeJson(scenario['args'])) return `scenario.args must be an object of JSON values, got ${shown(scenario['args'])}`;
  if (scenario['module'] !== undefined) {
    const module = scenario['module'];
    if (!isPlainRecord(module) || typeof module['path'] !== 'string' || typeof module['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(module['sha256']) || Object.keys(module).length !== 2) {
      return `scenario.module must be { path, sha256 (64 hex digits) }, got ${shown(module)}`;
    }
  }
  if (!Number.isSafeInteger(h['seed'])) return `seed must be a whole number, got ${shown(h['seed'])}`;
  const options = h['options'];
  if (!isPlainRecord(options) || !isSafeJson(options)) return `options must be an object of JSON values, got ${shown(options)}`;
  if (options['seed'] !== h['seed']) return `options.seed ${shown(options['seed'])} differs from seed ${shown(h['seed'])}`;
  const optionsProblem = headerOptionsProblem(options);
  if (optionsProblem !== null) return optionsProblem;
  if (!Array.isArray(h['choices']) || !h['choices'].every(isObjectId)) return 'choices must be a list of thread ids';
  const drive = h['drive'];
  if (!Array.isArray(drive)) return 'drive must be a list';
  for (let i = 0; i < drive.length; i++) {
    const entry: unknown = drive[i];
    const ok =
      (Number.isSafeInteger(entry) && (entry as number) > 0) ||
      isObjectId(entry) ||
      (isPlainRecord(entry) && Object.keys(entry).length === 1 && Number.isSafeInteger(entry['advanceTo']) && (entry['advanceTo'] as number) >= 0) ||
      (isPlainRecord(entry) && Object.keys(entry).length === 2 && typeof entry['act'] === 'string' && entry['act'].length > 0 && entry['act'].length <= 4096 && 'args' in entry && isSafeJson(entry['args']));
    if (!ok) return `drive[${i}] must be a step count (> 0), a thread id, { advanceTo: time } or { act: name, args }, got ${shown(entry)}`;
  }
  if (!Number.isSafeInteger(h['facts']) || (h['facts'] as number) < 0) return `facts must be a whole number >= 0, got ${shown(h['facts'])}`;
  const facts = h['facts'] as number;
  if (h['built'] !== undefined && (!Number.isSafeInteger(h['built']) || (h['built'] as number) < 0 || (h['built'] as number) > facts)) {
    return `built must be a whole number of facts from 0 to facts (${facts}), got ${shown(h['built'])}`;
  }
  if (h['violation'] !== undefined) {
    const v = h['violation'];
    const ok =
      isPlainRecord(v) && Object.keys(v).length === 4 && typeof v['kind'] === 'string' && typeof v['name'] === 'string' && typeof v['message'] === 'string' &&
      Number.isSafeInteger(v['seq']) && (v['seq'] as number) >= 0 && (v['seq'] as number) < facts;
    if (!ok) return `violation must be { kind, name, seq, message } with seq a fact of the file, got ${shown(v)}`;
  }
  if (typeof h['digest'] !== 'string' || !/^[0-9a-f]{8}$/.test(h['digest'])) return `digest must be 8 hex digits, got ${shown(h['digest'])}`;
  return null;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['seed', 'strategy', 'frameBoundaries', 'instanceSetupOnMount', 'onViolation', 'fileSystemCompletion', 'fileSystemLatency', 'semantics', 'record', 'clock']);

/** The options as the header records them (resolved): known keys, a strategy a replay can follow, and every value in its range. */
function headerOptionsProblem(options: Record<string, unknown>): string | null {
  for (const key of Object.keys(options)) if (!OPTION_KEYS.has(key)) return `options has no option ${shown(key)}`;
  const strategy = options['strategy'];
  if (strategy !== 'in-order' && strategy !== 'random' && strategy !== 'replay') return `options.strategy must be 'in-order', 'random' or 'replay', got ${shown(strategy)}`;
  try {
    // The simulation's own checks, so the header and createSimulation accept the same options.
    resolveOptions({ ...options, strategy: 'in-order' });
  } catch (error) {
    if (error instanceof UsageError) return `options: ${error.message}`;
    throw error;
  }
  return null;
}
