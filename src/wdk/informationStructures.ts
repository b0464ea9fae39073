/**
 * The structures of the information classes as TypeScript, WDK field names: FILE_INFORMATION_CLASS
 * payloads (query and set information), directory enumeration entries, FS_INFORMATION_CLASS payloads,
 * and the byte size of each (x64 layout, `sizeof` as the WDK computes it), so Length checks behave as
 * on Windows rather than "any length works". FLT_PARAMETERS carries them (parameters.ts, which
 * re-exports them).
 */
import type { Guid } from './parameters.js';

// ---- FILE_INFORMATION_CLASS payloads -------------------------------------------------------------
export interface FILE_BASIC_INFORMATION {
  CreationTime: number;
  LastAccessTime: number;
  LastWriteTime: number;
  ChangeTime: number;
  FileAttributes: number;
}
export interface FILE_STANDARD_INFORMATION {
  AllocationSize: number;
  EndOfFile: number;
  NumberOfLinks: number;
  DeletePending: boolean;
  Directory: boolean;
}
export interface FILE_INTERNAL_INFORMATION {
  IndexNumber: number;
}
export interface FILE_EA_INFORMATION {
  EaSize: number;
}
export interface FILE_ACCESS_INFORMATION {
  AccessFlags: number;
}
export interface FILE_POSITION_INFORMATION {
  CurrentByteOffset: number;
}
export interface FILE_MODE_INFORMATION {
  Mode: number;
}
export interface FILE_ALIGNMENT_INFORMATION {
  AlignmentRequirement: number;
}
/** Also the layout of FileNormalizedNameInformation. FileNameLength is the full name's byte length
 * even when FileName was truncated (STATUS_BUFFER_OVERFLOW). */
export interface FILE_NAME_INFORMATION {
  FileNameLength: number;
  FileName: string;
}
export interface FILE_ALL_INFORMATION {
  BasicInformation: FILE_BASIC_INFORMATION;
  StandardInformation: FILE_STANDARD_INFORMATION;
  InternalInformation: FILE_INTERNAL_INFORMATION;
  EaInformation: FILE_EA_INFORMATION;
  AccessInformation: FILE_ACCESS_INFORMATION;
  PositionInformation: FILE_POSITION_INFORMATION;
  ModeInformation: FILE_MODE_INFORMATION;
  AlignmentInformation: FILE_ALIGNMENT_INFORMATION;
  NameInformation: FILE_NAME_INFORMATION;
}
export interface FILE_NETWORK_OPEN_INFORMATION {
  CreationTime: number;
  LastAccessTime: number;
  LastWriteTime: number;
  ChangeTime: number;
  AllocationSize: number;
  EndOfFile: number;
  FileAttributes: number;
}
export interface FILE_ATTRIBUTE_TAG_INFORMATION {
  FileAttributes: number;
  ReparseTag: number;
}
export interface FILE_ID_INFORMATION {
  VolumeSerialNumber: number;
  /** FILE_ID_128 as 32 lowercase hex digits, little-endian byte order. */
  FileId: string;
}
export interface FILE_END_OF_FILE_INFORMATION {
  EndOfFile: number;
}
export interface FILE_ALLOCATION_INFORMATION {
  AllocationSize: number;
}
export interface FILE_DISPOSITION_INFORMATION {
  DeleteFile: boolean;
}
export interface FILE_DISPOSITION_INFORMATION_EX {
  Flags: number;
}
/** Also the layout of FILE_LINK_INFORMATION. */
export interface FILE_RENAME_INFORMATION {
  ReplaceIfExists: boolean;
  /** File object id of an open directory the name is relative to, or null. */
  RootDirectory: string | null;
  FileName: string;
}
export type FILE_LINK_INFORMATION = FILE_RENAME_INFORMATION;

export type FileInformation =
  | FILE_BASIC_INFORMATION
  | FILE_STANDARD_INFORMATION
  | FILE_INTERNAL_INFORMATION
  | FILE_EA_INFORMATION
  | FILE_ACCESS_INFORMATION
  | FILE_POSITION_INFORMATION
  | FILE_MODE_INFORMATION
  | FILE_ALIGNMENT_INFORMATION
  | FILE_NAME_INFORMATION
  | FILE_ALL_INFORMATION
  | FILE_NETWORK_OPEN_INFORMATION
  | FILE_ATTRIBUTE_TAG_INFORMATION
  | FILE_ID_INFORMATION
  | FILE_END_OF_FILE_INFORMATION
  | FILE_ALLOCATION_INFORMATION
  | FILE_DISPOSITION_INFORMATION
  | FILE_DISPOSITION_INFORMATION_EX
  | FILE_RENAME_INFORMATION;

// ---- Directory enumeration entries ------------------------------------------------------------------
export interface FILE_NAMES_INFORMATION {
  NextEntryOffset: number;
  FileIndex: number;
  FileNameLength: number;
  FileName: string;
}
export interface FILE_DIRECTORY_INFORMATION extends FILE_NAMES_INFORMATION {
  CreationTime: number;
  LastAccessTime: number;
  LastWriteTime: number;
  ChangeTime: number;
  EndOfFile: number;
  AllocationSize: number;
  FileAttributes: number;
}
export interface FILE_BOTH_DIR_INFORMATION extends FILE_DIRECTORY_INFORMATION {
  EaSize: number;
  ShortNameLength: number;
  ShortName: string;
}
export interface FILE_ID_BOTH_DIR_INFORMATION extends FILE_BOTH_DIR_INFORMATION {
  FileId: number;
}
export type DirectoryEntry =
  | FILE_NAMES_INFORMATION
  | FILE_DIRECTORY_INFORMATION
  | FILE_BOTH_DIR_INFORMATION
  | FILE_ID_BOTH_DIR_INFORMATION;

