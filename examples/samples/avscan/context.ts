/**
 * context.c: the context registration, the contexts' cleanup callbacks, and the helpers that
 * allocate a stream, stream-handle or section context, find or create the transaction context,
 * and the scan context (pool, reference counted by the filter itself).
 */
import {
  FLT_ASSERT,
  FLT_CONTEXT_END,
  FLT_INSTANCE_CONTEXT,
  FLT_SECTION_CONTEXT,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_TRANSACTION_CONTEXT,
  ERESOURCE,
  ExDeleteResourceLite,
  ExInitializeResourceLite,
  FILE_INFORMATION_CLASS,
  FltGetTransactionContext,
  FltReleaseContext,
  FltSetTransactionContext,
  ObfDereferenceObject,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_NOT_FOUND,
  FltAllocateContext,
  FltObjectDereference,
  FltObjectReference,
  FltQueryInformationFile,
  KEVENT,
  KeInitializeEvent,
  NT_SUCCESS,
  ObDereferenceObject,
  ObReferenceObject,
  PagedPool,
  RtlIsGenericTableEmptyAvl,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  SynchronizationEvent,
  InterlockedDecrement,
  InterlockedIncrement,
  type Blocking,
  type FLT_CONTEXT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_CONTEXT,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import { FS_SUPPORTS_FILE_STATE_CACHE, type AV_INSTANCE_CONTEXT, type AV_SCAN_CONTEXT, type AV_SECTION_CONTEXT, type AV_STREAM_CONTEXT, type AV_STREAMHANDLE_CONTEXT, type AV_TRANSACTION_CONTEXT, type AvGlobals } from './avscanTypes.js';

const AV_STREAM_CONTEXT_SIZE = 64;
const AV_STREAMHANDLE_CONTEXT_SIZE = 8;
const AV_SECTION_CONTEXT_SIZE = 48;
const AV_TRANSACTION_CONTEXT_SIZE = 40;
const AV_INSTANCE_CONTEXT_SIZE = 32;

/** AvGetFileSize (utility.c): FileStandardInformation's EndOfFile through FltQueryInformationFile. */
export function* AvGetFileSize(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; size: number; directory: boolean }> {
  const r = yield* FltQueryInformationFile(Instance, FileObject, 24, FILE_INFORMATION_CLASS.FileStandardInformation);
  if (!NT_SUCCESS(r.status) || r.output?.kind !== 'fileInformation') return { status: r.status, size: 0, directory: false };
  const info = r.output.info as { EndOfFile: number; Directory: boolean };
  return { status: STATUS_SUCCESS, size: info.EndOfFile, directory: info.Directory };
}

export function contextRoutines(Globals: AvGlobals) {
  /**
   * AvStreamContextCleanup: a stream context must have left its transaction's list before it goes
   * (the list holds a reference, so only a context whose TxContext was never cleared can reach
   * here with one); the KEVENT goes with the context (AvFreeKevent).
   */
  function AvStreamContextCleanup(Context: PFLT_CONTEXT, _ContextType: number): void {
    const streamContext = (Context as unknown as PFLT_CONTEXT<AV_STREAM_CONTEXT>).Data;
    FLT_ASSERT(streamContext.TxContext.value === null, 'NULL == streamContext->TxContext');
  }

  /**
   * AvTransactionContextCleanup: the resource and the transaction reference taken in
   * AvFindOrCreateTransactionContext go. (ObDereferenceObject is the C macro for
   * ObfDereferenceObject; fltsim's ObDereferenceObject is a generator because a file object's last
   * reference sends IRP_MJ_CLOSE, so this callback calls ObfDereferenceObject, which never blocks
   * for a transaction. ExDeleteResourceLite reaches the kernel without blocking; the cleanup runs
   * it to its end.)
   */
  function* AvTransactionContextCleanup(Context: PFLT_CONTEXT, _ContextType: number): Blocking<void> {
    const transactionContext = (Context as unknown as PFLT_CONTEXT<AV_TRANSACTION_CONTEXT>).Data;
    yield* ExDeleteResourceLite(transactionContext.Resource!);
    transactionContext.Resource = null;
    ObfDereferenceObject(transactionContext.Transaction!);
    transactionContext.Transaction = null;
  }

  /** AvSectionContextCleanup: FLT_ASSERTs that the handle and object were cleared first (AvCloseSectionForDataScan). */
  function AvSectionContextCleanup(Context: PFLT_CONTEXT, _ContextType: number): void {
    const c = (Context as unknown as PFLT_CONTEXT<AV_SECTION_CONTEXT>).Data;
    FLT_ASSERT(c.SectionHandle === null, '[AV] AvSectionContextCleanup: Section handle should be NULL at cleanup.');
    FLT_ASSERT(c.SectionObject === null, '[AV] AvSectionContextCleanup: Section object should be NULL at cleanup.');
  }

  /**
   * AvInstanceContextCleanup: where the volume keeps a file-state cache, AvInstanceTeardownStart must
   * have emptied it (an entry left is pool no one frees), and the table's resource goes.
   */
  function* AvInstanceContextCleanup(Context: PFLT_CONTEXT, _ContextType: number): Blocking<void> {
    const instanceContext = (Context as unknown as PFLT_CONTEXT<AV_INSTANCE_CONTEXT>).Data;
    if (FS_SUPPORTS_FILE_STATE_CACHE(instanceContext.VolumeFSType)) {
      FLT_ASSERT(RtlIsGenericTableEmptyAvl(instanceContext.FileStateCacheTable), '[AV] AvInstanceContextCleanup: The generic table should be empty at cleanup.');
      yield* ExDeleteResourceLite(instanceContext.Resource);
    }
  }

  const ContextRegistration: readonly FLT_CONTEXT_REGISTRATION[] = [
    { ContextType: FLT_STREAM_CONTEXT, Flags: 0, ContextCleanupCallback: AvStreamContextCleanup, Size: AV_STREAM_CONTEXT_SIZE, PoolTag: 0x63537641 },
    { ContextType: FLT_STREAMHANDLE_CONTEXT, Flags: 0, ContextCleanupCallback: null, Size: AV_STREAMHANDLE_CONTEXT_SIZE, PoolTag: 0x68537641 },
    { ContextType: FLT_TRANSACTION_CONTEXT, Flags: 0, ContextCleanupCallback: AvTransactionContextCleanup, Size: AV_TRANSACTION_CONTEXT_SIZE, PoolTag: 0x63547641 },
    { ContextType: FLT_SECTION_CONTEXT, Flags: 0, ContextCleanupCallback: AvSectionContextCleanup, Size: AV_SECTION_CONTEXT_SIZE, PoolTag: 0x65537641 },
    { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: AvInstanceContextCleanup, Size: AV_INSTANCE_CONTEXT_SIZE, PoolTag: 0x69537641 },
    { ContextType: FLT_CONTEXT_END },
  ];

  function AvCreateStreamHandleContext(Filter: PFLT_FILTER): { status: NTSTATUS; context: PFLT_CONTEXT<AV_STREAMHANDLE_CONTEXT> | null } {
    const r = FltAllocateContext<AV_STREAMHANDLE_CONTEXT>(Filter, FLT_STREAMHANDLE_CONTEXT, AV_STREAMHANDLE_CONTEXT_SIZE, PagedPool);
    if (r.context !== null) r.context.Data.Flags = 0;
    return r;
  }

  /** AvCreateStreamContext: a synchronization KEVENT, initially signalled, and both states Modified (not yet scanned), in no transaction. */
  function* AvCreateStreamContext(Filter: PFLT_FILTER): Blocking<{ status: NTSTATUS; context: PFLT_CONTEXT<AV_STREAM_CONTEXT> | null }> {
    const event = new KEVENT();
    const r = FltAllocateContext<AV_STREAM_CONTEXT>(Filter, FLT_STREAM_CONTEXT, AV_STREAM_CONTEXT_SIZE, PagedPool);
    if (r.context === null) return r;
    yield* KeInitializeEvent(event, SynchronizationEvent, true);
    // RtlZeroMemory: TxContext NULL, no flags, a zero file id (post-create queries it), zero revisions.
    Object.assign(r.context.Data, { Flags: 0, FileId: { FileId64: { Value: 0n, UpperZeroes: 0n } }, TxContext: { value: null }, VolumeRevision: 0, CacheRevision: 0, FileRevision: 0 });
    r.context.Data.ScanSynchronizationEvent = event;
    r.context.Data.State = 'AvFileModified';
    r.context.Data.TxState = 'AvFileModified';
    return r;
  }

  /**
   * AvFindOrCreateTransactionContext: the transaction's context, or a new one (its own ERESOURCE, a
   * reference on the transaction, an empty list) set with KEEP_IF_EXISTS, so a racing open's
   * context wins. The caller releases the reference returned.
   */
  function* AvFindOrCreateTransactionContext(FltObjects: FLT_RELATED_OBJECTS): Blocking<{ status: NTSTATUS; TransactionContext: PFLT_CONTEXT<AV_TRANSACTION_CONTEXT> | null }> {
    const got = yield* FltGetTransactionContext<AV_TRANSACTION_CONTEXT>(FltObjects.Instance, FltObjects.Transaction!);
    if (NT_SUCCESS(got.status)) return { status: STATUS_SUCCESS, TransactionContext: got.context };
    if (got.status !== STATUS_NOT_FOUND) {
      Globals.DbgPrint.push(`[AV]: Failed to get transaction context with status 0x${got.status.toString(16)}`);
      return { status: got.status, TransactionContext: null };
    }
    // AvAllocateResource: the ERESOURCE lives apart from the context (nonpaged in C).
    const pResource = new ERESOURCE('AV_TRANSACTION_CONTEXT.Resource');
    const a = FltAllocateContext<AV_TRANSACTION_CONTEXT>(Globals.Filter!, FLT_TRANSACTION_CONTEXT, AV_TRANSACTION_CONTEXT_SIZE, PagedPool);
    if (!NT_SUCCESS(a.status)) {
      Globals.DbgPrint.push(`[AV]: Failed to allocate transaction context with status 0x${a.status.toString(16)}`);
      return { status: a.status, TransactionContext: null };
    }
    FLT_ASSERT(FltObjects.Transaction !== null, 'FltObjects->Transaction != NULL');
    const transactionContext = a.context!;
    // RtlZeroMemory, then the resource, the referenced transaction, the empty list.
    Object.assign(transactionContext.Data, { Transaction: null, ScListHead: [], Resource: pResource, Flags: 0 } satisfies AV_TRANSACTION_CONTEXT);
    ObReferenceObject(FltObjects.Transaction!);
    transactionContext.Data.Transaction = FltObjects.Transaction;
    yield* ExInitializeResourceLite(pResource);
    const oldTransactionContext = { value: null as PFLT_CONTEXT<object> | null };
    const status = yield* FltSetTransactionContext(FltObjects.Instance, FltObjects.Transaction!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, transactionContext, oldTransactionContext);
    if (NT_SUCCESS(status)) return { status: STATUS_SUCCESS, TransactionContext: transactionContext };
    FltReleaseContext(transactionContext);
    if (status !== STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
      Globals.DbgPrint.push(`[Av]: Failed to set transaction context with status 0x${status.toString(16)}`);
      return { status, TransactionContext: null };
    }
    if (oldTransactionContext.value === null) {
      Globals.DbgPrint.push('[Av]: Failed to set transaction context oldTransactionContext is NULL');
      return { status, TransactionContext: null };
    }
    return { status: STATUS_SUCCESS, TransactionContext: oldTransactionContext.value as PFLT_CONTEXT<AV_TRANSACTION_CONTEXT> };
  }

  function* AvCreateSectionContext(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; context: PFLT_CONTEXT<AV_SECTION_CONTEXT> | null }> {
    const r = FltAllocateContext<AV_SECTION_CONTEXT>(Globals.Filter!, FLT_SECTION_CONTEXT, AV_SECTION_CONTEXT_SIZE, PagedPool);
    if (r.context === null) return r;
    Object.assign(r.context.Data, { SectionHandle: null, SectionObject: null, FileSize: 0, Aborted: { value: false }, CancelableOnConflictingIo: false, ScanContext: { value: null } });
    const size = yield* AvGetFileSize(Instance, FileObject);
    if (!NT_SUCCESS(size.status)) Globals.DbgPrint.push(`[Av]: Failed to get file size with status 0x${size.status.toString(16)}`);
    else r.context.Data.FileSize = size.size;
    return { status: STATUS_SUCCESS, context: r.context };
  }

  /** AvAllocateScanContext: references the instance (it may be tearing down) and the file object. */
  function* AvAllocateScanContext(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; scanCtx: AV_SCAN_CONTEXT | null }> {
    const status = FltObjectReference(Instance);
    if (!NT_SUCCESS(status)) return { status, scanCtx: null };
    ObReferenceObject(FileObject);
    const scanCtx: AV_SCAN_CONTEXT = {
      RefCount: { value: 1 },
      FilterInstance: Instance,
      FileObject,
      ScanCompleteNotification: new KEVENT(),
      IOMajorFunctionAtScan: 0,
      IsFileInTxWriter: false,
      SectionContext: { value: null },
      ScanId: 0,
      ScanThreadId: 0,
      IoWaitOnScanCompleteNotificationAborted: false,
    };
    return { status: STATUS_SUCCESS, scanCtx };
  }

  function* AvReferenceScanContext(ScanContext: AV_SCAN_CONTEXT | null): Blocking<NTSTATUS> {
    if (ScanContext === null) return STATUS_INVALID_PARAMETER;
    yield* InterlockedIncrement(ScanContext.RefCount);
    return STATUS_SUCCESS;
  }

  /** AvReleaseScanContext: the last release dereferences the instance and the file object. */
  function* AvReleaseScanContext(ScanContext: AV_SCAN_CONTEXT | null): Blocking<NTSTATUS> {
    if (ScanContext === null) return STATUS_INVALID_PARAMETER;
    if ((yield* InterlockedDecrement(ScanContext.RefCount)) === 0) {
      FltObjectDereference(ScanContext.FilterInstance);
      yield* ObDereferenceObject(ScanContext.FileObject);
    }
    return STATUS_SUCCESS;
  }

  return {
    ContextRegistration,
    AvStreamContextCleanup,
    AvTransactionContextCleanup,
    AvSectionContextCleanup,
    AvInstanceContextCleanup,
    AvCreateStreamHandleContext,
    AvCreateStreamContext,
    AvFindOrCreateTransactionContext,
    AvCreateSectionContext,
    AvAllocateScanContext,
    AvReferenceScanContext,
    AvReleaseScanContext,
  };
}
