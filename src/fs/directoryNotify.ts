/**
 * IRP_MN_NOTIFY_CHANGE_DIRECTORY (§21.9), as FsRtl's notify package keeps it for FastFat and NTFS:
 * one notify structure per directory handle (FsRtlNotifyFullChangeDirectory's NOTIFY_CHANGE, `w…`),
 * created by the handle's first request with that request's CompletionFilter, SL_WATCH_TREE and
 * buffer length; later requests on the handle share it.
 *
 * - A request parks (STATUS_PENDING, cancellable) unless changes are queued: then it completes at
 *   once with them. Several parked requests complete oldest first (MS-FSA 2.1.5.11.1).
 * - A change the file system makes (FsRtlNotifyFullReportChange: a name added, removed or renamed, a
 *   file written or its size or attributes set) is queued on every notify structure that watches
 *   its directory (or, with SL_WATCH_TREE, a directory above it) with a matching filter bit, under
 *   its name relative to the watched directory; the oldest parked request then completes with the
 *   queued changes as a FILE_NOTIFY_INFORMATION chain.
 * - Changes that do not fit the buffer (the queue's bytes past the structure's buffer length, or a
 *   completing request's Length): STATUS_NOTIFY_ENUM_DIR, Information 0, the changes discarded.
 * - IRP_MJ_CLEANUP of the handle (FsRtlNotifyCleanup): its parked requests complete with
 *   STATUS_NOTIFY_CLEANUP; a request after the cleanup completes with it at once.
 * - The watched directory marked for deletion (a disposition, or a delete-on-close handle's cleanup):
 *   the file system calls FsRtlNotifyFullChangeDirectory with no IRP, and the parked requests of
 *   every structure watching that directory complete with STATUS_DELETE_PENDING; while it stays
 *   delete-pending a new request completes with it at once, before any structure is made (FastFat's
 *   FatNotifyChangeDirectory raises it before calling FsRtl).
 */
