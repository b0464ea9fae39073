/**
 * Directory change notification from an application (§21.9): NtNotifyChangeDirectoryFile, and
 * Win32's ReadDirectoryChangesW with an OVERLAPPED, through `sim.io`. Each is one
 * IRP_MJ_DIRECTORY_CONTROL / IRP_MN_NOTIFY_CHANGE_DIRECTORY from the top of the stack, with the
 * caller's buffer as NotifyDirectory.DirectoryBuffer and SL_WATCH_TREE for a subtree watch; the
 * FILE_NOTIFY_INFORMATION chain lands in that buffer (decodeFileNotifyInformation reads it).
 *
 * The request stays pending in the file system until a matching change: NtNotifyChangeDirectoryFile
 * blocks its thread; ReadDirectoryChangesW on an asynchronous handle returns STATUS_PENDING and
 * completes the OVERLAPPED (InternalHigh = bytes returned).
 */
import type { Blocking } from '../kernel/effects.js';
import type { OVERLAPPED } from '../fltmgr/portObjects.js';
import { FO_SYNCHRONOUS_IO } from '../wdk/fileConstants.js';
import { IRP_MJ_DIRECTORY_CONTROL, IRP_MN_NOTIFY_CHANGE_DIRECTORY, SL_WATCH_TREE } from '../wdk/irp.js';
import type { FltParameters } from '../wdk/parameters.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import { requestOverlapped } from './overlappedIo.js';
import type { IoManager } from './ioManager.js';

export function notifyParameters(Buffer: Uint8Array | null, Length: number, CompletionFilter: number): FltParameters {
  return { DirectoryControl: { NotifyDirectory: { Length, CompletionFilter, DirectoryBuffer: Buffer, MdlAddress: null } } };
}

/** ReadDirectoryChangesW(hDirectory, lpBuffer, nBufferLength, bWatchSubtree, dwNotifyFilter, …, lpOverlapped, NULL). */
export function* readDirectoryChangesW(io: IoManager, handle: string, lpBuffer: Uint8Array, bWatchSubtree: boolean, dwNotifyFilter: number, overlapped: OVERLAPPED): Blocking<NTSTATUS> {
  const fo = io.fileObject(handle);
  if (fo !== undefined && (fo.Flags & FO_SYNCHRONOUS_IO) !== 0) {
    const r = yield* io.NtNotifyChangeDirectoryFile(handle, lpBuffer, dwNotifyFilter, bWatchSubtree);
    Object.assign(overlapped, { Internal: r.status, InternalHigh: r.information });
    return r.status;
  }
  return yield* requestOverlapped(io.fltMgrOf(), io, handle, IRP_MJ_DIRECTORY_CONTROL, notifyParameters(lpBuffer, lpBuffer.length, dwNotifyFilter), overlapped, undefined, {
    MinorFunction: IRP_MN_NOTIFY_CHANGE_DIRECTORY,
    OperationFlags: bWatchSubtree ? SL_WATCH_TREE : 0,
  });
}
