/**
 * FltGetDiskDeviceObject (§23.2): the storage device a volume's file system is mounted on (the VPB's
 * RealDevice, `\Device\HarddiskVolumeN`), referenced for the caller, who drops the reference with
 * ObDereferenceObject. The model keeps no storage stack below its file systems, so the device is
 * made the first time a filter asks about a volume of that name (an IoCreateDevice fact of
 * `\Driver\volmgr`, FILE_DEVICE_DISK) and stays for the remounts of the same volume. It is not in the
 * device namespace of src/io/deviceObjects.ts: opening its name opens the volume through its file
 * system, as on Windows. A network volume has no disk under it, and a volume whose device the PnP
 * manager removed has none left: both STATUS_FLT_NO_DEVICE_OBJECT.
 */
import { DEVICE_OBJECT, type DispatchingDriver } from '../io/deviceObjects.js';
import { deviceObjectMachine } from '../machines/deviceObject.js';
import { FILE_DEVICE_DISK } from '../wdk/fileObjectConstants.js';
import { STATUS_FLT_NO_DEVICE_OBJECT, STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { UsageError } from '../kernel/errors.js';
import { shown } from '../kernel/elide.js';
import type { FilterManager } from './filterManager.js';
import { volumeArgument } from './objectArguments.js';
import { fail } from './routineSupport.js';
import type { VolumeObject } from './volumeObject.js';

export interface DiskDeviceResult {
  readonly status: NTSTATUS;
  /** Referenced on success: release with ObDereferenceObject. */
  readonly DiskDeviceObject: DEVICE_OBJECT | null;
}

/** FltGetDiskDeviceObject(Volume, &DiskDeviceObject). */
export function FltGetDiskDeviceObject(Volume: VolumeObject): DiskDeviceResult {
  volumeArgument('FltGetDiskDeviceObject', Volume);
  const fltMgr = Volume.fltMgr;
  if (Volume.deviceType === 'FILE_DEVICE_NETWORK_FILE_SYSTEM') {
    return { status: fail(fltMgr, Volume, 'FltGetDiskDeviceObject', STATUS_FLT_NO_DEVICE_OBJECT, `${Volume} is a network volume: no disk under it`), DiskDeviceObject: null };
  }
  if (Volume.fileSystem.deviceRemoved) {
    return { status: fail(fltMgr, Volume, 'FltGetDiskDeviceObject', STATUS_FLT_NO_DEVICE_OBJECT, `the device of ${Volume} was removed`), DiskDeviceObject: null };
  }
  const device = diskOf(fltMgr, Volume);
  device.ReferenceCount++;
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: device.id, type: 'DeviceReferenced', routine: 'FltGetDiskDeviceObject', count: device.ReferenceCount });
  return { status: STATUS_SUCCESS, DiskDeviceObject: device };
}

function diskOf(fltMgr: FilterManager, volume: VolumeObject): DEVICE_OBJECT {
  const key = volume.name.toLowerCase();
  const known = fltMgr.devices.disks.get(key);
  if (known !== undefined) return known;
  const kernel = fltMgr.kernel;
  const driver: DispatchingDriver = { fltMgr, name: '\\Driver\\volmgr', MajorFunction: [], FastIoDispatch: null };
  const id = kernel.nextId('d');
  kernel.emitFact({ seq: 0, time: 0, object: id, type: 'IoCreateDevice', driver: driver.name, name: volume.name, deviceType: FILE_DEVICE_DISK, characteristics: 0, exclusive: false });
  const actor = kernel.startMachine(deviceObjectMachine);
  kernel.attachActor(id, actor);
  const device = new DEVICE_OBJECT(id, driver, volume.name, FILE_DEVICE_DISK, 0, 0, actor);
  fltMgr.devices.live.set(id, device);
  fltMgr.devices.disks.set(key, device);
  return device;
}

/** ObDereferenceObject of a disk device object: drops one reference FltGetDiskDeviceObject took. */
export function dereferenceDiskDevice(fltMgr: FilterManager, device: DEVICE_OBJECT): void {
  if (device.ReferenceCount <= 0) {
    throw fltMgr.kernel.violation('DEREFERENCE_UNREFERENCED_DEVICE_OBJECT', device.id, `ObDereferenceObject on ${device}, which holds no reference (more dereferences than FltGetDiskDeviceObject calls)`);
  }
  device.ReferenceCount--;
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: device.id, type: 'DeviceDereferenced', routine: 'ObDereferenceObject', count: device.ReferenceCount });
}

export interface DosNameResult {
  readonly status: NTSTATUS;
  /** The drive letter form (`C:`) on success. */
  readonly DosName: string | null;
}

/**
 * IoVolumeDeviceToDosName(VolumeDeviceObject, &DosName): the MS-DOS name of the volume on a storage
 * device (as swapBuffers asks for the device of FltGetDiskDeviceObject). The model asks its volumes
 * instead of the mount manager: a device that is no volume's disk is STATUS_INVALID_PARAMETER, a
 * volume with no drive letter STATUS_OBJECT_NAME_NOT_FOUND [model: the statuses are not documented].
 */
export function IoVolumeDeviceToDosName(VolumeDeviceObject: DEVICE_OBJECT): DosNameResult {
  if (!(VolumeDeviceObject instanceof DEVICE_OBJECT)) throw new UsageError('BAD_ARGUMENT', `IoVolumeDeviceToDosName: VolumeDeviceObject is ${shown(VolumeDeviceObject)}, not a DEVICE_OBJECT`);
  const fltMgr = VolumeDeviceObject.DriverObject.fltMgr;
  const key = VolumeDeviceObject.name?.toLowerCase() ?? null;
  const volume = key === null || fltMgr.devices.disks.get(key) !== VolumeDeviceObject ? undefined : fltMgr.volumes.find((v) => v.name.toLowerCase() === key);
  if (volume === undefined) {
    return { status: fail(fltMgr, VolumeDeviceObject.id, 'IoVolumeDeviceToDosName', STATUS_INVALID_PARAMETER, `${VolumeDeviceObject} is not the storage device of a volume`), DosName: null };
  }
  if (volume.dosName === null) {
    return { status: fail(fltMgr, VolumeDeviceObject.id, 'IoVolumeDeviceToDosName', STATUS_OBJECT_NAME_NOT_FOUND, `${volume} has no drive letter`), DosName: null };
  }
  return { status: STATUS_SUCCESS, DosName: volume.dosName };
}
