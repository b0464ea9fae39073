/**
 * The host's own model: one disk with a FIFO queue. A request's service time is a seek (drawn from
 * the host's own seeded generator) plus a transfer time; a request waits for the ones before it.
 * Nothing here knows about fltsim: it is the part of a larger simulator that fltsim plugs into.
 */

/** mulberry32: a small seeded generator, so the host is as deterministic as fltsim. */
function nextRandom(state: number): { readonly value: number; readonly state: number } {
  const s = (state + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 2 ** 32, state: s };
}

export interface DiskRequest {
  /** Whatever the host uses to name the request; here the fltsim thread that completes it. */
  readonly id: string;
  readonly label: string;
  readonly submittedAt: number;
  readonly completesAt: number;
}

/** Everything the disk is, as plain data: saving the host is saving this. */
export interface DiskState {
  readonly random: number;
  readonly busyUntil: number;
  /** Requests not yet completed, in completion order. */
  readonly queue: readonly DiskRequest[];
  readonly completed: readonly DiskRequest[];
}

export class Disk {
  private state: DiskState;

  constructor(
    seed: number,
    private readonly transferTicks = 1,
    private readonly maxSeekTicks = 4,
  ) {
    this.state = { random: seed >>> 0, busyUntil: 0, queue: [], completed: [] };
  }

  static restore(state: DiskState): Disk {
    const disk = new Disk(0);
    disk.state = state;
    return disk;
  }

  save(): DiskState {
    return this.state;
  }

  /** Queue a request at time `now`; returns when the disk will have completed it. */
  submit(id: string, label: string, now: number): number {
    const { value, state: random } = nextRandom(this.state.random);
    const seek = Math.floor(value * (this.maxSeekTicks + 1));
    const start = Math.max(now, this.state.busyUntil);
    const completesAt = start + seek + this.transferTicks;
    const request: DiskRequest = { id, label, submittedAt: now, completesAt };
    this.state = { ...this.state, random, busyUntil: completesAt, queue: [...this.state.queue, request] };
    return completesAt;
  }

  /** When the next queued request completes, or null with nothing queued. */
  nextCompletion(): number | null {
    return this.state.queue[0]?.completesAt ?? null;
  }

  /** Complete every request due by `now`; returns their ids. */
  completeDue(now: number): string[] {
    const due = this.state.queue.filter((r) => r.completesAt <= now);
    if (due.length === 0) return [];
    this.state = { ...this.state, queue: this.state.queue.slice(due.length), completed: [...this.state.completed, ...due] };
    return due.map((r) => r.id);
  }

  isHolding(id: string): boolean {
    return this.state.queue.some((r) => r.id === id);
  }
}
