/**
 * IoCheckShareAccess / IoUpdateShareAccess / IoRemoveShareAccess, as wdm.h documents them and
 * ReactOS implements them (ntoskrnl/io/iomgr/util.c). Pure functions over immutable records.
 *
 * Only opens that ask for read (FILE_READ_DATA | FILE_EXECUTE), write (FILE_WRITE_DATA |
 * FILE_APPEND_DATA) or DELETE take part; an attributes-only open is never counted and never
 * conflicts. A new open fails when it wants an access some existing open does not share, or when it
 * refuses to share an access some existing open holds.
 */
import {
  DELETE,
  FILE_APPEND_DATA,
  FILE_EXECUTE,
  FILE_READ_DATA,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_WRITE_DATA,
} from '../wdk/fileConstants.js';
import { STATUS_SHARING_VIOLATION, STATUS_SUCCESS } from '../wdk/ntstatus.js';

/** SHARE_ACCESS, one per file (FCB). */
export interface ShareAccess {
  readonly OpenCount: number;
  readonly Readers: number;
  readonly Writers: number;
  readonly Deleters: number;
  readonly SharedRead: number;
  readonly SharedWrite: number;
  readonly SharedDelete: number;
}

/** What IoSetShareAccess/IoUpdateShareAccess record on the FILE_OBJECT (ReadAccess, SharedRead …). */
export interface FileObjectShare {
  readonly ReadAccess: boolean;
  readonly WriteAccess: boolean;
  readonly DeleteAccess: boolean;
  readonly SharedRead: boolean;
  readonly SharedWrite: boolean;
  readonly SharedDelete: boolean;
}

export const EMPTY_SHARE_ACCESS: ShareAccess = {
  OpenCount: 0,
  Readers: 0,
  Writers: 0,
  Deleters: 0,
  SharedRead: 0,
  SharedWrite: 0,
  SharedDelete: 0,
};

export function fileObjectShareFor(desiredAccess: number, desiredShareAccess: number): FileObjectShare {
  return {
    ReadAccess: (desiredAccess & (FILE_EXECUTE | FILE_READ_DATA)) !== 0,
    WriteAccess: (desiredAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA)) !== 0,
    DeleteAccess: (desiredAccess & DELETE) !== 0,
    SharedRead: (desiredShareAccess & FILE_SHARE_READ) !== 0,
    SharedWrite: (desiredShareAccess & FILE_SHARE_WRITE) !== 0,
    SharedDelete: (desiredShareAccess & FILE_SHARE_DELETE) !== 0,
  };
}

function takesPart(share: FileObjectShare): boolean {
  return share.ReadAccess || share.WriteAccess || share.DeleteAccess;
}

/**
 * IoCheckShareAccess(DesiredAccess, DesiredShareAccess, FileObject, ShareAccess, Update).
 * Returns STATUS_SHARING_VIOLATION or STATUS_SUCCESS, and with Update the new ShareAccess.
 */
export function IoCheckShareAccess(
  desiredAccess: number,
  desiredShareAccess: number,
  shareAccess: ShareAccess,
  update: boolean,
): { Status: number; ShareAccess: ShareAccess; FileObject: FileObjectShare } {
  const fo = fileObjectShareFor(desiredAccess, desiredShareAccess);
  if (!takesPart(fo)) return { Status: STATUS_SUCCESS, ShareAccess: shareAccess, FileObject: fo };
  const open = shareAccess.OpenCount;
  const conflict =
    (fo.ReadAccess && shareAccess.SharedRead < open) ||
    (fo.WriteAccess && shareAccess.SharedWrite < open) ||
    (fo.DeleteAccess && shareAccess.SharedDelete < open) ||
    (shareAccess.Readers !== 0 && !fo.SharedRead) ||
    (shareAccess.Writers !== 0 && !fo.SharedWrite) ||
    (shareAccess.Deleters !== 0 && !fo.SharedDelete);
  if (conflict) return { Status: STATUS_SHARING_VIOLATION, ShareAccess: shareAccess, FileObject: fo };
  return { Status: STATUS_SUCCESS, ShareAccess: update ? IoUpdateShareAccess(fo, shareAccess) : shareAccess, FileObject: fo };
}

/** IoUpdateShareAccess / IoSetShareAccess: count this file object in. */
export function IoUpdateShareAccess(fo: FileObjectShare, shareAccess: ShareAccess): ShareAccess {
  if (!takesPart(fo)) return shareAccess;
  return adjust(shareAccess, fo, +1);
}

/** IoRemoveShareAccess: count this file object out (at IRP_MJ_CLEANUP). */
/** The share record of a file object that ignores sharing: it takes no part in share access. */
export const NO_SHARE: FileObjectShare = Object.freeze({
  ReadAccess: false,
  WriteAccess: false,
  DeleteAccess: false,
  SharedRead: true,
  SharedWrite: true,
  SharedDelete: true,
});

/** IoCheckShareAccess, unless the file object ignores sharing (IoIsFileObjectIgnoringSharing). */
export function checkShareUnlessIgnored(ignore: boolean | undefined, desiredAccess: number, desiredShare: number, shareAccess: ShareAccess): ReturnType<typeof IoCheckShareAccess> {
  if (ignore === true) return { Status: 0, ShareAccess: shareAccess, FileObject: NO_SHARE };
  return IoCheckShareAccess(desiredAccess, desiredShare, shareAccess, true);
}

export function IoRemoveShareAccess(fo: FileObjectShare, shareAccess: ShareAccess): ShareAccess {
  if (!takesPart(fo)) return shareAccess;
  return adjust(shareAccess, fo, -1);
}

function adjust(s: ShareAccess, fo: FileObjectShare, by: 1 | -1): ShareAccess {
  const n = (flag: boolean): number => (flag ? by : 0);
  return {
    OpenCount: s.OpenCount + by,
    Readers: s.Readers + n(fo.ReadAccess),
    Writers: s.Writers + n(fo.WriteAccess),
    Deleters: s.Deleters + n(fo.DeleteAccess),
    SharedRead: s.SharedRead + n(fo.SharedRead),
    SharedWrite: s.SharedWrite + n(fo.SharedWrite),
    SharedDelete: s.SharedDelete + n(fo.SharedDelete),
  };
}
