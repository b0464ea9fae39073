/**
 * minispy.c's transaction routines (§22.4): SpyEnlistInTransaction (called from the post-create of a
 * create that succeeded inside a transaction), SpyKtmNotificationCallback (the registration's
 * TransactionNotificationCallback) and SpyDeleteTxfContext (the transaction context's cleanup).
 * A file of its own beside minispy.ts, which holds the rest of minispy.c.
 */
import {
  FLT_ASSERT,
  FLT_MAX_TRANSACTION_NOTIFICATIONS,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_TRANSACTION_CONTEXT,
  FltAllocateContext,
  FltDeleteContext,
  FltReleaseContext,
  InterlockedCompareExchange,
  NT_SUCCESS,
  PagedPool,
  STATUS_FLT_ALREADY_ENLISTED,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_RELATED_OBJECTS,
  type LONG,
  type NTSTATUS,
  type PFLT_CONTEXT,
} from '../../../src/index.js';
import { MINISPY_ENLISTED_IN_TRANSACTION, MINISPY_TRANSACTION_CONTEXT_SIZE, type MINISPY_DATA, type MINISPY_TRANSACTION_CONTEXT } from './mspyKern.js';
import type { mspyLib } from './mspyLib.js';

export function spyTransactions(MiniSpyData: MINISPY_DATA, lib: ReturnType<typeof mspyLib>) {
  /** SpyEnlistInTransaction's `static ULONG Sequence = 1`. */
  let Sequence = 1;

  /**
   * SpyEnlistInTransaction: get our transaction context, or allocate one and set it with
   * KEEP_IF_EXISTS (a racing create's wins), then enlist for every notification unless the context
   * says it already is; log a BEGIN record. STATUS_SUCCESS when enlisted now or before.
   */
  function* SpyEnlistInTransaction(FltObjects: FLT_RELATED_OBJECTS): Blocking<NTSTATUS> {
    let transactionContext: PFLT_CONTEXT<MINISPY_TRANSACTION_CONTEXT> | null = null;
    const oldTransactionContext = { value: null as PFLT_CONTEXT | null };
    let status: NTSTATUS;
    if (MiniSpyData.PFltGetTransactionContext === null) return STATUS_SUCCESS;
    const got = yield* MiniSpyData.PFltGetTransactionContext<MINISPY_TRANSACTION_CONTEXT>(FltObjects.Instance, FltObjects.Transaction!);
    status = got.status;
    ENLIST_IN_TRANSACTION: {
      if (NT_SUCCESS(status)) {
        transactionContext = got.context!;
        if ((transactionContext.Data.Flags.value & MINISPY_ENLISTED_IN_TRANSACTION) !== 0) {
          FltReleaseContext(transactionContext);
          return STATUS_SUCCESS;
        }
        break ENLIST_IN_TRANSACTION;
      }
      if (status !== STATUS_NOT_FOUND) return status;
      const allocated = FltAllocateContext<MINISPY_TRANSACTION_CONTEXT>(FltObjects.Filter, FLT_TRANSACTION_CONTEXT, MINISPY_TRANSACTION_CONTEXT_SIZE, PagedPool);
      status = allocated.status;
      if (!NT_SUCCESS(status)) return status;
      transactionContext = allocated.context!;
      // RtlZeroMemory, then the sequence number.
      Object.assign(transactionContext.Data, { Flags: { value: 0 }, Count: Sequence++ } satisfies MINISPY_TRANSACTION_CONTEXT);
      FLT_ASSERT(MiniSpyData.PFltSetTransactionContext !== null, 'MiniSpyData.PFltSetTransactionContext');
      status = yield* MiniSpyData.PFltSetTransactionContext!(FltObjects.Instance, FltObjects.Transaction!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, transactionContext, oldTransactionContext);
      if (!NT_SUCCESS(status)) {
        FltReleaseContext(transactionContext); // this frees the context
        if (status !== STATUS_FLT_CONTEXT_ALREADY_DEFINED) return status;
        FLT_ASSERT(oldTransactionContext.value !== null, 'oldTransactionContext != NULL');
        const old = oldTransactionContext.value as unknown as PFLT_CONTEXT<MINISPY_TRANSACTION_CONTEXT>;
        if ((old.Data.Flags.value & MINISPY_ENLISTED_IN_TRANSACTION) !== 0) {
          // Already enlisted: drop the reference FltSetTransactionContext put on it.
          FltReleaseContext(old);
          return STATUS_SUCCESS;
        }
        // The C's comment: the thread that set this context may still fail to enlist and delete
        // it while we enlist with it here; it chose to ignore that.
        transactionContext = old;
      }
    }
    // ENLIST_IN_TRANSACTION:
    FLT_ASSERT(MiniSpyData.PFltEnlistInTransaction !== null, 'MiniSpyData.PFltEnlistInTransaction');
    status = yield* MiniSpyData.PFltEnlistInTransaction!(FltObjects.Instance, FltObjects.Transaction!, transactionContext, FLT_MAX_TRANSACTION_NOTIFICATIONS);
    if (!NT_SUCCESS(status)) {
      // Already enlisted: keep the context. Otherwise delete it (only the first FltDeleteContext
      // drops the reference FltMgr took when it was set) before releasing ours.
      if (status === STATUS_FLT_ALREADY_ENLISTED) status = STATUS_SUCCESS;
      else FltDeleteContext(transactionContext);
      FltReleaseContext(transactionContext);
      return status;
    }
    // SetFlagInterlocked: future enlistments know this one succeeded.
    yield* SetFlagInterlocked(transactionContext.Data.Flags, MINISPY_ENLISTED_IN_TRANSACTION);
    FltReleaseContext(transactionContext);
    const recordList = lib.SpyNewRecord();
    if (recordList !== null) {
      lib.SpyLogTransactionNotify(FltObjects, recordList, 0);
      yield* lib.SpyLog(recordList);
    }
    return STATUS_SUCCESS;
  }

  /** SetFlagInterlocked (fltKernel.h: InterlockedOr), as a compare-exchange loop on the LONG. */
  function* SetFlagInterlocked(Flags: LONG, Flag: number): Blocking<void> {
    for (;;) {
      const old = Flags.value;
      if ((yield* InterlockedCompareExchange(Flags, old | Flag, old)) === old) return;
    }
  }

  /** SpyKtmNotificationCallback: one IRP_MJ_TRANSACTION_NOTIFY record per notification. */
  function* SpyKtmNotificationCallback(FltObjects: FLT_RELATED_OBJECTS, TransactionContext: PFLT_CONTEXT<object>, TransactionNotification: number): Blocking<NTSTATUS> {
    void TransactionContext;
    const recordList = lib.SpyNewRecord();
    if (recordList !== null) {
      lib.SpyLogTransactionNotify(FltObjects, recordList, TransactionNotification);
      yield* lib.SpyLog(recordList);
    }
    return STATUS_SUCCESS;
  }

  /** SpyDeleteTxfContext: nothing to free; checks that it is a transaction context FltMgr set up. */
  function SpyDeleteTxfContext(Context: PFLT_CONTEXT<object>, ContextType: number): void {
    FLT_ASSERT(FLT_TRANSACTION_CONTEXT === ContextType, 'FLT_TRANSACTION_CONTEXT == ContextType');
    FLT_ASSERT((Context as PFLT_CONTEXT<MINISPY_TRANSACTION_CONTEXT>).Data.Count !== 0, 'Context->Count != 0');
  }


  return { SpyEnlistInTransaction, SpyKtmNotificationCallback, SpyDeleteTxfContext };
}
