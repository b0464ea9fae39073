/**
 * Turning owed asynchronous completions into scheduled work: each becomes a completion thread
 * (`AsyncIoCompletion(D…)`) that the scheduler runs when it chooses, which calls the filter's
 * callback at DISPATCH_LEVEL (§11.10: arbitrary thread, must not block). The stream that decides
 * what is owed is src/streams/asyncCompletions.ts.
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import { asyncCompletions } from '../streams/asyncCompletions.js';
import { runAsyncCallback } from './generatedIo.js';
import type { Blocking } from '../kernel/effects.js';
import type { IoOperation } from '../io/ioOperation.js';

export function installAsyncDelivery(fltMgr: FilterManager): void {
  asyncCompletions(fltMgr.completedRuns).subscribe(({ op }) => {
    fltMgr.kernel.spawn(`AsyncIoCompletion(${op.id})`, asyncIoCompletion(fltMgr, op));
  });
}

/**
 * The completion thread's body. A module-level generator, not a generator expression in the
 * subscriber: a called generator closure gets an initial map in V8's old generation pointing back at
 * the closure and its context, which kept every simulation alive through young-generation
 * collections (docs/exploration.md, "Memory").
 */
function* asyncIoCompletion(fltMgr: FilterManager, op: IoOperation): Blocking<number> {
  yield* runAsyncCallback(fltMgr, op);
  return 0;
}
