/**
 * A copy of an object's view that shares nothing with it.
 *
 * A fold changes a view at any depth: an array (a filter's instances), a record in an array (a
 * transaction's enlistment, an oplock's holder), a nested record (a lock's owners). A copy that
 * shared any of them would either be changed by the next fact (the viewer's state before a fact
 * showed the lock's owners after it) or, frozen in a time-travel checkpoint, make the fold's
 * assignment a JavaScript TypeError. A record keeps its prototype: the fold's records keyed by a
 * name from the run are prototype-less (idRecord, src/projection/simState.ts).
 */
export function copyView<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = value.slice();
    for (let i = 0; i < copy.length; i++) if (typeof copy[i] === 'object') copy[i] = copyView(copy[i]);
    return copy as T;
  }
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = copyView((value as Record<string, unknown>)[key]);
  return copy as T;
}
