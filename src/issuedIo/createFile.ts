/**
 * FltCreateFile, FltCreateFileEx, FltClose (§11.1–11.3) and ObDereferenceObject for the file object
 * FltCreateFileEx hands back.
 *
 * With an instance, the create starts just below it (the instance and everything above never see
 * it); with Instance = NULL it starts at the top of the volume's stack, so the caller's own
 * instance sees it too (the recursion hazard of §10). Creates are always synchronous. The handle is
 * a kernel handle; cleanup and close for the file object start below the instance as well (§13 A6).
 */
import { SectionObject } from '../fltmgr/sectionObjects.js';
import { DEVICE_OBJECT } from '../io/deviceObjects.js';
import { dereferenceDiskDevice } from '../fltmgr/diskDevices.js';
import { dereferenceSectionObject } from '../fltmgr/sectionRoutines.js';
import { normalKernelApcsDisabled } from '../sync/irql.js';
import type { Blocking } from '../kernel/effects.js';
import type { FilterObject } from '../fltmgr/filterObject.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { EcpListObject } from '../fltmgr/ecpObjects.js';
import { fail, requireThread } from '../fltmgr/routineSupport.js';
import { closeHandleIn, createHandle } from '../io/handles.js';
import { dereferenceFileObject, releaseCreateReference } from '../io/closeFile.js';
import { TransactionObject } from '../fltmgr/transactionObjects.js';
import { dereferenceTransactionObject, transactionArgument, type TXN_PARAMETER_BLOCK } from '../fltmgr/transactionRoutines.js';
import { driveToCompletion } from '../io/dispatch.js';
import type { FileObject } from '../io/fileObject.js';
import type { SimThread } from '../kernel/thread.js';
import { createFileObject, fileObjectOpenFailed } from '../io/fileObjectLifecycle.js';
import { resolvePath } from '../io/paths.js';
import { startOperation } from '../io/startOperation.js';
import { beforeFirstOperation } from '../fltmgr/volumeRoutines.js';
import { volumeForOpen } from '../fltmgr/volumeMount.js';
import { createFollowingReparse, type CreateAttempt } from '../io/reparseResolution.js';
import { autoReparse, callersInstanceOn, recordTarget, targetEcpOf } from './createTarget.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import { FILE_OPEN } from '../wdk/fileConstants.js';
import {
  IO_FORCE_ACCESS_CHECK,
  IO_IGNORE_SHARE_ACCESS_CHECK,
  IO_OPEN_TARGET_DIRECTORY,
  IO_STOP_ON_SYMLINK,
} from '../wdk/fltConstants.js';
import { IRP_MJ_CREATE, SL_FORCE_ACCESS_CHECK, SL_OPEN_TARGET_DIRECTORY } from '../wdk/irp.js';
import {
  NT_SUCCESS,
  STATUS_INVALID_DEVICE_OBJECT_PARAMETER,
  STATUS_INVALID_HANDLE,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_SUCCESS,
  type NTSTATUS,
  STATUS_TRANSACTION_NOT_ACTIVE,
} from '../wdk/ntstatus.js';
import { packCreateOptions } from '../wdk/parameters.js';
import { checkInitiator } from './generatedIo.js';
import { fileObjectArgument, filterArgument, instanceArgument, ulongArgument } from './routineArguments.js';
import { badArgument, bufferArgument, optionalObjectArgument, optionalRecordArgument, recordArgument, stringArgument } from '../kernel/arguments.js';
import { UsageError } from '../kernel/errors.js';
import { shown } from '../kernel/elide.js';

/**
 * A kernel handle (OBJ_KERNEL_HANDLE) from FltCreateFile*: opaque, and it knows its simulation, so
 * FltClose(FileHandle) needs nothing else, as in the WDK.
 */
export class KernelHandle {
  constructor(
    readonly id: string,
    /** @internal */ readonly fltMgr: FilterManager,
  ) {}

  toString(): string {
    return this.id;
  }
}

/** OBJECT_ATTRIBUTES: the name (`\??\C:\dir\f`, `\Device\HarddiskVolume1\dir\f`), or a name relative to RootDirectory. */
export interface OBJECT_ATTRIBUTES {
  readonly ObjectName: string;
  readonly RootDirectory?: KernelHandle | null;
  readonly Attributes?: number;
}

export interface IO_STATUS_RESULT {
  readonly Status: NTSTATUS;
  readonly Information: number;
}

