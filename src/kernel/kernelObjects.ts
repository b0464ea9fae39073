/**
 * The half of the kernel that keeps the simulation's objects: the log and the facts appended to it,
 * each object's machine (live actor, table-run or retired), ids, the seeded random streams, the
 * clock's value, verifier violations, and the footprints exploration records. The waitables and
 * threads (kernelThreads.ts) extend it, and the scheduler loop (kernel.ts) extends those; nothing
 * else does.
 */
import { transition, type Actor, type AnyActorRef, type AnyMachineSnapshot, type AnyStateMachine, type StateValue } from 'xstate';
import { FltSimError, VerifierError } from './errors.js';
import type { Fact, FactBody } from './facts.js';
import { EventLog } from './log.js';
import { Random } from './random.js';
import type { Strategy } from './strategy.js';
import { LockOrderGraph } from './lockOrder.js';
import type { VerifierRule } from './verifierRules.js';
import type { FootprintRecorder } from './footprint.js';
import { isQuietFact } from './quietFacts.js';
import { isTableActor, startMachine } from './machineTable.js';

export type ViolationMode = 'throw' | 'record';

/** A part of an object's state some readers ask alone (KernelObjects.declareFacet). */
interface Facet {
  readonly name: string;
  readonly of: (snapshot: AnyMachineSnapshot) => unknown;
}

export interface KernelOptions {
  readonly seed: number;
  readonly strategy: Strategy;
  /** What a VerifierError does once recorded: end `run()` by throwing it (default), or only record it. */
  readonly onViolation: ViolationMode;
  /**
   * Who moves the clock. 'sim' (default): a step with nothing ready jumps to the next sleeper.
   * 'host': only `advanceClock` moves it; a step with only sleepers left answers 'waiting'.
   */
  readonly clock?: 'sim' | 'host';
}

/**
 * Id prefixes, one per kind of object: F filter, I instance, V volume, L legacy filter, T thread,
 * W waitable, O file object, D callback data, H handle, E KEVENT, K lock, C context, P process,
 * G ECP list, X ECP, N file name information, R server port, Q client port (connection), M port
 * message, U FilterGetMessage request,
 * J IRP (cancel state, §19), B cancel-safe callback-data queue, S pool block, A MDL; once the
 * capitals ran out, lowercase: r byte-range lock, w directory-notify structure, o oplock, d device
 * object, t KTM transaction, q work item (a WORK_QUEUE_ITEM); Z section and Y section view.
 */
export type IdPrefix = 'F' | 'I' | 'V' | 'L' | 'T' | 'W' | 'O' | 'D' | 'H' | 'E' | 'K' | 'C' | 'P' | 'G' | 'X' | 'N' | 'R' | 'Q' | 'M' | 'U' | 'J' | 'B' | 'S' | 'A' | 'r' | 'w' | 'o' | 'd' | 'Z' | 'Y' | 't' | 'q';

export abstract class KernelObjects {
  readonly log: EventLog;
  readonly seed: number;
  /** Root random stream; consumers take a `split` of it, never draw from it directly. */
  readonly random: Random;
  readonly schedulerRandom: Random;
  strategy: Strategy;
  onViolation: ViolationMode;
  /** The host owns the clock (KernelOptions.clock): steps never move it. */
  readonly hostClock: boolean;

