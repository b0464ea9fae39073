/**
 * IRP_MJ_LOCK_CONTROL and the byte-range locks of a stream (§21.10), as the FsRtl file-lock package
 * keeps them for FastFat and NTFS: one FILE_LOCK per stream, granted locks and waiting requests.
 *
 * - A lock's owner is (file object, process, Key). Conflicts follow MS-FSA 2.1.4.10: another
 *   owner's exclusive lock blocks every access; the owner's own exclusive lock blocks only another
 *   exclusive lock; a shared lock blocks exclusive intent (an exclusive lock, a write), the
 *   owner's too; the {0, 0} range never conflicts.
 * - IRP_MN_LOCK that conflicts: FailImmediately → STATUS_LOCK_NOT_GRANTED; otherwise the request
 *   waits, parked in the file system and cancellable (STATUS_CANCELLED), and is granted — in arrival
 *   order — when an unlock or a cleanup lets it in.
 * - Unlocks (MS-FSA 2.1.5.9): UNLOCK_SINGLE removes the lock with exactly that range and owner
 *   (an exclusive one first) or fails STATUS_RANGE_NOT_LOCKED; UNLOCK_ALL removes every lock of
 *   (file object, process); UNLOCK_ALL_BY_KEY those with the Key too.
 * - Non-paging READ/WRITE that conflicts → STATUS_FILE_LOCK_CONFLICT (FsRtlCheckLockForRead/
 *   WriteAccess); paging I/O is never checked.
 * - IRP_MJ_CLEANUP of a file object removes its locks (FsRtlFastUnlockAll) and ends its waiting
 *   requests with STATUS_RANGE_NOT_LOCKED [model].
 */
