/**
 * The host-driven side of a simulation (docs/embedding.md): single steps that report what they
 * did, the host's own choices, a clock the host moves, and the record of all of it that `save()`
 * writes. `Simulation` delegates its host methods here, one HostDriver per simulation.
 *
 * The record is small because the kernel is deterministic: besides the scenario and the options,
 * only what a host did that the strategy would not have done needs keeping — its real choices and
 * its clock moves, each at the step count where it happened.
 */
import { ReplayDivergenceError, UsageError } from '../kernel/errors.js';
import type { Fact } from '../kernel/facts.js';
import type { Kernel, StepResult } from '../kernel/kernel.js';
import type { JsonValue } from '../scenarios/scenario.js';
import { driveRecord, type DriveEntry, type EnabledChoice, type HostAction, type HostStep, type RunUntilFactResult, type RunUntilTimeResult } from './types.js';

export class HostDriver {
  private readonly actions: HostAction[] = [];
  /** Where the scenario's build ended: the drive record starts there, since a restore re-runs the build. */
  private build = { steps: 0, actions: 0, facts: 0 };

  /** Performs a recorded action on replay (Simulation.act, which records it again). */
  perform: ((name: string, args: JsonValue) => void) | null = null;

  constructor(private readonly kernel: Kernel) {}

  /** Record an action the host performed now (sim.act). */
  recordAct(name: string, args: JsonValue): void {
    this.actions.push({ atStep: this.kernel.stepCount, act: name, args });
  }

  step(choice: string | undefined): HostStep {
    this.assertOutsideThreads('step');
    const kernel = this.kernel;
    const from = kernel.log.length;
    let result: StepResult;
    if (choice === undefined) {
      result = kernel.step();
    } else {
      const realChoice = kernel.nextRunnable().threads.length > 1;
      const before = kernel.stepCount;
      try {
        result = kernel.step(choice);
      } finally {
        // Recorded even if the step then threw (a verifier violation): the step did happen.
        if (realChoice && kernel.stepCount > before) this.actions.push({ atStep: before, choose: choice });
      }
    }
    // Built field by field: an object spread here costs a tenth of a step (bench/embedding.ts).
    const time = kernel.now;
    if (result.kind === 'ran') return { kind: 'ran', thread: result.thread, choice: result.choice, time, facts: kernel.log.all().slice(from) };
    if (result.kind === 'waiting') return { kind: 'waiting', until: result.until, time, facts: [] };
    return result.kind === 'idle' ? { kind: 'idle', time, facts: [] } : { kind: 'deadlock', blocked: result.blocked, time, facts: [] };
  }

  enabled(): EnabledChoice[] {
    const { threads, dueAt } = this.kernel.nextRunnable();
    return threads.map((t): EnabledChoice => (dueAt === null ? { kind: 'thread', id: t.id, name: t.name } : { kind: 'sleeper', id: t.id, name: t.name, dueAt }));
  }

  nextEventTime(): number | null {
    return this.kernel.enabled().length > 0 ? this.kernel.now : this.kernel.nextWakeTime();
  }

  advanceTo(time: number): void {
    this.assertOutsideThreads('advanceTo');
    this.checkTime('advanceTo', time);
    if (time > this.kernel.now) this.actions.push({ atStep: this.kernel.stepCount, advanceTo: time });
    this.kernel.advanceClock(time);
  }

  runUntilTime(time: number, maxSteps: number): RunUntilTimeResult {
    this.assertOutsideThreads('runUntil');
    this.checkTime('runUntil', time);
    for (let steps = 0; steps < maxSteps; steps++) {
      const next = this.nextEventTime();
      if (next === null || next > time) {
        this.advanceTo(time);
        return { reason: 'reached', steps };
      }
      // A host-owned clock moves only by the host's calls: runUntil(t) is one, so it moves time to
      // each wake-up on the way, as recorded clock moves that a restore repeats.
      if (this.kernel.hostClock && next > this.kernel.now) this.advanceTo(next);
      this.kernel.step();
    }
    return { reason: 'limit', steps: maxSteps };
  }