  /** @internal */
  protected clock = 0;
  private readonly counters: Record<IdPrefix, number> = { F: 0, I: 0, V: 0, L: 0, T: 0, W: 0, O: 0, D: 0, H: 0, E: 0, K: 0, C: 0, P: 0, G: 0, X: 0, N: 0, R: 0, Q: 0, M: 0, U: 0, J: 0, B: 0, S: 0, A: 0, r: 0, w: 0, o: 0, d: 0, Z: 0, Y: 0, t: 0, q: 0 };
  private readonly actors = new Map<string, AnyActorRef>();
  /** Retired objects: their machine and last state only (no actor, no snapshot), rebuilt for a late fact. */
  private readonly retired = new Map<string, { readonly machine: AnyStateMachine; value: StateValue } | AnyActorRef>();
  /**
   * Per-simulation owners that a routine with no object argument reaches through `kernelCall`
   * (ExAllocatePoolWithTag and ExFreePoolWithTag find the pool table this way). The layer that owns
   * one registers it; the kernel never reads them.
   */
  readonly owners = new Map<string, object>();
  /*
   * Made on first use, like the Filter Manager's rarer tables: most runs initialize no dispatcher
   * object or lock and pass no object handle, and an exploration builds a kernel per schedule.
   */
  private madeObjectHandles: Map<number, unknown> | null = null;
  private madeKernelObjects: Map<string, object> | null = null;
  private madeLockOrder: LockOrderGraph | null = null;
  private rejectedEvent: string | null = null;
  readonly violations: VerifierError[] = [];
  /** @internal */
  protected pendingViolation: VerifierError | null = null;
  /** Set by exploration with partial-order reduction: each step's read and write sets (footprint.ts). */
  /** @internal */
  protected footprints: FootprintRecorder | null = null;
  /** @internal Shared cells each creator (a thread id, or 'build') made so far (sharedCell.ts names a cell by them); none until the first. */
  cellsMade: Map<string, number> | null = null;
  /** Each watched actor's own `getSnapshot`: the kernel's quiet-fact check is not a read of the model's. Made when footprints are first recorded. */
  private unwatchedReads: WeakMap<AnyActorRef, () => AnyMachineSnapshot> | null = null;
  /** Parts of an object's state that some readers ask apart from the rest (declareFacet), by object; made with the first. */
  private facets: Map<string, readonly Facet[]> | null = null;

  constructor(options: KernelOptions) {
    this.seed = options.seed;
    this.random = Random.fromSeed(options.seed);
    this.schedulerRandom = this.random.split('scheduler');
    this.strategy = options.strategy;
    this.onViolation = options.onViolation;
    this.hostClock = options.clock === 'host';
    this.log = new EventLog(() => this.clock);
  }

  get now(): number {
    return this.clock;
  }

  /**
   * The object manager's handle table for objects a HANDLE value names in code that passes values
   * (section handles, §24): value → object. Entries are added and removed by the objects' tables.
   */
  get objectHandles(): Map<number, unknown> {
    return (this.madeObjectHandles ??= new Map());
  }

  /** Dispatcher objects and locks a filter initialized (E…, K…), in creation order: what sim.state() lists. */
  get kernelObjects(): Map<string, object> {
    return (this.madeKernelObjects ??= new Map());
  }

  /** The lock acquisition-order graph of the run (Driver Verifier's deadlock detection, §18.5). */
  get lockOrder(): LockOrderGraph {
    return (this.madeLockOrder ??= new LockOrderGraph());
  }

  nextId(prefix: IdPrefix): string {
    const id = prefix + String(++this.counters[prefix]);
    // Stateful exploration names an object by the thread whose step made it (footprint.ts).
    this.footprints?.minted(id);
    return id;
  }

  // ---------------------------------------------------------------- facts and machines

  /**
   * Start an object's machine, its rejections reported to this kernel: a table-run object where the
   * definition allows (machineTable.ts), a live actor otherwise. Typed as the machine's actor;
   * either answers the `getSnapshot`, `send` and `stop` the model uses, and nothing else.
   * @internal (the published types hand out no XState machine or actor: test/package/publishedTypes)
   */
  startMachine<M extends AnyStateMachine>(machine: M): Actor<M> {
    return startMachine(machine, this.rejectEvent) as Actor<M>;
  }

  /** Register the actor that mirrors an object's lifecycle; facts about the object are its events. */
  attachActor(object: string, actor: AnyActorRef): void {
    this.actors.set(object, actor);
    if (this.footprints !== null) this.watchReads(object, actor, this.footprints);
  }

  /**
   * Record every step's footprint from now on: facts appended, snapshots read, waitables touched
   * (footprint.ts). A snapshot read is how the model asks an object's state, so every actor's
   * `getSnapshot` reports a read of its object while a step runs.
   */
  recordFootprints(recorder: FootprintRecorder): void {
    this.footprints = recorder;
    this.unwatchedReads ??= new WeakMap();
    for (const [object, actor] of this.actors) this.watchReads(object, actor, recorder);
  }

