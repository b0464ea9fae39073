/** File objects, security and what the file system controls, values exact from wdm.h / winnt.h / ntifs.h: FO_* flags, SECURITY_INFORMATION, reparse tags, FSCTL/IOCTL codes, byte-offset specials, well-known SIDs. */

import { integerArgument, longArgument, recordArgument, stringArgument, ulongArgument } from '../kernel/arguments.js';

// ---- FILE_OBJECT.Flags (wdm.h) -----------------------------------------------------------------
export const FO_FILE_OPEN = 0x00000001;
export const FO_SYNCHRONOUS_IO = 0x00000002;
export const FO_ALERTABLE_IO = 0x00000004;
export const FO_NO_INTERMEDIATE_BUFFERING = 0x00000008;
export const FO_WRITE_THROUGH = 0x00000010;
export const FO_SEQUENTIAL_ONLY = 0x00000020;
export const FO_CACHE_SUPPORTED = 0x00000040;
export const FO_NAMED_PIPE = 0x00000080;
export const FO_STREAM_FILE = 0x00000100;
export const FO_MAILSLOT = 0x00000200;
export const FO_GENERATE_AUDIT_ON_CLOSE = 0x00000400;
export const FO_DIRECT_DEVICE_OPEN = 0x00000800;
export const FO_FILE_MODIFIED = 0x00001000;
export const FO_FILE_SIZE_CHANGED = 0x00002000;
export const FO_CLEANUP_COMPLETE = 0x00004000;
export const FO_TEMPORARY_FILE = 0x00008000;
export const FO_DELETE_ON_CLOSE = 0x00010000;
export const FO_OPENED_CASE_SENSITIVE = 0x00020000;
export const FO_HANDLE_CREATED = 0x00040000;
export const FO_FILE_FAST_IO_READ = 0x00080000;
export const FO_RANDOM_ACCESS = 0x00100000;
export const FO_FILE_OPEN_CANCELLED = 0x00200000;
export const FO_VOLUME_OPEN = 0x00400000;
export const FO_BYPASS_IO_ENABLED = 0x00800000;
export const FO_REMOTE_ORIGIN = 0x01000000;
export const FO_DISALLOW_EXCLUSIVE = 0x02000000;
export const FO_SKIP_SET_EVENT = 0x04000000;
export const FO_SKIP_SET_FAST_IO = 0x08000000;
export const FO_INDIRECT_WAIT_OBJECT = 0x10000000;
export const FO_SECTION_MINSTORE_TREATMENT = 0x20000000;
export const FO_FLAG_NAMES: Readonly<Record<number, string>> = {
  [FO_FILE_OPEN]: 'FO_FILE_OPEN',
  [FO_SYNCHRONOUS_IO]: 'FO_SYNCHRONOUS_IO',
  [FO_ALERTABLE_IO]: 'FO_ALERTABLE_IO',
  [FO_NO_INTERMEDIATE_BUFFERING]: 'FO_NO_INTERMEDIATE_BUFFERING',
  [FO_WRITE_THROUGH]: 'FO_WRITE_THROUGH',
  [FO_SEQUENTIAL_ONLY]: 'FO_SEQUENTIAL_ONLY',
  [FO_CACHE_SUPPORTED]: 'FO_CACHE_SUPPORTED',
  [FO_NAMED_PIPE]: 'FO_NAMED_PIPE',
  [FO_STREAM_FILE]: 'FO_STREAM_FILE',
  [FO_MAILSLOT]: 'FO_MAILSLOT',
  [FO_GENERATE_AUDIT_ON_CLOSE]: 'FO_GENERATE_AUDIT_ON_CLOSE',
  [FO_DIRECT_DEVICE_OPEN]: 'FO_DIRECT_DEVICE_OPEN',
  [FO_FILE_MODIFIED]: 'FO_FILE_MODIFIED',
  [FO_FILE_SIZE_CHANGED]: 'FO_FILE_SIZE_CHANGED',
  [FO_CLEANUP_COMPLETE]: 'FO_CLEANUP_COMPLETE',
  [FO_TEMPORARY_FILE]: 'FO_TEMPORARY_FILE',
  [FO_DELETE_ON_CLOSE]: 'FO_DELETE_ON_CLOSE',
  [FO_OPENED_CASE_SENSITIVE]: 'FO_OPENED_CASE_SENSITIVE',
  [FO_HANDLE_CREATED]: 'FO_HANDLE_CREATED',
  [FO_FILE_FAST_IO_READ]: 'FO_FILE_FAST_IO_READ',
  [FO_RANDOM_ACCESS]: 'FO_RANDOM_ACCESS',
  [FO_FILE_OPEN_CANCELLED]: 'FO_FILE_OPEN_CANCELLED',
  [FO_VOLUME_OPEN]: 'FO_VOLUME_OPEN',
  [FO_BYPASS_IO_ENABLED]: 'FO_BYPASS_IO_ENABLED',
  [FO_REMOTE_ORIGIN]: 'FO_REMOTE_ORIGIN',
  [FO_DISALLOW_EXCLUSIVE]: 'FO_DISALLOW_EXCLUSIVE',
  [FO_SKIP_SET_EVENT]: 'FO_SKIP_SET_EVENT',
  [FO_SKIP_SET_FAST_IO]: 'FO_SKIP_SET_FAST_IO',
  [FO_INDIRECT_WAIT_OBJECT]: 'FO_INDIRECT_WAIT_OBJECT',
  [FO_SECTION_MINSTORE_TREATMENT]: 'FO_SECTION_MINSTORE_TREATMENT',
};

