// A state compared up to the renaming of object ids: shared by the reduced-search checks
// (reducedRaceRun.ts) and the bench's floor of the built-in races (bench/explorePorFloor.ts).

const isId = (s: string): boolean => /^[A-Zrwodtq]\d+$/.test(s);

/**
 * A state with every object id replaced by its kind: records keyed by ids become the sorted list of
 * their contents, log positions and times are left out. Isomorphic states compare equal (and a few
 * that are not, which only weakens the check, on both sides alike).
 */
export function upToIds(state: unknown): string {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return isId(v) ? v[0] : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    if (entries.length > 0 && entries.every(([k]) => isId(k))) return entries.map(([k, x]) => JSON.stringify([k[0], walk(x)])).sort();
    return Object.fromEntries(entries.filter(([k]) => k !== 'seq' && k !== 'time').map(([k, x]) => [k, walk(x)]));
  };
  return JSON.stringify(walk(state));
}
