/**
 * I/O from above the stack, as sim.io offers it: the native API (ioManagerNative.ts, which extends
 * the KTM calls of ioManagerTransactions.ts) and, here, the Win32 calls an application makes with an
 * OVERLAPPED (ReadFile, WriteFile, DeviceIoControl, LockFileEx, ReadDirectoryChangesW,
 * GetOverlappedResult), the cancel calls (§19.1) and file mappings (§24.1). On an asynchronous
 * handle a call returns STATUS_PENDING and completes the OVERLAPPED later.
 */
import { booleanArgument, bufferArgument, optionalRecordArgument, recordArgument, stringArgument } from '../kernel/arguments.js';
import type { Blocking } from '../kernel/effects.js';
import { FO_SYNCHRONOUS_IO } from '../wdk/fileConstants.js';
import { IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MN_USER_FS_REQUEST } from '../wdk/irp.js';
import { STATUS_INVALID_HANDLE, STATUS_PENDING, STATUS_INVALID_PARAMETER, type NTSTATUS } from '../wdk/ntstatus.js';
import type { FsctlInput } from '../wdk/parameters.js';
import type { OVERLAPPED } from '../fltmgr/portObjects.js';
import { overlappedArgument } from '../fltmgr/portArguments.js';
import { cancelIoEx, cancelIoFile, cancelSynchronousIo, getOverlappedResult, readFileOverlapped, requestOverlapped, writeFileOverlapped } from './overlappedIo.js';
import { lockFileEx, unlockFileEx } from './lockFile.js';
import { readDirectoryChangesW } from './directoryChanges.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SectionHandle } from '../fltmgr/sectionObjects.js';
import { createFileMapping } from '../issuedIo/mappedFiles.js';
import { appArguments, refusedEvent, refused, dataArgument } from './ioManagerArguments.js';
import type { IoResult } from './ioManagerTypes.js';
import type { HandleFailure } from '../fltmgr/win32Handles.js';
import { NativeIoManager } from './ioManagerNative.js';

export type { CreateFileOptions, CreateFileResult, IoResult, Requestor } from './ioManagerTypes.js';

export class IoManager extends NativeIoManager {
  /** ReadDirectoryChangesW(hDirectory, lpBuffer, nBufferLength, bWatchSubtree, dwNotifyFilter, …, lpOverlapped): STATUS_PENDING on an asynchronous handle until a change; decodeFileNotifyInformation(lpBuffer, InternalHigh) reads the result. */
  ReadDirectoryChangesW(handle: string, lpBuffer: Uint8Array, bWatchSubtree: boolean, dwNotifyFilter: number, lpOverlapped: OVERLAPPED): Blocking<NTSTATUS> {
    appArguments('ReadDirectoryChangesW', handle, { dwNotifyFilter });
    bufferArgument('ReadDirectoryChangesW', 'lpBuffer', lpBuffer, false);
    booleanArgument('ReadDirectoryChangesW', 'bWatchSubtree', bWatchSubtree);
    overlappedArgument('ReadDirectoryChangesW', lpOverlapped);
    const failure = refusedEvent('ReadDirectoryChangesW', this.handles.has(handle), lpOverlapped);
    if (failure !== null) return refused(this.fltMgr.kernel, 'ReadDirectoryChangesW', failure);
    return readDirectoryChangesW(this, handle, lpBuffer, bWatchSubtree, dwNotifyFilter, lpOverlapped);
  }

