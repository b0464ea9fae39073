/**
 * The log: the source of truth. Append-only, readable as an array and as an RxJS Observable.
 *
 * The Subject emits synchronously inside `append`, so a subscriber sees each fact before the
 * kernel takes its next step: a host that mirrors the log never lags the simulation. Delivery is
 * guarded (src/kernel/factStream.ts): a subscriber cannot drive the simulation, and what it throws
 * fails the simulation call that appended the fact.
 */
import { FltSimError } from './errors.js';
import { Subject, type Observable } from 'rxjs';
import { FactDelivery, FactStream } from './factStream.js';
import type { Fact, FactBody } from './facts.js';

export class EventLog {
  private readonly facts: Fact[] = [];
  private count = 0;
  /**
   * When false, facts are numbered and streamed but not kept: `all()` holds only what was recorded
   * before. For measuring what keeping the log costs, and for runs whose log nobody reads.
   */
  recording = true;
  private readonly subject = new Subject<Fact>();
  /** Who is being delivered now, and what a subscriber threw. */
  readonly delivery = new FactDelivery();
  /** Facts as a stream; subscribers see only facts appended after they subscribe. */
  readonly facts$: Observable<Fact> = new FactStream<Fact>(this.delivery, (subscriber) => this.subject.subscribe(subscriber));

  constructor(private readonly now: () => number) {}

  /**
   * Facts as a stream that starts at the beginning: a subscriber is first handed every fact already
   * kept in the log, delivered as live ones are (in order, guarded), then each one appended after.
   * Restore's `replayTo` (src/host/scenarios.ts) subscribes with it before the rebuild, so the
   * host sees the whole restored log, the facts the constructor appended included.
   */
  factsFromStart$(): Observable<Fact> {
    return new FactStream<Fact>(this.delivery, (subscriber) => {
      for (const fact of this.facts) this.delivery.deliver(fact, () => subscriber.next(fact));
      return this.subject.subscribe(subscriber);
    });
  }

  get length(): number {
    return this.count;
  }

  /** The seq the next fact will get: the "log position" errors report. */
  get nextSeq(): number {
    return this.count;
  }

  /**
   * Told of every fact appended and every scheduler step while set: a replay's budgets watch a
   * scenario's set-up with it (src/travel/recording.ts), and stop it by throwing.
   */
  watch: ((what: 'fact' | 'step') => void) | null = null;

  append<B extends FactBody>(object: string, body: B): Fact {
    return this.push({ seq: this.count, time: this.now(), object, ...body } as Fact);
  }

  /** Append a fact built by the caller; its seq must be the next one. */
  push(fact: Fact): Fact {
    if (fact.seq !== this.count) throw new FltSimError(`internal: fact seq ${fact.seq}, log length ${this.count}`);
    this.delivery.refuseDuringDelivery('a call that appends a fact');
    this.count++;
    if (this.recording) this.facts.push(fact);
    if (this.subject.observed) this.delivery.deliver(fact, () => this.subject.next(fact));
    if (this.watch !== null) this.watch('fact');
    return fact;
  }

  at(seq: number): Fact | undefined {
    return this.facts[seq];
  }

  /** A read-only view of the whole log. Do not mutate; copy with `slice()` to keep. */
  all(): readonly Fact[] {
    return this.facts;
  }

  complete(): void {
    this.delivery.guard('complete', () => this.subject.complete());
  }
}
