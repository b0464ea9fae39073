/**
 * What each scheduler step touched: its read set and write set, as object ids. Partial-order
 * reduction (src/explore/reduced.ts) calls two steps of different threads independent when neither
 * writes what the other reads or writes; independent steps commute, so only one of their orders
 * needs exploring.
 *
 * Where the sets come from, all recorded inside `Kernel.step` while a recorder is installed:
 * - writes: the objects a fact of the step changes — its `object`, the objects the fold or the
 *   live state changes beside it (factFootprint.ts); in-flight counts changed (Rundown); a file
 *   system changed (`fs:<volume name>`); a waitable signaled, waited on or consumed; the sleepers a
 *   step wakes by leaving no thread ready (the clock moves next); a shared cell written; the
 *   altitude and name an attach takes on a volume (VolumeObject.insertInstance);
 * - updates (commutative): in-flight counts nobody watches; a volume's stack an attach inserts into;
 * - reads: the objects a fact only names (the instance and volume an operation passes through,
 *   the thread that issued it), every machine snapshot read (`actor.getSnapshot()`, which is how
 *   the model asks an object's state), in-flight counts and file systems looked at, the running
 *   thread itself, a thread whose exit is joined, a shared cell read, a volume's stack walked.
 * The simulation itself (`sim`: the clock, SimulationStart) is left out: the clock only moves
 * when no thread is ready, so the step that left none ready is what wakes the sleepers (it writes
 * them; Kernel.recordedStep), not the step of whichever woken thread runs first.
 *
 * Stateful exploration (`byCreator`) names each object a step makes by its maker, the thread and
 * how many objects of its kind it made before, instead of by its id (`canonical`), in footprints
 * and state keys alike: runs that made objects in another order share the states they reach.
 *
 * A filter's private JavaScript variables are invisible to all of this. A scenario that keeps
 * state shared between threads outside the model declares it (`sharedState: 'cells'`: every such
 * variable is a `sim.sharedCell`); otherwise every step is `opaque` and dependent on every other.
 */
import { badArgument, kindOf } from './arguments.js';
import { FactFootprints, ID_KIND } from './factFootprint.js';
import type { Fact } from './facts.js';

/**
 * The thread of a step that is the host's `whenSettled` continuations (FootprintRecorder.continuations):
 * they run once no thread can, so no choice puts them earlier and no race reverses them.
 */
export const HOST_STEP = 'host';

/** One step's footprint: the thread that ran and what it read and wrote. */
export interface StepFootprint {
  readonly thread: string;
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
  /** Commutative updates (a count changed while nothing watches it): independent of each other, dependent on a read or write. */
  readonly updates: ReadonlySet<string>;
  /** Touched state nobody declared: dependent on every step of another thread. */
  readonly opaque: boolean;
}

/** A step as exploration sees it: its footprint and, for a real choice, its position and the threads enabled. */
export interface StepRecord extends StepFootprint {
  /** Index among the run's real choices (kernel.choices), or null for a step with one thread enabled. */
  readonly choiceIndex: number | null;
  /**
   * What the step did to shared cells, in order (stateful exploration's key uses it): each cell by
   * SharedCell's key among cells of its name.
   */
  readonly cells?: readonly CellEvent[];
}

/**
 * A shared cell looked at (`seen`: a primitive value's JSON, or null for an object, whose last
 * writer stands for it) or changed (`seen` undefined), by the step's thread or by host code the
 * step ran outside any thread (`outside`: a `whenSettled` continuation, which runs at the end of
 * whichever step let the simulation settle, and is no part of that thread's computation).
 */
export interface CellEvent {
  readonly cell: string;
  readonly seen?: string | null;
  readonly outside: boolean;
}

/** A primitive's JSON (what a key can compare by value), or null for anything else. */
export function primitiveDigest(value: unknown): string | null {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return null;
}

/** An object id inside a longer text: a kind prefix and a number, not part of a longer word or number. */
const ID_TOKEN = new RegExp(`(?<![A-Za-z0-9_])${ID_KIND}\\d+(?![0-9])`, 'g');

