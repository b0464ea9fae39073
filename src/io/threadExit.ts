/**
 * An application thread that ends with I/O outstanding (§19.1): on Windows the thread's exit
 * (PspExitThread → IoCancelThreadIo) calls IoCancelIrp on every request the thread issued that has
 * not completed, then waits for them; a request still not completed five minutes after its cancel
 * is disassociated from the thread (an error is logged) and the thread goes.
 *
 * In fltsim the requests are the I/O manager's in-flight list (src/io/appRequests.ts) issued by the
 * exiting thread — asynchronous ones, since a synchronous request keeps its thread in the call. The
 * cancels run on the exiting thread, as IoCancelThreadIo does, and the thread's ThreadExit follows
 * the last completion (or the five minutes). A thread with nothing outstanding exits exactly as
 * before: no fact, no scheduling point. Not modelled: thread-agnostic I/O (requests on handles bound
 * to an I/O completion port are not cancelled by their thread's exit) and the disassociation's
 * event-log entry.
 */
import { waitForObjects, type Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { cancelRequests, type AppRequest } from './appRequests.js';

/** How long an exiting thread waits for its cancelled requests (kernel/canceling-irps: five minutes), in ticks of 1 ms. */
export const THREAD_EXIT_IRP_WAIT_TICKS = 5 * 60 * 1000;

/** IoCancelThreadIo on the current thread: cancel what it has in flight, wait for each completion (bounded). */
export function* cancelThreadIo(fltMgr: FilterManager, inFlight: readonly AppRequest[]): Blocking<void> {
  const kernel = fltMgr.kernel;
  const me = kernel.current?.id ?? null;
  const mine = inFlight.filter((r) => r.thread === me);
  if (mine.length === 0) return;
  yield* cancelRequests(fltMgr, mine, 'ThreadExit');
  const deadline = kernel.now + THREAD_EXIT_IRP_WAIT_TICKS;
  for (const r of mine) {
    while (r.op.inFlight && kernel.now < deadline) {
      yield* waitForObjects([r.op.completed], 'WaitAny', deadline - kernel.now, `thread exit: ${r.op.id} completion (IoCancelThreadIo)`);
    }
  }
}

/** The body of an application thread: its code, then IoCancelThreadIo before the thread ends. */
export function* applicationThread<T>(fltMgr: FilterManager, inFlight: readonly AppRequest[], body: Blocking<T>): Blocking<T> {
  const result = yield* body;
  yield* cancelThreadIo(fltMgr, inFlight);
  return result;
}