// ---- SECURITY_INFORMATION (winnt.h) ----------------------------------------------------------------
export const OWNER_SECURITY_INFORMATION = 0x00000001;
export const GROUP_SECURITY_INFORMATION = 0x00000002;
export const DACL_SECURITY_INFORMATION = 0x00000004;
export const SACL_SECURITY_INFORMATION = 0x00000008;
export const LABEL_SECURITY_INFORMATION = 0x00000010;
export const ATTRIBUTE_SECURITY_INFORMATION = 0x00000020;
export const SCOPE_SECURITY_INFORMATION = 0x00000040;
export const PROCESS_TRUST_LABEL_SECURITY_INFORMATION = 0x00000080;
export const BACKUP_SECURITY_INFORMATION = 0x00010000;
export const UNPROTECTED_SACL_SECURITY_INFORMATION = 0x10000000;
export const UNPROTECTED_DACL_SECURITY_INFORMATION = 0x20000000;
export const PROTECTED_SACL_SECURITY_INFORMATION = 0x40000000;
export const PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;
export const SECURITY_INFORMATION_NAMES: Readonly<Record<number, string>> = {
  [OWNER_SECURITY_INFORMATION]: 'OWNER_SECURITY_INFORMATION',
  [GROUP_SECURITY_INFORMATION]: 'GROUP_SECURITY_INFORMATION',
  [DACL_SECURITY_INFORMATION]: 'DACL_SECURITY_INFORMATION',
  [SACL_SECURITY_INFORMATION]: 'SACL_SECURITY_INFORMATION',
  [LABEL_SECURITY_INFORMATION]: 'LABEL_SECURITY_INFORMATION',
  [ATTRIBUTE_SECURITY_INFORMATION]: 'ATTRIBUTE_SECURITY_INFORMATION',
  [SCOPE_SECURITY_INFORMATION]: 'SCOPE_SECURITY_INFORMATION',
  [PROCESS_TRUST_LABEL_SECURITY_INFORMATION]: 'PROCESS_TRUST_LABEL_SECURITY_INFORMATION',
  [BACKUP_SECURITY_INFORMATION]: 'BACKUP_SECURITY_INFORMATION',
  [UNPROTECTED_SACL_SECURITY_INFORMATION]: 'UNPROTECTED_SACL_SECURITY_INFORMATION',
  [UNPROTECTED_DACL_SECURITY_INFORMATION]: 'UNPROTECTED_DACL_SECURITY_INFORMATION',
  [PROTECTED_SACL_SECURITY_INFORMATION]: 'PROTECTED_SACL_SECURITY_INFORMATION',
  [PROTECTED_DACL_SECURITY_INFORMATION]: 'PROTECTED_DACL_SECURITY_INFORMATION',
};

// ---- Reparse points (ntifs.h) ----------------------------------------------------------------------
export const IO_REPARSE_TAG_RESERVED_ZERO = 0;
export const IO_REPARSE_TAG_RESERVED_ONE = 1;
export const IO_REPARSE_TAG_RESERVED_RANGE = IO_REPARSE_TAG_RESERVED_ONE;
/** Current ntifs.h value (bit 28 is the directory bit); older headers had 0xE000FFFF. */
export const IO_REPARSE_TAG_VALID_VALUES = 0xf000ffff;
/**
 * IoStatus.Information of a create completed with STATUS_REPARSE by a driver that replaced
 * FileObject->FileName itself (IoReplaceFileObjectName): the I/O manager reparses that name (ntifs.h).
 * Any other Information is the reparse tag of the point the file system met.
 */
