/**
 * Oplocks (§21.8) as FsRtl's oplock package keeps them for a file system: one oplock object per
 * stream (`o…`) with its holders — legacy Level 1, Batch, Filter (exclusive) and Level 2 (shared),
 * and the Windows 7 levels R and RH (shared among handles), RW and RWH (one handle) — and the
 * requests waiting for a break to be acknowledged. The oplock key is the file object: every file
 * object is its own key in the model (no dual-oplock-key ECP).
 *
 * This file holds the object and the breaks; the tables that say which holder breaks to what are
 * in oplockBreakRules.ts, the FSCTLs that grant and acknowledge in oplockRequests.ts.
 *
 * - A granted oplock is its FSCTL request, parked (STATUS_PENDING) while the oplock is held.
 * - `breakOplocksFor(state, request, node, cause)`: an operation through another file object breaks
 *   the holders its cause conflicts with (the tables of "Checking the oplock state of IRP_MJ_…"):
 *   each broken holder's request completes (legacy: Information FILE_OPLOCK_BROKEN_TO_*; Windows 7:
 *   a REQUEST_OPLOCK_OUTPUT_BUFFER with the new level and REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED);
 *   a break that owes an acknowledgement keeps the holder breaking; where the tables say the
 *   operation waits, it parks until no holder owes one (it is then dispatched again) — a create
 *   with FILE_COMPLETE_IF_OPLOCKED goes on instead (STATUS_OPLOCK_BREAK_IN_PROGRESS).
 * - IRP_MJ_CLEANUP of a holder: its request completes (broken to none), an acknowledgement it owed
 *   is over, the waiting operations run again.
 */
