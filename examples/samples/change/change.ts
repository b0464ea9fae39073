/**
 * change.c, ported: a transaction-aware dirty-file tracker (wdk-samples "8. change"). Writes and
 * the other modifying operations mark the file context Dirty, or TxDirty when the file context is
 * enlisted in a transaction; the KTM notification propagates TxDirty → Dirty on commit
 * (COMMIT_FINALIZE) and drops it on rollback; pre-close reports a dirty non-transacted file.
 * INF: "FSFilter Activity Monitor", altitude 370160, "change Instance", Flags 0x0. Each call of
 * change() is the driver loaded on one machine, with its own globals.
 */
import {
  ACCESS_SYSTEM_SECURITY,
  DELETE,
  ExAcquireFastMutex,
  ExReleaseFastMutex,
  FILE_APPEND_DATA,
  FILE_INFORMATION_CLASS,
  FILE_WRITE_ATTRIBUTES,
  FILE_WRITE_DATA,
  FILE_WRITE_EA,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FltEnlistInTransaction,
  FltGetFileContext,
  FltGetTransactionContext,
  FltReferenceContext,
  FltRegisterFilter,
  FltReleaseContext,
  FltStartFiltering,
  FltUnregisterFilter,
  FSCTL_OFFLOAD_WRITE,
  InterlockedCompareExchangePointer,
  InterlockedExchangePointer,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_OPERATION_END,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_WRITE,
  NT_SUCCESS,
  OBJ_KERNEL_HANDLE,
  ObOpenObjectByPointer,
  STATUS_FLT_ALREADY_ENLISTED,
  STATUS_NOT_SUPPORTED,
  STATUS_REPARSE,
  STATUS_SUCCESS,
  TmTransactionObjectType,
  TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  TRANSACTION_NOTIFY_ROLLBACK,
  TransactionBasicInformation,
  TransactionOutcomeAborted,
  TransactionOutcomeCommitted,
  TransactionOutcomeUndetermined,
  WRITE_DAC,
  WRITE_OWNER,
  ZwClose,
  ZwQueryInformationTransaction,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_OPERATION_REGISTRATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_CONTEXT,
  type PKTRANSACTION,
} from '../../../src/index.js';
import { contextRoutines } from './context.js';
import {
  CG_DBG_PRINT,
  CGDBG_TRACE_DEBUG,
  CGDBG_TRACE_ERROR,
  CGDBG_TRACE_ROUTINES,
  fileIdText,
  type CG_FILE_CONTEXT,
  type CG_GLOBAL_DATA,
  type CG_TRANSACTION_CONTEXT,
  type PCG_FILE_CONTEXT,
  type PCG_TRANSACTION_CONTEXT,
} from './changeStruc.js';

export const CHANGE_NAME = 'change';

/** What change.inf writes under the service's Instances key. */
export const CHANGE_INSTANCES: InstancesKey = { DefaultInstance: 'change Instance', Instances: { 'change Instance': { Altitude: '370160', Flags: 0x0 } } };

/** ntifs.h FSCTL codes change treats as modifying, and the savepoint FSCTL it refuses. */
const FSCTL_WRITE_RAW_ENCRYPTED = 0x000900df;
const FSCTL_SET_ZERO_DATA = 0x000980c8;
const FSCTL_TXFS_SAVEPOINT_INFORMATION = 0x00094278;

export interface ChangeImage {
  readonly Globals: CG_GLOBAL_DATA;
  readonly FilterRegistration: FLT_REGISTRATION;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
}

