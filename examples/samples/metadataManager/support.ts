/**
 * support.c, ported: FmmTargetIsVolumeOpen (FO_VOLUME_OPEN on the target file object) and
 * FmmIsImplicitVolumeLock (a volume open that shares neither write nor delete is an implicit lock,
 * the way autochk locks a volume). FmmAllocateUnicodeString / FmmFreeUnicodeString are JavaScript
 * strings here.
 */
import {
  FILE_SHARE_DELETE,
  FILE_SHARE_WRITE,
  FltGetInstanceContext,
  FltReleaseContext,
  FO_VOLUME_OPEN,
  NT_SUCCESS,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type NTSTATUS,
} from '../../../src/index.js';
import { DEBUG_TRACE_ERROR, DEBUG_TRACE_METADATA_OPERATIONS, DebugTrace, FlagOn, type FMM_GLOBAL_DATA, type FMM_INSTANCE_CONTEXT } from './metadataManagerStruc.js';

/** TRUE if the operation's target is a volume open; a NULL file object is not a volume. */
export function FmmTargetIsVolumeOpen(Cbd: FLT_CALLBACK_DATA): boolean {
  const fo = Cbd.Iopb.TargetFileObject as FLT_CALLBACK_DATA['Iopb']['TargetFileObject'] | null;
  return fo !== null && FlagOn(fo.Flags, FO_VOLUME_OPEN);
}

/** Whether a volume open is an implicit lock: STATUS_SUCCESS and IsLock, or STATUS_INVALID_PARAMETER for an unknown file system. */
export function* FmmIsImplicitVolumeLock(Globals: FMM_GLOBAL_DATA, Cbd: FLT_CALLBACK_DATA): Blocking<{ status: NTSTATUS; IsLock: boolean }> {
  const got = yield* FltGetInstanceContext<FMM_INSTANCE_CONTEXT>(Cbd.Iopb.TargetInstance!);
  if (!NT_SUCCESS(got.status)) {
    DebugTrace(Globals, DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, '[Fmm]: FmmIsImplicitVolumeLock -> Failed to get instance context.');
    return { status: got.status, IsLock: false };
  }
  const instanceContext = got.context!;
  const shareAccess = (Cbd.Iopb.Parameters as { Create: { ShareAccess: number } }).Create.ShareAccess;
  let status: NTSTATUS;
  let IsLock = false;
  switch (instanceContext.Data.FilesystemType) {
    case 'ReFS':
    case 'NTFS':
    case 'FAT':
      // BooleanFlagOn(shareAccess, FILE_SHARE_WRITE | FILE_SHARE_DELETE): either one makes it not a lock.
      IsLock = !FlagOn(shareAccess, FILE_SHARE_WRITE | FILE_SHARE_DELETE);
      status = STATUS_SUCCESS;
      break;
    default:
      status = STATUS_INVALID_PARAMETER;
      break;
  }
  FltReleaseContext(instanceContext);
  return { status, IsLock };
}