import { oplockGate } from './oplockGate.js';
import type { FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { ByteRangeLockFields } from '../kernel/facts.js';
import { byteRangeLockMachine } from '../machines/byteRangeLock.js';
import { complete } from './types.js';
import { FILE_READ_DATA, FILE_WRITE_DATA } from '../wdk/fileConstants.js';
import { IRP_MN_LOCK, IRP_MN_UNLOCK_ALL, IRP_MN_UNLOCK_ALL_BY_KEY, IRP_MN_UNLOCK_SINGLE, irpMinorLockName } from '../wdk/irp.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_CANCELLED,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_LOCK_RANGE,
  STATUS_INVALID_PARAMETER,
  STATUS_LOCK_NOT_GRANTED,
  STATUS_PENDING,
  STATUS_RANGE_NOT_LOCKED,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import { parametersMember } from '../wdk/parameters.js';

/** A granted lock or a waiting request (`waiting`), with its object id (r…). */
export interface ByteRangeLock {
  readonly id: string;
  readonly fields: ByteRangeLockFields;
}

/**
 * FILE_LOCK: a stream's granted locks and its waiting requests, each in arrival order. The two
 * queues are positions, as FsRtl's lock queues are: the order decides which waiter is granted first
 * and which granted lock an unlock of a range releases. A lock's machine (Waiting, Granted) is moved
 * by the fact of every move between them, so the fold rebuilds both from the log.
 */
export interface FileLock {
  readonly granted: ByteRangeLock[];
  readonly waiting: ByteRangeLock[];
}

interface Owner {
  readonly fileObject: string;
  readonly processId: number;
  readonly key: number;
}

function sameOwner(lock: ByteRangeLockFields, owner: Owner): boolean {
  return lock.fileObject === owner.fileObject && lock.processId === owner.processId && lock.key === owner.key;
}

/** MS-FSA 2.1.4.10 with FsRtl's owner (file object, process, key). */
export function rangeConflicts(locks: readonly ByteRangeLock[], byteOffset: number, length: number, exclusive: boolean, lockIntent: boolean, owner: Owner): ByteRangeLock | null {
  if (byteOffset === 0 && length === 0) return null;
  const last = byteOffset + length - 1;
  for (const lock of locks) {
    const l = lock.fields;
    if (l.byteOffset === 0 && l.length === 0) continue;
    if (!(byteOffset <= l.byteOffset + l.length - 1 && last >= l.byteOffset)) continue;
    if (l.exclusive) {
      if (!sameOwner(l, owner)) return lock;
      if (exclusive && lockIntent) return lock;
    } else if (exclusive) {
      return lock;
    }
  }
  return null;
}

function fileLockOf(state: FsState, node: FsNode): FileLock {
  let fileLock = state.fileLocks.get(node.fileId);
  if (fileLock === undefined) {
    fileLock = { granted: [], waiting: [] };
    state.fileLocks.set(node.fileId, fileLock);
  }
  return fileLock;
}

function validNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function lockControl(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'LockControl');
  if (params === null) return complete(STATUS_INVALID_PARAMETER);
  // Byte-range locks are not permitted on directories (MS-FSA 2.1.5.8); a volume open has no stream to lock.
  if (ctx.kind === 'volume' || ctx.node.kind === 'directory') return complete(STATUS_INVALID_PARAMETER);
  const minor = request.MinorFunction;
  if (minor !== IRP_MN_LOCK && minor !== IRP_MN_UNLOCK_SINGLE && minor !== IRP_MN_UNLOCK_ALL && minor !== IRP_MN_UNLOCK_ALL_BY_KEY) return complete(STATUS_INVALID_DEVICE_REQUEST);
  // Every byte-range lock operation checks the oplock first (§21.8).
  const gate = oplockGate(state, request, ctx, { kind: 'lock' });
  if (gate !== null) return gate;
  const processId = validNumber(params.ProcessId) ? params.ProcessId : (request.processId ?? 0);
  const key = validNumber(params.Key) ? params.Key >>> 0 : 0;
  const owner: Owner = { fileObject: ctx.fileObjectId, processId, key };
  const fileLock = fileLockOf(state, ctx.node);
  const operation = request.operation ?? '';
  if (minor === IRP_MN_UNLOCK_ALL || minor === IRP_MN_UNLOCK_ALL_BY_KEY) {
    const byKey = minor === IRP_MN_UNLOCK_ALL_BY_KEY;
    const mine = fileLock.granted.filter((l) => l.fields.fileObject === owner.fileObject && l.fields.processId === processId && (!byKey || l.fields.key === key));
    for (const lock of mine) release(state, fileLock, lock, irpMinorLockName(minor), operation);
    grantWaiters(state, fileLock);
    return complete(STATUS_SUCCESS);
  }
  if (!validNumber(params.ByteOffset) || !validNumber(params.Length)) return complete(STATUS_INVALID_PARAMETER);
  // 2^53 stands in for 2^64: a range past it wraps on Windows.
  if (params.Length !== 0 && !Number.isSafeInteger(params.ByteOffset + params.Length - 1)) return complete(STATUS_INVALID_LOCK_RANGE);
  if (minor === IRP_MN_UNLOCK_SINGLE) {
    let chosen: ByteRangeLock | null = null;
    for (const lock of fileLock.granted) {
      if (lock.fields.byteOffset !== params.ByteOffset || lock.fields.length !== params.Length || !sameOwner(lock.fields, owner)) continue;
      chosen = lock;
      if (lock.fields.exclusive) break;
    }
    if (chosen === null) return complete(STATUS_RANGE_NOT_LOCKED);
    release(state, fileLock, chosen, 'IRP_MN_UNLOCK_SINGLE', operation);
    grantWaiters(state, fileLock);
    return complete(STATUS_SUCCESS);
  }
  // The handle must have been opened for reading or writing (FsRtlFastLock's precondition).
  if (!(ctx.grantedAccess & (FILE_READ_DATA | FILE_WRITE_DATA))) return complete(STATUS_ACCESS_DENIED);
  const exclusive = params.ExclusiveLock === true;
  const fields: ByteRangeLockFields = { operation, fileObject: ctx.fileObjectId, fileId: ctx.node.fileId, byteOffset: params.ByteOffset, length: params.Length, key, processId, exclusive };
  // Checked against the granted locks only: FsRtl gives waiting requests no priority over a new one.
  const blocked = rangeConflicts(fileLock.granted, fields.byteOffset, fields.length, exclusive, true, owner) !== null;
  if (!blocked) {
    const id = state.link.born('r', byteRangeLockMachine, { type: 'ByteRangeLockGranted', ...fields });
    fileLock.granted.push({ id, fields });
    return complete(STATUS_SUCCESS);
  }
  if (params.FailImmediately === true || request.operation === undefined) return complete(STATUS_LOCK_NOT_GRANTED);
  const id = state.link.born('r', byteRangeLockMachine, { type: 'ByteRangeLockWaiting', ...fields });
  fileLock.waiting.push({ id, fields });
  return { Status: STATUS_PENDING, Information: 0, parked: true };
}

