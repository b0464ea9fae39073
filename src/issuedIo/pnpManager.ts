/**
 * The PnP manager removing a volume's device and the I/O manager shutting the system down, as the
 * file system and the filters above it see them: IRP_MJ_PNP and IRP_MJ_SHUTDOWN sent to the top of
 * the volume's stack with no file object (the IRP carries none: FastFat finds its volume from the
 * device object), through every instance's pre- and post-operation callbacks.
 *
 * Removal (IRP_MJ_PNP, the IFS page): an eject asks first. IRP_MN_QUERY_REMOVE_DEVICE goes down the
 * stack; a filter may fail it in its pre-op, the file system fails it while files are open on the
 * volume (src/fs/volumeRequests.ts). A refused query is followed by IRP_MN_CANCEL_REMOVE_DEVICE, a
 * granted one by IRP_MN_REMOVE_DEVICE, after which the volume is dismounted and its instances torn
 * down (FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT). A surprise removal does not ask:
 * IRP_MN_SURPRISE_REMOVAL, the dismount, then IRP_MN_REMOVE_DEVICE once the instances are gone.
 * Shutdown: IRP_MJ_SHUTDOWN to each mounted volume in mount order; FltMgr calls no post-operation
 * for it, and no filter's unload callback runs (§2).
 */
import { type Blocking } from '../kernel/effects.js';
import { SYSTEM_SID } from '../kernel/sids.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { fail } from '../fltmgr/routineSupport.js';
import { beforeFirstOperation, dismountVolume } from '../fltmgr/volumeRoutines.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import { driveToCompletion } from '../io/dispatch.js';
import { startOperation } from '../io/startOperation.js';
import { IRP_MJ_PNP, IRP_MJ_SHUTDOWN, IRP_MN_CANCEL_REMOVE_DEVICE, IRP_MN_QUERY_REMOVE_DEVICE, IRP_MN_REMOVE_DEVICE, IRP_MN_SURPRISE_REMOVAL } from '../wdk/irp.js';
import { NT_SUCCESS, STATUS_NO_SUCH_DEVICE, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';

/** One volume-level request down the whole stack, with no file object; its final status. */
export function* sendVolumeRequest(fltMgr: FilterManager, volume: VolumeObject, MajorFunction: number, MinorFunction: number): Blocking<NTSTATUS> {
  yield* beforeFirstOperation(fltMgr, volume);
  const op = startOperation(fltMgr, {
    volume,
    fileObject: null,
    MajorFunction,
    MinorFunction,
    Parameters: { Others: {} },
    RequestorMode: 'KernelMode',
    requestorSid: SYSTEM_SID,
    initiator: null,
    markGenerated: false,
  });
  yield* driveToCompletion(fltMgr, op);
  return op.data.IoStatus.Status;
}

/** A volume the PnP manager can still remove: mounted, its device present. */
function removable(fltMgr: FilterManager, volume: VolumeObject, routine: string): NTSTATUS | null {
  if (volume.state === 'Mounted') return null;
  return fail(fltMgr, volume, routine, STATUS_NO_SUCH_DEVICE, `${volume} is ${volume.state}`);
}

/**
 * Eject (CM_Request_Device_Eject, "safely remove"): query-remove, then remove or cancel. Returns the
 * query's status: success when the volume went, the refusal otherwise.
 */
export function* ejectVolume(fltMgr: FilterManager, volume: VolumeObject): Blocking<NTSTATUS> {
  const refused = removable(fltMgr, volume, 'PnP eject');
  if (refused !== null) return refused;
  const query = yield* sendVolumeRequest(fltMgr, volume, IRP_MJ_PNP, IRP_MN_QUERY_REMOVE_DEVICE);
  if (!NT_SUCCESS(query)) {
    yield* sendVolumeRequest(fltMgr, volume, IRP_MJ_PNP, IRP_MN_CANCEL_REMOVE_DEVICE);
    return query;
  }
  yield* sendVolumeRequest(fltMgr, volume, IRP_MJ_PNP, IRP_MN_REMOVE_DEVICE);
  yield* dismountVolume(fltMgr, volume);
  return STATUS_SUCCESS;
}

/** The device went without warning: SURPRISE_REMOVAL, the dismount, then REMOVE_DEVICE below no instance. */
export function* surpriseRemoveVolume(fltMgr: FilterManager, volume: VolumeObject): Blocking<NTSTATUS> {
  const refused = removable(fltMgr, volume, 'PnP surprise removal');
  if (refused !== null) return refused;
  yield* sendVolumeRequest(fltMgr, volume, IRP_MJ_PNP, IRP_MN_SURPRISE_REMOVAL);
  yield* dismountVolume(fltMgr, volume);
  yield* sendVolumeRequest(fltMgr, volume, IRP_MJ_PNP, IRP_MN_REMOVE_DEVICE);
  return STATUS_SUCCESS;
}

/** IoShutdownSystem's first phase: IRP_MJ_SHUTDOWN to every mounted volume, in mount order. */
export function* shutdownSystem(fltMgr: FilterManager): Blocking<NTSTATUS> {
  for (const volume of fltMgr.volumes.slice()) {
    if (volume.state === 'Mounted') yield* sendVolumeRequest(fltMgr, volume, IRP_MJ_SHUTDOWN, 0);
  }
  return STATUS_SUCCESS;
}