export interface CreateFileResult {
  readonly status: NTSTATUS;
  readonly FileHandle: KernelHandle | null;
  readonly IoStatusBlock: IO_STATUS_RESULT;
}

export interface CreateFileExResult extends CreateFileResult {
  /** Referenced: release with ObDereferenceObject (as well as FltClose for the handle). */
  readonly FileObject: FileObject | null;
}

/**
 * The parameters FltCreateFile, FltCreateFileEx and FltCreateFileEx2 share, in the WDK's order:
 * (Filter, Instance, DesiredAccess, ObjectAttributes, AllocationSize, FileAttributes, ShareAccess,
 * CreateDisposition, CreateOptions, EaBuffer, EaLength, Flags). Written once, so the three routines
 * cannot drift apart; createFile checks every one of them.
 */
export type FltCreateFileParameters = [
  Filter: FilterObject,
  Instance: InstanceObject | null,
  DesiredAccess: number,
  ObjectAttributes: OBJECT_ATTRIBUTES,
  AllocationSize?: number,
  FileAttributes?: number,
  ShareAccess?: number,
  CreateDisposition?: number,
  CreateOptions?: number,
  EaBuffer?: Uint8Array | null,
  EaLength?: number,
  Flags?: number,
];

/** FltCreateFile(Filter, Instance, DesiredAccess, ObjectAttributes, AllocationSize, FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength, Flags). */
export function* FltCreateFile(...parameters: FltCreateFileParameters): Blocking<CreateFileResult> {
  const r = yield* createFile('FltCreateFile', parameters, false);
  return { status: r.status, FileHandle: r.FileHandle, IoStatusBlock: r.IoStatusBlock };
}

/** FltCreateFileEx: as FltCreateFile, and also returns the referenced file object. */
export function FltCreateFileEx(...parameters: FltCreateFileParameters): Blocking<CreateFileExResult> {
  return createFile('FltCreateFileEx', parameters, true);
}

/**
 * IO_DRIVER_CREATE_CONTEXT: the ECP list the create carries and the transaction it joins (§22.1).
 * `DeviceObjectHint` is the instance argument here. `TxnParameters` as
 * IoGetTransactionParameterBlock(FileObject) returns it; absent or NULL, the open is not
 * transacted, whatever transaction the calling thread has.
 */
export interface IO_DRIVER_CREATE_CONTEXT {
  readonly ExtraCreateParameter: EcpListObject | null;
  readonly TxnParameters?: TXN_PARAMETER_BLOCK | null;
}

/**
 * FltCreateFileEx2(…, DriverContext): FltCreateFileEx whose create carries DriverContext's ECP list
 * down the stack (FltGetEcpListFromCallbackData in every lower pre- and post-create). The list is
 * the caller's before and after: unchanged, reusable, freed by the caller (§22.2).
 */
export function* FltCreateFileEx2(...parameters: [...FltCreateFileParameters, DriverContext?: IO_DRIVER_CREATE_CONTEXT | null]): Blocking<CreateFileExResult> {
  const routine = 'FltCreateFileEx2';
  const filter = filterArgument(routine, parameters[0]);
  const context = optionalRecordArgument<IO_DRIVER_CREATE_CONTEXT>(routine, 'DriverContext', parameters[12]);
  const list = optionalObjectArgument(routine, 'DriverContext.ExtraCreateParameter', context?.ExtraCreateParameter, EcpListObject, 'a PECP_LIST');
  if (list !== null && list.state === 'Freed') throw filter.fltMgr.kernel.violation('ECP_USED_AFTER_FREE', list.id, `FltCreateFileEx2 with ${list}, which was freed`);
  const txn = optionalRecordArgument<TXN_PARAMETER_BLOCK>(routine, 'DriverContext.TxnParameters', context?.TxnParameters);
  const transaction = txn === null ? null : transactionArgument(routine, txn.TransactionObject, 'DriverContext.TxnParameters.TransactionObject');
  if (transaction !== null && transaction.state !== 'Active') {
    const status = fail(filter.fltMgr, filter, routine, STATUS_TRANSACTION_NOT_ACTIVE, `${transaction} is ${transaction.state}`);
    return { status, FileHandle: null, FileObject: null, IoStatusBlock: { Status: status, Information: 0 } };
  }
  return yield* createFile(routine, parameters.slice(0, 12) as FltCreateFileParameters, true, list, transaction);
}

