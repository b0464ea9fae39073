/**
 * operations.c, ported: what the filter does on the volume operations that need its metadata file
 * out of the way — a lock or dismount of a volume open (FSCTL), an implicit lock (a volume open
 * that shares neither write nor delete), the snapshot's IOCTL_VOLSNAP_FLUSH_AND_HOLD_WRITES, the
 * cleanup of the volume handle that locked, system shutdown, and PnP removal (§21.7).
 *
 * IRP_MJ_SHUTDOWN and IRP_MJ_PNP come from the host: `sim.shutdownSystem()`, `sim.ejectVolume(v)`
 * and `sim.surpriseRemoveVolume(v)` (or the actions fltsim.shutdownSystem / ejectVolume /
 * surpriseRemoveVolume), with no file object in the request, as on Windows.
 */
import {
  FltDetachVolume,
  FltGetInstanceContext,
  FltReleaseContext,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_POST_OPERATION_DRAINING,
  FSCTL_DISMOUNT_VOLUME,
  FSCTL_LOCK_VOLUME,
  FSCTL_UNLOCK_VOLUME,
  IRP_MN_USER_FS_REQUEST,
  NT_SUCCESS,
  STATUS_FILE_INVALID,
  STATUS_FILE_LOCK_CONFLICT,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_DEVICE_OBJECT_PARAMETER,
  STATUS_NO_MEDIA_IN_DEVICE,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFLT_CONTEXT,
} from '../../../src/index.js';
import type { FmmDataStore } from './dataStore.js';
import { DEBUG_TRACE_ALL_IO, DEBUG_TRACE_ERROR, DEBUG_TRACE_METADATA_OPERATIONS, DebugTrace, FLT_ASSERT, FlagOn, type FMM_GLOBAL_DATA, type FMM_INSTANCE_CONTEXT } from './metadataManagerStruc.js';
import { FmmIsImplicitVolumeLock, FmmTargetIsVolumeOpen } from './support.js';

/** ntddvol.h / volsnap: CTL_CODE(VOLSNAPCONTROLTYPE 'S', 0, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS). */
export const IOCTL_VOLSNAP_FLUSH_AND_HOLD_WRITES = 0x0053c000;
/** The PnP minor codes the sample handles (wdm.h). */
export const IRP_MN_QUERY_REMOVE_DEVICE = 0x01;
export const IRP_MN_CANCEL_REMOVE_DEVICE = 0x03;
export const IRP_MN_SURPRISE_REMOVAL = 0x17;

const hex = (status: NTSTATUS): string => `0x${(status >>> 0).toString(16)}`;
const fsControlCode = (Cbd: FLT_CALLBACK_DATA): number => (Cbd.Iopb.Parameters as { FileSystemControl: { FsControlCode: number } }).FileSystemControl.FsControlCode >>> 0;
const ioControlCode = (Cbd: FLT_CALLBACK_DATA): number => (Cbd.Iopb.Parameters as { DeviceIoControl: { IoControlCode: number } }).DeviceIoControl.IoControlCode >>> 0;

