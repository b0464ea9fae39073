/**
 * File-system constants, values exact from wdm.h / ntifs.h / winnt.h / winioctl.h (checked against
 * WDK headers in public repositories). Each group has a name table so a trace can print
 * `FILE_OPEN_IF` instead of `3`. Flag groups print as `A|B|0x40` via `bitNames`.
 */

// ---- Access mask (winnt.h / wdm.h) --------------------------------------------------------------
export const FILE_READ_DATA = 0x0001;
export const FILE_LIST_DIRECTORY = 0x0001;
export const FILE_WRITE_DATA = 0x0002;
export const FILE_ADD_FILE = 0x0002;
export const FILE_APPEND_DATA = 0x0004;
export const FILE_ADD_SUBDIRECTORY = 0x0004;
export const FILE_READ_EA = 0x0008;
export const FILE_WRITE_EA = 0x0010;
export const FILE_EXECUTE = 0x0020;
export const FILE_TRAVERSE = 0x0020;
export const FILE_DELETE_CHILD = 0x0040;
export const FILE_READ_ATTRIBUTES = 0x0080;
export const FILE_WRITE_ATTRIBUTES = 0x0100;
export const DELETE = 0x00010000;
export const READ_CONTROL = 0x00020000;
export const WRITE_DAC = 0x00040000;
export const WRITE_OWNER = 0x00080000;
export const SYNCHRONIZE = 0x00100000;
export const STANDARD_RIGHTS_REQUIRED = 0x000f0000;
export const STANDARD_RIGHTS_READ = READ_CONTROL;
export const STANDARD_RIGHTS_WRITE = READ_CONTROL;
export const STANDARD_RIGHTS_EXECUTE = READ_CONTROL;
export const STANDARD_RIGHTS_ALL = 0x001f0000;
export const SPECIFIC_RIGHTS_ALL = 0x0000ffff;
export const ACCESS_SYSTEM_SECURITY = 0x01000000;
export const MAXIMUM_ALLOWED = 0x02000000;
export const GENERIC_ALL = 0x10000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_READ = 0x80000000;
/** STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE */
export const FILE_GENERIC_READ = 0x00120089;
/** STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | FILE_APPEND_DATA | SYNCHRONIZE */
export const FILE_GENERIC_WRITE = 0x00120116;
/** STANDARD_RIGHTS_EXECUTE | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE */
export const FILE_GENERIC_EXECUTE = 0x001200a0;
/** STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF */
export const FILE_ALL_ACCESS = 0x001f01ff;

export const ACCESS_MASK_NAMES: Readonly<Record<number, string>> = {
  [FILE_READ_DATA]: 'FILE_READ_DATA',
  [FILE_WRITE_DATA]: 'FILE_WRITE_DATA',
  [FILE_APPEND_DATA]: 'FILE_APPEND_DATA',
  [FILE_READ_EA]: 'FILE_READ_EA',
  [FILE_WRITE_EA]: 'FILE_WRITE_EA',
  [FILE_EXECUTE]: 'FILE_EXECUTE',
  [FILE_DELETE_CHILD]: 'FILE_DELETE_CHILD',
  [FILE_READ_ATTRIBUTES]: 'FILE_READ_ATTRIBUTES',
  [FILE_WRITE_ATTRIBUTES]: 'FILE_WRITE_ATTRIBUTES',
  [DELETE]: 'DELETE',
  [READ_CONTROL]: 'READ_CONTROL',
  [WRITE_DAC]: 'WRITE_DAC',
  [WRITE_OWNER]: 'WRITE_OWNER',
  [SYNCHRONIZE]: 'SYNCHRONIZE',
  [ACCESS_SYSTEM_SECURITY]: 'ACCESS_SYSTEM_SECURITY',
  [MAXIMUM_ALLOWED]: 'MAXIMUM_ALLOWED',
  [GENERIC_ALL]: 'GENERIC_ALL',
  [GENERIC_EXECUTE]: 'GENERIC_EXECUTE',
  [GENERIC_WRITE]: 'GENERIC_WRITE',
  [GENERIC_READ]: 'GENERIC_READ',
};

