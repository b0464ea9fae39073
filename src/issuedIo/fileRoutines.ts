/**
 * The synchronous generated routines on an open file object (§11.6, §11.7, §11.15–11.22): each
 * builds one IRP, sends it below the initiating instance, waits, and returns the file system's
 * status with what it handed back. Out-parameters (LengthReturned, buffers) are fields of the result.
 */
import { UsageError } from '../kernel/errors.js';
import { bufferArgument, fileObjectArgument, instanceArgument, ulongArgument } from './routineArguments.js';
import { optionalStringArgument } from '../kernel/arguments.js';
import type { Blocking } from '../kernel/effects.js';
import { SYSTEM_SID } from '../kernel/sids.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { fail, requireThread } from '../fltmgr/routineSupport.js';
import type { FileObject } from '../io/fileObject.js';
import { startOperation } from '../io/startOperation.js';
import type { FsOutput } from '../fs/types.js';
import {
  FILE_INFORMATION_CLASS,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_WRITE_DATA,
  FSCTL_DELETE_REPARSE_POINT,
  FSCTL_SET_REPARSE_POINT,
  IsReparseTagMicrosoft,
  REPARSE_DATA_BUFFER_HEADER_SIZE,
  REPARSE_GUID_DATA_BUFFER_HEADER_SIZE,
  SYNCHRONIZE,
  FILE_OPEN,
} from '../wdk/fileConstants.js';
import { IO_OPEN_TARGET_DIRECTORY } from '../wdk/fltConstants.js';
import {
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_SECURITY,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_SET_SECURITY,
  IRP_MN_KERNEL_CALL,
  IRP_MN_USER_FS_REQUEST,
} from '../wdk/irp.js';
import { NT_SUCCESS, STATUS_INVALID_PARAMETER, type NTSTATUS } from '../wdk/ntstatus.js';
import type { FileInformation, FltParameters, FsctlInput, SecurityDescriptor } from '../wdk/parameters.js';
import { FltClose, FltCreateFile } from './createFile.js';
import { checkFileObject, checkInitiator, performSynchronous } from './generatedIo.js';

export interface GeneratedResult {
  readonly status: NTSTATUS;
  /** IoStatus.Information: bytes returned, or (STATUS_BUFFER_TOO_SMALL on security) the length needed. */
  readonly information: number;
  readonly output: FsOutput | null;
}

/** FltTagFile / FltUntagFile: the instance, the file object, a ULONG tag and a GUID string or NULL. */
function tagArguments(routine: string, InitiatingInstance: unknown, FileObject: unknown, FileTag: unknown, Guid: unknown): void {
  instanceArgument(routine, 'InitiatingInstance', InitiatingInstance);
  fileObjectArgument(routine, FileObject);
  ulongArgument(routine, 'FileTag', FileTag);
  optionalStringArgument(routine, 'Guid', Guid);
}

/** Each named argument must be a ULONG (src/issuedIo/routineArguments.ts). */
function ulongs(routine: string, values: Readonly<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(values)) ulongArgument(routine, name, value);
}

function* sendBelow(
  routine: string,
  Instance: InstanceObject,
  FileObject: FileObject,
  MajorFunction: number,
  Parameters: FltParameters,
  MinorFunction = 0,
): Blocking<GeneratedResult> {
  instanceArgument(routine, 'Instance', Instance);
  fileObjectArgument(routine, FileObject);
  const fltMgr = Instance.filter.fltMgr;
  requireThread(fltMgr, routine);
  const refused = checkInitiator(fltMgr, Instance, routine) ?? checkFileObject(fltMgr, Instance, FileObject, routine);
  if (refused !== null) return { status: refused, information: 0, output: null };
  const op = startOperation(fltMgr, {
    volume: FileObject.volume,
    fileObject: FileObject,
    MajorFunction,
    MinorFunction,
    Parameters,
    RequestorMode: 'KernelMode',
    requestorSid: fltMgr.kernel.current?.token ?? SYSTEM_SID,
    initiator: Instance,
  });
  yield* performSynchronous(fltMgr, op);
  return { status: op.data.IoStatus.Status, information: op.data.IoStatus.Information, output: op.output };
}

