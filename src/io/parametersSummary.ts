/** Operation parameters as they go into the log: JSON, with buffers reduced to their length. */
import type { ParametersSummary } from '../kernel/facts.js';
import type { FltParameters } from '../wdk/parameters.js';

export function summarizeParameters(parameters: FltParameters, buffer: Uint8Array | undefined): ParametersSummary {
  const out: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(parameters)) out[member] = summarize(value);
  if (buffer !== undefined) out.buffer = { bytes: buffer.length };
  return out;
}

function summarize(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (Array.isArray(value)) return value.map(summarize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = summarize(v);
    return out;
  }
  return value;
}

/**
 * A short fingerprint of what a callback saw in Iopb (major, minor, flags, target file object,
 * parameters), so a checker can tell from the log alone who saw which edit (§7, §14 invariant 16)
 * without the log carrying every parameter block. FNV-1a over the summary's JSON, 8 hex digits.
 */
export function fingerprintIopb(iopb: {
  readonly MajorFunction: number;
  readonly MinorFunction: number;
  readonly IrpFlags: number;
  readonly OperationFlags: number;
  readonly TargetFileObject: { readonly id: string };
  readonly Parameters: FltParameters;
}): string {
  const text = JSON.stringify([iopb.MajorFunction, iopb.MinorFunction, iopb.IrpFlags, iopb.OperationFlags, iopb.TargetFileObject.id, summarizeParameters(iopb.Parameters, undefined)]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
