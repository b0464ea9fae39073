/**
 * The guarded fact stream (docs/embedding.md, "Subscribers"): facts reach subscribers
 * synchronously, and while one fact is being delivered the simulation refuses to be driven.
 *
 * Two things an embedder needs that a bare RxJS Subject does not give:
 * - A subscriber that calls back into the simulation (step, run, advanceTo, spawn, save, ...) while
 *   a fact is delivered would run a step inside a step. Such a call is refused with a UsageError
 *   `REENTRANT` naming the call and the fact's seq. Refused, not queued: a queued call would run at
 *   a moment the host did not choose and that no drive record could name.
 * - An exception thrown by a subscriber must fail the call that emitted the fact, synchronously.
 *   RxJS 7 catches a throwing `next` handler and rethrows it later from a timer, unless its global
 *   `config` is changed — which would change every other RxJS use in the host's process too. So the
 *   stream wraps each subscriber's handlers where they are subscribed (also through `pipe`, since
 *   `lift` keeps the class): what a handler throws is kept with the fact being delivered, and the
 *   outermost simulation call throws it as a `SubscriberError` once its own work is done — the
 *   kernel never stops a thread half way through a step.
 *
 * Not covered: a handler of an observable the host derives outside this class (its own Subject fed
 * from the stream) is RxJS's to report.
 */
import { sizeArgument, stringArgument } from './arguments.js';
import { Observable, Subscriber, type Observer, type Operator, type Subscription } from 'rxjs';
import { FltSimError, UsageError } from './errors.js';

/** A subscriber of the fact stream threw while fact `seq` was delivered; `cause` is what it threw. */
export class SubscriberError extends FltSimError {
  /** The seq of the fact whose delivery threw (the first, when several did). */
  readonly factSeq: number;
  override readonly cause: unknown;
  constructor(factSeq: number, factType: string, cause: unknown) {
    sizeArgument('SubscriberError', 'factSeq', factSeq);
    stringArgument('SubscriberError', 'factType', factType);
    super(`a fact subscriber threw while fact #${factSeq} (${factType}) was delivered: ${cause instanceof Error ? cause.message : String(cause)}`, { seq: factSeq });
    this.factSeq = factSeq;
    this.cause = cause;
  }
}

interface Delivered {
  readonly seq: number;
  readonly type: string;
}

/** Who is being delivered, what went wrong, and how deep in simulation calls we are. */
export class FactDelivery {
  /** The fact subscribers are seeing now, or null between deliveries. */
  private current: Delivered | null = null;
  private failure: SubscriberError | null = null;
  private depth = 0;

  get delivering(): Delivered | null {
    return this.current;
  }

  /** Deliver `fact` with `send`; a handler's exception is kept, and thrown at once only outside any simulation call. */
  deliver(fact: Delivered, send: () => void): void {
    this.current = fact;
    try {
      send();
    } finally {
      this.current = null;
    }
    if (this.depth === 0) this.throwFailure();
  }

  /** A handler threw: keep the first error, against the fact being delivered. */
  fail(error: unknown): void {
    if (this.failure !== null) return;
    const fact = this.current;
    // A handler can only run during a delivery (facts are the stream's only values); the end of
    // the stream is delivered as seq -1.
    this.failure = new SubscriberError(fact?.seq ?? -1, fact?.type ?? 'end of stream', error);
  }

  /** Refuse a simulation call made from a subscriber while a fact is delivered. */
  refuseDuringDelivery(call: string): void {
    const fact = this.current;
    if (fact === null) return;
    throw new UsageError(
      'REENTRANT',
      `${call}() called from a fact subscriber while fact #${fact.seq} (${fact.type}) is delivered: the simulation cannot be driven from inside a step; act after the call that emitted the fact returns`,
      { seq: fact.seq },
    );
  }

  /** Enter a simulation call named `call` (refused during a delivery). Pair with `exit()` in a finally. */
  enter(call: string): void {
    this.refuseDuringDelivery(call);
    this.depth++;
  }

  /** Leave a simulation call; the outermost one throws what a subscriber threw during it. */
  exit(): void {
    this.depth--;
    if (this.depth === 0) this.throwFailure();
  }

  /** Run `body` as the simulation call `call`. */
  guard<T>(call: string, body: () => T): T {
    this.enter(call);
    try {
      return body();
    } finally {
      this.exit();
    }
  }

  private throwFailure(): void {
    const failure = this.failure;
    if (failure === null) return;
    this.failure = null;
    throw failure;
  }
}

type ObserverOrNext<T> = Partial<Observer<T>> | ((value: T) => void) | null | undefined;

/**
 * An Observable whose subscribers' handlers report what they throw to `delivery` instead of to
 * RxJS's unhandled-error timer. Operators applied with `pipe` keep the class (`lift`), so the
 * handlers at the end of a pipe are wrapped as well; a Subscriber passed in (an operator's inner
 * subscription, `firstValueFrom`) is RxJS's own and goes through unchanged.
 */
export class FactStream<T> extends Observable<T> {
  constructor(
    private readonly delivery: FactDelivery,
    subscribe?: (this: Observable<T>, subscriber: Subscriber<T>) => void | (() => void) | Subscription,
  ) {
    super(subscribe);
  }

  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const lifted = new FactStream<R>(this.delivery);
    lifted.source = this;
    lifted.operator = operator;
    return lifted;
  }

  override subscribe(observerOrNext?: ObserverOrNext<T>, error?: ((error: unknown) => void) | null, complete?: (() => void) | null): Subscription {
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function' || observerOrNext === null || observerOrNext === undefined
        ? { ...(observerOrNext ? { next: observerOrNext } : {}), ...(error ? { error } : {}), ...(complete ? { complete } : {}) }
        : observerOrNext;
    const delivery = this.delivery;
    return super.subscribe({
      next(value) {
        try {
          observer.next?.(value);
        } catch (thrown) {
          delivery.fail(thrown);
        }
      },
      // An error notification (an operator in the pipe threw) with no handler of the host's fails the step too.
      error(err) {
        if (observer.error === undefined) return delivery.fail(err);
        try {
          observer.error(err);
        } catch (thrown) {
          delivery.fail(thrown);
        }
      },
      complete() {
        try {
          observer.complete?.();
        } catch (thrown) {
          delivery.fail(thrown);
        }
      },
    });
  }
}