// ---- Share access ---------------------------------------------------------------------------------
export const FILE_SHARE_READ = 0x1;
export const FILE_SHARE_WRITE = 0x2;
export const FILE_SHARE_DELETE = 0x4;
export const FILE_SHARE_VALID_FLAGS = 0x7;
export const SHARE_ACCESS_NAMES: Readonly<Record<number, string>> = {
  [FILE_SHARE_READ]: 'FILE_SHARE_READ',
  [FILE_SHARE_WRITE]: 'FILE_SHARE_WRITE',
  [FILE_SHARE_DELETE]: 'FILE_SHARE_DELETE',
};

// ---- Create disposition (Options >> 24) and create result (IoStatus.Information) -------------
export const FILE_SUPERSEDE = 0;
export const FILE_OPEN = 1;
export const FILE_CREATE = 2;
export const FILE_OPEN_IF = 3;
export const FILE_OVERWRITE = 4;
export const FILE_OVERWRITE_IF = 5;
export const FILE_MAXIMUM_DISPOSITION = 5;
export const CREATE_DISPOSITION_NAMES: Readonly<Record<number, string>> = {
  [FILE_SUPERSEDE]: 'FILE_SUPERSEDE',
  [FILE_OPEN]: 'FILE_OPEN',
  [FILE_CREATE]: 'FILE_CREATE',
  [FILE_OPEN_IF]: 'FILE_OPEN_IF',
  [FILE_OVERWRITE]: 'FILE_OVERWRITE',
  [FILE_OVERWRITE_IF]: 'FILE_OVERWRITE_IF',
};

export const FILE_SUPERSEDED = 0;
export const FILE_OPENED = 1;
export const FILE_CREATED = 2;
export const FILE_OVERWRITTEN = 3;
export const FILE_EXISTS = 4;
export const FILE_DOES_NOT_EXIST = 5;
export const CREATE_RESULT_NAMES: Readonly<Record<number, string>> = {
  [FILE_SUPERSEDED]: 'FILE_SUPERSEDED',
  [FILE_OPENED]: 'FILE_OPENED',
  [FILE_CREATED]: 'FILE_CREATED',
  [FILE_OVERWRITTEN]: 'FILE_OVERWRITTEN',
  [FILE_EXISTS]: 'FILE_EXISTS',
  [FILE_DOES_NOT_EXIST]: 'FILE_DOES_NOT_EXIST',
};

