/**
 * Interlocked operations (§18.4) on a LONG the caller shares between threads, modelled as a cell
 * `{ value }`. Each is atomic and a scheduling point: the scheduler may run another thread just
 * before it, which is where a filter's flag or counter races (cancelSafe's WorkerThreadFlag).
 * Values wrap as 32-bit signed integers. Not facts: they change the filter's own data, not a
 * kernel object.
 */
import { badArgument, kindOf, longArgument, nullPointer } from '../kernel/arguments.js';
import { kernelCall, preempt, type Blocking } from '../kernel/effects.js';

export interface LONG {
  value: number;
}

/** The LONG a PLONG points to: `{ value }` holding a 32-bit whole number; NULL is NULL_POINTER on the calling thread. */
function* cell(routine: string, name: string, value: LONG): Blocking<LONG> {
  if (value === null || value === undefined) yield* kernelCall((kernel, thread) => { throw nullPointer(routine, name, { kernel, object: thread.id }); });
  if (typeof value !== 'object' || !('value' in value)) throw badArgument(routine, `${name} is ${kindOf(value)}, not a PLONG (an object { value })`);
  longArgument(routine, `${name}.value`, value.value);
  return value;
}

export function* InterlockedIncrement(Addend: LONG): Blocking<number> {
  yield* cell('InterlockedIncrement', 'Addend', Addend);
  yield* preempt();
  return (Addend.value = (Addend.value + 1) | 0);
}

export function* InterlockedDecrement(Addend: LONG): Blocking<number> {
  yield* cell('InterlockedDecrement', 'Addend', Addend);
  yield* preempt();
  return (Addend.value = (Addend.value - 1) | 0);
}

/** InterlockedExchange(Target, Value): the previous value. */
export function* InterlockedExchange(Target: LONG, Value: number): Blocking<number> {
  yield* cell('InterlockedExchange', 'Target', Target);
  longArgument('InterlockedExchange', 'Value', Value);
  yield* preempt();
  const previous = Target.value;
  Target.value = Value | 0;
  return previous;
}

/** InterlockedCompareExchange(Destination, Exchange, Comperand): the previous value; stores Exchange only if it equalled Comperand. */
export function* InterlockedCompareExchange(Destination: LONG, Exchange: number, Comperand: number): Blocking<number> {
  yield* cell('InterlockedCompareExchange', 'Destination', Destination);
  longArgument('InterlockedCompareExchange', 'Exchange', Exchange);
  longArgument('InterlockedCompareExchange', 'Comperand', Comperand);
  yield* preempt();
  const previous = Destination.value;
  if (previous === (Comperand | 0)) Destination.value = Exchange | 0;
  return previous;
}

/** InterlockedExchangeAdd(Addend, Value): the previous value. */
export function* InterlockedExchangeAdd(Addend: LONG, Value: number): Blocking<number> {
  yield* cell('InterlockedExchangeAdd', 'Addend', Addend);
  longArgument('InterlockedExchangeAdd', 'Value', Value);
  yield* preempt();
  const previous = Addend.value;
  Addend.value = (previous + Value) | 0;
  return previous;
}

/** InterlockedExchangePointer(&Target, Value): the pointer before; a scheduling point as every interlocked operation. */
export function* InterlockedExchangePointer<T>(Target: { value: T }, Value: T): Blocking<T> {
  if (Target === null || Target === undefined) yield* kernelCall((kernel, thread) => { throw nullPointer('InterlockedExchangePointer', 'Target', { kernel, object: thread.id }); });
  if (typeof Target !== 'object' || !('value' in Target)) throw badArgument('InterlockedExchangePointer', `Target is ${kindOf(Target)}, not a PVOID variable (an object { value })`);
  yield* preempt();
  const previous = Target.value;
  Target.value = Value;
  return previous;
}

/** InterlockedCompareExchangePointer(&Destination, Exchange, Comperand): the pointer before; stores Exchange only if it was Comperand. */
export function* InterlockedCompareExchangePointer<T>(Destination: { value: T }, Exchange: T, Comperand: T): Blocking<T> {
  if (Destination === null || Destination === undefined) yield* kernelCall((kernel, thread) => { throw nullPointer('InterlockedCompareExchangePointer', 'Destination', { kernel, object: thread.id }); });
  if (typeof Destination !== 'object' || !('value' in Destination)) throw badArgument('InterlockedCompareExchangePointer', `Destination is ${kindOf(Destination)}, not a PVOID variable (an object { value })`);
  yield* preempt();
  const previous = Destination.value;
  if (previous === Comperand) Destination.value = Exchange;
  return previous;
}

/**
 * KeMemoryBarrier(): orders the caller's memory accesses. The model's threads see every write at
 * once (sequential consistency), so the barrier only marks a point where another thread may run.
 */
export function* KeMemoryBarrier(): Blocking<void> {
  yield* preempt();
}
