/**
 * context.c: the context registration, the contexts' cleanup callbacks, and the helpers that
 * allocate a stream, stream-handle or section context and the scan context (pool, reference
 * counted by the filter itself).
 */
import {
  FLT_ASSERT,
  FLT_CONTEXT_END,
  FLT_INSTANCE_CONTEXT,
  FLT_SECTION_CONTEXT,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FILE_INFORMATION_CLASS,
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
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  SynchronizationEvent,
  InterlockedDecrement,
  InterlockedIncrement,
  type Blocking,
  type FLT_CONTEXT_REGISTRATION,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_CONTEXT,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import type { AV_SCAN_CONTEXT, AV_SECTION_CONTEXT, AV_STREAM_CONTEXT, AV_STREAMHANDLE_CONTEXT, AvGlobals } from './avscanTypes.js';

const AV_STREAM_CONTEXT_SIZE = 64;
const AV_STREAMHANDLE_CONTEXT_SIZE = 8;
const AV_SECTION_CONTEXT_SIZE = 48;
const AV_INSTANCE_CONTEXT_SIZE = 32;

/** AvGetFileSize (utility.c): FileStandardInformation's EndOfFile through FltQueryInformationFile. */
export function* AvGetFileSize(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; size: number; directory: boolean }> {
  const r = yield* FltQueryInformationFile(Instance, FileObject, 24, FILE_INFORMATION_CLASS.FileStandardInformation);
  if (!NT_SUCCESS(r.status) || r.output?.kind !== 'fileInformation') return { status: r.status, size: 0, directory: false };
  const info = r.output.info as { EndOfFile: number; Directory: boolean };
  return { status: STATUS_SUCCESS, size: info.EndOfFile, directory: info.Directory };
}

export function contextRoutines(Globals: AvGlobals) {
  /** AvStreamContextCleanup: the KEVENT goes with the context (AvFreeKevent). */
  function AvStreamContextCleanup(Context: PFLT_CONTEXT, _ContextType: number): void {
    void Context;
  }

  /** AvSectionContextCleanup: FLT_ASSERTs that the handle and object were cleared first (AvCloseSectionForDataScan). */
  function AvSectionContextCleanup(Context: PFLT_CONTEXT, _ContextType: number): void {
    const c = (Context as unknown as PFLT_CONTEXT<AV_SECTION_CONTEXT>).Data;
    FLT_ASSERT(c.SectionHandle === null, '[AV] AvSectionContextCleanup: Section handle should be NULL at cleanup.');
    FLT_ASSERT(c.SectionObject === null, '[AV] AvSectionContextCleanup: Section object should be NULL at cleanup.');
  }

  function AvInstanceContextCleanup(_Context: PFLT_CONTEXT, _ContextType: number): void {}

  const ContextRegistration: readonly FLT_CONTEXT_REGISTRATION[] = [
    { ContextType: FLT_STREAM_CONTEXT, Flags: 0, ContextCleanupCallback: AvStreamContextCleanup, Size: AV_STREAM_CONTEXT_SIZE, PoolTag: 0x63537641 },
    { ContextType: FLT_STREAMHANDLE_CONTEXT, Flags: 0, ContextCleanupCallback: null, Size: AV_STREAMHANDLE_CONTEXT_SIZE, PoolTag: 0x68537641 },
    { ContextType: FLT_SECTION_CONTEXT, Flags: 0, ContextCleanupCallback: AvSectionContextCleanup, Size: AV_SECTION_CONTEXT_SIZE, PoolTag: 0x65537641 },
    { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: AvInstanceContextCleanup, Size: AV_INSTANCE_CONTEXT_SIZE, PoolTag: 0x69537641 },
    { ContextType: FLT_CONTEXT_END },
  ];

  function AvCreateStreamHandleContext(Filter: PFLT_FILTER): { status: NTSTATUS; context: PFLT_CONTEXT<AV_STREAMHANDLE_CONTEXT> | null } {
    const r = FltAllocateContext<AV_STREAMHANDLE_CONTEXT>(Filter, FLT_STREAMHANDLE_CONTEXT, AV_STREAMHANDLE_CONTEXT_SIZE, PagedPool);
    if (r.context !== null) r.context.Data.Flags = 0;
    return r;
  }

  /** AvCreateStreamContext: a synchronization KEVENT, initially signalled, and the state Modified (not yet scanned). */
  function* AvCreateStreamContext(Filter: PFLT_FILTER): Blocking<{ status: NTSTATUS; context: PFLT_CONTEXT<AV_STREAM_CONTEXT> | null }> {
    const event = new KEVENT();
    const r = FltAllocateContext<AV_STREAM_CONTEXT>(Filter, FLT_STREAM_CONTEXT, AV_STREAM_CONTEXT_SIZE, PagedPool);
    if (r.context === null) return r;
    yield* KeInitializeEvent(event, SynchronizationEvent, true);
    r.context.Data.ScanSynchronizationEvent = event;
    r.context.Data.State = 'AvFileModified';
    return r;
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
    AvSectionContextCleanup,
    AvInstanceContextCleanup,
    AvCreateStreamHandleContext,
    AvCreateStreamContext,
    AvCreateSectionContext,
    AvAllocateScanContext,
    AvReferenceScanContext,
    AvReleaseScanContext,
  };
}
