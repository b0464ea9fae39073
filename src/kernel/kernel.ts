/**
 * The kernel of one simulation: the scheduler loop (a step picks an enabled thread and runs it to
 * its next scheduling point; settling; what a thread's effects do), on top of the waitables and
 * threads (kernelThreads.ts) and the objects' half (kernelObjects.ts: the log, facts and machines,
 * ids, random streams, the clock's value, violations, footprints). It knows nothing about the
 * Filter Manager; src/fltmgr builds on it. One Kernel per simulation and nothing module-global, so
 * simulations never share state.
 */
import { kindOf } from './arguments.js';
import type { Blocking, Effect } from './effects.js';
import { FltSimError, UsageError, VerifierError } from './errors.js';
import type { SimThread } from './thread.js';
import type { FootprintRecorder } from './footprint.js';
import { KernelThreads, type BlockedThread } from './kernelThreads.js';

export type { IdPrefix, KernelOptions, ViolationMode } from './kernelObjects.js';
export { SYSTEM_PROCESS, type BlockedThread } from './kernelThreads.js';

export type StepResult =
  | { readonly kind: 'ran'; readonly thread: string; readonly choice: boolean }
  | { readonly kind: 'idle' }
  | { readonly kind: 'deadlock'; readonly blocked: readonly BlockedThread[] }
  /** Host-owned clock only: nothing is ready, and the first sleeper is due at `until` — the host moves time. */
  | { readonly kind: 'waiting'; readonly until: number };

export class Kernel extends KernelThreads {
  private previous: string | null = null;
  /** Thread ids chosen at every real choice (two or more enabled), in order: a replayable schedule. Not kept when the log is not recorded. */
  readonly choices: string[] = [];
  /** Real choices made so far (the strategy's choiceIndex), counted whether or not `choices` is kept. */
  private choiceCount = 0;
  /** Steps that ran a thread (idle and deadlock answers are not counted): the length of the schedule. */
  stepCount = 0;
  /** Continuations waiting for the simulation to settle (`whenSettled`), first in first out. */
  private readonly settledQueue: (() => void)[] = [];
  private settling = false;

  /**
   * One scheduler step: pick an enabled thread (asking the strategy when there is a real choice)
   * and run it to its next scheduling point. With nothing ready, time jumps to the next sleeper.
   * `hostChoice` names the thread instead of asking the strategy; it must be one `nextRunnable()`
   * lists (a UsageError otherwise, thrown before anything changes). A real choice is recorded and
   * logged the same way whoever made it, so a host's run and a strategy's run log alike.
   */
  step(hostChoice?: string): StepResult {
    // A step is a simulation call: refused from a fact subscriber, and failed by one that throws.
    const delivery = this.log.delivery;
    delivery.enter('step');
    try {
      return this.recordedStep(hostChoice);
    } finally {
      delivery.exit();
    }
  }

  /** The step, its footprint recorded when exploration asked for it (footprint.ts). */
  private recordedStep(hostChoice: string | undefined): StepResult {
    const recorder = this.footprints;
    if (recorder === null) return this.stepOnce(hostChoice);
    recorder.begin();
    try {
      const r = this.stepOnce(hostChoice);
      if (r.kind === 'ran') {
        this.chargeWakes(recorder);
        recorder.end(r.thread, r.choice ? this.choices.length - 1 : null);
      } else recorder.abort();
      return r;
    } catch (error) {
      recorder.abort();
      throw error;
    }
  }

  /**
   * A step that leaves no thread ready makes the clock move to the next sleepers, which then run:
   * it is what wakes them (a write of each), not the step of whichever woken thread runs first.
   * Were the wake charged to that step, the woken threads' first steps would all depend on it.
   */
  private chargeWakes(recorder: FootprintRecorder): void {
    if (this.ready.length > 0 || this.settledQueue.length > 0 || this.hostClock) return;
    const wake = this.nextWakeTime();
    if (wake === null) return;
    for (const t of this.sleeping) {
      if (t.wakeAt > wake) continue;
      recorder.write(t.id);
      this.wakesCharged.add(t.id);
    }
  }