  /**
   * DeviceIoControl with an OVERLAPPED for a file-system control code (FSCTL_*, device type
   * FILE_DEVICE_FILE_SYSTEM): IRP_MJ_FILE_SYSTEM_CONTROL / IRP_MN_USER_FS_REQUEST. On an asynchronous
   * handle a request the file system keeps (a granted oplock, §21.8) returns STATUS_PENDING and
   * completes the OVERLAPPED later. Other control codes: STATUS_INVALID_PARAMETER [not modelled].
   */
  *DeviceIoControl(handle: string, dwIoControlCode: number, lpInBuffer: FsctlInput | null, nInBufferSize: number, nOutBufferSize: number, lpOverlapped: OVERLAPPED): Blocking<NTSTATUS> {
    appArguments('DeviceIoControl', handle, { dwIoControlCode, nInBufferSize, nOutBufferSize });
    lpInBuffer = optionalRecordArgument('DeviceIoControl', 'lpInBuffer', lpInBuffer);
    overlappedArgument('DeviceIoControl', lpOverlapped);
    const failure = refusedEvent('DeviceIoControl', this.handles.has(handle), lpOverlapped);
    if (failure !== null) return yield* refused(this.fltMgr.kernel, 'DeviceIoControl', failure);
    if (dwIoControlCode >>> 16 !== 0x0009) return STATUS_INVALID_PARAMETER;
    const fo = this.handles.get(handle);
    if (fo !== undefined && (fo.Flags & FO_SYNCHRONOUS_IO) !== 0) {
      const r = yield* this.NtFsControlFile(handle, dwIoControlCode, lpInBuffer, nInBufferSize, nOutBufferSize);
      Object.assign(lpOverlapped, { Internal: r.status, InternalHigh: r.information });
      return r.status;
    }
    const Parameters = { FileSystemControl: { FsControlCode: dwIoControlCode, InputBufferLength: nInBufferSize, OutputBufferLength: nOutBufferSize, InputBuffer: lpInBuffer } };
    return yield* requestOverlapped(this.fltMgr, this, handle, IRP_MJ_FILE_SYSTEM_CONTROL, Parameters, lpOverlapped, undefined, { MinorFunction: IRP_MN_USER_FS_REQUEST });
  }

  /** LockFileEx with an OVERLAPPED (LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY): STATUS_PENDING while a conflicting request waits on an asynchronous handle. */
  LockFileEx(handle: string, dwFlags: number, nNumberOfBytesToLock: number, lpOverlapped: OVERLAPPED): Blocking<NTSTATUS> {
    appArguments('LockFileEx', handle, { dwFlags, nNumberOfBytesToLock });
    overlappedArgument('LockFileEx', lpOverlapped);
    const failure = refusedEvent('LockFileEx', this.handles.has(handle), lpOverlapped);
    if (failure !== null) return refused(this.fltMgr.kernel, 'LockFileEx', failure);
    return lockFileEx(this, handle, dwFlags, nNumberOfBytesToLock, lpOverlapped);
  }

  /** UnlockFileEx with an OVERLAPPED: the range starts at lpOverlapped.Offset. */
  UnlockFileEx(handle: string, nNumberOfBytesToUnlock: number, lpOverlapped: OVERLAPPED): Blocking<NTSTATUS> {
    appArguments('UnlockFileEx', handle, { nNumberOfBytesToUnlock });
    overlappedArgument('UnlockFileEx', lpOverlapped);
    const failure = refusedEvent('UnlockFileEx', this.handles.has(handle), lpOverlapped);
    if (failure !== null) return refused(this.fltMgr.kernel, 'UnlockFileEx', failure);
    return unlockFileEx(this, handle, nNumberOfBytesToUnlock, lpOverlapped);
  }

  // ---------------------------------------------------------------- asynchronous I/O and cancellation (§19.1), src/io/overlappedIo.ts

  /** ReadFile with an OVERLAPPED on an asynchronous handle: STATUS_PENDING, or the status if it completed at once. */
  ReadFile(handle: string, nNumberOfBytesToRead: number, lpOverlapped: OVERLAPPED): Blocking<NTSTATUS> {
    appArguments('ReadFile', handle, { nNumberOfBytesToRead });
    overlappedArgument('ReadFile', lpOverlapped);
    const failure = refusedEvent('ReadFile', this.handles.has(handle), lpOverlapped);
    if (failure !== null) return refused(this.fltMgr.kernel, 'ReadFile', failure);
    return readFileOverlapped(this, handle, nNumberOfBytesToRead, lpOverlapped);
  }

  /** WriteFile with an OVERLAPPED on an asynchronous handle. */
  WriteFile(handle: string, data: Uint8Array | string, lpOverlapped: OVERLAPPED): Blocking<NTSTATUS> {
    appArguments('WriteFile', handle);
    dataArgument('WriteFile', data);
    overlappedArgument('WriteFile', lpOverlapped);
    const failure = refusedEvent('WriteFile', this.handles.has(handle), lpOverlapped);
    if (failure !== null) return refused(this.fltMgr.kernel, 'WriteFile', failure);
    return writeFileOverlapped(this, handle, data, lpOverlapped);
  }

