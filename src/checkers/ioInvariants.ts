/**
 * §14 invariants of the I/O path (§7, §8, §4 draining), checked over a log alone. Same shape as
 * kernelInvariants.ts: each check returns `{ invariant, seq, message }` for every violation it
 * finds, at the fact where it becomes visible; an empty list means the log satisfies it.
 *
 * Every check here is a safety check: it holds on any prefix of a correct run, so it can be run at
 * a pause point. What a run owes at its end (every operation completed, every drain returned) is
 * checked separately by `allOperationsCompleted` and `allDrainsReturned`, for runs that ended idle.
 *
 * What the log cannot show, and so is not checked: whether a pended pre-operation's resumption
 * (FltCompletePendedPreOperation) carried dirty edits — the fact has no `dirty` field, so after one
 * the parameters flowing down are whatever the next callback sees (§14 inv. 16); and whether a
 * post-only registration (§13 A15) was passed over by the pre walk — it leaves no fact unless its
 * post-op runs, so only the post-ops it does get are checked.
 */
import type { Fact } from '../kernel/facts.js';
import type { InvariantViolation } from './kernelInvariants.js';
import { preAndPostOrder, completeStopsTheWalk, postOperationOnce, parameterEdits } from './ioOrderInvariants.js';
import { operationCallbacksInLifetime, pendedUntilCompleted, finalStatus, teardownWaitsForIo, drainsFinish, completesOnce, closeAfterIo } from './ioLifecycleInvariants.js';

export type { InvariantViolation } from './kernelInvariants.js';
export { preAndPostOrder, completeStopsTheWalk, postOperationOnce, parameterEdits } from './ioOrderInvariants.js';
export { operationCallbacksInLifetime, pendedUntilCompleted, finalStatus, teardownWaitsForIo, drainsFinish, completesOnce, closeAfterIo, allOperationsCompleted, allDrainsReturned, IO_LIVENESS, checkIoLiveness } from './ioLifecycleInvariants.js';

type Check = (facts: readonly Fact[]) => InvariantViolation[];

export const IO_INVARIANTS: Readonly<Record<string, Check>> = {
  preAndPostOrder,
  completeStopsTheWalk,
  postOperationOnce,
  operationCallbacksInLifetime,
  pendedUntilCompleted,
  finalStatus,
  parameterEdits,
  teardownWaitsForIo,
  drainsFinish,
  completesOnce,
  closeAfterIo,
};

export function checkIoInvariants(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(IO_INVARIANTS).flatMap((check) => check(facts));
}
