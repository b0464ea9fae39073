// §23.2–§23.5: what a filter learns about volumes (properties, file-system type, names, writability),
// enumeration with referenced results, object-manager references and the System Volume Information folder.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_ATTRIBUTE_DIRECTORY,
  FILE_ATTRIBUTE_HIDDEN,
  FILE_ATTRIBUTE_SYSTEM,
  FILE_DEVICE_DISK_FILE_SYSTEM,
  FILE_DEVICE_NETWORK_FILE_SYSTEM,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_REMOTE_DEVICE,
  FILE_SHARE_READ,
  FLT_FSTYPE_FAT,
  FLT_FSTYPE_LANMAN,
  FLT_FSTYPE_NTFS,
  FLT_FSTYPE_REFS,
  FLT_VOLUME_PROPERTIES_SIZE,
  FltClose,
  FltCreateFile,
  FltCreateSystemVolumeInformationFolder,
  FltEnumerateInstances,
  FltEnumerateVolumes,
  FltGetFileSystemType,
  FltGetFilterFromInstance,
  FltGetVolumeFromFileObject,
  FltGetVolumeGuidName,
  FltGetVolumeName,
  FltGetVolumeProperties,
  FltIsVolumeWritable,
  FltObjectDereference,
  IoFileObjectType,
  ObDereferenceObject,
  ObReferenceObjectByHandle,
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_HANDLE,
  STATUS_OBJECT_TYPE_MISMATCH,
  STATUS_SUCCESS,
  NT_ERROR,
  type FLT_RELATED_OBJECTS,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

/** C: NTFS, D: FAT read-only, R: ReFS, N: a network volume; one filter attached to each, its objects kept per drive. */
function system(): { sim: Simulation; objects: Map<string, FLT_RELATED_OBJECTS> } {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:', fsType: 'FAT', readOnly: true });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume3', dosName: 'R:', fsType: 'ReFS', sectorSize: 4096 });
  sim.mountVolume({ name: '\\Device\\Mup\\server\\share', dosName: 'N:', deviceType: 'FILE_DEVICE_NETWORK_FILE_SYSTEM' });
  const objects = new Map<string, FLT_RELATED_OBJECTS>();
  installFilter(sim, {
    name: 'av',
    altitude: '320000',
    registration: { InstanceSetupCallback: (o) => (objects.set(o.Volume.dosName!, o), STATUS_SUCCESS) },
  });
  installFilter(sim, { name: 'mon', altitude: '370000' });
  sim.run();
  return { sim, objects };
}

