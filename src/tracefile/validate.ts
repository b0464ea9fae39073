/**
 * Checking one line of a trace file against the fact schema, before anything is folded or replayed.
 * A trace file is untrusted (docs/security.md): no name from it may become a key of a plain object,
 * so object ids must look like ids, no object may carry `__proto__`, `constructor` or `prototype`
 * keys, and every field has the type and range its fact type says. Messages name the line and the
 * field and elide long values, so a hostile line cannot make a huge error either.
 */
import { shown } from '../kernel/elide.js';
import { UsageError } from '../kernel/errors.js';
import type { Fact } from '../kernel/facts.js';
import { resolveOptions } from '../simulationOptions.js';
import { TraceFileError } from '../travel/errors.js';
import { FACT_SCHEMA, type FieldKind } from './factSchema.js';

export { shown };

/** An object id: `sim`, or a kind letter (a capital, or a lowercase one once the capitals ran out) and a decimal number (F1, T12, W300, r2). */
const OBJECT_ID = /^(sim|[A-Za-z][1-9][0-9]{0,14})$/;
/** What a context is linked to: an object, or a stream of a volume (src/fltmgr/contextTable.ts). */
const CONTEXT_LINK = /^[A-Za-z][1-9][0-9]{0,14}(:stream#[0-9]{1,20})?$/;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const HEADER_FIELDS: ReadonlySet<string> = new Set(['seq', 'time', 'object', 'type']);
/** How deep a `json` field (a parameter summary) may nest, and how many values it may hold. */
const JSON_DEPTH = 8;
const JSON_VALUES = 10_000;
/** The longest string a fact field may hold: a Windows path is at most 32,767 characters. */
export const MAX_STRING = 65_536;
/** The most ids a list field may hold (a wait on several objects: Windows allows 64). */
const MAX_IDS = 4096;

/** A plain JSON object: not an array, not null, with the ordinary prototype and no forbidden key. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return !Object.keys(value).some((k) => FORBIDDEN_KEYS.has(k));
}

export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

/** Check one parsed fact line. Returns it typed, or throws a TraceFileError naming line and field. */
export function validateFact(value: unknown, line: number, expectedSeq: number): Fact {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TraceFileError(line, 'a fact must be a JSON object');
  const keys = Object.keys(value);
  const forbidden = keys.find((k) => FORBIDDEN_KEYS.has(k));
  if (forbidden !== undefined) throw new TraceFileError(line, `a fact may not have a field named ${shown(forbidden)}`);
  const f = value as Record<string, unknown>;
  if (!Number.isSafeInteger(f['seq']) || !Number.isSafeInteger(f['time']) || typeof f['object'] !== 'string' || typeof f['type'] !== 'string') {
    throw new TraceFileError(line, 'a fact needs seq and time (integers), object and type (strings)');
  }
  if (f['seq'] !== expectedSeq) throw new TraceFileError(line, `seq ${shown(f['seq'])} out of order, expected ${expectedSeq}`);
  if ((f['time'] as number) < 0) throw new TraceFileError(line, `time ${shown(f['time'])} is negative`);
  if (!isObjectId(f['object'])) throw new TraceFileError(line, `object ${shown(f['object'])} is not an object id (sim, or a letter and a number such as T12)`);
  const type = f['type'] as string;
  if (!Object.hasOwn(FACT_SCHEMA, type)) throw new TraceFileError(line, `unknown fact type ${shown(type)}`);
  const fields = FACT_SCHEMA[type as keyof typeof FACT_SCHEMA] as Readonly<Record<string, FieldKind>>;
  for (const key of keys) {
    if (!HEADER_FIELDS.has(key) && !Object.hasOwn(fields, key)) throw new TraceFileError(line, `${type} has no field ${shown(key)}`);
  }
  for (const [field, kind] of Object.entries(fields)) {
    if (!Object.hasOwn(f, field)) {
      if (typeof kind === 'string' && kind.startsWith('opt ')) continue;
      throw new TraceFileError(line, `${type} lacks its field ${field}`);
    }
    const problem = checkKind(f[field], kind);
    if (problem !== null) throw new TraceFileError(line, `${type}.${field} ${problem}, got ${shown(f[field])}`);
  }
  return value as Fact;
}

/** Why `value` is not of `kind`, or null when it is. */
export function checkKind(value: unknown, kind: FieldKind): string | null {
  if (typeof kind !== 'string') return typeof value === 'string' && kind.includes(value) ? null : `must be one of ${kind.join(', ')}`;
  switch (kind) {
    case 'opt string':
      return checkKind(value, 'string');
    case 'opt id':
      return checkKind(value, 'id');
    case 'opt boolean':
      return checkKind(value, 'boolean');
    case 'opt int':
      return checkKind(value, 'int');
    case 'opt edit':
      return isPlainRecord(value) && Object.keys(value).length === 2 && isObjectId(value['fileObject']) && isPlainRecord(value['parameters']) && isSafeJson(value['parameters'])
        ? null
        : 'must be { fileObject, parameters } (an object id and a parameter summary)';
    case 'string':
      return typeof value !== 'string' ? 'must be a string' : value.length > MAX_STRING ? `must be at most ${MAX_STRING} characters` : null;
    case 'id':
      return isObjectId(value) ? null : 'must be an object id';
    case 'link':
      return typeof value === 'string' && CONTEXT_LINK.test(value) ? null : 'must be an object id or a stream (V1:stream#64)';
    case 'int':
      return Number.isSafeInteger(value) ? null : 'must be a whole number';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a finite number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'string?':
      return value === null ? null : typeof value !== 'string' ? 'must be a string or null' : value.length > MAX_STRING ? `must be at most ${MAX_STRING} characters` : null;
    case 'id?':
      return value === null || isObjectId(value) ? null : 'must be an object id or null';
    case 'int?':
      return value === null || Number.isSafeInteger(value) ? null : 'must be a whole number or null';
    case 'ids':
      return Array.isArray(value) && value.length <= MAX_IDS && value.every(isObjectId) ? null : `must be a list of at most ${MAX_IDS} object ids`;
    case 'strings':
      return Array.isArray(value) && value.length <= MAX_IDS && value.every((v) => typeof v === 'string' && v.length <= MAX_STRING) ? null : `must be a list of at most ${MAX_IDS} strings`;
    case 'frames':
      return Array.isArray(value) && value.length <= MAX_IDS && value.every(isFrame) ? null : 'must be a list of frames { index, low, high }';
    case 'json':
      return isSafeJson(value) ? null : `must be JSON without __proto__/constructor/prototype keys, at most ${JSON_DEPTH} deep and ${JSON_VALUES} values`;
  }
}

function isFrame(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 3 &&
    Number.isSafeInteger(value['index']) &&
    typeof value['low'] === 'string' &&
    value['low'].length <= 64 &&
    (value['high'] === null || (typeof value['high'] === 'string' && value['high'].length <= 64))
  );
}

/** JSON as JSON.parse builds it, bounded in depth and size, with no key that could reach a prototype. */
export function isSafeJson(value: unknown): boolean {
  let budget = JSON_VALUES;
  const walk = (v: unknown, depth: number): boolean => {
    if (--budget < 0 || depth > JSON_DEPTH) return false;
    if (v === null || typeof v === 'boolean') return true;
    if (typeof v === 'string') return v.length <= MAX_STRING;
    if (typeof v === 'number') return Number.isFinite(v);
    if (Array.isArray(v)) return v.every((x) => walk(x, depth + 1));
    if (!isPlainRecord(v)) return false;
    return Object.values(v).every((x) => walk(x, depth + 1));
  };
  return walk(value, 0);
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
