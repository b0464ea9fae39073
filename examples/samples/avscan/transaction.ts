/**
 * avscan.c, the transaction routines (§22.4): a writer's open in a transaction puts the stream in
 * that transaction's writer view — scans and modifications go to TxState — and links its stream
 * context into the transaction context's list; the KTM callback (COMMIT_FINALIZE or ROLLBACK)
 * drains the list, propagating TxState into State on commit and discarding it on rollback.
 *
 * References, as the C counts them: StreamContext->TxContext holds one on the transaction
 * context; each list entry holds one on its stream context (the C's "Q"). Whoever clears TxContext
 * (the KTM callback's compare-exchange, or the next writer's exchange in
 * AvProcessPreviousTransaction) removes the entry and drops both.
 */
import {
  FLT_ASSERT,
  FltEnlistInTransaction,
  FltReferenceContext,
  FltReleaseContext,
  InterlockedCompareExchangePointer,
  InterlockedExchangePointer,
  NT_SUCCESS,
  OBJ_KERNEL_HANDLE,
  ObOpenObjectByPointer,
  STATUS_FLT_ALREADY_ENLISTED,
  STATUS_SUCCESS,
  TmTransactionObjectType,
  TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  TRANSACTION_NOTIFY_ROLLBACK,
  TransactionBasicInformation,
  TransactionOutcomeAborted,
  TransactionOutcomeCommitted,
  ZwClose,
  ZwQueryInformationTransaction,
  type Blocking,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFLT_CONTEXT,
  type PKTRANSACTION,
} from '../../../src/index.js';
import { AV_TXCTX_ENLISTED, AV_TXCTX_LISTDRAINED, type AV_FILE_INFECTED_STATE, type AV_STREAM_CONTEXT, type AV_TRANSACTION_CONTEXT, type AvGlobals } from './avscanTypes.js';
import { AvAcquireResourceExclusive, AvReleaseResource } from './utility.js';

type PAV_STREAM_CONTEXT = PFLT_CONTEXT<AV_STREAM_CONTEXT>;
type PAV_TRANSACTION_CONTEXT = PFLT_CONTEXT<AV_TRANSACTION_CONTEXT>;

const GENERIC_READ = 0x80000000;

/** The states AvPropagateFileState knows how to carry over (AV_FILE_INFECTED_STATE minus AvFileUnknown). */
const PROPAGATED: readonly AV_FILE_INFECTED_STATE[] = ['AvFileModified', 'AvFileInfected', 'AvFileNotInfected'];

/** RemoveEntryList on the array that stands for ScListHead. */
function RemoveEntryList(list: PAV_STREAM_CONTEXT[], entry: PAV_STREAM_CONTEXT): void {
  const at = list.indexOf(entry);
  if (at >= 0) list.splice(at, 1);
}