import type { Actor } from 'xstate';
import type { FsLink, FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { notifyChangeMachine } from '../machines/notifyChange.js';
import { complete } from './types.js';
import { SL_WATCH_TREE } from '../wdk/irp.js';
import { FILE_ACTION_MODIFIED, FILE_NOTIFY_VALID_MASK, fileNotifyInformationBytes, type FILE_NOTIFY_INFORMATION } from '../wdk/directoryNotify.js';
import { STATUS_CANCELLED, STATUS_DELETE_PENDING, STATUS_INVALID_PARAMETER, STATUS_NOTIFY_CLEANUP, STATUS_NOTIFY_ENUM_DIR, STATUS_PENDING, STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { parametersMember } from '../wdk/parameters.js';

/**
 * FsRtl's NOTIFY_CHANGE for one directory handle. Whether changes overflowed the buffer and whether
 * the handle was cleaned up are states of its machine (src/machines/notifyChange.ts), which the
 * link runs with a kernel or without one (src/fs/kernelLink.ts); the rest is data.
 */
export interface NotifyChange {
  readonly id: string;
  readonly fileObject: string;
  readonly directory: FsNode;
  readonly completionFilter: number;
  readonly watchTree: boolean;
  readonly bufferLength: number;
  /** Parked requests (operation ids) with the Length each can take, oldest first. */
  readonly pending: { readonly operation: string; readonly length: number }[];
  /** Changes no request has taken yet. */
  readonly queued: FILE_NOTIFY_INFORMATION[];
  /** @internal */ readonly machine: Actor<typeof notifyChangeMachine>;
}

/** Changes were discarded since a request last took the queue: STATUS_NOTIFY_ENUM_DIR is owed (the machine's Overflowed). */
function overflowed(notify: NotifyChange): boolean {
  return notify.machine.getSnapshot().matches('Overflowed');
}

/** FsRtlNotifyCleanup ran for the handle (the machine's CleanedUp). */
export function cleanedUp(notify: NotifyChange): boolean {
  return notify.machine.getSnapshot().matches('CleanedUp');
}

const queuedBytes = fileNotifyInformationBytes;

export function notifyChangeDirectory(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const control = parametersMember(request.Parameters, 'DirectoryControl');
  const params = control?.NotifyDirectory ?? null;
  if (params === null || typeof params.Length !== 'number' || !Number.isSafeInteger(params.Length) || params.Length < 0) return complete(STATUS_INVALID_PARAMETER);
  if (ctx.kind !== 'file' || ctx.node.kind !== 'directory') return complete(STATUS_INVALID_PARAMETER);
  const filter = params.CompletionFilter >>> 0;
  if (filter === 0 || (filter & ~FILE_NOTIFY_VALID_MASK) !== 0) return complete(STATUS_INVALID_PARAMETER);
  const existing = state.notifies.get(ctx.fileObjectId);
  if (ctx.state === 'cleanedUp' || (existing !== undefined && cleanedUp(existing))) return complete(STATUS_NOTIFY_CLEANUP);
  if (ctx.node.links.some((l) => l.deletePending)) return complete(STATUS_DELETE_PENDING);
  const operation = request.operation ?? '';
  let notify = existing;
  if (notify === undefined) {
    const watchTree = (request.OperationFlags & SL_WATCH_TREE) !== 0;
    const { id, machine } = state.link.bornWithMachine('w', notifyChangeMachine, {
      type: 'FsRtlNotifyFullChangeDirectory',
      fileObject: ctx.fileObjectId,
      fileId: ctx.node.fileId,
      completionFilter: filter,
      watchTree,
      bufferLength: params.Length,
      operation,
    });
    notify = { id, fileObject: ctx.fileObjectId, directory: ctx.node, completionFilter: filter, watchTree, bufferLength: params.Length, pending: [], queued: [], machine: machine as Actor<typeof notifyChangeMachine> };
    state.notifies.set(ctx.fileObjectId, notify);
  } else {
    state.link.emit(notify.id, {
      type: 'FsRtlNotifyFullChangeDirectory',
      fileObject: ctx.fileObjectId,
      fileId: ctx.node.fileId,
      completionFilter: notify.completionFilter,
      watchTree: notify.watchTree,
      bufferLength: notify.bufferLength,
      operation,
    });
  }
  if (overflowed(notify) || notify.queued.length > 0 || request.operation === undefined) return completeWithQueued(state, notify, operation, params.Length);
  notify.pending.push({ operation, length: params.Length });
  return { Status: STATUS_PENDING, Information: 0, parked: true };
}

/** Hand the queued changes (or the overflow) to request `operation`; the notify structure is empty after. */
function completeWithQueued(state: FsState, notify: NotifyChange, operation: string, length: number): FsCompletion {
  const changes = notify.queued.splice(0);
  const overflow = overflowed(notify) || queuedBytes(changes) > length;
  // The completion takes the machine out of Overflowed or ChangesQueued.
  const status = overflow ? STATUS_NOTIFY_ENUM_DIR : STATUS_SUCCESS;
  state.link.emit(notify.id, { type: 'NotifyChangeCompleted', operation, status, changes: overflow ? 0 : changes.length });
  if (overflow) return complete(STATUS_NOTIFY_ENUM_DIR, 0);
  return { Status: STATUS_SUCCESS, Information: queuedBytes(changes), output: { kind: 'notify', changes } };
}

/** The directory `dir` is, relative to `watched`: '' for itself, `a\b` below it, null outside it (or below it without SL_WATCH_TREE). */
function relativeDirectory(dir: FsNode, watched: FsNode, watchTree: boolean): string | null {
  if (dir === watched) return '';
  if (!watchTree) return null;
  const parts: string[] = [];
  let node = dir;
  for (let depth = 0; depth < 4096; depth++) {
    const up: FsLink | undefined = node.links[0];
    if (up === undefined) return null;
    parts.unshift(up.name);
    if (up.parent === watched) return parts.join('\\');
    node = up.parent;
  }
  return null;
}

/**
 * FsRtlNotifyFullReportChange: `name` in directory `dir` changed (`action` FILE_ACTION_*, `filter`
 * the FILE_NOTIFY_CHANGE_* bits it matches). Queued on every watching notify structure; the oldest
 * request parked on each completes with what is queued.
 */
export function reportChange(state: FsState, dir: FsNode, name: string, action: number, filter: number): void {
  if (state.notifies.size === 0) return;
  for (const notify of state.notifies.values()) {
    if (cleanedUp(notify) || (notify.completionFilter & filter) === 0) continue;
    const within = relativeDirectory(dir, notify.directory, notify.watchTree);
    if (within === null) continue;
    const change: FILE_NOTIFY_INFORMATION = { Action: action, FileName: within === '' ? name : `${within}\\${name}` };
    const overflow = overflowed(notify) || queuedBytes([...notify.queued, change]) > notify.bufferLength;
    // An overflow moves the machine to Overflowed until a request takes it.
    state.link.emit(notify.id, { type: 'FsRtlNotifyFullReportChange', action, fileName: change.FileName, overflow });
    if (overflow) notify.queued.length = 0;
    else notify.queued.push(change);
    const first = notify.pending.shift();
    if (first !== undefined) state.link.release(first.operation, completeWithQueued(state, notify, first.operation, first.length));
  }
}

/** A file's data or attributes changed through handle `ctx`: FILE_ACTION_MODIFIED under its name (the one it was opened by). */
export function reportModified(state: FsState, ctx: OpenContext, filter: number): void {
  if (state.notifies.size === 0 || ctx.kind !== 'file') return;
  const link = ctx.link ?? ctx.node.links[0];
  if (link === undefined || link === null) return;
  reportChange(state, link.parent, link.name, FILE_ACTION_MODIFIED, filter);
}

/** FsRtlNotifyCleanup for the handle's IRP_MJ_CLEANUP: parked requests end with STATUS_NOTIFY_CLEANUP. */
export function notifyCleanup(state: FsState, ctx: OpenContext): void {
  const notify = state.notifies.get(ctx.fileObjectId);
  if (notify === undefined || cleanedUp(notify)) return;
  for (const { operation } of notify.pending.splice(0)) {
    state.link.emit(notify.id, { type: 'NotifyChangeCompleted', operation, status: STATUS_NOTIFY_CLEANUP, changes: 0 });
    state.link.release(operation, complete(STATUS_NOTIFY_CLEANUP));
  }
  state.link.emit(notify.id, { type: 'FsRtlNotifyCleanup' });
  state.link.retire(notify.id);
}

/**
 * FsRtlNotifyFullChangeDirectory with a NULL NotifyIrp, as a file system calls it when directory
 * `dir` becomes delete-pending: every request parked on a structure watching `dir` itself (not a
 * tree watch above it) completes with STATUS_DELETE_PENDING; the structures stay until their
 * handles' cleanups.
 */
export function notifyDirectoryDeleting(state: FsState, dir: FsNode): void {
  if (state.notifies.size === 0) return;
  for (const notify of state.notifies.values()) {
    if (cleanedUp(notify) || notify.directory !== dir) continue;
    for (const { operation } of notify.pending.splice(0)) {
      state.link.emit(notify.id, { type: 'NotifyChangeCompleted', operation, status: STATUS_DELETE_PENDING, changes: 0 });
      state.link.release(operation, complete(STATUS_DELETE_PENDING));
    }
  }
}

/** The file object's close: its notify structure's record goes. */
export function forgetNotify(state: FsState, fileObjectId: string): void {
  state.notifies.delete(fileObjectId);
}

/** The cancel routine of a parked notify request: true if `operation` was parked here (it is gone now). */
export function cancelNotify(state: FsState, operation: string): boolean {
  for (const notify of state.notifies.values()) {
    const at = notify.pending.findIndex((p) => p.operation === operation);
    if (at < 0) continue;
    notify.pending.splice(at, 1);
    state.link.emit(notify.id, { type: 'NotifyChangeCompleted', operation, status: STATUS_CANCELLED, changes: 0 });
    return true;
  }
  return false;
}