/** FltQueryInformationFile(Instance, FileObject, Length, FileInformationClass) → status, LengthReturned, FileInformation. */
export function FltQueryInformationFile(Instance: InstanceObject, FileObject: FileObject, Length: number, FileInformationClass: number): Blocking<GeneratedResult> {
  ulongs('FltQueryInformationFile', { Length, FileInformationClass });
  return sendBelow('FltQueryInformationFile', Instance, FileObject, IRP_MJ_QUERY_INFORMATION, { QueryFileInformation: { Length, FileInformationClass } });
}

/**
 * FltSetInformationFile(Instance, FileObject, FileInformation, Length, FileInformationClass). For a
 * rename or link FltMgr first opens the target's parent directory with its own create below the
 * instance (SL_OPEN_TARGET_DIRECTORY, share read|write, no share delete) (§11.19). Whether the target
 * is on the same volume is the caller's business, as on Windows.
 */
export function* FltSetInformationFile(
  Instance: InstanceObject,
  FileObject: FileObject,
  FileInformation: FileInformation | null,
  Length: number,
  FileInformationClass: number,
): Blocking<GeneratedResult> {
  instanceArgument('FltSetInformationFile', 'Instance', Instance);
  ulongs('FltSetInformationFile', { Length, FileInformationClass });
  // The information is a structure of its class: plain data, never another of the model's objects.
  if (FileInformation !== null && (typeof FileInformation !== 'object' || ![Object.prototype, null].includes(Object.getPrototypeOf(FileInformation)))) {
    throw new UsageError('BAD_ARGUMENT', `FltSetInformationFile: FileInformation is ${typeof FileInformation === 'object' ? ((FileInformation as object).constructor?.name ?? 'an object') : typeof FileInformation}, not the structure of a FILE_INFORMATION_CLASS or NULL`);
  }
  const renameLike = FileInformationClass === FILE_INFORMATION_CLASS.FileRenameInformation || FileInformationClass === FILE_INFORMATION_CLASS.FileLinkInformation;
  if (!renameLike || FileInformation === null || !('FileName' in FileInformation)) {
    return yield* sendBelow('FltSetInformationFile', Instance, FileObject, IRP_MJ_SET_INFORMATION, {
      SetFileInformation: { Length, FileInformationClass, ParentOfTarget: null, InfoBuffer: FileInformation },
    });
  }
  // A volume-relative target (\dir\new.txt) is on the instance's volume; a full path names its own.
  const target = FileInformation.FileName;
  const fullPath = /^(\\\?\?\\|\\Device\\|\\DosDevices\\|[A-Za-z]:)/i.test(target) ? target : `${Instance.volume.name}${target}`;
  const parent = yield* FltCreateFile(
    Instance.filter,
    Instance,
    FILE_WRITE_DATA | SYNCHRONIZE,
    { ObjectName: fullPath },
    0,
    0,
    FILE_SHARE_READ | FILE_SHARE_WRITE,
    FILE_OPEN,
    0,
    null,
    0,
    IO_OPEN_TARGET_DIRECTORY,
  );
  if (!NT_SUCCESS(parent.status) || parent.FileHandle === null) return { status: parent.status, information: 0, output: null };
  const parentObject = Instance.filter.fltMgr.kernelHandles.get(parent.FileHandle.id)!;
  try {
    return yield* sendBelow('FltSetInformationFile', Instance, FileObject, IRP_MJ_SET_INFORMATION, {
      SetFileInformation: { Length, FileInformationClass, ParentOfTarget: parentObject.id, InfoBuffer: FileInformation },
    });
  } finally {
    yield* FltClose(parent.FileHandle);
  }
}

