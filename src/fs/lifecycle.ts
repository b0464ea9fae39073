/**
 * IRP_MJ_CLEANUP and IRP_MJ_CLOSE. Neither can fail (docs/semantics.md §8, §14 inv. 10): an unknown
 * or already-closed file object still completes with STATUS_SUCCESS.
 *
 * Cleanup (last handle to the FILE_OBJECT closed): IoRemoveShareAccess, delete-on-close marks the
 * link delete-pending, a POSIX delete removes the name at once, and when the file's last handle is
 * cleaned up every delete-pending name goes. Sets FO_CLEANUP_COMPLETE.
 * Close (last reference to the FILE_OBJECT gone): drops the context; the file record goes when it
 * has neither names nor open file objects.
 */
import type { FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { forgetIfUnreferenced, removeLink } from './model.js';
import { IoRemoveShareAccess } from './shareAccess.js';
import { releaseLockAtCleanup } from './volumeLock.js';
import { unlockAllAtCleanup } from './byteRangeLocks.js';
import { FO_CLEANUP_COMPLETE } from '../wdk/fileConstants.js';
import { STATUS_SUCCESS } from '../wdk/ntstatus.js';

export function cleanup(state: FsState, request: FsRequest): FsCompletion {
  const ctx = state.contexts.get(request.FileObject.id);
  if (ctx !== undefined && ctx.state !== 'cleanedUp') unlockAllAtCleanup(state, ctx, request.operation ?? '');
  if (ctx !== undefined) cleanupContext(state, ctx);
  return { Status: STATUS_SUCCESS, Information: 0, fileObjectFlags: (request.FileObject.flags | FO_CLEANUP_COMPLETE) >>> 0 };
}

export function cleanupContext(state: FsState, ctx: OpenContext): void {
  if (ctx.state === 'cleanedUp') return;
  ctx.state = 'cleanedUp';
  const node = ctx.node;
  if (ctx.kind === 'volume') {
    releaseLockAtCleanup(state, ctx);
    state.volumeShare = IoRemoveShareAccess(ctx.share, state.volumeShare);
    node.uncleanCount--;
    return;
  }
  node.share = IoRemoveShareAccess(ctx.share, node.share);
  node.uncleanCount--;
  const link = ctx.link;
  if (link !== null && ctx.deleteOnClose && !nonEmptyDirectory(node)) link.deletePending = true;
  if (link !== null && link.deletePending && ctx.posixDelete && node.links.includes(link) && !nonEmptyDirectory(node)) {
    removeLink(state, node, link);
  }
  if (node.uncleanCount === 0) {
    for (const pending of node.links.filter((l) => l.deletePending)) {
      if (nonEmptyDirectory(node)) pending.deletePending = false;
      else removeLink(state, node, pending);
    }
  }
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
    ctx.node.openCount--;
    forgetIfUnreferenced(state, ctx.node);
    // The last close of a file frees its stream control block: per-stream contexts go with it (§15.8).
    if (ctx.kind === 'file' && ctx.node.openCount === 0) return { Status: STATUS_SUCCESS, Information: 0, streamTornDown: ctx.node.fileId };
  }
  return { Status: STATUS_SUCCESS, Information: 0 };
}