// ---- Create options (low 24 bits of Create.Options) ----------------------------------------------
export const FILE_DIRECTORY_FILE = 0x00000001;
export const FILE_WRITE_THROUGH = 0x00000002;
export const FILE_SEQUENTIAL_ONLY = 0x00000004;
export const FILE_NO_INTERMEDIATE_BUFFERING = 0x00000008;
export const FILE_SYNCHRONOUS_IO_ALERT = 0x00000010;
export const FILE_SYNCHRONOUS_IO_NONALERT = 0x00000020;
export const FILE_NON_DIRECTORY_FILE = 0x00000040;
export const FILE_CREATE_TREE_CONNECTION = 0x00000080;
export const FILE_COMPLETE_IF_OPLOCKED = 0x00000100;
export const FILE_NO_EA_KNOWLEDGE = 0x00000200;
export const FILE_OPEN_REMOTE_INSTANCE = 0x00000400;
export const FILE_RANDOM_ACCESS = 0x00000800;
export const FILE_DELETE_ON_CLOSE = 0x00001000;
export const FILE_OPEN_BY_FILE_ID = 0x00002000;
export const FILE_OPEN_FOR_BACKUP_INTENT = 0x00004000;
export const FILE_NO_COMPRESSION = 0x00008000;
export const FILE_OPEN_REQUIRING_OPLOCK = 0x00010000;
export const FILE_DISALLOW_EXCLUSIVE = 0x00020000;
export const FILE_SESSION_AWARE = 0x00040000;
export const FILE_RESERVE_OPFILTER = 0x00100000;
export const FILE_OPEN_REPARSE_POINT = 0x00200000;
export const FILE_OPEN_NO_RECALL = 0x00400000;
export const FILE_OPEN_FOR_FREE_SPACE_QUERY = 0x00800000;
export const FILE_VALID_OPTION_FLAGS = 0x00ffffff;
export const CREATE_OPTION_NAMES: Readonly<Record<number, string>> = {
  [FILE_DIRECTORY_FILE]: 'FILE_DIRECTORY_FILE',
  [FILE_WRITE_THROUGH]: 'FILE_WRITE_THROUGH',
  [FILE_SEQUENTIAL_ONLY]: 'FILE_SEQUENTIAL_ONLY',
  [FILE_NO_INTERMEDIATE_BUFFERING]: 'FILE_NO_INTERMEDIATE_BUFFERING',
  [FILE_SYNCHRONOUS_IO_ALERT]: 'FILE_SYNCHRONOUS_IO_ALERT',
  [FILE_SYNCHRONOUS_IO_NONALERT]: 'FILE_SYNCHRONOUS_IO_NONALERT',
  [FILE_NON_DIRECTORY_FILE]: 'FILE_NON_DIRECTORY_FILE',
  [FILE_CREATE_TREE_CONNECTION]: 'FILE_CREATE_TREE_CONNECTION',
  [FILE_COMPLETE_IF_OPLOCKED]: 'FILE_COMPLETE_IF_OPLOCKED',
  [FILE_NO_EA_KNOWLEDGE]: 'FILE_NO_EA_KNOWLEDGE',
  [FILE_OPEN_REMOTE_INSTANCE]: 'FILE_OPEN_REMOTE_INSTANCE',
  [FILE_RANDOM_ACCESS]: 'FILE_RANDOM_ACCESS',
  [FILE_DELETE_ON_CLOSE]: 'FILE_DELETE_ON_CLOSE',
  [FILE_OPEN_BY_FILE_ID]: 'FILE_OPEN_BY_FILE_ID',
  [FILE_OPEN_FOR_BACKUP_INTENT]: 'FILE_OPEN_FOR_BACKUP_INTENT',
  [FILE_NO_COMPRESSION]: 'FILE_NO_COMPRESSION',
  [FILE_OPEN_REQUIRING_OPLOCK]: 'FILE_OPEN_REQUIRING_OPLOCK',
  [FILE_DISALLOW_EXCLUSIVE]: 'FILE_DISALLOW_EXCLUSIVE',
  [FILE_SESSION_AWARE]: 'FILE_SESSION_AWARE',
  [FILE_RESERVE_OPFILTER]: 'FILE_RESERVE_OPFILTER',
  [FILE_OPEN_REPARSE_POINT]: 'FILE_OPEN_REPARSE_POINT',
  [FILE_OPEN_NO_RECALL]: 'FILE_OPEN_NO_RECALL',
  [FILE_OPEN_FOR_FREE_SPACE_QUERY]: 'FILE_OPEN_FOR_FREE_SPACE_QUERY',
};

