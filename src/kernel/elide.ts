/**
 * Bounded text for error messages. A message may quote a value that came from outside (a trace
 * file, an argument): however long that value is, the message stays one readable line, and says
 * how long the part it left out was.
 */

/** Longest message any FltSimError carries (characters). */
export const MAX_MESSAGE = 2000;
/** Longest quoted value inside a message. */
export const MAX_SHOWN = 60;

/** `text` cut to `max` characters, with the full length when it was cut. */
export function elide(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A value as an error message shows it: JSON (or its String form), elided past `max` characters. */
export function shown(value: unknown, max = MAX_SHOWN): string {
  let text: string;
  try {
    text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return elide(text, max);
}

/** How an error message names a value a routine did not expect: its kind, and a short form of it. */
export function kindOf(value: unknown): string {
  if (value === null) return 'NULL';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? (name === 'Object' ? 'a plain object' : name) : 'an object';
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'string') return `string ${shown(value)}`;
  return typeof value;
}