export const IO_REPARSE = 0;
export const IO_REPARSE_TAG_MOUNT_POINT = 0xa0000003;
export const IO_REPARSE_TAG_HSM = 0xc0000004;
export const IO_REPARSE_TAG_HSM2 = 0x80000006;
export const IO_REPARSE_TAG_SIS = 0x80000007;
export const IO_REPARSE_TAG_WIM = 0x80000008;
export const IO_REPARSE_TAG_CSV = 0x80000009;
export const IO_REPARSE_TAG_DFS = 0x8000000a;
export const IO_REPARSE_TAG_SYMLINK = 0xa000000c;
export const IO_REPARSE_TAG_DFSR = 0x80000012;
export const IO_REPARSE_TAG_DEDUP = 0x80000013;
export const IO_REPARSE_TAG_NFS = 0x80000014;
export const IO_REPARSE_TAG_WOF = 0x80000017;
export const IO_REPARSE_TAG_CLOUD = 0x9000001a;
export const IO_REPARSE_TAG_APPEXECLINK = 0x8000001b;
export const IO_REPARSE_TAG_PROJFS = 0x9000001c;
export const IO_REPARSE_TAG_AF_UNIX = 0x80000023;
export const REPARSE_DATA_BUFFER_HEADER_SIZE = 8;
export const REPARSE_GUID_DATA_BUFFER_HEADER_SIZE = 24;
export const MAXIMUM_REPARSE_DATA_BUFFER_SIZE = 16 * 1024;
export const REPARSE_TAG_NAMES: Readonly<Record<number, string>> = {
  [IO_REPARSE_TAG_MOUNT_POINT]: 'IO_REPARSE_TAG_MOUNT_POINT',
  [IO_REPARSE_TAG_HSM]: 'IO_REPARSE_TAG_HSM',
  [IO_REPARSE_TAG_HSM2]: 'IO_REPARSE_TAG_HSM2',
  [IO_REPARSE_TAG_SIS]: 'IO_REPARSE_TAG_SIS',
  [IO_REPARSE_TAG_WIM]: 'IO_REPARSE_TAG_WIM',
  [IO_REPARSE_TAG_CSV]: 'IO_REPARSE_TAG_CSV',
  [IO_REPARSE_TAG_DFS]: 'IO_REPARSE_TAG_DFS',
  [IO_REPARSE_TAG_SYMLINK]: 'IO_REPARSE_TAG_SYMLINK',
  [IO_REPARSE_TAG_DFSR]: 'IO_REPARSE_TAG_DFSR',
  [IO_REPARSE_TAG_DEDUP]: 'IO_REPARSE_TAG_DEDUP',
  [IO_REPARSE_TAG_NFS]: 'IO_REPARSE_TAG_NFS',
  [IO_REPARSE_TAG_WOF]: 'IO_REPARSE_TAG_WOF',
  [IO_REPARSE_TAG_CLOUD]: 'IO_REPARSE_TAG_CLOUD',
  [IO_REPARSE_TAG_APPEXECLINK]: 'IO_REPARSE_TAG_APPEXECLINK',
  [IO_REPARSE_TAG_PROJFS]: 'IO_REPARSE_TAG_PROJFS',
  [IO_REPARSE_TAG_AF_UNIX]: 'IO_REPARSE_TAG_AF_UNIX',
};
/** ntifs.h macro: bit 31 marks a tag owned by Microsoft. */
export function IsReparseTagMicrosoft(tag: number): boolean {
  ulongArgument('IsReparseTagMicrosoft', '_tag', tag);
  return (tag & 0x80000000) !== 0;
}
export function IsReparseTagNameSurrogate(tag: number): boolean {
  ulongArgument('IsReparseTagNameSurrogate', '_tag', tag);
  return (tag & 0x20000000) !== 0;
}
export function IsReparseTagValid(tag: number): boolean {
  ulongArgument('IsReparseTagValid', '_tag', tag);
  return (tag & ~IO_REPARSE_TAG_VALID_VALUES) === 0 && tag >>> 0 > IO_REPARSE_TAG_RESERVED_RANGE;
}