export function transactionRoutines(Globals: AvGlobals, R: { AvFindOrCreateTransactionContext(FltObjects: FLT_RELATED_OBJECTS): Blocking<{ status: NTSTATUS; TransactionContext: PAV_TRANSACTION_CONTEXT | null }> }) {
  /** AvQueryTransactionOutcome: ask KTM how the transaction ended, through a kernel handle to it. */
  function* AvQueryTransactionOutcome(Transaction: PKTRANSACTION): Blocking<{ status: NTSTATUS; TxOutcome: number | null }> {
    const opened = ObOpenObjectByPointer(Transaction, OBJ_KERNEL_HANDLE, null, GENERIC_READ, TmTransactionObjectType, 'KernelMode');
    if (!NT_SUCCESS(opened.status)) {
      Globals.DbgPrint.push('[AV] AvQueryTransactionOutcome: ObOpenObjectByPointer failed.');
      return { status: opened.status, TxOutcome: null };
    }
    const r = ZwQueryInformationTransaction(opened.Handle!, TransactionBasicInformation, 24);
    let TxOutcome: number | null = null;
    if (!NT_SUCCESS(r.status)) Globals.DbgPrint.push('[AV] AvQueryTransactionOutcome: ObOpenObjectByPointer failed.');
    else TxOutcome = r.TransactionInformation!.Outcome;
    yield* ZwClose(opened.Handle!);
    return { status: r.status, TxOutcome };
  }

  /**
   * AvPropagateFileState: on commit the transacted view's state becomes the file's (a scan still
   * running counts as a modification: be conservative); either way TxState goes back to Modified.
   */
  function AvPropagateFileState(StreamContext: PAV_STREAM_CONTEXT, TransactionOutcome: number): void {
    const c = StreamContext.Data;
    if (TransactionOutcome === TransactionOutcomeCommitted) {
      const oldTxState = c.TxState;
      c.TxState = 'AvFileModified';
      if (PROPAGATED.includes(oldTxState)) c.State = oldTxState;
      else if (oldTxState === 'AvFileScanning') c.State = 'AvFileModified';
      else FLT_ASSERT(false, 'AvPropagateFileState does not handle the state');
    }
    // SET_FILE_TX_MODIFIED: committed or not, the transacted view starts over.
    c.TxState = 'AvFileModified';
  }

  /**
   * AvProcessTransactionOutcome (the KTM callback's work): under the transaction context's lock,
   * every stream context still pointing at this transaction is unlinked — the compare-exchange
   * loses to a writer's AvProcessPreviousTransaction that moved the stream first — and its state
   * propagated; then the list is marked drained so no later open links into it.
   */
  function* AvProcessTransactionOutcome(TransactionContext: PAV_TRANSACTION_CONTEXT, TransactionOutcome: number): Blocking<NTSTATUS> {
    const tx = TransactionContext.Data;
    yield* AvAcquireResourceExclusive(tx.Resource!);
    for (const streamContext of [...tx.ScListHead]) {
      const oldTxCtx = yield* InterlockedCompareExchangePointer(streamContext.Data.TxContext, null, TransactionContext);
      if (oldTxCtx === TransactionContext) {
        RemoveEntryList(tx.ScListHead, streamContext);
        AvPropagateFileState(streamContext, TransactionOutcome);
        FltReleaseContext(oldTxCtx);
        FltReleaseContext(streamContext);
      }
    }
    tx.Flags |= AV_TXCTX_LISTDRAINED;
    yield* AvReleaseResource(tx.Resource!);
    return STATUS_SUCCESS;
  }

  /**
   * AvProcessPreviousTransaction (post-create of a writer): enlist the open's transaction if it has
   * one, then swap the stream's TxContext for it. The C's five cases by (old, new): 1 (NULL, B) links
   * the stream into B; 2 (A, NULL) and 3 (A, B) settle A first by its outcome (a writer could open,
   * so A has ended — TxF allows one transacted writer per file); 4 (A, A) and 5 (NULL, NULL) do
   * nothing.
   */
  function* AvProcessPreviousTransaction(FltObjects: FLT_RELATED_OBJECTS, StreamContext: PAV_STREAM_CONTEXT): Blocking<NTSTATUS> {
    let status: NTSTATUS = STATUS_SUCCESS;
    let transactionContext: PAV_TRANSACTION_CONTEXT | null = null;
    cleanup: {
      if (FltObjects.Transaction !== null) {
        const found = yield* R.AvFindOrCreateTransactionContext(FltObjects);
        status = found.status;
        if (!NT_SUCCESS(status)) {
          Globals.DbgPrint.push('[AV] AvProcessPreviousTransaction: AvFindOrCreateTransactionContext FAILED');
          transactionContext = null;
          break cleanup;
        }
        transactionContext = found.TransactionContext!;
        if ((transactionContext.Data.Flags & AV_TXCTX_ENLISTED) === 0) {
          status = yield* FltEnlistInTransaction(FltObjects.Instance, FltObjects.Transaction, transactionContext, TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK);
          if (!NT_SUCCESS(status) && status !== STATUS_FLT_ALREADY_ENLISTED) {
            Globals.DbgPrint.push('[AV] AvProcessPreviousTransaction: FltEnlistInTransaction FAILED!!!!');
            break cleanup;
          }
          status = STATUS_SUCCESS;
          transactionContext.Data.Flags |= AV_TXCTX_ENLISTED;
        }
      }
      // Synchronize the replacement of StreamContext->TxContext with the KTM callback.
      const oldTxCtx = yield* InterlockedExchangePointer(StreamContext.Data.TxContext, transactionContext);
      if (oldTxCtx === transactionContext) break cleanup; // cases 4, 5
      // If the outcome cannot be queried, assume committed: a redundant scan, never a missed one.
      let txOutcome = TransactionOutcomeCommitted;
      if (oldTxCtx === null) {
        // case 1: the pointer now holds a reference on B; the list entry holds one on the stream (Q).
        FltReferenceContext(transactionContext!);
        yield* AvAcquireResourceExclusive(transactionContext!.Data.Resource!);
        if ((transactionContext!.Data.Flags & AV_TXCTX_LISTDRAINED) === 0) {
          FltReferenceContext(StreamContext); // Q
          transactionContext!.Data.ScListHead.push(StreamContext); // InsertTailList
        }
        yield* AvReleaseResource(transactionContext!.Data.Resource!);
        break cleanup;
      }
      // cases 2, 3
      const q = yield* AvQueryTransactionOutcome(oldTxCtx.Data.Transaction!);
      status = q.status;
      if (!NT_SUCCESS(status)) Globals.DbgPrint.push('[AV] AvProcessPreviousTransaction: AvQueryTransactionOutcome FAILED!!!!');
      else txOutcome = q.TxOutcome!;
      yield* AvAcquireResourceExclusive(oldTxCtx.Data.Resource!);
      RemoveEntryList(oldTxCtx.Data.ScListHead, StreamContext);
      yield* AvReleaseResource(oldTxCtx.Data.Resource!);
      AvPropagateFileState(StreamContext, txOutcome);
      if (transactionContext !== null) {
        // case 3: Q moves to B's list, unless B's list is drained already.
        FltReferenceContext(transactionContext);
        yield* AvAcquireResourceExclusive(transactionContext.Data.Resource!);
        if ((transactionContext.Data.Flags & AV_TXCTX_LISTDRAINED) === 0) transactionContext.Data.ScListHead.push(StreamContext);
        else FltReleaseContext(StreamContext);
        yield* AvReleaseResource(transactionContext.Data.Resource!);
      } else {
        // case 2: release Q.
        FltReleaseContext(StreamContext);
      }
      // The reference the stream's pointer held on A.
      FltReleaseContext(oldTxCtx);
    }
    // The reference AvFindOrCreateTransactionContext returned.
    if (transactionContext !== null) FltReleaseContext(transactionContext);
    return status;
  }

  /** AvKtmNotificationCallback: COMMIT_FINALIZE → committed; otherwise (ROLLBACK) aborted. */
  function* AvKtmNotificationCallback(_FltObjects: FLT_RELATED_OBJECTS, TransactionContext: PFLT_CONTEXT<object>, TransactionNotification: number): Blocking<NTSTATUS> {
    FLT_ASSERT((TransactionNotification & (TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK)) !== 0, 'FlagOn(TransactionNotification, (TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK))');
    if (TransactionContext !== null) {
      const outcome = (TransactionNotification & TRANSACTION_NOTIFY_COMMIT_FINALIZE) !== 0 ? TransactionOutcomeCommitted : TransactionOutcomeAborted;
      return yield* AvProcessTransactionOutcome(TransactionContext as PAV_TRANSACTION_CONTEXT, outcome);
    }
    return STATUS_SUCCESS;
  }

  return { AvQueryTransactionOutcome, AvPropagateFileState, AvProcessTransactionOutcome, AvProcessPreviousTransaction, AvKtmNotificationCallback };
}