  /** GetOverlappedResult(hFile, lpOverlapped, bWait): the request's outcome; STATUS_PENDING if it has not completed and bWait is false. */
  GetOverlappedResult(handle: string, lpOverlapped: OVERLAPPED, bWait: boolean): Blocking<IoResult<Uint8Array | null>> {
    appArguments('GetOverlappedResult', handle);
    overlappedArgument('GetOverlappedResult', lpOverlapped);
    booleanArgument('GetOverlappedResult', 'bWait', bWait);
    // Waiting, it waits on hEvent: a closed or foreign handle fails the wait (FALSE, ERROR_INVALID_HANDLE).
    const failure = bWait && lpOverlapped.Internal === STATUS_PENDING ? refusedEvent('GetOverlappedResult', true, lpOverlapped) : null;
    if (failure !== null) return refusedOverlappedResult(this.fltMgr.kernel, failure);
    return getOverlappedResult(this, handle, lpOverlapped, bWait);
  }

  /** NtCancelIoFile / CancelIo(hFile): the calling thread's requests on the handle. STATUS_SUCCESS (even if none), STATUS_INVALID_HANDLE. */
  NtCancelIoFile(handle: string): Blocking<NTSTATUS> {
    appArguments('NtCancelIoFile', handle);
    return cancelIoFile(this.fltMgr, this, handle);
  }

  /** CancelIoEx(hFile, lpOverlapped) / NtCancelIoFileEx: the calling process's requests on the handle (only lpOverlapped's, if given); STATUS_NOT_FOUND if none. */
  CancelIoEx(handle: string, lpOverlapped: OVERLAPPED | null = null): Blocking<NTSTATUS> {
    appArguments('CancelIoEx', handle);
    if (lpOverlapped !== null && lpOverlapped !== undefined) overlappedArgument('CancelIoEx', lpOverlapped);
    return cancelIoEx(this.fltMgr, this, handle, lpOverlapped);
  }

  /** CancelSynchronousIo(hThread) / NtCancelSynchronousIoFile: that thread's synchronous request; STATUS_NOT_FOUND if it has none. */
  CancelSynchronousIo(thread: string | { readonly id: string }): Blocking<NTSTATUS> {
    // hThread NULL names no thread: STATUS_INVALID_HANDLE (ERROR_INVALID_HANDLE), as NtCancelSynchronousIoFile answers.
    if (thread === null) return refused(this.fltMgr.kernel, 'CancelSynchronousIo', { status: STATUS_INVALID_HANDLE, detail: 'hThread is NULL' });
    if (typeof thread !== 'string') stringArgument('CancelSynchronousIo', 'thread.id', recordArgument<{ id: unknown }>('CancelSynchronousIo', 'thread', thread).id);
    return cancelSynchronousIo(this.fltMgr, this, typeof thread === 'string' ? thread : thread.id);
  }

  // ---------------------------------------------------------------- file mappings (§24.1), src/issuedIo/mappedFiles.ts

  /**
   * CreateFileMappingW(hFile, lpFileMappingAttributes, flProtect, dwMaximumSizeHigh, dwMaximumSizeLow,
   * lpName): a section over the whole file (PAGE_READWRITE for a writable one), its handle in the
   * calling process; null on failure. The section references the file object, so closing hFile
   * sends IRP_MJ_CLEANUP but IRP_MJ_CLOSE waits until the section is gone.
   */
  CreateFileMappingW(hFile: string, lpFileMappingAttributes: null, flProtect: number, dwMaximumSizeHigh: number, dwMaximumSizeLow: number, lpName: string | null): Blocking<SectionHandle | null> {
    void lpFileMappingAttributes;
    void dwMaximumSizeHigh;
    void dwMaximumSizeLow;
    void lpName;
    return createFileMapping(this.fltMgr, this.handles.get(hFile), flProtect);
  }
}

/** GetOverlappedResult refused before it waits (a module-level generator, not a generator expression: docs/exploration.md, "Memory"). */
function* refusedOverlappedResult(kernel: Kernel, failure: HandleFailure): Blocking<IoResult<Uint8Array | null>> {
  return { status: yield* refused(kernel, 'GetOverlappedResult', failure), information: 0, output: null };
}
