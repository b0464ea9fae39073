/**
 * What a filter asks about a volume (§23.2): FltGetVolumeProperties, FltGetFileSystemType,
 * FltGetVolumeName, FltGetVolumeGuidName, FltIsVolumeWritable, and the lookups that hand out
 * referenced objects, FltGetVolumeFromFileObject and FltGetFilterFromInstance.
 *
 * Names are UNICODE_STRINGs: lengths in bytes (two per UTF-16 unit). A volume is a network volume
 * when it was mounted with deviceType FILE_DEVICE_NETWORK_FILE_SYSTEM; the model's file systems
 * are NTFS, FAT and ReFS (ReFS runs on the NTFS model of the in-memory file system).
 */
import { integerArgument } from '../kernel/arguments.js';
import { FileObject as FileObjectClass } from '../io/fileObject.js';
import { volumeGuid } from '../io/paths.js';
import {
  FILE_DEVICE_CD_ROM_FILE_SYSTEM,
  FILE_DEVICE_DISK_FILE_SYSTEM,
  FILE_DEVICE_NETWORK_FILE_SYSTEM,
  FILE_REMOTE_DEVICE,
  FLT_FSTYPE_FAT,
  FLT_FSTYPE_LANMAN,
  FLT_FSTYPE_NTFS,
  FLT_FSTYPE_REFS,
  FLT_FSTYPE_UNKNOWN,
  FLT_VOLUME_PROPERTIES_SIZE,
} from '../wdk/volumeConstants.js';
import {
  NT_SUCCESS,
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FilterObject } from './filterObject.js';
import { InstanceObject } from './instanceObject.js';
import { referenceObject } from './references.js';
import { fail } from './routineSupport.js';
import { filterArgument, instanceArgument, volumeArgument, volumeOrInstanceArgument } from './objectArguments.js';
import { VolumeObject } from './volumeObject.js';

export interface FLT_VOLUME_PROPERTIES {
  readonly DeviceType: number;
  readonly DeviceCharacteristics: number;
  readonly DeviceObjectFlags: number;
  readonly AlignmentRequirement: number;
  readonly SectorSize: number;
  readonly Flags: number;
  readonly FileSystemDriverName: string;
  readonly FileSystemDeviceName: string;
  readonly RealDeviceName: string;
}

const DEVICE_TYPES: Readonly<Record<string, number>> = {
  FILE_DEVICE_DISK_FILE_SYSTEM,
  FILE_DEVICE_NETWORK_FILE_SYSTEM,
  FILE_DEVICE_CD_ROM_FILE_SYSTEM,
};

function isNetwork(volume: VolumeObject): boolean {
  return volume.deviceType === 'FILE_DEVICE_NETWORK_FILE_SYSTEM';
}

const volumeOf = (routine: string, object: VolumeObject | InstanceObject): VolumeObject => volumeOrInstanceArgument(routine, object);

/** A buffer size in bytes (a ULONG or USHORT the routine compares with what it needs), or null for no buffer. */
function lengthArgument(routine: string, name: string, value: number | null, nullable: boolean): number | null {
  if (nullable && (value === null || value === undefined)) return null;
  return integerArgument(routine, name, value, 0, 0xffffffff, 'a ULONG (a whole number from 0 to 0xFFFFFFFF)');
}

/** The driver and device names of the volume's file system ([model] for the device names). */
function fileSystemNames(volume: VolumeObject): { driver: string; device: string } {
  if (isNetwork(volume)) return { driver: '\\FileSystem\\MRxSmb', device: '\\Device\\LanmanRedirector' };
  switch (volume.fsType) {
    case 'FAT':
      return { driver: '\\FileSystem\\Fastfat', device: '\\Fat' };
    case 'ReFS':
      return { driver: '\\FileSystem\\ReFS', device: '\\ReFS' };
    default:
      return { driver: '\\FileSystem\\Ntfs', device: '\\Ntfs' };
  }
}

const bytesOf = (s: string): number => 2 * s.length;

