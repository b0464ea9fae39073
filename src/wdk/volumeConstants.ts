/** Volume constants (§23.2): FLT_FILESYSTEM_TYPE (enum order of fltUserStructures.h), device types, FLT_VOLUME_PROPERTIES size. */
export const FLT_FSTYPE_UNKNOWN = 0;
export const FLT_FSTYPE_RAW = 1;
export const FLT_FSTYPE_NTFS = 2;
export const FLT_FSTYPE_FAT = 3;
export const FLT_FSTYPE_LANMAN = 6;
export const FLT_FSTYPE_REFS = 28;

export const FILE_DEVICE_CD_ROM_FILE_SYSTEM = 0x3;
export const FILE_DEVICE_DISK_FILE_SYSTEM = 0x8;
export const FILE_DEVICE_NETWORK_FILE_SYSTEM = 0x14;
/** DeviceCharacteristics of a redirector's volume. */
export const FILE_REMOTE_DEVICE = 0x10;

/**
 * Bytes of FLT_VOLUME_PROPERTIES before the names (x64: four ULONGs, two USHORTs, padding, three
 * UNICODE_STRINGs): a buffer shorter than this gets STATUS_BUFFER_TOO_SMALL; the names follow it.
 */
export const FLT_VOLUME_PROPERTIES_SIZE = 72;
