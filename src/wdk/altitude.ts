/**
 * Altitudes are decimal strings compared numerically with unlimited precision (§3): digits with
 * at most one '.', leading zeros of the whole part and trailing zeros of the fraction ignored.
 * "03333" > "100.123456". Higher altitude = farther from the file system = sees pre-ops first.
 */
import { badArgument, stringArgument } from '../kernel/arguments.js';
import { shown } from '../kernel/elide.js';
export interface Altitude {
  /** Whole part without leading zeros ('' for zero). */
  readonly whole: string;
  /** Fraction without trailing zeros ('' for none). */
  readonly fraction: string;
}

const ALTITUDE_SYNTAX = /^(\d*)(?:\.(\d*))?$/;

/**
 * Parsed altitudes by text: a simulation compares the same few altitudes on every operation (the
 * path below an initiator), and the regular expressions showed in profiles. A pure function's
 * memo, so nothing depends on what was parsed before; bounded, as the texts come from callers.
 */
const parsed = new Map<string, Altitude | null>();
const MAX_PARSED = 1024;

/** Parse an altitude string, or return null if it is not one (caller turns that into STATUS_INVALID_PARAMETER). */
export function parseAltitude(text: string): Altitude | null {
  if (typeof text !== 'string') return null;
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const altitude = parseText(text);
  if (parsed.size < MAX_PARSED) parsed.set(text, altitude === null ? null : Object.freeze(altitude));
  return altitude;
}

function parseText(text: string): Altitude | null {
  const m = ALTITUDE_SYNTAX.exec(text);
  if (m === null) return null;
  const wholeDigits = m[1] ?? '';
  const fractionDigits = m[2] ?? '';
  if (wholeDigits.length === 0 && fractionDigits.length === 0) return null;
  return { whole: wholeDigits.replace(/^0+/, ''), fraction: fractionDigits.replace(/0+$/, '') };
}

export function isAltitude(text: string): boolean {
  return parseAltitude(text) !== null;
}

/** The canonical spelling: "0" for zero, no leading or trailing zeros otherwise. */
export function normalizeAltitude(text: string): string {
  const a = parseAltitude(stringArgument('normalizeAltitude', 'text', text));
  if (a === null) throw badArgument('normalizeAltitude', `${shown(text)} is not an altitude (digits, optionally with one '.')`);
  return formatAltitude(a);
}

function formatAltitude(a: Altitude): string {
  const whole = a.whole === '' ? '0' : a.whole;
  return a.fraction === '' ? whole : `${whole}.${a.fraction}`;
}

/** <0, 0, >0 as `a` is below, equal to, above `b`. Both must be valid altitudes. */
export function compareAltitudes(a: string, b: string): number {
  const x = parseAltitude(stringArgument('compareAltitudes', 'a', a));
  const y = parseAltitude(stringArgument('compareAltitudes', 'b', b));
  if (x === null || y === null) throw badArgument('compareAltitudes', `${shown(x === null ? a : b)} is not an altitude (digits, optionally with one '.')`);
  if (x.whole.length !== y.whole.length) return x.whole.length - y.whole.length;
  if (x.whole !== y.whole) return x.whole < y.whole ? -1 : 1;
  if (x.fraction === y.fraction) return 0;
  // Equal whole parts: compare fractions digit by digit; a missing digit is 0, and neither has trailing zeros.
  return x.fraction < y.fraction ? -1 : 1;
}
