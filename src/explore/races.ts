/**
 * Race analysis of one executed schedule, for dynamic partial-order reduction: the happens-before
 * relation over its steps and the races in it (Abdulla et al., "Source Sets", 2014).
 *
 * Step e happens before e' (e → e') when e comes first and they are steps of one thread or are
 * dependent (footprint.ts), closed transitively. e and e' race when they are dependent steps of
 * different threads, e → e', and no third step lies between them in →. Reversing a race needs
 * the reversed order to start at the state before e: the threads that can start
 * `notdep(e).e'` (the steps after e that do not happen after it, then e') there are its initials,
 * and one of them must be explored at that state.
 */
import { dependent, type StepRecord } from '../kernel/footprint.js';

/** A race (i, j) and the initials of notdep(i).j: the threads that could run first instead of i's. */
export interface Race {
  readonly first: number;
  readonly second: number;
  /** Initial threads of notdep(first).second, in the order their first step appears. */
  readonly initials: readonly string[];
}

export class HappensBefore {
  /** pred[j]: bitset of the steps that happen before step j. */
  private readonly pred: Uint32Array[] = [];
  /** Steps of other threads step j directly depends on. */
  private readonly direct: number[][] = [];

  constructor(readonly steps: readonly StepRecord[]) {
    const words = Math.ceil(steps.length / 32);
    const lastOf = new Map<string, number>();
    for (let j = 0; j < steps.length; j++) {
      const p = new Uint32Array(words);
      const direct: number[] = [];
      const own = lastOf.get(steps[j]!.thread);
      if (own !== undefined) include(p, this.pred[own]!, own);
      for (let i = 0; i < j; i++) {
        if (steps[i]!.thread === steps[j]!.thread || !dependent(steps[i]!, steps[j]!)) continue;
        direct.push(i);
        include(p, this.pred[i]!, i);
      }
      this.pred.push(p);
      this.direct.push(direct);
      lastOf.set(steps[j]!.thread, j);
    }
  }

  before(i: number, j: number): boolean {
    return has(this.pred[j]!, i);
  }

  /** Every race whose first step satisfies `at` (a step where a choice could be made). */
  races(at: (step: number) => boolean): Race[] {
    const out: Race[] = [];
    const words = Math.ceil(this.steps.length / 32);
    for (let j = 0; j < this.steps.length; j++) {
      const direct = this.direct[j]!;
      if (!direct.some(at)) continue;
      // Steps that reach j through another step: the union of the predecessors of j's predecessors.
      const through = new Uint32Array(words);
      for (let k = 0; k < j; k++) if (has(this.pred[j]!, k)) orInto(through, this.pred[k]!);
      for (const i of direct) {
        if (!at(i) || has(through, i)) continue;
        out.push({ first: i, second: j, initials: this.initials(i, j) });
      }
    }
    return out;
  }

  /** Threads that can run first in notdep(i).j: their first step there has no predecessor there. */
  private initials(i: number, j: number): string[] {
    const v: number[] = [];
    for (let k = i + 1; k < j; k++) if (!has(this.pred[k]!, i)) v.push(k);
    v.push(j);
    return this.initialsOf(v);
  }

  /** Threads that can run first in notdep(i), the steps after i to the end that do not happen after it (stateSummaries.ts). */
  initialsAfter(i: number): string[] {
    const v: number[] = [];
    for (let k = i + 1; k < this.steps.length; k++) if (!has(this.pred[k]!, i)) v.push(k);
    return this.initialsOf(v);
  }

  private initialsOf(v: readonly number[]): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (let a = 0; a < v.length; a++) {
      const k = v[a]!;
      const thread = this.steps[k]!.thread;
      if (seen.has(thread)) continue;
      seen.add(thread);
      let free = true;
      for (let b = 0; b < a && free; b++) if (has(this.pred[k]!, v[b]!)) free = false;
      if (free) out.push(thread);
    }
    return out;
  }
}

function include(into: Uint32Array, pred: Uint32Array, step: number): void {
  orInto(into, pred);
  into[step >>> 5]! |= 1 << (step & 31);
}

function orInto(into: Uint32Array, from: Uint32Array): void {
  for (let w = 0; w < from.length; w++) into[w]! |= from[w]!;
}

function has(set: Uint32Array, step: number): boolean {
  return (set[step >>> 5]! & (1 << (step & 31))) !== 0;
}
