/**
 * The transaction routines a minifilter calls (§22.4, §15): FltEnlistInTransaction, the routines
 * that complete a pended notification (FltCommitComplete and its siblings),
 * FltSet/Get/DeleteTransactionContext, IoGetTransactionParameterBlock, and the object-manager
 * and KTM calls the change sample makes to learn an outcome (ObOpenObjectByPointer,
 * ZwQueryInformationTransaction). The application side (NtCreateTransaction, NtCommitTransaction,
 * NtRollbackTransaction) is at the bottom; sim.io exposes it.
 */
import { UsageError } from '../kernel/errors.js';
import { objectArgument, optionalObjectArgument, ulongArgument } from '../kernel/arguments.js';
import { preempt, waitFor, type Blocking } from '../kernel/effects.js';
import type { FileObject } from '../io/fileObject.js';
import { FLT_TRANSACTION_CONTEXT, contextTypeName } from '../wdk/contextConstants.js';
import {
  STATUS_FLT_ALREADY_ENLISTED,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_4,
  STATUS_NOT_FOUND,
  STATUS_OBJECT_TYPE_MISMATCH,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_TRANSACTION_NOT_ACTIVE,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import {
  FLT_VALID_TRANSACTION_NOTIFICATIONS,
  TransactionBasicInformation,
  TransactionOutcomeAborted,
  TransactionOutcomeCommitted,
  TransactionOutcomeUndetermined,
  TransactionStateCommittedNotify,
  TransactionStateNormal,
  TRANSACTION_NOTIFY_COMMIT,
  TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  TRANSACTION_NOTIFY_PREPARE,
  TRANSACTION_NOTIFY_PREPREPARE,
  TRANSACTION_NOTIFY_ROLLBACK,
  transactionNotifyName,
} from '../wdk/transactionConstants.js';
import { contextArgument, requireBelowDispatch } from './contextArguments.js';
import type { ContextObject } from './contextObject.js';
import { deleteContext, getContext, setContext, type GetContextResult, type PFLT_CONTEXT_OUT } from './contextSetGet.js';
import type { FilterManager } from './filterManager.js';
import type { InstanceObject } from './instanceObject.js';
import { fileObjectArgument, instanceArgument } from './objectArguments.js';
import { fail, requireThread } from './routineSupport.js';
import { startOutcome } from './transactionOutcome.js';
import { TransactionHandle as TransactionHandleObject, TransactionObject } from './transactionObjects.js';

/** Instance states from TeardownStart on: FltMgr enlists nothing more for it. */
const INSTANCE_GOING: ReadonlySet<string> = new Set(['TeardownStart', 'Draining', 'TeardownComplete', 'Detached', 'Declined', 'Freed']);

/** A PKTRANSACTION argument. */
export function transactionArgument(routine: string, value: unknown, name = 'Transaction'): TransactionObject {
  const tx = objectArgument(routine, name, value, TransactionObject, 'a PKTRANSACTION (FltObjects->Transaction)');
  if (tx.state === 'Deleted') throw tx.fltMgr.kernel.violation('TRANSACTION_USED_AFTER_DELETE', tx.id, `${routine} on ${tx}, whose last reference was released`);
  return tx;
}

// ---------------------------------------------------------------- enlistment

/**
 * FltEnlistInTransaction(Instance, Transaction, TransactionContext, NotificationMask): the
 * instance's TransactionNotificationCallback will be called for each bit of the mask. A scheduling
 * point. Fails with STATUS_FLT_ALREADY_ENLISTED (enlisted before), STATUS_FLT_DELETING_OBJECT
 * (instance tearing down), STATUS_INVALID_PARAMETER (no TransactionNotificationCallback),
 * STATUS_INVALID_PARAMETER_4 (mask zero or unknown bits), and, as KTM answers an enlistment in a
 * transaction that is no longer active, STATUS_TRANSACTION_NOT_ACTIVE ([model]).
 */
export function* FltEnlistInTransaction(Instance: InstanceObject, Transaction: TransactionObject, TransactionContext: ContextObject<object>, NotificationMask: number): Blocking<NTSTATUS> {
  const routine = 'FltEnlistInTransaction';
  const instance = instanceArgument(routine, Instance);
  const tx = transactionArgument(routine, Transaction);
  const context = contextArgument(routine, TransactionContext, 'TransactionContext');
  ulongArgument(routine, 'NotificationMask', NotificationMask);
  const fltMgr = instance.filter.fltMgr;
  requireThread(fltMgr, routine);
  yield* preempt();
  requireBelowDispatch(fltMgr, routine, instance.id);
  fltMgr.contexts.requireReferenced(context, routine);
  if (context.filter !== instance.filter) {
    throw fltMgr.kernel.violation('CONTEXT_OF_ANOTHER_FILTER', context.id, `${routine} by ${instance.filter.name} with ${context}, which belongs to ${context.filter.name}`);
  }
  if (context.ContextType !== FLT_TRANSACTION_CONTEXT) {
    fltMgr.kernel.reportViolation('CONTEXT_WRONG_TYPE', context.id, `${routine} with ${context}: it needs a ${contextTypeName(FLT_TRANSACTION_CONTEXT)}`);
    return fail(fltMgr, context.id, routine, STATUS_INVALID_PARAMETER, `${context} is not a ${contextTypeName(FLT_TRANSACTION_CONTEXT)}`);
  }
  if (instance.filter.registration.TransactionNotificationCallback == null) {
    return fail(fltMgr, instance, routine, STATUS_INVALID_PARAMETER, `${instance.filter.name} registered no TransactionNotificationCallback`);
  }
  if (NotificationMask === 0 || (NotificationMask & ~FLT_VALID_TRANSACTION_NOTIFICATIONS) !== 0) {
    return fail(fltMgr, instance, routine, STATUS_INVALID_PARAMETER_4, `NotificationMask ${transactionNotifyName(NotificationMask)}`);
  }
  if (INSTANCE_GOING.has(instance.state)) return fail(fltMgr, instance, routine, STATUS_FLT_DELETING_OBJECT, `${instance} is ${instance.state}`);
  if (tx.state !== 'Active') return fail(fltMgr, tx.id, routine, STATUS_TRANSACTION_NOT_ACTIVE, `${tx} is ${tx.state}`);
  if (tx.enlistmentOf(instance) !== undefined) return fail(fltMgr, tx.id, routine, STATUS_FLT_ALREADY_ENLISTED, `${instance} is enlisted in ${tx.id} already`);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'FltEnlistInTransaction', instance: instance.id, context: context.id, mask: NotificationMask });
  tx.enlistments.push({ instance, context, mask: NotificationMask });
  // FltMgr keeps the context for the callbacks until the enlistment ends.
  fltMgr.contexts.reference(context, routine);
  return STATUS_SUCCESS;
}