  private stepOnce(hostChoice: string | undefined): StepResult {
    if (hostChoice !== undefined) this.checkEnabled(hostChoice);
    if (this.settledQueue.length > 0) this.settle();
    if (this.ready.length === 0) {
      const wake = this.nextWakeTime();
      if (wake === null) {
        const blocked = this.blockedThreads();
        return blocked.length > 0 ? { kind: 'deadlock', blocked } : { kind: 'idle' };
      }
      if (this.hostClock) return { kind: 'waiting', until: wake };
      this.advanceClock(wake);
    }
    let index = 0;
    const choice = this.ready.length > 1;
    if (choice) {
      index =
        hostChoice === undefined
          ? this.strategy.choose(this.ready, {
              choiceIndex: this.choiceCount,
              previous: this.previous,
              random: this.schedulerRandom,
              seq: this.log.nextSeq,
            })
          : this.ready.findIndex((t) => t.id === hostChoice);
      const chosen = this.ready[index];
      if (chosen === undefined) {
        throw new FltSimError(`strategy ${this.strategy.name} chose ${index} of ${this.ready.length}`, this.place());
      }
      this.choiceCount++;
      if (this.keepsHistory) this.choices.push(chosen.id);
      this.emitFact({ seq: 0, time: 0, object: chosen.id, type: 'Choice', task: chosen.id, of: this.ready.length });
    }
    const thread = this.ready[index]!;
    this.stepCount++;
    if (this.log.watch !== null) this.log.watch('step');
    this.runSegment(thread);
    // Settle within the step, so that between steps enabled() and nextRunnable() tell the truth.
    if (this.settledQueue.length > 0) this.settle();
    const violation = this.pendingViolation;
    if (violation !== null) {
      this.pendingViolation = null;
      if (this.onViolation === 'throw') throw violation;
    }
    return { kind: 'ran', thread: thread.id, choice };
  }

  /**
   * Run `continuation` once nothing can run (no thread ready, no sleeper; blocked threads may
   * remain): at once if that holds now and no simulated thread is running, otherwise at the end of
   * the step after which it holds. This is what a scenario's set-up uses instead of running the
   * simulation inside its build: every set-up step is then a step of the run itself, so a run can
   * be saved, rebuilt and forked at any step, set-up included (docs/time-travel.md). Continuations
   * run in the order they were queued, outside any thread; a continuation may queue another.
   */
  whenSettled(continuation: () => void): void {
    this.settledQueue.push(continuation);
    if (this.current === null) this.settle();
  }