function* createFile(
  routine: string,
  parameters: FltCreateFileParameters,
  wantFileObject: boolean,
  ecpList: EcpListObject | null = null,
  transaction: TransactionObject | null = null,
): Blocking<CreateFileExResult> {
  const [Filter, InstanceArgument, DesiredAccess, ObjectAttributes, AllocationSize = 0, FileAttributes = 0, ShareAccess = 0, CreateDisposition = FILE_OPEN, CreateOptions = 0, EaBuffer = null, EaLength = 0, Flags = 0] = parameters;
  let Instance = InstanceArgument;
  filterArgument(routine, Filter);
  if (Instance !== null && Instance !== undefined) instanceArgument(routine, 'Instance', Instance, true);
  Instance ??= null;
  ulongArgument(routine, 'DesiredAccess', DesiredAccess);
  stringArgument(routine, 'ObjectAttributes.ObjectName', recordArgument<OBJECT_ATTRIBUTES>(routine, 'ObjectAttributes', ObjectAttributes).ObjectName);
  for (const [name, value] of [['AllocationSize', AllocationSize], ['FileAttributes', FileAttributes], ['ShareAccess', ShareAccess], ['CreateDisposition', CreateDisposition], ['CreateOptions', CreateOptions], ['EaLength', EaLength], ['Flags', Flags]] as const) {
    ulongArgument(routine, name, value);
  }
  // Extended attributes are not modelled; the buffer is still a buffer at least EaLength long.
  if (bufferArgument(routine, 'EaBuffer', EaBuffer, true) === null ? EaLength !== 0 : EaBuffer!.length < EaLength) throw badArgument(routine, `EaBuffer is shorter than EaLength ${EaLength}`);
  const fltMgr = Filter.fltMgr;
  const thread = requireThread(fltMgr, routine);
  if (normalKernelApcsDisabled(thread)) {
    // §18.5: a thread deadlock on Windows (the create's completion needs an APC); recorded, and the model goes on.
    fltMgr.kernel.reportViolation(
      'CREATE_WITH_APCS_DISABLED',
      thread.id,
      `${routine} by ${thread.name} with normal kernel APCs disabled (critical region ${thread.criticalRegionDepth}, guarded region ${thread.guardedRegionDepth}${thread.locksHeld.length === 0 ? '' : `, holding ${thread.locksHeld.join(', ')}`})`,
    );
  }
  const failed = (status: NTSTATUS): CreateFileExResult => ({ status, FileHandle: null, FileObject: null, IoStatusBlock: { Status: status, Information: 0 } });
  if (Instance !== null) {
    if (Instance.filter !== Filter) throw fltMgr.kernel.violation('INSTANCE_OF_ANOTHER_FILTER', Instance.id, `${routine}: ${Instance} does not belong to ${Filter.name}`);
    const refused = checkInitiator(fltMgr, Instance, routine);
    if (refused !== null) return failed(refused);
  }
  let related: FileObject | null = null;
  let volume;
  let fileName: string;
  const root = ObjectAttributes.RootDirectory ?? null;
  if (root !== null) {
    related = root.fltMgr === fltMgr ? (fltMgr.kernelHandles.get(root.id) ?? null) : null;
    if (related === null) return failed(fail(fltMgr, Filter, routine, STATUS_INVALID_HANDLE, `RootDirectory ${root} is not a kernel handle`));
    volume = related.volume;
    fileName = ObjectAttributes.ObjectName;
  } else {
    const resolved = resolvePath(fltMgr, ObjectAttributes.ObjectName);
    if (resolved === null) return failed(fail(fltMgr, Filter, routine, STATUS_OBJECT_PATH_NOT_FOUND, `no volume for '${ObjectAttributes.ObjectName}'`));
    volume = resolved.volume;
    fileName = resolved.fileName;
  }
  if (Instance !== null && Instance.volume !== volume) {
    // IoCreateFileSpecifyDeviceObjectHint refuses a device that is not in the target's stack.
    return failed(fail(fltMgr, Instance, routine, STATUS_INVALID_DEVICE_OBJECT_PARAMETER, `${Instance} is not on ${volume}`));
  }
  // One create per name the I/O manager parses: a symbolic link or mount point sends another (§21.11).
  // A plain arrow handing its arguments to a module-level generator (see attemptCreate): Instance is
  // read when an attempt starts, as the generator read it; it changes only between attempts.
  const create: CreateParameters = { DesiredAccess, AllocationSize, FileAttributes, ShareAccess, CreateDisposition, CreateOptions, Flags };
  const attemptCreate = (named: VolumeObject, name: string, relatedFo: FileObject | null): Blocking<CreateAttempt> =>
    attemptCreateOn(fltMgr, thread, Instance, transaction, ecpList, create, named, name, relatedFo);
  // FltCreateFile never returns STATUS_REPARSE (§11.1): the I/O manager follows links and mount
  // points, on the instance's own volume only for a targeted create (STATUS_MOUNT_POINT_NOT_RESOLVED).
  const rules = (confinedTo: VolumeObject | null) => ({ confinedTo, stopOnSymlink: (Flags & IO_STOP_ON_SYMLINK) !== 0 });
  let { attempt, status, crossing } = yield* createFollowingReparse(fltMgr, volume, fileName, related, attemptCreate, rules(Instance === null ? null : Instance.volume));
  // FltCreateFileEx2's target ECP may take the create across to the caller's instance there (§22.3).
  const ecp = crossing === undefined || Instance === null ? null : targetEcpOf(ecpList);
  if (ecp !== null && crossing !== undefined) {
    const auto = autoReparse(routine, ecp);
    const there = callersInstanceOn(Filter, crossing.volume);
    recordTarget(fltMgr, Filter, ecp, attempt.fo, auto && there === null ? null : there, crossing, auto && there !== null);
    if (auto && there !== null) {
      Instance = there;
      ({ attempt, status } = yield* createFollowingReparse(fltMgr, crossing.volume, crossing.fileName, null, attemptCreate, rules(there.volume)));
    }
  }
  if (!NT_SUCCESS(status)) return failed(status);
  const { op, fo } = attempt;
  const handleId = createHandle(fltMgr, fltMgr.kernelHandles, fo);
  const FileHandle = new KernelHandle(handleId, fltMgr);
  Filter.files.opened(handleId, { fo, instance: Instance, thread: `${thread.id} (${thread.name})`, seq: fltMgr.kernel.log.nextSeq - 1 }, wantFileObject);
  // FltCreateFileEx hands the create's reference on to its caller (ObDereferenceObject releases it).
  if (!wantFileObject) releaseCreateReference(fltMgr, fo);
  return {
    status: STATUS_SUCCESS,
    FileHandle,
    FileObject: wantFileObject ? fo : null,
    IoStatusBlock: { Status: op.data.IoStatus.Status, Information: op.data.IoStatus.Information },
  };
}

