/**
 * Reading a machine's state value when some of its states have parts (nested states): the
 * top-level state is what views, verifier messages and `state` getters name; the part below it is
 * what the engine asks when it needs more (who armed an IRP's cancel routine, why a message was
 * withdrawn). Flat machines' values are strings, so both readings cost nothing for them.
 */
import type { StateValue } from 'xstate';

/** The top-level state: `'Cancelable'` of `{ Cancelable: 'FltCbdq' }`, or the flat value itself. */
export function topState(value: StateValue): string {
  if (typeof value === 'string') return value;
  for (const key in value) return key;
  return '';
}

/** The state one level below the top, or null when the top-level state has no parts. */
export function subState(value: StateValue): string | null {
  if (typeof value === 'string') return null;
  for (const key in value) {
    const inner = value[key];
    return typeof inner === 'string' ? inner : inner === undefined ? null : topState(inner);
  }
  return null;
}

/**
 * The state as one string: the flat value itself, or the path of a state with parts
 * (`'Cancelable.FltCbdq'`). What the fold's `advance` hands back, so a view can take both levels
 * from the one machine state.
 */
export function statePath(value: StateValue): string {
  if (typeof value === 'string') return value;
  for (const key in value) {
    const inner = value[key];
    return inner === undefined ? key : `${key}.${statePath(inner)}`;
  }
  return '';
}

/** `statePath` split at its first dot: the top-level state and its part (null when it has none). */
export function splitStatePath(path: string): readonly [string, string | null] {
  const dot = path.indexOf('.');
  return dot < 0 ? [path, null] : [path.slice(0, dot), path.slice(dot + 1)];
}
