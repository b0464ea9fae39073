/**
 * IRP major function codes and related constants, values exact from wdm.h / fltKernel.h.
 * The negative FltMgr-only codes are stored as the (UCHAR) values the header casts them to.
 */
import { integerArgument } from '../kernel/arguments.js';

export const IRP_MJ_CREATE = 0x00;
export const IRP_MJ_CREATE_NAMED_PIPE = 0x01;
export const IRP_MJ_CLOSE = 0x02;
export const IRP_MJ_READ = 0x03;
export const IRP_MJ_WRITE = 0x04;
export const IRP_MJ_QUERY_INFORMATION = 0x05;
export const IRP_MJ_SET_INFORMATION = 0x06;
export const IRP_MJ_QUERY_EA = 0x07;
export const IRP_MJ_SET_EA = 0x08;
export const IRP_MJ_FLUSH_BUFFERS = 0x09;
export const IRP_MJ_QUERY_VOLUME_INFORMATION = 0x0a;
export const IRP_MJ_SET_VOLUME_INFORMATION = 0x0b;
export const IRP_MJ_DIRECTORY_CONTROL = 0x0c;
export const IRP_MJ_FILE_SYSTEM_CONTROL = 0x0d;
export const IRP_MJ_DEVICE_CONTROL = 0x0e;
export const IRP_MJ_INTERNAL_DEVICE_CONTROL = 0x0f;
export const IRP_MJ_SHUTDOWN = 0x10;
export const IRP_MJ_LOCK_CONTROL = 0x11;
export const IRP_MJ_CLEANUP = 0x12;
export const IRP_MJ_CREATE_MAILSLOT = 0x13;
export const IRP_MJ_QUERY_SECURITY = 0x14;
export const IRP_MJ_SET_SECURITY = 0x15;
export const IRP_MJ_POWER = 0x16;
export const IRP_MJ_SYSTEM_CONTROL = 0x17;
export const IRP_MJ_DEVICE_CHANGE = 0x18;
export const IRP_MJ_QUERY_QUOTA = 0x19;
export const IRP_MJ_SET_QUOTA = 0x1a;
export const IRP_MJ_PNP = 0x1b;
// FltMgr's pseudo-major functions for fast I/O and FsFilter callbacks, (UCHAR)-1 … (UCHAR)-20.
// The FsFilter callback operations (§24.1) are issued by the model's memory manager and cache
// flushes only (src/io/fsFilterOperations.ts): the section-synchronization pair around every section
// creation, the mod-write pair around each paging write of the modified page writer, the CC-flush
// pair around the paging writes of a view flush. IRP_MJ_QUERY_OPEN and the MDL majors are not issued.
export const IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION = 0xff;
export const IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION = 0xfe;
export const IRP_MJ_ACQUIRE_FOR_MOD_WRITE = 0xfd;
export const IRP_MJ_RELEASE_FOR_MOD_WRITE = 0xfc;
export const IRP_MJ_ACQUIRE_FOR_CC_FLUSH = 0xfb;
export const IRP_MJ_RELEASE_FOR_CC_FLUSH = 0xfa;
export const IRP_MJ_QUERY_OPEN = 0xf9;
export const IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE = 0xf3;
export const IRP_MJ_NETWORK_QUERY_OPEN = 0xf2;
export const IRP_MJ_MDL_READ = 0xf1;
export const IRP_MJ_MDL_READ_COMPLETE = 0xf0;
export const IRP_MJ_PREPARE_MDL_WRITE = 0xef;
export const IRP_MJ_MDL_WRITE_COMPLETE = 0xee;
/** (UCHAR)-19 */
export const IRP_MJ_VOLUME_MOUNT = 0xed;
/** (UCHAR)-20 */
export const IRP_MJ_VOLUME_DISMOUNT = 0xec;
/** Ends an FLT_OPERATION_REGISTRATION table. */
export const IRP_MJ_OPERATION_END = 0x80;

