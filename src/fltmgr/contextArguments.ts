/** Checks every context routine makes of its arguments and its calling context. */
import { objectArgument } from '../kernel/arguments.js';
import { ContextObject } from './contextObject.js';
import type { FilterManager } from './filterManager.js';

/** A context argument must be one of this simulation's contexts: anything else is a usage error. */
export function contextArgument(routine: string, value: unknown, name = 'Context'): ContextObject<object> {
  return objectArgument(routine, name, value, ContextObject, 'a PFLT_CONTEXT from FltAllocateContext') as ContextObject<object>;
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