describe('volume information (§23.2)', () => {
  it('FltGetVolumeProperties: the fixed part then the names; too short → BUFFER_TOO_SMALL, names cut → BUFFER_OVERFLOW (not an error)', () => {
    const { objects } = system();
    const c = objects.get('C:')!.Volume;
    const full = FltGetVolumeProperties(c, 512);
    expect(full).toEqual({
      status: STATUS_SUCCESS,
      LengthReturned: FLT_VOLUME_PROPERTIES_SIZE + 2 * ('\\FileSystem\\Ntfs'.length + '\\Ntfs'.length + '\\Device\\HarddiskVolume1'.length),
      VolumeProperties: {
        DeviceType: FILE_DEVICE_DISK_FILE_SYSTEM,
        DeviceCharacteristics: 0,
        DeviceObjectFlags: 0,
        AlignmentRequirement: 1,
        SectorSize: 512,
        Flags: 0,
        FileSystemDriverName: '\\FileSystem\\Ntfs',
        FileSystemDeviceName: '\\Ntfs',
        RealDeviceName: '\\Device\\HarddiskVolume1',
      },
    });
    expect(FltGetVolumeProperties(c, 16)).toMatchObject({ status: STATUS_BUFFER_TOO_SMALL, VolumeProperties: null, LengthReturned: full.LengthReturned });
    // scanner's pattern: a fixed-size struct is enough to read SectorSize, since the overflow is a warning.
    const fixed = FltGetVolumeProperties(c, FLT_VOLUME_PROPERTIES_SIZE);
    expect(fixed.status).toBe(STATUS_BUFFER_OVERFLOW);
    expect(NT_ERROR(fixed.status)).toBe(false);
    expect(fixed.VolumeProperties).toMatchObject({ SectorSize: 512, FileSystemDriverName: '', RealDeviceName: '' });
    const network = FltGetVolumeProperties(objects.get('N:')!.Volume, 512).VolumeProperties!;
    expect(network).toMatchObject({ DeviceType: FILE_DEVICE_NETWORK_FILE_SYSTEM, DeviceCharacteristics: FILE_REMOTE_DEVICE, SectorSize: 0, RealDeviceName: '' });
    expect(FltGetVolumeProperties(objects.get('R:')!.Volume, 512).VolumeProperties).toMatchObject({ FileSystemDriverName: '\\FileSystem\\ReFS', SectorSize: 4096 });
  });

  it('FltGetFileSystemType names NTFS, FAT, ReFS and the redirector, from an instance or a volume', () => {
    const { objects } = system();
    expect(['C:', 'D:', 'R:', 'N:'].map((d) => FltGetFileSystemType(objects.get(d)!.Instance).FileSystemType)).toEqual([FLT_FSTYPE_NTFS, FLT_FSTYPE_FAT, FLT_FSTYPE_REFS, FLT_FSTYPE_LANMAN]);
    expect(FltGetFileSystemType(objects.get('R:')!.Volume)).toEqual({ status: STATUS_SUCCESS, FileSystemType: FLT_FSTYPE_REFS });
  });

  it('FltGetVolumeName / FltGetVolumeGuidName: NULL buffer → BUFFER_TOO_SMALL with the size; the GUID name is stable; network volumes have none', () => {
    const { objects } = system();
    const c = objects.get('C:')!.Volume;
    expect(FltGetVolumeName(c, null)).toMatchObject({ status: STATUS_BUFFER_TOO_SMALL, BufferSizeNeeded: 2 * '\\Device\\HarddiskVolume1'.length });
    expect(FltGetVolumeName(c, 256)).toEqual({ status: STATUS_SUCCESS, VolumeName: '\\Device\\HarddiskVolume1', BufferSizeNeeded: 46 });
    const guid = FltGetVolumeGuidName(c, 256);
    expect(guid.VolumeName).toMatch(/^\\\?\?\\Volume\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/);
    expect(FltGetVolumeGuidName(system().objects.get('C:')!.Volume, 256)).toEqual(guid);
    expect(FltGetVolumeGuidName(objects.get('D:')!.Volume, 256).VolumeName).not.toBe(guid.VolumeName);
    expect(FltGetVolumeGuidName(objects.get('N:')!.Volume, 256).status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });

  it('FltIsVolumeWritable: a read-only volume says FALSE; a network volume does not answer', () => {
    const { objects } = system();
    expect(FltIsVolumeWritable(objects.get('C:')!.Instance)).toEqual({ status: STATUS_SUCCESS, IsWritable: true });
    expect(FltIsVolumeWritable(objects.get('D:')!.Volume)).toEqual({ status: STATUS_SUCCESS, IsWritable: false });
    expect(FltIsVolumeWritable(objects.get('N:')!.Volume).status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });
});

describe('enumeration and referenced lookups (§23.3)', () => {
  it('count first, then a list big enough: every object returned is referenced until FltObjectDereference', () => {
    const { sim, objects } = system();
    const av = objects.get('C:')!;
    expect(sim.FltEnumerateFilters(0)).toEqual({ status: STATUS_BUFFER_TOO_SMALL, List: [], NumberReturned: 2 });
    const filters = sim.FltEnumerateFilters(2);
    expect(filters.List.map((f) => f.name)).toEqual(['av', 'mon']);
    const volumes = FltEnumerateVolumes(av.Filter, 8);
    expect(volumes.List.map((v) => v.dosName)).toEqual(['C:', 'D:', 'R:', 'N:']);
    const onC = FltEnumerateInstances(av.Volume, null, 8);
    expect(onC.List.map((i) => i.filter.name)).toEqual(['mon', 'av']); // top of the stack first
    expect(FltEnumerateInstances(null, av.Filter, 8).NumberReturned).toBe(4);
    expect(sim.state().filters['F1']!.references).toBe(1);
    expect(sim.state().volumes['V1']!.references).toBe(1);
    for (const o of [...filters.List, ...volumes.List, ...onC.List]) FltObjectDereference(o);
    expect(sim.state().filters['F1']!.references).toBe(0);
    const filter = FltGetFilterFromInstance(av.Instance);
    expect(filter.filter).toBe(av.Filter);
    FltObjectDereference(filter.filter!);
    expect(compactTrace(sim.log, { types: ['FltObjectReference', 'FltObjectDereference'], objects: ['F1'] })).toEqual([
      'F1(av) FltObjectReference count=1',
      'F1(av) FltObjectDereference count=0',
      'F1(av) FltObjectReference count=1',
      'F1(av) FltObjectDereference count=0',
    ]);
  });

  it('a leaked enumeration reference keeps the enumerated filter from unloading (§23.3 invariant)', () => {
    const { sim } = system();
    sim.FltEnumerateFilters(2); // never dereferenced
    sim.spawn('fltmc unload', () => sim.FilterUnload('mon'));
    expect(sim.run().reason).toBe('deadlock');
    expect(sim.state().filters['F2']).toMatchObject({ state: 'Unregistering', references: 1 });
  });
});

describe('object references and the System Volume Information folder (§23.4, §23.5)', () => {
  it('ObReferenceObjectByHandle gives the file object of a FltCreateFile handle, referenced; CLOSE waits for its ObDereferenceObject', () => {
    const { sim, objects } = system();
    sim.fileSystem('C:').writeFile('\\meta.dat', 'm');
    const o = objects.get('C:')!;
    const seen: string[] = [];
    sim.spawn('worker', function* () {
      const open = yield* FltCreateFile(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\meta.dat' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
      const ref = ObReferenceObjectByHandle(open.FileHandle!, FILE_GENERIC_READ, IoFileObjectType, 'KernelMode');
      seen.push(`ref ${ref.status} ${ref.Object!.FileName}`);
      seen.push(`user ${ObReferenceObjectByHandle(open.FileHandle!, 0, IoFileObjectType, 'UserMode').status}`);
      seen.push(`type ${ObReferenceObjectByHandle(open.FileHandle!, 0, 'Process', 'KernelMode').status}`);
      yield* FltClose(open.FileHandle!);
      seen.push(`closed handle: ${ref.Object!.state}`);
      seen.push(`stale ${ObReferenceObjectByHandle(open.FileHandle!, 0, IoFileObjectType, 'KernelMode').status}`);
      yield* ObDereferenceObject(ref.Object!);
      seen.push(`dereferenced: ${ref.Object!.state}`);
      const fromFo = FltGetVolumeFromFileObject(o.Filter, ref.Object!);
      seen.push(`volume ${fromFo.volume?.dosName}`);
      FltObjectDereference(fromFo.volume!);
    }, { token: 'S-1-5-18' });
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual([
      `ref ${STATUS_SUCCESS} \\meta.dat`,
      `user ${STATUS_INVALID_HANDLE}`,
      `type ${STATUS_OBJECT_TYPE_MISMATCH}`,
      'closed handle: CleanedUp',
      `stale ${STATUS_INVALID_HANDLE}`,
      'dereferenced: Closed',
      'volume C:',
    ]);
  });

  it('FltCreateSystemVolumeInformationFolder creates the hidden system folder below the instance once, then finds it', () => {
    const { sim, objects } = system();
    const o = objects.get('C:')!;
    const statuses: number[] = [];
    sim.spawn('setup', function* () {
      statuses.push(yield* FltCreateSystemVolumeInformationFolder(o.Instance));
      statuses.push(yield* FltCreateSystemVolumeInformationFolder(o.Instance));
    }, { token: 'S-1-5-18' });
    expect(sim.run().reason).toBe('idle');
    expect(statuses).toEqual([STATUS_SUCCESS, STATUS_SUCCESS]);
    expect(sim.fileSystem('C:').stat('\\System Volume Information')).toMatchObject({ isDirectory: true, attributes: FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM });
    // Generated by av's instance, so only what is below it sees the creates (§10).
    const starts = compactTrace(sim.log, { types: ['IoStart'] }).filter((l) => l.includes('CREATE \\System Volume Information'));
    expect(starts.map((l) => /from=(\S+)/.exec(l)?.[1])).toEqual([`${o.Instance.id}:av@320000`, `${o.Instance.id}:av@320000`]);
    expect(compactTrace(sim.log, { types: ['IoComplete'] }).filter((l) => l.includes('CREATE \\System Volume Information'))).toEqual([
      'D1(CREATE \\System Volume Information) IoComplete status=STATUS_SUCCESS information=FILE_CREATED',
      'D4(CREATE \\System Volume Information) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
    ]);
  });
});