// ---- File attributes (winnt.h) ---------------------------------------------------------------------
export const FILE_ATTRIBUTE_READONLY = 0x00000001;
export const FILE_ATTRIBUTE_HIDDEN = 0x00000002;
export const FILE_ATTRIBUTE_SYSTEM = 0x00000004;
export const FILE_ATTRIBUTE_DIRECTORY = 0x00000010;
export const FILE_ATTRIBUTE_ARCHIVE = 0x00000020;
export const FILE_ATTRIBUTE_DEVICE = 0x00000040;
export const FILE_ATTRIBUTE_NORMAL = 0x00000080;
export const FILE_ATTRIBUTE_TEMPORARY = 0x00000100;
export const FILE_ATTRIBUTE_SPARSE_FILE = 0x00000200;
export const FILE_ATTRIBUTE_REPARSE_POINT = 0x00000400;
export const FILE_ATTRIBUTE_COMPRESSED = 0x00000800;
export const FILE_ATTRIBUTE_OFFLINE = 0x00001000;
export const FILE_ATTRIBUTE_NOT_CONTENT_INDEXED = 0x00002000;
export const FILE_ATTRIBUTE_ENCRYPTED = 0x00004000;
export const FILE_ATTRIBUTE_INTEGRITY_STREAM = 0x00008000;
export const FILE_ATTRIBUTE_VIRTUAL = 0x00010000;
export const FILE_ATTRIBUTE_NO_SCRUB_DATA = 0x00020000;
export const FILE_ATTRIBUTE_RECALL_ON_OPEN = 0x00040000;
export const FILE_ATTRIBUTE_PINNED = 0x00080000;
export const FILE_ATTRIBUTE_UNPINNED = 0x00100000;
export const FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS = 0x00400000;
export const FILE_ATTRIBUTE_VALID_FLAGS = 0x00007fb7;
export const FILE_ATTRIBUTE_VALID_SET_FLAGS = 0x000031a7;
export const FILE_ATTRIBUTE_NAMES: Readonly<Record<number, string>> = {
  [FILE_ATTRIBUTE_READONLY]: 'FILE_ATTRIBUTE_READONLY',
  [FILE_ATTRIBUTE_HIDDEN]: 'FILE_ATTRIBUTE_HIDDEN',
  [FILE_ATTRIBUTE_SYSTEM]: 'FILE_ATTRIBUTE_SYSTEM',
  [FILE_ATTRIBUTE_DIRECTORY]: 'FILE_ATTRIBUTE_DIRECTORY',
  [FILE_ATTRIBUTE_ARCHIVE]: 'FILE_ATTRIBUTE_ARCHIVE',
  [FILE_ATTRIBUTE_DEVICE]: 'FILE_ATTRIBUTE_DEVICE',
  [FILE_ATTRIBUTE_NORMAL]: 'FILE_ATTRIBUTE_NORMAL',
  [FILE_ATTRIBUTE_TEMPORARY]: 'FILE_ATTRIBUTE_TEMPORARY',
  [FILE_ATTRIBUTE_SPARSE_FILE]: 'FILE_ATTRIBUTE_SPARSE_FILE',
  [FILE_ATTRIBUTE_REPARSE_POINT]: 'FILE_ATTRIBUTE_REPARSE_POINT',
  [FILE_ATTRIBUTE_COMPRESSED]: 'FILE_ATTRIBUTE_COMPRESSED',
  [FILE_ATTRIBUTE_OFFLINE]: 'FILE_ATTRIBUTE_OFFLINE',
  [FILE_ATTRIBUTE_NOT_CONTENT_INDEXED]: 'FILE_ATTRIBUTE_NOT_CONTENT_INDEXED',
  [FILE_ATTRIBUTE_ENCRYPTED]: 'FILE_ATTRIBUTE_ENCRYPTED',
  [FILE_ATTRIBUTE_INTEGRITY_STREAM]: 'FILE_ATTRIBUTE_INTEGRITY_STREAM',
  [FILE_ATTRIBUTE_VIRTUAL]: 'FILE_ATTRIBUTE_VIRTUAL',
  [FILE_ATTRIBUTE_NO_SCRUB_DATA]: 'FILE_ATTRIBUTE_NO_SCRUB_DATA',
  [FILE_ATTRIBUTE_RECALL_ON_OPEN]: 'FILE_ATTRIBUTE_RECALL_ON_OPEN',
  [FILE_ATTRIBUTE_PINNED]: 'FILE_ATTRIBUTE_PINNED',
  [FILE_ATTRIBUTE_UNPINNED]: 'FILE_ATTRIBUTE_UNPINNED',
  [FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS]: 'FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS',
};

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
  return (tag & 0x80000000) !== 0;
}
export function IsReparseTagNameSurrogate(tag: number): boolean {
  return (tag & 0x20000000) !== 0;
}
export function IsReparseTagValid(tag: number): boolean {
  return (tag & ~IO_REPARSE_TAG_VALID_VALUES) === 0 && tag >>> 0 > IO_REPARSE_TAG_RESERVED_RANGE;
}

