/**
 * The kernel's waitables and simulated threads, between the objects' half (kernelObjects.ts) and
 * the scheduler loop (kernel.ts: step, runSegment, settling), which extends it: signaling and the
 * waits it satisfies, spawning, the ready and sleeping lists, the clock's moves, a thread's exit.
 * The members the scheduler loop uses are protected, and kept out of the published types.
 */
import type { Blocking, WaitOutcome, WaitType } from './effects.js';
import { FltSimError, VerifierError } from './errors.js';
import { SimThread } from './thread.js';
import { Waitable, type WaitableKind } from './waitable.js';
import { SYSTEM_SID } from './sids.js';
import { KernelObjects } from './kernelObjects.js';

export interface BlockedThread {
  readonly thread: string;
  readonly name: string;
  readonly waitingOn: string;
  readonly reason: string;
  /** For a wait on an unload gate or drain: what holds it shut, by kind and object. */
  readonly heldBy?: readonly string[];
}

/** The System process (PID 4): kernel threads belong to it unless spawned into another. */
export const SYSTEM_PROCESS = 'P0';

export abstract class KernelThreads extends KernelObjects {
  readonly threads = new Map<string, SimThread>();
  /** Ready threads, kept in creation order so "enabled" is listed the same way every run. @internal */
  protected readonly ready: SimThread[] = [];
  /** @internal */
  protected readonly sleeping: SimThread[] = [];
  private readonly exitEvents = new Map<string, Waitable>();
  current: SimThread | null = null;
  /** Threads spawned so far: each thread's creation order, which ready threads are sorted by. */
  private spawned = 0;
  /** Called after a thread's ThreadExit fact (the process table ends a process with its last thread). */
  onThreadExit: ((thread: SimThread) => void) | null = null;
  /** Sleepers whose coming wake-up a step was already charged with (the scheduler's chargeWakes). @internal */
  protected readonly wakesCharged = new Set<string>();

  // ---------------------------------------------------------------- waitables

  /**
   * A new waitable, with an id of its own (W…) or, for a kernel object that is itself the thing
   * waited on (a KEVENT E…, a lock K…), that object's id, so a ThreadWait names the object.
   */
  createWaitable(name: string, kind: WaitableKind, id: string = this.nextId('W')): Waitable {
    // Not kept in any table: a waitable lives as long as the objects and threads that hold it.
    return new Waitable(id, name, kind);
  }

  /**
   * Signal a waitable and release the waits it satisfies, in the order they started (FIFO keeps
   * runs reproducible). A notification waitable stays signaled and releases every wait it
   * satisfies; a synchronization waitable releases the first wait it satisfies and is consumed by
   * it (or stays signaled when no wait takes it); a pulse releases the waits present now.
   */
  signal(w: Waitable): void {
    this.footprints?.write(w.id);
    // A machine's waitable (a KEVENT) was signaled by the fact just emitted (KeSetEvent): only its waits are left to satisfy.
    if (w.kind === 'notification') {
      if (w.ownsSignal) {
        if (w.signaled) return;
        w.signaled = true;
      }
    } else if (w.kind === 'synchronization') {
      if (w.ownsSignal) w.signaled = true;
    }
    if (w.waiters.length === 0) return;
    for (const { id } of w.waiters.slice()) {
      if (w.kind === 'synchronization' && !w.signaled) break;
      const t = this.threads.get(id)!;
      const set = t.waitSet;
      if (set === null) {
        this.consume(w, t);
        this.releaseWait(t, undefined, w);
        continue;
      }
      if (set.waitType === 'WaitAny') {
        this.consume(w, t);
        this.releaseWait(t, { kind: 'signaled', index: set.waitables.indexOf(w) }, w);
        continue;
      }
      // WaitAll: released only when every object is signaled at once; the pulse case is refused at the wait.
      if (!set.waitables.every((x) => x === w || x.signaled)) continue;
      for (const x of set.waitables) this.consume(x, t);
      this.releaseWait(t, { kind: 'signaled', index: 0 }, w);
    }
  }

