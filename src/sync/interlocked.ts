/**
 * Interlocked operations (§18.4) on a LONG the caller shares between threads, modelled as a cell
 * `{ value }`. Each is atomic and a scheduling point: the scheduler may run another thread just
 * before it, which is where a filter's flag or counter races (cancelSafe's WorkerThreadFlag).
 * Values wrap as 32-bit signed integers. Not facts: they change the filter's own data, not a
 * kernel object.
 */
import { preempt, type Blocking } from '../kernel/effects.js';

export interface LONG {
  value: number;
}

export function* InterlockedIncrement(Addend: LONG): Blocking<number> {
  yield* preempt();
  return (Addend.value = (Addend.value + 1) | 0);
}

export function* InterlockedDecrement(Addend: LONG): Blocking<number> {
  yield* preempt();
  return (Addend.value = (Addend.value - 1) | 0);
}

/** InterlockedExchange(Target, Value): the previous value. */
export function* InterlockedExchange(Target: LONG, Value: number): Blocking<number> {
  yield* preempt();
  const previous = Target.value;
  Target.value = Value | 0;
  return previous;
}

/** InterlockedCompareExchange(Destination, Exchange, Comperand): the previous value; stores Exchange only if it equalled Comperand. */
export function* InterlockedCompareExchange(Destination: LONG, Exchange: number, Comperand: number): Blocking<number> {
  yield* preempt();
  const previous = Destination.value;
  if (previous === (Comperand | 0)) Destination.value = Exchange | 0;
  return previous;
}

/** InterlockedExchangeAdd(Addend, Value): the previous value. */
export function* InterlockedExchangeAdd(Addend: LONG, Value: number): Blocking<number> {
  yield* preempt();
  const previous = Addend.value;
  Addend.value = (previous + Value) | 0;
  return previous;
}

/** InterlockedExchangePointer(&Target, Value): the pointer before; a scheduling point as every interlocked operation. */
export function* InterlockedExchangePointer<T>(Target: { value: T }, Value: T): Blocking<T> {
  yield* preempt();
  const previous = Target.value;
  Target.value = Value;
  return previous;
}
