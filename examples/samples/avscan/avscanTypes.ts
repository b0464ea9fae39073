/**
 * avscan.h, context.h, scan.h: the image's globals, the contexts' contents, the scan context, the
 * file states and the macros over them. One `AvGlobals` per loaded image (createAvScan), never a
 * module global.
 */
import type { Blocking, ERESOURCE, FLT_POSTOP_CALLBACK_STATUS, FLT_PREOP_CALLBACK_STATUS, PKTRANSACTION, PFLT_VOLUME, RTL_AVL_TABLE, FLT_CALLBACK_DATA, FLT_CONTEXT_REGISTRATION, FLT_RELATED_OBJECTS, KEVENT, NTSTATUS, PFILE_OBJECT, PFLT_CONTEXT, PFLT_FILTER, PFLT_INSTANCE, PFLT_SERVER_PORT, PortVariable, PSECTION_OBJECT, PSECURITY_DESCRIPTOR, SECTION_HANDLE } from '../../../src/index.js';

/** AV_FILE_INFECTED_STATE. */
export type AV_FILE_INFECTED_STATE = 'AvFileModified' | 'AvFileInfected' | 'AvFileNotInfected' | 'AvFileUnknown' | 'AvFileScanning';

/**
 * AV_FILE_REFERENCE (utility.h): a union of FileId64 { Value, UpperZeroes } and FILE_ID_128; the
 * port keeps the FileId64 view (ULONGLONGs as bigints), which the 128-bit id fills byte for byte.
 */
export interface AV_FILE_REFERENCE {
  readonly FileId64: { Value: bigint; UpperZeroes: bigint };
}

/** FILE_INVALID_FILE_ID as AV_SET_INVALID_FILE_REFERENCE stores it: (ULONGLONG)-1. */
export const FILE_INVALID_FILE_ID = 0xffffffffffffffffn;

/** AV_INVALID_FILE_REFERENCE(fileid). */
export const AV_INVALID_FILE_REFERENCE = (f: AV_FILE_REFERENCE): boolean => f.FileId64.UpperZeroes === 0n && f.FileId64.Value === FILE_INVALID_FILE_ID;

/** AV_SET_INVALID_FILE_REFERENCE(fileid). */
export function AV_SET_INVALID_FILE_REFERENCE(f: AV_FILE_REFERENCE): void {
  f.FileId64.UpperZeroes = 0n;
  f.FileId64.Value = FILE_INVALID_FILE_ID;
}

/** AV_GENERIC_TABLE_ENTRY (utility.h): one file's cached state, keyed by its id. */
export interface AV_GENERIC_TABLE_ENTRY {
  FileId: AV_FILE_REFERENCE;
  InfectedState: AV_FILE_INFECTED_STATE;
  /** Revision numbers for files on CSVFS (not ported: always 0 here). */
  VolumeRevision: number;
  CacheRevision: number;
  FileRevision: number;
}

/** sizeof(AV_GENERIC_TABLE_ENTRY) on x64: 16 + 4 (+ 4 padding) + 3 × 8. */
export const AV_GENERIC_TABLE_ENTRY_SIZE = 48;

/** AV_TABLE_ENTRY_TAG 'eTvA'. */
export const AV_TABLE_ENTRY_TAG = 0x65547641;

/**
 * FS_SUPPORTS_FILE_STATE_CACHE (utility.h): NTFS, CSVFS and ReFS, whose file ids are unique on the
 * volume. The model passes InstanceSetup the file system's name ('NTFS', 'FAT', 'ReFS'); it has no CSVFS.
 */
export const FS_SUPPORTS_FILE_STATE_CACHE = (VolumeFilesystemType: string): boolean => VolumeFilesystemType === 'NTFS' || VolumeFilesystemType === 'CSVFS' || VolumeFilesystemType === 'ReFS';

/** AV_STREAM_CONTEXT (the CSVFS revision fields are kept for the cache's copy, always 0: CSVFS is not ported). */
export interface AV_STREAM_CONTEXT {
  Flags: number;
  /** From FileInternalInformation or FileIdInformation (AvGetFileId); invalid when the query failed. */
  FileId: AV_FILE_REFERENCE;
  /**
   * PAV_TRANSACTION_CONTEXT TxContext: the transaction whose writer view this stream is in, a PVOID
   * variable ({ value }) because post-create and the KTM callback swap it interlocked. Holds a
   * reference on the transaction context while non-NULL.
   */
  readonly TxContext: { value: PFLT_CONTEXT<AV_TRANSACTION_CONTEXT> | null };
  /** Serialises scans of the stream (a synchronization event, initially signalled). */
  ScanSynchronizationEvent: KEVENT;
  /** The state outside any transaction. */
  State: AV_FILE_INFECTED_STATE;
  /** The transacted writer's view: propagated into State when the transaction commits, reset when it ends. */
  TxState: AV_FILE_INFECTED_STATE;
  VolumeRevision: number;
  CacheRevision: number;
  FileRevision: number;
}

