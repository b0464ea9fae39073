/**
 * Where a name comes from when no provider answers: the file system (§16.2, §16.3).
 *
 * - An open file object: FltMgr asks the FS with IRP_MJ_QUERY_INFORMATION — FileNameInformation
 *   (OPENED), FileNormalizedNameInformation (NORMALIZED, Windows 8 and later), or
 *   FileAlternateNameInformation (SHORT) — sent straight to the file system, so no minifilter sees it.
 * - A file object not opened yet (pre-create, or a create that failed): OPENED is built from
 *   FileObject.FileName and its RelatedFileObject and succeeds even if nothing exists;
 *   NORMALIZED expands every existing component and keeps a missing final one; the parent's name
 *   with SL_OPEN_TARGET_DIRECTORY. A stream part is kept, without `:$DATA` in NORMALIZED.
 * - A volume open: the volume's name.
 */
import type { FilterManager } from '../filterManager.js';
import type { FileObject } from '../../io/fileObject.js';
import type { FsRequest } from '../../fs/types.js';
import type { FILE_NAME_INFORMATION } from '../../wdk/parameters.js';
import { FILE_INFORMATION_CLASS } from '../../wdk/fileConstants.js';
import { IRP_MJ_QUERY_INFORMATION } from '../../wdk/irp.js';
import { FLT_FILE_NAME_NORMALIZED, FLT_FILE_NAME_OPENED } from '../../wdk/nameConstants.js';
import { NT_SUCCESS, STATUS_MOUNT_POINT_NOT_RESOLVED, STATUS_REPARSE, STATUS_SUCCESS, type NTSTATUS } from '../../wdk/ntstatus.js';

export interface SourcedName {
  readonly status: NTSTATUS;
  readonly name: string;
}

const CLASS_OF_FORMAT: Readonly<Record<number, number>> = {
  [FLT_FILE_NAME_OPENED]: FILE_INFORMATION_CLASS.FileNameInformation,
  [FLT_FILE_NAME_NORMALIZED]: FILE_INFORMATION_CLASS.FileNormalizedNameInformation,
};

/** The volume-relative path a file object was opened by, from FileName and its related file objects. */
export function typedPath(fo: FileObject): string {
  const related = fo.RelatedFileObject;
  if (related === null) return fo.FileName;
  const base = typedPath(related);
  return base === '\\' || base === '' ? `\\${fo.FileName}` : `${base}\\${fo.FileName}`;
}

/** Split `name:stream[:$DATA]` of a final component; NORMALIZED drops `:$DATA` (and `::$DATA` entirely). */
export function splitStream(path: string, format: number): { path: string; stream: string } {
  const slash = path.lastIndexOf('\\');
  const colon = path.indexOf(':', slash + 1);
  if (colon < 0) return { path, stream: '' };
  const stream = path.slice(colon);
  if (format !== FLT_FILE_NAME_NORMALIZED) return { path: path.slice(0, colon), stream };
  const parts = stream.split(':').slice(1).filter((p) => p !== '' && p.toUpperCase() !== '$DATA');
  return { path: path.slice(0, colon), stream: parts.length === 0 ? '' : `:${parts.join(':')}` };
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('\\');
  return slash <= 0 ? '\\' : path.slice(0, slash);
}

function join(volumeName: string, path: string): string {
  return path.startsWith('\\') ? volumeName + path : `${volumeName}\\${path}`;
}

/**
 * The name of a file object that is not open at the file system (pre-create, failed create). An
 * open by file id has no path to build from: FltMgr asks the file system which file the id names
 * (§21.4), for either format [model: the opened name of such an open is its path].
 */
export function unopenedName(fltMgr: FilterManager, fo: FileObject, format: number, targetDirectory: boolean, byFileId: boolean): SourcedName {
  const volumeName = fo.volume.name;
  let result: SourcedName;
  if (byFileId) {
    const lookup = fo.volume.fileSystem.pathOfFileId(fo.FileName);
    result = lookup.status === STATUS_SUCCESS ? { status: STATUS_SUCCESS, name: join(volumeName, lookup.name) } : { status: lookup.status, name: '' };
  } else if (format === FLT_FILE_NAME_OPENED) {
    const { path, stream } = splitStream(typedPath(fo), format);
    result = { status: STATUS_SUCCESS, name: join(volumeName, targetDirectory ? parentOf(path) : path + stream) };
  } else {
    const { path, stream } = splitStream(fo.FileName, format);
    const lookup = fo.volume.fileSystem.normalizeUnopenedName(path, fo.RelatedFileObject?.id ?? null);
    if (lookup.status === STATUS_SUCCESS) {
      result = { status: STATUS_SUCCESS, name: join(volumeName, targetDirectory ? parentOf(lookup.name) : lookup.name + stream) };
    } else {
      // A reparse point on the way: the name is wherever the I/O manager will reparse it [model].
      result = { status: lookup.status === STATUS_REPARSE ? STATUS_MOUNT_POINT_NOT_RESOLVED : lookup.status, name: '' };
    }
  }
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileSystemNameQuery', format, status: result.status, name: result.name });
  return result;
}

/** Ask the file system for the name of an open file object. */
export function openedObjectName(fltMgr: FilterManager, fo: FileObject, format: number): SourcedName {
  const volumeName = fo.volume.name;
  let result: SourcedName;
  if (fo.FileName === '' && fo.RelatedFileObject === null) {
    result = { status: STATUS_SUCCESS, name: volumeName };
  } else {
    const FileInformationClass = CLASS_OF_FORMAT[format] ?? FILE_INFORMATION_CLASS.FileAlternateNameInformation;
    const request: FsRequest = {
      MajorFunction: IRP_MJ_QUERY_INFORMATION,
      MinorFunction: 0,
      IrpFlags: 0,
      OperationFlags: 0,
      FileObject: fo.fsRef(),
      Parameters: { QueryFileInformation: { Length: 65536, FileInformationClass } },
      RequestorMode: 'KernelMode',
      requestorSid: 'S-1-5-18',
    };
    const completion = fo.volume.fileSystem.dispatch(request);
    const info = completion.output?.kind === 'fileInformation' ? (completion.output.info as FILE_NAME_INFORMATION) : null;
    if (!NT_SUCCESS(completion.Status) || info === null) result = { status: NT_SUCCESS(completion.Status) ? STATUS_MOUNT_POINT_NOT_RESOLVED : completion.Status, name: '' };
    else result = { status: STATUS_SUCCESS, name: format === FLT_FILE_NAME_OPENED || format === FLT_FILE_NAME_NORMALIZED ? join(volumeName, info.FileName) : info.FileName };
  }
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileSystemNameQuery', format, status: result.status, name: result.name });
  return result;
}
