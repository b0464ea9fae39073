/**
 * IoReplaceFileObjectName(FileObject, NewFileName, FileNameLength) (ntifs.h, Windows 7, PASSIVE_LEVEL):
 * the I/O manager replaces the name of a file object and owns the new buffer. A filter that
 * simulates a reparse point (simrep) calls it in pre-create, then completes the create with
 * STATUS_REPARSE and Information IO_REPARSE; the I/O manager re-parses the new name from the top
 * (src/io/reparseResolution.ts).
 *
 * Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER when the file object has no name to replace
 * (a volume open) [doc]. [model] Only a file object no file system has opened yet takes a new name:
 * for an opened one the name is what the file system opened, so the model refuses with
 * STATUS_INVALID_PARAMETER (and a RoutineFailed fact) rather than let the two disagree.
 */
import { UsageError } from '../kernel/errors.js';
import { checkIrql, PASSIVE_LEVEL } from '../sync/irql.js';
import { fail } from '../fltmgr/routineSupport.js';
import { STATUS_INVALID_PARAMETER, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { FileObject } from './fileObject.js';

const ROUTINE = 'IoReplaceFileObjectName';

export function IoReplaceFileObjectName(FileObject_: FileObject, NewFileName: string, FileNameLength: number): NTSTATUS {
  if (!(FileObject_ instanceof FileObject)) throw new UsageError('BAD_ARGUMENT', `${ROUTINE}: FileObject is not a FILE_OBJECT`);
  if (typeof NewFileName !== 'string') throw new UsageError('BAD_ARGUMENT', `${ROUTINE}: NewFileName is ${typeof NewFileName}, not a string`);
  if (!Number.isInteger(FileNameLength) || FileNameLength < 0 || FileNameLength > 0xffff || FileNameLength % 2 !== 0) {
    throw new UsageError('BAD_ARGUMENT', `${ROUTINE}: FileNameLength ${String(FileNameLength)} is not a USHORT count of bytes of WCHARs`);
  }
  if (FileNameLength / 2 > NewFileName.length) throw new UsageError('BAD_ARGUMENT', `${ROUTINE}: FileNameLength ${FileNameLength} is longer than NewFileName (${NewFileName.length * 2} bytes)`);
  const fltMgr = FileObject_.volume.fltMgr;
  const thread = fltMgr.kernel.current;
  if (thread !== null) checkIrql(fltMgr.kernel, thread, ROUTINE, PASSIVE_LEVEL);
  if (FileObject_.FileName === '') return fail(fltMgr, FileObject_.id, ROUTINE, STATUS_INVALID_PARAMETER, `${FileObject_} is a volume open: it has no name to replace`);
  if (!FileObject_.actor.getSnapshot().matches('Opening')) {
    return fail(fltMgr, FileObject_.id, ROUTINE, STATUS_INVALID_PARAMETER, `${FileObject_} is ${FileObject_.state}: only a file object not yet opened takes a new name`);
  }
  const fileName = NewFileName.slice(0, FileNameLength / 2);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: FileObject_.id, type: 'IoReplaceFileObjectName', fileName });
  FileObject_.FileName = fileName;
  return STATUS_SUCCESS;
}
