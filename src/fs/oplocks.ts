/**
 * Legacy oplocks (§21.8) as FsRtl's oplock package grants and breaks them for a file system: Level 1,
 * Batch and Filter (exclusive: one holder, granted only to the stream's only open handle) and Level 2
 * (shared; not granted while byte-range locks exist). One oplock object per stream (`o…`).
 *
 * - A granted oplock is its FSCTL request, parked (STATUS_PENDING) while the oplock is held; not
 *   granted → STATUS_OPLOCK_NOT_GRANTED; cancelled → STATUS_CANCELLED, the oplock gone. Never
 *   granted for synchronous I/O: a synchronous file object, or an issuer that waits for the request
 *   (sim.io.NtFsControlFile, FltFsControlFile) — only DeviceIoControl with an OVERLAPPED and
 *   FltPerformAsynchronousIo get one.
 * - An IRP_MJ_CREATE of the stream by another file object breaks an exclusive oplock: the oplock
 *   request completes (STATUS_SUCCESS, Information FILE_OPLOCK_BROKEN_TO_LEVEL_2 for Level 1 and
 *   Batch, FILE_OPLOCK_BROKEN_TO_NONE for Filter) and the create waits for the acknowledgement or the
 *   holder's cleanup — unless it asked FILE_COMPLETE_IF_OPLOCKED: then it goes on and succeeds with
 *   STATUS_OPLOCK_BREAK_IN_PROGRESS. Creates during a break wait likewise.
 * - A non-paging WRITE (or an end-of-file change) by another file object breaks Level 2 oplocks to
 *   none, with no acknowledgement.
 * - Acknowledgements from the holder while a break is owed: FSCTL_OPLOCK_BREAK_ACKNOWLEDGE (to Level 2:
 *   the acknowledgement request itself is parked as the Level 2 oplock; to none: completes),
 *   FSCTL_OPLOCK_BREAK_ACK_NO_2 (to none), FSCTL_OPBATCH_ACK_CLOSE_PENDING (waiters keep waiting until
 *   the holder's cleanup). Any other time: STATUS_INVALID_OPLOCK_PROTOCOL. The waiting creates then
 *   run again.
 * - IRP_MJ_CLEANUP of a holder: its oplock request completes (STATUS_SUCCESS, BROKEN_TO_NONE), the
 *   break it owed is over, the waiting creates run again.
 */
