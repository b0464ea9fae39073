/**
 * IRP_MJ_QUERY_VOLUME_INFORMATION. Works on any open of the volume (file, directory or volume open).
 * Class numbers outside FS_INFORMATION_CLASS → STATUS_INVALID_INFO_CLASS; classes the model does not
 * implement (and FileFsObjectIdInformation on FAT) → STATUS_INVALID_PARAMETER, FastFAT's default.
 */
import type { FsState } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { VolumeInformation } from '../wdk/parameters.js';
import { freeBytes, hex } from './model.js';
import { fitName } from './information.js';
import { complete } from './types.js';
import {
  FILE_CASE_PRESERVED_NAMES,
  FILE_DEVICE_DISK,
  FILE_DEVICE_IS_MOUNTED,
  FILE_PERSISTENT_ACLS,
  FILE_READ_ONLY_DEVICE,
  FILE_READ_ONLY_VOLUME,
  FILE_SUPPORTS_HARD_LINKS,
  FILE_SUPPORTS_OBJECT_IDS,
  FILE_SUPPORTS_OPEN_BY_FILE_ID,
  FILE_SUPPORTS_POSIX_UNLINK_RENAME,
  FILE_SUPPORTS_REPARSE_POINTS,
  FILE_UNICODE_ON_DISK,
  FS_INFORMATION_CLASS as V,
} from '../wdk/fileConstants.js';
import { STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER, STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { FS_INFORMATION_LAYOUT, parametersMember } from '../wdk/parameters.js';

/** What the volume advertises: only features the model implements. */
export function fileSystemAttributes(state: FsState): number {
  let attributes = FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK;
  if (state.options.fsType === 'NTFS') {
    attributes |=
      FILE_PERSISTENT_ACLS |
      FILE_SUPPORTS_REPARSE_POINTS |
      FILE_SUPPORTS_OBJECT_IDS |
      FILE_SUPPORTS_HARD_LINKS |
      FILE_SUPPORTS_OPEN_BY_FILE_ID |
      FILE_SUPPORTS_POSIX_UNLINK_RENAME;
  }
  if (state.options.readOnly) attributes |= FILE_READ_ONLY_VOLUME;
  return attributes >>> 0;
}

/** The volume's object id, derived from its serial number so it is stable across runs. */
export function volumeObjectId(state: FsState): string {
  return `${hex(state.serialNumber, 8)}-0000-4000-8000-000000000000`;
}

export function queryVolumeInformation(state: FsState, request: FsRequest): FsCompletion {
  const params = parametersMember(request.Parameters, 'QueryVolumeInformation');
  if (params === null) return complete(STATUS_INVALID_PARAMETER);
  const cls = params.FsInformationClass;
  if (typeof cls !== 'number' || !Number.isInteger(cls) || cls <= 0 || cls >= V.FileFsMaximumInformation) return complete(STATUS_INVALID_INFO_CLASS);
  const layout = FS_INFORMATION_LAYOUT[cls];
  if (layout === undefined || (cls === V.FileFsObjectIdInformation && state.options.fsType !== 'NTFS')) return complete(STATUS_INVALID_PARAMETER);
  if (!(typeof params.Length === 'number' && params.Length >= layout.size)) return complete(STATUS_INFO_LENGTH_MISMATCH);

  const sector = state.options.sectorSize;
  const cluster = state.clusterSize;
  const totalUnits = Math.floor(state.totalBytes / cluster);
  const freeUnits = Math.floor(freeBytes(state) / cluster);
  let info: VolumeInformation;
  let status: number = STATUS_SUCCESS;
  let bytes = layout.size;
  switch (cls) {
    case V.FileFsVolumeInformation: {
      const label = fitName(state.options.label ?? '', params.Length, layout.nameOffset ?? 0);
      info = {
        VolumeCreationTime: state.createdAt,
        VolumeSerialNumber: state.serialNumber,
        VolumeLabelLength: label.info.FileNameLength,
        SupportsObjects: state.options.fsType === 'NTFS',
        VolumeLabel: label.info.FileName,
      };
      status = label.status;
      bytes = label.bytes;
      break;
    }
    case V.FileFsSizeInformation:
      info = { TotalAllocationUnits: totalUnits, AvailableAllocationUnits: freeUnits, SectorsPerAllocationUnit: cluster / sector, BytesPerSector: sector };
      break;
    case V.FileFsFullSizeInformation:
      info = {
        TotalAllocationUnits: totalUnits,
        CallerAvailableAllocationUnits: freeUnits,
        ActualAvailableAllocationUnits: freeUnits,
        SectorsPerAllocationUnit: cluster / sector,
        BytesPerSector: sector,
      };
      break;
    case V.FileFsDeviceInformation:
      info = { DeviceType: FILE_DEVICE_DISK, Characteristics: FILE_DEVICE_IS_MOUNTED | (state.options.readOnly ? FILE_READ_ONLY_DEVICE : 0) };
      break;
    case V.FileFsAttributeInformation: {
      const name = fitName(state.options.fileSystemName ?? state.options.fsType, params.Length, layout.nameOffset ?? 0);
      info = {
        FileSystemAttributes: fileSystemAttributes(state),
        MaximumComponentNameLength: 255,
        FileSystemNameLength: name.info.FileNameLength,
        FileSystemName: name.info.FileName,
      };
      status = name.status;
      bytes = name.bytes;
      break;
    }
    case V.FileFsSectorSizeInformation:
      info = {
        LogicalBytesPerSector: sector,
        PhysicalBytesPerSectorForAtomicity: sector,
        PhysicalBytesPerSectorForPerformance: sector,
        FileSystemEffectivePhysicalBytesPerSectorForAtomicity: sector,
        Flags: 0,
        ByteOffsetForSectorAlignment: 0,
        ByteOffsetForPartitionAlignment: 0,
      };
      break;
    case V.FileFsObjectIdInformation:
      info = { ObjectId: volumeObjectId(state), ExtendedInfo: new Uint8Array(48) };
      break;
    default:
      return complete(STATUS_INVALID_PARAMETER);
  }
  return { Status: status, Information: bytes, output: { kind: 'volumeInformation', FsInformationClass: cls, info } };
}