/**
 * The completion routines: (Instance, Transaction, TransactionContext?) → the pended notification of
 * `bit` goes on. The transaction's machine decides (src/machines/transaction.ts): a completion its
 * NotificationPending part does not take — none pending, another instance's, or another kind — is
 * TRANSACTION_COMPLETE_NOT_PENDING.
 */
function completeNotification(routine: string, bit: number, Instance: InstanceObject, Transaction: TransactionObject, TransactionContext: ContextObject<object> | null): NTSTATUS {
  const instance = instanceArgument(routine, Instance);
  const tx = transactionArgument(routine, Transaction);
  optionalObjectArgument(routine, 'TransactionContext', TransactionContext, Object, 'a PFLT_CONTEXT or NULL');
  const fltMgr = instance.filter.fltMgr;
  const kernel = fltMgr.kernel;
  if (tx.enlistmentOf(instance) === undefined) return fail(fltMgr, tx.id, routine, STATUS_NOT_FOUND, `${instance} is not enlisted in ${tx.id}`);
  const fact = { seq: kernel.log.nextSeq, time: kernel.now, object: tx.id, type: 'TransactionNotificationComplete', instance: instance.id, notification: bit, routine } as const;
  if (!tx.actor.getSnapshot().can(fact)) {
    throw kernel.violation(
      'TRANSACTION_COMPLETE_NOT_PENDING',
      tx.id,
      `${routine} by ${instance.filter.name} on ${tx.id}, but no ${transactionNotifyName(bit)} notification of ${instance.id} is pending (STATUS_PENDING was not returned for it)`,
    );
  }
  kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionNotificationComplete', instance: instance.id, notification: bit, routine });
  tx.wakeKtmWorker();
  return STATUS_SUCCESS;
}

/** FltCommitComplete(Instance, Transaction, TransactionContext): acknowledges a pended TRANSACTION_NOTIFY_COMMIT. */
export function FltCommitComplete(Instance: InstanceObject, Transaction: TransactionObject, TransactionContext: ContextObject<object> | null = null): NTSTATUS {
  return completeNotification('FltCommitComplete', TRANSACTION_NOTIFY_COMMIT, Instance, Transaction, TransactionContext);
}

