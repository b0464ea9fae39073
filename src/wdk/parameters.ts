/**
 * FLT_PARAMETERS as TypeScript: one member per major function the model handles, WDK field names.
 * Buffers are `Uint8Array`; information-class payloads are structured objects with WDK field names.
 * Each payload's byte size (x64 layout, `sizeof` as the WDK computes it) lives in the size tables of
 * informationStructures.ts, so Length checks behave as on Windows rather than "any length works".
 *
 * Conventions the model adds, because JavaScript has no pointers:
 * - LARGE_INTEGER fields are plain numbers (QuadPart). Times are virtual ticks.
 * - A FILE_OBJECT / HANDLE is carried as the file object's id string (`ParentOfTarget`, `RootDirectory`).
 * - GUIDs are strings `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`; SIDs are strings `S-1-5-18`;
 *   FILE_ID_128 is 32 hex digits.
 *
 * The information-class structures and their byte sizes are informationStructures.ts, re-exported here
 * so a caller imports FLT_PARAMETERS and what it carries from one place.
 */
import { recordArgument, stringArgument, ulongArgument } from '../kernel/arguments.js';
import type { MDL } from './buffers.js';
import type { FILE_NETWORK_OPEN_INFORMATION, FileInformation } from './informationStructures.js';

export type {
  DirectoryEntry,
  FILE_ACCESS_INFORMATION,
  FILE_ALIGNMENT_INFORMATION,
  FILE_ALLOCATION_INFORMATION,
  FILE_ALL_INFORMATION,
  FILE_ATTRIBUTE_TAG_INFORMATION,
  FILE_BASIC_INFORMATION,
  FILE_BOTH_DIR_INFORMATION,
  FILE_DIRECTORY_INFORMATION,
  FILE_DISPOSITION_INFORMATION,
  FILE_DISPOSITION_INFORMATION_EX,
  FILE_EA_INFORMATION,
  FILE_END_OF_FILE_INFORMATION,
  FILE_FS_ATTRIBUTE_INFORMATION,
  FILE_FS_DEVICE_INFORMATION,
  FILE_FS_FULL_SIZE_INFORMATION,
  FILE_FS_OBJECTID_INFORMATION,
  FILE_FS_SECTOR_SIZE_INFORMATION,
  FILE_FS_SIZE_INFORMATION,
  FILE_FS_VOLUME_INFORMATION,
  FILE_ID_BOTH_DIR_INFORMATION,
  FILE_ID_INFORMATION,
  FILE_INTERNAL_INFORMATION,
  FILE_LINK_INFORMATION,
  FILE_MODE_INFORMATION,
  FILE_NAMES_INFORMATION,
  FILE_NAME_INFORMATION,
  FILE_NETWORK_OPEN_INFORMATION,
  FILE_POSITION_INFORMATION,
  FILE_RENAME_INFORMATION,
  FILE_STANDARD_INFORMATION,
  FileInformation,
  InfoLayout,
  VolumeInformation,
} from './informationStructures.js';
export { FILE_INFORMATION_LAYOUT, FILE_OBJECTID_BUFFER_SIZE, FS_INFORMATION_LAYOUT, GET_LENGTH_INFORMATION_SIZE } from './informationStructures.js';

export type Guid = string;

// ---- Security descriptors ----------------------------------------------------------------------
export interface Ace {
  readonly type: 'allow' | 'deny';
  readonly sid: string;
  readonly mask: number;
}
/** A security descriptor as a structure; the self-relative byte size is computed by the FS. */
export interface SecurityDescriptor {
  readonly Owner: string | null;
  readonly Group: string | null;
  /** null = no DACL (everyone gets everything); [] = empty DACL (nobody gets anything). */
  readonly Dacl: readonly Ace[] | null;
  readonly Sacl: readonly Ace[] | null;
}

// ---- FSCTL / IOCTL buffers ---------------------------------------------------------------------------
/** REPARSE_DATA_BUFFER (Microsoft tags, ReparseGuid null) or REPARSE_GUID_DATA_BUFFER (ReparseGuid set). */
export interface REPARSE_DATA_BUFFER {
  ReparseTag: number;
  ReparseDataLength: number;
  ReparseGuid: Guid | null;
  DataBuffer: Uint8Array;
}
export interface FILE_OBJECTID_BUFFER {
  ObjectId: Guid;
  BirthVolumeId: Guid;
  BirthObjectId: Guid;
  DomainId: Guid;
}
export interface GET_LENGTH_INFORMATION {
  Length: number;
}
export type FsctlInput = REPARSE_DATA_BUFFER | FILE_OBJECTID_BUFFER | Uint8Array;

