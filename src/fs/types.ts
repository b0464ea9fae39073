/**
 * The file system's public request/completion shapes: the only contract between the I/O path and
 * the in-memory file system at the bottom of every stack.
 */
import type {
  DirectoryEntry,
  FILE_OBJECTID_BUFFER,
  FileInformation,
  FltParameters,
  GET_LENGTH_INFORMATION,
  Guid,
  REPARSE_DATA_BUFFER,
  SecurityDescriptor,
  VolumeInformation,
} from '../wdk/parameters.js';
import type { Kernel } from '../kernel/kernel.js';
import type { FILE_NOTIFY_INFORMATION } from '../wdk/directoryNotify.js';

export interface FsVolumeOptions {
  volumeName: string;
  fsType: 'NTFS' | 'FAT';
  sectorSize: number;
  readOnly?: boolean;
  /** FileFsAttributeInformation's FileSystemName when it is not `fsType` (a ReFS volume runs on the NTFS model). */
  fileSystemName?: string;
  label?: string;
  serialNumber?: number;
  /** Volume capacity; default 64 MiB. */
  totalBytes?: number;
  /** Bytes per cluster; default max(4096, sectorSize). Must be a multiple of sectorSize. */
  clusterSize?: number;
  /** Descriptor of the root directory (NTFS only); default: SYSTEM and Administrators full
   * control, Authenticated Users modify. */
  rootSecurity?: SecurityDescriptor;
  /** The SIDs a requestor's token holds besides its own; default: Everyone, Authenticated Users,
   * and Administrators for SYSTEM. */
  tokenGroups?: (requestorSid: string) => readonly string[];
  /** Generate 8.3 aliases for long names (§21.6); default false, as on volumes with 8.3 generation off. */
  shortNames?: boolean;
  /**
   * Which creates break a Filter oplock (§21.8; `semantics.filterOplockCreateBreak`): absent, one
   * asking a writable access or not sharing read; 'writableAndNoShareRead', only one that does both.
   */
  filterOplockCreateBreak?: 'writableAndNoShareRead';
  /** Virtual clock; timestamps come from here and nowhere else. */
  now: () => number;
  /** @internal The simulation's kernel: facts about the objects the file system keeps for waiting requests (src/fs/kernelLink.ts). */
  kernel?: Kernel;
}

/** The parts of a FILE_OBJECT the FS reads. The I/O path owns the object; the FS never keeps it. */
export interface FsFileObjectRef {
  id: string;
  fileName: string;
  relatedFileObjectId: string | null;
  flags: number;
  currentByteOffset: number;
  /**
   * The file object ignores sharing (IoSetFileObjectIgnoreSharing; FltCreateFile with
   * IO_IGNORE_SHARE_ACCESS_CHECK): the FS neither checks nor records its share access.
   */
  ignoreSharing?: boolean;
}

export interface FsRequest {
  MajorFunction: number;
  MinorFunction: number;
  IrpFlags: number;
  OperationFlags: number;
  FileObject: FsFileObjectRef;
  /** The FLT_PARAMETERS member for MajorFunction. */
  Parameters: FltParameters;
  RequestorMode: 'KernelMode' | 'UserMode';
  /** Whose token access checks use. */
  requestorSid: string;
  /** The operation (D…): what a parked request is released by. Absent for FltMgr's own queries, which never wait. */
  operation?: string;
  /**
   * The issuer waits for the request (sim.io's Nt* calls, FltFsControlFile): a file system never
   * grants such a request an oplock (§21.8: "oplocks are never granted for synchronous I/O").
   * Absent counts as true.
   */
  synchronousApi?: boolean;
  /** Sent to the fast I/O routine (§24.2), which cannot wait: an oplock break that would make it wait declines it instead. */
  fastIo?: boolean;
  /** The requesting process's PID (IoGetRequestorProcess): part of a byte-range lock's owner (§21.10). */
  processId?: number;
  /** The bytes a write takes, as the I/O path resolved them (MdlAddress's, else WriteBuffer); overrides Parameters.Write.WriteBuffer. */
  buffer?: Uint8Array;
}

/** Reparse data handed back with STATUS_REPARSE (FLT_CALLBACK_DATA.TagData). */
export interface FsTagData {
  ReparseTag: number;
  ReparseGuid: Guid | null;
  data: Uint8Array;
  /** REPARSE_DATA_BUFFER.Reserved on a reparse return: bytes of the name left unparsed. */
  UnparsedNameLength: number;
}

export type FsOutput =
  | { readonly kind: 'data'; readonly data: Uint8Array }
  | { readonly kind: 'fileInformation'; readonly FileInformationClass: number; readonly info: FileInformation }
  | { readonly kind: 'volumeInformation'; readonly FsInformationClass: number; readonly info: VolumeInformation }
  | { readonly kind: 'securityDescriptor'; readonly descriptor: SecurityDescriptor }
  | { readonly kind: 'directory'; readonly FileInformationClass: number; readonly entries: readonly DirectoryEntry[] }
  | { readonly kind: 'reparse'; readonly buffer: REPARSE_DATA_BUFFER }
  | { readonly kind: 'objectId'; readonly buffer: FILE_OBJECTID_BUFFER }
  | { readonly kind: 'lengthInfo'; readonly info: GET_LENGTH_INFORMATION }
  | { readonly kind: 'notify'; readonly changes: readonly FILE_NOTIFY_INFORMATION[] };

export interface FsCompletion {
  Status: number;
  Information: number;
  /** The file system keeps the request (Status is STATUS_PENDING) until it lets it go (src/fs/kernelLink.ts) or it is cancelled. */
  parked?: true;
  output?: FsOutput;
  /** New FILE_OBJECT.CurrentByteOffset, when the FS moved it. */
  currentByteOffset?: number;
  /** The complete new FILE_OBJECT.Flags value, when the FS changed them. */
  fileObjectFlags?: number;
  tagData?: FsTagData;
  /**
   * CLOSE of the last file object of a file: the FS frees its stream control block and calls
   * FsRtlTeardownPerStreamContexts (and, for the file, FsRtlTeardownPerFileContexts) with this file id.
   */
  streamTornDown?: number;
}

export function complete(Status: number, Information = 0): FsCompletion {
  return { Status, Information };
}
