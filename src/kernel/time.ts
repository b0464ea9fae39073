/**
 * Virtual time and the WDK's time arguments.
 *
 * fltsim's clock counts ticks. The WDK gives wait timeouts as a LARGE_INTEGER in 100-nanosecond
 * units (KeWaitForSingleObject, FltCancellableWaitForSingleObject, FltSendMessage): negative means
 * relative to now, positive an absolute system time, zero "do not wait". One tick is one
 * millisecond of virtual time; system time 0 is the start of the simulation.
 */
import { UsageError } from './errors.js';

export const HUNDRED_NANOSECONDS_PER_TICK = 10_000;

/** A LARGE_INTEGER timeout as JavaScript gives it: a number (exact up to 2^53) or a bigint. */
export type LargeInteger = number | bigint;

/**
 * Ticks a wait with `Timeout` may last, counted from `now`: null for no timeout (NULL), 0 for a
 * poll. A relative timeout is rounded up to whole ticks, so a non-zero one always waits at least
 * one tick, as a real timer that expires on the next clock interrupt. An absolute time already
 * past is a poll.
 */
export function timeoutToTicks(Timeout: LargeInteger | null | undefined, now: number): number | null {
  if (Timeout === null || Timeout === undefined) return null;
  if (typeof Timeout === 'number' && !Number.isSafeInteger(Timeout)) throw new UsageError('BAD_ARGUMENT', `a timeout is a whole number of 100-ns units, got ${Timeout}`);
  const t = typeof Timeout === 'bigint' ? Timeout : BigInt(Timeout);
  const perTick = BigInt(HUNDRED_NANOSECONDS_PER_TICK);
  if (t === 0n) return 0;
  if (t < 0n) return Number((-t + perTick - 1n) / perTick);
  const deadline = Number((t + perTick - 1n) / perTick);
  return Math.max(0, deadline - now);
}

/** A relative timeout of `ticks` ticks, as a WDK caller writes it (negative 100-ns units). */
export function relativeTicks(ticks: number): number {
  return -ticks * HUNDRED_NANOSECONDS_PER_TICK;
}
