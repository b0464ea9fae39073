/**
 * JSON values: what a save file, a trace header or a recorded host action can hold, and the bounds
 * every such value is checked against. Plain data, below everything that records or restores it.
 */

/** A JSON value: what a save file or trace header can hold. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * JSON-safe scenario arguments (they are written into save files and trace headers): scalars, or
 * structured values (arrays, objects) for a workload shaped by the host's own state, bounded in
 * depth and size.
 */
export type ScenarioArgs = { readonly [key: string]: JsonValue };

/** Bounds on one structured value: nesting depth, and characters of its JSON. */
export const MAX_JSON_DEPTH = 16;
export const MAX_JSON_CHARS = 65_536;

/**
 * Why `value` is not a bounded JSON value (null when it is): plain objects and arrays of strings,
 * finite numbers, booleans and null, at most MAX_JSON_DEPTH deep and MAX_JSON_CHARS long.
 */
export function jsonValueProblem(value: unknown): string | null {
  const walk = (v: unknown, depth: number): string | null => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
    if (typeof v === 'number') return Number.isFinite(v) ? null : `a number that JSON cannot hold (${String(v)})`;
    if (typeof v !== 'object') return `a ${typeof v}, which JSON cannot hold`;
    if (depth >= MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH}`;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return 'an object that is not plain data';
    for (const item of Array.isArray(v) ? v : Object.values(v)) {
      const problem = walk(item, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  };
  const problem = walk(value, 0);
  if (problem !== null) return problem;
  const chars = JSON.stringify(value).length;
  return chars > MAX_JSON_CHARS ? `${chars} characters of JSON (at most ${MAX_JSON_CHARS})` : null;
}

/**
 * The arguments as JSON would copy them (`JSON.parse(JSON.stringify(args))`), without the round
 * trip when every value is a string, a boolean, null or a finite number JSON writes as it is: an
 * exploration builds a simulation per schedule, and the round trip was a visible line of each.
 */
export function copyScenarioArgs(args: ScenarioArgs): ScenarioArgs {
  const copy: Record<string, JsonValue> = {};
  for (const key in args) {
    if (!Object.hasOwn(args, key)) continue;
    const value = args[key];
    const plain = typeof value === 'string' || typeof value === 'boolean' || value === null || (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0));
    if (!plain || key === '__proto__') return JSON.parse(JSON.stringify(args)) as ScenarioArgs;
    copy[key] = value;
  }
  return copy;
}
