/**
 * The oplock check an IRP_MJ_READ, WRITE, LOCK_CONTROL or SET_INFORMATION makes before it acts
 * (§21.8, oplocks.ts): null when it goes on (after any break it started that needs no waiting),
 * or how it completes for now — parked until the break is acknowledged (then dispatched again), or,
 * from the fast I/O routine, declined so that the I/O manager sends the IRP.
 */
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { breakOplocksFor } from './oplocks.js';
import type { OplockBreakCause } from './oplockBreakRules.js';
import { STATUS_FLT_DISALLOW_FAST_IO, STATUS_PENDING } from '../wdk/ntstatus.js';

export function oplockGate(state: FsState, request: FsRequest, ctx: OpenContext, cause: OplockBreakCause): FsCompletion | null {
  if (ctx.kind !== 'file' || ctx.node.kind !== 'file' || state.oplocks.size === 0) return null;
  const outcome = breakOplocksFor(state, request, ctx.node, cause);
  if (outcome === 'wait') return { Status: STATUS_PENDING, Information: 0, parked: true };
  // The fast routine's FALSE (FsRtlOplockIsFastIoPossible): src/io/fastIoStage.ts declines on this status.
  if (outcome === 'declineFastIo') return { Status: STATUS_FLT_DISALLOW_FAST_IO, Information: 0 };
  return null;
}
