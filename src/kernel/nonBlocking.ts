/**
 * Running, inside the current segment, a callback that Windows calls synchronously and that may not
 * block, but that a filter writes as a generator because the routines it calls reach the simulation
 * through effects (ExDeleteResourceLite in a context's cleanup callback, as ctx and NameChanger do).
 * Its kernel calls run at once on the calling thread; a scheduling point inside it is not taken (the
 * callback runs within the routine that called it, which already was one); a wait or sleep is
 * refused: `refuse` names it, and the error is thrown into nothing — the callback is abandoned there.
 */
import { isGenerator, type Effect } from './effects.js';
import type { Kernel } from './kernel.js';
import type { SimThread } from './thread.js';

/** Drive `result` if it is a generator; returns what it returned (or `result` itself). */
export function runWithoutBlocking(kernel: Kernel, thread: SimThread | null, result: unknown, refuse: (what: string) => Error): unknown {
  if (!isGenerator<unknown>(result)) return result;
  let step = result.next();
  while (step.done !== true) {
    const effect = step.value as Effect;
    if (effect.kind === 'preempt') {
      step = result.next();
      continue;
    }
    if (effect.kind !== 'kernelCall') throw refuse(effect.kind === 'sleep' ? 'it sleeps' : 'it waits');
    if (thread === null) throw refuse('it calls into the kernel with no thread to run on');
    let value: unknown;
    try {
      value = effect.call(kernel, thread);
    } catch (error) {
      step = result.throw(error);
      continue;
    }
    step = result.next(value);
  }
  return step.value;
}
