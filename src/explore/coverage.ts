/**
 * Race windows: the coverage marks of exploration. A scenario names the interleavings it exists to
 * provoke ("cancel arrives between pend and completion"); exploration counts, per window, the
 * schedules that reached it, and names the windows no schedule reached — a window never reached
 * means the search never tried the race, whatever it found or did not find.
 *
 * A window is three predicates over facts, read in log order: it opens at a fact matching
 * `opensAt`, closes at the next fact matching `closesAt`, and is hit by every fact matching `hitBy`
 * while it is open. Opening an open window does nothing (windows do not nest); one fact may close a
 * window and open it again (close is tested first). Predicates must be pure functions of the fact.
 */
import { sizeArgument } from '../kernel/arguments.js';
import { arrayOfArgument, factsArgument, shapeArgument } from '../kernel/dataArguments.js';
import { raceWindowsArgument } from './exploreArguments.js';
import type { Fact } from '../kernel/facts.js';

export interface RaceWindow {
  /** What the race is, in the filter author's words: printed in the report. */
  readonly name: string;
  readonly opensAt: (fact: Fact) => boolean;
  readonly closesAt: (fact: Fact) => boolean;
  readonly hitBy: (fact: Fact) => boolean;
}

/** One window across an exploration. */
export interface WindowCoverage {
  readonly name: string;
  /** Schedules in which the window was hit at least once. */
  readonly schedules: number;
  /** Hits over all schedules (a schedule may hit a window more than once). */
  readonly hits: number;
}

/** Hits of each window in one log, in the order of `windows`. */
export function windowHits(facts: readonly Fact[], windows: readonly RaceWindow[]): number[] {
  factsArgument('windowHits', 'facts', facts);
  raceWindowsArgument('windowHits', 'windows', windows);
  return hitsOfWindows(facts, windows);
}

/**
 * windowHits without the argument checks: exploration counts the hits of every schedule it runs
 * over the log that run just appended, so it does not pay the fact schema check per schedule.
 */
export function hitsOfWindows(facts: readonly Fact[], windows: readonly RaceWindow[]): number[] {
  return windows.map((w) => {
    let open = false;
    let hits = 0;
    for (const f of facts) {
      if (open && w.closesAt(f)) open = false;
      if (open && w.hitBy(f)) hits++;
      if (!open && w.opensAt(f)) open = true;
    }
    return hits;
  });
}

/** A running total of window hits; `add` one schedule's `windowHits`. */
export class CoverageCounter {
  private readonly schedules: number[];
  private readonly hits: number[];

  constructor(private readonly windows: readonly RaceWindow[]) {
    this.schedules = windows.map(() => 0);
    this.hits = windows.map(() => 0);
  }

  add(perWindow: readonly number[]): void {
    perWindow.forEach((h, i) => {
      if (h > 0) this.schedules[i]!++;
      this.hits[i]! += h;
    });
  }

  result(): WindowCoverage[] {
    return this.windows.map((w, i) => ({ name: w.name, schedules: this.schedules[i]!, hits: this.hits[i]! }));
  }
}

/** One line per window, and the windows never reached named last. */
export function formatCoverage(coverage: readonly WindowCoverage[], schedules: number): string[] {
  arrayOfArgument('formatCoverage', 'coverage', coverage, (c, at) => shapeArgument('formatCoverage', at, c, { name: 'string', schedules: 'integer', hits: 'integer' }, 'a WindowCoverage'), 'an array of WindowCoverage');
  sizeArgument('formatCoverage', 'schedules', schedules);
  if (coverage.length === 0) return ['# race windows: none declared'];
  const lines = coverage.map((c) => `#   ${c.schedules === 0 ? 'NEVER ' : ''}${c.name}: hit in ${c.schedules}/${schedules} schedule(s), ${c.hits} hit(s)`);
  const never = coverage.filter((c) => c.schedules === 0).map((c) => c.name);
  return ['# race windows:', ...lines, never.length === 0 ? '# every race window was reached' : `# never reached: ${never.join('; ')}`];
}
