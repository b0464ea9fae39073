/**
 * ncdirnotify.c of the NameChanger sample, the helpers: the per-subrequest context
 * (NC_NOTIFY_REQUEST_CONTEXT), building and tearing down a subrequest (a FLT_CALLBACK_DATA of
 * IRP_MN_NOTIFY_CHANGE_DIRECTORY with the filter's own pool buffer), finding a request's buffer, and
 * translating a FILE_NOTIFY_INFORMATION chain from the file system's view to the user's.
 *
 * Buffers are Uint8Arrays and FILE_NOTIFY_INFORMATION entries are read and written as their bytes
 * ({NextEntryOffset, Action, FileNameLength, FileName[]}, little-endian), as the C code does. The
 * try/except around user buffers has nothing to catch here: a buffer is always mapped.
 * NcGetNewSystemBufferAddress (FltGetNewSystemBufferAddress, looked up at run time) is NULL, as on
 * a system without it: a user request's buffer is reached through the MDL FltLockUserBuffer makes.
 */
import {
  ExAllocatePoolZero,
  ExFreePoolWithTag,
  FLTFL_CALLBACK_DATA_SYSTEM_BUFFER,
  FltAllocateCallbackData,
  FltFreeCallbackData,
  FltLockUserBuffer,
  FltReferenceContext,
  FltReleaseContext,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MN_NOTIFY_CHANGE_DIRECTORY,
  MdlMappingNoExecute,
  MmGetSystemAddressForMdlSafe,
  NT_SUCCESS,
  NormalPagePriority,
  ObDereferenceObject,
  ObReferenceObject,
  PagedPool,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_USER_BUFFER,
  STATUS_OBJECT_PATH_INVALID,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import { AlignToSize, MAXUSHORT, NC_SEPARATOR, NC_TAG, NcComparePath, NcConstructPath, type NC_INSTANCE_CONTEXT, type PNC_STREAM_HANDLE_CONTEXT } from './nc.js';

/** STATUS_NO_MEMORY (ntstatus.h): no VA to map locked pages. */
const STATUS_NO_MEMORY = 0xc0000017;

/** NC_NOTIFY_REQUEST_TYPE. */
export type NC_NOTIFY_REQUEST_TYPE = 'NotifyUserRequest' | 'NotifyShadowRequest' | 'NotifyMappingRequest';

/** NC_NOTIFY_REQUEST_CONTEXT: allocated per subrequest. */
export interface NC_NOTIFY_REQUEST_CONTEXT {
  UserHandleContext: PNC_STREAM_HANDLE_CONTEXT;
  FileObjectToDereference: PFILE_OBJECT | null;
  RequestType: NC_NOTIFY_REQUEST_TYPE;
  Request: FLT_CALLBACK_DATA;
}

/** FIELD_OFFSET(FILE_NOTIFY_INFORMATION, FileName). */
export const FILE_NOTIFY_INFORMATION_FileName = 12;

type NotifyParameters = { Length: number; CompletionFilter: number; DirectoryBuffer?: Uint8Array | null; MdlAddress?: unknown };

/** Data->Iopb->Parameters.DirectoryControl.NotifyDirectory. */
export function NotifyDirectory(Data: FLT_CALLBACK_DATA): NotifyParameters {
  return (Data.Iopb.Parameters as { DirectoryControl: { NotifyDirectory: NotifyParameters } }).DirectoryControl.NotifyDirectory;
}

/**
 * Transform a chain from the file system's view to the user's: replace real-mapping paths with
 * user-mapping paths (ReturnRealMappingPaths), suppress entries in the real mapping (not
 * ReturnRealMappingPaths), or return only entries inside it (ReturnInMappingOnly).
 */
export function NcDirNotifyTranslateBuffers(
  InstanceContext: NC_INSTANCE_CONTEXT,
  IgnoreCase: boolean,
  UserRequestName: string,
  OpenedName: string,
  InputSystemBuffer: Uint8Array,
  OutputUserBuffer: Uint8Array,
  InputBufferLength: number,
  OutputBufferLength: number,
  ReturnRealMappingPaths: boolean,
  ReturnInMappingOnly: boolean,
): { status: NTSTATUS; InputBufferConsumed: number; OutputBufferWritten: number } {
  const In = new DataView(InputSystemBuffer.buffer, InputSystemBuffer.byteOffset, InputSystemBuffer.byteLength);
  const Out = new DataView(OutputUserBuffer.buffer, OutputUserBuffer.byteOffset, OutputUserBuffer.byteLength);
  let SourceEntry: number | null = 0;
  let DestEntry = 0;
  let PrevDestEntry: number | null = null;
  let InputBufferConsumed = 0;
  let OutputBufferWritten = 0;
  while (SourceEntry !== null) {
    const FileNameLength = In.getUint32(SourceEntry + 8, true);
    //  The path is relative to the handle: build the full path, with checked arithmetic.
    let EntryLength = 2 * OpenedName.length + 2;
    if (EntryLength >= MAXUSHORT || EntryLength + FileNameLength >= MAXUSHORT) return { status: STATUS_OBJECT_PATH_INVALID, InputBufferConsumed, OutputBufferWritten };
    EntryLength += FileNameLength;
    //  An entry that walks off the end of the input buffer means a corrupted buffer.
    if (InputBufferConsumed + FILE_NOTIFY_INFORMATION_FileName + FileNameLength > InputBufferLength) return { status: STATUS_INVALID_USER_BUFFER, InputBufferConsumed, OutputBufferWritten };
    let FileName = '';
    for (let k = 0; k + 1 < FileNameLength; k += 2) FileName += String.fromCharCode(In.getUint16(SourceEntry + FILE_NOTIFY_INFORMATION_FileName + k, true));
    const NameString = `${OpenedName}${NC_SEPARATOR}${FileName}`;
    //  Now see if this name needs to be munged.
    const Real = NcComparePath(NameString, InstanceContext.Mapping.RealMapping, IgnoreCase, true);
    let ReturnName: string | null;
    if (Real.Overlap.InMapping && ReturnRealMappingPaths) {
      //  A common ancestor of both mappings is watched: real-mapping paths become user-mapping paths.
      const munged = NcConstructPath(InstanceContext.Mapping.UserMapping, Real.Remainder, true);
      if (!NT_SUCCESS(munged.status)) return { status: munged.status, InputBufferConsumed, OutputBufferWritten };
      ReturnName = munged.NewName;
    } else if (ReturnInMappingOnly || Real.Overlap.InMapping) {
      //  Not visible under this tree.
      ReturnName = null;
    } else {
      ReturnName = NameString;
    }
    if (ReturnName !== null) {
      //  Drop a trailing slash (an injected entry for the mapping has one), and never copy the leading one.
      if (ReturnName.length - UserRequestName.length > 1 && ReturnName.endsWith(NC_SEPARATOR)) ReturnName = ReturnName.slice(0, -1);
      const Relative = ReturnName.slice(UserRequestName.length + 1);
      const EntryLengthExact = FILE_NOTIFY_INFORMATION_FileName + 2 * Relative.length;
      const Aligned = AlignToSize(EntryLengthExact, 8);
      if (Aligned + OutputBufferWritten > OutputBufferLength) {
        //  Full: let the caller deal with the rest of the input.
        if (PrevDestEntry !== null) Out.setUint32(PrevDestEntry, 0, true);
        SourceEntry = null;
        break;
      }
      Out.setUint32(DestEntry + 8, 2 * Relative.length, true);
      for (let k = 0; k < Relative.length; k++) Out.setUint16(DestEntry + FILE_NOTIFY_INFORMATION_FileName + 2 * k, Relative.charCodeAt(k), true);
      Out.setUint32(DestEntry + 4, In.getUint32(SourceEntry + 4, true), true);
      Out.setUint32(DestEntry, Aligned, true);
      PrevDestEntry = DestEntry;
      OutputBufferWritten += Aligned;
      DestEntry += Aligned;
    }
    //  SourceEntry->NextEntryOffset is untrusted.
    const Next = In.getUint32(SourceEntry, true);
    InputBufferConsumed += Next;
    SourceEntry += Next;
    if (Next === 0) {
      if (PrevDestEntry !== null) Out.setUint32(PrevDestEntry, 0, true);
      InputBufferConsumed = InputBufferLength;
      SourceEntry = null;
    }
    if (SourceEntry !== null && (InputBufferConsumed >= InputBufferLength || InputBufferConsumed + FILE_NOTIFY_INFORMATION_FileName > InputBufferLength)) {
      //  Consumed exactly the input buffer, so a remnant never comes back to be over-read.
      InputBufferConsumed = InputBufferLength;
      SourceEntry = null;
    }
  }
  return { status: STATUS_SUCCESS, InputBufferConsumed, OutputBufferWritten };
}

/** A new request context, referencing the handle context and FileObject. */
export function NcAllocateNotifyRequestContext(HandleContext: PNC_STREAM_HANDLE_CONTEXT, FileObject: PFILE_OBJECT | null, RequestType: NC_NOTIFY_REQUEST_TYPE, Request: FLT_CALLBACK_DATA): { status: NTSTATUS; NotifyRequestContext: NC_NOTIFY_REQUEST_CONTEXT } {
  FltReferenceContext(HandleContext);
  let FileObjectToDereference: PFILE_OBJECT | null = null;
  if (FileObject !== null) {
    ObReferenceObject(FileObject);
    FileObjectToDereference = FileObject;
  }
  return { status: STATUS_SUCCESS, NotifyRequestContext: { UserHandleContext: HandleContext, FileObjectToDereference, RequestType, Request } };
}

/** Drop what NcAllocateNotifyRequestContext referenced; called without the lock held. */
export function* NcFreeNotifyRequestContext(NotifyRequestContext: NC_NOTIFY_REQUEST_CONTEXT): Blocking<void> {
  if (NotifyRequestContext.FileObjectToDereference !== null) yield* ObDereferenceObject(NotifyRequestContext.FileObjectToDereference);
  FltReleaseContext(NotifyRequestContext.UserHandleContext);
}

/**
 * A subrequest for PrimaryRequest on FileObject: its own pool buffer of the user's length (system
 * buffered), the user's flags and CompletionFilter. The user's buffer is locked now, since the
 * user's request will be completed in an arbitrary context.
 */
export function* NcBuildSubNotifyRequest(
  PrimaryRequest: FLT_CALLBACK_DATA,
  Instance: PFLT_INSTANCE,
  FileObject: PFILE_OBJECT,
  HandleContext: PNC_STREAM_HANDLE_CONTEXT,
  RequestType: NC_NOTIFY_REQUEST_TYPE,
): Blocking<{ status: NTSTATUS; SubRequest: FLT_CALLBACK_DATA | null; NotifyRequestContext: NC_NOTIFY_REQUEST_CONTEXT | null }> {
  const BufferLength = NotifyDirectory(PrimaryRequest).Length;
  let MyBuffer: Uint8Array | null = null;
  if (BufferLength > 0) {
    const Status = FltLockUserBuffer(PrimaryRequest);
    if (!NT_SUCCESS(Status)) return { status: Status, SubRequest: null, NotifyRequestContext: null };
    MyBuffer = yield* ExAllocatePoolZero(PagedPool, BufferLength, NC_TAG);
    if (MyBuffer === null) return { status: STATUS_INSUFFICIENT_RESOURCES, SubRequest: null, NotifyRequestContext: null };
  }
  const allocated = FltAllocateCallbackData(Instance, FileObject);
  if (!NT_SUCCESS(allocated.status)) {
    if (MyBuffer !== null) yield* ExFreePoolWithTag(MyBuffer, NC_TAG);
    return { status: allocated.status, SubRequest: null, NotifyRequestContext: null };
  }
  const NewRequest = allocated.data!;
  NewRequest.Iopb.MajorFunction = IRP_MJ_DIRECTORY_CONTROL;
  NewRequest.Iopb.MinorFunction = IRP_MN_NOTIFY_CHANGE_DIRECTORY;
  NewRequest.Iopb.OperationFlags = PrimaryRequest.Iopb.OperationFlags;
  NewRequest.Iopb.Parameters = { DirectoryControl: { NotifyDirectory: { Length: BufferLength, DirectoryBuffer: MyBuffer, CompletionFilter: NotifyDirectory(PrimaryRequest).CompletionFilter, MdlAddress: null } } };
  if (BufferLength > 0) NewRequest.Flags |= FLTFL_CALLBACK_DATA_SYSTEM_BUFFER;
  //  The request context comes last: its references cannot be dropped safely after this.
  const context = NcAllocateNotifyRequestContext(HandleContext, FileObject, RequestType, NewRequest);
  if (!NT_SUCCESS(context.status)) {
    yield* NcCleanupSubNotifyRequest(NewRequest);
    return { status: context.status, SubRequest: null, NotifyRequestContext: null };
  }
  return { status: STATUS_SUCCESS, SubRequest: NewRequest, NotifyRequestContext: context.NotifyRequestContext };
}

/** Tear a subrequest down: its buffer and its callback data. */
export function* NcCleanupSubNotifyRequest(SubRequest: FLT_CALLBACK_DATA): Blocking<void> {
  const Buffer = NotifyDirectory(SubRequest).DirectoryBuffer ?? null;
  if (Buffer !== null) yield* ExFreePoolWithTag(Buffer, NC_TAG);
  FltFreeCallbackData(SubRequest);
}

/** The buffer to use for a request's results: through its MDL, else its (system) DirectoryBuffer. */
export function NcGetDestinationNotifyBuffer(Data: FLT_CALLBACK_DATA): { status: NTSTATUS; DestBuffer: Uint8Array | null; BufferSize: number } {
  const params = NotifyDirectory(Data);
  const BufferSize = params.Length;
  //  FltLockUserBuffer does not take zero-length buffers.
  if (params.Length === 0) return { status: STATUS_SUCCESS, DestBuffer: null, BufferSize };
  if (params.MdlAddress !== null && params.MdlAddress !== undefined) {
    const Status = FltLockUserBuffer(Data);
    if (!NT_SUCCESS(Status)) return { status: Status, DestBuffer: null, BufferSize };
    const DestBuffer = MmGetSystemAddressForMdlSafe(NotifyDirectory(Data).MdlAddress as Parameters<typeof MmGetSystemAddressForMdlSafe>[0], NormalPagePriority | MdlMappingNoExecute);
    //  Pages locked but no VA to map them: STATUS_NO_MEMORY.
    if (DestBuffer === null) return { status: STATUS_NO_MEMORY, DestBuffer: null, BufferSize };
    return { status: STATUS_SUCCESS, DestBuffer, BufferSize };
  }
  //  No MDL and no system buffer from the file system: our own (pool) request, or the caller's VA.
  return { status: STATUS_SUCCESS, DestBuffer: params.DirectoryBuffer ?? null, BufferSize };
}
