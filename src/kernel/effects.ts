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
import { shown } from './elide.js';
import { UsageError } from './errors.js';
import type { Kernel } from './kernel.js';
import type { SimThread } from './thread.js';
import type { Waitable } from './waitable.js';

export type Effect =
  /** A point where Windows could switch threads: the scheduler may run something else. */
  | { readonly kind: 'preempt' }
  /**
   * Block until the waitable is signaled. `spin`: the thread spins rather than sleeps (a spin lock
   * it waits for), which is allowed at DISPATCH_LEVEL.
   */
  | { readonly kind: 'wait'; readonly waitable: Waitable; readonly reason: string; readonly spin?: true }
  /** Block for a span of virtual time. */
  | { readonly kind: 'sleep'; readonly ticks: number }
  /**
   * Block until one (WaitAny) or all (WaitAll) of the waitables are signaled, or until `timeout`
   * ticks of virtual time have passed (null: no timeout). Resumed with a WaitOutcome.
   */
  | {
      readonly kind: 'waitObjects';
      readonly waitables: readonly Waitable[];
      readonly waitType: WaitType;
      readonly timeout: number | null;
      readonly reason: string;
    }
  /**
   * Run `call` with the kernel and the calling thread, inside the current segment (not a
   * scheduling point), and resume with its result. This is how routines without an object that
   * leads to the simulation (KeInitializeEvent, KeEnterCriticalRegion, KeGetCurrentIrql) reach it.
   */
  | { readonly kind: 'kernelCall'; readonly call: (kernel: Kernel, thread: SimThread) => unknown };

/** KeWaitForMultipleObjects' WAIT_TYPE. */
export type WaitType = 'WaitAny' | 'WaitAll';

/** How a wait on objects ended: the index of the object that satisfied it (0 for WaitAll), or its timeout. */
export type WaitOutcome = { readonly kind: 'signaled'; readonly index: number } | { readonly kind: 'timeout' };

export type Blocking<T> = Generator<Effect, T, unknown>;

/** What a filter callback may return: a value, or a generator that blocks and then returns one. */
export type MaybeBlocking<T> = T | Blocking<T>;

/** The effect `preempt()` yields: a hot path may yield it itself, the same scheduling point without a generator per call. */
export const PREEMPT: Effect = Object.freeze({ kind: 'preempt' });

/** A scheduling point. */
export function* preempt(): Blocking<void> {
  yield PREEMPT;
}

/**
 * The longest sleep or wait timeout (ticks): ~35,000 years of virtual milliseconds, and small enough
 * that a deadline never leaves the safe integers a trace file holds (sleep(1e300) is refused).
 */
export const MAX_TICKS = 2 ** 50;

export function* sleep(ticks: number): Blocking<void> {
  if (!Number.isSafeInteger(ticks) || ticks < 0 || ticks > MAX_TICKS) throw new UsageError('BAD_ARGUMENT', `sleep needs a whole number of ticks from 0 to 2^50, got ${shown(ticks)}`);
  yield { kind: 'sleep', ticks };
}

/** Run `call` with the kernel and the current thread, without a scheduling point. */
export function* kernelCall<T>(call: (kernel: Kernel, thread: SimThread) => T): Blocking<T> {
  return (yield { kind: 'kernelCall', call }) as T;
}

export function* waitFor(waitable: Waitable, reason: string, spin = false): Blocking<void> {
  yield spin ? { kind: 'wait', waitable, reason, spin } : { kind: 'wait', waitable, reason };
}

/**
 * Wait on several objects at once, with an optional timeout in ticks of virtual time (0 polls: the
 * wait never blocks). The kernel decides which object satisfies the wait: for WaitAny the first in
 * `waitables` that is signaled when the wait starts, or the one whose signal releases it; a
 * synchronization waitable that satisfies a wait is reset by it (for WaitAll, all of them at once).
 */
export function* waitForObjects(waitables: readonly Waitable[], waitType: WaitType, timeout: number | null, reason: string): Blocking<WaitOutcome> {
  if (!Array.isArray(waitables) || waitables.length === 0) throw new UsageError('BAD_ARGUMENT', 'waitForObjects needs at least one waitable');
  if (timeout !== null && (!Number.isSafeInteger(timeout) || timeout < 0 || timeout > MAX_TICKS)) {
    throw new UsageError('BAD_ARGUMENT', `a wait's timeout is a whole number of ticks from 0 to 2^50 or null, got ${shown(timeout)}`);
  }
  if (waitType === 'WaitAll' && waitables.some((w) => w.kind === 'pulse')) {
    throw new UsageError('BAD_ARGUMENT', 'a pulse waitable never stays signaled, so it cannot take part in a WaitAll');
  }
  return (yield { kind: 'waitObjects', waitables, waitType, timeout, reason }) as WaitOutcome;
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
