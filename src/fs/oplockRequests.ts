/**
 * The oplock FSCTLs (§21.8) on a file handle: granting (the legacy FSCTL_REQUEST_OPLOCK_LEVEL_1 /
 * _BATCH_ / _FILTER_ / _LEVEL_2 and the Windows 7 FSCTL_REQUEST_OPLOCK with
 * REQUEST_OPLOCK_INPUT_FLAG_REQUEST), acknowledging (FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,
 * FSCTL_OPLOCK_BREAK_ACK_NO_2, FSCTL_OPBATCH_ACK_CLOSE_PENDING, FSCTL_REQUEST_OPLOCK with
 * REQUEST_OPLOCK_INPUT_FLAG_ACK) and FSCTL_OPLOCK_BREAK_NOTIFY. The oplock object and its breaks
 * are in oplocks.ts.
 *
 * Never granted for synchronous I/O: a synchronous file object, or an issuer that waits for the
 * request (sim.io.NtFsControlFile, FltFsControlFile) — only DeviceIoControl with an OVERLAPPED and
 * FltPerformAsynchronousIo get one. The oplock key is the file object.
 */
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { oplockMachine } from '../machines/oplock.js';
import { complete } from './types.js';
import { breakInProgress, breakToNone, endAtomicRequest, forgetIfIdle, oplockIn, oplockOf, owedField, releaseWaiters, waitForBreak, type Holder, type Oplock } from './oplocks.js';
import { cacheBits, isWin7, win7Level } from './oplockBreakRules.js';
import {
  FO_SYNCHRONOUS_IO,
  FSCTL_OPBATCH_ACK_CLOSE_PENDING,
  FSCTL_OPLOCK_BREAK_ACK_NO_2,
  FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_FILTER_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
} from '../wdk/fileConstants.js';
import {
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_OPLOCK_PROTOCOL,
  STATUS_INVALID_PARAMETER,
  STATUS_OPLOCK_NOT_GRANTED,
  STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE,
  STATUS_PENDING,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { parametersMember } from '../wdk/parameters.js';
import {
  decodeRequestOplockInputBuffer,
  REQUEST_OPLOCK_CURRENT_VERSION,
  REQUEST_OPLOCK_INPUT_BUFFER_SIZE,
  REQUEST_OPLOCK_INPUT_FLAG_ACK,
  REQUEST_OPLOCK_INPUT_FLAG_REQUEST,
  REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE,
} from '../wdk/requestOplock.js';
import type { OplockBreakTarget, OplockLevel } from '../kernel/facts.js';

const PARKED: FsCompletion = { Status: STATUS_PENDING, Information: 0, parked: true };
const exclusiveLegacy = (level: OplockLevel): boolean => level === 'Level1' || level === 'Batch' || level === 'Filter';

/** The issuer can keep a parked request: an asynchronous file object and an issuer that does not wait. */
function asynchronous(request: FsRequest): boolean {
  return (request.FileObject.flags & FO_SYNCHRONOUS_IO) === 0 && request.synchronousApi === false;
}

function legacyLevelOf(code: number): OplockLevel {
  if (code === FSCTL_REQUEST_OPLOCK_LEVEL_1) return 'Level1';
  if (code === FSCTL_REQUEST_BATCH_OPLOCK) return 'Batch';
  if (code === FSCTL_REQUEST_FILTER_OPLOCK) return 'Filter';
  return 'Level2';
}

/** Grant: the oplock object is born with its first holder; a switch replaces the holder's earlier request (same key). */
function grant(state: FsState, request: FsRequest, ctx: OpenContext, level: OplockLevel, existing: Oplock | undefined, switched: Holder | null): FsCompletion {
  const operation = request.operation!;
  const fact = { type: 'OplockGranted', operation, fileObject: ctx.fileObjectId, fileId: ctx.node.fileId, level, ...(switched === null ? {} : { switched: switched.operation! }) } as const;
  if (existing === undefined) {
    const { id, machine } = state.link.bornWithMachine('o', oplockMachine, fact);
    const oplock: Oplock = { id, fileId: ctx.node.fileId, machine, holders: [], waiters: [], atomicRequest: null };
    state.oplocks.set(ctx.node.fileId, oplock);
    oplock.holders.push({ fileObject: ctx.fileObjectId, level, operation, breakingTo: null });
    return PARKED;
  }
  state.link.emit(existing.id, fact);
  if (switched !== null) {
    // "The first oplock's IRP is completed with STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE" [doc].
    state.link.release(switched.operation!, complete(STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE));
    Object.assign(switched, { level, operation });
  } else {
    existing.holders.push({ fileObject: ctx.fileObjectId, level, operation, breakingTo: null });
  }
  // The handle a FILE_OPEN_REQUIRING_OPLOCK create opened has its oplock: the opens that waited for it go on and meet it.
  if (existing.atomicRequest === ctx.fileObjectId) {
    endAtomicRequest(state, existing, 'granted');
    releaseWaiters(state, existing, 'granted');
  }
  return PARKED;
}

/** FSCTL_REQUEST_OPLOCK_LEVEL_1 / _BATCH_ / _FILTER_ / _LEVEL_2. */
export function requestOplock(state: FsState, request: FsRequest, ctx: OpenContext, code: number): FsCompletion {
  if (ctx.kind !== 'file' || ctx.node.kind !== 'file' || request.operation === undefined) return complete(STATUS_OPLOCK_NOT_GRANTED);
  if (!asynchronous(request)) return complete(STATUS_OPLOCK_NOT_GRANTED);
  const level = legacyLevelOf(code);
  let existing = oplockOf(state, ctx.node);
  const held = existing?.holders ?? [];
  if (existing !== undefined && breakInProgress(existing)) return complete(STATUS_OPLOCK_NOT_GRANTED);
  if (exclusiveLegacy(level)) {
    // Only the stream's one open handle gets an exclusive oplock ("no other opens on the stream"), and
    // only over no oplock or its own Level 2 ones: "the original Level 2 request is broken with
    // FILE_OPLOCK_BROKEN_TO_NONE. The requested exclusive oplock is then granted" [doc].
    if (ctx.node.uncleanCount !== 1 || held.some((h) => h.level !== 'Level2' || h.fileObject !== ctx.fileObjectId)) return complete(STATUS_OPLOCK_NOT_GRANTED);
    if (existing !== undefined) {
      for (const holder of [...held]) breakToNone(state, existing, holder, request.operation);
      forgetIfIdle(state, existing);
      existing = oplockOf(state, ctx.node);
    }
  } else {
    // Level 2 coexists with Level 2 and R only [doc]; a handle with a Windows 7 oplock gets none besides [model].
    if (held.some((h) => (h.level !== 'Level2' && h.level !== 'R') || (isWin7(h.level) && h.fileObject === ctx.fileObjectId))) return complete(STATUS_OPLOCK_NOT_GRANTED);
    if ((state.fileLocks.get(ctx.node.fileId)?.granted.length ?? 0) > 0) return complete(STATUS_OPLOCK_NOT_GRANTED);
  }
  return grant(state, request, ctx, level, existing, null);
}

/**
 * FSCTL_REQUEST_OPLOCK: the REQUEST_OPLOCK_INPUT_BUFFER decides — REQUEST_OPLOCK_INPUT_FLAG_REQUEST
 * asks for R, RH, RW or RWH; REQUEST_OPLOCK_INPUT_FLAG_ACK acknowledges a break. A buffer that is
 * short, of another version or length, with both flags or neither, or an impossible level:
 * STATUS_INVALID_PARAMETER; an output buffer shorter than REQUEST_OPLOCK_OUTPUT_BUFFER:
 * STATUS_BUFFER_TOO_SMALL [model].
 */
export function requestOplockWin7(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'FileSystemControl');
  const buffer = params?.InputBuffer;
  const input = params !== null && buffer instanceof Uint8Array ? decodeRequestOplockInputBuffer(buffer, params.InputBufferLength) : null;
  if (input === null || input.StructureVersion !== REQUEST_OPLOCK_CURRENT_VERSION || input.StructureLength !== REQUEST_OPLOCK_INPUT_BUFFER_SIZE) return complete(STATUS_INVALID_PARAMETER);
  const ack = input.Flags === REQUEST_OPLOCK_INPUT_FLAG_ACK;
  if (!ack && input.Flags !== REQUEST_OPLOCK_INPUT_FLAG_REQUEST) return complete(STATUS_INVALID_PARAMETER);
  const level = win7Level(input.RequestedOplockLevel);
  if (level === undefined || (!ack && level === 'None')) return complete(STATUS_INVALID_PARAMETER);
  if (!(params!.OutputBufferLength >= REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE)) return complete(STATUS_BUFFER_TOO_SMALL);
  // "If a directory, STATUS_INVALID_PARAMETER is returned" [doc]; a volume open likewise [model].
  if (ctx.kind !== 'file' || ctx.node.kind !== 'file') return complete(STATUS_INVALID_PARAMETER);
  if (ack) return acknowledgeWin7(state, request, ctx, input.RequestedOplockLevel);
  if (request.operation === undefined || !asynchronous(request)) return complete(STATUS_OPLOCK_NOT_GRANTED);
  return grantWin7(state, request, ctx, level as OplockLevel);
}

