/** Creating file objects and recording their changes: every change is a fact first. */
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import type { TransactionObject } from '../fltmgr/transactionObjects.js';
import { fileObjectMachine } from '../machines/fileObject.js';
import { FO_VOLUME_OPEN } from '../wdk/fileObjectConstants.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import { FileObject } from './fileObject.js';

export function createFileObject(
  fltMgr: FilterManager,
  volume: VolumeObject,
  fileName: string,
  related: FileObject | null,
  targetedInstance: InstanceObject | null,
  transaction: TransactionObject | null = null,
): FileObject {
  const id = fltMgr.kernel.nextId('O');
  fltMgr.kernel.emitFact({
    seq: 0, time: 0, object: id,
    type: 'FileObjectCreate',
    volume: volume.id,
    fileName,
    relatedFileObject: related?.id ?? null,
    targetedInstance: targetedInstance?.id ?? null,
    ...(transaction === null ? {} : { transaction: transaction.id }),
  });
  const actor = fltMgr.kernel.startMachine(fileObjectMachine);
  fltMgr.kernel.attachActor(id, actor);
  const fo = new FileObject(id, volume, fileName, related, targetedInstance, actor);
  fo.Flags = initialFileObjectFlags(fileName, related?.id ?? null);
  fltMgr.fileObjects.set(id, fo);
  if (transaction !== null) {
    // A transacted file object keeps its transaction referenced until its close (§22.4).
    fo.transaction = transaction;
    fltMgr.transactions.reference(transaction, id);
  }
  return fo;
}

/**
 * FO_VOLUME_OPEN is the I/O manager's, not the file system's: an open with no name left and no
 * related file object is a volume open from the moment the file object exists, so a pre-create can
 * test it (MetadataManager's FmmPreCreate asserts exactly this). Shared with the fold.
 */
export function initialFileObjectFlags(fileName: string, relatedFileObject: string | null): number {
  return fileName === '' && relatedFileObject === null ? FO_VOLUME_OPEN : 0;
}

/** A file object that goes (closed, or its open failed) lets its transaction go. */
function releaseTransaction(fltMgr: FilterManager, fo: FileObject): void {
  if (fo.transaction !== null) fltMgr.transactions.dereference(fo.transaction, fo.id);
}

export function fileObjectOpened(fltMgr: FilterManager, fo: FileObject, flags: number): void {
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectOpened', flags });
  fo.Flags = flags;
}

export function updateFileObject(fltMgr: FilterManager, fo: FileObject, currentByteOffset: number, flags: number): void {
  if (currentByteOffset === fo.CurrentByteOffset && flags === fo.Flags) return;
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectUpdate', currentByteOffset, flags });
  fo.CurrentByteOffset = currentByteOffset;
  fo.Flags = flags;
}

export function fileObjectOpenFailed(fltMgr: FilterManager, fo: FileObject, status: NTSTATUS): void {
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectOpenFailed', status });
  fltMgr.fileObjects.delete(fo.id);
  fltMgr.kernel.retireActor(fo.id);
  releaseTransaction(fltMgr, fo);
}

/** The stack-based file object of a fast query open goes when the query returns (IRP_MJ_NETWORK_QUERY_OPEN, §24.2). */
export function fileObjectDiscarded(fltMgr: FilterManager, fo: FileObject): void {
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectDiscarded' });
  fltMgr.fileObjects.delete(fo.id);
  fltMgr.kernel.retireActor(fo.id);
}

export function fileObjectClosed(fltMgr: FilterManager, fo: FileObject): void {
  // Names cached for this file object (and its stream, if it was the last) go with it (§16.5).
  fltMgr.names.fileObjectClosed(fo.id);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectClose' });
  fltMgr.fileObjects.delete(fo.id);
  fltMgr.kernel.retireActor(fo.id);
  releaseTransaction(fltMgr, fo);
}
