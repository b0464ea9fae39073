/**
 * nchelper.c of the NameChanger sample, the routines the notification core uses:
 * NcGetFileNameInformation, NcAllocateEResource, NcFreeEResource and NcSetCancelCompletion.
 *
 * NcSetCancelCompletion takes the system cancel spin lock (IoAcquireCancelSpinLock) around
 * FltIsIoCanceled and FltSetCancelCompletion so that no cancel lands between the two. The model has
 * no system cancel spin lock object: both calls run in one step with no scheduling point between
 * them, and FltSetCancelCompletion itself returns STATUS_CANCELLED for data whose cancel bit is set
 * (src/fltmgr/cancelRoutines.ts), so the pair is atomic as the spin lock makes it.
 */
import {
  ERESOURCE,
  ExDeleteResourceLite,
  ExInitializeResourceLite,
  FltGetFileNameInformation,
  FltGetFileNameInformationUnsafe,
  FltIsIoCanceled,
  FltSetCancelCompletion,
  NT_SUCCESS,
  STATUS_CANCELLED,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_COMPLETE_CANCELED_CALLBACK,
  type PFLT_INSTANCE,
} from '../../../src/index.js';

/** The right FltGetFileNameInformation variant for what the caller has. */
export function* NcGetFileNameInformation(
  Data: FLT_CALLBACK_DATA | null,
  FileObject: PFILE_OBJECT | null,
  Instance: PFLT_INSTANCE | null,
  NameOptions: number,
): Blocking<{ status: NTSTATUS; FileNameInformation: FLT_FILE_NAME_INFORMATION | null }> {
  if (Data !== null) return yield* FltGetFileNameInformation(Data, NameOptions);
  if (FileObject !== null) return yield* FltGetFileNameInformationUnsafe(FileObject, Instance, NameOptions);
  return { status: STATUS_INVALID_PARAMETER, FileNameInformation: null };
}

/** A new, initialized ERESOURCE (ExAllocatePoolZero of NonPagedPool in C). */
export function* NcAllocateEResource(): Blocking<{ status: NTSTATUS; Lock: ERESOURCE | null }> {
  const Lock = new ERESOURCE('NameChanger stream handle context lock');
  const Status = yield* ExInitializeResourceLite(Lock);
  if (!NT_SUCCESS(Status)) return { status: Status, Lock: null };
  return { status: STATUS_SUCCESS, Lock };
}

export function* NcFreeEResource(Lock: ERESOURCE): Blocking<void> {
  yield* ExDeleteResourceLite(Lock);
}

/**
 * Arm CanceledCallback on Data; STATUS_CANCELLED if Data is already cancelled (the caller must
 * complete it), STATUS_SUCCESS once the routine is armed.
 */
export function NcSetCancelCompletion(Data: FLT_CALLBACK_DATA, CanceledCallback: PFLT_COMPLETE_CANCELED_CALLBACK): NTSTATUS {
  if (FltIsIoCanceled(Data)) return STATUS_CANCELLED;
  return FltSetCancelCompletion(Data, CanceledCallback);
}