/**
 * The grant table of "Granting oplocks", with the file object as the oplock key: R and RH coexist
 * with each other (and R with Level 2) and not while byte-range locks exist; RW and RWH only when
 * the requesting handle is the stream's only open; a request on a handle that already holds a
 * Windows 7 oplock it can be upgraded from switches (the earlier request completes with
 * STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE). Anything else, or a break still owed: not granted.
 */
function grantWin7(state: FsState, request: FsRequest, ctx: OpenContext, level: OplockLevel): FsCompletion {
  const existing = oplockOf(state, ctx.node);
  const held = existing?.holders ?? [];
  const notGranted = complete(STATUS_OPLOCK_NOT_GRANTED);
  if (existing !== undefined && breakInProgress(existing)) return notGranted;
  const mine = held.filter((h) => h.fileObject === ctx.fileObjectId);
  const others = held.filter((h) => h.fileObject !== ctx.fileObjectId);
  if (mine.some((h) => !isWin7(h.level))) return notGranted;
  const previous = mine[0] ?? null;
  const locks = (state.fileLocks.get(ctx.node.fileId)?.granted.length ?? 0) > 0;
  // The levels the requested one may replace on the same handle.
  const upgradesFrom: Readonly<Record<string, readonly OplockLevel[]>> = { R: ['R'], RH: ['R', 'RH'], RW: ['R', 'RW'], RWH: ['R', 'RH', 'RW', 'RWH'] };
  if (previous !== null && !upgradesFrom[level]!.includes(previous.level)) return notGranted;
  if (level === 'R' || level === 'RH') {
    const coexists: readonly OplockLevel[] = level === 'R' ? ['Level2', 'R', 'RH'] : ['R', 'RH'];
    if (locks || others.some((h) => !coexists.includes(h.level))) return notGranted;
  } else if (ctx.node.uncleanCount !== 1 || others.length > 0) {
    return notGranted;
  }
  return grant(state, request, ctx, level, existing, previous);
}