// ---- FSCTL / IOCTL codes: CTL_CODE(DeviceType, Function, Method, Access) ------------------------
export function CTL_CODE(deviceType: number, func: number, method: number, access: number): number {
  integerArgument('CTL_CODE', 'DeviceType', deviceType, 0, 0xffff, 'a device type (0 to 0xFFFF)');
  integerArgument('CTL_CODE', 'Function', func, 0, 0xfff, 'a function code (0 to 0xFFF)');
  integerArgument('CTL_CODE', 'Method', method, 0, 3, 'a transfer method (0 to 3)');
  integerArgument('CTL_CODE', 'Access', access, 0, 3, 'an access (0 to 3)');
  return ((deviceType << 16) | (access << 14) | (func << 2) | method) >>> 0;
}
export const FILE_DEVICE_DISK = 0x00000007;
export const FILE_DEVICE_FILE_SYSTEM = 0x00000009;
export const FSCTL_REQUEST_OPLOCK_LEVEL_1 = 0x00090000;
export const FSCTL_REQUEST_OPLOCK_LEVEL_2 = 0x00090004;
export const FSCTL_REQUEST_BATCH_OPLOCK = 0x00090008;
export const FSCTL_OPLOCK_BREAK_ACKNOWLEDGE = 0x0009000c;
export const FSCTL_OPBATCH_ACK_CLOSE_PENDING = 0x00090010;
export const FSCTL_OPLOCK_BREAK_NOTIFY = 0x00090014;
export const FSCTL_LOCK_VOLUME = 0x00090018;
export const FSCTL_UNLOCK_VOLUME = 0x0009001c;
export const FSCTL_DISMOUNT_VOLUME = 0x00090020;
export const FSCTL_IS_VOLUME_MOUNTED = 0x00090028;
export const FSCTL_OPLOCK_BREAK_ACK_NO_2 = 0x00090050;
export const FSCTL_REQUEST_FILTER_OPLOCK = 0x0009005c;
export const FSCTL_SET_OBJECT_ID = 0x00090098;
export const FSCTL_GET_OBJECT_ID = 0x0009009c;
export const FSCTL_DELETE_OBJECT_ID = 0x000900a0;
export const FSCTL_SET_REPARSE_POINT = 0x000900a4;
export const FSCTL_GET_REPARSE_POINT = 0x000900a8;
export const FSCTL_DELETE_REPARSE_POINT = 0x000900ac;
export const FSCTL_CREATE_OR_GET_OBJECT_ID = 0x000900c0;
/** Offloaded data transfer, the write half (ODX, Windows 8): scanner refuses it on a handle it must rescan. */
export const FSCTL_OFFLOAD_WRITE = 0x00098268;
export const FSCTL_REQUEST_OPLOCK = 0x00090240;
/** CTL_CODE(IOCTL_DISK_BASE, 0x17, METHOD_BUFFERED, FILE_READ_ACCESS) */
export const IOCTL_DISK_GET_LENGTH_INFO = 0x0007405c;
export const FSCTL_NAMES: Readonly<Record<number, string>> = {
  [FSCTL_REQUEST_OPLOCK_LEVEL_1]: 'FSCTL_REQUEST_OPLOCK_LEVEL_1',
  [FSCTL_REQUEST_OPLOCK_LEVEL_2]: 'FSCTL_REQUEST_OPLOCK_LEVEL_2',
  [FSCTL_REQUEST_BATCH_OPLOCK]: 'FSCTL_REQUEST_BATCH_OPLOCK',
  [FSCTL_OPLOCK_BREAK_ACKNOWLEDGE]: 'FSCTL_OPLOCK_BREAK_ACKNOWLEDGE',
  [FSCTL_OPBATCH_ACK_CLOSE_PENDING]: 'FSCTL_OPBATCH_ACK_CLOSE_PENDING',
  [FSCTL_OPLOCK_BREAK_NOTIFY]: 'FSCTL_OPLOCK_BREAK_NOTIFY',
  [FSCTL_LOCK_VOLUME]: 'FSCTL_LOCK_VOLUME',
  [FSCTL_UNLOCK_VOLUME]: 'FSCTL_UNLOCK_VOLUME',
  [FSCTL_DISMOUNT_VOLUME]: 'FSCTL_DISMOUNT_VOLUME',
  [FSCTL_IS_VOLUME_MOUNTED]: 'FSCTL_IS_VOLUME_MOUNTED',
  [FSCTL_OPLOCK_BREAK_ACK_NO_2]: 'FSCTL_OPLOCK_BREAK_ACK_NO_2',
  [FSCTL_REQUEST_FILTER_OPLOCK]: 'FSCTL_REQUEST_FILTER_OPLOCK',
  [FSCTL_SET_OBJECT_ID]: 'FSCTL_SET_OBJECT_ID',
  [FSCTL_GET_OBJECT_ID]: 'FSCTL_GET_OBJECT_ID',
  [FSCTL_DELETE_OBJECT_ID]: 'FSCTL_DELETE_OBJECT_ID',
  [FSCTL_SET_REPARSE_POINT]: 'FSCTL_SET_REPARSE_POINT',
  [FSCTL_GET_REPARSE_POINT]: 'FSCTL_GET_REPARSE_POINT',
  [FSCTL_DELETE_REPARSE_POINT]: 'FSCTL_DELETE_REPARSE_POINT',
  [FSCTL_CREATE_OR_GET_OBJECT_ID]: 'FSCTL_CREATE_OR_GET_OBJECT_ID',
  [FSCTL_REQUEST_OPLOCK]: 'FSCTL_REQUEST_OPLOCK',
  [IOCTL_DISK_GET_LENGTH_INFO]: 'IOCTL_DISK_GET_LENGTH_INFO',
};