import type { FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { oplockMachine } from '../machines/oplock.js';
import { complete } from './types.js';
import {
  FILE_COMPLETE_IF_OPLOCKED,
  FSCTL_OPBATCH_ACK_CLOSE_PENDING,
  FSCTL_OPLOCK_BREAK_ACK_NO_2,
  FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_FILTER_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
  FO_SYNCHRONOUS_IO,
} from '../wdk/fileConstants.js';
import {
  STATUS_INVALID_OPLOCK_PROTOCOL,
  STATUS_INVALID_PARAMETER,
  STATUS_OPLOCK_NOT_GRANTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { parametersMember, unpackCreateOptions } from '../wdk/parameters.js';

import type { OplockLevel } from '../kernel/facts.js';

/** FILE_OPLOCK_BROKEN_TO_* (Information of a completed legacy oplock request). */
export const FILE_OPLOCK_BROKEN_TO_LEVEL_2 = 0x00000007;
export const FILE_OPLOCK_BROKEN_TO_NONE = 0x00000008;

interface Holder {
  readonly fileObject: string;
  level: OplockLevel;
  /** The parked request that is the oplock; null while a break is owed (its request completed). */
  operation: string | null;
  /** The level a break owed goes to, or null. */
  breakingTo: 'Level2' | 'None' | null;
  /** FSCTL_OPBATCH_ACK_CLOSE_PENDING: the holder will close; waiters stay until its cleanup. */
  closePending: boolean;
}

/** A stream's oplock: holders (one exclusive, or Level 2s) and the creates waiting for a break. */
export interface Oplock {
  readonly id: string;
  readonly fileId: number;
  readonly holders: Holder[];
  readonly waiters: string[];
}

function oplockOf(state: FsState, node: FsNode): Oplock | undefined {
  return state.oplocks.get(node.fileId);
}

const exclusive = (level: OplockLevel): boolean => level !== 'Level2';

function levelOf(code: number): OplockLevel {
  if (code === FSCTL_REQUEST_OPLOCK_LEVEL_1) return 'Level1';
  if (code === FSCTL_REQUEST_BATCH_OPLOCK) return 'Batch';
  if (code === FSCTL_REQUEST_FILTER_OPLOCK) return 'Filter';
  return 'Level2';
}

/** FSCTL_REQUEST_OPLOCK_LEVEL_1 / _BATCH_ / _FILTER_ / _LEVEL_2 on a file handle. */
export function requestOplock(state: FsState, request: FsRequest, ctx: OpenContext, code: number): FsCompletion {
  if (ctx.kind !== 'file' || ctx.node.kind !== 'file' || request.operation === undefined) return complete(STATUS_OPLOCK_NOT_GRANTED);
  // Oplocks are never granted for synchronous I/O (a synchronous file object, or an issuer that waits).
  if ((request.FileObject.flags & FO_SYNCHRONOUS_IO) !== 0 || request.synchronousApi !== false) return complete(STATUS_OPLOCK_NOT_GRANTED);
  const node = ctx.node;
  const level = levelOf(code);
  const existing = oplockOf(state, node);
  const held = existing?.holders ?? [];
  if (existing !== undefined && existing.holders.some((h) => h.breakingTo !== null)) return complete(STATUS_OPLOCK_NOT_GRANTED);
  if (exclusive(level)) {
    // Only the stream's one open handle gets an exclusive oplock, and only when none is held.
    if (node.uncleanCount !== 1 || held.length > 0) return complete(STATUS_OPLOCK_NOT_GRANTED);
  } else {
    if (held.some((h) => exclusive(h.level)) || (state.fileLocks.get(node.fileId)?.granted.length ?? 0) > 0) return complete(STATUS_OPLOCK_NOT_GRANTED);
  }
  const fact = { type: 'OplockGranted', operation: request.operation, fileObject: ctx.fileObjectId, fileId: node.fileId, level } as const;
  let oplock = existing;
  if (oplock === undefined) {
    oplock = { id: state.link.born('o', oplockMachine, fact), fileId: node.fileId, holders: [], waiters: [] };
    state.oplocks.set(node.fileId, oplock);
  } else {
    state.link.emit(oplock.id, fact);
  }
  oplock.holders.push({ fileObject: ctx.fileObjectId, level, operation: request.operation, breakingTo: null, closePending: false });
  return { Status: STATUS_PENDING, Information: 0, parked: true };
}

/** The acknowledgement FSCTLs from the holder whose break is owed. */
export function acknowledgeOplockBreak(state: FsState, request: FsRequest, ctx: OpenContext, code: number): FsCompletion {
  if (ctx.kind !== 'file') return complete(STATUS_INVALID_PARAMETER);
  const oplock = oplockOf(state, ctx.node);
  const holder = oplock?.holders.find((h) => h.fileObject === ctx.fileObjectId && h.breakingTo !== null);
  if (oplock === undefined || holder === undefined || request.operation === undefined) return complete(STATUS_INVALID_OPLOCK_PROTOCOL);
  const routine = code === FSCTL_OPLOCK_BREAK_ACKNOWLEDGE ? 'FSCTL_OPLOCK_BREAK_ACKNOWLEDGE' : code === FSCTL_OPLOCK_BREAK_ACK_NO_2 ? 'FSCTL_OPLOCK_BREAK_ACK_NO_2' : 'FSCTL_OPBATCH_ACK_CLOSE_PENDING';
  if (code === FSCTL_OPBATCH_ACK_CLOSE_PENDING) {
    holder.closePending = true;
    state.link.emit(oplock.id, { type: 'OplockAcknowledged', fileObject: ctx.fileObjectId, operation: request.operation, routine, newLevel: 'ClosePending', remaining: oplock.holders.length });
    return complete(STATUS_SUCCESS);
  }
  // The Level 2 oplock an acknowledgement keeps is the acknowledgement itself, pended: an issuer that waits gets none [model].
  const toLevel2 = code === FSCTL_OPLOCK_BREAK_ACKNOWLEDGE && holder.breakingTo === 'Level2' && request.synchronousApi === false && (request.FileObject.flags & FO_SYNCHRONOUS_IO) === 0;
  if (toLevel2) {
    holder.level = 'Level2';
    holder.operation = request.operation;
    holder.breakingTo = null;
  } else {
    oplock.holders.splice(oplock.holders.indexOf(holder), 1);
  }
  state.link.emit(oplock.id, { type: 'OplockAcknowledged', fileObject: ctx.fileObjectId, operation: request.operation, routine, newLevel: toLevel2 ? 'Level2' : 'None', remaining: oplock.holders.length });
  releaseWaiters(state, oplock, 'acknowledged');
  forgetIfIdle(state, oplock);
  return toLevel2 ? { Status: STATUS_PENDING, Information: 0, parked: true } : complete(STATUS_SUCCESS);
}

/**
 * Before an IRP_MJ_CREATE of an existing file opens it: 'proceed', 'breakInProgress' (it goes on;
 * a success becomes STATUS_OPLOCK_BREAK_IN_PROGRESS) or 'wait' (parked until the break is over).
 */
export function checkOplockForCreate(state: FsState, request: FsRequest, node: FsNode): 'proceed' | 'breakInProgress' | 'wait' {
  const oplock = oplockOf(state, node);
  if (oplock === undefined) return 'proceed';
  const fo = request.FileObject.id;
  const others = oplock.holders.filter((h) => h.fileObject !== fo && exclusive(h.level));
  if (others.length === 0) return 'proceed';
  const operation = request.operation ?? '';
  for (const holder of others) {
    if (holder.breakingTo !== null || holder.operation === null) continue;
    const toLevel = holder.level === 'Filter' ? 'None' : 'Level2';
    state.link.emit(oplock.id, { type: 'OplockBreak', fileObject: holder.fileObject, level: holder.level, toLevel, by: operation, acknowledgementOwed: true, remaining: oplock.holders.length });
    state.link.release(holder.operation, complete(STATUS_SUCCESS, toLevel === 'Level2' ? FILE_OPLOCK_BROKEN_TO_LEVEL_2 : FILE_OPLOCK_BROKEN_TO_NONE));
    holder.operation = null;
    holder.breakingTo = toLevel;
  }
  const params = parametersMember(request.Parameters, 'Create');
  const options = params === null ? 0 : unpackCreateOptions(params.Options).CreateOptions;
  if ((options & FILE_COMPLETE_IF_OPLOCKED) !== 0 || request.operation === undefined) return 'breakInProgress';
  oplock.waiters.push(operation);
  state.link.emit(oplock.id, { type: 'OplockBreakWait', operation });
  return 'wait';
}

/** A non-paging WRITE or size change through another file object: Level 2 oplocks break to none (no acknowledgement). */
export function breakLevel2(state: FsState, ctx: OpenContext, operation: string): void {
  if (ctx.kind !== 'file') return;
  const oplock = oplockOf(state, ctx.node);
  if (oplock === undefined) return;
  for (const holder of oplock.holders.filter((h) => h.level === 'Level2' && h.fileObject !== ctx.fileObjectId && h.operation !== null)) {
    oplock.holders.splice(oplock.holders.indexOf(holder), 1);
    state.link.emit(oplock.id, { type: 'OplockBreak', fileObject: holder.fileObject, level: 'Level2', toLevel: 'None', by: operation, acknowledgementOwed: false, remaining: oplock.holders.length });
    state.link.release(holder.operation!, complete(STATUS_SUCCESS, FILE_OPLOCK_BROKEN_TO_NONE));
  }
  forgetIfIdle(state, oplock);
}

/** IRP_MJ_CLEANUP of a file object: its oplock goes (FsRtlOplockCleanup); waiters for its break run again. */
export function oplockCleanup(state: FsState, ctx: OpenContext): void {
  if (ctx.kind !== 'file') return;
  const oplock = oplockOf(state, ctx.node);
  if (oplock === undefined) return;
  const mine = oplock.holders.filter((h) => h.fileObject === ctx.fileObjectId);
  for (const holder of mine) {
    oplock.holders.splice(oplock.holders.indexOf(holder), 1);
    state.link.emit(oplock.id, { type: 'OplockReleased', fileObject: holder.fileObject, reason: 'cleanup', remaining: oplock.holders.length });
    if (holder.operation !== null) state.link.release(holder.operation, complete(STATUS_SUCCESS, FILE_OPLOCK_BROKEN_TO_NONE));
  }
  if (mine.length > 0) releaseWaiters(state, oplock, 'closed');
  forgetIfIdle(state, oplock);
}

/** The creates waiting for a break run again (their create is dispatched anew), unless a holder still owes a break without close-pending. */
function releaseWaiters(state: FsState, oplock: Oplock, reason: 'acknowledged' | 'closed'): void {
  if (oplock.holders.some((h) => h.breakingTo !== null)) return;
  for (const operation of oplock.waiters.splice(0)) {
    state.link.emit(oplock.id, { type: 'OplockWaitEnded', operation, reason });
    state.link.release(operation, null);
  }
}

function forgetIfIdle(state: FsState, oplock: Oplock): void {
  if (oplock.holders.length > 0 || oplock.waiters.length > 0) return;
  state.link.retire(oplock.id);
  state.oplocks.delete(oplock.fileId);
}

/** The cancel routine: a parked oplock request (the oplock goes) or a create waiting for a break. */
export function cancelOplockRequest(state: FsState, operation: string): boolean {
  for (const oplock of state.oplocks.values()) {
    const holder = oplock.holders.find((h) => h.operation === operation);
    if (holder !== undefined) {
      oplock.holders.splice(oplock.holders.indexOf(holder), 1);
      state.link.emit(oplock.id, { type: 'OplockReleased', fileObject: holder.fileObject, reason: 'cancel', remaining: oplock.holders.length });
      releaseWaiters(state, oplock, 'closed');
      forgetIfIdle(state, oplock);
      return true;
    }
    const at = oplock.waiters.indexOf(operation);
    if (at >= 0) {
      oplock.waiters.splice(at, 1);
      state.link.emit(oplock.id, { type: 'OplockWaitEnded', operation, reason: 'cancelled' });
      forgetIfIdle(state, oplock);
      return true;
    }
  }
  return false;
}

