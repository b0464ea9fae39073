/**
 * Requests on a file object whose IRP_MJ_CLEANUP has run but whose IRP_MJ_CLOSE has not yet come
 * (FO_CLEANUP_COMPLETE set, §21.2). Filters issue them from post-cleanup — the delete sample asks
 * FileStandardInformation and FSCTL_GET_OBJECT_ID there to learn whether that cleanup removed the
 * file — and the cache and memory managers still issue paging I/O. CLEANUP and CLOSE never get here.
 *
 * NTFS (the default personality), per request class:
 * - paging read/write: served as on an open file object;
 * - the file's state — QUERY_INFORMATION, FILE_SYSTEM_CONTROL, QUERY_SECURITY: served while the file
 *   exists (delete-pending included: DeletePending is TRUE), STATUS_FILE_DELETED once the last
 *   cleanup has removed it; on a named stream (§21.5) QUERY_INFORMATION is STATUS_FILE_DELETED as
 *   soon as that stream is removed, while FSCTLs (FSCTL_GET_OBJECT_ID) and QUERY_SECURITY still
 *   answer for the file that holds it — which is how the delete sample tells a stream's deletion
 *   from the file's;
 * - the volume's state — QUERY_VOLUME_INFORMATION: served;
 * - everything that acts through the handle — read, write, directory enumeration, set information,
 *   set security, flush, device control: STATUS_FILE_CLOSED.
 * FAT: FastFat's FatVerifyOperationIsLegal: STATUS_FILE_CLOSED for everything but paging read/write,
 * QUERY_INFORMATION and SET_INFORMATION.
 */
import type { FsState, OpenContext } from './model.js';
import type { FsRequest } from './types.js';
import {
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MN_NOTIFY_CHANGE_DIRECTORY,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_SECURITY,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_WRITE,
  IRP_PAGING_IO,
} from '../wdk/irp.js';
import { STATUS_FILE_CLOSED, STATUS_FILE_DELETED, STATUS_NOTIFY_CLEANUP, type NTSTATUS } from '../wdk/ntstatus.js';

const FILE_STATE_QUERIES: ReadonlySet<number> = new Set([IRP_MJ_QUERY_INFORMATION, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_QUERY_SECURITY]);
const FAT_ALLOWED: ReadonlySet<number> = new Set([IRP_MJ_QUERY_INFORMATION, IRP_MJ_SET_INFORMATION]);

/** The status a request on a cleaned-up file object fails with, or null when it is served. */
export function afterCleanupStatus(state: FsState, request: FsRequest, ctx: OpenContext): NTSTATUS | null {
  const major = request.MajorFunction;
  const pagingIo = (request.IrpFlags & IRP_PAGING_IO) !== 0 && (major === IRP_MJ_READ || major === IRP_MJ_WRITE);
  if (pagingIo) return null;
  // FsRtlNotifyFullChangeDirectory on a handle already cleaned up (§21.9), on both personalities.
  if (major === IRP_MJ_DIRECTORY_CONTROL && request.MinorFunction === IRP_MN_NOTIFY_CHANGE_DIRECTORY) return STATUS_NOTIFY_CLEANUP;
  if (state.options.fsType === 'FAT') return FAT_ALLOWED.has(major) ? null : STATUS_FILE_CLOSED;
  if (major === IRP_MJ_QUERY_VOLUME_INFORMATION) return null;
  if (!FILE_STATE_QUERIES.has(major)) return STATUS_FILE_CLOSED;
  // A query about the opened stream sees that stream gone; an FSCTL or a security query is about the
  // file, which lives on when only a named stream was deleted (§21.2, §21.5).
  if (major === IRP_MJ_QUERY_INFORMATION && ctx.stream?.deleted === true) return STATUS_FILE_DELETED;
  return fileRemoved(state, ctx) ? STATUS_FILE_DELETED : null;
}

/** The file's last name is gone (its last cleanup deleted it); the record lives on until the last close. */
export function fileRemoved(state: FsState, ctx: OpenContext): boolean {
  return ctx.kind === 'file' && ctx.node !== state.root && ctx.node.links.length === 0;
}
