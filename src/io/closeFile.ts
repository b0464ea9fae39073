/**
 * The end of an open: IRP_MJ_CLEANUP when the last handle closes, IRP_MJ_CLOSE when the last
 * reference goes (§11.3). For a file object opened by FltCreateFile* with an instance, both start
 * below that instance (§13 A6).
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { IRP_MJ_CLEANUP } from '../wdk/irp.js';
import { driveToCompletion } from './dispatch.js';
import type { FileObject } from './fileObject.js';
import { lastReferenceGone, releaseRequestReference, sendClose, startOperation } from './startOperation.js';
import { SYSTEM_SID } from '../kernel/sids.js';

export function* closeHandle(fltMgr: FilterManager, fo: FileObject, handle: string | null): Blocking<void> {
  if (handle !== null) fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectHandleClosed', handle });
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
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectCleanup' });
}

export function* dereferenceFileObject(fltMgr: FilterManager, fo: FileObject): Blocking<void> {
  fo.pointerCount--;
  if (fo.pointerCount > 0 || !lastReferenceGone(fo)) return;
  yield* sendClose(fltMgr, fo);
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