/** Cut `s` to the UTF-16 units that fit in `room` bytes. */
const fit = (s: string, room: number): string => s.slice(0, Math.max(0, Math.floor(room / 2)));

export interface VolumePropertiesResult {
  readonly status: NTSTATUS;
  /** Null when the buffer cannot hold the fixed part; names cut short on STATUS_BUFFER_OVERFLOW. */
  readonly VolumeProperties: FLT_VOLUME_PROPERTIES | null;
  /** Bytes the whole structure needs (its fixed part and the three names). */
  readonly LengthReturned: number;
}

/**
 * FltGetVolumeProperties(Volume, VolumeProperties, Length, &LengthReturned): fixed part, then the
 * three names after it. Too short for the fixed part → STATUS_BUFFER_TOO_SMALL; fixed part fits,
 * names do not → STATUS_BUFFER_OVERFLOW (a warning: NT_ERROR is false) with the names cut.
 */
export function FltGetVolumeProperties(Volume: VolumeObject, Length: number): VolumePropertiesResult {
  volumeArgument('FltGetVolumeProperties', Volume);
  lengthArgument('FltGetVolumeProperties', 'Length', Length, false);
  const fltMgr = Volume.fltMgr;
  const names = fileSystemNames(Volume);
  const real = isNetwork(Volume) ? '' : Volume.name;
  const needed = FLT_VOLUME_PROPERTIES_SIZE + bytesOf(names.driver) + bytesOf(names.device) + bytesOf(real);
  if (!Number.isInteger(Length) || Length < FLT_VOLUME_PROPERTIES_SIZE) {
    return { status: fail(fltMgr, Volume, 'FltGetVolumeProperties', STATUS_BUFFER_TOO_SMALL, `${Length} bytes, the fixed part needs ${FLT_VOLUME_PROPERTIES_SIZE}`), VolumeProperties: null, LengthReturned: needed };
  }
  let room = Length - FLT_VOLUME_PROPERTIES_SIZE;
  const take = (s: string): string => {
    const part = fit(s, room);
    room -= bytesOf(part);
    return part;
  };
  const VolumeProperties: FLT_VOLUME_PROPERTIES = {
    DeviceType: DEVICE_TYPES[Volume.deviceType] ?? FILE_DEVICE_DISK_FILE_SYSTEM,
    DeviceCharacteristics: isNetwork(Volume) ? FILE_REMOTE_DEVICE : 0,
    DeviceObjectFlags: 0,
    AlignmentRequirement: 1,
    SectorSize: isNetwork(Volume) ? 0 : Volume.sectorSize,
    Flags: 0,
    FileSystemDriverName: take(names.driver),
    FileSystemDeviceName: take(names.device),
    RealDeviceName: take(real),
  };
  const status = Length < needed ? fail(fltMgr, Volume, 'FltGetVolumeProperties', STATUS_BUFFER_OVERFLOW, `${Length} bytes, the names need ${needed}`) : STATUS_SUCCESS;
  return { status, VolumeProperties, LengthReturned: needed };
}

/** FltGetFileSystemType(FltObject, &FileSystemType): FLT_FSTYPE_NTFS, _FAT, _REFS, or _LANMAN for a network volume. */
export function FltGetFileSystemType(FltObject: VolumeObject | InstanceObject): { readonly status: NTSTATUS; readonly FileSystemType: number } {
  const volume = volumeOf('FltGetFileSystemType', FltObject);
  if (isNetwork(volume)) return { status: STATUS_SUCCESS, FileSystemType: FLT_FSTYPE_LANMAN };
  const FileSystemType = volume.fsType === 'NTFS' ? FLT_FSTYPE_NTFS : volume.fsType === 'FAT' ? FLT_FSTYPE_FAT : volume.fsType === 'ReFS' ? FLT_FSTYPE_REFS : FLT_FSTYPE_UNKNOWN;
  return { status: STATUS_SUCCESS, FileSystemType };
}

export interface VolumeNameResult {
  readonly status: NTSTATUS;
  /** The name, or null when the buffer is too small (or none was given). */
  readonly VolumeName: string | null;
  readonly BufferSizeNeeded: number;
}

