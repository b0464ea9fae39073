/** Section and view constants (winnt.h, wdm.h) for FltCreateSectionForDataScan and file mappings (§24). */
export const SECTION_QUERY = 0x0001;
export const SECTION_MAP_WRITE = 0x0002;
export const SECTION_MAP_READ = 0x0004;
/** CreateFileMapping / MapViewOfFile access: the same bits as the SECTION_MAP_* rights. */
export const FILE_MAP_WRITE = SECTION_MAP_WRITE;
export const FILE_MAP_READ = SECTION_MAP_READ;
export const PAGE_READONLY = 0x02;
export const PAGE_READWRITE = 0x04;
/** AllocationAttributes: FltCreateSectionForDataScan requires SEC_COMMIT. */
export const SEC_COMMIT = 0x08000000;
/** SECTION_INHERIT for ZwMapViewOfSection. */
export const ViewShare = 1;
export const ViewUnmap = 2;
/** MEM_UNMAP_WITH_TRANSIENT_BOOST (UnmapViewOfFileEx): avscan's user scanner passes it after an open-time scan. */
export const MEM_UNMAP_WITH_TRANSIENT_BOOST = 0x00000001;
/** FS_FILTER_SECTION_SYNC_TYPE (ntifs.h): Parameters.AcquireForSectionSynchronization.SyncType (§24.1). */
export const SyncTypeOther = 0;
export const SyncTypeCreateSection = 1;
/** The page protections that make a section writable (PAGE_READWRITE, PAGE_EXECUTE_READWRITE). */
export const PAGE_EXECUTE_READWRITE = 0x40;