/** FltCommitFinalizeComplete(Instance, Transaction, TransactionContext): a pended TRANSACTION_NOTIFY_COMMIT_FINALIZE. */
export function FltCommitFinalizeComplete(Instance: InstanceObject, Transaction: TransactionObject, TransactionContext: ContextObject<object> | null = null): NTSTATUS {
  return completeNotification('FltCommitFinalizeComplete', TRANSACTION_NOTIFY_COMMIT_FINALIZE, Instance, Transaction, TransactionContext);
}

/** FltPrepareComplete(Instance, Transaction, TransactionContext): a pended TRANSACTION_NOTIFY_PREPARE. */
export function FltPrepareComplete(Instance: InstanceObject, Transaction: TransactionObject, TransactionContext: ContextObject<object> | null = null): NTSTATUS {
  return completeNotification('FltPrepareComplete', TRANSACTION_NOTIFY_PREPARE, Instance, Transaction, TransactionContext);
}

/** FltPrePrepareComplete(Instance, Transaction, TransactionContext): a pended TRANSACTION_NOTIFY_PREPREPARE. */
export function FltPrePrepareComplete(Instance: InstanceObject, Transaction: TransactionObject, TransactionContext: ContextObject<object> | null = null): NTSTATUS {
  return completeNotification('FltPrePrepareComplete', TRANSACTION_NOTIFY_PREPREPARE, Instance, Transaction, TransactionContext);
}

/** FltRollbackComplete(Instance, Transaction, TransactionContext): a pended TRANSACTION_NOTIFY_ROLLBACK. */
export function FltRollbackComplete(Instance: InstanceObject, Transaction: TransactionObject, TransactionContext: ContextObject<object> | null = null): NTSTATUS {
  return completeNotification('FltRollbackComplete', TRANSACTION_NOTIFY_ROLLBACK, Instance, Transaction, TransactionContext);
}

// ---------------------------------------------------------------- transaction contexts (§15.4, §15.5, §15.7)

/** FltSetTransactionContext(Instance, Transaction, Operation, NewContext, &OldContext): one per (instance, transaction). */
export function* FltSetTransactionContext(Instance: InstanceObject, Transaction: TransactionObject, Operation: number, NewContext: ContextObject<object>, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  const transaction = transactionArgument('FltSetTransactionContext', Transaction);
  return yield* setContext(FLT_TRANSACTION_CONTEXT, { instance: Instance, transaction }, Operation, NewContext, OldContext, 'FltSetTransactionContext');
}

/** FltGetTransactionContext(Instance, Transaction, &Context). */
export function* FltGetTransactionContext<T extends object = Record<string, unknown>>(Instance: InstanceObject, Transaction: TransactionObject): Blocking<GetContextResult<T>> {
  const transaction = transactionArgument('FltGetTransactionContext', Transaction);
  return yield* getContext<T>(FLT_TRANSACTION_CONTEXT, { instance: Instance, transaction }, 'FltGetTransactionContext');
}

/** FltDeleteTransactionContext(Instance, Transaction, &OldContext). */
export function* FltDeleteTransactionContext(Instance: InstanceObject, Transaction: TransactionObject, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  const transaction = transactionArgument('FltDeleteTransactionContext', Transaction);
  return yield* deleteContext(FLT_TRANSACTION_CONTEXT, { instance: Instance, transaction }, OldContext, 'FltDeleteTransactionContext');
}

// ---------------------------------------------------------------- the file object's transaction, object references, KTM queries

/** TXN_PARAMETER_BLOCK: what FltCreateFileEx2 takes as IO_DRIVER_CREATE_CONTEXT.TxnParameters. */
export interface TXN_PARAMETER_BLOCK {
  readonly Length: number;
  readonly TransactionObject: TransactionObject;
}

/** IoGetTransactionParameterBlock(FileObject): the transaction of a transacted file object, or NULL. */
export function IoGetTransactionParameterBlock(FileObject: FileObject): TXN_PARAMETER_BLOCK | null {
  const fo = fileObjectArgument('IoGetTransactionParameterBlock', FileObject);
  return fo.transaction === null ? null : { Length: 16, TransactionObject: fo.transaction };
}

/** The object type ObOpenObjectByPointer must name for a transaction. */
export const TmTransactionObjectType = 'TmTransactionObjectType';

