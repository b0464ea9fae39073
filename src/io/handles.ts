/**
 * Handles to file objects: the application handle table of the I/O manager and the kernel handle
 * table FltCreateFile* uses share these steps. A handle holds one reference on its file object;
 * closing the last handle sends IRP_MJ_CLEANUP, dropping the last reference sends IRP_MJ_CLOSE.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { FO_HANDLE_CREATED } from '../wdk/fileConstants.js';
import { closeHandle, dereferenceFileObject } from './closeFile.js';
import type { FileObject } from './fileObject.js';

export function createHandle(fltMgr: FilterManager, table: Map<string, FileObject>, fo: FileObject): string {
  const handle = fltMgr.kernel.nextId('H');
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectHandleCreated', handle });
  fo.Flags = (fo.Flags | FO_HANDLE_CREATED) >>> 0;
  fo.handleCount++;
  fo.pointerCount++;
  table.set(handle, fo);
  return handle;
}

/** Close a handle from `table`; false if it is not there (STATUS_INVALID_HANDLE for the caller). */
export function* closeHandleIn(fltMgr: FilterManager, table: Map<string, FileObject>, handle: string): Blocking<boolean> {
  const fo = table.get(handle);
  if (fo === undefined) return false;
  table.delete(handle);
  yield* closeHandle(fltMgr, fo, handle);
  yield* dereferenceFileObject(fltMgr, fo);
  return true;
}

export function handlesOf(table: Map<string, FileObject>, fo: FileObject): string[] {
  const out: string[] = [];
  for (const [h, f] of table) if (f === fo) out.push(h);
  return out;
}
