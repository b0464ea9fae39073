// §15, §19.9 inv. 1–7 over random filters that set, get, replace, delete and release contexts while
// applications open files and operators detach, dismount and unload them (src/testing/randomContextWorkload.ts).
// Every assertion names its seed; `build(seed)` replays it exactly. A longer run: contexts.deep.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { budget } from '../support/deep.js';
import { build, checkContextRun } from './contextRun.js';

describe('random context use under teardown and unload (§15, §19.9)', () => {
  it('every run ends idle, with no verifier finding, the §19.9 invariants holding and fold = live', () => {
    // 10 runs in npm test; test:deep 60 (contexts.deep.test.ts).
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => checkContextRun(seed)), { numRuns: budget(10, 60) });
  });

  it('is deterministic: the same seed gives the same log', () => {
    const a = build(4242);
    a.run();
    const b = build(4242);
    b.run();
    expect(JSON.stringify(b.log)).toBe(JSON.stringify(a.log));
    expect(a.log.some((f) => f.type === 'ContextLinked')).toBe(true);
  });
});
