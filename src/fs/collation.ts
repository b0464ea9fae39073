/** NTFS name comparison: case-insensitive through the upcase table, case-preserving in storage. */
export function upcase(name: string): string {
  let out = '';
  for (const ch of name) {
    const up = ch.toUpperCase();
    out += up.length === ch.length ? up : ch;
  }
  return out;
}

/** NTFS collation for enumeration: compare upcased UTF-16 code units. */
export function compareNames(a: string, b: string): number {
  const ua = upcase(a);
  const ub = upcase(b);
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}
