/**
 * Copies of an I/O parameter block (FLT_IO_PARAMETER_BLOCK): each callback gets its own, deep enough
 * that its edits reach neither the issuer's view nor another callback's. Made four times per
 * operation, so written without intermediate arrays.
 */
import type { FltParameters } from '../wdk/parameters.js';
import type { FLT_IO_PARAMETER_BLOCK } from './ioOperation.js';

/** A copy deep enough that a callback's edits cannot reach another callback's view. */
export function copyIopb(iopb: FLT_IO_PARAMETER_BLOCK): FLT_IO_PARAMETER_BLOCK {
  return { ...iopb, Parameters: copyParameters(iopb.Parameters) };
}

function copyParameters(p: FltParameters): FltParameters {
  const out: Record<string, unknown> = {};
  // for-in with an own-key test walks what Object.entries would, without building the pairs: four copies per operation.
  const members = p as unknown as Record<string, unknown>;
  for (const key in members) {
    if (!Object.hasOwn(members, key)) continue;
    const member = members[key];
    out[key] = member !== null && typeof member === 'object' && !(member instanceof Uint8Array) ? copyMember(member as Record<string, unknown>) : member;
  }
  return out as unknown as FltParameters;
}

/** The views nested one level down in a member (DirectoryControl.QueryDirectory) are copied too, so a swap edits only the copy. */
const NESTED_VIEWS: readonly string[] = ['QueryDirectory', 'NotifyDirectory'];

function copyMember(member: Record<string, unknown>): Record<string, unknown> {
  const out = { ...member };
  for (let i = 0; i < NESTED_VIEWS.length; i++) {
    const key = NESTED_VIEWS[i]!;
    const nested = out[key];
    if (nested !== null && typeof nested === 'object') out[key] = { ...(nested as object) };
  }
  return out;
}
