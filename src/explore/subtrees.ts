/**
 * The exhaustive plan's partition: the tree of scheduling choices cut at a fixed depth, each
 * choice prefix of that length (within the preemption bound) the root of a subtree searched on
 * its own, in depth-first order. Shards take every N-th root (`fltsim explore --shard K/N`); a
 * single run searches them all in order, so both walk the same plan. Above the cut every choice is
 * explored (no reduction, no shared visited states): subtrees are independent.
 */
import { ReplayDivergenceError } from '../kernel/errors.js';
import type { Strategy } from '../kernel/strategy.js';
import { runSchedule, ScheduleAbandoned, type ScheduleOptions } from './run.js';
import type { Explorable } from './types.js';

/** Ends a run at the first choice past the prefix; caught here, never escapes. */
class Branch extends ScheduleAbandoned {
  constructor(
    readonly enabled: readonly string[],
    readonly previous: string | null,
  ) {
    super('branch');
  }
}

/** Every choice prefix of length `depth` (or shorter, where a run makes fewer choices), in DFS order. */
export function subtreeRoots(target: Explorable, options: Omit<ScheduleOptions, 'strategy'>, depth: number, bound: number): string[][] {
  const roots: string[][] = [];
  const expand = (prefix: readonly string[], spent: number): void => {
    if (prefix.length >= depth) {
      roots.push([...prefix]);
      return;
    }
    let branch: Branch | null = null;
    try {
      runSchedule(target, { ...options, strategy: stopAfter(prefix) });
    } catch (error) {
      if (!(error instanceof Branch)) throw error;
      branch = error;
    }
    if (branch === null) {
      roots.push([...prefix]); // the run ended before making `depth` choices: a subtree of one schedule
      return;
    }
    const { enabled, previous } = branch;
    for (const id of enabled) {
      const cost = previous !== null && id !== previous && enabled.includes(previous) ? 1 : 0;
      if (spent + cost <= bound) expand([...prefix, id], spent + cost);
    }
  };
  expand([], 0);
  return roots;
}

function stopAfter(prefix: readonly string[]): Strategy {
  return {
    name: 'exhaustive-plan',
    choose(enabled, { choiceIndex, previous }) {
      const ids = enabled.map((t) => t.id);
      if (choiceIndex >= prefix.length) throw new Branch(ids, previous);
      const i = ids.indexOf(prefix[choiceIndex]!);
      if (i < 0) throw new ReplayDivergenceError(`exhaustive plan: prefix diverged at choice ${choiceIndex} (scenario not deterministic?)`, {});
      return i;
    },
  };
}