// ---- FLT_PARAMETERS members ----------------------------------------------------------------------------
export interface CreateParameters {
  SecurityContext: { DesiredAccess: number };
  /** CreateDisposition << 24 | CreateOptions; see packCreateOptions. */
  Options: number;
  FileAttributes: number;
  ShareAccess: number;
  EaLength: number;
  AllocationSize?: number;
}
/**
 * IRP_MJ_NETWORK_QUERY_OPEN (FastIoQueryOpen, §24.2): a fast I/O operation only. `Irp` is the create
 * IRP the open stands for, never sent: its stack location's Flags (SL_*) and Parameters.Create.
 * The FILE_NETWORK_OPEN_INFORMATION the file system returns comes back as the operation's output.
 */
export interface NetworkQueryOpenParameters {
  Irp: { Flags: number; Options: number; DesiredAccess: number; ShareAccess: number; FileAttributes: number };
  NetworkInformation: FILE_NETWORK_OPEN_INFORMATION | null;
}
export interface ReadParameters {
  Length: number;
  Key: number;
  /** QuadPart; BYTE_OFFSET_USE_FILE_POINTER_POSITION (-2) for synchronous file objects. */
  ByteOffset: number;
  /** Where the data lands (§20.1): the requester's buffer, or one a filter swapped in. */
  ReadBuffer?: Uint8Array | null;
  /** When set, the buffer the file system uses (a view of the same or of swapped-in bytes). */
  MdlAddress?: MDL | null;
}
export interface WriteParameters {
  Length: number;
  Key: number;
  /** QuadPart; -1 = FILE_WRITE_TO_END_OF_FILE, -2 = FILE_USE_FILE_POINTER_POSITION. */
  ByteOffset: number;
  /** The data (§20.1): the requester's buffer, or one a filter swapped in; when absent the FS uses FsRequest.buffer. */
  WriteBuffer?: Uint8Array;
  /** When set, the buffer the file system uses. */
  MdlAddress?: MDL | null;
}
export interface QueryFileInformationParameters {
  Length: number;
  FileInformationClass: number;
}
export interface SetFileInformationParameters {
  Length: number;
  FileInformationClass: number;
  /** File object id of the target directory opened with SL_OPEN_TARGET_DIRECTORY (rename/link). */
  ParentOfTarget: string | null;
  /** The structured FILE_*_INFORMATION named by FileInformationClass; null is an invalid buffer. */
  InfoBuffer: FileInformation | null;
}
export interface QueryVolumeInformationParameters {
  Length: number;
  FsInformationClass: number;
}
export interface QuerySecurityParameters {
  SecurityInformation: number;
  Length: number;
}
export interface SetSecurityParameters {
  SecurityInformation: number;
  SecurityDescriptor: SecurityDescriptor | null;
}
export interface FileSystemControlParameters {
  FsControlCode: number;
  InputBufferLength: number;
  OutputBufferLength: number;
  InputBuffer: FsctlInput | null;
}
export interface DeviceIoControlParameters {
  IoControlCode: number;
  InputBufferLength: number;
  OutputBufferLength: number;
  InputBuffer: Uint8Array | null;
}
export interface QueryDirectoryParameters {
  Length: number;
  /** Search pattern (`*`, `?` wildcards); used on the first query or with SL_RESTART_SCAN. */
  FileName: string | null;
  FileInformationClass: number;
  FileIndex: number;
  /** Where the entries land, in their x64 byte layout (§20.1; src/wdk/directoryBytes.ts). */
  DirectoryBuffer?: Uint8Array | null;
  /** When set, the buffer the file system uses. */
  MdlAddress?: MDL | null;
}
/** IRP_MN_NOTIFY_CHANGE_DIRECTORY (§21.9); SL_WATCH_TREE in OperationFlags watches the subtree. */
export interface NotifyDirectoryParameters {
  Length: number;
  /** FILE_NOTIFY_CHANGE_* bits. */
  CompletionFilter: number;
  /** Where the FILE_NOTIFY_INFORMATION chain lands (src/wdk/directoryNotify.ts). */
  DirectoryBuffer?: Uint8Array | null;
  MdlAddress?: MDL | null;
}
/** One member per minor function: QueryDirectory for IRP_MN_QUERY_DIRECTORY, NotifyDirectory for IRP_MN_NOTIFY_CHANGE_DIRECTORY. */
export interface DirectoryControlParameters {
  QueryDirectory?: QueryDirectoryParameters;
  NotifyDirectory?: NotifyDirectoryParameters;
}
/** FLT_PARAMETERS.LockControl (§21.10): no buffers; `Length` is the LARGE_INTEGER the IRP points to. */
export interface LockControlParameters {
  Length: number;
  Key: number;
  ByteOffset: number;
  /** The requesting process (PEPROCESS in the IRP; its PID here). */
  ProcessId: number;
  FailImmediately: boolean;
  ExclusiveLock: boolean;
}
export type EmptyParameters = Record<string, never>;
/**
 * IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION (§24.1): SyncType SyncTypeCreateSection when a section
 * is being created (PageProtection its PAGE_* protection), SyncTypeOther otherwise (PageProtection 0).
 * OutputInformation (FS_FILTER_SECTION_SYNC_OUTPUT, filled by the file system) is not modelled.
 */