export function change(gTraceFlags = CGDBG_TRACE_DEBUG | CGDBG_TRACE_ERROR): ChangeImage {
  const Globals: CG_GLOBAL_DATA = { gFilterInstance: null, gTraceFlags, DbgPrint: [] };
  const { ContextRegistration, CgFindOrCreateFileContext, CgFindOrCreateTransactionContext } = contextRoutines(Globals);

  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    { MajorFunction: IRP_MJ_CREATE, Flags: 0, PreOperation: CgPreCreate, PostOperation: CgPostCreate },
    { MajorFunction: IRP_MJ_CLOSE, Flags: 0, PreOperation: CgPreClose },
    { MajorFunction: IRP_MJ_WRITE, Flags: 0, PreOperation: CgPreOperationCallback },
    { MajorFunction: IRP_MJ_SET_INFORMATION, Flags: 0, PreOperation: CgPreOperationCallback },
    { MajorFunction: IRP_MJ_FILE_SYSTEM_CONTROL, Flags: 0, PreOperation: CgPreFsControl },
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: CgUnload,
    InstanceSetupCallback: CgInstanceSetup,
    InstanceQueryTeardownCallback: CgInstanceQueryTeardown,
    InstanceTeardownStartCallback: CgInstanceTeardownStart,
    InstanceTeardownCompleteCallback: CgInstanceTeardownComplete,
    TransactionNotificationCallback: CgKtmNotificationCallback,
  };

  function CgInstanceSetup(): NTSTATUS {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgInstanceSetup: Entered');
    return STATUS_SUCCESS;
  }

  function CgInstanceQueryTeardown(): NTSTATUS {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgInstanceQueryTeardown: Entered');
    return STATUS_SUCCESS;
  }

  function CgInstanceTeardownStart(): void {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgInstanceTeardownStart: Entered');
  }

  function CgInstanceTeardownComplete(): void {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgInstanceTeardownComplete: Entered');
  }

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] DriverEntry: Entered');
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    let status = registered.status;
    if (NT_SUCCESS(status)) {
      Globals.gFilterInstance = registered.filter;
      status = yield* FltStartFiltering(Globals.gFilterInstance!);
      if (!NT_SUCCESS(status)) yield* FltUnregisterFilter(Globals.gFilterInstance!);
    }
    return status;
  }

  function* CgUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgUnload: Entered');
    yield* FltUnregisterFilter(Globals.gFilterInstance!);
    Globals.gFilterInstance = null;
    return STATUS_SUCCESS;
  }

  /** CgOperationsNeedDirty: the operations that change a file's contents. */
  function CgOperationsNeedDirty(Data: FLT_CALLBACK_DATA): boolean {
    const iopb = Data.Iopb;
    switch (iopb.MajorFunction) {
      case IRP_MJ_WRITE:
        return true;
      case IRP_MJ_FILE_SYSTEM_CONTROL: {
        const code = (iopb.Parameters as { FileSystemControl?: { FsControlCode?: number } }).FileSystemControl?.FsControlCode;
        return code === FSCTL_OFFLOAD_WRITE || code === FSCTL_WRITE_RAW_ENCRYPTED || code === FSCTL_SET_ZERO_DATA;
      }
      case IRP_MJ_SET_INFORMATION: {
        const infoClass = (iopb.Parameters as { SetFileInformation?: { FileInformationClass: number } }).SetFileInformation?.FileInformationClass;
        return infoClass === FILE_INFORMATION_CLASS.FileEndOfFileInformation || infoClass === FILE_INFORMATION_CLASS.FileValidDataLengthInformation;
      }
      default:
        return false;
    }
  }

  /** CgQueryTransactionOutcome: ask KTM how the transaction ended, through a kernel handle. */
  function* CgQueryTransactionOutcome(Transaction: PKTRANSACTION): Blocking<{ status: NTSTATUS; TxOutcome: number }> {
    const opened = ObOpenObjectByPointer(Transaction, OBJ_KERNEL_HANDLE, null, 0x80000000 /* GENERIC_READ */, TmTransactionObjectType, 'KernelMode');
    if (!NT_SUCCESS(opened.status)) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, '[CG] CgQueryTransactionOutcome: ObOpenObjectByPointer failed.');
      return { status: opened.status, TxOutcome: TransactionOutcomeUndetermined };
    }
    const r = ZwQueryInformationTransaction(opened.Handle!, TransactionBasicInformation, 24);
    let TxOutcome = TransactionOutcomeUndetermined;
    if (!NT_SUCCESS(r.status)) CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, '[CG] CgQueryTransactionOutcome: ObOpenObjectByPointer failed.');
    else TxOutcome = r.TransactionInformation!.Outcome;
    yield* ZwClose(opened.Handle!);
    return { status: r.status, TxOutcome };
  }

  /**
   * CgPropagateDirty: a commit ORs TxDirty into Dirty (notifications may arrive out of order, so
   * never overwrite Dirty); TxDirty is cleared whatever the outcome.
   */
  function CgPropagateDirty(FileContext: CG_FILE_CONTEXT, TransactionOutcome: number): void {
    if (TransactionOutcome === TransactionOutcomeCommitted) FileContext.Dirty ||= FileContext.TxDirty;
    FileContext.TxDirty = false;
  }

  /**
   * CgProcessPreviousTransaction (post-create of a writer): enlist the file's transaction if the
   * open has one, and move the file context from the transaction it was in before, whose outcome
   * decides what its TxDirty becomes. The five cases of the C, by (old TxContext, new):
   * 1 (NULL, B), 2 (A, NULL), 3 (A, B), 4 (A, A), 5 (NULL, NULL).
   */
  function* CgProcessPreviousTransaction(FltObjects: FLT_RELATED_OBJECTS, FileContext: PCG_FILE_CONTEXT): Blocking<NTSTATUS> {
    let txOutcome = TransactionOutcomeUndetermined;
    let status: NTSTATUS = STATUS_SUCCESS;
    let transactionContext: PCG_TRANSACTION_CONTEXT | null = null;
    const fileContext = FileContext.Data;
    cleanup: {
      if (FltObjects.Transaction !== null) {
        const found = yield* CgFindOrCreateTransactionContext(FltObjects);
        status = found.status;
        if (!NT_SUCCESS(status)) {
          CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, '[CG] CgProcessPreviousTransaction: CgFindOrCreateTransactionContext FAILED');
          transactionContext = null;
          break cleanup;
        }
        transactionContext = found.TransactionContext!;
        // Enlist it if we have not.
        if (!transactionContext.Data.Enlisted) {
          status = yield* FltEnlistInTransaction(FltObjects.Instance, FltObjects.Transaction, transactionContext, TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK);
          if (!NT_SUCCESS(status) && status !== STATUS_FLT_ALREADY_ENLISTED) {
            CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, '[CG] CgProcessPreviousTransaction: FltEnlistInTransaction FAILED!!!!');
            break cleanup;
          }
          status = STATUS_SUCCESS;
          transactionContext.Data.Enlisted = true;
        }
      }
      // Synchronize the replacement of FileContext->TxContext with the KTM callback.
      const oldTxCtx = yield* InterlockedExchangePointer(fileContext.TxContext, transactionContext);
      if (oldTxCtx !== transactionContext) {
        if (oldTxCtx === null) {
          // case 1: the pointer we stored holds a reference; the list holds one on the file context (Q).
          FltReferenceContext(transactionContext!);
          yield* ExAcquireFastMutex(transactionContext!.Data.Mutex!);
          if (!transactionContext!.Data.ListDrained) {
            FltReferenceContext(FileContext); // Q
            transactionContext!.Data.ScListHead.push(FileContext); // InsertTailList
          }
          yield* ExReleaseFastMutex(transactionContext!.Data.Mutex!);
          break cleanup;
        }
        // cases 2, 3: one transacted writer per file, so the previous transaction has ended; its outcome decides.
        const q = yield* CgQueryTransactionOutcome(oldTxCtx.Data.Transaction!);
        status = q.status;
        txOutcome = q.TxOutcome;
        if (!NT_SUCCESS(status)) CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, '[CG] CgProcessPreviousTransaction: CgQueryTransactionOutcome FAILED!!!!');
        yield* ExAcquireFastMutex(oldTxCtx.Data.Mutex!);
        removeEntryList(oldTxCtx.Data.ScListHead, FileContext);
        yield* ExReleaseFastMutex(oldTxCtx.Data.Mutex!);
        CgPropagateDirty(fileContext, txOutcome);
        if (transactionContext !== null) {
          // case 3: Q moves to the new list, unless that one is drained already.
          FltReferenceContext(transactionContext);
          yield* ExAcquireFastMutex(transactionContext.Data.Mutex!);
          if (!transactionContext.Data.ListDrained) transactionContext.Data.ScListHead.push(FileContext);
          else FltReleaseContext(FileContext);
          yield* ExReleaseFastMutex(transactionContext.Data.Mutex!);
        } else {
          // case 2: release Q.
          FltReleaseContext(FileContext);
        }
        // The reference the file context's pointer held on the old transaction context.
        FltReleaseContext(oldTxCtx);
      }
      // cases 4 and 5: nothing to do.
    }
    // Cleanup: the reference CgFindOrCreateTransactionContext returned.
    if (transactionContext !== null) FltReleaseContext(transactionContext);
    return status;
  }

  /** CgProcessTransactionOutcome (KTM callback): drain the transaction's file contexts, propagating TxDirty. */
  function* CgProcessTransactionOutcome(TransactionContext: PCG_TRANSACTION_CONTEXT, TransactionOutcome: number): Blocking<NTSTATUS> {
    const tx = TransactionContext.Data;
    yield* ExAcquireFastMutex(tx.Mutex!);
    for (const fileContext of [...tx.ScListHead]) {
      const oldTxCtx = yield* InterlockedCompareExchangePointer(fileContext.Data.TxContext, null, TransactionContext);
      if (oldTxCtx === TransactionContext) {
        // fileContext->TxContext is NULL now: the entry, its pointer reference and Q go.
        removeEntryList(tx.ScListHead, fileContext);
        CgPropagateDirty(fileContext.Data, TransactionOutcome);
        FltReleaseContext(oldTxCtx);
        if (fileContext.Data.Dirty) {
          CG_DBG_PRINT(Globals, CGDBG_TRACE_DEBUG, `[CG] CgProcessTransactionOutcome: Transacted file ID ${fileIdText(fileContext.Data.FileID)} is dirty`);
        }
        FltReleaseContext(fileContext);
      }
    }
    tx.ListDrained = true;
    yield* ExReleaseFastMutex(tx.Mutex!);
    return STATUS_SUCCESS;
  }

  /** CgPreOperationCallback: a modifying operation marks the file Dirty, or TxDirty inside its transaction. */
  function* CgPreOperationCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgPreOperationCallback: Entered');
    if (!CgOperationsNeedDirty(Data)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    const got = yield* FltGetFileContext<CG_FILE_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (!NT_SUCCESS(got.status)) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, `[CG] CgPreOperationCallback: get file context failed. rq: ${Data.Iopb.MajorFunction}`);
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    const fileContext = got.context!;
    if (fileContext.Data.TxContext.value !== null) {
      // The checked build's assertions: the operation's transaction context is the file's.
      if (FltObjects.Transaction !== null) {
        const statusTx = yield* FltGetTransactionContext(FltObjects.Instance, FltObjects.Transaction);
        if (!NT_SUCCESS(statusTx.status)) CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, 'Transaction context should not fail, because it is supposed to be created at post create.');
        else if ((statusTx.context as PFLT_CONTEXT<object> | null) !== fileContext.Data.TxContext.value) CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, "The file's TxCtx should be identical with the target TxCtx.");
        if (NT_SUCCESS(statusTx.status)) FltReleaseContext(statusTx.context!);
      }
      fileContext.Data.TxDirty = true;
    } else {
      fileContext.Data.Dirty = true;
    }
    FltReleaseContext(fileContext);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  /** CgPreFsControl: savepoints are not supported; otherwise as any modifying operation. */
  function* CgPreFsControl(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    if ((Data.Iopb.Parameters as { FileSystemControl?: { FsControlCode?: number } }).FileSystemControl?.FsControlCode === FSCTL_TXFS_SAVEPOINT_INFORMATION) {
      Data.IoStatus.Status = STATUS_NOT_SUPPORTED;
      return FLT_PREOP_COMPLETE;
    }
    return yield* CgPreOperationCallback(Data, FltObjects);
  }

  /** CgPreCreate: SYNCHRONIZE, so post-create runs below DISPATCH_LEVEL (the C's reason). */
  function CgPreCreate(): FLT_PREOP_CALLBACK_STATUS {
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgPreOperationCallback: Entered');
    return FLT_PREOP_SYNCHRONIZE;
  }

  /** CgPostCreate: find or create the file context; a writer's open processes the previous transaction. */
  function* CgPostCreate(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    const status = Data.IoStatus.Status;
    if (!NT_SUCCESS(status) || status === STATUS_REPARSE) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgPostCreate: file creation failed');
      return FLT_POSTOP_FINISHED_PROCESSING;
    }
    const found = yield* CgFindOrCreateFileContext(Data);
    if (!NT_SUCCESS(found.status)) {
      // Non-intrusive: a context failure lets the create succeed (a strict tracker would FltCancelFileOpen).
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgPostCreate: find file context failed. ');
      return FLT_POSTOP_FINISHED_PROCESSING;
    }
    const fileContext = found.FileContext!;
    const access = (Data.Iopb.Parameters as { Create: { SecurityContext: { DesiredAccess: number } } }).Create.SecurityContext.DesiredAccess;
    if ((access & (FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | WRITE_DAC | WRITE_OWNER | ACCESS_SYSTEM_SECURITY)) !== 0) {
      const processed = yield* CgProcessPreviousTransaction(FltObjects, fileContext);
      if (!NT_SUCCESS(processed)) CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, '[CG] CgPostCreate: CgProcessTransaction FAILED!! ');
    }
    FltReleaseContext(fileContext);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /** CgPreClose: report a dirty file closed outside a transaction. */
  function* CgPreClose(_Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    const got = yield* FltGetFileContext<CG_FILE_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
    if (!NT_SUCCESS(got.status)) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgPreClose: find file context failed.');
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    const fileContext = got.context!;
    if (FltObjects.Transaction === null && fileContext.Data.Dirty) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_DEBUG, `[CG] CgPreClose: Non-transacted file ID ${fileIdText(fileContext.Data.FileID)} is dirty`);
    }
    FltReleaseContext(fileContext);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  /** CgKtmNotificationCallback: COMMIT_FINALIZE → committed, otherwise (ROLLBACK) aborted. */
  function* CgKtmNotificationCallback(FltObjects: FLT_RELATED_OBJECTS, TransactionContext: PFLT_CONTEXT<object>, TransactionNotification: number): Blocking<NTSTATUS> {
    void FltObjects;
    CG_DBG_PRINT(Globals, CGDBG_TRACE_ROUTINES, '[CG] CgKtmNotificationCallback: Entered');
    if ((TransactionNotification & (TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK)) === 0) {
      CG_DBG_PRINT(Globals, CGDBG_TRACE_ERROR, '[CG] CgKtmNotificationCallback: The expected type of notifications registered at FltEnlistInTransaction(...).');
    }
    if (TransactionContext !== null) {
      const outcome = (TransactionNotification & TRANSACTION_NOTIFY_COMMIT_FINALIZE) !== 0 ? TransactionOutcomeCommitted : TransactionOutcomeAborted;
      return yield* CgProcessTransactionOutcome(TransactionContext as PCG_TRANSACTION_CONTEXT, outcome);
    }
    return STATUS_SUCCESS;
  }

  return { Globals, FilterRegistration, DriverEntry };
}

/** RemoveEntryList on the array that stands for a LIST_ENTRY list. */
function removeEntryList(list: PCG_FILE_CONTEXT[], entry: PCG_FILE_CONTEXT): void {
  const at = list.indexOf(entry);
  if (at >= 0) list.splice(at, 1);
}

export type { CG_TRANSACTION_CONTEXT };