/** Collects the footprint of every step of one run, in order. */
export class FootprintRecorder {
  readonly steps: StepRecord[] = [];
  private reads = new Set<string>();
  private writes = new Set<string>();
  private updates = new Set<string>();
  private cells: CellEvent[] = [];
  private recording = false;
  /** Each shared cell's value as a key compares it (primitiveDigest), whether or not a step is running. */
  readonly cellValues = new Map<string, string | null>();
  private readonly facts = new FactFootprints();
  /** Ids made by the running step, named when it ends (`byCreator`). */
  private mintedNow: string[] = [];
  /** Objects made inside a step, by id: the name their maker gives them (`byCreator`). */
  private readonly names = new Map<string, string>();
  /** How many objects of each kind each thread has made: `<thread> <kind>` → count. */
  private readonly made = new Map<string, number>();
  /** The host's continuations run in the running step (hostSteps), recorded after it as steps of their own. */
  private hostRuns: StepRecord[] = [];

  /**
   * `opaque`: the scenario did not declare its shared JavaScript state, so every step is opaque.
   * `byCreator`: name each object a step makes by its maker instead of its id (`canonical`), in
   * the footprints and in state keys; stateful exploration sets it.
   * `hostSteps`: what the host's `whenSettled` continuations do at the end of a step is recorded
   * as a step of its own after it (thread HOST_STEP, dependent on every step), not as the
   * step's (`continuations`); DPOR and stateful DPOR set it.
   */
  constructor(
    readonly opaque: boolean,
    readonly byCreator = false,
    readonly hostSteps = false,
  ) {}

  begin(): void {
    this.recording = true;
    this.hostRuns = [];
    this.mintedNow = [];
    this.reads = new Set();
    this.writes = new Set();
    this.updates = new Set();
    this.cells = [];
  }

  end(thread: string, choiceIndex: number | null): void {
    this.recording = false;
    this.reads.add(thread);
    if (this.byCreator) {
      for (const id of this.mintedNow) {
        const kind = id.replace(/\d+$/, '');
        const key = `${thread} ${kind}`;
        const n = (this.made.get(key) ?? 0) + 1;
        this.made.set(key, n);
        this.names.set(id, `${kind}@${thread}.${n}`);
      }
      this.mintedNow = [];
      if (this.names.size > 0) {
        this.reads = this.renamed(this.reads);
        this.writes = this.renamed(this.writes);
        this.updates = this.renamed(this.updates);
        // The host's steps after it, named alike (objects their code made count as this thread's, as when they were the step's).
        this.hostRuns = this.hostRuns.map((run) => ({ ...run, reads: this.renamed(run.reads), writes: this.renamed(run.writes), updates: this.renamed(run.updates) }));
      }
    }
    this.steps.push({ thread, reads: this.reads, writes: this.writes, updates: this.updates, opaque: this.opaque, choiceIndex, cells: this.cells });
    if (this.hostRuns.length > 0) {
      for (const run of this.hostRuns) this.steps.push(run);
      this.hostRuns = [];
    }
  }

  /**
   * Run the host's `whenSettled` continuations (`settle`), which run at the end of whichever step
   * let the simulation settle. With `hostSteps`, what they touch is recorded as a step of its own
   * after the running one (thread HOST_STEP, opaque: it runs only once no thread can, after every
   * step before it and before every step after it); otherwise as the running step's.
   */
  continuations(settle: () => void): void {
    if (!this.hostSteps || !this.recording) return settle();
    const saved = { reads: this.reads, writes: this.writes, updates: this.updates, cells: this.cells };
    this.reads = new Set();
    this.writes = new Set();
    this.updates = new Set();
    this.cells = [];
    try {
      settle();
    } finally {
      if (this.reads.size + this.writes.size + this.updates.size + this.cells.length > 0) {
        this.hostRuns.push({ thread: HOST_STEP, reads: this.reads, writes: this.writes, updates: this.updates, opaque: true, choiceIndex: null, cells: this.cells });
      }
      this.reads = saved.reads;
      this.writes = saved.writes;
      this.updates = saved.updates;
      this.cells = saved.cells;
    }
  }

  /**
   * An object id just handed out (Kernel.nextId). Made inside a step, it is named by the step's
   * thread and how many objects of its kind that thread made before: a thread's code is
   * deterministic, so runs in which a thread got equally far made the same objects, whatever order
   * other threads made theirs in and so whatever ids they got (shared cells are told apart the
   * same way, sharedCell.ts). Made outside a step (the build, the host), it keeps its id. Threads
   * keep their ids: exploration schedules them by id.
   */
  minted(id: string): void {
    if (this.byCreator && this.recording && !id.startsWith('T')) this.mintedNow.push(id);
  }

