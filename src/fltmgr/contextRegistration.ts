/**
 * FLT_REGISTRATION.ContextRegistration (§15.2): checked at FltRegisterFilter, and searched by
 * FltAllocateContext for the entry that serves a (type, size) request.
 */
import {
  CONTEXT_TYPE_NAMES,
  FLT_CONTEXT_END,
  FLT_VARIABLE_SIZED_CONTEXTS,
  FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH,
  MAX_CONTEXT_SIZE,
} from '../wdk/contextConstants.js';
import type { FLT_CONTEXT_REGISTRATION } from './registration.js';

/** The entries before the first FLT_CONTEXT_END, as FltMgr reads the C array. */
export function contextEntries(registration: readonly FLT_CONTEXT_REGISTRATION[] | undefined): readonly FLT_CONTEXT_REGISTRATION[] {
  if (registration === undefined) return [];
  const end = registration.findIndex((e) => e.ContextType === FLT_CONTEXT_END);
  return end < 0 ? registration : registration.slice(0, end);
}

export function isContextType(type: number): boolean {
  return CONTEXT_TYPE_NAMES[type] !== undefined;
}

function isFixedSize(size: number): boolean {
  return Number.isInteger(size) && size >= 0 && size <= MAX_CONTEXT_SIZE;
}

/**
 * Why the array is malformed, or null. Per type: at most three fixed sizes (a duplicate of an
 * earlier identical entry does not count: the first wins) and one variable-size entry; a type
 * with an allocate callback has no other entry; PoolTag is required without one.
 */
export function contextRegistrationError(registration: readonly FLT_CONTEXT_REGISTRATION[] | undefined): string | null {
  const entries = contextEntries(registration);
  const byType = new Map<number, FLT_CONTEXT_REGISTRATION[]>();
  for (const [i, e] of entries.entries()) {
    if (!isContextType(e.ContextType)) return `entry ${i}: ContextType 0x${e.ContextType.toString(16)} is not one context type`;
    const size = e.Size ?? 0;
    const custom = e.ContextAllocateCallback != null;
    if (!custom && size !== FLT_VARIABLE_SIZED_CONTEXTS && !isFixedSize(size)) return `entry ${i}: Size ${size} is neither FLT_VARIABLE_SIZED_CONTEXTS nor 0..MAXUSHORT`;
    if (!custom && (e.PoolTag ?? 0) === 0) return `entry ${i}: PoolTag is 0 and there is no ContextAllocateCallback`;
    const list = byType.get(e.ContextType) ?? [];
    list.push(e);
    byType.set(e.ContextType, list);
  }
  for (const [type, list] of byType) {
    const name = CONTEXT_TYPE_NAMES[type]!;
    if (list.some((e) => e.ContextAllocateCallback != null) && list.length > 1) return `${name}: an entry with a ContextAllocateCallback must be the type's only entry`;
    const fixed = new Set(list.map((e) => e.Size ?? 0).filter((s) => s !== FLT_VARIABLE_SIZED_CONTEXTS));
    if (fixed.size > 3) return `${name}: ${fixed.size} fixed sizes (at most three)`;
    if (list.filter((e) => (e.Size ?? 0) === FLT_VARIABLE_SIZED_CONTEXTS).length > 1) return `${name}: more than one FLT_VARIABLE_SIZED_CONTEXTS entry`;
  }
  return null;
}

/**
 * The entry serving an allocation of `size` bytes of `type`, or null (STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND).
 * An allocate callback serves every size; a fixed entry serves its exact size, or any size up to it
 * with FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH; the smallest such entry wins; a variable
 * entry serves what no fixed entry does.
 */
export function entryFor(registration: readonly FLT_CONTEXT_REGISTRATION[] | undefined, type: number, size: number): FLT_CONTEXT_REGISTRATION | null {
  const list = contextEntries(registration).filter((e) => e.ContextType === type);
  const custom = list.find((e) => e.ContextAllocateCallback != null);
  if (custom !== undefined) return custom;
  let best: FLT_CONTEXT_REGISTRATION | null = null;
  for (const e of list) {
    const entrySize = e.Size ?? 0;
    if (entrySize === FLT_VARIABLE_SIZED_CONTEXTS) continue;
    const fits = entrySize === size || ((e.Flags ?? 0) & FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH) !== 0 && size <= entrySize;
    if (fits && (best === null || entrySize < (best.Size ?? 0))) best = e;
  }
  return best ?? list.find((e) => (e.Size ?? 0) === FLT_VARIABLE_SIZED_CONTEXTS) ?? null;
}
