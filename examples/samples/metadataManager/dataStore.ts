/**
 * DataStore.c, ported: opening and closing the per-volume metadata file
 * (`<volume>\System Volume Information\FilterMetadata.md`, an instance-targeted FltCreateFile, so
 * only the instances below 370060 see it), releasing it when the volume is locked, dismounted or
 * about to be removed, and re-acquiring it afterwards.
 *
 * The instance context's resource guards the handle, the file object and the flags. Around each of
 * its own file-system operations the filter drops the resource and marks the context
 * INSTANCE_CONTEXT_F_TRANSITION (FmmBeginFileSystemOperation / FmmEndFileSystemOperation): a lower
 * filter may send I/O to the top of the stack while the create is below it, and that I/O must not
 * wait for a resource this thread holds. Any other thread that gets the resource meanwhile sees
 * TRANSITION and gives up with STATUS_FILE_LOCK_CONFLICT. The 'keepsResource' variant skips the
 * drop, which is the deadlock §18.5 and the C comments describe.
 */
import {
  FILE_ALL_ACCESS,
  FILE_ATTRIBUTE_HIDDEN,
  FILE_ATTRIBUTE_SYSTEM,
  FILE_CREATED,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_SHARE_READ,
  FltClose,
  FltCreateFile,
  FltCreateSystemVolumeInformationFolder,
  FltGetInstanceContext,
  FltGetVolumeName,
  FltReleaseContext,
  IoFileObjectType,
  KernelMode,
  NT_SUCCESS,
  ObDereferenceObject,
  ObReferenceObjectByHandle,
  STANDARD_RIGHTS_REQUIRED,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_FILE_LOCK_CONFLICT,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type NTSTATUS,
} from '../../../src/index.js';
import {
  DEBUG_TRACE_ERROR,
  DEBUG_TRACE_METADATA_OPERATIONS,
  DebugTrace,
  FLT_ASSERT,
  FlagOn,
  FMM_DEFAULT_VOLUME_NAME_LENGTH,
  FMM_METADATA_FILE_NAME,
  FmmAcquireResourceExclusive,
  FmmReleaseResource,
  INSTANCE_CONTEXT_F_METADATA_OPENED,
  INSTANCE_CONTEXT_F_TRANSITION,
  type FMM_GLOBAL_DATA,
  type FMM_INSTANCE_CONTEXT,
} from './metadataManagerStruc.js';

const FMM_METADATA_FILE_NAME_LENGTH = FMM_METADATA_FILE_NAME.length * 2;

const hex = (status: NTSTATUS): string => `0x${(status >>> 0).toString(16)}`;

export interface FmmDataStore {
  FmmOpenMetadata(InstanceContext: FMM_INSTANCE_CONTEXT, CreateIfNotPresent: boolean): Blocking<NTSTATUS>;
  FmmCloseMetadata(InstanceContext: FMM_INSTANCE_CONTEXT): Blocking<void>;
  FmmReleaseMetadataFileReferences(Cbd: FLT_CALLBACK_DATA): Blocking<NTSTATUS>;
  FmmReacquireMetadataFileReferences(Cbd: FLT_CALLBACK_DATA): Blocking<NTSTATUS>;
  FmmSetMetadataOpenTriggerFileObject(Cbd: FLT_CALLBACK_DATA): Blocking<NTSTATUS>;
}