export interface AcquireForSectionSynchronizationParameters {
  SyncType: number;
  PageProtection: number;
}
/** IRP_MJ_ACQUIRE_FOR_MOD_WRITE (§24.1): EndingOffset, the end of the range the paging write covers. ResourceToRelease is not modelled. */
export interface AcquireForModifiedPageWriterParameters {
  EndingOffset: number;
}

/** The union: exactly one member, named as in FLT_PARAMETERS. */
export type FltParameters =
  | { readonly Create: CreateParameters }
  | { readonly NetworkQueryOpen: NetworkQueryOpenParameters }
  | { readonly Read: ReadParameters }
  | { readonly Write: WriteParameters }
  | { readonly QueryFileInformation: QueryFileInformationParameters }
  | { readonly SetFileInformation: SetFileInformationParameters }
  | { readonly QueryVolumeInformation: QueryVolumeInformationParameters }
  | { readonly QuerySecurity: QuerySecurityParameters }
  | { readonly SetSecurity: SetSecurityParameters }
  | { readonly FileSystemControl: FileSystemControlParameters }
  | { readonly DeviceIoControl: DeviceIoControlParameters }
  | { readonly FlushBuffers: EmptyParameters }
  | { readonly DirectoryControl: DirectoryControlParameters }
  | { readonly LockControl: LockControlParameters }
  | { readonly Cleanup: EmptyParameters }
  | { readonly Close: EmptyParameters }
  | { readonly AcquireForSectionSynchronization: AcquireForSectionSynchronizationParameters }
  | { readonly AcquireForModifiedPageWriter: AcquireForModifiedPageWriterParameters }
  /** IRP_MJ_RELEASE_FOR_MOD_WRITE: ResourceToRelease (the file system's resource) is not modelled. */
  | { readonly ReleaseForModifiedPageWriter: EmptyParameters }
  /** FLT_PARAMETERS.Others: requests whose arguments no filter reads here (IRP_MJ_PNP's minor codes, IRP_MJ_SHUTDOWN; the release for section synchronization, the CC-flush pair). */
  | { readonly Others: EmptyParameters };

/** The member of a union value named `key`, or null when the value holds another member. */
export type FltParametersMember<K extends string> = FltParameters extends infer U
  ? U extends { readonly [P in K]: infer V }
    ? V
    : never
  : never;

export function parametersMember<K extends string>(parameters: FltParameters, key: K): FltParametersMember<K> | null {
  recordArgument('parametersMember', 'parameters', parameters);
  stringArgument('parametersMember', 'key', key);
  const record = parameters as unknown as Record<string, unknown>;
  const value = Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
  return (value ?? null) as never;
}

export function packCreateOptions(createDisposition: number, createOptions: number): number {
  ulongArgument('packCreateOptions', 'CreateDisposition', createDisposition);
  ulongArgument('packCreateOptions', 'CreateOptions', createOptions);
  return ((createDisposition & 0xff) * 0x1000000 + (createOptions & 0xffffff)) >>> 0;
}
export function unpackCreateOptions(options: number): { CreateDisposition: number; CreateOptions: number } {
  ulongArgument('unpackCreateOptions', 'Options', options);
  return { CreateDisposition: (options >>> 24) & 0xff, CreateOptions: options & 0xffffff };
}