export const IRP_MJ_NAMES: Readonly<Record<number, string>> = {
  [IRP_MJ_CREATE]: 'IRP_MJ_CREATE',
  [IRP_MJ_CREATE_NAMED_PIPE]: 'IRP_MJ_CREATE_NAMED_PIPE',
  [IRP_MJ_CLOSE]: 'IRP_MJ_CLOSE',
  [IRP_MJ_READ]: 'IRP_MJ_READ',
  [IRP_MJ_WRITE]: 'IRP_MJ_WRITE',
  [IRP_MJ_QUERY_INFORMATION]: 'IRP_MJ_QUERY_INFORMATION',
  [IRP_MJ_SET_INFORMATION]: 'IRP_MJ_SET_INFORMATION',
  [IRP_MJ_QUERY_EA]: 'IRP_MJ_QUERY_EA',
  [IRP_MJ_SET_EA]: 'IRP_MJ_SET_EA',
  [IRP_MJ_FLUSH_BUFFERS]: 'IRP_MJ_FLUSH_BUFFERS',
  [IRP_MJ_QUERY_VOLUME_INFORMATION]: 'IRP_MJ_QUERY_VOLUME_INFORMATION',
  [IRP_MJ_SET_VOLUME_INFORMATION]: 'IRP_MJ_SET_VOLUME_INFORMATION',
  [IRP_MJ_DIRECTORY_CONTROL]: 'IRP_MJ_DIRECTORY_CONTROL',
  [IRP_MJ_FILE_SYSTEM_CONTROL]: 'IRP_MJ_FILE_SYSTEM_CONTROL',
  [IRP_MJ_DEVICE_CONTROL]: 'IRP_MJ_DEVICE_CONTROL',
  [IRP_MJ_INTERNAL_DEVICE_CONTROL]: 'IRP_MJ_INTERNAL_DEVICE_CONTROL',
  [IRP_MJ_SHUTDOWN]: 'IRP_MJ_SHUTDOWN',
  [IRP_MJ_LOCK_CONTROL]: 'IRP_MJ_LOCK_CONTROL',
  [IRP_MJ_CLEANUP]: 'IRP_MJ_CLEANUP',
  [IRP_MJ_CREATE_MAILSLOT]: 'IRP_MJ_CREATE_MAILSLOT',
  [IRP_MJ_QUERY_SECURITY]: 'IRP_MJ_QUERY_SECURITY',
  [IRP_MJ_SET_SECURITY]: 'IRP_MJ_SET_SECURITY',
  [IRP_MJ_POWER]: 'IRP_MJ_POWER',
  [IRP_MJ_SYSTEM_CONTROL]: 'IRP_MJ_SYSTEM_CONTROL',
  [IRP_MJ_DEVICE_CHANGE]: 'IRP_MJ_DEVICE_CHANGE',
  [IRP_MJ_QUERY_QUOTA]: 'IRP_MJ_QUERY_QUOTA',
  [IRP_MJ_SET_QUOTA]: 'IRP_MJ_SET_QUOTA',
  [IRP_MJ_PNP]: 'IRP_MJ_PNP',
  [IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION]: 'IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION',
  [IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION]: 'IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION',
  [IRP_MJ_ACQUIRE_FOR_MOD_WRITE]: 'IRP_MJ_ACQUIRE_FOR_MOD_WRITE',
  [IRP_MJ_RELEASE_FOR_MOD_WRITE]: 'IRP_MJ_RELEASE_FOR_MOD_WRITE',
  [IRP_MJ_ACQUIRE_FOR_CC_FLUSH]: 'IRP_MJ_ACQUIRE_FOR_CC_FLUSH',
  [IRP_MJ_RELEASE_FOR_CC_FLUSH]: 'IRP_MJ_RELEASE_FOR_CC_FLUSH',
  [IRP_MJ_QUERY_OPEN]: 'IRP_MJ_QUERY_OPEN',
  [IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE]: 'IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE',
  [IRP_MJ_NETWORK_QUERY_OPEN]: 'IRP_MJ_NETWORK_QUERY_OPEN',
  [IRP_MJ_MDL_READ]: 'IRP_MJ_MDL_READ',
  [IRP_MJ_MDL_READ_COMPLETE]: 'IRP_MJ_MDL_READ_COMPLETE',
  [IRP_MJ_PREPARE_MDL_WRITE]: 'IRP_MJ_PREPARE_MDL_WRITE',
  [IRP_MJ_MDL_WRITE_COMPLETE]: 'IRP_MJ_MDL_WRITE_COMPLETE',
  [IRP_MJ_VOLUME_MOUNT]: 'IRP_MJ_VOLUME_MOUNT',
  [IRP_MJ_VOLUME_DISMOUNT]: 'IRP_MJ_VOLUME_DISMOUNT',
};