  runUntilFact(match: (fact: Fact) => boolean, maxSteps: number): RunUntilFactResult {
    this.assertOutsideThreads('runUntilFact');
    const log = this.kernel.log;
    for (let steps = 0; steps < maxSteps; ) {
      const from = log.length;
      const r = this.kernel.step();
      if (r.kind === 'idle') return { reason: 'idle', steps };
      if (r.kind === 'deadlock') return { reason: 'deadlock', steps, blocked: r.blocked };
      if (r.kind === 'waiting') return { reason: 'waiting', steps, until: r.until };
      steps++;
      for (let seq = from; seq < log.length; seq++) {
        const fact = log.at(seq)!;
        if (match(fact)) return { reason: 'matched', steps, fact };
      }
    }
    return { reason: 'limit', steps: maxSteps };
  }

  /** The drive record so far (after the build): strategy steps run-length encoded, the host's choices and clock moves. */
  drive(): DriveEntry[] {
    const { steps, actions } = this.build;
    const after = this.actions.slice(actions).map((a) => ({ ...a, atStep: a.atStep - steps }));
    return driveRecord(after, this.kernel.stepCount - steps);
  }

  /** Mark the end of the scenario's build. */
  sealBuild(): void {
    this.build = { steps: this.kernel.stepCount, actions: this.actions.length, facts: this.kernel.log.length };
  }

  get built(): { readonly facts: number; readonly steps: number } {
    return { facts: this.build.facts, steps: this.build.steps };
  }

  /** True while nothing has been stepped or moved: a scenario may still claim the simulation. */
  get untouched(): boolean {
    return this.kernel.stepCount === 0 && this.actions.length === 0;
  }

  /** Re-execute a drive record (restore). A record this simulation cannot follow is a ReplayDivergenceError. */
  replay(drive: readonly DriveEntry[], afterStep?: () => void): void {
    for (const entry of drive) {
      if (typeof entry === 'number') {
        for (let i = 0; i < entry; i++) {
          this.replayStrategyStep();
          afterStep?.();
        }
      } else if (typeof entry === 'string') {
        if (!this.kernel.nextRunnable().threads.some((t) => t.id === entry)) {
          throw new ReplayDivergenceError(`restore: the recorded host choice ${entry} is not enabled here`, this.kernel.place(entry));
        }
        try {
          this.step(entry);
        } catch {
          // As for strategy steps below: the original step threw too.
        }
        afterStep?.();
      } else if ('act' in entry) {
        if (this.perform === null) throw new ReplayDivergenceError(`restore: no way to perform the recorded action ${entry.act}`, this.kernel.place());
        this.perform(entry.act, entry.args);
      } else {
        this.advanceTo(entry.advanceTo);
      }
    }
  }

  private replayStrategyStep(): void {
    let r: StepResult;
    try {
      r = this.kernel.step();
    } catch {
      // The original run threw here as well (a verifier violation, or a bug in simulated code) and
      // its host carried on; the digest check after the replay proves the two runs agree.
      return;
    }
    if (r.kind !== 'ran') throw new ReplayDivergenceError(`restore: the recorded run took another step where this one is ${r.kind}`, this.kernel.place());
  }

  private checkTime(what: string, time: number): void {
    if (!Number.isSafeInteger(time)) throw new UsageError('BAD_TIME', `${what} needs a whole number of ticks, got ${String(time)}`, this.kernel.place());
    if (time < this.kernel.now) {
      throw new UsageError('TIME_BACKWARDS', `time cannot move backwards: now ${this.kernel.now}, asked ${time}`, this.kernel.place());
    }
  }

  /** Neither simulated code nor a fact subscriber may drive the simulation: a step inside a step would corrupt both. */
  assertOutsideThreads(what: string): void {
    this.kernel.log.delivery.refuseDuringDelivery(what);
    const current = this.kernel.current;
    if (current !== null) {
      throw new UsageError('REENTRANT', `${what}() called from simulated thread ${current.id}: only the host drives the simulation`, this.kernel.place());
    }
  }
}
