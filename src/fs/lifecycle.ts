/**
 * IRP_MJ_CLEANUP and IRP_MJ_CLOSE. Neither can fail (docs/semantics.md §8, §14 inv. 10): an unknown
 * or already-closed file object still completes with STATUS_SUCCESS.
 *
 * Cleanup (last handle to the FILE_OBJECT closed): IoRemoveShareAccess, delete-on-close marks the
 * link delete-pending, a POSIX delete removes the name at once, and when the file's last handle is
 * cleaned up every delete-pending name goes (with the last name, the file and all its streams). On
 * a named stream (§21.5) delete-on-close marks the stream, which goes at its own last cleanup.
 * Sets FO_CLEANUP_COMPLETE.
 * Close (last reference to the FILE_OBJECT gone): drops the context; the file record goes when it
 * has neither names nor open file objects.
 */
import type { FsLink, FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { forgetIfUnreferenced, removeLink, removeStream } from './model.js';
import { IoRemoveShareAccess } from './shareAccess.js';
import { releaseLockAtCleanup } from './volumeLock.js';
import { unlockAllAtCleanup } from './byteRangeLocks.js';
import { oplockCleanup } from './oplocks.js';
import { forgetNotify, notifyCleanup, notifyDirectoryDeleting, reportChange } from './directoryNotify.js';
import { FILE_ACTION_REMOVED, FILE_NOTIFY_CHANGE_DIR_NAME, FILE_NOTIFY_CHANGE_FILE_NAME } from '../wdk/directoryNotify.js';
import { FO_CLEANUP_COMPLETE } from '../wdk/fileConstants.js';
import { STATUS_SUCCESS } from '../wdk/ntstatus.js';

export function cleanup(state: FsState, request: FsRequest): FsCompletion {
  const ctx = state.contexts.get(request.FileObject.id);
  if (ctx !== undefined) cleanupContext(state, ctx, request.operation ?? '');
  return { Status: STATUS_SUCCESS, Information: 0, fileObjectFlags: (request.FileObject.flags | FO_CLEANUP_COMPLETE) >>> 0 };
}

export function cleanupContext(state: FsState, ctx: OpenContext, operation = ''): void {
  if (ctx.state === 'cleanedUp') return;
  // FsRtlFastUnlockAll and FsRtlNotifyCleanup (§21.10, §21.9) before the handle's own bookkeeping.
  unlockAllAtCleanup(state, ctx, operation);
  notifyCleanup(state, ctx);
  oplockCleanup(state, ctx);
  ctx.state = 'cleanedUp';
  const node = ctx.node;
  if (ctx.kind === 'volume') {
    releaseLockAtCleanup(state, ctx);
    state.volumeShare = IoRemoveShareAccess(ctx.share, state.volumeShare);
    node.uncleanCount--;
    return;
  }
  node.uncleanCount--;
  const link = ctx.link;
  const stream = ctx.stream;
  if (stream !== null) {
    // A named stream (§21.5): delete-on-close marks the stream, and its own last cleanup removes it.
    stream.share = IoRemoveShareAccess(ctx.share, stream.share);
    stream.uncleanCount--;
    if (ctx.deleteOnClose) stream.deletePending = true;
    if (stream.uncleanCount === 0 && stream.deletePending && !stream.deleted) removeStream(stream);
  } else {
    node.share = IoRemoveShareAccess(ctx.share, node.share);
    if (link !== null && ctx.deleteOnClose && !nonEmptyDirectory(node)) {
      link.deletePending = true;
      if (node.kind === 'directory') notifyDirectoryDeleting(state, node);
    }
    if (link !== null && link.deletePending && ctx.posixDelete && node.links.includes(link) && !nonEmptyDirectory(node)) {
      removeReported(state, node, link);
    }
  }
  // The default stream's disposition deletes the file at the file's last cleanup, whichever stream
  // that handle was open on (the delete sample's case of a delete-pending file whose last handle is
  // to a named stream).

  if (node.uncleanCount === 0) {
    for (const pending of node.links.filter((l) => l.deletePending)) {
      if (nonEmptyDirectory(node)) pending.deletePending = false;
      else removeReported(state, node, pending);
    }
  }
}

/** A name goes, and the directory's watchers hear of it (FILE_ACTION_REMOVED, §21.9). */
function removeReported(state: FsState, node: FsNode, link: FsLink): void {
  const { parent, name } = link;
  removeLink(state, node, link);
  reportChange(state, parent, name, FILE_ACTION_REMOVED, node.kind === 'directory' ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME);
}

function nonEmptyDirectory(node: FsNode): boolean {
  return node.kind === 'directory' && (node.children?.size ?? 0) > 0;
}

export function close(state: FsState, request: FsRequest): FsCompletion {
  const ctx = state.contexts.get(request.FileObject.id);
  if (ctx !== undefined) {
    // Close without cleanup only happens when the I/O path skipped one; keep the counts honest.
    cleanupContext(state, ctx);
    state.contexts.delete(ctx.fileObjectId);
    state.closed.add(ctx.fileObjectId);
    forgetNotify(state, ctx.fileObjectId);
    ctx.node.openCount--;
    forgetIfUnreferenced(state, ctx.node);
    // The last close of a file frees its stream control block: per-stream contexts go with it (§15.8).
    if (ctx.kind === 'file' && ctx.node.openCount === 0) return { Status: STATUS_SUCCESS, Information: 0, streamTornDown: ctx.node.fileId };
  }
  return { Status: STATUS_SUCCESS, Information: 0 };
}