/** AV_TXCTX_ENLISTED / AV_TXCTX_LISTDRAINED (AV_TRANSACTION_CONTEXT.Flags). */
export const AV_TXCTX_ENLISTED = 0x01;
export const AV_TXCTX_LISTDRAINED = 0x02;

/**
 * AV_TRANSACTION_CONTEXT: one per transaction the filter saw a writer open in. ScListHead (a
 * LIST_ENTRY of stream contexts linked through ListInTransaction) is an array in insertion order;
 * every entry holds a reference on its stream context. Resource guards the list and Flags.
 */
export interface AV_TRANSACTION_CONTEXT {
  /** Referenced with ObReferenceObject while the context lives (dropped in AvTransactionContextCleanup). */
  Transaction: PKTRANSACTION | null;
  readonly ScListHead: PFLT_CONTEXT<AV_STREAM_CONTEXT>[];
  /** PERESOURCE: allocated apart from the context in C because an ERESOURCE must be nonpaged. */
  Resource: ERESOURCE | null;
  Flags: number;
}

/** AV_STREAMHANDLE_CONTEXT. */
export interface AV_STREAMHANDLE_CONTEXT {
  Flags: number;
}

/** AV_SECTION_CONTEXT. */
export interface AV_SECTION_CONTEXT {
  SectionHandle: SECTION_HANDLE | null;
  SectionObject: PSECTION_OBJECT | null;
  FileSize: number;
  /** Set by AvScanAbortCallbackAsync; AvScanMemoryStream polls it. */
  Aborted: { value: boolean };
  CancelableOnConflictingIo: boolean;
  /** Exchanged with InterlockedExchangePointer by AvCloseSectionForDataScan and AvScanAbortCallbackAsync. */
  ScanContext: { value: AV_SCAN_CONTEXT | null };
}

/** AV_INSTANCE_CONTEXT. */
export interface AV_INSTANCE_CONTEXT {
  Volume: PFLT_VOLUME;
  Instance: PFLT_INSTANCE;
  VolumeFSType: string;
  /**
   * The file-state cache (RTL_GENERIC_TABLE; avscan.h defines RTL_USE_AVL_TABLES, so an AVL table),
   * set up only where FS_SUPPORTS_FILE_STATE_CACHE; guarded by Resource.
   */
  readonly FileStateCacheTable: RTL_AVL_TABLE<AV_GENERIC_TABLE_ENTRY>;
  readonly Resource: ERESOURCE;
  IsOnCsvMDS: boolean;
}

/** AV_SCAN_CONTEXT: pool the filter allocates per user-mode scan, in Globals.ScanCtxListHead. */
export interface AV_SCAN_CONTEXT {
  RefCount: { value: number };
  FilterInstance: PFLT_INSTANCE;
  FileObject: PFILE_OBJECT;
  ScanCompleteNotification: KEVENT;
  IOMajorFunctionAtScan: number;
  IsFileInTxWriter: boolean;
  /** Exchanged with InterlockedExchangePointer by AvFinalizeScanContext: whoever gets it non-NULL closes the section. */
  SectionContext: { value: PFLT_CONTEXT<AV_SECTION_CONTEXT> | null };
  ScanId: number;
  ScanThreadId: number;
  IoWaitOnScanCompleteNotificationAborted: boolean;
}

/** AV_SCANNER_GLOBAL_DATA. */
export interface AvGlobals {
  Filter: PFLT_FILTER | null;
  ScanServerPort: PFLT_SERVER_PORT | null;
  AbortServerPort: PFLT_SERVER_PORT | null;
  QueryServerPort: PFLT_SERVER_PORT | null;
  ScanClientPort: PortVariable;
  AbortClientPort: PortVariable;
  QueryClientPort: PortVariable;
  /** ScanCtxListHead: the outstanding user-mode scans, under ScanCtxListLock. */
  readonly ScanCtxListHead: AV_SCAN_CONTEXT[];
  readonly ScanCtxListLock: ERESOURCE;
  ScanIdCounter: number;
  Unloading: boolean;
  /** Milliseconds (registry LocalScanTimeout; the C default is 30000). */
  LocalScanTimeout: number;
  /** Not in the C (args.fixCacheSync): AvPreCleanup syncs the cache only for IS_FILE_NOT_INFECTED or IS_FILE_INFECTED. */
  readonly FixCacheSync: boolean;
  NetworkScanTimeout: number;
  /** AV_DBG_PRINT output. */
  readonly DbgPrint: string[];
}

export const AV_FLAG_PREFETCH = 0x00000001;

