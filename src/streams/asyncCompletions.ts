/**
 * Completions of asynchronous generated I/O (FltPerformAsynchronousIo, asynchronous FltReadFile /
 * FltWriteFile) on their way to the filter's callback (§11.10, §14 invariant 6).
 *
 * Input: every operation that completed, in completion order. Output: the ones whose callback is
 * still owed, each exactly once per run — a run that delivered its callback inline (the operation
 * completed inside the issuing call) is not delivered again. The consumer turns each delivery into
 * a scheduled task, so when the callback runs is a choice of the scheduler, not of this stream.
 *
 *   completed$:  --a--b--a'--c--|     a' = the same run of a completing again (must not happen)
 *   owed(x):        a, c yes; b no     (b's callback already ran inline)
 *   deliveries:  --a--------c--|
 */
import { observableArgument } from './observableArgument.js';
import { distinct, filter, type Observable } from 'rxjs';

export interface CompletedRun {
  /** Identifies one run of one callback data: `${dataId}#${run}`. */
  readonly run: string;
  /** The callback is still owed for this run. */
  readonly callbackOwed: boolean;
}

export function asyncCompletions<T extends CompletedRun>(completed$: Observable<T>): Observable<T> {
  observableArgument('asyncCompletions', 'completed$', completed$);
  return completed$.pipe(
    filter((c) => c.callbackOwed),
    distinct((c) => c.run),
  );
}
