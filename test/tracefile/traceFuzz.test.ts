// Issue 14: damaged and hostile trace files (the property is in traceMutations.ts; the long run is
// traceFuzz.deep.test.ts). A fixed seed, so the suite does not depend on luck.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASES, checkMutatedTrace, mutatedTraces, prototypeFingerprint } from './traceMutations.js';
import { readTraceFile } from '../../src/index.js';

describe('mutated real traces: a clean TraceFileError or a checked replay, Object.prototype untouched', () => {
  it('the unmutated bases read', () => {
    for (const base of BASES) expect(readTraceFile(base).facts.length).toBeGreaterThan(10);
  });

  it('truncation, byte flips, dropped/duplicated/reordered lines, hostile keys, huge numbers and lines, wrong types, binary', () => {
    const before = prototypeFingerprint();
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(mutatedTraces, ({ base, mutation }) => {
        const outcome = checkMutatedTrace(base, mutation);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }),
      { numRuns: 300, seed: 14 },
    );
    expect(prototypeFingerprint()).toBe(before);
    // The fixed seed reaches all three: refused, replayed identically, and a replay that differs.
    expect([...outcomes.keys()].sort()).toEqual(['differs', 'refused', 'replayed']);
  });
});
