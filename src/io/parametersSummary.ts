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
  const text = JSON.stringify([iopb.MajorFunction, iopb.MinorFunction, iopb.IrpFlags, iopb.OperationFlags, iopb.TargetFileObject?.id ?? null, summarizeParameters(iopb.Parameters, undefined, original)]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
