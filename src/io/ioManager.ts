/**
 * I/O from above the stack: what an application (through the I/O manager) sends. Each routine
 * runs on a simulated thread and blocks it until the operation completes, as synchronous I/O does;
 * several threads can have I/O in flight at once. The I/O manager's own duties are modelled:
 * handles, CurrentByteOffset for synchronous file objects, serialising I/O on them, cleanup when the
 * last handle closes and close when the last reference goes, the target-directory open before a
 * rename or link (§11.19), and following symbolic links and mount points (§21.11). Names follow the native API (NtCreateFile …); results replace out-parameters.
 */
import { badArgument, booleanArgument, kindOf, bufferArgument, integerArgument, oneOfArgument, optionalRecordArgument, optionalStringArgument, recordArgument, sizeArgument, stringArgument, ulongArgument } from '../kernel/arguments.js';
import { preempt, waitFor, type Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import {
  BYTE_OFFSET_USE_FILE_POINTER_POSITION,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_READ_ATTRIBUTES,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FO_SYNCHRONOUS_IO,
  SYNCHRONIZE,
  FILE_WRITE_DATA,
} from '../wdk/fileConstants.js';
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
import {
  NT_SUCCESS,
  STATUS_FLT_DISALLOW_FAST_IO,
  STATUS_INVALID_HANDLE,
  STATUS_PENDING,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SAME_DEVICE,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_TRANSACTION_NOT_ACTIVE,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import {
  FILE_INFORMATION_LAYOUT,
  packCreateOptions,
  type FileInformation,
  type FltParameters,
  type FsctlInput,
  type SecurityDescriptor,
} from '../wdk/parameters.js';
import type { FsOutput } from '../fs/types.js';
import { decodeDirectoryEntries } from '../wdk/directoryBytes.js';
import type { IoOperation } from './ioOperation.js';
import { driveToCompletion } from './dispatch.js';
import type { AppRequest, OverlappedRequest } from './appRequests.js';
import { EventHandle, type OVERLAPPED } from '../fltmgr/portObjects.js';
import { overlappedArgument } from '../fltmgr/portArguments.js';
import { overlappedEventOrFailure, recordHandleFailure, type HandleFailure } from '../fltmgr/win32Handles.js';
import { cancelIoEx, cancelIoFile, cancelSynchronousIo, getOverlappedResult, readFileOverlapped, requestOverlapped, writeFileOverlapped } from './overlappedIo.js';
import type { FileObject } from './fileObject.js';
import { closeHandleIn, createHandle, handlesOf } from './handles.js';
import { dereferenceFileObject, releaseCreateReference } from './closeFile.js';
import { createFileObject, fileObjectOpenFailed } from './fileObjectLifecycle.js';
import { resolvePath } from './paths.js';
import { startOperation } from './startOperation.js';
import { triesFastIoFirst } from './fastIoPath.js';
import { fastQueryOpen } from './queryOpen.js';
import { lockFileEx, lockParameters, unlockFileEx } from './lockFile.js';
import { notifyParameters, readDirectoryChangesW } from './directoryChanges.js';
import { decodeFileNotifyInformation } from '../wdk/directoryNotify.js';
import { beforeFirstOperation } from '../fltmgr/volumeRoutines.js';
import { volumeForOpen } from '../fltmgr/volumeMount.js';
import { createFollowingReparse, type CreateOutcome } from './reparseResolution.js';
import type { Waitable } from '../kernel/waitable.js';
import type { Kernel } from '../kernel/kernel.js';
import { DEFAULT_USER_SID } from '../kernel/sids.js';
import type { SectionHandle } from '../fltmgr/sectionObjects.js';
import { createFileMapping } from '../issuedIo/mappedFiles.js';
import { notifySectionConflicts } from '../fltmgr/sectionRoutines.js';
import { closeDeviceHandle, deviceIoControl, deviceOfPath, deviceRequest, openDevice } from './deviceIo.js';
import type { TransactionHandle } from '../fltmgr/transactionObjects.js';
import { closeTransactionHandle, endTransaction, NtCreateTransaction } from '../fltmgr/transactionRoutines.js';

/**
 * The buffer an application passes for `Length` bytes. A length no application could have allocated
 * (not a whole number, or past 64 MiB) gets none: the request goes down without one and the file
 * system answers the length as it does today (STATUS_INVALID_PARAMETER for a bad one).
 */
/**
 * The checks of the application calls (sim.io): a handle is the string NtCreateFile returned (NULL
 * or an unknown one is STATUS_INVALID_HANDLE, as Windows answers), a length a ULONG, an offset a
 * LARGE_INTEGER, options records of their fields (kernel/arguments.ts). A UsageError BAD_ARGUMENT
 * names the call and the parameter.
 */
function appArguments(routine: string, handle: unknown, ulongs: Readonly<Record<string, unknown>> = {}): void {
  // NULL is a HANDLE a C caller can pass: it names no open file, so the call answers STATUS_INVALID_HANDLE.
  if (handle !== undefined && handle !== null) stringArgument(routine, 'handle', handle);
  for (const [name, value] of Object.entries(ulongs)) ulongArgument(routine, name, value);
}

function createOptionsArgument(routine: string, value: unknown): CreateFileOptions {
  const o = recordArgument<CreateFileOptions>(routine, 'options', value);
  ulongArgument(routine, 'options.DesiredAccess', o.DesiredAccess);
  for (const name of ['ShareAccess', 'CreateDisposition', 'CreateOptions', 'FileAttributes', 'OperationFlags'] as const) if (o[name] !== undefined) ulongArgument(routine, `options.${name}`, o[name]);
  if (o.AllocationSize !== undefined) sizeArgument(routine, 'options.AllocationSize', o.AllocationSize);
  if (o.RequestorMode !== undefined) oneOfArgument(routine, 'options.RequestorMode', o.RequestorMode, ['KernelMode', 'UserMode'] as const);
  if (o.sid !== undefined) stringArgument(routine, 'options.sid', o.sid);
  if (o.Transaction !== undefined) stringArgument(routine, 'options.Transaction', o.Transaction);
  return o;
}

/**
 * lpOverlapped->hEvent as NtReadFile & co. reference it, after the file handle (an unknown file
 * handle fails first, with STATUS_INVALID_HANDLE, on the call's own path): a closed, unknown or
 * foreign handle fails the call before any request is built (win32Handles.ts). Null: go on.
 */
function refusedEvent(routine: string, knownFile: boolean, overlapped: OVERLAPPED): HandleFailure | null {
  if (!knownFile) return null;
  const event = overlappedEventOrFailure(routine, overlapped);
  return event === null || event instanceof EventHandle ? null : event;
}

/** The refusal as the call returns it: its status, with a RoutineFailed fact on `sim`. */
function* refused(kernel: Kernel, routine: string, failure: HandleFailure): Blocking<NTSTATUS> {
  recordHandleFailure(kernel, routine, failure);
  return failure.status;
}

/** A byte-range lock's handle, range and key. */
function lockArguments(routine: string, handle: unknown, ByteOffset: unknown, Length: unknown, Key: unknown): void {
  appArguments(routine, handle, { Key });
  integerArgument(routine, 'ByteOffset', ByteOffset, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a LARGE_INTEGER (a whole number)');
  integerArgument(routine, 'Length', Length, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a LARGE_INTEGER (a whole number)');
}

function optionalOffset(routine: string, ByteOffset: unknown): void {
  if (ByteOffset !== undefined && ByteOffset !== null) integerArgument(routine, 'ByteOffset', ByteOffset, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a LARGE_INTEGER (a whole number)');
}

function dataArgument(routine: string, data: unknown): void {
  if (typeof data !== 'string') bufferArgument(routine, 'data', data, false);
}

function userBuffer(Length: number): Uint8Array | null {
  return Number.isSafeInteger(Length) && Length >= 0 && Length <= MAX_USER_BUFFER ? new Uint8Array(Length) : null;
}
const MAX_USER_BUFFER = 64 * 1024 * 1024;

/** A token in the model: the caller's mode and SID. Defaults: UserMode, a standard user. */
export interface Requestor {
  readonly RequestorMode?: 'KernelMode' | 'UserMode';
  readonly sid?: string;
}


export interface CreateFileOptions extends Requestor {
  readonly DesiredAccess: number;
  readonly ShareAccess?: number;
  readonly CreateDisposition?: number;
  readonly CreateOptions?: number;
  readonly FileAttributes?: number;
  readonly AllocationSize?: number;
  /** IRP_MJ_CREATE stack flags, e.g. SL_OPEN_TARGET_DIRECTORY, SL_FORCE_ACCESS_CHECK. */
  readonly OperationFlags?: number;
  /**
   * A transaction handle from NtCreateTransaction: the open joins that transaction (what
   * CreateFileTransacted, or RtlSetCurrentTransaction before NtCreateFile, does), §22.4.
   */
  readonly Transaction?: string;
}

export interface CreateFileResult {
  readonly status: NTSTATUS;
  /** Create disposition result (FILE_OPENED, FILE_CREATED, …) or, after STATUS_REPARSE, the tag. */
  readonly information: number;
  readonly handle: string | null;
}

export interface IoResult<T = FsOutput | null> {
  readonly status: NTSTATUS;
  readonly information: number;
  readonly output: T;
}

export class IoManager {
  private readonly handles = new Map<string, FileObject>();
  private readonly serialization = new Map<string, { busy: boolean; released: Waitable }>();
  /** Requests applications have in flight, oldest first (src/io/appRequests.ts). */
  readonly inFlight: AppRequest[] = [];
  /** The request each OVERLAPPED was last used for (weak: the application owns the structure). */
  readonly overlappedRequests = new WeakMap<OVERLAPPED, OverlappedRequest>();

  constructor(private readonly fltMgr: FilterManager) {}

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
    yield* this.tracked({ op, handle: null, overlapped: null }, driveToCompletion(this.fltMgr, op));
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

  // ---------------------------------------------------------------- KTM transactions (§22.4)

  /** NtCreateTransaction: a new Active transaction; its handle belongs to the calling process. */
  *NtCreateTransaction(): Blocking<{ readonly status: NTSTATUS; readonly handle: string }> {
    const r = yield* NtCreateTransaction(this.fltMgr);
    return { status: r.status, handle: r.handle.id };
  }

  /** NtCommitTransaction(TransactionHandle, Wait): enlisted filters get PREPREPARE … COMMIT_FINALIZE on a KTM worker. */
  *NtCommitTransaction(TransactionHandle: string, Wait = true): Blocking<NTSTATUS> {
    appArguments('NtCommitTransaction', TransactionHandle);
    const h = this.transactionHandle(TransactionHandle);
    return h === null ? STATUS_INVALID_HANDLE : yield* endTransaction(this.fltMgr, h, 'commit', Wait);
  }

  /** NtRollbackTransaction(TransactionHandle, Wait): enlisted filters get ROLLBACK on a KTM worker. */
  *NtRollbackTransaction(TransactionHandle: string, Wait = true): Blocking<NTSTATUS> {
    appArguments('NtRollbackTransaction', TransactionHandle);
    const h = this.transactionHandle(TransactionHandle);
    return h === null ? STATUS_INVALID_HANDLE : yield* endTransaction(this.fltMgr, h, 'rollback', Wait);
  }

  /** The open transaction handle of the calling process named `handle`, or null. */
  private transactionHandle(handle: string): TransactionHandle | null {
    const h = this.fltMgr.transactions.handles.get(handle);
    if (h === undefined || h.kernelHandle) return null;
    const process = this.fltMgr.kernel.current?.process;
    return process === undefined || h.process === process ? h : null;
  }

  /** NtReadFile. Without ByteOffset a synchronous file object reads at CurrentByteOffset. */
  *NtReadFile(handle: string, Length: number, ByteOffset?: number, IrpFlags = 0): Blocking<IoResult<Uint8Array | null>> {
    // A Length no buffer can have (negative, fractional, huge) is the file system's STATUS_INVALID_PARAMETER (§20.1); only a non-number is the caller's TypeScript mistake.
    appArguments('NtReadFile', handle, { IrpFlags });
    if (typeof Length !== 'number' || !Number.isFinite(Length)) throw badArgument('NtReadFile', `Length is ${kindOf(Length)}, not a finite number`);
    optionalOffset('NtReadFile', ByteOffset);
    // The application's buffer: filters see it as ReadBuffer and the file system fills it (§20.1).
    const ReadBuffer = userBuffer(Length);
    const r = yield* this.request(handle, IRP_MJ_READ, (fo) => ({ Read: { Length, Key: 0, ByteOffset: this.offsetFor(fo, ByteOffset), ReadBuffer, MdlAddress: null } }), { IrpFlags });
    return { ...r, output: r.output?.kind === 'data' ? (ReadBuffer === null ? r.output.data : ReadBuffer.slice(0, Math.min(r.information, Length))) : null };
  }

  /** NtWriteFile. ByteOffset -1 (FILE_WRITE_TO_END_OF_FILE) appends. */
  *NtWriteFile(handle: string, data: Uint8Array | string, ByteOffset?: number, IrpFlags = 0): Blocking<IoResult<null>> {
    appArguments('NtWriteFile', handle, { IrpFlags });
    dataArgument('NtWriteFile', data);
    optionalOffset('NtWriteFile', ByteOffset);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const r = yield* this.request(handle, IRP_MJ_WRITE, (fo) => ({ Write: { Length: bytes.length, Key: 0, ByteOffset: this.offsetFor(fo, ByteOffset), WriteBuffer: bytes, MdlAddress: null } }), { IrpFlags, buffer: bytes });
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
    return yield* this.request(handle, IRP_MJ_QUERY_INFORMATION, () => ({ QueryFileInformation: { Length, FileInformationClass } }));
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
      return yield* this.request(handle, IRP_MJ_SET_INFORMATION, () => ({ SetFileInformation: { Length, FileInformationClass, ParentOfTarget: null, InfoBuffer: info } }));
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
      return yield* this.request(handle, IRP_MJ_SET_INFORMATION, () => ({
        SetFileInformation: { Length, FileInformationClass, ParentOfTarget: parent?.id ?? null, InfoBuffer: info },
      }));
    } finally {
      if (parentHandle !== null) yield* this.NtClose(parentHandle);
    }
  }

  *NtQueryVolumeInformationFile(handle: string, FsInformationClass: number, Length: number): Blocking<IoResult> {
    appArguments('NtQueryVolumeInformationFile', handle, { FsInformationClass, Length });
    return yield* this.request(handle, IRP_MJ_QUERY_VOLUME_INFORMATION, () => ({ QueryVolumeInformation: { Length, FsInformationClass } }));
  }

  *NtQuerySecurityObject(handle: string, SecurityInformation: number, Length: number): Blocking<IoResult> {
    appArguments('NtQuerySecurityObject', handle, { SecurityInformation, Length });
    return yield* this.request(handle, IRP_MJ_QUERY_SECURITY, () => ({ QuerySecurity: { SecurityInformation, Length } }));
  }

  *NtSetSecurityObject(handle: string, SecurityInformation: number, SecurityDescriptor: SecurityDescriptor | null): Blocking<IoResult> {
    appArguments('NtSetSecurityObject', handle, { SecurityInformation });
    SecurityDescriptor = optionalRecordArgument('NtSetSecurityObject', 'SecurityDescriptor', SecurityDescriptor);
    return yield* this.request(handle, IRP_MJ_SET_SECURITY, () => ({ SetSecurity: { SecurityInformation, SecurityDescriptor } }));
  }

  *NtFsControlFile(handle: string, FsControlCode: number, InputBuffer: FsctlInput | null, InputBufferLength: number, OutputBufferLength: number): Blocking<IoResult> {
    appArguments('NtFsControlFile', handle, { FsControlCode, InputBufferLength, OutputBufferLength });
    InputBuffer = optionalRecordArgument('NtFsControlFile', 'InputBuffer', InputBuffer);
    return yield* this.request(
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
    return yield* this.request(handle, IRP_MJ_DEVICE_CONTROL, () => ({
      DeviceIoControl: { IoControlCode, InputBufferLength: InputBuffer?.length ?? 0, OutputBufferLength, InputBuffer },
    }));
  }

  *NtFlushBuffersFile(handle: string): Blocking<IoResult> {
    appArguments('NtFlushBuffersFile', handle);
    return yield* this.request(handle, IRP_MJ_FLUSH_BUFFERS, () => ({ FlushBuffers: {} }));
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
    const r = yield* this.request(
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
    return yield* this.request(handle, IRP_MJ_LOCK_CONTROL, () => lockParameters(this.fltMgr, ByteOffset, Length, Key, FailImmediately, ExclusiveLock), { MinorFunction: IRP_MN_LOCK });
  }

  /** NtUnlockFile: IRP_MN_UNLOCK_SINGLE; STATUS_RANGE_NOT_LOCKED when this owner holds no lock of exactly that range. */
  *NtUnlockFile(handle: string, ByteOffset: number, Length: number, Key = 0): Blocking<IoResult> {
    lockArguments('NtUnlockFile', handle, ByteOffset, Length, Key);
    return yield* this.request(handle, IRP_MJ_LOCK_CONTROL, () => lockParameters(this.fltMgr, ByteOffset, Length, Key, false, false), { MinorFunction: IRP_MN_UNLOCK_SINGLE });
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
    const r = yield* this.request(handle, IRP_MJ_DIRECTORY_CONTROL, () => notifyParameters(Buffer, Buffer.length, CompletionFilter), {
      MinorFunction: IRP_MN_NOTIFY_CHANGE_DIRECTORY,
      OperationFlags: WatchTree ? SL_WATCH_TREE : 0,
    });
    if (r.output?.kind !== 'notify') return r;
    return { ...r, output: { kind: 'notify', changes: decodeFileNotifyInformation(Buffer, r.information) } };
  }

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
    if (failure !== null) return (function* (kernel: Kernel): Blocking<IoResult<Uint8Array | null>> {
      return { status: yield* refused(kernel, 'GetOverlappedResult', failure), information: 0, output: null };
    })(this.fltMgr.kernel);
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

  /** @internal The Filter Manager this I/O manager sends to (for src/io/overlappedIo.ts). */
  fltMgrOf(): FilterManager {
    return this.fltMgr;
  }

  /** Is `handle` open? (for the cancel routines) */
  hasHandle(handle: string): boolean {
    return this.handles.has(handle);
  }

  /** Run `body` with the request listed in flight (for the cancel routines), issued by the current thread. */
  private *tracked<T>(request: Omit<AppRequest, 'thread' | 'process'>, body: Blocking<T>): Blocking<T> {
    const thread = this.fltMgr.kernel.current;
    const entry: AppRequest = { ...request, thread: thread?.id ?? null, process: thread?.process ?? null };
    this.inFlight.push(entry);
    try {
      return yield* body;
    } finally {
      const at = this.inFlight.indexOf(entry);
      if (at >= 0) this.inFlight.splice(at, 1);
    }
  }

  /** Build, send and wait for one operation on an open handle. */
  private *request(
    handle: string,
    MajorFunction: number,
    parameters: (fo: FileObject) => FltParameters,
    extra: { readonly MinorFunction?: number; readonly OperationFlags?: number; readonly IrpFlags?: number; readonly buffer?: Uint8Array } = {},
  ): Blocking<IoResult> {
    const deviceFile = this.fltMgr.devices.handles.get(handle);
    if (deviceFile !== undefined) {
      // A driver's own device: the IRP goes to its driver, not down a volume's stack (§23.6).
      const Parameters = parameters(deviceFile as unknown as FileObject) as Readonly<Record<string, unknown>>;
      const SystemBuffer = (Parameters as { FileSystemControl?: { InputBuffer?: FsctlInput | null } }).FileSystemControl?.InputBuffer ?? extra.buffer ?? null;
      return { ...(yield* deviceRequest(this.fltMgr, deviceFile, MajorFunction, extra.MinorFunction ?? 0, Parameters, SystemBuffer as Readonly<Record<string, unknown>> | Uint8Array | null)), output: null };
    }
    const fo = this.handles.get(handle);
    if (fo === undefined) return { status: STATUS_INVALID_HANDLE, information: 0, output: null };
    // The system service references the object through the handle before it waits for the file
    // object's lock, so a close on another thread cannot send IRP_MJ_CLOSE under it.
    fo.pointerCount++;
    yield* this.acquire(fo);
    try {
      const Parameters = parameters(fo);
      const read = (Parameters as { Read?: { ByteOffset: number } }).Read ?? (Parameters as { Write?: { ByteOffset: number } }).Write;
      if (read !== undefined && read.ByteOffset === BYTE_OFFSET_USE_FILE_POINTER_POSITION) {
        // An asynchronous file object has no current position to use.
        return { status: STATUS_INVALID_PARAMETER, information: 0, output: null };
      }
      const spec = {
        volume: fo.volume,
        fileObject: fo,
        MajorFunction,
        MinorFunction: extra.MinorFunction ?? 0,
        OperationFlags: extra.OperationFlags ?? 0,
        IrpFlags: extra.IrpFlags ?? 0,
        Parameters,
        // These calls model an application calling the native API: the requestor is user mode.
        RequestorMode: 'UserMode' as const,
        requestorSid: this.fltMgr.kernel.current?.token ?? DEFAULT_USER_SID,
        initiator: fo.targetedInstance,
        markGenerated: false,
        ...(extra.buffer === undefined ? {} : { buffer: extra.buffer }),
      };
      if (triesFastIoFirst(this.fltMgr, fo, MajorFunction, Parameters, spec.IrpFlags)) {
        // The fast path first (src/io/fastIoPath.ts); refused, the same request goes again as an IRP.
        const fast = startOperation(this.fltMgr, { ...spec, fastIo: true });
        yield* notifySectionConflicts(this.fltMgr, fo, fast);
        yield* driveToCompletion(this.fltMgr, fast);
        if (fast.data.IoStatus.Status !== STATUS_FLT_DISALLOW_FAST_IO) return { status: fast.data.IoStatus.Status, information: fast.data.IoStatus.Information, output: fast.output };
      }
      const op = startOperation(this.fltMgr, spec);
      yield* notifySectionConflicts(this.fltMgr, fo, op);
      yield* this.tracked({ op, handle, overlapped: null }, driveToCompletion(this.fltMgr, op));
      return { status: op.data.IoStatus.Status, information: op.data.IoStatus.Information, output: op.output };
    } finally {
      this.release(fo);
      yield* dereferenceFileObject(this.fltMgr, fo);
    }
  }

  /** The I/O manager fills in CurrentByteOffset for synchronous file objects when no offset is given. */
  private offsetFor(fo: FileObject, ByteOffset: number | undefined): number {
    if (ByteOffset !== undefined) return ByteOffset;
    return (fo.Flags & FO_SYNCHRONOUS_IO) !== 0 ? fo.CurrentByteOffset : BYTE_OFFSET_USE_FILE_POINTER_POSITION;
  }

  /** The I/O manager serialises I/O on a synchronous file object (one request at a time). */
  private *acquire(fo: FileObject): Blocking<void> {
    if ((fo.Flags & FO_SYNCHRONOUS_IO) === 0) return;
    let lock = this.serialization.get(fo.id);
    if (lock === undefined) {
      lock = { busy: false, released: this.fltMgr.kernel.createWaitable(`${fo.id} synchronous I/O lock`, 'pulse') };
      this.serialization.set(fo.id, lock);
    }
    while (lock.busy) yield* waitFor(lock.released, `${fo.id} busy with another synchronous request`);
    lock.busy = true;
  }

  private release(fo: FileObject): void {
    const lock = this.serialization.get(fo.id);
    if (lock === undefined || !lock.busy) return;
    lock.busy = false;
    if (lock.released.waiters.length > 0) this.fltMgr.kernel.signal(lock.released);
  }
}

