/**
 * Which part of a file system a request touches, for partial-order reduction (src/kernel/footprint.ts):
 * the whole volume, or one file. Two opens, reads or writes of different files then commute; a
 * request on one file and a request on another are dependent only where the file system's
 * behaviour could tell their orders apart.
 *
 * The file system's state is split in three (FsKernelLink.touched and touchedFile):
 * - the volume's own part, `fs:<volume>`: the namespace (directory entries, links, names, file ids),
 *   the volume's flags, locks and share access, free space, and whether any oplock, directory-notify
 *   structure, byte-range lock or released request exists anywhere on it;
 * - each file, `fs:<volume>/<file id>`: its record (data, streams, attributes, times, share access,
 *   handle counts) and the contexts of the file objects opened on it;
 * - everything, `fs:<volume>/*`: what a request that looks at all files at once reads.
 * A request confined to one file reads the volume's part and reads or writes its file, and a write
 * there is also a commutative update of `/*`, so that it stays ordered with whatever reads or
 * writes all files. Any other request reads or writes the volume's part and `/*` whole.
 *
 * Confined, conservatively (everything else is the whole volume): on a volume with no oplock,
 * notify structure, byte-range lock or released request (each would let a request on one file
 * reach others' requests: a break, a notification, a lock granted), an IRP_MJ_CREATE that opens an
 * existing file (FILE_OPEN, by name, with no related file object, no delete-on-close, no oplock
 * options, not the target directory) and succeeds; a read; a write that does not extend its stream
 * (extending reads the free space, which is every file's); a cleanup that deletes nothing (no
 * delete-on-close, no name or stream delete-pending); a close of a file that keeps a name (the last
 * close of a nameless file forgets its record). A create that fails is a read of the whole volume:
 * which file's share access or security refused it is not known after the fact. The fields of a
 * file that only whole requests change (names, security, reparse points) may be read by requests
 * on other files (an open checks its parent directory's security): they belong to the volume's
 * part, which every confined request reads. test/explore/factFootprints.test.ts checks confined
 * requests on random files and directories against brute force.
 */
import type { FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { streamOf } from './model.js';
import { parametersMember, unpackCreateOptions } from '../wdk/parameters.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_WRITE, SL_OPEN_TARGET_DIRECTORY } from '../wdk/irp.js';
import { FILE_DELETE_ON_CLOSE, FILE_OPEN, FILE_OPEN_BY_FILE_ID, FILE_OPEN_REQUIRING_OPLOCK, FILE_RESERVE_OPFILTER } from '../wdk/fileConstants.js';
import { STATUS_DISK_FULL, STATUS_SUCCESS } from '../wdk/ntstatus.js';

/** A request confined to one file: settle(done) records its footprint once it has run. */
export interface ConfinedRequest {
  settle(done: FsCompletion): void;
}

/** Options of a create that may touch more than the file it opens. */
const WIDE_CREATE_OPTIONS = FILE_DELETE_ON_CLOSE | FILE_OPEN_BY_FILE_ID | FILE_OPEN_REQUIRING_OPLOCK | FILE_RESERVE_OPFILTER;

/**
 * The request's confinement to one file, decided before it runs from the volume's part of the
 * state (which the request then reads), or null: it touches the whole volume.
 */
export function confinedRequest(state: FsState, request: FsRequest): ConfinedRequest | null {
  if (state.dismounted || state.oplocks.size > 0 || state.notifies.size > 0 || state.fileLocks.size > 0 || state.link.released.length > 0) return null;
  const major = request.MajorFunction;
  if (major === IRP_MJ_CREATE) return confinedOpen(state, request);
  const ctx = state.contexts.get(request.FileObject.id);
  if (ctx === undefined || ctx.kind !== 'file') return null;
  const node = ctx.node;
  switch (major) {
    case IRP_MJ_READ:
      return { settle: () => state.link.touchedFile(node.fileId, false) };
    case IRP_MJ_WRITE: {
      const body = streamOf(ctx);
      const length = body.data.length;
      const allocation = body.allocationSize;
      // Extending the stream reads the free space (every file's allocation) and may change it; refused for want of it, it read it.
      return { settle: (done) => (body.data.length === length && body.allocationSize === allocation && done.Status !== STATUS_DISK_FULL ? state.link.touchedFile(node.fileId, true) : state.link.touched(true)) };
    }
    case IRP_MJ_CLEANUP:
      return deletesNothing(ctx) ? { settle: () => state.link.touchedFile(node.fileId, true) } : null;
    case IRP_MJ_CLOSE:
      // A close cleans up first where the I/O path skipped the cleanup; the last close of a file without names forgets it.
      return (ctx.state === 'cleanedUp' || deletesNothing(ctx)) && keepsName(node) ? { settle: () => state.link.touchedFile(node.fileId, true) } : null;
    default:
      return null;
  }
}

function confinedOpen(state: FsState, request: FsRequest): ConfinedRequest | null {
  const params = parametersMember(request.Parameters, 'Create');
  if (params === null || typeof params !== 'object' || typeof params.Options !== 'number') return null;
  const { CreateDisposition, CreateOptions } = unpackCreateOptions(params.Options >>> 0);
  const fo = request.FileObject;
  if (CreateDisposition !== FILE_OPEN || (CreateOptions & WIDE_CREATE_OPTIONS) !== 0 || state.lockedBy !== null) return null;
  if (fo.fileName === '' || fo.relatedFileObjectId !== null || (request.OperationFlags & SL_OPEN_TARGET_DIRECTORY) !== 0 || state.contexts.has(fo.id)) return null;
  return {
    settle: (done) => {
      const ctx = state.contexts.get(fo.id);
      if (done.Status === STATUS_SUCCESS && ctx !== undefined && ctx.kind === 'file') state.link.touchedFile(ctx.node.fileId, true);
      // Refused, it changed nothing; what refused it (a file's share access, its security, a name) is the whole volume's to say.
      else state.link.touched(false);
    },
  };
}

/** Cleaning up this context removes no name, stream or file (lifecycle.ts). */
function deletesNothing(ctx: OpenContext): boolean {
  return !ctx.deleteOnClose && ctx.stream?.deletePending !== true && !ctx.node.links.some((l) => l.deletePending);
}

function keepsName(node: FsNode): boolean {
  return node.links.length > 0;
}