export const IS_FILE_MODIFIED = (c: AV_STREAM_CONTEXT): boolean => c.State === 'AvFileModified';
export const IS_FILE_INFECTED = (c: AV_STREAM_CONTEXT): boolean => c.State === 'AvFileInfected';
export const IS_FILE_NOT_INFECTED = (c: AV_STREAM_CONTEXT): boolean => c.State === 'AvFileNotInfected';
export const IS_FILE_TX_MODIFIED = (c: AV_STREAM_CONTEXT): boolean => c.TxState === 'AvFileModified';
/** Outside a transaction the State decides; inside a transacted writer's view, the TxState. */
export const IS_FILE_NEED_SCAN = (c: AV_STREAM_CONTEXT): boolean => (c.TxContext.value === null && IS_FILE_MODIFIED(c)) || (c.TxContext.value !== null && IS_FILE_TX_MODIFIED(c));

/**
 * SET_FILE_<state>_EX(flag, ctx): the TxState when the scan runs for a transacted writer, else the
 * State. The C's InterlockedExchange is one atomic store; here a plain store (no scheduling point):
 * the port's races are at the TxContext exchanges and the locks, which are scheduling points.
 */
export function SET_FILE_STATE_EX(IsInTxWriter: boolean, c: AV_STREAM_CONTEXT, state: AV_FILE_INFECTED_STATE): void {
  if (IsInTxWriter) c.TxState = state;
  else c.State = state;
}

/** What a run of the image records for tests: every AvFinalizeSectionContext, with FltCloseSectionForDataScan's status. */
export interface AvResults {
  readonly closes: { context: string; status: NTSTATUS }[];
}

/** The routines one file of the image calls in another (the C's prototypes in the headers). */
export interface AvCalls {
  readonly results: AvResults;
  readonly ContextRegistration: readonly FLT_CONTEXT_REGISTRATION[];
  AvGetFileSize(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; size: number; directory: boolean }>;
  AvCreateStreamHandleContext(Filter: PFLT_FILTER): { status: NTSTATUS; context: PFLT_CONTEXT<AV_STREAMHANDLE_CONTEXT> | null };
  AvCreateStreamContext(Filter: PFLT_FILTER): Blocking<{ status: NTSTATUS; context: PFLT_CONTEXT<AV_STREAM_CONTEXT> | null }>;
  AvFindOrCreateTransactionContext(FltObjects: FLT_RELATED_OBJECTS): Blocking<{ status: NTSTATUS; TransactionContext: PFLT_CONTEXT<AV_TRANSACTION_CONTEXT> | null }>;
  AvProcessPreviousTransaction(FltObjects: FLT_RELATED_OBJECTS, StreamContext: PFLT_CONTEXT<AV_STREAM_CONTEXT>): Blocking<NTSTATUS>;
  AvKtmNotificationCallback(FltObjects: FLT_RELATED_OBJECTS, TransactionContext: PFLT_CONTEXT<object>, TransactionNotification: number): Blocking<NTSTATUS>;
  AvCreateSectionContext(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; context: PFLT_CONTEXT<AV_SECTION_CONTEXT> | null }>;
  AvAllocateScanContext(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; scanCtx: AV_SCAN_CONTEXT | null }>;
  AvReferenceScanContext(ScanContext: AV_SCAN_CONTEXT | null): Blocking<NTSTATUS>;
  AvReleaseScanContext(ScanContext: AV_SCAN_CONTEXT | null): Blocking<NTSTATUS>;
  AvScan(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, ScanMode: 'AvUserMode' | 'AvKernelMode', IOMajorFunctionAtScan: number, IsInTxWriter: boolean, StreamContext: PFLT_CONTEXT<AV_STREAM_CONTEXT>): Blocking<NTSTATUS>;
  AvCloseSectionForDataScan(SectionContext: PFLT_CONTEXT<AV_SECTION_CONTEXT>): Blocking<NTSTATUS>;
  AvFinalizeSectionContext(SectionContext: PFLT_CONTEXT<AV_SECTION_CONTEXT>): Blocking<NTSTATUS>;
  AvFinalizeScanAndSection(ScanContext: AV_SCAN_CONTEXT): Blocking<NTSTATUS>;
  AvPrepareServerPort(SecurityDescriptor: PSECURITY_DESCRIPTOR, ConnectionType: number): NTSTATUS;
  AvSendAbortToUser(ScanThreadId: number, ScanId: number): Blocking<NTSTATUS>;
  AvCancelFileOpen(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, status: NTSTATUS): Blocking<void>;
  AvPreCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS;
  AvPostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown): Blocking<FLT_POSTOP_CALLBACK_STATUS>;
  AvPreCleanup(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS>;
  AvLoadFileStateFromCache(Instance: PFLT_INSTANCE, FileId: AV_FILE_REFERENCE, Out: Pick<AV_STREAM_CONTEXT, 'State' | 'VolumeRevision' | 'CacheRevision' | 'FileRevision'>): Blocking<NTSTATUS>;
  AvSyncCache(Instance: PFLT_INSTANCE | null, StreamContext: PFLT_CONTEXT<AV_STREAM_CONTEXT> | null): Blocking<NTSTATUS>;
}
