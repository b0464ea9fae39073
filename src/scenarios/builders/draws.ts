/** Draws the random workloads share: an integer in a closed range, and one item of a list. */
import type { Random } from '../../kernel/random.js';

export function between(r: Random, [lo, hi]: readonly [number, number]): number {
  return lo + r.nextInt(hi - lo + 1);
}

export function pick<T>(r: Random, items: readonly T[]): T {
  return items[r.nextInt(items.length)]!;
}