  private settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      const recorder = this.footprints;
      if (recorder === null) this.runSettled();
      else recorder.continuations(() => this.runSettled());
    } finally {
      this.settling = false;
    }
  }

  private runSettled(): void {
    while (this.settledQueue.length > 0 && this.ready.length === 0 && this.nextWakeTime() === null) this.settledQueue.shift()!();
  }

  /**
   * The threads the next `step()` may run: the ready ones, or, when none is ready, the sleepers due
   * first (the step moves the clock to `dueAt` and runs one of them). Listed in creation order.
   */
  nextRunnable(): { readonly threads: readonly SimThread[]; readonly dueAt: number | null } {
    if (this.ready.length > 0) return { threads: this.ready, dueAt: null };
    // Under a host-owned clock a sleeper is not steppable: only the host's advanceTo wakes it.
    if (this.hostClock) return { threads: [], dueAt: null };
    const dueAt = this.nextWakeTime();
    if (dueAt === null) return { threads: [], dueAt: null };
    const due = this.sleeping.filter((t) => t.wakeAt === dueAt).sort((a, b) => a.order - b.order);
    return { threads: due, dueAt };
  }

  /** A host's choice must name a thread the next step may run; checked before anything changes. */
  private checkEnabled(id: string): void {
    const { threads } = this.nextRunnable();
    if (threads.some((t) => t.id === id)) return;
    const known = this.threads.get(id);
    const why = known === undefined ? 'no such thread' : `it is ${known.state}`;
    const enabled = threads.length === 0 ? 'nothing' : threads.map((t) => t.id).join(', ');
    throw new UsageError('NOT_ENABLED', `cannot step ${id}: ${why}; enabled now: ${enabled}`, this.place(id));
  }

  private runSegment(t: SimThread): void {
    this.current = t;
    t.segments++;
    try {
      for (;;) {
        let r: IteratorResult<Effect, unknown>;
        try {
          const resume = t.resumeValue;
          t.resumeValue = undefined;
          if (t.body === null) throw new FltSimError(`internal: ${t.id} has ended and cannot run`, this.place(t.id));
          const thrown = t.resumeError;
          t.resumeError = undefined;
          // A kernel call that failed (a verifier finding) is thrown where the routine called it, so its finally blocks run.
          r = thrown === undefined ? t.body.next(resume) : t.body.throw(thrown);
        } catch (error) {
          const reason = this.asFinding(t, error);
          this.exitThread(t, undefined, reason);
          if (reason instanceof VerifierError) {
            this.pendingViolation = reason;
            return;
          }
          throw error;
        }
        if (r.done === true) {
          this.exitThread(t, r.value, undefined);
          return;
        }
        const effect = r.value;
        if (!isEffect(effect)) {
          // `yield x` where `yield* routine()` was meant: a TypeScript mistake, named on its thread.
          t.resumeError = new UsageError('NOT_AN_EFFECT', `${t.name} (${t.id}) yielded ${kindOf(effect)}, which is not something to wait for: call blocking routines with yield*`, this.place(t.id));
          continue;
        }
        if (effect.kind === 'preempt') return;
        if (effect.kind === 'kernelCall') {
          try {
            t.resumeValue = effect.call(this, t);
          } catch (error) {
            t.resumeError = error ?? new Error('a kernel call threw a nullish value');
          }
          continue;
        }
        // A wait reads its waitables' state and may change it (consume, queue a waiter).
        if (this.footprints !== null) for (const w of effect.kind === 'wait' ? [effect.waitable] : effect.kind === 'waitObjects' ? effect.waitables : []) this.footprints.write(w.id);
        // What does not block is allowed at any IRQL: a wait already satisfied, a poll (timeout 0).
        if (effect.kind === 'wait' && effect.waitable.signaled) {
          this.consume(effect.waitable, t);
          continue;
        }
        if (effect.kind === 'waitObjects') {
          const now = this.satisfyNow(effect.waitables, effect.waitType, t);
          if (now !== null || effect.timeout === 0) {
            t.resumeValue = now ?? { kind: 'timeout' };
            continue;
          }
        }
        if (t.irql >= 2 && !(effect.kind === 'wait' && effect.spin === true)) {
          // Blocking at DISPATCH_LEVEL bugchecks on Windows: the thread ends here, as a verifier error.
          const error = this.violation('BLOCKING_AT_DISPATCH', t.id, `${t.name} blocked (${effect.kind}) at DISPATCH_LEVEL, in a post-operation callback or completion`);
          this.exitThread(t, undefined, error);
          this.pendingViolation = error;
          return;
        }
        if (effect.kind === 'waitObjects') {
          this.removeReady(t);
          t.state = 'blocked';
          t.waitingOn = effect.waitables.map((w) => w.id).join(',');
          t.waitReason = effect.reason;
          t.waitSet = { waitables: effect.waitables, waitType: effect.waitType };
          t.blockedOn = null;
          for (const w of effect.waitables) w.waiters.push(t);
          const until = effect.timeout === null ? null : this.clock + effect.timeout;
          t.waitUntil = until;
          this.emitFact({ seq: 0, time: 0, object: t.id, type: 'ThreadWaitObjects', on: effect.waitables.map((w) => w.id), waitType: effect.waitType, until, reason: effect.reason });
          if (effect.timeout !== null) t.waitTimer = this.spawn(`timeout of ${t.id}`, this.waitTimeout(t, effect.timeout));
          return;
        }
        if (effect.kind === 'wait') {
          this.removeReady(t);
          t.state = 'blocked';
          t.waitingOn = effect.waitable.id;
          t.waitReason = effect.reason;
          t.blockedOn = effect.waitable;
          effect.waitable.waiters.push(t);
          this.emitFact({ seq: 0, time: 0, object: t.id, type: 'ThreadWait', on: effect.waitable.id, reason: effect.reason });
          return;
        }
        if (effect.ticks === 0) return;
        this.removeReady(t);
        t.state = 'sleeping';
        t.wakeAt = this.clock + effect.ticks;
        this.sleeping.push(t);
        this.emitFact({ seq: 0, time: 0, object: t.id, type: 'ThreadSleep', until: t.wakeAt });
        return;
      }
    } finally {
      this.current = null;
      this.previous = t.id;
    }
  }

  /**
   * The timer of a wait with a timeout, as a thread of its own: when the deadline comes, its expiry
   * and whatever would satisfy the wait at the same virtual time are two things the scheduler
   * orders (on Windows the timer DPC and the KeSetEvent race), so exploration sees both outcomes.
   */
  private *waitTimeout(waiter: SimThread, ticks: number): Blocking<void> {
    yield { kind: 'sleep', ticks };
    const self = this.current;
    if (waiter.state === 'blocked' && waiter.waitTimer === self) this.releaseWait(waiter, { kind: 'timeout' }, 'timeout');
  }

  /**
   * What a throw out of a simulated thread becomes. A VerifierError is already a finding. With
   * onViolation 'record', anything else unexpected inside the model (an internal error, a
   * TypeError, the JavaScript stack giving out) is recorded as the finding `CRASH` on the failing
   * thread, at this log position, and the run goes on; the log stays whole. A UsageError is the
   * fltsim caller's own mistake and is rethrown as it is.
   */
  private asFinding(t: SimThread, error: unknown): unknown {
    // A finding made where no simulation was in reach (NULL passed for the only object that leads to one): logged here, on the thread it ended.
    // A failed FLT_ASSERT outside any callback (a filter's own thread or work routine) is placed by its thread.
    if (error instanceof VerifierError && error.seq === undefined && error.rule === 'FLT_ASSERT') return this.violation(error.rule, t.id, `${error.detail} on ${t.name} (${t.id})`);
    if (error instanceof VerifierError && error.seq === undefined) return this.violation(error.rule, t.id, error.detail);
    if (error instanceof VerifierError || error instanceof UsageError || this.onViolation !== 'record') return error;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return this.violation('CRASH', t.id, `${t.name} (${t.id}) crashed inside the model: ${what}`);
  }
}

const EFFECT_KINDS: ReadonlySet<unknown> = new Set(['preempt', 'wait', 'sleep', 'waitObjects', 'kernelCall']);

function isEffect(value: unknown): value is Effect {
  return typeof value === 'object' && value !== null && EFFECT_KINDS.has((value as { kind?: unknown }).kind);
}
