// FltGetDiskDeviceObject (§23.2): the storage device a volume is mounted on, referenced for the
// caller, who gives the reference back with ObDereferenceObject. One device per volume name, the same
// for a remount of that volume (§21.7); a network volume has no disk (STATUS_FLT_NO_DEVICE_OBJECT).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_DEVICE_DISK,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_READ_DATA,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_WRITE_DATA,
  FltGetDiskDeviceObject,
  IoVolumeDeviceToDosName,
  foldLog,
  FSCTL_DISMOUNT_VOLUME,
  ntStatusName,
  ObDereferenceObject,
  STATUS_SUCCESS,
  type PDEVICE_OBJECT,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

/** A filter that asks for the disk under each volume it attaches to, and keeps what it got. */
function diskAsker(sim: Simulation, giveBack: number): { seen: string[]; devices: PDEVICE_OBJECT[] } {
  const seen: string[] = [];
  const devices: PDEVICE_OBJECT[] = [];
  installFilter(sim, {
    name: 'disk',
    altitude: '370000',
    registration: {
      InstanceSetupCallback: function* (FltObjects) {
        const r = FltGetDiskDeviceObject(FltObjects.Volume);
        seen.push(`${FltObjects.Volume.id}: ${ntStatusName(r.status)}${r.DiskDeviceObject === null ? '' : ` ${r.DiskDeviceObject.id} ${r.DiskDeviceObject.name} type=0x${r.DiskDeviceObject.DeviceType.toString(16)}`}`);
        if (r.DiskDeviceObject !== null) {
          devices.push(r.DiskDeviceObject);
          for (let i = 0; i < giveBack; i++) yield* ObDereferenceObject(r.DiskDeviceObject);
        }
        return STATUS_SUCCESS;
      },
    },
  });
  return { seen, devices };
}

describe('FltGetDiskDeviceObject (§23.2)', () => {
  it('hands out the volume\'s storage device referenced; ObDereferenceObject gives the reference back; a network volume has none', () => {
    const sim = createSimulation({ instanceSetupOnMount: 'mount' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.mountVolume({ name: '\\Device\\Mup\\server\\share', dosName: 'Z:', deviceType: 'FILE_DEVICE_NETWORK_FILE_SYSTEM' });
    const { seen } = diskAsker(sim, 1);
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual([`V1: STATUS_SUCCESS d1 \\Device\\HarddiskVolume1 type=0x${FILE_DEVICE_DISK.toString(16)}`, 'V2: STATUS_FLT_NO_DEVICE_OBJECT']);
    expect(compactTrace(sim.log, { types: ['IoCreateDevice', 'DeviceReferenced', 'DeviceDereferenced', 'RoutineFailed'] })).toEqual([
      'd1(\\Device\\HarddiskVolume1) IoCreateDevice driver=\\Driver\\volmgr name=\\Device\\HarddiskVolume1 type=0x7 characteristics=0x0',
      'd1(\\Device\\HarddiskVolume1) DeviceReferenced by=FltGetDiskDeviceObject count=1',
      'd1(\\Device\\HarddiskVolume1) DeviceDereferenced by=ObDereferenceObject count=0',
      'V2(Z:) RoutineFailed routine=FltGetDiskDeviceObject status=STATUS_FLT_NO_DEVICE_OBJECT (V2(Z:) is a network volume: no disk under it)',
    ]);
    expect(sim.state().devices.d1).toMatchObject({ driver: '\\Driver\\volmgr', state: 'Created', references: 0 });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a remount of the volume (§21.7) is on the same disk: the new instance gets the same device', () => {
    const sim = createSimulation({ instanceSetupOnMount: 'mount' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\a.txt', 'a');
    const { seen, devices } = diskAsker(sim, 1);
    sim.spawn('app', function* () {
      const volume = yield* sim.io.NtCreateFile('C:', { DesiredAccess: FILE_READ_DATA | FILE_WRITE_DATA, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE });
      yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_DISMOUNT_VOLUME, null, 0, 0);
      yield* sim.io.NtClose(volume.handle!);
      const file = yield* sim.io.NtCreateFile('C:\\a.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      yield* sim.io.NtClose(file.handle!);
    });
    sim.run();
    expect(seen.map((l) => l.slice(0, l.indexOf(' \\')))).toEqual(['V1: STATUS_SUCCESS d1', 'V2: STATUS_SUCCESS d1']);
    expect(devices[0]).toBe(devices[1]);
  });

  it('IoVolumeDeviceToDosName of the disk device is the volume\'s drive letter (swapBuffers\' InstanceSetup); a volume without one is STATUS_OBJECT_NAME_NOT_FOUND', () => {
    const sim = createSimulation({ instanceSetupOnMount: 'mount' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume2' });
    const names: string[] = [];
    installFilter(sim, {
      name: 'dos',
      altitude: '370000',
      registration: {
        InstanceSetupCallback: function* (FltObjects) {
          const { DiskDeviceObject } = FltGetDiskDeviceObject(FltObjects.Volume);
          const r = IoVolumeDeviceToDosName(DiskDeviceObject!);
          names.push(`${FltObjects.Volume.id}: ${ntStatusName(r.status)} ${r.DosName}`);
          yield* ObDereferenceObject(DiskDeviceObject!);
          return STATUS_SUCCESS;
        },
      },
    });
    sim.run();
    expect(names).toEqual(['V1: STATUS_SUCCESS C:', 'V2: STATUS_OBJECT_NAME_NOT_FOUND null']);
  });

  it('one ObDereferenceObject too many is DEREFERENCE_UNREFERENCED_DEVICE_OBJECT, naming the device', () => {
    const sim = createSimulation({ instanceSetupOnMount: 'mount', onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    diskAsker(sim, 2);
    sim.run();
    expect(sim.state().violations.map((v) => [v.rule, v.object])).toEqual([['DEREFERENCE_UNREFERENCED_DEVICE_OBJECT', 'd1']]);
  });
});
