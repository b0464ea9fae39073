/**
 * 8.3 short names (§21.6). A volume created with `shortNames: true` gives every long name that is
 * not already a legal 8.3 name an alias `BASENA~N.EXT` unique in its directory; lookups match
 * either name. Off by default, as the reference's default says (names are returned unchanged).
 *
 * The alias rule is the classic one RtlGenerate8dot3Name produces for the first four collisions:
 * upper-case, drop characters that are not legal in 8.3 names and all spaces and dots but the
 * last, keep up to six characters of the base, then `~N`, then up to three of the extension.
 */
import { upcase } from './collation.js';

/** Characters an 8.3 name may hold besides letters and digits. */
const LEGAL_83_PUNCTUATION = "!#$%&'()-@^_`{}~";

function isLegal83Character(ch: string): boolean {
  return /^[A-Za-z0-9]$/.test(ch) || LEGAL_83_PUNCTUATION.includes(ch) || ch.charCodeAt(0) > 0x7f;
}

/** RtlIsNameLegalDOS8Dot3 for the names this model holds: base 1–8, at most one dot, extension 0–3, no spaces. */
export function isLegal83Name(name: string): boolean {
  const dot = name.indexOf('.');
  const base = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? '' : name.slice(dot + 1);
  if (base.length < 1 || base.length > 8 || ext.length > 3 || ext.includes('.')) return false;
  if (dot >= 0 && ext.length === 0) return false;
  return [...base, ...ext].every(isLegal83Character);
}

/**
 * The alias for `longName`, or null when the long name is itself a legal 8.3 name (then it serves
 * as its own short name). `taken(upcasedAlias)` says whether the directory already holds that name.
 */
export function generateShortName(longName: string, taken: (upcasedAlias: string) => boolean): string | null {
  if (isLegal83Name(longName)) return null;
  const lastDot = longName.lastIndexOf('.');
  const rawBase = lastDot > 0 ? longName.slice(0, lastDot) : longName;
  const rawExt = lastDot > 0 ? longName.slice(lastDot + 1) : '';
  const clean = (s: string): string => [...upcase(s)].filter((ch) => ch !== ' ' && ch !== '.' && isLegal83Character(ch)).join('');
  const base = clean(rawBase) || '_';
  const ext = clean(rawExt).slice(0, 3);
  for (let n = 1; ; n++) {
    const suffix = `~${n}`;
    const alias = base.slice(0, 8 - suffix.length) + suffix + (ext === '' ? '' : `.${ext}`);
    if (!taken(upcase(alias))) return alias;
  }
}
