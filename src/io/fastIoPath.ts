/**
 * When the I/O manager tries the fast-I/O path before building an IRP (§8, §20.2, §24.2), under
 * `semantics.fastIo: 'whereWindows'` (src/fltmgr/semantics.ts says why 'never' is the default).
 *
 * The I/O manager calls a file system's FAST_IO_DISPATCH routine first only for synchronous file
 * objects (FO_SYNCHRONOUS_IO) and, of the operations that can be either:
 * - IRP_MJ_READ / IRP_MJ_WRITE: when caching is initiated on the file object (PrivateCacheMap set)
 *   and the request is cached (no IRP_NOCACHE, no paging I/O, intermediate buffering allowed);
 * - IRP_MJ_QUERY_INFORMATION: for FileBasicInformation, FileStandardInformation and
 *   FileNetworkOpenInformation, the classes FAST_IO_DISPATCH has routines for.
 * IRP_MJ_LOCK_CONTROL and IRP_MJ_DEVICE_CONTROL can be fast I/O on Windows too; fltsim sends them as
 * IRPs (the in-memory file system has no FastIoLock or FastIoDeviceControl: a file system without
 * the routine gets the IRP).
 *
 * A fast operation that ends in STATUS_FLT_DISALLOW_FAST_IO — a minifilter returned
 * FLT_PREOP_DISALLOW_FASTIO, or the file system's routine returned FALSE — is sent again as an IRP,
 * from the top of the stack, as a new operation.
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import { FILE_INFORMATION_CLASS } from '../wdk/informationClasses.js';
import { FO_NO_INTERMEDIATE_BUFFERING, FO_SYNCHRONOUS_IO } from '../wdk/fileObjectConstants.js';
import { IRP_MJ_QUERY_INFORMATION, IRP_MJ_READ, IRP_MJ_WRITE, IRP_NOCACHE, IRP_PAGING_IO } from '../wdk/irp.js';
import type { FltParameters } from '../wdk/parameters.js';
import type { FileObject } from './fileObject.js';

const FAST_QUERY_CLASSES: ReadonlySet<number> = new Set([
  FILE_INFORMATION_CLASS.FileBasicInformation,
  FILE_INFORMATION_CLASS.FileStandardInformation,
  FILE_INFORMATION_CLASS.FileNetworkOpenInformation,
]);

/** Does the I/O manager try the fast path first for this request on `fo`? */
export function triesFastIoFirst(fltMgr: FilterManager, fo: FileObject, MajorFunction: number, Parameters: FltParameters, IrpFlags: number): boolean {
  if (fltMgr.options.semantics.fastIo !== 'whereWindows' || (fo.Flags & FO_SYNCHRONOUS_IO) === 0) return false;
  switch (MajorFunction) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
      return fo.PrivateCacheMap && (IrpFlags & (IRP_NOCACHE | IRP_PAGING_IO)) === 0 && (fo.Flags & FO_NO_INTERMEDIATE_BUFFERING) === 0;
    case IRP_MJ_QUERY_INFORMATION: {
      const cls = (Parameters as { QueryFileInformation?: { FileInformationClass: number } }).QueryFileInformation?.FileInformationClass;
      return cls !== undefined && FAST_QUERY_CLASSES.has(cls);
    }
    default:
      return false;
  }
}