  get footprintRecorder(): FootprintRecorder | null {
    return this.footprints;
  }

  /**
   * A part of `object`'s state, `of(snapshot)`, that some readers ask alone (an instance's
   * `receivesOperations`): such a reader reads `<object>:<name>` (facetSnapshot), not the object,
   * and a fact about the object writes `<object>:<name>` only when it changes that part, so the
   * reader commutes with the object's other changes (footprint.ts).
   */
  declareFacet(object: string, name: string, of: (snapshot: AnyMachineSnapshot) => unknown): void {
    this.facets ??= new Map();
    this.facets.set(object, [...(this.facets.get(object) ?? []), { name, of }]);
  }

  /** `actor`'s snapshot for a reader that uses only facet `name` of `object` (declareFacet): a read of `<object>:<name>`. */
  facetSnapshot(object: string, name: string, actor: AnyActorRef): AnyMachineSnapshot {
    const recorder = this.footprints;
    if (recorder === null) return actor.getSnapshot() as AnyMachineSnapshot;
    recorder.read(`${object}:${name}`);
    return this.unwatchedReads!.get(actor)!();
  }

  private watchReads(object: string, actor: AnyActorRef, recorder: FootprintRecorder): void {
    const read = actor.getSnapshot.bind(actor);
    this.unwatchedReads!.set(actor, read);
    // Through a const, not assigned as a literal (V8 puts those in the old generation; docs/exploration.md, "Memory").
    const watched = (): ReturnType<AnyActorRef['getSnapshot']> => {
      recorder.read(object);
      return read();
    };
    actor.getSnapshot = watched;
  }

  /**
   * An object has left the live state for good (a closed file object, a completed operation nobody
   * can reuse): its actor is stopped and only its last snapshot is kept, so a long run's memory
   * stays flat while a late fact about it is still checked against its machine (pure transition:
   * slower, but late facts are rare). A table-run object (machineTable.ts) is kept whole: it is a
   * pointer into its machine's table, and late facts (an asynchronous I/O's callback after its data
   * was retired) are common enough in explored races that the pure transition showed in profiles.
   */
  retireActor(object: string): void {
    const actor = this.actors.get(object);
    if (actor === undefined) return;
    const snapshot = actor.getSnapshot() as AnyMachineSnapshot;
    // Not recording, nobody reads a late fact's check back: keep nothing of a retired object.
    // A table-run object is a pointer into its machine's shared table: kept as it is, it answers a late fact with a look-up.
    if (isTableActor(actor)) {
      if (this.keepsHistory) this.retired.set(object, actor);
    } else {
      if (this.keepsHistory) this.retired.set(object, { machine: snapshot.machine as AnyStateMachine, value: snapshot.value });
      actor.stop();
    }
    this.actors.delete(object);
  }

  /**
   * Whether the kernel keeps what only the log's readers need: exited threads, retired objects'
   * last states, the list of choices. Not recording (`record: false`), a long run keeps only its
   * live objects (docs/security.md, bench/memory.ts).
   */
  get keepsHistory(): boolean {
    return this.log.recording;
  }

  actorOf(object: string): AnyActorRef | undefined {
    return this.actors.get(object);
  }

  /** Passed to every machine as input: its root `'*'` transition reports events no state accepts. */
  readonly rejectEvent = (event: { type: string }): void => {
    this.rejectedEvent = event.type;
  };

  /**
   * Append a fact and deliver it to the object's machine. The machine must accept it: a rejected
   * fact means the kernel itself skipped a check, so it throws before anything is appended.
   * For a body built elsewhere; where the fact is written at the call, `emitFact` is cheaper.
   */
  emit(object: string, body: FactBody): Fact {
    return this.emitFact({ seq: 0, time: 0, object, ...body } as Fact);
  }

