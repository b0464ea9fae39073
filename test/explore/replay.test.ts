// Every schedule found by any strategy replays to the same log (issue 16, "What must hold";
// docs/exploration.md: a schedule is reproducible from its seed and choices). On random plans —
// a built-in race, buggy or fixed, under random, PCT (depth 1–3) or exhaustive search (bound 0–2,
// each reduction: none, sleep sets, DPOR, stateful DPOR) — each schedule the strategy runs, re-run
// by replaySchedule from (seed, choices), logs the same facts in the same order and is judged the
// same; the failing schedule explore() reports replays to its trace and violation, and so does the
// shrunk one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budget } from '../support/deep.js';
import { checkReplays, replayPlans } from './replayRun.js';

describe('every schedule a strategy runs replays to the same log', () => {
  it('random plans: each schedule, the failing one and the shrunk one', () => {
    fc.assert(fc.property(replayPlans, (plan) => void checkReplays(plan, budget(4, 30))), { numRuns: budget(4, 200) });
  });

  it('exhaustive search under each reduction on the fixed free race (bound 2): every complete schedule of the bounded space', () => {
    for (const reduction of ['none', 'sleep-sets', 'dpor', 'stateful-dpor'] as const) {
      const r = checkReplays({ scenario: 'race-free-before-callback', variant: 'fixed', strategy: 'exhaustive', reduction, seed: 1, depth: 2, bound: 2 }, 100);
      // The whole bounded space, nothing found: every complete schedule explore() ran was replayed.
      expect([r.explored.found, r.explored.exhausted], reduction).toEqual([false, true]);
      expect(r.replayed, reduction).toBe(r.explored.schedules);
    }
  });
});