/**
 * ObOpenObjectByPointer(Object, HandleAttributes, PassedAccessState, DesiredAccess, ObjectType,
 * AccessMode): a handle to a transaction (OBJ_KERNEL_HANDLE: owned by System). Close with ZwClose.
 */
export function ObOpenObjectByPointer(
  Object: TransactionObject,
  HandleAttributes: number,
  PassedAccessState: null,
  DesiredAccess: number,
  ObjectType: string | null,
  AccessMode: 'KernelMode' | 'UserMode',
): { readonly status: NTSTATUS; readonly Handle: TransactionHandleObject | null } {
  const routine = 'ObOpenObjectByPointer';
  const tx = transactionArgument(routine, Object, 'Object');
  ulongArgument(routine, 'HandleAttributes', HandleAttributes);
  ulongArgument(routine, 'DesiredAccess', DesiredAccess);
  void PassedAccessState;
  const fltMgr = tx.fltMgr;
  if (ObjectType !== null && ObjectType !== TmTransactionObjectType) {
    return { status: fail(fltMgr, tx.id, routine, STATUS_OBJECT_TYPE_MISMATCH, `${tx.id} is a transaction, not a ${ObjectType}`), Handle: null };
  }
  const kernelHandle = (HandleAttributes & OBJ_KERNEL_HANDLE) !== 0 || AccessMode === 'KernelMode';
  const process = kernelHandle ? 'P0' : (fltMgr.kernel.current?.process ?? 'P0');
  return { status: STATUS_SUCCESS, Handle: fltMgr.transactions.openHandle(tx, process, kernelHandle, routine) };
}
export const OBJ_KERNEL_HANDLE = 0x00000200;

/** ObReferenceObject on a transaction: one more reference. */
export function referenceTransactionObject(tx: TransactionObject): void {
  transactionArgument('ObReferenceObject', tx, 'Object');
  tx.fltMgr.transactions.reference(tx, 'ObReferenceObject');
}

/** ObDereferenceObject on a transaction: the last reference after the outcome deletes it. */
export function dereferenceTransactionObject(tx: TransactionObject): void {
  transactionArgument('ObDereferenceObject', tx, 'Object');
  // The handles, the transacted file objects and a running KTM worker own theirs: a filter may drop only what it took.
  const owned = tx.fltMgr.transactions.ownedReferences(tx);
  if (tx.references - 1 < owned) {
    throw tx.fltMgr.kernel.violation('TRANSACTION_USED_AFTER_DELETE', tx.id, `ObDereferenceObject on ${tx} without a reference of the caller's own (${tx.references} references, ${owned} held by its handles, file objects and KTM)`);
  }
  tx.fltMgr.transactions.dereference(tx, 'ObDereferenceObject');
}

/**
 * ObfDereferenceObject(Object): the function the ObDereferenceObject macro calls, for a transaction.
 * fltsim's ObDereferenceObject is a generator (a file object's last reference sends IRP_MJ_CLOSE);
 * a transaction's never blocks, so code that may not block (a context cleanup callback) calls this.
 */
export function ObfDereferenceObject(Object: TransactionObject): void {
  if (!(Object instanceof TransactionObject)) throw new UsageError('BAD_ARGUMENT', 'ObfDereferenceObject: only a transaction is dereferenced without blocking here; use yield* ObDereferenceObject for a file object or section');
  dereferenceTransactionObject(Object);
}

/** TRANSACTION_BASIC_INFORMATION. */
export interface TRANSACTION_BASIC_INFORMATION {
  /** The unit-of-work GUID; the model names it after the object id. */
  readonly TransactionId: string;
  readonly State: number;
  readonly Outcome: number;
}
const TRANSACTION_BASIC_INFORMATION_SIZE = 24;

/**
 * ZwQueryInformationTransaction(TransactionHandle, TransactionInformationClass,
 * TransactionInformationLength): TransactionBasicInformation only; the outcome follows the
 * transaction's state (src/machines/transaction.ts).
 */
