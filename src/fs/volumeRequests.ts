/**
 * The requests a file system gets on its volume device with no file object: IRP_MJ_PNP for the
 * removal of the volume's device, and IRP_MJ_SHUTDOWN.
 *
 * IRP_MN_QUERY_REMOVE_DEVICE: the file system answers whether the volume may go. With any file
 * object open on it (or a lock held by a volume open) it refuses (STATUS_ACCESS_DENIED, FastFat's
 * FatLockVolumeInternal with no file object); otherwise it locks the volume so that no create
 * succeeds until the REMOVE or CANCEL that must follow. FAT then dismounts at once; NTFS keeps the
 * volume mounted until the REMOVE (the IRP_MJ_PNP page of the IFS docs says both).
 * IRP_MN_CANCEL_REMOVE_DEVICE: the lock goes; it cannot fail. IRP_MN_REMOVE_DEVICE and
 * IRP_MN_SURPRISE_REMOVAL: the device is gone, the file system dismounts the volume (open file
 * objects get STATUS_VOLUME_DISMOUNTED from then on, their CLEANUP and CLOSE still succeed).
 * Other minor codes pass to the storage stack, which the model's volume does not have: success.
 * IRP_MJ_SHUTDOWN: the file system flushes and completes with STATUS_SUCCESS.
 */
import type { FsState } from './model.js';
import { complete, type FsCompletion } from './types.js';
import { IRP_MJ_PNP, IRP_MJ_SHUTDOWN, IRP_MN_CANCEL_REMOVE_DEVICE, IRP_MN_QUERY_REMOVE_DEVICE, IRP_MN_REMOVE_DEVICE, IRP_MN_SURPRISE_REMOVAL } from '../wdk/irp.js';
import { STATUS_ACCESS_DENIED, STATUS_INVALID_DEVICE_REQUEST, STATUS_SUCCESS } from '../wdk/ntstatus.js';

/** `lockedBy` while a granted query-remove waits for its REMOVE or CANCEL: the lock has no file object. */
export const PNP_REMOVE_LOCK = 'PnP query-remove';

export function volumeRequest(state: FsState, MajorFunction: number, MinorFunction: number): FsCompletion {
  if (MajorFunction === IRP_MJ_SHUTDOWN) return complete(STATUS_SUCCESS);
  if (MajorFunction !== IRP_MJ_PNP) return complete(STATUS_INVALID_DEVICE_REQUEST);
  switch (MinorFunction) {
    case IRP_MN_QUERY_REMOVE_DEVICE:
      if (state.lockedBy === PNP_REMOVE_LOCK) return complete(STATUS_SUCCESS);
      if (state.dismounted) return complete(STATUS_SUCCESS);
      if (state.lockedBy !== null || state.contexts.size > 0) return complete(STATUS_ACCESS_DENIED);
      state.lockedBy = PNP_REMOVE_LOCK;
      if (state.options.fsType === 'FAT') state.dismounted = true;
      return complete(STATUS_SUCCESS);
    case IRP_MN_CANCEL_REMOVE_DEVICE:
      if (state.lockedBy === PNP_REMOVE_LOCK) state.lockedBy = null;
      return complete(STATUS_SUCCESS);
    case IRP_MN_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
      if (state.lockedBy === PNP_REMOVE_LOCK) state.lockedBy = null;
      state.dismounted = true;
      state.deviceRemoved = true;
      return complete(STATUS_SUCCESS);
    default:
      return complete(STATUS_SUCCESS);
  }
}