/** FltQueryVolumeInformationFile(Instance, FileObject, Length, FsInformationClass). */
export function FltQueryVolumeInformationFile(Instance: InstanceObject, FileObject: FileObject, Length: number, FsInformationClass: number): Blocking<GeneratedResult> {
  ulongs('FltQueryVolumeInformationFile', { Length, FsInformationClass });
  return sendBelow('FltQueryVolumeInformationFile', Instance, FileObject, IRP_MJ_QUERY_VOLUME_INFORMATION, { QueryVolumeInformation: { Length, FsInformationClass } });
}

/** FltQuerySecurityObject(Instance, FileObject, SecurityInformation, Length): STATUS_BUFFER_TOO_SMALL sets `information` to the length needed. */
export function FltQuerySecurityObject(Instance: InstanceObject, FileObject: FileObject, SecurityInformation: number, Length: number): Blocking<GeneratedResult> {
  ulongs('FltQuerySecurityObject', { SecurityInformation, Length });
  return sendBelow('FltQuerySecurityObject', Instance, FileObject, IRP_MJ_QUERY_SECURITY, { QuerySecurity: { SecurityInformation, Length } });
}

/** FltSetSecurityObject(Instance, FileObject, SecurityInformation, SecurityDescriptor). */
export function FltSetSecurityObject(Instance: InstanceObject, FileObject: FileObject, SecurityInformation: number, SecurityDescriptor: SecurityDescriptor | null): Blocking<GeneratedResult> {
  ulongs('FltSetSecurityObject', { SecurityInformation });
  return sendBelow('FltSetSecurityObject', Instance, FileObject, IRP_MJ_SET_SECURITY, { SetSecurity: { SecurityInformation, SecurityDescriptor } });
}

/** FltFsControlFile(Instance, FileObject, FsControlCode, InputBuffer, InputBufferLength, OutputBufferLength) (§13 A13 for the minor code). */
export function FltFsControlFile(
  Instance: InstanceObject,
  FileObject: FileObject,
  FsControlCode: number,
  InputBuffer: FsctlInput | null,
  InputBufferLength: number,
  OutputBufferLength: number,
): Blocking<GeneratedResult> {
  instanceArgument('FltFsControlFile', 'Instance', Instance);
  ulongs('FltFsControlFile', { FsControlCode, InputBufferLength, OutputBufferLength });
  const minor = Instance.filter.fltMgr.options.semantics.fsControlMinor === 'IRP_MN_KERNEL_CALL' ? IRP_MN_KERNEL_CALL : IRP_MN_USER_FS_REQUEST;
  return sendBelow('FltFsControlFile', Instance, FileObject, IRP_MJ_FILE_SYSTEM_CONTROL, { FileSystemControl: { FsControlCode, InputBufferLength, OutputBufferLength, InputBuffer } }, minor);
}

/** FltDeviceIoControlFile(Instance, FileObject, IoControlCode, InputBuffer, InputBufferLength, OutputBufferLength). */
export function FltDeviceIoControlFile(
  Instance: InstanceObject,
  FileObject: FileObject,
  IoControlCode: number,
  InputBuffer: Uint8Array | null,
  InputBufferLength: number,
  OutputBufferLength: number,
): Blocking<GeneratedResult> {
  ulongs('FltDeviceIoControlFile', { IoControlCode, InputBufferLength, OutputBufferLength });
  return sendBelow('FltDeviceIoControlFile', Instance, FileObject, IRP_MJ_DEVICE_CONTROL, { DeviceIoControl: { IoControlCode, InputBufferLength, OutputBufferLength, InputBuffer } });
}

/** FltFlushBuffers(Instance, FileObject). */
export function* FltFlushBuffers(Instance: InstanceObject, FileObject: FileObject): Blocking<NTSTATUS> {
  return (yield* sendBelow('FltFlushBuffers', Instance, FileObject, IRP_MJ_FLUSH_BUFFERS, { FlushBuffers: {} })).status;
}