export function operations(Globals: FMM_GLOBAL_DATA, ds: FmmDataStore) {
  const trace = (level: number, text: string): void => DebugTrace(Globals, level, text);

  /** A volume open that is an implicit lock gives up the metadata file first; its post-op checks how the open went. */
  function* FmmPreCreate(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void CompletionContext;
    trace(DEBUG_TRACE_ALL_IO, `[Fmm]: FmmPreCreate -> Enter (Cbd = ${Cbd.Iopb.TargetFileObject}, FileObject = ${FltObjects.FileObject})`);
    let status: NTSTATUS = STATUS_SUCCESS;
    let callbackStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    const fo = Cbd.Iopb.TargetFileObject!; // a create always has one
    FLT_ASSERT(Globals, !(fo.FileName === '' && fo.RelatedFileObject === null) || FmmTargetIsVolumeOpen(Cbd), 'an open with no name and no related file object has FO_VOLUME_OPEN');
    if (FmmTargetIsVolumeOpen(Cbd)) {
      const implicit = yield* FmmIsImplicitVolumeLock(Globals, Cbd);
      status = implicit.status;
      FLT_ASSERT(Globals, NT_SUCCESS(status), 'FmmIsImplicitVolumeLock succeeded');
      if (implicit.IsLock) {
        status = yield* ds.FmmReleaseMetadataFileReferences(Cbd);
        if (NT_SUCCESS(status)) callbackStatus = FLT_PREOP_SUCCESS_WITH_CALLBACK;
        else trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to release metadata file references with status ${hex(status)} for a volume lock/dismount`);
      }
    }
    // FmmPreCreateCleanup: (VERIFY_METADATA_OPENED is 0 in the sample)
    if (!NT_SUCCESS(status)) {
      trace(DEBUG_TRACE_ERROR, `[Fmm]: FmmPreCreate -> Failed with status ${hex(status)}`);
      Cbd.IoStatus.Status = status;
      callbackStatus = FLT_PREOP_COMPLETE;
    }
    return callbackStatus;
  }

  /** An implicit lock that failed re-opens the metadata file; one that succeeded names its file object the trigger. */
  function* FmmPostCreate(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CbdContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void FltObjects, CbdContext;
    let status: NTSTATUS = STATUS_SUCCESS;
    if (!FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING) && FmmTargetIsVolumeOpen(Cbd)) {
      const implicit = yield* FmmIsImplicitVolumeLock(Globals, Cbd);
      status = implicit.status;
      FLT_ASSERT(Globals, NT_SUCCESS(status), 'FmmIsImplicitVolumeLock succeeded');
      if (implicit.IsLock) {
        if (!NT_SUCCESS(Cbd.IoStatus.Status)) {
          status = yield* ds.FmmReacquireMetadataFileReferences(Cbd);
          if (!NT_SUCCESS(status)) {
            trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to re-open metadata with status ${hex(status)} after a failed lock with status ${hex(Cbd.IoStatus.Status)}`);
            FLT_ASSERT(Globals, status === STATUS_INSUFFICIENT_RESOURCES || status === STATUS_FILE_LOCK_CONFLICT, `re-open after a failed implicit lock fails only with INSUFFICIENT_RESOURCES or FILE_LOCK_CONFLICT, not ${hex(status)}`);
          }
        } else {
          status = yield* ds.FmmSetMetadataOpenTriggerFileObject(Cbd);
          if (!NT_SUCCESS(status)) {
            trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to update MetadataOpenTriggerFileObject in the instance context with status ${hex(status)} after a successful lock.`);
            FLT_ASSERT(Globals, status === STATUS_FILE_LOCK_CONFLICT, `setting the trigger fails only with FILE_LOCK_CONFLICT, not ${hex(status)}`);
          }
        }
      }
    }
    if (!NT_SUCCESS(status)) trace(DEBUG_TRACE_ERROR, `[Fmm]: FmmPostCreate -> Failed with status ${hex(status)}`);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /** Every cleanup of a volume handle is synchronized so its post-op runs on this thread, at PASSIVE. */
  function FmmPreCleanup(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS {
    void Cbd, FltObjects, CompletionContext;
    return FLT_PREOP_SYNCHRONIZE;
  }

  /** The cleanup of the handle that locked the volume is an unlock: re-open the metadata file. */
  function* FmmPostCleanup(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void FltObjects, CompletionContext;
    let status: NTSTATUS = STATUS_SUCCESS;
    if (!FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING) && FmmTargetIsVolumeOpen(Cbd)) {
      if (NT_SUCCESS(Cbd.IoStatus.Status)) {
        status = yield* ds.FmmReacquireMetadataFileReferences(Cbd);
        if (!NT_SUCCESS(status)) {
          trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to re-open metadata with status ${hex(status)} after a successful unlock.`);
          // NTFS remounts after an unlock; a dismounted volume answers INVALID_DEVICE_OBJECT_PARAMETER or NO_MEDIA_IN_DEVICE.
          FLT_ASSERT(Globals, 
            status === STATUS_INVALID_DEVICE_OBJECT_PARAMETER ||
              status === STATUS_NO_MEDIA_IN_DEVICE ||
              status === STATUS_INSUFFICIENT_RESOURCES ||
              status === STATUS_FILE_LOCK_CONFLICT ||
              status === STATUS_FILE_INVALID,
            `re-open at the locking handle's cleanup fails only with the statuses the sample expects, not ${hex(status)}`,
          );
        }
      }
    }
    if (!NT_SUCCESS(status)) trace(DEBUG_TRACE_ERROR, `[Fmm]: FmmPostCleanup -> Failed with status ${hex(status)}`);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /** Lock and dismount of a volume open give up the metadata file first (or fail); unlock is handled after. */
  function* FmmPreFSControl(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void FltObjects, CompletionContext;
    let callbackStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    if (Cbd.Iopb.MinorFunction !== IRP_MN_USER_FS_REQUEST) return callbackStatus;
    switch (fsControlCode(Cbd)) {
      case FSCTL_DISMOUNT_VOLUME:
      case FSCTL_LOCK_VOLUME:
        if (FmmTargetIsVolumeOpen(Cbd)) {
          // The 'keepsHandle' filter skips the release: the lock meets the metadata file still open.
          const status = Globals.variant === 'keepsHandle' ? STATUS_SUCCESS : yield* ds.FmmReleaseMetadataFileReferences(Cbd);
          if (NT_SUCCESS(status)) {
            callbackStatus = FLT_PREOP_SYNCHRONIZE;
          } else {
            trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to release metadata file references with status ${hex(status)} for a volume lock/dismount`);
            Cbd.IoStatus.Status = status;
            callbackStatus = FLT_PREOP_COMPLETE;
          }
        }
        break;
      case FSCTL_UNLOCK_VOLUME:
        callbackStatus = FLT_PREOP_SYNCHRONIZE;
        break;
    }
    return callbackStatus;
  }

  function* FmmPostFSControl(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void CompletionContext;
    if (FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING)) return FLT_POSTOP_FINISHED_PROCESSING;
    let status: NTSTATUS;
    switch (fsControlCode(Cbd)) {
      case FSCTL_DISMOUNT_VOLUME:
        if (FmmTargetIsVolumeOpen(Cbd)) {
          if (NT_SUCCESS(Cbd.IoStatus.Status)) {
            // The instance is no longer valid: detach now rather than when the last handle goes.
            status = yield* FltDetachVolume(Globals.Filter!, FltObjects.Volume, null);
            if (!NT_SUCCESS(status)) trace(DEBUG_TRACE_ERROR, `[Fmm]: Failed to detach instance with status ${hex(status)} after a volume dismount`);
          } else {
            status = yield* ds.FmmReacquireMetadataFileReferences(Cbd);
            if (!NT_SUCCESS(status)) {
              trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to re-open metadata with status ${hex(status)} after a failed dismount with status ${hex(Cbd.IoStatus.Status)}`);
              FLT_ASSERT(Globals, status === STATUS_INSUFFICIENT_RESOURCES || status === STATUS_FILE_LOCK_CONFLICT, `re-open after a failed dismount fails only with INSUFFICIENT_RESOURCES or FILE_LOCK_CONFLICT, not ${hex(status)}`);
            }
          }
        }
        break;
      case FSCTL_LOCK_VOLUME:
        if (FmmTargetIsVolumeOpen(Cbd)) {
          if (!NT_SUCCESS(Cbd.IoStatus.Status)) {
            status = yield* ds.FmmReacquireMetadataFileReferences(Cbd);
            if (!NT_SUCCESS(status)) {
              trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to re-open metadata with status ${hex(status)} after a failed lock with status ${hex(Cbd.IoStatus.Status)}`);
              FLT_ASSERT(Globals, status === STATUS_INSUFFICIENT_RESOURCES || status === STATUS_FILE_LOCK_CONFLICT, `re-open after a failed lock fails only with INSUFFICIENT_RESOURCES or FILE_LOCK_CONFLICT, not ${hex(status)}`);
            }
          } else {
            status = yield* ds.FmmSetMetadataOpenTriggerFileObject(Cbd);
            if (!NT_SUCCESS(status)) {
              trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to update MetadataOpenTriggerFileObject in the instance context with status ${hex(status)} after a successful lock.`);
              FLT_ASSERT(Globals, status === STATUS_FILE_LOCK_CONFLICT, `setting the trigger fails only with FILE_LOCK_CONFLICT, not ${hex(status)}`);
            }
          }
        }
        break;
      case FSCTL_UNLOCK_VOLUME:
        if (NT_SUCCESS(Cbd.IoStatus.Status)) {
          status = yield* ds.FmmReacquireMetadataFileReferences(Cbd);
          if (!NT_SUCCESS(status)) {
            trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to re-open metadata with status ${hex(status)} after a successful unlock.`);
            FLT_ASSERT(Globals, 
              status === STATUS_INVALID_DEVICE_OBJECT_PARAMETER || status === STATUS_INSUFFICIENT_RESOURCES || status === STATUS_FILE_LOCK_CONFLICT,
              `re-open after an unlock fails only with INVALID_DEVICE_OBJECT_PARAMETER, INSUFFICIENT_RESOURCES or FILE_LOCK_CONFLICT, not ${hex(status)}`,
            );
          }
        }
        break;
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /**
   * The snapshot's flush-and-hold: a real filter flushes its metadata here and stops writing it
   * until the post-op. The instance context goes to the post-op as the completion context, so the
   * post-op can unmark it without a FltGetInstanceContext that could fail.
   */
  function* FmmPreDeviceControl(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void FltObjects;
    let status: NTSTATUS = STATUS_SUCCESS;
    let callbackStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let instanceContext: PFLT_CONTEXT<FMM_INSTANCE_CONTEXT> | null = null;
    CompletionContext.value = null;
    switch (ioControlCode(Cbd)) {
      case IOCTL_VOLSNAP_FLUSH_AND_HOLD_WRITES: {
        const got = yield* FltGetInstanceContext<FMM_INSTANCE_CONTEXT>(Cbd.Iopb.TargetInstance!);
        status = got.status;
        if (!NT_SUCCESS(status)) {
          trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, '[Fmm]: Failed to get instance context in FmmPreDeviceControl.');
          break;
        }
        instanceContext = got.context;
        CompletionContext.value = instanceContext;
        callbackStatus = FLT_PREOP_SUCCESS_WITH_CALLBACK;
        break;
      }
    }
    if (!NT_SUCCESS(status)) {
      trace(DEBUG_TRACE_ERROR, `[Fmm]: FmmPreDeviceControl -> Failed with status ${hex(status)}`);
      if (instanceContext !== null) {
        FltReleaseContext(instanceContext);
        CompletionContext.value = null;
      }
      Cbd.IoStatus.Status = status;
      callbackStatus = FLT_PREOP_COMPLETE;
    }
    return callbackStatus;
  }

  /** Unmark and release the instance context the pre-op passed, draining or not. */
  function FmmPostDeviceControl(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CbdContext: unknown, Flags: number): FLT_POSTOP_CALLBACK_STATUS {
    void FltObjects, Flags;
    switch (ioControlCode(Cbd)) {
      case IOCTL_VOLSNAP_FLUSH_AND_HOLD_WRITES: {
        const instanceContext = CbdContext as PFLT_CONTEXT<FMM_INSTANCE_CONTEXT> | null;
        FLT_ASSERT(Globals, instanceContext !== null, 'the pre-op passed the instance context');
        FltReleaseContext(instanceContext!);
        break;
      }
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /** At shutdown the instance detaches itself. */
  function* FmmPreShutdown(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void Cbd, CompletionContext;
    const status = yield* FltDetachVolume(Globals.Filter!, FltObjects.Volume, null);
    if (!NT_SUCCESS(status)) trace(DEBUG_TRACE_ERROR, `[Fmm]: Failed to detach instance with status ${hex(status)} on system shutdown`);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  /**
   * Query-remove gives up the metadata file (or fails the query); cancel-remove asks for a
   * synchronized post-op to re-open it; surprise removal detaches the instance.
   */
  function* FmmPrePnp(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void CompletionContext;
    let callbackStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    switch (Cbd.Iopb.MinorFunction) {
      case IRP_MN_QUERY_REMOVE_DEVICE: {
        const status = yield* ds.FmmReleaseMetadataFileReferences(Cbd);
        if (!NT_SUCCESS(status)) {
          trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to release metadata file references with status ${hex(status)} for query removal`);
          Cbd.IoStatus.Status = status;
          callbackStatus = FLT_PREOP_COMPLETE;
        }
        break;
      }
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        callbackStatus = FLT_PREOP_SYNCHRONIZE;
        break;
      case IRP_MN_SURPRISE_REMOVAL: {
        const status = yield* FltDetachVolume(Globals.Filter!, FltObjects.Volume, null);
        if (!NT_SUCCESS(status)) trace(DEBUG_TRACE_ERROR, `[Fmm]: Failed to detach instance with status ${hex(status)} after a surprise removal`);
        break;
      }
      default:
        break;
    }
    return callbackStatus;
  }

  /** After a cancelled removal: re-open the metadata file. */
  function* FmmPostPnp(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CbdContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void FltObjects, CbdContext;
    FLT_ASSERT(Globals, Cbd.Iopb.MinorFunction === IRP_MN_CANCEL_REMOVE_DEVICE, 'a PnP post-op only for IRP_MN_CANCEL_REMOVE_DEVICE');
    FLT_ASSERT(Globals, Cbd.IoStatus.Status === STATUS_SUCCESS, 'IRP_MN_CANCEL_REMOVE_DEVICE cannot fail');
    if (FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING)) return FLT_POSTOP_FINISHED_PROCESSING;
    const status = yield* ds.FmmReacquireMetadataFileReferences(Cbd);
    if (!NT_SUCCESS(status)) {
      trace(DEBUG_TRACE_ERROR | DEBUG_TRACE_METADATA_OPERATIONS, `[Fmm]: Failed to re-open metadata with status ${hex(status)} after cancel device removal.`);
      FLT_ASSERT(Globals, status === STATUS_INSUFFICIENT_RESOURCES || status === STATUS_FILE_LOCK_CONFLICT, `re-open after a cancelled removal fails only with INSUFFICIENT_RESOURCES or FILE_LOCK_CONFLICT, not ${hex(status)}`);
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  return { FmmPreCreate, FmmPostCreate, FmmPreCleanup, FmmPostCleanup, FmmPreFSControl, FmmPostFSControl, FmmPreDeviceControl, FmmPostDeviceControl, FmmPreShutdown, FmmPrePnp, FmmPostPnp };
}
