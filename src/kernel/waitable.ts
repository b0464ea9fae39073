/**
 * Something a simulated thread can wait on, modelled on KEVENT.
 *
 * - `notification`: once set it stays signaled and releases every present and future waiter
 *   (a NotificationEvent: "setup finished", "thread exited", "unload gate open").
 * - `synchronization`: a SynchronizationEvent (auto-reset): a set releases one waiter and stays
 *   clear, or, with nobody waiting, stays signaled until one wait consumes it.
 * - `pulse`: releases the threads waiting now and stays clear; waiters re-check their condition
 *   (a condition variable: "this instance changed state").
 */
export type WaitableKind = 'notification' | 'synchronization' | 'pulse';

export interface WaitingThread {
  readonly id: string;
}

export class Waitable {
  /** The signal state of a waitable that keeps its own (see `readSignalFrom`). */
  private own = false;
  /** For a kernel object whose machine has the signal state: the machine's answer (null: `own`). */
  private machineSignaled: (() => boolean) | null = null;
  /** Threads blocked on this, in the order they started waiting (FIFO release keeps runs reproducible). */
  readonly waiters: WaitingThread[] = [];
  /** Told when a wait consumes this synchronization waitable (a KEVENT logs its auto-reset). */
  onConsumed: ((thread: string) => void) | null = null;
  /** For a gate: what holds it shut now, one line each (named in deadlock reports). */
  holders: (() => readonly string[]) | null = null;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: WaitableKind,
  ) {}

  /**
   * Signaled: what the scheduler reads to satisfy and consume waits (the dispatcher header). The
   * kernel's own waitables keep it here — gates, exit events, Win32 events and completion ports
   * (objects no fact records, where it is the only copy), and the private events a routine sleeps on
   * until something ends its wait (a run's completion, a message's done, a transaction's outcome),
   * which only wake the waiter: what happened is its object's machine's state, which the waiter asks.
   * A kernel object whose machine has the signal state itself (a KEVENT's Signaled) reads it from the
   * machine instead (`readSignalFrom`): the facts that move the machine set and clear it, and no copy
   * here can disagree.
   */
  get signaled(): boolean {
    return this.machineSignaled === null ? this.own : this.machineSignaled();
  }

  set signaled(value: boolean) {
    if (this.machineSignaled !== null) throw new Error(`internal: ${this.id}'s signal state is its machine's; a fact moves it`);
    this.own = value;
  }

  /** The signal state is `read`'s answer from now on: the object's machine (set before any wait on it). */
  readSignalFrom(read: () => boolean): void {
    this.machineSignaled = read;
  }

  /** The waitable keeps its own signal state, which the kernel sets and clears; false: its machine's facts do. */
  get ownsSignal(): boolean {
    return this.machineSignaled === null;
  }
}
