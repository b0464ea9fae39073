/** Checks every context routine makes of its arguments and its calling context. */
import { UsageError } from '../kernel/errors.js';
import { ContextObject } from './contextObject.js';
import type { FilterManager } from './filterManager.js';

/** A context argument must be one of this simulation's contexts: anything else is a usage error. */
export function contextArgument(routine: string, value: unknown): ContextObject<object> {
  if (value instanceof ContextObject) return value as ContextObject<object>;
  throw new UsageError('BAD_ARGUMENT', `${routine}: ${value === null ? 'NULL' : typeof value} is not a PFLT_CONTEXT from FltAllocateContext`);
}

/** §15.5, §19.9 inv. 2: get, set, delete and allocate run at ≤ APC_LEVEL; a post-op at DISPATCH may only reference and release. */
export function requireBelowDispatch(fltMgr: FilterManager, routine: string, object: string): void {
  const thread = fltMgr.kernel.current;
  if (thread !== null && thread.irql >= 2) {
    throw fltMgr.kernel.violation(
      'CONTEXT_ROUTINE_AT_DISPATCH',
      object,
      `${routine} at DISPATCH_LEVEL (a post-operation callback that was not made safe); only FltReferenceContext and FltReleaseContext may run there`,
    );
  }
}