function release(state: FsState, fileLock: FileLock, lock: ByteRangeLock, by: string, operation: string): void {
  fileLock.granted.splice(fileLock.granted.indexOf(lock), 1);
  state.link.emit(lock.id, { type: 'ByteRangeLockReleased', by, operation });
  state.link.retire(lock.id);
}

/** After an unlock: every waiting request that no longer conflicts is granted, oldest first, and its IRP released. */
function grantWaiters(state: FsState, fileLock: FileLock): void {
  for (const waiter of [...fileLock.waiting]) {
    const f = waiter.fields;
    if (rangeConflicts(fileLock.granted, f.byteOffset, f.length, f.exclusive, true, f) !== null) continue;
    fileLock.waiting.splice(fileLock.waiting.indexOf(waiter), 1);
    fileLock.granted.push(waiter);
    state.link.emit(waiter.id, { type: 'ByteRangeLockGranted', ...f });
    state.link.release(f.operation, complete(STATUS_SUCCESS));
  }
}

function abandon(state: FsState, fileLock: FileLock, waiter: ByteRangeLock, status: NTSTATUS): void {
  fileLock.waiting.splice(fileLock.waiting.indexOf(waiter), 1);
  state.link.emit(waiter.id, { type: 'ByteRangeLockAbandoned', status });
  state.link.retire(waiter.id);
}

/** Non-paging READ/WRITE against the stream's locks (FsRtlCheckLockForReadAccess / WriteAccess). */
export function ioConflictsWithLock(state: FsState, ctx: OpenContext, processId: number, key: number, byteOffset: number, length: number, write: boolean): boolean {
  if (ctx.kind !== 'file') return false;
  const fileLock = state.fileLocks.get(ctx.node.fileId);
  if (fileLock === undefined || fileLock.granted.length === 0) return false;
  return rangeConflicts(fileLock.granted, byteOffset, length, write, false, { fileObject: ctx.fileObjectId, processId, key }) !== null;
}

/** IRP_MJ_CLEANUP: FsRtlFastUnlockAll for the file object; its waiting requests end with STATUS_RANGE_NOT_LOCKED. */
export function unlockAllAtCleanup(state: FsState, ctx: OpenContext, operation: string): void {
  if (ctx.kind !== 'file') return;
  const fileLock = state.fileLocks.get(ctx.node.fileId);
  if (fileLock === undefined) return;
  for (const waiter of fileLock.waiting.filter((w) => w.fields.fileObject === ctx.fileObjectId)) {
    abandon(state, fileLock, waiter, STATUS_RANGE_NOT_LOCKED);
    state.link.release(waiter.fields.operation, complete(STATUS_RANGE_NOT_LOCKED));
  }
  const mine = fileLock.granted.filter((l) => l.fields.fileObject === ctx.fileObjectId);
  for (const lock of mine) release(state, fileLock, lock, 'IRP_MJ_CLEANUP', operation);
  if (mine.length > 0) grantWaiters(state, fileLock);
}

/** The cancel routine of a waiting lock request: true if `operation` waited here (it is gone now). */
export function cancelWaitingLock(state: FsState, operation: string): boolean {
  for (const fileLock of state.fileLocks.values()) {
    const waiter = fileLock.waiting.find((w) => w.fields.operation === operation);
    if (waiter === undefined) continue;
    abandon(state, fileLock, waiter, STATUS_CANCELLED);
    return true;
  }
  return false;
}
