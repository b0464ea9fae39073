/**
 * FltQueryDirectoryFile (§20.1, §11): a generated IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY
 * below the initiating instance. The entries land in the caller's FileInformation buffer in their
 * byte layout (src/wdk/directoryBytes.ts decodes them); LengthReturned is the bytes written.
 */
import type { Blocking } from '../kernel/effects.js';
import { SYSTEM_SID } from '../kernel/sids.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { fail, requireThread } from '../fltmgr/routineSupport.js';
import type { FileObject } from '../io/fileObject.js';
import { startOperation } from '../io/startOperation.js';
import { IRP_MJ_DIRECTORY_CONTROL, IRP_MN_QUERY_DIRECTORY, SL_RESTART_SCAN, SL_RETURN_SINGLE_ENTRY } from '../wdk/irp.js';
import { STATUS_INVALID_PARAMETER, type NTSTATUS } from '../wdk/ntstatus.js';
import { checkFileObject, checkInitiator, performSynchronous } from './generatedIo.js';
import { bufferArgument, fileObjectArgument, instanceArgument, ulongArgument } from './routineArguments.js';
import { booleanArgument, optionalStringArgument } from '../kernel/arguments.js';

export interface QueryDirectoryResult {
  readonly status: NTSTATUS;
  readonly LengthReturned: number;
}

/**
 * FltQueryDirectoryFile(Instance, FileObject, FileInformation, Length, FileInformationClass,
 * ReturnSingleEntry, FileName, RestartScan, LengthReturned). A FileInformation shorter than Length
 * is STATUS_INVALID_PARAMETER before anything is sent.
 */
export function* FltQueryDirectoryFile(
  Instance: InstanceObject,
  FileObject: FileObject,
  FileInformation: Uint8Array,
  Length: number,
  FileInformationClass: number,
  ReturnSingleEntry: boolean,
  FileName: string | null,
  RestartScan: boolean,
): Blocking<QueryDirectoryResult> {
  const routine = 'FltQueryDirectoryFile';
  instanceArgument(routine, 'Instance', Instance);
  fileObjectArgument(routine, FileObject);
  bufferArgument(routine, 'FileInformation', FileInformation);
  ulongArgument(routine, 'Length', Length);
  ulongArgument(routine, 'FileInformationClass', FileInformationClass);
  booleanArgument(routine, 'ReturnSingleEntry', ReturnSingleEntry);
  booleanArgument(routine, 'RestartScan', RestartScan);
  optionalStringArgument(routine, 'FileName', FileName);
  const fltMgr = Instance.filter.fltMgr;
  requireThread(fltMgr, routine);
  const refused = checkInitiator(fltMgr, Instance, routine) ?? checkFileObject(fltMgr, Instance, FileObject, routine);
  if (refused !== null) return { status: refused, LengthReturned: 0 };
  if (!(FileInformation instanceof Uint8Array)) return { status: fail(fltMgr, Instance, routine, STATUS_INVALID_PARAMETER, 'FileInformation is not a buffer (a Uint8Array)'), LengthReturned: 0 };
  if (!Number.isSafeInteger(Length) || Length < 0 || FileInformation.length < Length) {
    return { status: fail(fltMgr, Instance, routine, STATUS_INVALID_PARAMETER, `FileInformation holds ${FileInformation.length} bytes, Length is ${Length}`), LengthReturned: 0 };
  }
  const op = startOperation(fltMgr, {
    volume: FileObject.volume,
    fileObject: FileObject,
    MajorFunction: IRP_MJ_DIRECTORY_CONTROL,
    MinorFunction: IRP_MN_QUERY_DIRECTORY,
    OperationFlags: (RestartScan ? SL_RESTART_SCAN : 0) | (ReturnSingleEntry ? SL_RETURN_SINGLE_ENTRY : 0),
    Parameters: { DirectoryControl: { QueryDirectory: { Length, FileName, FileInformationClass, FileIndex: 0, DirectoryBuffer: FileInformation, MdlAddress: null } } },
    RequestorMode: 'KernelMode',
    requestorSid: fltMgr.kernel.current?.token ?? SYSTEM_SID,
    initiator: Instance,
  });
  yield* performSynchronous(fltMgr, op);
  return { status: op.data.IoStatus.Status, LengthReturned: op.data.IoStatus.Information };
}