function reparseHeaderSize(tag: number): number {
  return IsReparseTagMicrosoft(tag) ? REPARSE_DATA_BUFFER_HEADER_SIZE : REPARSE_GUID_DATA_BUFFER_HEADER_SIZE;
}

/**
 * FltTagFile(InitiatingInstance, FileObject, FileTag, Guid, DataBuffer, DataBufferLength): set or
 * replace a reparse point (FSCTL_SET_REPARSE_POINT below the instance). A non-Microsoft tag needs a GUID.
 */
export function* FltTagFile(
  InitiatingInstance: InstanceObject,
  FileObject: FileObject,
  FileTag: number,
  Guid: string | null,
  DataBuffer: Uint8Array,
  DataBufferLength: number,
): Blocking<NTSTATUS> {
  tagArguments('FltTagFile', InitiatingInstance, FileObject, FileTag, Guid);
  bufferArgument('FltTagFile', 'DataBuffer', DataBuffer);
  ulongArgument('FltTagFile', 'DataBufferLength', DataBufferLength);
  if (DataBuffer.length < DataBufferLength) {
    return fail(InitiatingInstance.filter.fltMgr, InitiatingInstance, 'FltTagFile', STATUS_INVALID_PARAMETER, `DataBuffer holds ${DataBuffer.length} bytes, DataBufferLength is ${DataBufferLength}`);
  }
  if (!IsReparseTagMicrosoft(FileTag) && Guid === null) {
    return fail(InitiatingInstance.filter.fltMgr, InitiatingInstance, 'FltTagFile', STATUS_INVALID_PARAMETER, `tag 0x${FileTag.toString(16)} is not a Microsoft tag: a GUID is required`);
  }
  const data = DataBuffer.subarray(0, DataBufferLength);
  // FltMgr builds the REPARSE_(GUID_)DATA_BUFFER: its length counts the header as well as the data.
  const r = yield* sendBelow('FltTagFile', InitiatingInstance, FileObject, IRP_MJ_FILE_SYSTEM_CONTROL, {
    FileSystemControl: {
      FsControlCode: FSCTL_SET_REPARSE_POINT,
      InputBufferLength: reparseHeaderSize(FileTag) + DataBufferLength,
      OutputBufferLength: 0,
      InputBuffer: { ReparseTag: FileTag >>> 0, ReparseDataLength: data.length, ReparseGuid: IsReparseTagMicrosoft(FileTag) ? null : Guid, DataBuffer: data },
    },
  }, IRP_MN_USER_FS_REQUEST);
  return r.status;
}

/** FltUntagFile(InitiatingInstance, FileObject, FileTag, Guid): remove the reparse point (FSCTL_DELETE_REPARSE_POINT); the file stays. */
export function* FltUntagFile(InitiatingInstance: InstanceObject, FileObject: FileObject, FileTag: number, Guid: string | null): Blocking<NTSTATUS> {
  tagArguments('FltUntagFile', InitiatingInstance, FileObject, FileTag, Guid);
  if (!IsReparseTagMicrosoft(FileTag) && Guid === null) {
    return fail(InitiatingInstance.filter.fltMgr, InitiatingInstance, 'FltUntagFile', STATUS_INVALID_PARAMETER, `tag 0x${FileTag.toString(16)} is not a Microsoft tag: a GUID is required`);
  }
  const r = yield* sendBelow('FltUntagFile', InitiatingInstance, FileObject, IRP_MJ_FILE_SYSTEM_CONTROL, {
    FileSystemControl: {
      FsControlCode: FSCTL_DELETE_REPARSE_POINT,
      InputBufferLength: reparseHeaderSize(FileTag),
      OutputBufferLength: 0,
      InputBuffer: { ReparseTag: FileTag >>> 0, ReparseDataLength: 0, ReparseGuid: IsReparseTagMicrosoft(FileTag) ? null : Guid, DataBuffer: new Uint8Array(0) },
    },
  }, IRP_MN_USER_FS_REQUEST);
  return r.status;
}
