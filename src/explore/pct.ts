/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Every thread gets a random priority when first seen; the enabled thread of highest priority runs.
 * At d−1 change points, drawn uniformly over the k steps a run is expected to take, the thread about
 * to run drops to a priority below every initial one (later change points lower still). A bug of
 * depth d — one that needs d ordering constraints — is then hit with probability at least
 * 1/(n·k^(d−1)) per run, for n threads. Steps here are the kernel's real choices (a step with one
 * thread enabled is not a choice, and counting it would only dilute the change points).
 *
 * All randomness comes from the scheduler's seeded stream in the choice context, so a seed gives
 * one schedule. A strategy object holds one run's priorities: make a fresh one per schedule.
 */
import { integerArgument, sizeArgument } from '../kernel/arguments.js';
import { shapeArgument } from '../kernel/dataArguments.js';
import type { Strategy } from '../kernel/strategy.js';
import type { PctBound } from './types.js';

export interface PctOptions {
  /** Bug depth d ≥ 1: d−1 priority change points. */
  readonly depth: number;
  /** Expected number of choices k in a run (an estimate; change points fall in [0, k)). */
  readonly steps: number;
}

/** Initial priorities are drawn above this; change point i sets priority depth−1−i, below them all. */
const INITIAL_BASE = 1_000;

export function pctStrategy(options: PctOptions): Strategy {
  shapeArgument('pctStrategy', 'options', options, { depth: 'integer', steps: 'integer' }, 'PctOptions ({ depth, steps })');
  const depth = Math.max(1, Math.floor(options.depth));
  const steps = Math.max(1, Math.floor(options.steps));
  const priorities = new Map<string, number>();
  let changePoints: number[] | null = null;
  return {
    name: `pct(d=${depth})`,
    choose(enabled, { choiceIndex, random }) {
      if (changePoints === null) {
        changePoints = [];
        for (let i = 0; i < depth - 1; i++) changePoints.push(random.nextInt(steps));
      }
      for (const t of enabled) if (!priorities.has(t.id)) priorities.set(t.id, INITIAL_BASE + random.nextInt(1_000_000));
      let best = highest(enabled, priorities);
      for (let i = 0; i < changePoints.length; i++) {
        if (changePoints[i] === choiceIndex) {
          priorities.set(enabled[best]!.id, depth - 1 - i);
          best = highest(enabled, priorities);
        }
      }
      return best;
    },
  };
}

/** Index of the enabled thread with the highest priority; ties go to the older thread. */
function highest(enabled: readonly { readonly id: string }[], priorities: ReadonlyMap<string, number>): number {
  let best = 0;
  for (let i = 1; i < enabled.length; i++) if (priorities.get(enabled[i]!.id)! > priorities.get(enabled[best]!.id)!) best = i;
  return best;
}

/** PCT's guaranteed lower bound of finding a depth-d bug in one run: 1/(n·k^(d−1)). */
export function pctBound(threads: number, steps: number, depth: number): PctBound {
  sizeArgument('pctBound', 'threads', threads);
  sizeArgument('pctBound', 'steps', steps);
  integerArgument('pctBound', 'depth', depth, 1, 1000, 'a PCT depth (1 to 1000)');
  const n = Math.max(1, threads);
  const k = Math.max(1, steps);
  return { threads: n, steps: k, depth, probability: 1 / (n * k ** (depth - 1)) };
}

export function formatPctBound(b: PctBound): string {
  shapeArgument('formatPctBound', 'b', b, { threads: 'integer', steps: 'integer', depth: 'integer', probability: 'number' }, 'a PctBound (pctBound)');
  return `PCT depth ${b.depth}: n=${b.threads} threads, k=${b.steps} steps → each schedule finds a depth-${b.depth} bug with probability ≥ 1/(n·k^${b.depth - 1}) = ${b.probability.toPrecision(3)}`;
}
