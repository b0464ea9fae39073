/**
 * What each scheduler step touched: its read set and write set, as object ids. Partial-order
 * reduction (src/explore/dpor.ts) calls two steps of different threads independent when neither
 * writes what the other reads or writes; independent steps commute, so only one of their orders
 * needs exploring.
 *
 * Where the sets come from, all recorded inside `Kernel.step` while a recorder is installed:
 * - writes: every object a fact of the step names — its `object` and every id-valued field
 *   (`instance`, `volume`, `fileObject`, `on`, `by`, …), so a fact about an operation also touches
 *   the instance and volume it passes through; a waitable signaled, waited on or consumed; a
 *   sleeper the step's clock advance woke; a shared cell written (SharedCell.set);
 * - reads: every machine snapshot read (`actor.getSnapshot()`, which is how the model asks an
 *   object's state), the running thread itself, a thread whose exit is joined, a shared cell read.
 * The simulation itself (`sim`: the clock, SimulationStart) is left out: the clock only moves
 * when no thread is ready, as a function of the state, never as part of one thread's step.
 *
 * A filter's private JavaScript variables are invisible to all of this. A scenario that keeps
 * state shared between threads outside the model declares it (`sharedState: 'cells'`: every such
 * variable is a `sim.sharedCell`); otherwise every step is `opaque` and dependent on every other.
 */
import { badArgument, kindOf } from './arguments.js';
import type { Fact } from './facts.js';

/** One step's footprint: the thread that ran and what it read and wrote. */
export interface StepFootprint {
  readonly thread: string;
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
  /** Touched state nobody declared: dependent on every step of another thread. */
  readonly opaque: boolean;
}

/** A step as exploration sees it: its footprint and, for a real choice, its position and the threads enabled. */
export interface StepRecord extends StepFootprint {
  /** Index among the run's real choices (kernel.choices), or null for a step with one thread enabled. */
  readonly choiceIndex: number | null;
}

const OBJECT_ID = /^[FIVLTWODHEKCPGX]\d+$/;

/** Collects the footprint of every step of one run, in order. */
export class FootprintRecorder {
  readonly steps: StepRecord[] = [];
  private reads = new Set<string>();
  private writes = new Set<string>();
  private recording = false;

  /** `opaque`: the scenario did not declare its shared JavaScript state, so every step is opaque. */
  constructor(readonly opaque: boolean) {}

  begin(): void {
    this.recording = true;
    this.reads = new Set();
    this.writes = new Set();
  }

  end(thread: string, choiceIndex: number | null): void {
    this.recording = false;
    this.reads.add(thread);
    this.steps.push({ thread, reads: this.reads, writes: this.writes, opaque: this.opaque, choiceIndex });
  }

  /** A step that ended in an error: nothing is recorded for it. */
  abort(): void {
    this.recording = false;
  }

  read(id: string): void {
    if (this.recording) this.reads.add(id);
  }

  write(id: string): void {
    if (this.recording) this.writes.add(id);
  }

  /** Every object a fact names is written by the step that appended it. */
  fact(fact: Fact): void {
    if (!this.recording) return;
    if (fact.object !== 'sim') this.writes.add(fact.object);
    for (const key in fact) {
      if (key === 'object' || key === 'type') continue;
      const value = (fact as unknown as Record<string, unknown>)[key];
      // A thread named as who did something (the issuer of an I/O, a creator, a caller) is read, not changed.
      const into = key === 'thread' || key === 'parent' ? this.reads : this.writes;
      if (typeof value === 'string') {
        if (OBJECT_ID.test(value)) into.add(value);
      } else if (Array.isArray(value)) {
        for (const v of value) if (typeof v === 'string' && OBJECT_ID.test(v)) into.add(v);
      }
    }
  }
}

/** Two steps of different threads are dependent when one writes what the other reads or writes. */
export function dependent(a: StepFootprint, b: StepFootprint): boolean {
  if (!isFootprint(a)) throw badArgument('dependent', `a is ${kindOf(a)}, not a StepFootprint ({ thread, reads, writes, opaque })`);
  if (!isFootprint(b)) throw badArgument('dependent', `b is ${kindOf(b)}, not a StepFootprint ({ thread, reads, writes, opaque })`);
  if (a.opaque || b.opaque) return true;
  return meets(a.writes, b.writes) || meets(a.writes, b.reads) || meets(b.writes, a.reads);
}

function isFootprint(value: unknown): value is StepFootprint {
  const f = value as Partial<StepFootprint> | null;
  return typeof f === 'object' && f !== null && typeof f.opaque === 'boolean' && f.reads instanceof Set && f.writes instanceof Set;
}

function meets(x: ReadonlySet<string>, y: ReadonlySet<string>): boolean {
  const [small, large] = x.size <= y.size ? [x, y] : [y, x];
  for (const id of small) if (large.has(id)) return true;
  return false;
}