  /**
   * `emit` for a fact its caller writes whole, header first: `{ seq: 0, time: 0, object, type, … }`,
   * seq and time stamped here. One object literal at the call has the fact's key order and one V8
   * map per call site, its fields inside the object; `emit`'s spread copies a body field by field at
   * run time into storage outside the object, which cost an explored schedule of the smallest race
   * about a sixth of its time (docs/exploration.md, "Cost per schedule").
   */
  emitFact(fact: Fact): Fact {
    // Before the machine moves: a subscriber that changes the simulation must change nothing.
    this.log.delivery.refuseDuringDelivery('a call that appends a fact');
    const header = fact as { seq: number; time: number };
    header.seq = this.log.nextSeq;
    header.time = this.clock;
    const object = fact.object;
    const actor = this.actors.get(object);
    if (actor !== undefined) {
      // A fact the machine's definition takes with a targetless, actionless transition is not sent
      // to a live actor (quietFacts.ts); a table-run object answers every fact with a look-up.
      if (isTableActor(actor) || !isQuietFact((this.footprints === null ? actor.getSnapshot() : this.unwatchedReads!.get(actor)!()) as AnyMachineSnapshot, fact)) {
        const facets = this.footprints === null ? undefined : this.facets?.get(object);
        const before = facets === undefined ? null : this.facetValues(facets, actor);
        actor.send(fact);
        // Tested here, not by a helper taking the state as a closure: that closure was an allocation per fact.
        if (this.rejectedEvent !== null) this.throwRejected(object, actor.getSnapshot().value);
        if (before !== null) this.facetsChanged(object, facets!, before, this.facetValues(facets!, actor));
      }
    } else {
      const retired = this.retired.get(object);
      if (retired !== undefined && 'send' in retired) {
        retired.send(fact);
        if (this.rejectedEvent !== null) this.throwRejected(object, retired.getSnapshot().value);
      } else if (retired !== undefined) {
        const snapshot = retired.machine.resolveState({ value: retired.value, context: { reject: this.rejectEvent } });
        const [next, actions] = transition(retired.machine, snapshot, fact);
        // transition() is pure: run the root '*' rejection action ourselves so a refused fact is seen.
        for (const action of actions) action.exec?.(action.info, action.params);
        if (this.rejectedEvent !== null) this.throwRejected(object, retired.value);
        retired.value = next.value;
      }
    }
    // A retired object's facets are not followed: a late fact about it writes them all.
    if (actor === undefined && this.footprints !== null) for (const facet of this.facets?.get(object) ?? []) this.footprints.write(`${object}:${facet.name}`);
    this.footprints?.fact(fact);
    return this.log.push(fact);
  }

  private facetValues(facets: readonly Facet[], actor: AnyActorRef): unknown[] {
    const snapshot = this.unwatchedReads!.get(actor)!();
    return facets.map((f) => f.of(snapshot));
  }

  /** The facets a fact changed are written (declareFacet); the object itself is written by its fact (factFootprint.ts). */
  private facetsChanged(object: string, facets: readonly Facet[], before: readonly unknown[], after: readonly unknown[]): void {
    facets.forEach((facet, i) => {
      if (!Object.is(before[i], after[i])) this.footprints!.write(`${object}:${facet.name}`);
    });
  }

  /** A machine refused the fact just sent (its root `'*'` set `rejectedEvent`): the kernel skipped a check. */
  private throwRejected(object: string, state: unknown): never {
    const type = this.rejectedEvent;
    this.rejectedEvent = null;
    throw new FltSimError(`internal: ${object} in state ${JSON.stringify(state)} cannot take ${type}`, this.place(object));
  }

  place(object?: string): { object?: string; seq: number; seed: number } {
    return object === undefined ? { seq: this.log.nextSeq, seed: this.seed } : { object, seq: this.log.nextSeq, seed: this.seed };
  }

  /**
   * Record a verifier violation in the log and return the error for the caller to throw.
   * Recording first means the log explains every violation even if the error is caught.
   */
  violation(rule: VerifierRule, object: string, message: string): VerifierError {
    const error = new VerifierError(rule, message, this.place(object));
    this.emitFact({ seq: 0, time: 0, object, type: 'VerifierViolation', rule, message });
    this.violations.push(error);
    return error;
  }

  /**
   * Record a violation without ending the current thread: for leaks found where the run can go on
   * (the unload still completes). `run()` still throws it after the step when onViolation is 'throw'.
   */
  reportViolation(rule: VerifierRule, object: string, message: string): VerifierError {
    const error = this.violation(rule, object, message);
    this.pendingViolation ??= error;
    return error;
  }
}
