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
  signaled = false;
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
}