  /**
   * `text` (a footprint entry, a state key) with every id of an object made inside a step
   * replaced by its maker's name for it. Two runs whose canonical keys are equal reached states
   * equal up to a renaming of ids that maps each thread's n-th object of a kind to the other run's.
   */
  canonical(text: string): string {
    if (this.names.size === 0 && this.mintedNow.length === 0) return text;
    return text.replace(ID_TOKEN, (id) => {
      const name = this.names.get(id);
      if (name !== undefined) return name;
      // Made by the running step before its thread was chosen (a settle, the clock): named by order.
      const now = this.mintedNow.indexOf(id);
      return now < 0 ? id : `${id.replace(/\d+$/, '')}@now.${now}`;
    });
  }

  private renamed(set: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    for (const entry of set) out.add(this.canonical(entry));
    return out;
  }

  /**
   * Run `look` without recording what it reads: exploration's own look at the state (a state key,
   * asked while the scheduler chooses, inside the step) is not something the step did.
   */
  unrecorded<T>(look: () => T): T {
    const was = this.recording;
    this.recording = false;
    try {
      return look();
    } finally {
      this.recording = was;
    }
  }

  /** A step that ended in an error: nothing is recorded for it. */
  abort(): void {
    this.recording = false;
    this.hostRuns = [];
    this.mintedNow = []; // its objects keep their ids
  }

  read(id: string): void {
    if (this.recording) this.reads.add(id);
  }

  write(id: string): void {
    if (this.recording) this.writes.add(id);
  }

  /**
   * A shared cell looked at (`get`, or `modify` before it changes it): a read of `id`, and what the
   * cell `cell` showed; `outside`: by code running outside any thread (host code).
   */
  readCell(id: string, cell: string, value: unknown, outside = false): void {
    if (!this.recording) return;
    this.reads.add(id);
    this.cells.push({ cell, seen: primitiveDigest(value), outside });
  }

  /** The shared cell `cell`'s new value (after `set` or `modify`; its write is recorded apart). */
  cellValue(cell: string, value: unknown, outside = false): void {
    this.cellValues.set(cell, primitiveDigest(value));
    if (this.recording) this.cells.push({ cell, outside });
  }

  update(id: string): void {
    if (this.recording) this.updates.add(id);
  }

  /** A fact appended: its object and what it changes are written, the objects it only names read (factFootprint.ts). */
  fact(fact: Fact): void {
    if (this.recording) this.facts.record(fact, this);
    else this.facts.learn(fact);
  }
}

/**
 * Two steps of different threads are dependent when one writes what the other reads, writes or
 * updates, or one updates what the other reads. Two updates of one thing commute.
 */
export function dependent(a: StepFootprint, b: StepFootprint): boolean {
  if (!isFootprint(a)) throw badArgument('dependent', `a is ${kindOf(a)}, not a StepFootprint ({ thread, reads, writes, opaque })`);
  if (!isFootprint(b)) throw badArgument('dependent', `b is ${kindOf(b)}, not a StepFootprint ({ thread, reads, writes, opaque })`);
  if (a.opaque || b.opaque) return true;
  if (meets(a.writes, b.writes) || meets(a.writes, b.reads) || meets(b.writes, a.reads)) return true;
  const au = a.updates ?? NONE;
  const bu = b.updates ?? NONE;
  return meets(a.writes, bu) || meets(b.writes, au) || meets(au, b.reads) || meets(bu, a.reads);
}

const NONE: ReadonlySet<string> = new Set();

function isFootprint(value: unknown): value is StepFootprint {
  const f = value as Partial<StepFootprint> | null;
  return typeof f === 'object' && f !== null && typeof f.opaque === 'boolean' && f.reads instanceof Set && f.writes instanceof Set && (f.updates === undefined || f.updates instanceof Set);
}

function meets(x: ReadonlySet<string>, y: ReadonlySet<string>): boolean {
  const [small, large] = x.size <= y.size ? [x, y] : [y, x];
  for (const id of small) if (large.has(id)) return true;
  return false;
}
