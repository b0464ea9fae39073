/**
 * Operation parameters as they go into the log: JSON, with buffers reduced to their length.
 *
 * Data buffers and MDLs (ReadBuffer, WriteBuffer, DirectoryBuffer, MdlAddress, §20.1) are left out
 * of the summary as issued: they are where the data goes, not what the request asks, and logs
 * written before buffers were modelled stay byte-identical. A buffer or MDL that differs from the
 * issuer's — a filter swapped it (§20.6) or FltLockUserBuffer inserted an MDL (§20.3) — is written
 * by its id (`S…`, `A…`) or length, so the fingerprints show who saw the swapped buffers.
 */
import type { ParametersSummary } from '../kernel/facts.js';
import { BUFFER_FIELDS } from '../wdk/buffers.js';
import type { FltParameters } from '../wdk/parameters.js';

export function summarizeParameters(parameters: FltParameters, buffer: Uint8Array | undefined, original: FltParameters | null = null): ParametersSummary {
  const out: Record<string, unknown> = {};
  const issued = (original ?? {}) as Record<string, unknown>;
  // for-in with an own-key test walks what Object.entries would, without building the pairs (allocation per operation).
  const members = parameters as unknown as Record<string, unknown>;
  for (const member in members) if (Object.hasOwn(members, member)) out[member] = summarize(members[member], issued[member]);
  if (buffer !== undefined) out.buffer = { bytes: buffer.length };
  return out;
}

function summarize(value: unknown, original: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (Array.isArray(value)) return value.map((v) => summarize(v, undefined));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const before = original !== null && typeof original === 'object' ? (original as Record<string, unknown>) : null;
    const fields = value as Record<string, unknown>;
    for (const k in fields) {
      if (!Object.hasOwn(fields, k)) continue;
      const v = fields[k];
      if (v === undefined) continue;
      if (BUFFER_FIELDS.has(k)) {
        if (before === null || (before[k] ?? null) === (v ?? null)) continue;
        out[k] = bufferName(v);
        continue;
      }
      out[k] = summarize(v, before?.[k]);
    }
    return out;
  }
  return value;
}

/** A swapped-in buffer or MDL by id when it has one, else by length. */
function bufferName(value: unknown): unknown {
  if (value === null) return null;
  if (value !== null && typeof value === 'object' && 'id' in value && typeof (value as { id: unknown }).id === 'string') return (value as { id: string }).id;
  if (value instanceof Uint8Array) return { bytes: value.length };
  return typeof value;
}

/**
 * A short fingerprint of what a callback saw in Iopb (major, minor, flags, target file object,
 * parameters), so a checker can tell from the log alone who saw which edit (§7, §14 invariant 16)
 * without the log carrying every parameter block. FNV-1a over the summary's JSON, 8 hex digits.
 * `original`: the parameters as issued, against which swapped buffers are told apart.
 *
 * The JSON text is hashed as it would be written, never built: building it (JSON.stringify) and
 * formatting the hash (toString(16)) were 3–4% of an explored schedule of the smallest race, for
 * the four operations a schedule issues.
 */
export function fingerprintIopb(
  iopb: {
    readonly MajorFunction: number;
    readonly MinorFunction: number;
    readonly IrpFlags: number;
    readonly OperationFlags: number;
    readonly TargetFileObject: { readonly id: string } | null;
    readonly Parameters: FltParameters;
  },
  original: FltParameters | null = null,
): string {
  // The text of [major, minor, irpFlags, operationFlags, target, summary].
  let h = mix(FNV_OFFSET, 0x5b);
  h = mix(jsonHash(h, iopb.MajorFunction), 0x2c);
  h = mix(jsonHash(h, iopb.MinorFunction), 0x2c);
  h = mix(jsonHash(h, iopb.IrpFlags), 0x2c);
  h = mix(jsonHash(h, iopb.OperationFlags), 0x2c);
  h = mix(jsonHash(h, iopb.TargetFileObject?.id ?? null), 0x2c);
  h = mix(jsonHash(h, summarizeParameters(iopb.Parameters, undefined, original)), 0x5d);
  return hex8(h);
}

const FNV_OFFSET = 0x811c9dc5;

function mix(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193) >>> 0;
}

function textHash(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = mix(h, text.charCodeAt(i));
  return h;
}

/**
 * FNV-1a continued over the JSON text of a summary value (what summarize returns: plain objects,
 * arrays, strings, numbers, booleans, null), char for char what JSON.stringify writes: keys
 * whose value is undefined left out, undefined in an array as null, a non-finite number as null.
 */
function jsonHash(h: number, value: unknown): number {
  switch (typeof value) {
    case 'number':
      return textHash(h, Number.isFinite(value) ? String(value) : 'null');
    case 'string':
      return stringHash(h, value);
    case 'boolean':
      return textHash(h, value ? 'true' : 'false');
    case 'object': {
      if (value === null) return textHash(h, 'null');
      if (Array.isArray(value)) {
        h = mix(h, 0x5b);
        for (let i = 0; i < value.length; i++) {
          if (i > 0) h = mix(h, 0x2c);
          const item: unknown = value[i];
          h = item === undefined || typeof item === 'function' || typeof item === 'symbol' ? textHash(h, 'null') : jsonHash(h, item);
        }
        return mix(h, 0x5d);
      }
      h = mix(h, 0x7b);
      let first = true;
      const fields = value as Record<string, unknown>;
      for (const k in fields) {
        if (!Object.hasOwn(fields, k)) continue;
        const v = fields[k];
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        if (!first) h = mix(h, 0x2c);
        first = false;
        h = mix(stringHash(h, k), 0x3a);
        h = jsonHash(h, v);
      }
      return mix(h, 0x7d);
    }
    default:
      // A bigint throws as JSON.stringify throws; nothing else reaches here from a summary.
      return textHash(h, JSON.stringify(value) ?? 'null');
  }
}

/** A string's JSON text: quoted as it is unless a character needs an escape, then JSON.stringify's own. */
function stringHash(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return textHash(h, JSON.stringify(text));
  }
  return mix(textHash(mix(h, 0x22), text), 0x22);
}

const HEX_DIGITS = '0123456789abcdef';

/** The hash as 8 lowercase hex digits: one string, where toString(16) and padStart made two. */
function hex8(h: number): string {
  const d = (shift: number): number => HEX_DIGITS.charCodeAt((h >>> shift) & 15);
  return String.fromCharCode(d(28), d(24), d(20), d(16), d(12), d(8), d(4), d(0));
}
