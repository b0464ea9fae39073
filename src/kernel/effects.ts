/**
 * How simulated code blocks without real waiting.
 *
 * Filter callbacks and blocking Flt routines are generator functions. They `yield` an Effect
 * to the scheduler and are resumed later with the value the effect produces. A routine that may
 * block is typed `Blocking<T>` and called with `yield*`:
 *
 *     const status = yield* FltStartFiltering(filter);
 *
 * Generators (not async functions) because they can be driven synchronously one step at a time,
 * which is what `step()` and deterministic replay need; promises would hand ordering to the
 * microtask queue.
 */
import type { Waitable } from './waitable.js';

export type Effect =
  /** A point where Windows could switch threads: the scheduler may run something else. */
  | { readonly kind: 'preempt' }
  /** Block until the waitable is signaled. */
  | { readonly kind: 'wait'; readonly waitable: Waitable; readonly reason: string }
  /** Block for a span of virtual time. */
  | { readonly kind: 'sleep'; readonly ticks: number };

export type Blocking<T> = Generator<Effect, T, unknown>;

/** What a filter callback may return: a value, or a generator that blocks and then returns one. */
export type MaybeBlocking<T> = T | Blocking<T>;

const PREEMPT: Effect = Object.freeze({ kind: 'preempt' });

/** A scheduling point. */
export function* preempt(): Blocking<void> {
  yield PREEMPT;
}

export function* sleep(ticks: number): Blocking<void> {
  if (!Number.isInteger(ticks) || ticks < 0) throw new RangeError(`sleep needs a whole number of ticks >= 0, got ${ticks}`);
  yield { kind: 'sleep', ticks };
}

export function* waitFor(waitable: Waitable, reason: string): Blocking<void> {
  if (waitable.signaled) return;
  yield { kind: 'wait', waitable, reason };
}

export function isGenerator<T>(value: unknown): value is Blocking<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { next?: unknown }).next === 'function' &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

/** Run a callback that may or may not block, and give back its result. */
export function* callMaybeBlocking<T>(result: MaybeBlocking<T>): Blocking<T> {
  if (isGenerator<T>(result)) return yield* result;
  return result;
}