/** The resolved numeric parameters of one FltCreateFile* call, as each of its attempts sends them. */
interface CreateParameters {
  readonly DesiredAccess: number;
  readonly AllocationSize: number;
  readonly FileAttributes: number;
  readonly ShareAccess: number;
  readonly CreateDisposition: number;
  readonly CreateOptions: number;
  readonly Flags: number;
}

/**
 * One IRP_MJ_CREATE of a FltCreateFile* call: the file object, the operation, driven to completion.
 * A module-level generator, not a generator expression in createFile: a called generator closure
 * gets its own initial map, which V8 allocates in the old generation pointing back at the closure
 * and its context, so every simulation that opened a file survived young-generation collections
 * until the next full one (docs/exploration.md, "Memory").
 */
function* attemptCreateOn(
  fltMgr: FilterManager,
  thread: SimThread,
  Instance: InstanceObject | null,
  transaction: TransactionObject | null,
  ecpList: EcpListObject | null,
  create: CreateParameters,
  named: VolumeObject,
  name: string,
  relatedFo: FileObject | null,
): Blocking<CreateAttempt> {
  const { DesiredAccess, AllocationSize, FileAttributes, ShareAccess, CreateDisposition, CreateOptions, Flags } = create;
  // Without an instance the create starts at the top, by name: a volume dismounted since is mounted again (§21.7).
  const target = Instance === null && relatedFo === null ? yield* volumeForOpen(fltMgr, named) : named;
  yield* beforeFirstOperation(fltMgr, target);
  const fo = createFileObject(fltMgr, target, name, relatedFo, Instance, transaction !== null && transaction.state === 'Active' ? transaction : null);
  fo.ignoreSharing = (Flags & IO_IGNORE_SHARE_ACCESS_CHECK) !== 0;
  const op = startOperation(fltMgr, {
    volume: target,
    fileObject: fo,
    MajorFunction: IRP_MJ_CREATE,
    OperationFlags: ((Flags & IO_FORCE_ACCESS_CHECK) !== 0 ? SL_FORCE_ACCESS_CHECK : 0) | ((Flags & IO_OPEN_TARGET_DIRECTORY) !== 0 ? SL_OPEN_TARGET_DIRECTORY : 0),
    Parameters: {
      Create: {
        SecurityContext: { DesiredAccess },
        Options: packCreateOptions(CreateDisposition, CreateOptions),
        FileAttributes,
        ShareAccess,
        EaLength: 0,
        ...(AllocationSize === 0 ? {} : { AllocationSize }),
      },
    },
    RequestorMode: 'KernelMode',
    // A forced access check uses the calling thread's token; otherwise kernel mode is not checked.
    requestorSid: thread.token,
    initiator: Instance,
    fromTop: Instance === null,
    markGenerated: fltMgr.options.semantics.flagGeneratedCreates,
    ecpList,
  });
  yield* driveToCompletion(fltMgr, op);
  const status = op.data.IoStatus.Status;
  if (!NT_SUCCESS(status) || status === STATUS_REPARSE) {
    if (fo.state === 'Opened') {
      throw fltMgr.kernel.violation('CREATE_FAILED_WITHOUT_CANCEL', fo.id, `${op.id}: a post-create failed a create the file system had opened (${fo}) without FltCancelFileOpen (§8, §11.13)`);
    }
    if (fo.state === 'Opening') fileObjectOpenFailed(fltMgr, fo, status);
    releaseCreateReference(fltMgr, fo);
  }
  return { op, fo };
}

