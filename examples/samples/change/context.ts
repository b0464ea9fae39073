/**
 * context.c, ported: the change sample's context registration, the two cleanup callbacks, the
 * file id query and the find-or-create routines for the file and the transaction context.
 */
import {
  ExInitializeFastMutex,
  FAST_MUTEX,
  FILE_INFORMATION_CLASS,
  FLT_CONTEXT_END,
  FLT_FILE_CONTEXT,
  FLT_FSTYPE_REFS,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_TRANSACTION_CONTEXT,
  FltAllocateContext,
  FltGetFileContext,
  FltGetFileSystemType,
  FltGetTransactionContext,
  FltQueryInformationFile,
  FltReleaseContext,
  FltSetFileContext,
  FltSetTransactionContext,
  NT_SUCCESS,
  ObfDereferenceObject,
  ObReferenceObject,
  PagedPool,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_CONTEXT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_CONTEXT,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import {
  CG_DBG_PRINT,
  CG_FILE_CONTEXT_SIZE,
  CG_FILE_CONTEXT_TAG,
  CG_TRANSACTION_CONTEXT_SIZE,
  CG_TRANSACTION_CONTEXT_TAG,
  CGDBG_TRACE_DEBUG,
  CGDBG_TRACE_ERROR,
  CGDBG_TRACE_ROUTINES,
  fileIdText,
  type CG_FILE_CONTEXT,
  type CG_FILE_REFERENCE,
  type CG_GLOBAL_DATA,
  type CG_TRANSACTION_CONTEXT,
  type PCG_FILE_CONTEXT,
  type PCG_TRANSACTION_CONTEXT,
} from './changeStruc.js';

export interface ContextRoutines {
  readonly ContextRegistration: readonly FLT_CONTEXT_REGISTRATION[];
  CgFindOrCreateFileContext(Cbd: FLT_CALLBACK_DATA): Blocking<{ status: NTSTATUS; FileContext: PCG_FILE_CONTEXT | null }>;
  CgFindOrCreateTransactionContext(FltObjects: FLT_RELATED_OBJECTS): Blocking<{ status: NTSTATUS; TransactionContext: PCG_TRANSACTION_CONTEXT | null }>;
}

export function contextRoutines(Globals: CG_GLOBAL_DATA): ContextRoutines {
  /** utility.h CgAllocateMutex: the fast mutex lives in nonpaged pool in C; here it is the object itself. */
  const CgAllocateMutex = (): FAST_MUTEX => new FAST_MUTEX();
  /** utility.h CgFreeMutex: nothing to free once the object is dropped. */
  const CgFreeMutex = (Mutex: FAST_MUTEX): void => void Mutex;

  /** CgFileContextCleanup: the file context must have left its transaction's list by now. */
  function CgFileContextCleanup(Context: PFLT_CONTEXT<object>, ContextType: number): void {
    void ContextType;
    const fileContext = (Context as PCG_FILE_CONTEXT).Data;
    if (fileContext.TxContext.value !== null) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, '[CG]: File context is not supposed to be in the transaction context list at cleanup.!');
    }
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, `[CG]: Cleaning up file context for file ID ${fileIdText(fileContext.FileID)} (FileContext = ${Context.id}), dirty = ${fileContext.Dirty ? 1 : 0}`);
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG]: File context cleanup complete.');
  }

  /**
   * CgTransactionContextCleanup: frees the mutex and drops the transaction reference taken at
   * creation. (ObDereferenceObject is the macro for ObfDereferenceObject; fltsim's
   * ObDereferenceObject is a generator because a file object's last reference sends IRP_MJ_CLOSE,
   * so this callback, which may not block, calls ObfDereferenceObject, which never blocks for a
   * transaction.)
   */
  function CgTransactionContextCleanup(Context: PFLT_CONTEXT<object>, ContextType: number): void {
    void ContextType;
    const transactionContext = (Context as PCG_TRANSACTION_CONTEXT).Data;
    CG_DBG_PRINT(Globals, CGDBG_TRACE_DEBUG, '[CG]: CgTransactionContextCleanup context cleanup entered.');
    CgFreeMutex(transactionContext.Mutex!);
    transactionContext.Mutex = null;
    ObfDereferenceObject(transactionContext.Transaction!);
    transactionContext.Transaction = null;
  }

  const ContextRegistration: FLT_CONTEXT_REGISTRATION[] = [
    { ContextType: FLT_FILE_CONTEXT, Flags: 0, ContextCleanupCallback: CgFileContextCleanup, Size: CG_FILE_CONTEXT_SIZE, PoolTag: CG_FILE_CONTEXT_TAG },
    { ContextType: FLT_TRANSACTION_CONTEXT, Flags: 0, ContextCleanupCallback: CgTransactionContextCleanup, Size: CG_TRANSACTION_CONTEXT_SIZE, PoolTag: CG_TRANSACTION_CONTEXT_TAG },
    { ContextType: FLT_CONTEXT_END },
  ];

  /** CgGetFileId: FileIdInformation on ReFS, FileInternalInformation elsewhere. */
  function* CgGetFileId(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; FileId: CG_FILE_REFERENCE }> {
    const FileId: CG_FILE_REFERENCE = { FileId64: { Value: 0, UpperZeroes: 0 } };
    const type = FltGetFileSystemType(Instance);
    let status = type.status;
    if (NT_SUCCESS(status)) {
      if (type.FileSystemType === FLT_FSTYPE_REFS) {
        const r = yield* FltQueryInformationFile(Instance, FileObject, 24, FILE_INFORMATION_CLASS.FileIdInformation);
        status = r.status;
        if (NT_SUCCESS(status) && r.output?.kind === 'fileInformation') FileId.FileId64.Value = Number((r.output.info as { FileId?: number }).FileId ?? 0);
      } else {
        const r = yield* FltQueryInformationFile(Instance, FileObject, 8, FILE_INFORMATION_CLASS.FileInternalInformation);
        status = r.status;
        if (NT_SUCCESS(status) && r.output?.kind === 'fileInformation') {
          FileId.FileId64.Value = (r.output.info as { IndexNumber: number }).IndexNumber;
          FileId.FileId64.UpperZeroes = 0;
        }
      }
    }
    return { status, FileId };
  }

  /** CgFindOrCreateFileContext: get the file context, or create and set one (KEEP_IF_EXISTS: a racing one wins). */
  function* CgFindOrCreateFileContext(Cbd: FLT_CALLBACK_DATA): Blocking<{ status: NTSTATUS; FileContext: PCG_FILE_CONTEXT | null }> {
    const Instance = Cbd.Iopb.TargetInstance!;
    const FileObject = Cbd.Iopb.TargetFileObject!;
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, `[CG]: Trying to get file context (FileObject = ${FileObject.id}, Instance = ${Instance.id}, rq = ${Cbd.Iopb.MajorFunction})`);
    const got = yield* FltGetFileContext<CG_FILE_CONTEXT>(Instance, FileObject);
    let status = got.status;
    let fileContext = got.context;
    if (status === STATUS_NOT_FOUND) {
      const id = yield* CgGetFileId(Instance, FileObject);
      if (!NT_SUCCESS(id.status)) {
        CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Failed to get file id with status 0x${id.status.toString(16)}. (FileObject = ${FileObject.id}, Instance = ${Instance.id}, rq = ${Cbd.Iopb.MajorFunction})`);
        return { status: id.status, FileContext: null };
      }
      const created = CgCreateFileContext();
      if (!NT_SUCCESS(created.status)) {
        CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Failed to create file context with status 0x${created.status.toString(16)}. (FileObject = ${FileObject.id}, Instance = ${Instance.id})`);
        return { status: created.status, FileContext: null };
      }
      fileContext = created.FileContext!;
      fileContext.Data.FileID = id.FileId;
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, `[CG]: Setting file context ${fileContext.id} (FileObject = ${FileObject.id}, Instance = ${Instance.id})`);
      const oldFileContext = { value: null as PFLT_CONTEXT<object> | null };
      status = yield* FltSetFileContext(Instance, FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS, fileContext, oldFileContext);
      if (!NT_SUCCESS(status)) {
        CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Failed to set file context with status 0x${status.toString(16)}. (FileObject = ${FileObject.id}, Instance = ${Instance.id}, rq = ${Cbd.Iopb.MajorFunction})`);
        // FltSetFileContext failed: the context we allocated goes.
        CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, `[CG]: Releasing file context ${fileContext.id} (FileObject = ${FileObject.id}, Instance = ${Instance.id})`);
        FltReleaseContext(fileContext);
        if (status !== STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
          CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Failed to set file context with status 0x${status.toString(16)} != STATUS_FLT_CONTEXT_ALREADY_DEFINED. (FileObject = ${FileObject.id}, Instance = ${Instance.id})`);
          return { status, FileContext: null };
        }
        // Race: someone set a context after we queried it; use theirs.
        CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Race: File context already defined. Retaining old file context ${oldFileContext.value!.id} (FileObject = ${FileObject.id}, Instance = ${Instance.id})`);
        fileContext = oldFileContext.value as PCG_FILE_CONTEXT;
        status = STATUS_SUCCESS;
      }
    }
    return { status, FileContext: NT_SUCCESS(status) ? fileContext : null };
  }

  /** CgCreateFileContext: a zeroed file context. */
  function CgCreateFileContext(): { status: NTSTATUS; FileContext: PCG_FILE_CONTEXT | null } {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG]: Allocating file context ');
    const a = FltAllocateContext<CG_FILE_CONTEXT>(Globals.gFilterInstance!, FLT_FILE_CONTEXT, CG_FILE_CONTEXT_SIZE, PagedPool);
    if (!NT_SUCCESS(a.status)) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Failed to allocate file context with status 0x${a.status.toString(16)} `);
      return { status: a.status, FileContext: null };
    }
    // RtlZeroMemory
    Object.assign(a.context!.Data, { FileID: { FileId64: { Value: 0, UpperZeroes: 0 } }, Dirty: false, TxDirty: false, TxContext: { value: null } } satisfies CG_FILE_CONTEXT);
    return { status: STATUS_SUCCESS, FileContext: a.context };
  }

  /** CgFindOrCreateTransactionContext: get the transaction context, or create one (referencing the transaction) and set it. */
  function* CgFindOrCreateTransactionContext(FltObjects: FLT_RELATED_OBJECTS): Blocking<{ status: NTSTATUS; TransactionContext: PCG_TRANSACTION_CONTEXT | null }> {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_DEBUG, '[CG]: CgFindOrCreateTransactionContext entered. ');
    const got = yield* FltGetTransactionContext<CG_TRANSACTION_CONTEXT>(FltObjects.Instance, FltObjects.Transaction!);
    if (NT_SUCCESS(got.status)) return { status: STATUS_SUCCESS, TransactionContext: got.context };
    if (got.status !== STATUS_NOT_FOUND) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Failed to get transaction context with status 0x${got.status.toString(16)} `);
      return { status: got.status, TransactionContext: null };
    }
    const pFastMutex = CgAllocateMutex();
    if (pFastMutex === null) return { status: STATUS_INSUFFICIENT_RESOURCES, TransactionContext: null };
    const a = FltAllocateContext<CG_TRANSACTION_CONTEXT>(Globals.gFilterInstance!, FLT_TRANSACTION_CONTEXT, CG_TRANSACTION_CONTEXT_SIZE, PagedPool);
    if (!NT_SUCCESS(a.status)) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Failed to allocate transaction context with status 0x${a.status.toString(16)} `);
      CgFreeMutex(pFastMutex);
      return { status: a.status, TransactionContext: null };
    }
    const transactionContext = a.context!;
    ObReferenceObject(FltObjects.Transaction!);
    Object.assign(transactionContext.Data, { Transaction: FltObjects.Transaction, Enlisted: false, ListDrained: false, ScListHead: [], Mutex: pFastMutex } satisfies CG_TRANSACTION_CONTEXT);
    yield* ExInitializeFastMutex(pFastMutex);
    const oldTransactionContext = { value: null as PFLT_CONTEXT<object> | null };
    const status = yield* FltSetTransactionContext(FltObjects.Instance, FltObjects.Transaction!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, transactionContext, oldTransactionContext);
    if (NT_SUCCESS(status)) return { status: STATUS_SUCCESS, TransactionContext: transactionContext };
    FltReleaseContext(transactionContext);
    if (status !== STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, `[CG]: Failed to set transaction context with status 0x${status.toString(16)} `);
      return { status, TransactionContext: null };
    }
    return { status: STATUS_SUCCESS, TransactionContext: oldTransactionContext.value as PCG_TRANSACTION_CONTEXT };
  }

  return { ContextRegistration, CgFindOrCreateFileContext, CgFindOrCreateTransactionContext };
}