/**
 * REQUEST_OPLOCK_INPUT_FLAG_ACK from the holder whose Windows 7 break is owed: it keeps
 * `requested` (a level within the one the break went to; 0 gives the oplock up) — the
 * acknowledgement itself parks as that oplock; an issuer that waits keeps none [model]. Asking for
 * more than the break left: STATUS_INVALID_PARAMETER, the break still owed [model]. No break owed
 * on this handle: STATUS_INVALID_OPLOCK_PROTOCOL.
 */
function acknowledgeWin7(state: FsState, request: FsRequest, ctx: OpenContext, requested: number): FsCompletion {
  const oplock = oplockOf(state, ctx.node);
  const holder = owingHolder(oplock, ctx);
  if (oplock === undefined || holder === undefined || !isWin7(holder.level) || request.operation === undefined) return complete(STATUS_INVALID_OPLOCK_PROTOCOL);
  if ((requested & ~cacheBits(holder.breakingTo!)) !== 0) return complete(STATUS_INVALID_PARAMETER);
  const keeps = requested !== 0 && asynchronous(request) ? (win7Level(requested) as OplockLevel) : null;
  if (keeps !== null) Object.assign(holder, { level: keeps, operation: request.operation, breakingTo: null });
  else oplock.holders.splice(oplock.holders.indexOf(holder), 1);
  state.link.emit(oplock.id, { type: 'OplockAcknowledged', fileObject: ctx.fileObjectId, operation: request.operation, routine: 'FSCTL_REQUEST_OPLOCK', newLevel: (keeps ?? 'None') as OplockBreakTarget, remaining: oplock.holders.length, ...owedField(oplock, true) });
  releaseWaiters(state, oplock, 'acknowledged');
  forgetIfIdle(state, oplock);
  return keeps !== null ? PARKED : complete(STATUS_SUCCESS);
}

