/**
 * IRP major function codes and related constants, values exact from wdm.h / fltKernel.h.
 * The negative FltMgr-only codes are stored as the (UCHAR) values the header casts them to.
 */
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
export const IRP_MJ_QUERY_SECURITY = 0x14;
export const IRP_MJ_SET_SECURITY = 0x15;
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
  [IRP_MJ_QUERY_SECURITY]: 'IRP_MJ_QUERY_SECURITY',
  [IRP_MJ_SET_SECURITY]: 'IRP_MJ_SET_SECURITY',
  [IRP_MJ_VOLUME_MOUNT]: 'IRP_MJ_VOLUME_MOUNT',
  [IRP_MJ_VOLUME_DISMOUNT]: 'IRP_MJ_VOLUME_DISMOUNT',
};

export function irpMajorName(major: number): string {
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
export const IRP_MN_USER_FS_REQUEST = 0x00;
export const IRP_MN_MOUNT_VOLUME = 0x01;
export const IRP_MN_KERNEL_CALL = 0x04;
