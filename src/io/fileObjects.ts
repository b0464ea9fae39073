/** Creating file objects and recording their changes: every change is a fact first. */
import { createActor } from 'xstate';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import { fileObjectMachine } from '../machines/fileObject.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import { FileObject } from './fileObject.js';

export function createFileObject(
  mgr: FilterManager,
  volume: VolumeObject,
  fileName: string,
  related: FileObject | null,
  targetedInstance: InstanceObject | null,
): FileObject {
  const id = mgr.kernel.nextId('O');
  mgr.kernel.emit(id, {
    type: 'FileObjectCreate',
    volume: volume.id,
    fileName,
    relatedFileObject: related?.id ?? null,
    targetedInstance: targetedInstance?.id ?? null,
  });
  const actor = createActor(fileObjectMachine, { input: { reject: mgr.kernel.rejectEvent } }).start();
  mgr.kernel.attachActor(id, actor);
  const fo = new FileObject(id, volume, fileName, related, targetedInstance, actor);
  mgr.fileObjects.set(id, fo);
  return fo;
}

export function fileObjectOpened(mgr: FilterManager, fo: FileObject, flags: number): void {
  mgr.kernel.emit(fo.id, { type: 'FileObjectOpened', flags });
  fo.Flags = flags;
}

export function updateFileObject(mgr: FilterManager, fo: FileObject, currentByteOffset: number, flags: number): void {
  if (currentByteOffset === fo.CurrentByteOffset && flags === fo.Flags) return;
  mgr.kernel.emit(fo.id, { type: 'FileObjectUpdate', currentByteOffset, flags });
  fo.CurrentByteOffset = currentByteOffset;
  fo.Flags = flags;
}

export function fileObjectOpenFailed(mgr: FilterManager, fo: FileObject, status: NTSTATUS): void {
  mgr.kernel.emit(fo.id, { type: 'FileObjectOpenFailed', status });
  mgr.fileObjects.delete(fo.id);
}

export function fileObjectClosed(mgr: FilterManager, fo: FileObject): void {
  mgr.kernel.emit(fo.id, { type: 'FileObjectClose' });
  mgr.fileObjects.delete(fo.id);
}
