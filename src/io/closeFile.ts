/**
 * The end of an open: IRP_MJ_CLEANUP when the last handle closes, IRP_MJ_CLOSE when the last
 * reference goes (§11.3). For a file object opened by FltCreateFile* with an instance, both start
 * below that instance (§13 A6).
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE } from '../wdk/irp.js';
import { driveToCompletion } from './dispatch.js';
import type { FileObject } from './fileObject.js';
import { fileObjectClosed } from './fileObjectLifecycle.js';
import { startOperation } from './startOperation.js';
import { SYSTEM_SID } from './sids.js';

export function* closeHandle(fltMgr: FilterManager, fo: FileObject, handle: string | null): Blocking<void> {
  if (handle !== null) fltMgr.kernel.emit(fo.id, { type: 'FileObjectHandleClosed', handle });
  fo.handleCount--;
  if (fo.handleCount > 0) return;
  const op = startOperation(fltMgr, {
    volume: fo.volume,
    fileObject: fo,
    MajorFunction: IRP_MJ_CLEANUP,
    Parameters: { Cleanup: {} },
    RequestorMode: 'KernelMode',
    requestorSid: SYSTEM_SID,
    initiator: null,
    startBelow: fo.targetedInstance,
  });
  yield* driveToCompletion(fltMgr, op);
  fltMgr.kernel.emit(fo.id, { type: 'FileObjectCleanup' });
}

export function* dereferenceFileObject(fltMgr: FilterManager, fo: FileObject): Blocking<void> {
  fo.pointerCount--;
  if (fo.pointerCount > 0 || !lastReferenceGone(fo)) return;
  yield* sendClose(fltMgr, fo);
}

/**
 * Drop the reference a request held on its file object, where the caller cannot block (at
 * completion, possibly at DISPATCH_LEVEL): if it was the last, IRP_MJ_CLOSE goes out on a thread of
 * its own, as the object manager defers the delete.
 */
export function releaseRequestReference(fltMgr: FilterManager, fo: FileObject): void {
  fo.pointerCount--;
  if (fo.pointerCount > 0 || !lastReferenceGone(fo)) return;
  fltMgr.kernel.spawn(`Close(${fo.id})`, (function* () {
    yield* sendClose(fltMgr, fo);
    return 0;
  })());
}

/**
 * The I/O manager drops the reference it held on the file object for the whole create (§11.1,
 * §11.13; IopParseDevice). After a success the handle holds the object, so this is never the last
 * reference; after a failure it is, unless I/O a post-create issued on it is still in flight, in
 * which case that I/O's completion sends the close.
 */
export function releaseCreateReference(fltMgr: FilterManager, fo: FileObject): void {
  releaseRequestReference(fltMgr, fo);
}

/**
 * The last reference is gone. Returns whether the I/O manager now sends IRP_MJ_CLOSE itself: not
 * for an open the file system never granted (IopDeleteFile sends none), and not for a cancelled
 * open, whose close is handed to FltCancelFileOpen (it goes below the canceller).
 */
function lastReferenceGone(fo: FileObject): boolean {
  if (fo.state === 'OpenFailed') return false;
  if (fo.released !== null) {
    fo.released();
    return false;
  }
  return true;
}

function* sendClose(fltMgr: FilterManager, fo: FileObject): Blocking<void> {
  const op = startOperation(fltMgr, {
    volume: fo.volume,
    fileObject: fo,
    MajorFunction: IRP_MJ_CLOSE,
    Parameters: { Close: {} },
    RequestorMode: 'KernelMode',
    requestorSid: SYSTEM_SID,
    initiator: null,
    startBelow: fo.targetedInstance,
  });
  yield* driveToCompletion(fltMgr, op);
  fileObjectClosed(fltMgr, fo);
}
