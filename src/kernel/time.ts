/**
 * Virtual time and the WDK's time arguments.
 *
 * fltsim's clock counts ticks. The WDK gives wait timeouts as a LARGE_INTEGER in 100-nanosecond
 * units (KeWaitForSingleObject, FltCancellableWaitForSingleObject, FltSendMessage): negative means
 * relative to now, positive an absolute system time, zero "do not wait". One tick is one
 * millisecond of virtual time; system time 0 is the start of the simulation.
 */
import { badArgument, integerArgument, kindOf } from './arguments.js';
import { MAX_TICKS } from './effects.js';

export const HUNDRED_NANOSECONDS_PER_TICK = 10_000;

/** A LARGE_INTEGER timeout as JavaScript gives it: a number (exact up to 2^53) or a bigint. */
export type LargeInteger = number | bigint;

/**
 * Ticks a wait with `Timeout` may last, counted from `now`: null for no timeout (NULL), 0 for a
 * poll. A relative timeout is rounded up to whole ticks, so a non-zero one always waits at least
 * one tick, as a real timer that expires on the next clock interrupt. An absolute time already
 * past is a poll.
 */
export function timeoutToTicks(Timeout: LargeInteger | null | undefined, now: number, routine = 'timeoutToTicks'): number | null {
  if (Timeout === null || Timeout === undefined) return null;
  if (typeof Timeout !== 'bigint' && !(typeof Timeout === 'number' && Number.isSafeInteger(Timeout))) {
    throw badArgument(routine, `Timeout is ${kindOf(Timeout)}, not a LARGE_INTEGER (a whole number of 100-ns units, or a bigint) or NULL`);
  }
  integerArgument('timeoutToTicks', 'now', now, 0, Number.MAX_SAFE_INTEGER, 'a time in ticks');
  const t = typeof Timeout === 'bigint' ? Timeout : BigInt(Timeout);
  const perTick = BigInt(HUNDRED_NANOSECONDS_PER_TICK);
  if (t === 0n) return 0;
  // Past 2^50 ticks (~35,000 years) a deadline would leave the integers a trace file holds.
  const ticks = t < 0n ? (-t + perTick - 1n) / perTick : (t + perTick - 1n) / perTick - BigInt(now);
  if (ticks > BigInt(MAX_TICKS)) throw badArgument(routine, `Timeout ${String(Timeout)} is more than 2^50 ticks away`);
  return ticks < 0n ? 0 : Number(ticks);
}

/** A relative timeout of `ticks` ticks, as a WDK caller writes it (negative 100-ns units). */
export function relativeTicks(ticks: number): number {
  integerArgument('relativeTicks', 'ticks', ticks, 0, MAX_TICKS, 'a whole number of ticks from 0 to 2^50');
  return -ticks * HUNDRED_NANOSECONDS_PER_TICK;
}
