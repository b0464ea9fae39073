/**
 * Turning owed asynchronous completions into scheduled work: each becomes a completion thread
 * (`AsyncIoCompletion(D…)`) that the scheduler runs when it chooses, which calls the filter's
 * callback at DISPATCH_LEVEL (§11.10: arbitrary thread, must not block). The stream that decides
 * what is owed is src/streams/asyncCompletions.ts.
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import { asyncCompletions } from '../streams/asyncCompletions.js';
import { runAsyncCallback } from './generatedIo.js';

export function installAsyncDelivery(fltMgr: FilterManager): void {
  asyncCompletions(fltMgr.completedRuns).subscribe(({ op }) => {
    fltMgr.kernel.spawn(`AsyncIoCompletion(${op.id})`, (function* () {
      yield* runAsyncCallback(fltMgr, op);
      return 0;
    })());
  });
}