import type { FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { complete } from './types.js';
import { STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { FILE_COMPLETE_IF_OPLOCKED } from '../wdk/fileConstants.js';
import { parametersMember, unpackCreateOptions } from '../wdk/parameters.js';
import type { OplockBreakTarget, OplockLevel } from '../kernel/facts.js';
import { cacheBits, isWin7, lower, NONE_NO_ACK, ruleFor, type OplockBreakCause, type Rule } from './oplockBreakRules.js';
import type { AnyActorRef, SnapshotFrom } from 'xstate';
import { atomicRequestPending, breakUnderway, oplockMachine, oplockState, type OplockState } from '../machines/oplock.js';
import { encodeRequestOplockOutputBuffer, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE, REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED } from '../wdk/requestOplock.js';

/** FILE_OPLOCK_BROKEN_TO_* (Information of a completed legacy oplock request). */
export const FILE_OPLOCK_BROKEN_TO_LEVEL_2 = 0x00000007;
export const FILE_OPLOCK_BROKEN_TO_NONE = 0x00000008;

/**
 * One holder of a stream's oplock. Its fields are data, not states: whether a break is under way, and
 * whether the holder that acknowledged it will close, are the oplock machine's Breaking and
 * ClosePending (src/machines/oplock.ts), which the code asks. What stays here says *which*: the
 * holders of a shared level (Level 2, R, RH) are broken one by one — a write through one RH handle
 * breaks the others, not its own — so each has its own level and its own owed break, any number of
 * them, as FsRtl keeps a list entry per RH holder; a machine state per holder would be one machine
 * per holder, and the facts name the stream's oplock.
 */
export interface Holder {
  readonly fileObject: string;
  /** The level held: like a lock's owner list, who holds what (the machine says Granted for all of them). */
  level: OplockLevel;
  /** The parked request that is the oplock; null while its break is owed (its request completed). */
  operation: string | null;
  /** The level this holder's owed break goes to (the level its acknowledgement may keep), or null: none owed by it. */
  breakingTo: OplockBreakTarget | null;
}

/** A stream's oplock: holders and the operations waiting for a break. */
export interface Oplock {
  readonly id: string;
  readonly fileId: number;
  /** @internal The oplock machine (the kernel's actor, or without a kernel one the file system runs): what a request meets. */
  readonly machine: AnyActorRef;
  readonly holders: Holder[];
  /** The operations parked until the break is over (a queue: a position, released in order). */
  readonly waiters: string[];
  /**
   * Which file object a create with FILE_OPEN_REQUIRING_OPLOCK opened (its identity: only the
   * others wait). Whether the request is pending is the machine's AtomicRequestPending part.
   */
  atomicRequest: string | null;
}

function snapshotOf(oplock: Oplock): SnapshotFrom<typeof oplockMachine> {
  return oplock.machine.getSnapshot() as SnapshotFrom<typeof oplockMachine>;
}

/** A break is under way on the stream (the machine's Breaking or ClosePending). */
export function breakInProgress(oplock: Oplock): boolean {
  return breakUnderway(snapshotOf(oplock));
}

/** The machine is in `state` (Breaking: a holder owes an acknowledgement; ClosePending: the one that acknowledged will close). */
export function oplockIn(oplock: Oplock, state: OplockState): boolean {
  return oplockState(snapshotOf(oplock)) === state;
}

/** A FILE_OPEN_REQUIRING_OPLOCK request is pending on the stream (the machine's AtomicRequestPending part). */
function atomicPending(oplock: Oplock): boolean {
  return atomicRequestPending(snapshotOf(oplock));
}

export function oplockOf(state: FsState, node: FsNode): Oplock | undefined {
  return state.oplocks.get(node.fileId);
}

/** `owed` for a fact: how many holders still owe an acknowledgement — only on oplocks with a Windows 7 holder (legacy facts keep their shape). */
export function owedField(oplock: Oplock, win7: boolean): { owed?: number } {
  return win7 || oplock.holders.some((h) => isWin7(h.level)) ? { owed: oplock.holders.filter((h) => h.breakingTo !== null).length } : {};
}


/** What a broken Windows 7 holder's request completes with. */
function win7Completion(original: OplockLevel, to: OplockBreakTarget, ack: boolean): FsCompletion {
  const data = encodeRequestOplockOutputBuffer({ OriginalOplockLevel: cacheBits(original), NewOplockLevel: cacheBits(to), Flags: ack ? REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED : 0, AccessMode: 0, ShareMode: 0 });
  return { Status: STATUS_SUCCESS, Information: REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE, output: { kind: 'data', data } };
}

/** The completion of a holder's request when its oplock goes to `to`. */
export function brokenCompletion(holder: Holder, to: OplockBreakTarget, ack: boolean): FsCompletion {
  if (isWin7(holder.level)) return win7Completion(holder.level, to, ack);
  return complete(STATUS_SUCCESS, to === 'Level2' ? FILE_OPLOCK_BROKEN_TO_LEVEL_2 : FILE_OPLOCK_BROKEN_TO_NONE);
}

/** Break one holder to `rule.to`; a holder already breaking only has its target lowered. */
function breakHolder(state: FsState, oplock: Oplock, holder: Holder, rule: Rule, by: string): void {
  const win7 = isWin7(holder.level);
  if (holder.operation === null) {
    // A close-pending holder's break is over (FsRtl sends no further break to it): the operation waits for its close.
    if (oplockIn(oplock, 'ClosePending')) return;
    const to = lower(holder.breakingTo ?? rule.to, rule.to);
    if (to === holder.breakingTo) return;
    holder.breakingTo = to;
    state.link.emit(oplock.id, { type: 'OplockBreak', fileObject: holder.fileObject, level: holder.level, toLevel: to, by, acknowledgementOwed: true, remaining: oplock.holders.length, ...owedField(oplock, win7) });
    return;
  }
  const request = holder.operation;
  if (rule.ack) {
    holder.operation = null;
    holder.breakingTo = rule.to;
  } else {
    oplock.holders.splice(oplock.holders.indexOf(holder), 1);
  }
  state.link.emit(oplock.id, { type: 'OplockBreak', fileObject: holder.fileObject, level: holder.level, toLevel: rule.to, by, acknowledgementOwed: rule.ack, remaining: oplock.holders.length, ...owedField(oplock, win7) });
  state.link.release(request, brokenCompletion(holder, rule.to, rule.ack));
}

/**
 * What an operation through `request.FileObject` does to the stream's oplock (§21.8): breaks every
 * holder of another file object its cause conflicts with, then says whether the operation goes on
 * ('proceed'), goes on with a break under way ('breakInProgress': a create with
 * FILE_COMPLETE_IF_OPLOCKED, which then succeeds with STATUS_OPLOCK_BREAK_IN_PROGRESS), waits
 * ('wait': parked until no holder owes an acknowledgement, then dispatched again — the caller
 * returns `{ Status: STATUS_PENDING, parked: true }`), or, for a fast I/O routine that would have
 * to wait, 'declineFastIo' with nothing broken (FsRtlOplockIsFastIoPossible is FALSE; the IRP comes).
 * IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION calls it with `{ kind: 'section', writable }`
 * (src/fs/fsFilterCallbacks.ts); its breaks never wait.
 */
export function breakOplocksFor(state: FsState, request: FsRequest, node: FsNode, cause: OplockBreakCause): 'proceed' | 'breakInProgress' | 'wait' | 'declineFastIo' {
  const oplock = oplockOf(state, node);
  if (oplock === undefined) return 'proceed';
  const hits = conflicts(oplock, request, cause);
  if (hits.length === 0) return 'proceed';
  const mustWait = hits.some(([, rule]) => rule.wait);
  if (mustWait && request.fastIo === true) return 'declineFastIo';
  const by = request.operation ?? '';
  for (const [holder, rule] of hits) breakHolder(state, oplock, holder, rule, by);
  if (!mustWait || !breakInProgress(oplock)) {
    forgetIfIdle(state, oplock);
    return 'proceed';
  }
  const options = cause.kind === 'create' ? createOptionsOf(request) : 0;
  if ((options & FILE_COMPLETE_IF_OPLOCKED) !== 0 || request.operation === undefined) return 'breakInProgress';
  waitForBreak(state, oplock, request.operation);
  return 'wait';
}

/** The holders of other file objects `cause` conflicts with, and how each breaks. */
function conflicts(oplock: Oplock, request: FsRequest, cause: OplockBreakCause): [Holder, Rule][] {
  const fo = request.FileObject.id;
  // The share check is asked once, and only when a holder's rule looks at it.
  let violation: boolean | undefined;
  const sharingViolation = (): boolean => (violation ??= cause.kind === 'create' && cause.sharingViolation());
  const hits: [Holder, Rule][] = [];
  for (const holder of oplock.holders.filter((h) => h.fileObject !== fo)) {
    const rule = ruleFor(holder.level, cause, sharingViolation);
    if (rule !== null) hits.push([holder, rule]);
  }
  return hits;
}

/**
 * FILE_OPEN_REQUIRING_OPLOCK's check, made before the create (§21.8): would this operation break an
 * oplock of the stream? Nothing is broken.
 */
export function wouldBreakOplocks(state: FsState, request: FsRequest, node: FsNode, cause: OplockBreakCause): boolean {
  const oplock = oplockOf(state, node);
  return oplock !== undefined && conflicts(oplock, request, cause).length > 0;
}

/** A Batch or Filter oplock is held on the stream, or its break is under way (FsRtlCurrentBatchOplock). */
export function currentBatchOplock(state: FsState, node: FsNode): boolean {
  return oplockOf(state, node)?.holders.some((h) => h.level === 'Batch' || h.level === 'Filter') ?? false;
}

/** Break a holder to none with no acknowledgement (a Level 2 oplock on the handle an exclusive request is granted to). */
export function breakToNone(state: FsState, oplock: Oplock, holder: Holder, by: string): void {
  breakHolder(state, oplock, holder, NONE_NO_ACK, by);
}

/** Park `operation` until no holder owes an acknowledgement (OplockBreakWait). */
export function waitForBreak(state: FsState, oplock: Oplock, operation: string): void {
  oplock.waiters.push(operation);
  state.link.emit(oplock.id, { type: 'OplockBreakWait', operation });
}

function createOptionsOf(request: FsRequest): number {
  const params = parametersMember(request.Parameters, 'Create');
  return params === null ? 0 : unpackCreateOptions(params.Options).CreateOptions;
}

/** IRP_MJ_CLEANUP of a file object: its oplock goes (FsRtlOplockCleanup), and an atomic request it made; waiters run again. */
export function oplockCleanup(state: FsState, ctx: OpenContext): void {
  if (ctx.kind !== 'file') return;
  const oplock = oplockOf(state, ctx.node);
  if (oplock === undefined) return;
  const atomic = oplock.atomicRequest === ctx.fileObjectId;
  if (atomic) endAtomicRequest(state, oplock, 'cleanup');
  const mine = oplock.holders.filter((h) => h.fileObject === ctx.fileObjectId);
  for (const holder of mine) {
    oplock.holders.splice(oplock.holders.indexOf(holder), 1);
    state.link.emit(oplock.id, { type: 'OplockReleased', fileObject: holder.fileObject, reason: 'cleanup', remaining: oplock.holders.length, ...owedField(oplock, isWin7(holder.level)) });
    if (holder.operation !== null) state.link.release(holder.operation, brokenCompletion(holder, 'None', false));
  }
  if (mine.length > 0 || atomic) releaseWaiters(state, oplock, 'closed');
  forgetIfIdle(state, oplock);
}

/**
 * A create with FILE_OPEN_REQUIRING_OPLOCK succeeded on `ctx`: until its handle is granted an oplock
 * or cleans up, other opens of the stream wait ("all subsequent attempts to open the file will be
 * blocked without the benefit of normal oplock processing" [doc: ZwCreateFile]). The stream's oplock
 * object is born here when none was held.
 */
export function beginAtomicRequest(state: FsState, ctx: OpenContext, operation: string): void {
  const fact = { type: 'OplockAtomicRequest', operation, fileObject: ctx.fileObjectId, fileId: ctx.node.fileId } as const;
  const existing = oplockOf(state, ctx.node);
  if (existing !== undefined) {
    existing.atomicRequest = ctx.fileObjectId;
    state.link.emit(existing.id, fact);
    return;
  }
  const { id, machine } = state.link.bornWithMachine('o', oplockMachine, fact);
  const oplock: Oplock = { id, fileId: ctx.node.fileId, machine, holders: [], waiters: [], atomicRequest: ctx.fileObjectId };
  state.oplocks.set(ctx.node.fileId, oplock);
}

/** The atomic request is over: an oplock was granted on its handle, or its cleanup. */
export function endAtomicRequest(state: FsState, oplock: Oplock, reason: 'granted' | 'cleanup'): void {
  const fileObject = oplock.atomicRequest!;
  oplock.atomicRequest = null;
  state.link.emit(oplock.id, { type: 'OplockAtomicRequestEnded', fileObject, reason });
}

/** An open through another file object while an atomic request is pending waits for it (parked, dispatched again after). */
export function waitForAtomicRequest(state: FsState, request: FsRequest, node: FsNode): boolean {
  const oplock = oplockOf(state, node);
  if (oplock === undefined || !atomicPending(oplock) || oplock.atomicRequest === request.FileObject.id || request.operation === undefined) return false;
  waitForBreak(state, oplock, request.operation);
  return true;
}

/** The operations waiting for a break run again (dispatched anew), once no holder owes an acknowledgement and no atomic request is pending. */
export function releaseWaiters(state: FsState, oplock: Oplock, reason: 'acknowledged' | 'closed' | 'granted'): void {
  if (breakInProgress(oplock) || atomicPending(oplock)) return;
  for (const operation of oplock.waiters.splice(0)) {
    state.link.emit(oplock.id, { type: 'OplockWaitEnded', operation, reason });
    state.link.release(operation, null);
  }
}

export function forgetIfIdle(state: FsState, oplock: Oplock): void {
  if (oplock.holders.length > 0 || oplock.waiters.length > 0 || atomicPending(oplock)) return;
  state.link.retire(oplock.id);
  state.oplocks.delete(oplock.fileId);
}

/** The cancel routine: a parked oplock request (the oplock goes) or an operation waiting for a break. */
export function cancelOplockRequest(state: FsState, operation: string): boolean {
  for (const oplock of state.oplocks.values()) {
    const holder = oplock.holders.find((h) => h.operation === operation);
    if (holder !== undefined) {
      oplock.holders.splice(oplock.holders.indexOf(holder), 1);
      state.link.emit(oplock.id, { type: 'OplockReleased', fileObject: holder.fileObject, reason: 'cancel', remaining: oplock.holders.length, ...owedField(oplock, isWin7(holder.level)) });
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
