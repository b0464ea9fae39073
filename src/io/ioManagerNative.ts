/**
 * The native API of the I/O manager (NtCreateFile, NtReadFile, …, NtClose): what an application sends
 * from above the stack. Each routine runs on a simulated thread and blocks it until the operation
 * completes, as synchronous I/O does; several threads can have I/O in flight at once. The I/O
 * manager's own duties are modelled: handles, CurrentByteOffset for synchronous file objects,
 * serialising I/O on them (ioManagerRequests.ts), cleanup when the last handle closes and close when
 * the last reference goes, the target-directory open before a rename or link (§11.19), and following
 * symbolic links and mount points (§21.11). Results replace out-parameters. The Win32 calls with an
 * OVERLAPPED build on it in ioManager.ts; the KTM calls it extends are in ioManagerTransactions.ts.
 */
import { badArgument, booleanArgument, kindOf, bufferArgument, optionalRecordArgument, optionalStringArgument, stringArgument } from '../kernel/arguments.js';
import { preempt, type Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { FILE_INFORMATION_CLASS, FILE_OPEN, FILE_READ_ATTRIBUTES, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, SYNCHRONIZE, FILE_WRITE_DATA } from '../wdk/fileConstants.js';
import {
  IRP_MJ_LOCK_CONTROL,
  IRP_MN_LOCK,
  IRP_MN_NOTIFY_CHANGE_DIRECTORY,
  SL_WATCH_TREE,
  IRP_MN_UNLOCK_SINGLE,
  IRP_MJ_CREATE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_SECURITY,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_SET_SECURITY,
  IRP_MJ_WRITE,
  IRP_MN_QUERY_DIRECTORY,
  IRP_MN_USER_FS_REQUEST,
  SL_CASE_SENSITIVE,
  SL_OPEN_TARGET_DIRECTORY,
  SL_RESTART_SCAN,
  SL_RETURN_SINGLE_ENTRY,
} from '../wdk/irp.js';
import { NT_SUCCESS, STATUS_INVALID_HANDLE, STATUS_NOT_SAME_DEVICE, STATUS_OBJECT_PATH_NOT_FOUND, STATUS_REPARSE, STATUS_TRANSACTION_NOT_ACTIVE, type NTSTATUS } from '../wdk/ntstatus.js';
import { FILE_INFORMATION_LAYOUT, packCreateOptions, type FileInformation, type FltParameters, type FsctlInput, type SecurityDescriptor } from '../wdk/parameters.js';
import { decodeDirectoryEntries } from '../wdk/directoryBytes.js';
import type { IoOperation } from './ioOperation.js';
import { driveToCompletion } from './dispatch.js';
import type { AppRequest, OverlappedRequest } from './appRequests.js';
import type { OVERLAPPED } from '../fltmgr/portObjects.js';
import type { FileObject } from './fileObject.js';
import { closeHandleIn, createHandle, handlesOf } from './handles.js';
import { releaseCreateReference } from './closeFile.js';
import { createFileObject, fileObjectOpenFailed } from './fileObjectLifecycle.js';
import { resolvePath } from './paths.js';
import { startOperation } from './startOperation.js';
import { fastQueryOpen } from './queryOpen.js';
import { lockParameters } from './lockFile.js';
import { notifyParameters } from './directoryChanges.js';
import { decodeFileNotifyInformation } from '../wdk/directoryNotify.js';
import { beforeFirstOperation } from '../fltmgr/volumeRoutines.js';
import { volumeForOpen } from '../fltmgr/volumeMount.js';
import { createFollowingReparse, type CreateOutcome } from './reparseResolution.js';
import { DEFAULT_USER_SID } from '../kernel/sids.js';
import { closeDeviceHandle, deviceIoControl, deviceOfPath, openDevice } from './deviceIo.js';
import { closeTransactionHandle } from '../fltmgr/transactionRoutines.js';
import { appArguments, createOptionsArgument, lockArguments, optionalOffset, dataArgument, userBuffer } from './ioManagerArguments.js';
import type { CreateFileOptions, CreateFileResult, IoResult } from './ioManagerTypes.js';
import { ApplicationRequests } from './ioManagerRequests.js';
import { TransactionCalls } from './ioManagerTransactions.js';

export class NativeIoManager extends TransactionCalls {
  /** @internal */
  protected readonly handles = new Map<string, FileObject>();
  /** Requests applications have in flight, oldest first (src/io/appRequests.ts). */
  readonly inFlight: AppRequest[] = [];
  /** The request each OVERLAPPED was last used for (weak: the application owns the structure). */
  readonly overlappedRequests = new WeakMap<OVERLAPPED, OverlappedRequest>();

  /** @internal */
  protected readonly requests: ApplicationRequests;

  constructor(fltMgr: FilterManager) {
    super(fltMgr);
    this.requests = new ApplicationRequests(fltMgr, this.handles, this.inFlight);
  }

  /** Handles open on a file object (application and kernel), in the order they were created. */
  handlesOf(fo: FileObject): string[] {
    return [...handlesOf(this.handles, fo), ...handlesOf(this.fltMgr.kernelHandles, fo)];
  }

  /** The file object behind a handle (for tests and filters that were handed one). */
  fileObject(handle: string): FileObject | undefined {
    return this.handles.get(handle);
  }

  /** NtCreateFile: open or create `path` with the given access, share mode, disposition and options. */
  *NtCreateFile(path: string, options: CreateFileOptions): Blocking<CreateFileResult> {
    stringArgument('NtCreateFile', 'path', path);
    createOptionsArgument('NtCreateFile', options);
    // A driver's own device (§23.6) is opened by its name, outside every volume and FltMgr.
    const device = deviceOfPath(this.fltMgr, path);
    if (device !== null) return yield* openDevice(this.fltMgr, device.device, device.remainder, this.createParameters(options));
    const resolved = resolvePath(this.fltMgr, path);
    if (resolved === null) return { status: STATUS_OBJECT_PATH_NOT_FOUND, information: 0, handle: null };
    if (options.Transaction !== undefined) {
      // The transaction must be open in this process and still active (KTM refuses to join an ended one).
      const h = this.transactionHandle(options.Transaction);
      if (h === null) return { status: STATUS_INVALID_HANDLE, information: 0, handle: null };
      if (h.transaction.state !== 'Active') return { status: STATUS_TRANSACTION_NOT_ACTIVE, information: 0, handle: null };
    }
    const { attempt, status } = yield* this.open(resolved.volume, resolved.fileName, options);
    // (STATUS_REPARSE never comes back from open(): the I/O manager followed it or failed it.)
    if (!NT_SUCCESS(status)) return { status, information: status === attempt.op.data.IoStatus.Status ? attempt.op.data.IoStatus.Information : 0, handle: null };
    return { status, information: attempt.op.data.IoStatus.Information, handle: this.createHandle(attempt.fo) };
  }

  /** An open as IopParseDevice does it: creates from the top of the stack, following symbolic links and mount points (§21.11). */
  private open(volume: FileObject['volume'], fileName: string, options: CreateFileOptions): Blocking<CreateOutcome> {
    return createFollowingReparse(this.fltMgr, volume, fileName, null, (v, name) => this.create(v, name, options), { confinedTo: null, stopOnSymlink: false });
  }

  /** The create itself: a new file object and an IRP_MJ_CREATE from the top of the stack. */
  private *create(named: FileObject['volume'], fileName: string, options: CreateFileOptions): Blocking<{ op: IoOperation; fo: FileObject }> {
    // A volume dismounted since is mounted again for this open (§21.7).
    const volume = yield* volumeForOpen(this.fltMgr, named);
    yield* beforeFirstOperation(this.fltMgr, volume);
    const transaction = options.Transaction === undefined ? null : (this.transactionHandle(options.Transaction)?.transaction ?? null);
    const fo = createFileObject(this.fltMgr, volume, fileName, null, null, transaction !== null && transaction.state === 'Active' ? transaction : null);
    const op = startOperation(this.fltMgr, {
      volume,
      fileObject: fo,
      MajorFunction: IRP_MJ_CREATE,
      OperationFlags: options.OperationFlags ?? 0,
      Parameters: this.createParameters(options),
      RequestorMode: options.RequestorMode ?? 'UserMode',
      requestorSid: options.sid ?? this.fltMgr.kernel.current?.token ?? DEFAULT_USER_SID,
      initiator: null,
    });
    yield* this.requests.tracked({ op, handle: null, overlapped: null }, driveToCompletion(this.fltMgr, op));
    const status = op.data.IoStatus.Status;
    if (!NT_SUCCESS(status) || status === STATUS_REPARSE) {
      if (fo.state === 'Opened') {
        // The file system opened it, a filter failed the create and never called FltCancelFileOpen:
        // the I/O manager frees the file object without cleanup or close, so the FS leaks the open.
        throw this.fltMgr.kernel.violation('CREATE_FAILED_WITHOUT_CANCEL', fo.id, `${op.id}: a post-create failed a create the file system had opened (${fo}) without FltCancelFileOpen (§8, §11.13)`);
      }
      if (fo.state === 'Opening') fileObjectOpenFailed(this.fltMgr, fo, status);
      releaseCreateReference(this.fltMgr, fo);
    }
    return { op, fo };
  }

  private createParameters(options: CreateFileOptions): FltParameters {
    return {
      Create: {
        SecurityContext: { DesiredAccess: options.DesiredAccess },
        Options: packCreateOptions(options.CreateDisposition ?? FILE_OPEN, options.CreateOptions ?? 0),
        FileAttributes: options.FileAttributes ?? 0,
        ShareAccess: options.ShareAccess ?? 0,
        EaLength: 0,
        ...(options.AllocationSize === undefined ? {} : { AllocationSize: options.AllocationSize }),
      },
    };
  }

  /** After a successful create: the handle takes over the file object from the create's reference. */
  private createHandle(fo: FileObject): string {
    const handle = createHandle(this.fltMgr, this.handles, fo);
    releaseCreateReference(this.fltMgr, fo);
    return handle;
  }

  /**
   * NtClose: the last handle sends IRP_MJ_CLEANUP; the last reference then sends IRP_MJ_CLOSE. A
   * transaction handle: the last one of a transaction that has not committed rolls it back (§22.4).
   */
  *NtClose(handle: string): Blocking<NTSTATUS> {
    appArguments('NtClose', handle);
    if (this.fltMgr.devices.handles.has(handle)) return (yield* closeDeviceHandle(this.fltMgr, handle)) ? 0 : STATUS_INVALID_HANDLE;
    const transaction = this.transactionHandle(handle);
    if (transaction !== null) {
      yield* preempt();
      return closeTransactionHandle(this.fltMgr, transaction, 'NtClose', this.fltMgr.kernel.current?.process ?? 'P1', true);
    }
    return (yield* closeHandleIn(this.fltMgr, this.handles, handle)) ? 0 : STATUS_INVALID_HANDLE;
  }

  /** NtReadFile. Without ByteOffset a synchronous file object reads at CurrentByteOffset. */
  *NtReadFile(handle: string, Length: number, ByteOffset?: number, IrpFlags = 0): Blocking<IoResult<Uint8Array | null>> {
    // A Length no buffer can have (negative, fractional, huge) is the file system's STATUS_INVALID_PARAMETER (§20.1); only a non-number is the caller's TypeScript mistake.
    appArguments('NtReadFile', handle, { IrpFlags });
    if (typeof Length !== 'number' || !Number.isFinite(Length)) throw badArgument('NtReadFile', `Length is ${kindOf(Length)}, not a finite number`);
    optionalOffset('NtReadFile', ByteOffset);
    // The application's buffer: filters see it as ReadBuffer and the file system fills it (§20.1).
    const ReadBuffer = userBuffer(Length);
    const r = yield* this.requests.send(handle, IRP_MJ_READ, (fo) => ({ Read: { Length, Key: 0, ByteOffset: this.requests.offsetFor(fo, ByteOffset), ReadBuffer, MdlAddress: null } }), { IrpFlags });
    return { ...r, output: r.output?.kind === 'data' ? (ReadBuffer === null ? r.output.data : ReadBuffer.slice(0, Math.min(r.information, Length))) : null };
  }

  /** NtWriteFile. ByteOffset -1 (FILE_WRITE_TO_END_OF_FILE) appends. */
  *NtWriteFile(handle: string, data: Uint8Array | string, ByteOffset?: number, IrpFlags = 0): Blocking<IoResult<null>> {
    appArguments('NtWriteFile', handle, { IrpFlags });
    dataArgument('NtWriteFile', data);
    optionalOffset('NtWriteFile', ByteOffset);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const r = yield* this.requests.send(handle, IRP_MJ_WRITE, (fo) => ({ Write: { Length: bytes.length, Key: 0, ByteOffset: this.requests.offsetFor(fo, ByteOffset), WriteBuffer: bytes, MdlAddress: null } }), { IrpFlags, buffer: bytes });
    return { ...r, output: null };
  }

  /**
   * NtQueryFullAttributesFile (GetFileAttributesEx): a file's FILE_NETWORK_OPEN_INFORMATION by path.
   * The fast query open first (IRP_MJ_NETWORK_QUERY_OPEN, src/io/queryOpen.ts); refused, the
   * I/O manager opens the file for FILE_READ_ATTRIBUTES sharing everything, queries
   * FileNetworkOpenInformation and closes it, with IRPs (§24.2).
   */
  *NtQueryFullAttributesFile(path: string, CaseSensitive = false): Blocking<IoResult> {
    stringArgument('NtQueryFullAttributesFile', 'path', path);
    booleanArgument('NtQueryFullAttributesFile', 'CaseSensitive', CaseSensitive);
    const resolved = resolvePath(this.fltMgr, path);
    if (resolved === null) return { status: STATUS_OBJECT_PATH_NOT_FOUND, information: 0, output: null };
    yield* beforeFirstOperation(this.fltMgr, resolved.volume);
    const fast = yield* fastQueryOpen(this.fltMgr, resolved.volume, resolved.fileName, CaseSensitive);
    if (fast !== null) return fast;
    const opened = yield* this.NtCreateFile(path, {
      DesiredAccess: FILE_READ_ATTRIBUTES,
      ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
      CreateDisposition: FILE_OPEN,
      OperationFlags: CaseSensitive ? SL_CASE_SENSITIVE : 0,
    });
    if (opened.handle === null) return { status: opened.status, information: 0, output: null };
    try {
      return yield* this.NtQueryInformationFile(opened.handle, FILE_INFORMATION_CLASS.FileNetworkOpenInformation, FILE_INFORMATION_LAYOUT[FILE_INFORMATION_CLASS.FileNetworkOpenInformation]!.size);
    } finally {
      yield* this.NtClose(opened.handle);
    }
  }

  *NtQueryInformationFile(handle: string, FileInformationClass: number, Length: number): Blocking<IoResult> {
    appArguments('NtQueryInformationFile', handle, { FileInformationClass, Length });
    return yield* this.requests.send(handle, IRP_MJ_QUERY_INFORMATION, () => ({ QueryFileInformation: { Length, FileInformationClass } }));
  }

  /**
   * NtSetInformationFile. For a rename or link the I/O manager first opens the target's parent
   * directory (IRP_MJ_CREATE with SL_OPEN_TARGET_DIRECTORY, share read|write) and hands it to the
   * file system in the request, then closes it (§11.19).
   */
  *NtSetInformationFile(handle: string, FileInformationClass: number, info: FileInformation | null, Length = 64): Blocking<IoResult> {
    appArguments('NtSetInformationFile', handle, { FileInformationClass, Length });
    info = optionalRecordArgument('NtSetInformationFile', 'info', info);
    if (this.fltMgr.devices.handles.has(handle)) {
      return yield* this.requests.send(handle, IRP_MJ_SET_INFORMATION, () => ({ SetFileInformation: { Length, FileInformationClass, ParentOfTarget: null, InfoBuffer: info } }));
    }
    const fo = this.handles.get(handle);
    if (fo === undefined) return { status: STATUS_INVALID_HANDLE, information: 0, output: null };
    const renameLike = FileInformationClass === FILE_INFORMATION_CLASS.FileRenameInformation || FileInformationClass === FILE_INFORMATION_CLASS.FileLinkInformation;
    let parentHandle: string | null = null;
    if (renameLike && info !== null && 'FileName' in info && typeof info.FileName === 'string') {
      // A target given as a full path names its volume; a volume-relative one stays on this volume.
      const named = resolvePath(this.fltMgr, info.FileName);
      const { attempt, status } = yield* this.open(named?.volume ?? fo.volume, named?.fileName ?? info.FileName, {
        DesiredAccess: FILE_WRITE_DATA | SYNCHRONIZE,
        ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
        OperationFlags: SL_OPEN_TARGET_DIRECTORY,
      });
      if (!NT_SUCCESS(status)) return { status, information: 0, output: null };
      parentHandle = this.createHandle(attempt.fo);
      if (attempt.fo.volume !== fo.volume) {
        // The target directory is on another volume (named so, or reached through a link): IopOpenLinkOrRenameTarget refuses it.
        yield* this.NtClose(parentHandle);
        return { status: STATUS_NOT_SAME_DEVICE, information: 0, output: null };
      }
    }
    const parent = parentHandle === null ? null : this.handles.get(parentHandle)!;
    try {
      return yield* this.requests.send(handle, IRP_MJ_SET_INFORMATION, () => ({
        SetFileInformation: { Length, FileInformationClass, ParentOfTarget: parent?.id ?? null, InfoBuffer: info },
      }));
    } finally {
      if (parentHandle !== null) yield* this.NtClose(parentHandle);
    }
  }

  *NtQueryVolumeInformationFile(handle: string, FsInformationClass: number, Length: number): Blocking<IoResult> {
    appArguments('NtQueryVolumeInformationFile', handle, { FsInformationClass, Length });
    return yield* this.requests.send(handle, IRP_MJ_QUERY_VOLUME_INFORMATION, () => ({ QueryVolumeInformation: { Length, FsInformationClass } }));
  }

  *NtQuerySecurityObject(handle: string, SecurityInformation: number, Length: number): Blocking<IoResult> {
    appArguments('NtQuerySecurityObject', handle, { SecurityInformation, Length });
    return yield* this.requests.send(handle, IRP_MJ_QUERY_SECURITY, () => ({ QuerySecurity: { SecurityInformation, Length } }));
  }

  *NtSetSecurityObject(handle: string, SecurityInformation: number, SecurityDescriptor: SecurityDescriptor | null): Blocking<IoResult> {
    appArguments('NtSetSecurityObject', handle, { SecurityInformation });
    SecurityDescriptor = optionalRecordArgument('NtSetSecurityObject', 'SecurityDescriptor', SecurityDescriptor);
    return yield* this.requests.send(handle, IRP_MJ_SET_SECURITY, () => ({ SetSecurity: { SecurityInformation, SecurityDescriptor } }));
  }

  *NtFsControlFile(handle: string, FsControlCode: number, InputBuffer: FsctlInput | null, InputBufferLength: number, OutputBufferLength: number): Blocking<IoResult> {
    appArguments('NtFsControlFile', handle, { FsControlCode, InputBufferLength, OutputBufferLength });
    InputBuffer = optionalRecordArgument('NtFsControlFile', 'InputBuffer', InputBuffer);
    return yield* this.requests.send(
      handle,
      IRP_MJ_FILE_SYSTEM_CONTROL,
      () => ({ FileSystemControl: { FsControlCode, InputBufferLength, OutputBufferLength, InputBuffer } }),
      { MinorFunction: IRP_MN_USER_FS_REQUEST },
    );
  }

  *NtDeviceIoControlFile(handle: string, IoControlCode: number, InputBuffer: Uint8Array | null, OutputBufferLength: number): Blocking<IoResult> {
    appArguments('NtDeviceIoControlFile', handle, { IoControlCode, OutputBufferLength });
    InputBuffer = bufferArgument('NtDeviceIoControlFile', 'InputBuffer', InputBuffer, true);
    const deviceFile = this.fltMgr.devices.handles.get(handle);
    if (deviceFile !== undefined) return { ...(yield* deviceIoControl(this.fltMgr, deviceFile, IoControlCode, InputBuffer, OutputBufferLength)), output: null };
    return yield* this.requests.send(handle, IRP_MJ_DEVICE_CONTROL, () => ({
      DeviceIoControl: { IoControlCode, InputBufferLength: InputBuffer?.length ?? 0, OutputBufferLength, InputBuffer },
    }));
  }

  *NtFlushBuffersFile(handle: string): Blocking<IoResult> {
    appArguments('NtFlushBuffersFile', handle);
    return yield* this.requests.send(handle, IRP_MJ_FLUSH_BUFFERS, () => ({ FlushBuffers: {} }));
  }

  *NtQueryDirectoryFile(
    handle: string,
    FileInformationClass: number,
    Length: number,
    options: { readonly FileName?: string; readonly RestartScan?: boolean; readonly ReturnSingleEntry?: boolean } = {},
  ): Blocking<IoResult> {
    appArguments('NtQueryDirectoryFile', handle, { FileInformationClass, Length });
    options = optionalRecordArgument<typeof options>('NtQueryDirectoryFile', 'options', options) ?? {};
    if (options.FileName !== undefined) optionalStringArgument('NtQueryDirectoryFile', 'options.FileName', options.FileName);
    const flags = (options.RestartScan === true ? SL_RESTART_SCAN : 0) | (options.ReturnSingleEntry === true ? SL_RETURN_SINGLE_ENTRY : 0);
    // The application's buffer: the entries land there in their byte layout, and the application reads them back from it (§20.1).
    const DirectoryBuffer = userBuffer(Length);
    const r = yield* this.requests.send(
      handle,
      IRP_MJ_DIRECTORY_CONTROL,
      () => ({ DirectoryControl: { QueryDirectory: { Length, FileName: options.FileName ?? null, FileInformationClass, FileIndex: 0, DirectoryBuffer, MdlAddress: null } } }),
      { MinorFunction: IRP_MN_QUERY_DIRECTORY, OperationFlags: flags },
    );
    if (r.output?.kind !== 'directory' || DirectoryBuffer === null) return r;
    const entries = decodeDirectoryEntries(r.output.FileInformationClass, DirectoryBuffer, Math.min(r.information, DirectoryBuffer.length));
    return { ...r, output: { kind: 'directory', FileInformationClass: r.output.FileInformationClass, entries } };
  }

  /**
   * NtLockFile (§21.10, src/io/lockFile.ts): IRP_MN_LOCK of [ByteOffset, ByteOffset + Length) for this
   * handle, the calling process and Key. Without FailImmediately a conflicting request waits until granted.
   */
  *NtLockFile(handle: string, ByteOffset: number, Length: number, Key = 0, FailImmediately = false, ExclusiveLock = true): Blocking<IoResult> {
    lockArguments('NtLockFile', handle, ByteOffset, Length, Key);
    booleanArgument('NtLockFile', 'FailImmediately', FailImmediately);
    booleanArgument('NtLockFile', 'ExclusiveLock', ExclusiveLock);
    return yield* this.requests.send(handle, IRP_MJ_LOCK_CONTROL, () => lockParameters(this.fltMgr, ByteOffset, Length, Key, FailImmediately, ExclusiveLock), { MinorFunction: IRP_MN_LOCK });
  }

  /** NtUnlockFile: IRP_MN_UNLOCK_SINGLE; STATUS_RANGE_NOT_LOCKED when this owner holds no lock of exactly that range. */
  *NtUnlockFile(handle: string, ByteOffset: number, Length: number, Key = 0): Blocking<IoResult> {
    lockArguments('NtUnlockFile', handle, ByteOffset, Length, Key);
    return yield* this.requests.send(handle, IRP_MJ_LOCK_CONTROL, () => lockParameters(this.fltMgr, ByteOffset, Length, Key, false, false), { MinorFunction: IRP_MN_UNLOCK_SINGLE });
  }

  /**
   * NtNotifyChangeDirectoryFile (§21.9, src/io/directoryChanges.ts): IRP_MN_NOTIFY_CHANGE_DIRECTORY on a
   * directory handle into `Buffer`; waits for a matching change. Output: the FILE_NOTIFY_INFORMATION
   * chain read back from `Buffer` (what the filters above left there).
   */
  *NtNotifyChangeDirectoryFile(handle: string, Buffer: Uint8Array, CompletionFilter: number, WatchTree = false): Blocking<IoResult> {
    appArguments('NtNotifyChangeDirectoryFile', handle, { CompletionFilter });
    bufferArgument('NtNotifyChangeDirectoryFile', 'Buffer', Buffer, false);
    booleanArgument('NtNotifyChangeDirectoryFile', 'WatchTree', WatchTree);
    const r = yield* this.requests.send(handle, IRP_MJ_DIRECTORY_CONTROL, () => notifyParameters(Buffer, Buffer.length, CompletionFilter), {
      MinorFunction: IRP_MN_NOTIFY_CHANGE_DIRECTORY,
      OperationFlags: WatchTree ? SL_WATCH_TREE : 0,
    });
    if (r.output?.kind !== 'notify') return r;
    return { ...r, output: { kind: 'notify', changes: decodeFileNotifyInformation(Buffer, r.information) } };
  }

  /** @internal The Filter Manager this I/O manager sends to (for src/io/overlappedIo.ts). */
  fltMgrOf(): FilterManager {
    return this.fltMgr;
  }

  /** Is `handle` open? (for the cancel routines) */
  hasHandle(handle: string): boolean {
    return this.handles.has(handle);
  }
}
