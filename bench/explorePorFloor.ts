/**
 * The floor under partial-order reduction on the built-in races (issue 16, item 1): how few runs
 * any sound search could need at preemption bound 2, counted by brute force. Every schedule within
 * the bound is run to its end (no state hashing, no reduction) with its footprints recorded, and
 * sorted into
 * - Mazurkiewicz traces: classes of schedules equal up to swapping adjacent independent steps
 *   (footprint.ts), each named by its lexicographic normal form (repeatedly the smallest thread
 *   among the steps with no unplaced step before them in happens-before). A stateless search such
 *   as DPOR needs a run per trace it must see: plain runs / traces is the most any stateless
 *   reduction can gain;
 * - distinct final states (without log positions and times), exactly and up to the renaming of
 *   ids (what the reduced-search checks compare): every search needs at least one complete run per
 *   final state it must reach, so plain runs / finals up to ids is the most any search can gain.
 * Beside them, the plain search with state hashing (the baseline of "explore POR"). Minutes at load:
 * its own group, `npm run bench -- 'explore POR floor'`.
 */
import { exhaustiveSearch, HappensBefore, type ExhaustiveResult } from '../src/explore/index.js';
import { runCheckedSchedule } from '../src/explore/run.js';
import { InvariantVerdicts } from '../src/explore/verdicts.js';
import { FootprintRecorder } from '../src/kernel/footprint.js';
import type { Strategy } from '../src/kernel/strategy.js';
import { raceScenarios } from '../examples/races/index.js';
import { upToIds } from '../test/explore/upToIds.js';
import type { Row } from './harness.js';

const BOUND = 2;
const BASE = { seed: 1, maxSteps: 20_000, maxOperationsInFlight: 32, invariants: true, monitors: [] } as const;

interface Floor {
  readonly schedules: number;
  readonly traces: number;
  readonly finals: number;
  readonly finalsUpToIds: number;
  readonly violations: readonly string[];
}

/** The steps' threads in lexicographic normal form: one string per Mazurkiewicz trace. */
function normalForm(hb: HappensBefore): string {
  const n = hb.steps.length;
  const placed = new Array<boolean>(n).fill(false);
  const out: string[] = [];
  for (let c = 0; c < n; c++) {
    let best = -1;
    for (let j = 0; j < n; j++) {
      if (placed[j]) continue;
      let minimal = true;
      for (let i = 0; i < j && minimal; i++) if (!placed[i] && hb.before(i, j)) minimal = false;
      if (minimal && (best < 0 || hb.steps[j]!.thread < hb.steps[best]!.thread)) best = j;
    }
    placed[best] = true;
    out.push(hb.steps[best]!.thread);
  }
  return out.join(' ');
}

const preempts = (previous: string | null, chosen: string, enabled: readonly string[]): boolean => previous !== null && chosen !== previous && enabled.includes(previous);

/** Every schedule within the bound, depth first as the plain search without hashing runs them. */
function floorOf(scenario: (typeof raceScenarios)[number], variant: string): Floor {
  const stack: string[][] = [[]];
  const traces = new Set<string>();
  const finals = new Set<string>();
  const finalsUpToIds = new Set<string>();
  const violations = new Set<string>();
  const verdicts = new InvariantVerdicts();
  let schedules = 0;
  while (stack.length > 0) {
    const prefix = stack.pop()!;
    const points: { chosen: string; previous: string | null; enabled: string[] }[] = [];
    const strategy: Strategy = {
      name: 'exhaustive',
      choose(enabled, { choiceIndex, previous }) {
        const ids = enabled.map((t) => t.id);
        const p = previous === null ? -1 : ids.indexOf(previous);
        const i = choiceIndex < prefix.length ? ids.indexOf(prefix[choiceIndex]!) : p >= 0 ? p : 0;
        points.push({ chosen: ids[i]!, previous, enabled: ids });
        return i;
      },
    };
    const recorder = new FootprintRecorder(scenario.sharedState !== 'cells');
    const outcome = runCheckedSchedule(scenario, { ...BASE, args: { variant }, verdicts, strategy, onBuilt: (sim) => sim.kernel.recordFootprints(recorder) });
    let spent = 0;
    points.forEach((point, j) => {
      if (j >= prefix.length) {
        for (const other of point.enabled) {
          if (other !== point.chosen && spent + (preempts(point.previous, other, point.enabled) ? 1 : 0) <= BOUND) stack.push([...points.slice(0, j).map((q) => q.chosen), other]);
        }
      }
      if (preempts(point.previous, point.chosen, point.enabled)) spent++;
    });
    schedules++;
    traces.add(normalForm(new HappensBefore(recorder.steps)));
    const state = outcome.sim.state();
    finals.add(JSON.stringify(state, (key, value: unknown) => (key === 'seq' || key === 'time' ? undefined : value)));
    finalsUpToIds.add(upToIds(state));
    if (outcome.violation !== null) violations.add(outcome.violation.name);
  }
  return { schedules, traces: traces.size, finals: finals.size, finalsUpToIds: finalsUpToIds.size, violations: [...violations].sort() };
}

export function explorePorFloorFigures(): Row[] {
  const rows: Row[] = [];
  for (const scenario of raceScenarios) {
    for (const variant of ['buggy', 'fixed']) {
      const plain: ExhaustiveResult = exhaustiveSearch(scenario, { ...BASE, args: { variant }, verdicts: new InvariantVerdicts(), preemptionBound: BOUND, stateHashing: true, maxSchedules: 100_000, visit: () => false });
      const runs = plain.schedules + plain.pruned;
      const f = floorOf(scenario, variant);
      const found = f.violations.join(', ') || 'none';
      rows.push({
        name: `floor, bound 2, ${scenario.id} ${variant}: Mazurkiewicz traces`,
        value: f.traces,
        unit: 'traces',
        baseline: { name: 'plain DFS with state hashing (runs)', value: runs },
        ratio: runs / f.traces,
        target: 10,
        note: `ratio = the most a stateless reduction can gain; ${f.schedules} schedules within the bound; violations ${found}`,
      });
      rows.push({
        name: `floor, bound 2, ${scenario.id} ${variant}: final states up to ids`,
        value: f.finalsUpToIds,
        unit: 'states',
        baseline: { name: 'plain DFS with state hashing (runs)', value: runs },
        ratio: runs / f.finalsUpToIds,
        target: 10,
        note: `ratio = the most any search can gain (a complete run per final state); ${f.finals} exactly`,
      });
    }
  }
  return rows;
}