  /** Ready a blocked thread: off every waitable it waits on and off the timeout list. */
  /** @internal */
  protected releaseWait(t: SimThread, outcome: WaitOutcome | undefined, by: Waitable | 'timeout'): void {
    const waitables = t.waitSet?.waitables ?? [];
    for (const x of waitables) {
      const i = x.waiters.findIndex((waiter) => waiter.id === t.id);
      if (i >= 0) removeAt(x.waiters, i);
    }
    if (t.waitSet === null && by !== 'timeout') {
      const i = by.waiters.findIndex((waiter) => waiter.id === t.id);
      if (i >= 0) removeAt(by.waiters, i);
    }
    const timer = t.waitTimer;
    t.waitTimer = null;
    if (timer !== null && timer !== this.current && timer.state === 'sleeping') this.cancelTimer(timer);
    t.state = 'ready';
    t.waitingOn = null;
    t.waitReason = null;
    t.waitSet = null;
    t.waitUntil = null;
    t.resumeValue = outcome;
    this.insertReady(t);
    this.emitFact({ seq: 0, time: 0, object: t.id, type: 'ThreadWake', by: by === 'timeout' ? by : by.id });
  }

  /** Satisfy a wait at once if its objects allow it (consuming synchronization waitables): the outcome, or null. */
  /** @internal */
  protected satisfyNow(waitables: readonly Waitable[], waitType: WaitType, t: SimThread): WaitOutcome | null {
    if (waitType === 'WaitAny') {
      const index = waitables.findIndex((w) => w.signaled);
      if (index < 0) return null;
      this.consume(waitables[index]!, t);
      return { kind: 'signaled', index };
    }
    if (!waitables.every((w) => w.signaled)) return null;
    for (const w of waitables) this.consume(w, t);
    return { kind: 'signaled', index: 0 };
  }

  /**
   * A wait by `t` was satisfied by `w`: a synchronization waitable resets (it is consumed by the
   * wait), and its owner hears of it (a KEVENT logs its auto-reset).
   */
  /** @internal */
  protected consume(w: Waitable, t: SimThread): void {
    this.footprints?.write(w.id);
    if (w.kind !== 'synchronization') return;
    // A machine's waitable is reset by its owner's fact (a KEVENT's EventAutoReset, emitted by onConsumed).
    if (w.ownsSignal) w.signaled = false;
    w.onConsumed?.(t.id);
  }

  /** A notification waitable signaled when the thread exits. */
  exitEventOf(thread: SimThread): Waitable {
    this.footprints?.read(thread.id);
    let w = this.exitEvents.get(thread.id);
    if (w === undefined) {
      w = this.createWaitable(`exit of ${thread.id}`, 'notification');
      if (thread.state === 'exited') w.signaled = true;
      this.exitEvents.set(thread.id, w);
    }
    return w;
  }

  // ---------------------------------------------------------------- threads

  /**
   * Start a simulated thread. System threads (the default) carry the SYSTEM token and belong to the
   * System process; a thread of another process names it in its ThreadCreate fact.
   */
  spawn(name: string, body: Blocking<unknown>, token = SYSTEM_SID, process: string = SYSTEM_PROCESS): SimThread {
    const delivery = this.log.delivery;
    delivery.enter('spawn');
    try {
      const id = this.nextId('T');
      const thread = new SimThread(id, name, body, this.spawned++, token, process);
      this.threads.set(id, thread);
      this.emitFact(process === SYSTEM_PROCESS ? { seq: 0, time: 0, object: id, type: 'ThreadCreate', name, parent: this.current?.id ?? null } : { seq: 0, time: 0, object: id, type: 'ThreadCreate', name, parent: this.current?.id ?? null, process });
      this.insertReady(thread);
      return thread;
    } finally {
      delivery.exit();
    }
  }