export function dataStore(Globals: FMM_GLOBAL_DATA): FmmDataStore {
  /**
   * Opens (or, with CreateIfNotPresent, creates) the metadata file of the instance. The caller holds
   * the instance context resource exclusive; it holds it again when this returns.
   */
  function* FmmOpenMetadata(InstanceContext: FMM_INSTANCE_CONTEXT, CreateIfNotPresent: boolean): Blocking<NTSTATUS> {
    DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Opening metadata file ... (Volume = ${InstanceContext.Volume}, CreateIfNotPresent = ${CreateIfNotPresent ? 1 : 0})`);
    let status: NTSTATUS = STATUS_SUCCESS;
    let fileName: string | null = null;

    // The volume name, then the metadata file name appended, growing the buffer until both fit.
    let length = FMM_DEFAULT_VOLUME_NAME_LENGTH + FMM_METADATA_FILE_NAME_LENGTH;
    for (;;) {
      const named = FltGetVolumeName(InstanceContext.Volume, length);
      status = named.status;
      if (NT_SUCCESS(status)) {
        // RtlAppendUnicodeToString: STATUS_BUFFER_TOO_SMALL unless the whole name fits in MaximumLength.
        const full = named.VolumeName! + FMM_METADATA_FILE_NAME;
        status = full.length * 2 <= length ? STATUS_SUCCESS : STATUS_BUFFER_TOO_SMALL;
        if (NT_SUCCESS(status)) {
          fileName = full;
          break;
        }
      } else {
        DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS | DEBUG_TRACE_ERROR, `[Fmm]: Failed to get volume name (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
        length = named.BufferSizeNeeded;
      }
      if (status !== STATUS_BUFFER_TOO_SMALL) return status;
      length += FMM_METADATA_FILE_NAME_LENGTH;
    }

    let created = false;
    for (;;) {
      // RetryFltCreateFile:
      DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Calling FltCreateFile for metadata file ${fileName} (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
      yield* FmmBeginFileSystemOperation(InstanceContext);
      const opened = yield* FltCreateFile(
        Globals.Filter!,
        InstanceContext.Instance,
        FILE_ALL_ACCESS,
        { ObjectName: fileName },
        0,
        FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_HIDDEN,
        FILE_SHARE_READ,
        CreateIfNotPresent ? FILE_OPEN_IF : FILE_OPEN,
        0,
        null,
        0,
        0,
      );
      yield* FmmEndFileSystemOperation(InstanceContext);
      status = opened.status;
      InstanceContext.MetadataHandle = opened.FileHandle;
      if (NT_SUCCESS(status)) {
        created = opened.IoStatusBlock.Information === FILE_CREATED;
        break;
      }
      DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS | DEBUG_TRACE_ERROR, `[Fmm]: FltCreateFile failure for metadata file ${fileName} (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
      if (CreateIfNotPresent && status === STATUS_OBJECT_PATH_NOT_FOUND) {
        // The folder is missing: create \System Volume Information, then try again.
        DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Creating SystemVolumeInformation folder for metadata file ${fileName} (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
        yield* FmmBeginFileSystemOperation(InstanceContext);
        status = yield* FltCreateSystemVolumeInformationFolder(InstanceContext.Instance);
        yield* FmmEndFileSystemOperation(InstanceContext);
        if (NT_SUCCESS(status)) continue;
        DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS | DEBUG_TRACE_ERROR, `[Fmm]: FltCreateSystemVolumeInformationFolder failure for metadata file ${fileName} (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
      }
      break;
    }

    if (NT_SUCCESS(status)) {
      const referenced = ObReferenceObjectByHandle(InstanceContext.MetadataHandle!, STANDARD_RIGHTS_REQUIRED, IoFileObjectType, KernelMode);
      status = referenced.status;
      InstanceContext.MetadataFileObject = referenced.Object;
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS | DEBUG_TRACE_ERROR, `[Fmm]: Failure to get file object from handle for metadata file ${fileName} (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
      } else if (created) {
        // A new metadata file: a real filter would write its header here.
        DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Created new metadata file ${fileName} (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
      } else {
        DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Opened existing metadata file ${fileName} (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
      }
    }

    // FmmOpenMetadataCleanup:
    if (!NT_SUCCESS(status)) {
      DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS | DEBUG_TRACE_ERROR, `[Fmm]: Failed to open metadata (Volume = ${InstanceContext.Volume}, Status = ${hex(status)})`);
      if (InstanceContext.MetadataHandle !== null) {
        yield* FmmBeginFileSystemOperation(InstanceContext);
        yield* FltClose(InstanceContext.MetadataHandle);
        yield* FmmEndFileSystemOperation(InstanceContext);
        InstanceContext.MetadataHandle = null;
        if (InstanceContext.MetadataFileObject !== null) {
          yield* ObDereferenceObject(InstanceContext.MetadataFileObject);
          InstanceContext.MetadataFileObject = null;
        }
      }
    } else {
      DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Metadata successfully opened (Volume = ${InstanceContext.Volume})`);
      InstanceContext.Flags |= INSTANCE_CONTEXT_F_METADATA_OPENED;
    }
    return status;
  }

  /** Dereferences the metadata file object and closes the handle; the caller holds the resource. */
  function* FmmCloseMetadata(InstanceContext: FMM_INSTANCE_CONTEXT): Blocking<void> {
    FLT_ASSERT(Globals, InstanceContext.MetadataHandle !== null, 'InstanceContext->MetadataHandle');
    FLT_ASSERT(Globals, InstanceContext.MetadataFileObject !== null, 'InstanceContext->MetadataFileObject');
    DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Closing metadata file ... (Volume = ${InstanceContext.Volume})`);
    yield* ObDereferenceObject(InstanceContext.MetadataFileObject!);
    InstanceContext.MetadataFileObject = null;
    yield* FmmBeginFileSystemOperation(InstanceContext);
    yield* FltClose(InstanceContext.MetadataHandle!);
    yield* FmmEndFileSystemOperation(InstanceContext);
    InstanceContext.MetadataHandle = null;
    InstanceContext.Flags &= ~INSTANCE_CONTEXT_F_METADATA_OPENED;
  }

  /**
   * Gives up the metadata file on the instance, and remembers the volume file object that made it
   * do so (its cleanup or unlock re-opens the file). STATUS_FILE_LOCK_CONFLICT while the context is
   * in transition.
   */
  function* FmmReleaseMetadataFileReferences(Cbd: FLT_CALLBACK_DATA): Blocking<NTSTATUS> {
    const got = yield* FltGetInstanceContext<FMM_INSTANCE_CONTEXT>(Cbd.Iopb.TargetInstance!);
    let status = got.status;
    if (!NT_SUCCESS(status)) {
      DebugTrace(Globals, DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, '[Fmm]: FmmReleaseMetadataFileReferences -> Failed to get instance context.');
      return status;
    }
    const instanceContext = got.context!.Data;
    yield* FmmAcquireResourceExclusive(instanceContext.MetadataResource);
    if (FlagOn(instanceContext.Flags, INSTANCE_CONTEXT_F_TRANSITION)) {
      // The resource was dropped around a file-system operation: the context must not be touched.
      status = STATUS_FILE_LOCK_CONFLICT;
      DebugTrace(Globals, DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, '[Fmm]: FmmReleaseMetadataFileReferences -> Failed to get exclusive access to instance context since it is in a state of transition.');
    } else if (FlagOn(instanceContext.Flags, INSTANCE_CONTEXT_F_METADATA_OPENED)) {
      DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: FmmReleaseMetadataFileReferences -> Releasing references to metadata handle and file object (VolumeFileObject = ${Cbd.Iopb.TargetFileObject})`);
      yield* FmmCloseMetadata(instanceContext);
      instanceContext.MetadataOpenTriggerFileObject = Cbd.Iopb.TargetFileObject;
    } else {
      DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: FmmReleaseMetadataFileReferences -> Exit without attempting to release references to metadata handle and file object (VolumeFileObject = ${Cbd.Iopb.TargetFileObject})`);
    }
    yield* FmmReleaseResource(instanceContext.MetadataResource);
    FltReleaseContext(got.context!);
    return status;
  }

  /**
   * Re-opens the metadata file if the operation's volume file object is the one that made the
   * filter release it (and it is not open already). STATUS_FILE_LOCK_CONFLICT while in transition.
   */
  function* FmmReacquireMetadataFileReferences(Cbd: FLT_CALLBACK_DATA): Blocking<NTSTATUS> {
    const got = yield* FltGetInstanceContext<FMM_INSTANCE_CONTEXT>(Cbd.Iopb.TargetInstance!);
    let status = got.status;
    if (!NT_SUCCESS(status)) {
      DebugTrace(Globals, DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, '[Fmm]: FmmReacquireMetadataFileReferences -> Failed to get instance context.');
      return status;
    }
    const instanceContext = got.context!.Data;
    yield* FmmAcquireResourceExclusive(instanceContext.MetadataResource);
    if (FlagOn(instanceContext.Flags, INSTANCE_CONTEXT_F_TRANSITION)) {
      status = STATUS_FILE_LOCK_CONFLICT;
      DebugTrace(Globals, DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, '[Fmm]: FmmReacquireMetadataFileReferences -> Failed to get exclusive access to instance context since it is in a state of transition.');
    } else if (instanceContext.MetadataOpenTriggerFileObject === Cbd.Iopb.TargetFileObject) {
      if (!FlagOn(instanceContext.Flags, INSTANCE_CONTEXT_F_METADATA_OPENED)) {
        DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: FmmReacquireMetadataFileReferences -> Re-acquiring references to metadata handle and file object (VolumeFileObject = ${Cbd.Iopb.TargetFileObject})`);
        status = yield* FmmOpenMetadata(instanceContext, false);
        instanceContext.MetadataOpenTriggerFileObject = null;
      } else {
        DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: FmmReacquireMetadataFileReferences -> Exit without attempting to re-acquire references to metadata handle and file object (VolumeFileObject = ${Cbd.Iopb.TargetFileObject}, MetadataAlreadyOpen = 1)`);
      }
    } else {
      DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: FmmReacquireMetadataFileReferences -> Exit without attempting to re-acquire references to metadata handle and file object (VolumeFileObject = ${Cbd.Iopb.TargetFileObject}, MetadataOpenTriggerFileObject = ${instanceContext.MetadataOpenTriggerFileObject ?? 'NULL'})`);
    }
    yield* FmmReleaseResource(instanceContext.MetadataResource);
    FltReleaseContext(got.context!);
    return status;
  }

  /** After a successful lock: the locking volume file object becomes the trigger of the re-open. */
  function* FmmSetMetadataOpenTriggerFileObject(Cbd: FLT_CALLBACK_DATA): Blocking<NTSTATUS> {
    const got = yield* FltGetInstanceContext<FMM_INSTANCE_CONTEXT>(Cbd.Iopb.TargetInstance!);
    let status = got.status;
    if (!NT_SUCCESS(status)) {
      DebugTrace(Globals, DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, '[Fmm]: FmmSetMetadataOpenTriggerFileObject -> Failed to get instance context.');
      return status;
    }
    const instanceContext = got.context!.Data;
    yield* FmmAcquireResourceExclusive(instanceContext.MetadataResource);
    if (FlagOn(instanceContext.Flags, INSTANCE_CONTEXT_F_TRANSITION)) {
      status = STATUS_FILE_LOCK_CONFLICT;
      DebugTrace(Globals, DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, '[Fmm]: FmmSetMetadataOpenTriggerFileObject -> Failed to get exclusive access to instance context since it is in a state of transition.');
    } else {
      DebugTrace(Globals, DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: FmmSetMetadataOpenTriggerFileObject -> Setting MetadataOpenTriggerFileObject to ${Cbd.Iopb.TargetFileObject} (OldValue = ${instanceContext.MetadataOpenTriggerFileObject ?? 'NULL'}).`);
      FLT_ASSERT(Globals, 
        instanceContext.MetadataOpenTriggerFileObject === null || instanceContext.MetadataOpenTriggerFileObject === Cbd.Iopb.TargetFileObject,
        'MetadataOpenTriggerFileObject is NULL or the locking file object',
      );
      instanceContext.MetadataOpenTriggerFileObject = Cbd.Iopb.TargetFileObject;
    }
    yield* FmmReleaseResource(instanceContext.MetadataResource);
    FltReleaseContext(got.context!);
    return status;
  }

  /**
   * Before the filter's own file-system operation while it holds the resource exclusive: mark the
   * context TRANSITION and let the resource go. The 'keepsResource' variant keeps it.
   */
  function* FmmBeginFileSystemOperation(InstanceContext: FMM_INSTANCE_CONTEXT): Blocking<void> {
    if (Globals.variant === 'keepsResource') return;
    FLT_ASSERT(Globals, !FlagOn(InstanceContext.Flags, INSTANCE_CONTEXT_F_TRANSITION), '!TRANSITION in FmmBeginFileSystemOperation');
    InstanceContext.Flags |= INSTANCE_CONTEXT_F_TRANSITION;
    yield* FmmReleaseResource(InstanceContext.MetadataResource);
  }

  /** After it: take the resource exclusive again and clear TRANSITION (nobody else changed the context meanwhile). */
  function* FmmEndFileSystemOperation(InstanceContext: FMM_INSTANCE_CONTEXT): Blocking<void> {
    if (Globals.variant === 'keepsResource') return;
    yield* FmmAcquireResourceExclusive(InstanceContext.MetadataResource);
    FLT_ASSERT(Globals, FlagOn(InstanceContext.Flags, INSTANCE_CONTEXT_F_TRANSITION), 'TRANSITION in FmmEndFileSystemOperation');
    InstanceContext.Flags &= ~INSTANCE_CONTEXT_F_TRANSITION;
  }

  return { FmmOpenMetadata, FmmCloseMetadata, FmmReleaseMetadataFileReferences, FmmReacquireMetadataFileReferences, FmmSetMetadataOpenTriggerFileObject };
}