export function ZwQueryInformationTransaction(
  TransactionHandle: TransactionHandleObject,
  TransactionInformationClass: number,
  TransactionInformationLength: number,
): { readonly status: NTSTATUS; readonly TransactionInformation: TRANSACTION_BASIC_INFORMATION | null; readonly ReturnLength: number } {
  const routine = 'ZwQueryInformationTransaction';
  const h = objectArgument(routine, 'TransactionHandle', TransactionHandle, TransactionHandleObject, 'a transaction HANDLE');
  ulongArgument(routine, 'TransactionInformationClass', TransactionInformationClass);
  ulongArgument(routine, 'TransactionInformationLength', TransactionInformationLength);
  const tx = h.transaction;
  const fltMgr = tx.fltMgr;
  const refuse = (status: NTSTATUS, detail: string) => ({ status: fail(fltMgr, tx.id, routine, status, detail), TransactionInformation: null, ReturnLength: 0 });
  if (fltMgr.transactions.handles.get(h.id) !== h) return refuse(STATUS_INVALID_HANDLE, `${h.id} is not an open handle`);
  if (TransactionInformationClass !== TransactionBasicInformation) return refuse(STATUS_INVALID_INFO_CLASS, `class ${TransactionInformationClass}`);
  if (TransactionInformationLength < TRANSACTION_BASIC_INFORMATION_SIZE) return refuse(STATUS_INFO_LENGTH_MISMATCH, `${TransactionInformationLength} < ${TRANSACTION_BASIC_INFORMATION_SIZE}`);
  const outcome = tx.outcome;
  return {
    status: STATUS_SUCCESS,
    TransactionInformation: {
      TransactionId: tx.id,
      State: tx.state === 'Committed' ? TransactionStateCommittedNotify : TransactionStateNormal,
      Outcome: outcome === 'Committed' ? TransactionOutcomeCommitted : outcome === 'Aborted' ? TransactionOutcomeAborted : TransactionOutcomeUndetermined,
    },
    ReturnLength: TRANSACTION_BASIC_INFORMATION_SIZE,
  };
}

/**
 * Close a transaction handle for `process`. The last handle of a transaction that has not
 * committed rolls it back first (KTM's rule), on a KTM worker.
 */
export function closeTransactionHandle(fltMgr: FilterManager, h: TransactionHandleObject, routine: string, process: string, userMode: boolean): NTSTATUS {
  const tx = h.transaction;
  if (fltMgr.transactions.handles.get(h.id) !== h) return fail(fltMgr, tx.id, routine, STATUS_INVALID_HANDLE, `${h.id} is not an open handle`);
  if (h.kernelHandle ? userMode : h.process !== process) {
    return fail(fltMgr, tx.id, routine, STATUS_INVALID_HANDLE, `${h.id} is ${h.kernelHandle ? 'a kernel handle' : `a handle of ${h.process}`}, not one ${process} can close`);
  }
  if (tx.handles.length === 1 && tx.state === 'Active') startOutcome(fltMgr, tx, 'rollback', `${routine} of the last handle`);
  fltMgr.transactions.dereference(tx, routine, h);
  return STATUS_SUCCESS;
}

// ---------------------------------------------------------------- the application side (sim.io)

/** NtCreateTransaction: a new transaction and a handle to it in the current process. */
export function* NtCreateTransaction(fltMgr: FilterManager): Blocking<{ readonly status: NTSTATUS; readonly handle: TransactionHandleObject }> {
  const thread = requireThread(fltMgr, 'NtCreateTransaction');
  yield* preempt();
  return { status: STATUS_SUCCESS, handle: fltMgr.transactions.create(thread.process) };
}

/**
 * NtCommitTransaction / NtRollbackTransaction(TransactionHandle, Wait): start the outcome on a
 * KTM worker; with Wait, return when every notification is done, else STATUS_PENDING at once.
 * A transaction no longer Active → STATUS_TRANSACTION_NOT_ACTIVE.
 */
export function* endTransaction(fltMgr: FilterManager, h: TransactionHandleObject, kind: 'commit' | 'rollback', Wait: boolean): Blocking<NTSTATUS> {
  const routine = kind === 'commit' ? 'NtCommitTransaction' : 'NtRollbackTransaction';
  requireThread(fltMgr, routine);
  yield* preempt();
  const tx = h.transaction;
  if (fltMgr.transactions.handles.get(h.id) !== h) return fail(fltMgr, tx.id, routine, STATUS_INVALID_HANDLE, `${h.id} is not an open handle`);
  if (tx.state !== 'Active') return fail(fltMgr, tx.id, routine, STATUS_TRANSACTION_NOT_ACTIVE, `${tx} is ${tx.state}`);
  startOutcome(fltMgr, tx, kind, routine);
  if (!Wait) return STATUS_PENDING;
  yield* waitFor(tx.ended, `outcome of ${tx.id}`);
  return STATUS_SUCCESS;
}
