/** Triggers for the rules of a driver's own device objects (§23.6). */
import {
  createSimulation,
  FILE_DEVICE_DISK_FILE_SYSTEM,
  FILE_GENERIC_READ,
  FltGetDiskDeviceObject,
  ObDereferenceObject,
  IoCompleteRequest,
  IoCreateDevice,
  IoDeleteDevice,
  IO_NO_INCREMENT,
  IRP_MJ_CREATE,
  STATUS_SUCCESS,
  type DRIVER_DISPATCH,
  type Simulation,
  type VerifierRule,
} from '../../src/index.js';
import { installFilter } from '../../src/testing/index.js';
import type { Trigger } from './world.js';

/** A driver with a device `\Device\Trigger` whose IRP_MJ_CREATE is `create`, opened once by an application. */
function openedWith(create: DRIVER_DISPATCH): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.loadDriver({ name: 'trigger' }, function* (DriverObject) {
    IoCreateDevice(DriverObject, 0, '\\Device\\Trigger', FILE_DEVICE_DISK_FILE_SYSTEM, 0, false);
    DriverObject.MajorFunction[IRP_MJ_CREATE] = create;
    yield* [];
    return STATUS_SUCCESS;
  });
  sim.run();
  sim.spawn('app', () => sim.io.NtCreateFile('\\Device\\Trigger', { DesiredAccess: FILE_GENERIC_READ }));
  sim.run();
  return sim;
}

export const deviceTriggers: Record<Extract<VerifierRule, 'DEVICE_DELETED_TWICE' | 'MULTIPLE_IRP_COMPLETE_REQUESTS' | 'IRP_NOT_COMPLETED' | 'DEREFERENCE_UNREFERENCED_DEVICE_OBJECT'>, Trigger> = {
  // The unload path deletes the device, and an error path deletes it again.
  DEVICE_DELETED_TWICE: () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.loadDriver({ name: 'trigger' }, function* (DriverObject) {
      const { DeviceObject } = IoCreateDevice(DriverObject, 0, '\\Device\\Trigger', FILE_DEVICE_DISK_FILE_SYSTEM, 0, false);
      IoDeleteDevice(DeviceObject!);
      IoDeleteDevice(DeviceObject!);
      yield* [];
      return STATUS_SUCCESS;
    });
    sim.run();
    return sim;
  },
  MULTIPLE_IRP_COMPLETE_REQUESTS: () =>
    openedWith((_DeviceObject, Irp) => {
      IoCompleteRequest(Irp, IO_NO_INCREMENT);
      IoCompleteRequest(Irp, IO_NO_INCREMENT);
      return STATUS_SUCCESS;
    }),
  // The dispatch routine forgets IoCompleteRequest and does not return STATUS_PENDING either.
  IRP_NOT_COMPLETED: () => openedWith(() => STATUS_SUCCESS),
  // A filter gives back the disk device of FltGetDiskDeviceObject twice (§23.2).
  DEREFERENCE_UNREFERENCED_DEVICE_OBJECT: () => {
    const sim = createSimulation({ onViolation: 'record', instanceSetupOnMount: 'mount' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    installFilter(sim, {
      name: 'trigger',
      altitude: '370000',
      registration: {
        InstanceSetupCallback: function* (FltObjects) {
          const { DiskDeviceObject } = FltGetDiskDeviceObject(FltObjects.Volume);
          yield* ObDereferenceObject(DiskDeviceObject!);
          yield* ObDereferenceObject(DiskDeviceObject!);
          return STATUS_SUCCESS;
        },
      },
    });
    sim.run();
    return sim;
  },
};