/** The FsFilter callback operations (FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION, §24.1): never IRPs, never generated by a filter. */
export const FS_FILTER_MAJORS: ReadonlySet<number> = new Set([
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
  IRP_MJ_RELEASE_FOR_MOD_WRITE,
  IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
  IRP_MJ_RELEASE_FOR_CC_FLUSH,
  IRP_MJ_QUERY_OPEN,
]);

export function irpMajorName(major: number): string {
  integerArgument('irpMajorName', 'major', major, 0, 255, 'an IRP major function code (a UCHAR)');
  return IRP_MJ_NAMES[major] ?? `IRP_MJ_0x${major.toString(16)}`;
}

// IRP flags (Iopb->IrpFlags), wdm.h
export const IRP_NOCACHE = 0x00000001;
export const IRP_PAGING_IO = 0x00000002;
export const IRP_SYNCHRONOUS_API = 0x00000004;
export const IRP_SYNCHRONOUS_PAGING_IO = 0x00000040;

// Stack-location flags (Iopb->OperationFlags), wdm.h
export const SL_PENDING_RETURNED = 0x01;
export const SL_FORCE_ACCESS_CHECK = 0x01;
export const SL_OPEN_PAGING_FILE = 0x02;
export const SL_OPEN_TARGET_DIRECTORY = 0x04;
export const SL_CASE_SENSITIVE = 0x80;
export const SL_WRITE_THROUGH = 0x04;
export const SL_RESTART_SCAN = 0x01;
export const SL_RETURN_SINGLE_ENTRY = 0x02;
export const SL_INDEX_SPECIFIED = 0x04;

// Minor functions used by the model
export const IRP_MN_NORMAL = 0x00;
export const IRP_MN_QUERY_DIRECTORY = 0x01;
export const IRP_MN_NOTIFY_CHANGE_DIRECTORY = 0x02;
/** IRP_MJ_LOCK_CONTROL minors (§21.10). */
export const IRP_MN_LOCK = 0x01;
export const IRP_MN_UNLOCK_SINGLE = 0x02;
export const IRP_MN_UNLOCK_ALL = 0x03;
export const IRP_MN_UNLOCK_ALL_BY_KEY = 0x04;
const IRP_MN_LOCK_NAMES: Readonly<Record<number, string>> = { 1: 'IRP_MN_LOCK', 2: 'IRP_MN_UNLOCK_SINGLE', 3: 'IRP_MN_UNLOCK_ALL', 4: 'IRP_MN_UNLOCK_ALL_BY_KEY' };
export function irpMinorLockName(minor: number): string {
  integerArgument('irpMinorLockName', 'minor', minor, 0, 255, 'an IRP minor function code (a UCHAR)');
  return IRP_MN_LOCK_NAMES[minor] ?? `IRP_MN_0x${minor.toString(16)}`;
}
/** IRP_MN_NOTIFY_CHANGE_DIRECTORY: watch the whole subtree (§21.9). */
export const SL_WATCH_TREE = 0x01;
/** IRP_MJ_PNP minor codes a file system handles on its volume device (wdm.h). */
export const IRP_MN_QUERY_REMOVE_DEVICE = 0x01;
export const IRP_MN_REMOVE_DEVICE = 0x02;
export const IRP_MN_CANCEL_REMOVE_DEVICE = 0x03;
export const IRP_MN_SURPRISE_REMOVAL = 0x17;
export const IRP_MN_USER_FS_REQUEST = 0x00;
export const IRP_MN_MOUNT_VOLUME = 0x01;
export const IRP_MN_KERNEL_CALL = 0x04;
/** READ/WRITE minor bits: an MDL read/write through the cache, and its completion (§20.1). */
export const IRP_MN_MDL = 0x02;
export const IRP_MN_COMPLETE = 0x04;