// ---- FS_INFORMATION_CLASS payloads ------------------------------------------------------------------
export interface FILE_FS_VOLUME_INFORMATION {
  VolumeCreationTime: number;
  VolumeSerialNumber: number;
  VolumeLabelLength: number;
  SupportsObjects: boolean;
  VolumeLabel: string;
}
export interface FILE_FS_SIZE_INFORMATION {
  TotalAllocationUnits: number;
  AvailableAllocationUnits: number;
  SectorsPerAllocationUnit: number;
  BytesPerSector: number;
}
export interface FILE_FS_FULL_SIZE_INFORMATION {
  TotalAllocationUnits: number;
  CallerAvailableAllocationUnits: number;
  ActualAvailableAllocationUnits: number;
  SectorsPerAllocationUnit: number;
  BytesPerSector: number;
}
export interface FILE_FS_DEVICE_INFORMATION {
  DeviceType: number;
  Characteristics: number;
}
export interface FILE_FS_ATTRIBUTE_INFORMATION {
  FileSystemAttributes: number;
  MaximumComponentNameLength: number;
  FileSystemNameLength: number;
  FileSystemName: string;
}
export interface FILE_FS_SECTOR_SIZE_INFORMATION {
  LogicalBytesPerSector: number;
  PhysicalBytesPerSectorForAtomicity: number;
  PhysicalBytesPerSectorForPerformance: number;
  FileSystemEffectivePhysicalBytesPerSectorForAtomicity: number;
  Flags: number;
  ByteOffsetForSectorAlignment: number;
  ByteOffsetForPartitionAlignment: number;
}
export interface FILE_FS_OBJECTID_INFORMATION {
  ObjectId: Guid;
  ExtendedInfo: Uint8Array;
}
export type VolumeInformation =
  | FILE_FS_VOLUME_INFORMATION
  | FILE_FS_SIZE_INFORMATION
  | FILE_FS_FULL_SIZE_INFORMATION
  | FILE_FS_DEVICE_INFORMATION
  | FILE_FS_ATTRIBUTE_INFORMATION
  | FILE_FS_SECTOR_SIZE_INFORMATION
  | FILE_FS_OBJECTID_INFORMATION;

// ---- Byte sizes (x64), for Length checks --------------------------------------------------------------
/** sizeof() of each fixed or fixed-header class; `nameOffset` = FIELD_OFFSET of the trailing name. */
export interface InfoLayout {
  readonly size: number;
  readonly nameOffset?: number;
}
export const FILE_INFORMATION_LAYOUT: Readonly<Record<number, InfoLayout>> = {
  1: { size: 72, nameOffset: 64 }, // FILE_DIRECTORY_INFORMATION
  3: { size: 96, nameOffset: 94 }, // FILE_BOTH_DIR_INFORMATION
  4: { size: 40 }, // FILE_BASIC_INFORMATION
  5: { size: 24 }, // FILE_STANDARD_INFORMATION
  6: { size: 8 }, // FILE_INTERNAL_INFORMATION
  7: { size: 4 }, // FILE_EA_INFORMATION
  8: { size: 4 }, // FILE_ACCESS_INFORMATION
  9: { size: 8, nameOffset: 4 }, // FILE_NAME_INFORMATION
  10: { size: 24, nameOffset: 20 }, // FILE_RENAME_INFORMATION
  11: { size: 24, nameOffset: 20 }, // FILE_LINK_INFORMATION
  12: { size: 16, nameOffset: 12 }, // FILE_NAMES_INFORMATION
  13: { size: 1 }, // FILE_DISPOSITION_INFORMATION
  14: { size: 8 }, // FILE_POSITION_INFORMATION
  16: { size: 4 }, // FILE_MODE_INFORMATION
  17: { size: 4 }, // FILE_ALIGNMENT_INFORMATION
  18: { size: 104, nameOffset: 100 }, // FILE_ALL_INFORMATION
  19: { size: 8 }, // FILE_ALLOCATION_INFORMATION
  20: { size: 8 }, // FILE_END_OF_FILE_INFORMATION
  21: { size: 8, nameOffset: 4 }, // FILE_NAME_INFORMATION (alternate, 8.3)
  34: { size: 56 }, // FILE_NETWORK_OPEN_INFORMATION
  35: { size: 8 }, // FILE_ATTRIBUTE_TAG_INFORMATION
  37: { size: 112, nameOffset: 104 }, // FILE_ID_BOTH_DIR_INFORMATION
  48: { size: 8, nameOffset: 4 }, // FILE_NAME_INFORMATION (normalized)
  59: { size: 24 }, // FILE_ID_INFORMATION
  64: { size: 4 }, // FILE_DISPOSITION_INFORMATION_EX
};
export const FS_INFORMATION_LAYOUT: Readonly<Record<number, InfoLayout>> = {
  1: { size: 24, nameOffset: 18 }, // FILE_FS_VOLUME_INFORMATION
  3: { size: 24 }, // FILE_FS_SIZE_INFORMATION
  4: { size: 8 }, // FILE_FS_DEVICE_INFORMATION
  5: { size: 16, nameOffset: 12 }, // FILE_FS_ATTRIBUTE_INFORMATION
  7: { size: 32 }, // FILE_FS_FULL_SIZE_INFORMATION
  8: { size: 64 }, // FILE_FS_OBJECTID_INFORMATION
  11: { size: 28 }, // FILE_FS_SECTOR_SIZE_INFORMATION
};
export const FILE_OBJECTID_BUFFER_SIZE = 64;
export const GET_LENGTH_INFORMATION_SIZE = 8;
