/**
 * The bottom of the stack for a fast I/O operation (§8, §20.2, §24.2): the file system's FAST_IO_DISPATCH
 * routine, called on the issuing thread. It never pends and never parks: it either does the request
 * now (returns TRUE; the request's status is the file system's, logged as FsComplete) or returns
 * FALSE (FsFastIoDeclined), after which FltMgr completes the fast operation with
 * STATUS_FLT_DISALLOW_FAST_IO, the post-ops of the instances that asked run, and the I/O manager
 * sends the request again as an IRP.
 *
 * When the in-memory file system's fast routine does the request, as FastFat's and NTFS's do:
 * - read and write: only on a file object with caching initiated (the I/O manager tries nothing
 *   else), and not when a byte-range lock conflicts (FsRtlFastCheckLockForRead/Write fail, so
 *   FastIoCheckIfPossible says no and the IRP gets the conflict), nor when an oplock break would make
 *   it wait (FsRtlOplockIsFastIoPossible, §21.8);
 * - FileBasicInformation, FileStandardInformation, FileNetworkOpenInformation queries: always;
 * - IRP_MJ_NETWORK_QUERY_OPEN (FastIoQueryOpen): always; the file system opens, queries and closes
 *   the file inside the call (src/fs/queryOpen.ts).
 * A request a hold (src/fs/holds.ts) would keep is declined: a fast routine cannot wait for it.
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import { IRP_MJ_NETWORK_QUERY_OPEN, IRP_MJ_QUERY_INFORMATION, IRP_MJ_READ, IRP_MJ_WRITE } from '../wdk/irp.js';
import { STATUS_FILE_LOCK_CONFLICT, STATUS_FLT_DISALLOW_FAST_IO } from '../wdk/ntstatus.js';
import type { FsCompletion, FsRequest } from '../fs/types.js';
import type { IoOperation } from './ioOperation.js';
import { beginPost, currentFingerprint } from './walkSteps.js';

/** What the fast routine did: the file system's answer, or null for FALSE (the I/O manager will send an IRP). */
export type FastIoAnswer = FsCompletion | null;

/**
 * Send a fast I/O operation to the file system's fast routine. `dispatch` sends it as the IRP path
 * would (transfer checks and data delivery included); `apply` records a completion as the IRP path does.
 */
export function fastIoStage(fltMgr: FilterManager, op: IoOperation, dispatch: () => FsCompletion, request: () => FsRequest, apply: (result: FsCompletion) => void): void {
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FsDispatch', parameters: currentFingerprint(op) });
  const answer = fastIoRoutine(op, dispatch, request);
  if (answer === null) {
    fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FsFastIoDeclined' });
    op.data.IoStatus = { Status: STATUS_FLT_DISALLOW_FAST_IO, Information: 0 };
    op.fastIoRefused = true;
  } else {
    apply(answer);
  }
  beginPost(op);
}

function fastIoRoutine(op: IoOperation, dispatch: () => FsCompletion, request: () => FsRequest): FastIoAnswer {
  const fo = op.currentIopb.TargetFileObject!; // fast I/O always has a file object (PnP and shutdown are IRPs)
  const fs = op.volume.fileSystem;
  if (fs.holds.length > 0 && fs.holdFor({ operation: op.id, MajorFunction: op.major, fileName: fo.FileName, fileObject: fo.id }) !== null) return null;
  switch (op.major) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE: {
      if (!fo.PrivateCacheMap) return null;
      const result = dispatch();
      // A lock conflict does nothing to the file: FastIoCheckIfPossible said no, and the IRP reports it.
      // STATUS_FLT_DISALLOW_FAST_IO: an oplock break it would have to wait for (FsRtlOplockIsFastIoPossible, §21.8).
      return result.Status === STATUS_FILE_LOCK_CONFLICT || result.Status === STATUS_FLT_DISALLOW_FAST_IO ? null : result;
    }
    case IRP_MJ_QUERY_INFORMATION:
      return dispatch();
    case IRP_MJ_NETWORK_QUERY_OPEN:
      return fs.fastQueryOpen(request());
    default:
      return null;
  }
}
