/**
 * One fact against the fact schema (factSchema.ts): its envelope, its type, and every field of that
 * type. Two callers, one check: the trace reader (a line of an untrusted file, tracefile/validate.ts)
 * and the helpers over a caller's own log (formatFact, foldLog, Timeline, …: dataArguments.ts), so a
 * hand-built fact that lacks a field of its own is refused up front instead of surfacing as a
 * TypeError deep inside a formatter or a fold.
 *
 * No name from a fact may become a key of a plain object: object ids must look like ids, and no
 * object may carry a `__proto__`, `constructor` or `prototype` key. The simulation's own hot path
 * never runs this: the kernel appends facts it built itself; only the public helpers' argument
 * checks and the reader do (cost measured in docs/security.md).
 */
import { shown } from './elide.js';
import { FACT_SCHEMA, type FieldKind } from './factSchema.js';

/** An object id: `sim`, or a kind letter (a capital, or a lowercase one once the capitals ran out) and a decimal number (F1, T12, W300, r2; P0 is the System process). */
const OBJECT_ID = /^(sim|[A-Za-z](0|[1-9][0-9]{0,14}))$/;
/** What a context is linked to: an object, or a stream of a volume (src/fltmgr/contextTable.ts). */
const CONTEXT_LINK = /^[A-Za-z][1-9][0-9]{0,14}(:stream#[0-9]{1,20}(:[^\\/:*?"<>|\u0000-\u001f]{1,255})?|:file#[0-9]{1,20})?$/;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const ENVELOPE: ReadonlySet<string> = new Set(['seq', 'time', 'object', 'type']);
/** How deep a `json` field (a parameter summary) may nest, and how many values it may hold. */
const JSON_DEPTH = 8;
const JSON_VALUES = 10_000;
/** The longest string a fact field may hold: a Windows path is at most 32,767 characters. */
export const MAX_STRING = 65_536;
/** The most ids a list field may hold (a wait on several objects: Windows allows 64). */
const MAX_IDS = 4096;

/** Each fact type's fields as a list and a set of names, built once: the check walks these instead of the schema's record. */
interface TypeFields {
  readonly list: readonly (readonly [string, FieldKind])[];
  readonly names: ReadonlySet<string>;
}
const FIELDS: ReadonlyMap<string, TypeFields> = new Map(
  Object.entries(FACT_SCHEMA).map(([type, fields]) => {
    const list = Object.entries(fields as Readonly<Record<string, FieldKind>>);
    return [type, { list, names: new Set(list.map(([name]) => name)) }];
  }),
);

/** What is wrong with a fact: `field` names the field (null: the fact as a whole), `problem` says what. */
export interface FactProblem {
  readonly field: string | null;
  readonly problem: string;
}

/** A plain JSON object: not an array, not null, with the ordinary prototype and no forbidden key. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return !Object.keys(value).some((k) => FORBIDDEN_KEYS.has(k));
}

export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

/**
 * Why `value` is not a fact of the schema, or null when it is. `expectedSeq`: the seq the fact must
 * have (a trace file's facts are numbered from 0), or undefined when any whole number will do.
 * A field holding `undefined` counts as absent (a fact built in memory; JSON never holds one).
 */
export function factProblem(value: unknown, expectedSeq?: number): FactProblem | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { field: null, problem: 'a fact must be a JSON object' };
  const f = value as Record<string, unknown>;
  for (const key of FORBIDDEN_KEYS) if (Object.hasOwn(f, key)) return { field: null, problem: `a fact may not have a field named ${shown(key)}` };
  const seq = f['seq'];
  const time = f['time'];
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(time) || typeof f['object'] !== 'string' || typeof f['type'] !== 'string') {
    return { field: null, problem: 'a fact needs seq and time (integers), object and type (strings)' };
  }
  if (expectedSeq !== undefined && seq !== expectedSeq) return { field: 'seq', problem: `seq ${shown(seq)} out of order, expected ${expectedSeq}` };
  if ((seq as number) < 0) return { field: 'seq', problem: `seq ${shown(seq)} is negative` };
  if ((time as number) < 0) return { field: 'time', problem: `time ${shown(time)} is negative` };
  if (!isObjectId(f['object'])) return { field: 'object', problem: `object ${shown(f['object'])} is not an object id (sim, or a letter and a number such as T12)` };
  const type = f['type'] as string;
  const fields = FIELDS.get(type);
  if (fields === undefined) return { field: 'type', problem: `unknown fact type ${shown(type)}` };
  // Counted without allocating (this runs once per fact of a log): a count that differs from the
  // envelope plus the fields held sends the fact to the slow search for the key the type lacks.
  let keys = 0;
  for (const key in f) if (f[key] !== undefined) keys++;
  let expected = ENVELOPE.size;
  for (const [field] of fields.list) if (f[field] !== undefined) expected++;
  if (keys !== expected) {
    for (const key of Object.keys(f)) {
      if (!ENVELOPE.has(key) && !fields.names.has(key) && f[key] !== undefined) return { field: key, problem: `${type} has no field ${shown(key)}` };
    }
  }
  for (const [field, kind] of fields.list) {
    const held = f[field];
    if (held === undefined) {
      if (typeof kind === 'string' && kind.startsWith('opt ')) continue;
      return { field, problem: `${type} lacks its field ${field}` };
    }
    const problem = checkKind(held, kind);
    if (problem !== null) return { field, problem: `${type}.${field} ${problem}, got ${shown(held)}` };
  }
  return null;
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
      return typeof value === 'string' && CONTEXT_LINK.test(value) ? null : 'must be an object id, a stream (V1:stream#64, V1:stream#64:ADS) or a file (V1:file#64)';
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