/** FltClose(FileHandle): closes a handle from FltCreateFile*; the last one sends IRP_MJ_CLEANUP below the instance. */
export function* FltClose(FileHandle: KernelHandle): Blocking<NTSTATUS> {
  if (!(FileHandle instanceof KernelHandle)) throw new UsageError('BAD_ARGUMENT', `FltClose: FileHandle is ${shown(FileHandle)}, not a HANDLE from FltCreateFile*`);
  const fltMgr = FileHandle.fltMgr;
  requireThread(fltMgr, 'FltClose');
  const opener = fltMgr.filters.find((f) => f.files.hasHandle(FileHandle.id));
  if (opener?.isGone === true) {
    // The filter that opened it has unloaded: its handle was reported leaked and is nobody's to close now.
    throw fltMgr.kernel.violation('HANDLE_OF_UNLOADED_FILTER', opener.id, `FltClose(${FileHandle.id}) after ${opener.name} unregistered; the handle leaked when it unloaded (FILE_HANDLE_LEAKED)`);
  }
  if (!(yield* closeHandleIn(fltMgr, fltMgr.kernelHandles, FileHandle.id))) return STATUS_INVALID_HANDLE;
  opener?.files.closed(FileHandle.id);
  return STATUS_SUCCESS;
}

/** ObDereferenceObject(FileObject): drops the reference FltCreateFileEx handed out; the last one sends IRP_MJ_CLOSE. */
export function* ObDereferenceObject(FileObject: FileObject | SectionObject | TransactionObject | DEVICE_OBJECT): Blocking<void> {
  // ObDereferenceObject takes any object: a section (§24.4), a transaction (§22.4) or a disk device (§23.2) drops one of its references.
  if (FileObject instanceof DEVICE_OBJECT) {
    dereferenceDiskDevice(FileObject.DriverObject.fltMgr, FileObject);
    return;
  }
  if (FileObject instanceof SectionObject) {
    dereferenceSectionObject(FileObject);
    return;
  }
  if (FileObject instanceof TransactionObject) {
    dereferenceTransactionObject(FileObject);
    return;
  }
  if (fileObjectArgument('ObDereferenceObject', FileObject) === null) throw new UsageError('BAD_ARGUMENT', 'ObDereferenceObject: Object is NULL (a failed FltCreateFileEx returns no FileObject)');
  const fltMgr = FileObject.volume.fltMgr;
  requireThread(fltMgr, 'ObDereferenceObject');
  if (FileObject.pointerCount <= 0) {
    throw fltMgr.kernel.violation('DEREFERENCE_UNREFERENCED_FILE_OBJECT', FileObject.id, `ObDereferenceObject on ${FileObject}, which holds no reference`);
  }
  // The reference a filter's FltCreateFileEx took, the calling filter's first.
  const caller = fltMgr.kernel.current?.callbackFilters.at(-1);
  const holders = fltMgr.filters.filter((f) => f.files.holdsReference(FileObject));
  (holders.find((f) => f.id === caller) ?? holders[0])?.files.dereferenced(FileObject);
  yield* dereferenceFileObject(fltMgr, FileObject);
}
