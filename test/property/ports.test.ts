// Random filters send messages while instances tear down and an unload races them, and random
// user-mode clients get, reply, send and close (§17, §19.9): the port invariants hold, nothing
// hangs, no verifier finding for a well-behaved filter, fold(log) = live state. Seeds replay.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkPortRun, portRun } from './portRuns.js';

describe('random port traffic racing teardown and unload (§17, §19.9 13–17)', () => {
  it('invariants hold, every sender returns, the unload finishes, fold = live', () => {
    // 12 workloads in npm test; test:deep 400 (ports.deep.test.ts).
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => checkPortRun(seed)), { numRuns: 12, seed: 17 });
  });

  it('the same seed gives the same log', () => {
    const a = portRun(4242).sim.log.map((f) => JSON.stringify(f));
    const b = portRun(4242).sim.log.map((f) => JSON.stringify(f));
    expect(a).toEqual(b);
  });
});