function nameInto(Volume: VolumeObject, routine: string, name: string, MaximumLength: number | null): VolumeNameResult {
  const needed = bytesOf(name);
  if (MaximumLength === null || MaximumLength < needed) {
    return { status: fail(Volume.fltMgr, Volume, routine, STATUS_BUFFER_TOO_SMALL, `${MaximumLength ?? 'no'} bytes, the name needs ${needed}`), VolumeName: null, BufferSizeNeeded: needed };
  }
  return { status: STATUS_SUCCESS, VolumeName: name, BufferSizeNeeded: needed };
}

/** FltGetVolumeName(Volume, VolumeName, &BufferSizeNeeded): the NT device name, `\Device\HarddiskVolume1`. MaximumLength null = no buffer. */
export function FltGetVolumeName(Volume: VolumeObject, MaximumLength: number | null): VolumeNameResult {
  volumeArgument('FltGetVolumeName', Volume);
  lengthArgument('FltGetVolumeName', 'MaximumLength', MaximumLength, true);
  return nameInto(Volume, 'FltGetVolumeName', Volume.name, MaximumLength);
}

/**
 * FltGetVolumeGuidName(Volume, VolumeName, &BufferSizeNeeded): `\??\Volume{GUID}`, a GUID derived
 * from the volume's device name so every run gives the same one. Local volumes only.
 */
export function FltGetVolumeGuidName(Volume: VolumeObject, MaximumLength: number | null): VolumeNameResult {
  volumeArgument('FltGetVolumeGuidName', Volume);
  lengthArgument('FltGetVolumeGuidName', 'MaximumLength', MaximumLength, true);
  if (isNetwork(Volume)) {
    return { status: fail(Volume.fltMgr, Volume, 'FltGetVolumeGuidName', STATUS_INVALID_DEVICE_REQUEST, 'a network volume has no volume GUID'), VolumeName: null, BufferSizeNeeded: 0 };
  }
  return nameInto(Volume, 'FltGetVolumeGuidName', `\\??\\Volume{${volumeGuid(Volume.name)}}`, MaximumLength);
}


/** FltIsVolumeWritable(FltObject, &IsWritable): IOCTL_DISK_IS_WRITABLE on the storage; network volumes do not answer it. */
export function FltIsVolumeWritable(FltObject: VolumeObject | InstanceObject): { readonly status: NTSTATUS; readonly IsWritable: boolean } {
  const volume = volumeOf('FltIsVolumeWritable', FltObject);
  if (isNetwork(volume)) return { status: fail(volume.fltMgr, volume, 'FltIsVolumeWritable', STATUS_INVALID_DEVICE_REQUEST, 'no disk below a network volume'), IsWritable: false };
  return { status: STATUS_SUCCESS, IsWritable: !volume.fileSystem.readOnly };
}

/** FltGetVolumeFromFileObject(Filter, FileObject, &RetVolume): referenced; release with FltObjectDereference. */
export function FltGetVolumeFromFileObject(Filter: FilterObject, FileObject: FileObjectClass): { readonly status: NTSTATUS; readonly volume: VolumeObject | null } {
  filterArgument('FltGetVolumeFromFileObject', Filter);
  if (!(FileObject instanceof FileObjectClass)) return { status: fail(Filter.fltMgr, Filter, 'FltGetVolumeFromFileObject', STATUS_INVALID_PARAMETER, 'not a file object'), volume: null };
  const status = referenceObject(Filter.fltMgr, FileObject.volume);
  return { status, volume: NT_SUCCESS(status) ? FileObject.volume : null };
}

/** FltGetFilterFromInstance(Instance, &RetFilter): referenced; release with FltObjectDereference. */
export function FltGetFilterFromInstance(Instance: InstanceObject): { readonly status: NTSTATUS; readonly filter: FilterObject | null } {
  instanceArgument('FltGetFilterFromInstance', Instance);
  const fltMgr = Instance.filter.fltMgr;
  const status = referenceObject(fltMgr, Instance.filter);
  return { status, filter: NT_SUCCESS(status) ? Instance.filter : null };
}