  private insertReady(t: SimThread): void {
    const r = this.ready;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r[mid]!.order < t.order) lo = mid + 1;
      else hi = mid;
    }
    // Shifted by hand rather than r.splice(lo, 0, t), which returns an array of nothing removed (see removeAt).
    for (let i = r.length; i > lo; i--) r[i] = r[i - 1]!;
    r[lo] = t;
  }

  /** @internal */
  protected removeReady(t: SimThread): void {
    const i = this.ready.indexOf(t);
    if (i >= 0) removeAt(this.ready, i);
  }

  /** Threads that could run now, in creation order. */
  enabled(): readonly SimThread[] {
    return this.ready;
  }

  blockedThreads(): BlockedThread[] {
    const out: BlockedThread[] = [];
    for (const t of this.threads.values()) {
      if (t.state === 'blocked') {
        const holders = (t.waitSet?.waitables.find((w) => w.holders !== null) ?? t.blockedOn)?.holders ?? null;
        out.push({ thread: t.id, name: t.name, waitingOn: t.waitingOn ?? '?', reason: t.waitReason ?? '', ...(holders === null ? {} : { heldBy: holders() }) });
      }
    }
    return out;
  }

  /** Earliest wake-up among sleeping threads, or null. */
  nextWakeTime(): number | null {
    let best: number | null = null;
    for (const t of this.sleeping) if (best === null || t.wakeAt < best) best = t.wakeAt;
    return best;
  }

  /** Move the clock forward (never back) and ready every sleeper that is due. */
  advanceClock(to: number): void {
    const delivery = this.log.delivery;
    delivery.enter('advanceClock');
    try {
      this.moveClock(to);
    } finally {
      delivery.exit();
    }
  }

  private moveClock(to: number): void {
    if (to < this.clock) {
      throw new FltSimError(`time cannot move backwards: now ${this.clock}, asked ${to}`, this.place());
    }
    if (to > this.clock) {
      this.clock = to;
      this.emitFact({ seq: 0, time: 0, object: 'sim', type: 'ClockAdvance', to });
    }
    for (let i = 0; i < this.sleeping.length; ) {
      const t = this.sleeping[i]!;
      if (t.wakeAt <= this.clock) {
        // Charged to the step that left no thread ready, when one did (recordedStep).
        if (this.footprints !== null && !this.wakesCharged.delete(t.id)) this.footprints.write(t.id);
        removeAt(this.sleeping, i);
        t.state = 'ready';
        this.insertReady(t);
      } else i++;
    }
  }

  /** A wait satisfied before its deadline takes its timer off the clock (KeCancelTimer). */
  private cancelTimer(timer: SimThread): void {
    const i = this.sleeping.indexOf(timer);
    if (i >= 0) removeAt(this.sleeping, i);
    this.exitThread(timer, undefined, undefined);
  }

  /** @internal */
  protected exitThread(t: SimThread, result: unknown, error: unknown): void {
    this.removeReady(t);
    t.state = 'exited';
    if (t.locksHeld.length > 0 && !(error instanceof VerifierError)) {
      // Driver Verifier 0x100A: the locks stay owned by a thread that is gone (§18.5).
      this.reportViolation('LOCK_HELD_AT_THREAD_EXIT', t.id, `${t.name} ends holding ${t.locksHeld.join(', ')}`);
    }
    t.result = result;
    t.error = error;
    const errorText =
      error === undefined ? null : error instanceof VerifierError ? error.rule : error instanceof Error ? error.message : String(error);
    this.emitFact({
      seq: 0, time: 0, object: t.id,
      type: 'ThreadExit',
      result: typeof result === 'number' ? result : null,
      error: errorText,
    });
    // The generator and its closures are not needed once the thread has ended; the exit event is
    // signaled and dropped (exitEventOf makes a signaled one for a late joiner).
    t.release();
    const w = this.exitEvents.get(t.id);
    if (w !== undefined) {
      this.exitEvents.delete(t.id);
      this.signal(w);
    }
    this.onThreadExit?.(t);
    // Its handle (sim.spawn's result) still answers state and result; the kernel forgets it.
    if (!this.keepsHistory) this.threads.delete(t.id);
  }
}

/**
 * `array.splice(i, 1)` without the array of removed elements it returns: the ready, sleeping and
 * waiter lists change on nearly every step, and that array was an allocation each time.
 */
function removeAt<T>(array: T[], i: number): void {
  for (let j = i + 1; j < array.length; j++) array[j - 1] = array[j]!;
  array.length--;
}
