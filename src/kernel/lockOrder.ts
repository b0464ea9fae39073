/**
 * The lock acquisition-order graph of one run, as Driver Verifier's deadlock detection keeps it
 * (§18.5): an edge A → B for every time a thread took B while holding A. An edge that closes a
 * cycle is a lock hierarchy violation (bug check 0xC4, parameter 0x1001) even if the threads never
 * overlapped in time, because some schedule would make them wait for each other.
 */
export interface OrderEdge {
  readonly from: string;
  readonly to: string;
  /** The thread that took `to` while holding `from`, and the log position of that acquire. */
  readonly thread: string;
  readonly seq: number;
}

export class LockOrderGraph {
  private readonly edges = new Map<string, Map<string, OrderEdge>>();
  private readonly reported = new Set<string>();

  /**
   * Record that `thread` took `to` while holding `held` (in acquisition order). Returns, for the
   * first edge that closes a cycle not reported before, the cycle as edges from `to` back to the
   * held lock (the earlier acquisitions), followed by the new edge; otherwise null.
   */
  acquire(held: readonly string[], to: string, thread: string, seq: number): OrderEdge[] | null {
    let found: OrderEdge[] | null = null;
    for (const from of held) {
      if (from === to) continue;
      const known = this.edges.get(from)?.get(to);
      if (known !== undefined) continue;
      const edge: OrderEdge = { from, to, thread, seq };
      if (found === null) {
        const back = this.path(to, from);
        const key = [from, to].sort().join('|');
        if (back !== null && !this.reported.has(key)) {
          this.reported.add(key);
          found = [...back, edge];
        }
      }
      let out = this.edges.get(from);
      if (out === undefined) this.edges.set(from, (out = new Map()));
      out.set(to, edge);
    }
    return found;
  }

  /** A path of recorded edges from `start` to `goal`, breadth first (the shortest), or null. */
  private path(start: string, goal: string): OrderEdge[] | null {
    const via = new Map<string, OrderEdge | null>([[start, null]]);
    const queue = [start];
    while (queue.length > 0) {
      const at = queue.shift()!;
      if (at === goal) {
        const out: OrderEdge[] = [];
        for (let e = via.get(at) ?? null; e !== null; e = via.get(e.from) ?? null) out.unshift(e);
        return out;
      }
      for (const [next, edge] of this.edges.get(at) ?? []) {
        if (via.has(next)) continue;
        via.set(next, edge);
        queue.push(next);
      }
    }
    return null;
  }
}
