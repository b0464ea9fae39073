/**
 * Steps of the walk that pre-operations, the file-system stage, post-operations and pending all
 * take: starting the post walk, the fingerprint of the parameters now flowing down, and the check
 * that a completion status is final. One module they all import downward.
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { describe } from '../fltmgr/routineSupport.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, irpMajorName } from '../wdk/irp.js';
import { NT_SUCCESS, STATUS_FLT_DISALLOW_FAST_IO, STATUS_PENDING } from '../wdk/ntstatus.js';
import type { IoOperation } from './ioOperation.js';
import { fingerprintIopb } from './parametersSummary.js';

/**
 * Point the post walk at the lowest node pushed so far. Where the walk goes next is the caller's
 * to say (its return value); the callback-data machine says where the operation is.
 */
export function beginPost(op: IoOperation): void {
  op.postCursor = op.completion.length - 1;
}

/** The fingerprint of the operation's current parameters, computed once per change. */
export function currentFingerprint(op: IoOperation): string {
  op.currentFingerprint ??= fingerprintIopb(op.currentIopb, op.issuerIopb.Parameters);
  return op.currentFingerprint;
}

/** §14 invariant 10: a completion status is final, and CLEANUP/CLOSE never fail. */
export function checkCompletionStatus(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, where: string, status: number): void {
  // STATUS_FLT_DISALLOW_FAST_IO is FltMgr's alone: a post-op above a refused fast operation may leave it, never set it.
  if (status === STATUS_PENDING || (status === STATUS_FLT_DISALLOW_FAST_IO && !(op.isFastIo && op.matches('PostOperation') && op.fastIoRefused))) {
    throw fltMgr.kernel.violation('COMPLETE_WITH_PENDING_STATUS', instance.id, `${where} completed the operation with status ${describe(status)}`);
  }
  if ((op.major === IRP_MJ_CLEANUP || op.major === IRP_MJ_CLOSE) && !NT_SUCCESS(status)) {
    throw fltMgr.kernel.violation('CLEANUP_CLOSE_FAILED', instance.id, `${where} failed ${irpMajorName(op.major)} with ${describe(status)}; cleanup and close cannot fail`);
  }
}