// ---- FSCTL / IOCTL codes: CTL_CODE(DeviceType, Function, Method, Access) ------------------------
export function CTL_CODE(deviceType: number, func: number, method: number, access: number): number {
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

// ---- FILE_INFORMATION_CLASS / FS_INFORMATION_CLASS (wdm.h / ntifs.h), as enum-like objects ------
/** Values exact; use as `FILE_INFORMATION_CLASS.FileBasicInformation`. */
export const FILE_INFORMATION_CLASS = {
  FileDirectoryInformation: 1,
  FileFullDirectoryInformation: 2,
  FileBothDirectoryInformation: 3,
  FileBasicInformation: 4,
  FileStandardInformation: 5,
  FileInternalInformation: 6,
  FileEaInformation: 7,
  FileAccessInformation: 8,
  FileNameInformation: 9,
  FileRenameInformation: 10,
  FileLinkInformation: 11,
  FileNamesInformation: 12,
  FileDispositionInformation: 13,
  FilePositionInformation: 14,
  FileFullEaInformation: 15,
  FileModeInformation: 16,
  FileAlignmentInformation: 17,
  FileAllInformation: 18,
  FileAllocationInformation: 19,
  FileEndOfFileInformation: 20,
  FileAlternateNameInformation: 21,
  FileStreamInformation: 22,
  FilePipeInformation: 23,
  FilePipeLocalInformation: 24,
  FilePipeRemoteInformation: 25,
  FileMailslotQueryInformation: 26,
  FileMailslotSetInformation: 27,
  FileCompressionInformation: 28,
  FileObjectIdInformation: 29,
  FileCompletionInformation: 30,
  FileMoveClusterInformation: 31,
  FileQuotaInformation: 32,
  FileReparsePointInformation: 33,
  FileNetworkOpenInformation: 34,
  FileAttributeTagInformation: 35,
  FileTrackingInformation: 36,
  FileIdBothDirectoryInformation: 37,
  FileIdFullDirectoryInformation: 38,
  FileValidDataLengthInformation: 39,
  FileShortNameInformation: 40,
  FileIoCompletionNotificationInformation: 41,
  FileIoStatusBlockRangeInformation: 42,
  FileIoPriorityHintInformation: 43,
  FileSfioReserveInformation: 44,
  FileSfioVolumeInformation: 45,
  FileHardLinkInformation: 46,
  FileProcessIdsUsingFileInformation: 47,
  FileNormalizedNameInformation: 48,
  FileNetworkPhysicalNameInformation: 49,
  FileIdGlobalTxDirectoryInformation: 50,
  FileIsRemoteDeviceInformation: 51,
  FileUnusedInformation: 52,
  FileNumaNodeInformation: 53,
  FileStandardLinkInformation: 54,
  FileRemoteProtocolInformation: 55,
  FileRenameInformationBypassAccessCheck: 56,
  FileLinkInformationBypassAccessCheck: 57,
  FileVolumeNameInformation: 58,
  FileIdInformation: 59,
  FileIdExtdDirectoryInformation: 60,
  FileReplaceCompletionInformation: 61,
  FileHardLinkFullIdInformation: 62,
  FileIdExtdBothDirectoryInformation: 63,
  FileDispositionInformationEx: 64,
  FileRenameInformationEx: 65,
  FileRenameInformationExBypassAccessCheck: 66,
  FileDesiredStorageClassInformation: 67,
  FileStatInformation: 68,
  FileMemoryPartitionInformation: 69,
  FileStatLxInformation: 70,
  FileCaseSensitiveInformation: 71,
  FileLinkInformationEx: 72,
  FileLinkInformationExBypassAccessCheck: 73,
  FileStorageReserveIdInformation: 74,
  FileCaseSensitiveInformationForceAccessCheck: 75,
  FileKnownFolderInformation: 76,
  FileStatBasicInformation: 77,
  FileId64ExtdDirectoryInformation: 78,
  FileId64ExtdBothDirectoryInformation: 79,
  FileIdAllExtdDirectoryInformation: 80,
  FileIdAllExtdBothDirectoryInformation: 81,
  FileStreamReservationInformation: 82,
  FileMupProviderInfo: 83,
  FileMaximumInformation: 84,
} as const;

export const FS_INFORMATION_CLASS = {
  FileFsVolumeInformation: 1,
  FileFsLabelInformation: 2,
  FileFsSizeInformation: 3,
  FileFsDeviceInformation: 4,
  FileFsAttributeInformation: 5,
  FileFsControlInformation: 6,
  FileFsFullSizeInformation: 7,
  FileFsObjectIdInformation: 8,
  FileFsDriverPathInformation: 9,
  FileFsVolumeFlagsInformation: 10,
  FileFsSectorSizeInformation: 11,
  FileFsDataCopyInformation: 12,
  FileFsMetadataSizeInformation: 13,
  FileFsFullSizeInformationEx: 14,
  FileFsGuidInformation: 15,
  FileFsMaximumInformation: 16,
} as const;

function invert(table: Readonly<Record<string, number>>): Readonly<Record<number, string>> {
  return Object.fromEntries(Object.entries(table).map(([name, value]) => [value, name]));
}
export const FILE_INFORMATION_CLASS_NAMES = invert(FILE_INFORMATION_CLASS);
export const FS_INFORMATION_CLASS_NAMES = invert(FS_INFORMATION_CLASS);