/**
 * The holder of `ctx`'s file object whose break is owed, while the machine is Breaking: in
 * ClosePending the break was acknowledged already (FSCTL_OPBATCH_ACK_CLOSE_PENDING) and a further
 * acknowledgement is STATUS_INVALID_OPLOCK_PROTOCOL, as FsRtl's for a state without BREAK_TO_*.
 */
function owingHolder(oplock: Oplock | undefined, ctx: OpenContext): Holder | undefined {
  if (oplock === undefined || !oplockIn(oplock, 'Breaking')) return undefined;
  return oplock.holders.find((h) => h.fileObject === ctx.fileObjectId && h.breakingTo !== null);
}

/** The legacy acknowledgement FSCTLs from the holder whose break is owed (a Windows 7 break is acknowledged only by FSCTL_REQUEST_OPLOCK [model]). */
export function acknowledgeOplockBreak(state: FsState, request: FsRequest, ctx: OpenContext, code: number): FsCompletion {
  if (ctx.kind !== 'file') return complete(STATUS_INVALID_PARAMETER);
  const oplock = oplockOf(state, ctx.node);
  const holder = owingHolder(oplock, ctx);
  if (oplock === undefined || holder === undefined || isWin7(holder.level) || request.operation === undefined) return complete(STATUS_INVALID_OPLOCK_PROTOCOL);
  const routine = code === FSCTL_OPLOCK_BREAK_ACKNOWLEDGE ? 'FSCTL_OPLOCK_BREAK_ACKNOWLEDGE' : code === FSCTL_OPLOCK_BREAK_ACK_NO_2 ? 'FSCTL_OPLOCK_BREAK_ACK_NO_2' : 'FSCTL_OPBATCH_ACK_CLOSE_PENDING';
  // FSCTL_OPBATCH_ACK_CLOSE_PENDING for Level 1 "is a complete acknowledgment of the break" and gives the oplock up; for Batch and Filter the waiters wait for the close [doc].
  if (code === FSCTL_OPBATCH_ACK_CLOSE_PENDING && holder.level !== 'Level1') {
    state.link.emit(oplock.id, { type: 'OplockAcknowledged', fileObject: ctx.fileObjectId, operation: request.operation, routine, newLevel: 'ClosePending', remaining: oplock.holders.length });
    return complete(STATUS_SUCCESS);
  }
  // The Level 2 oplock an acknowledgement keeps is the acknowledgement itself, pended: an issuer that waits gets none [model].
  const toLevel2 = code === FSCTL_OPLOCK_BREAK_ACKNOWLEDGE && holder.breakingTo === 'Level2' && asynchronous(request);
  if (toLevel2) Object.assign(holder, { level: 'Level2', operation: request.operation, breakingTo: null });
  else oplock.holders.splice(oplock.holders.indexOf(holder), 1);
  state.link.emit(oplock.id, { type: 'OplockAcknowledged', fileObject: ctx.fileObjectId, operation: request.operation, routine, newLevel: toLevel2 ? 'Level2' : 'None', remaining: oplock.holders.length });
  releaseWaiters(state, oplock, 'acknowledged');
  forgetIfIdle(state, oplock);
  return toLevel2 ? PARKED : complete(STATUS_SUCCESS);
}

/**
 * FSCTL_OPLOCK_BREAK_NOTIFY: STATUS_SUCCESS when no oplock is held or no break is in progress;
 * otherwise the request waits with the operations waiting for the break and, dispatched again once
 * it is over, succeeds [doc: "any oplock break that was in progress is now complete"].
 */
export function oplockBreakNotify(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  if (ctx.kind !== 'file') return complete(STATUS_INVALID_PARAMETER);
  const oplock = oplockOf(state, ctx.node);
  if (oplock === undefined || !breakInProgress(oplock) || request.operation === undefined) return complete(STATUS_SUCCESS);
  waitForBreak(state, oplock, request.operation);
  return PARKED;
}