// ---- Read/Write ByteOffset special values --------------------------------------------------------
/** LowPart values (with HighPart = -1) from wdm.h. */
export const FILE_WRITE_TO_END_OF_FILE = 0xffffffff;
export const FILE_USE_FILE_POINTER_POSITION = 0xfffffffe;
/** The same two as the LARGE_INTEGER QuadPart the model carries in `ByteOffset`. */
export const BYTE_OFFSET_WRITE_TO_END_OF_FILE = -1;
export const BYTE_OFFSET_USE_FILE_POINTER_POSITION = -2;

// ---- FILE_DISPOSITION_INFORMATION_EX.Flags (ntddk.h) ----------------------------------------------
export const FILE_DISPOSITION_DO_NOT_DELETE = 0x0;
export const FILE_DISPOSITION_DELETE = 0x1;
export const FILE_DISPOSITION_POSIX_SEMANTICS = 0x2;
export const FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK = 0x4;
export const FILE_DISPOSITION_ON_CLOSE = 0x8;
export const FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE = 0x10;

// ---- FILE_FS_ATTRIBUTE_INFORMATION.FileSystemAttributes, FILE_FS_DEVICE_INFORMATION --------------
export const FILE_CASE_SENSITIVE_SEARCH = 0x00000001;
export const FILE_CASE_PRESERVED_NAMES = 0x00000002;
export const FILE_UNICODE_ON_DISK = 0x00000004;
export const FILE_PERSISTENT_ACLS = 0x00000008;
export const FILE_FILE_COMPRESSION = 0x00000010;
export const FILE_VOLUME_QUOTAS = 0x00000020;
export const FILE_SUPPORTS_SPARSE_FILES = 0x00000040;
export const FILE_SUPPORTS_REPARSE_POINTS = 0x00000080;
export const FILE_SUPPORTS_POSIX_UNLINK_RENAME = 0x00000400;
export const FILE_SUPPORTS_OBJECT_IDS = 0x00010000;
export const FILE_NAMED_STREAMS = 0x00040000;
export const FILE_READ_ONLY_VOLUME = 0x00080000;
export const FILE_SUPPORTS_HARD_LINKS = 0x00400000;
export const FILE_SUPPORTS_OPEN_BY_FILE_ID = 0x01000000;
export const FILE_READ_ONLY_DEVICE = 0x00000002;
export const FILE_DEVICE_IS_MOUNTED = 0x00000020;

// ---- Well-known SIDs used by the model --------------------------------------------------------------
export const SID_EVERYONE = 'S-1-1-0';
export const SID_LOCAL_SYSTEM = 'S-1-5-18';
export const SID_AUTHENTICATED_USERS = 'S-1-5-11';
export const SID_ANONYMOUS = 'S-1-5-7';
export const SID_BUILTIN_ADMINISTRATORS = 'S-1-5-32-544';
export const SID_BUILTIN_USERS = 'S-1-5-32-545';

/** `FILE_READ_DATA|SYNCHRONIZE|0x40000000`-style rendering of a flag word against a name table. */
/** Names of the set bits of `value`, from a table keyed by bit value (`FO_FLAG_NAMES`, …). */
export function bitNames(value: number, names: Readonly<Record<number, string>>): string {
  longArgument('bitNames', 'value', value);
  for (const [bit, name] of Object.entries(recordArgument<Record<string, unknown>>('bitNames', 'names', names))) stringArgument('bitNames', `names[${bit}]`, name);
  let rest = value >>> 0;
  const parts: string[] = [];
  const bits = Object.keys(names)
    .map(Number)
    .filter((bit) => bit !== 0 && (bit & (bit - 1)) === 0)
    .sort((a, b) => a - b);
  for (const bit of bits) {
    if ((rest & bit) >>> 0 === bit) {
      parts.push(names[bit] ?? '');
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) parts.push('0x' + rest.toString(16).toUpperCase());
  return parts.length === 0 ? '0' : parts.join('|');
}
