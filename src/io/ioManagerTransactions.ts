/**
 * The KTM calls of the I/O manager's native API (§22.4): NtCreateTransaction, NtCommitTransaction
 * and NtRollbackTransaction on a transaction handle of the calling process, and the look-up of such
 * a handle that NtCreateFile (its Transaction) and NtClose make. The base of the class chain
 * TransactionCalls → NativeIoManager (ioManagerNative.ts) → IoManager, so `sim.io` has these members.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { TransactionHandle } from '../fltmgr/transactionObjects.js';
import { endTransaction, NtCreateTransaction } from '../fltmgr/transactionRoutines.js';
import { STATUS_INVALID_HANDLE, type NTSTATUS } from '../wdk/ntstatus.js';
import { appArguments } from './ioManagerArguments.js';

export abstract class TransactionCalls {
  constructor(/** @internal */ protected readonly fltMgr: FilterManager) {}

  /** NtCreateTransaction: a new Active transaction; its handle belongs to the calling process. */
  *NtCreateTransaction(): Blocking<{ readonly status: NTSTATUS; readonly handle: string }> {
    const r = yield* NtCreateTransaction(this.fltMgr);
    return { status: r.status, handle: r.handle.id };
  }

  /** NtCommitTransaction(TransactionHandle, Wait): enlisted filters get PREPREPARE … COMMIT_FINALIZE on a KTM worker. */
  *NtCommitTransaction(TransactionHandle: string, Wait = true): Blocking<NTSTATUS> {
    appArguments('NtCommitTransaction', TransactionHandle);
    const h = this.transactionHandle(TransactionHandle);
    return h === null ? STATUS_INVALID_HANDLE : yield* endTransaction(this.fltMgr, h, 'commit', Wait);
  }

  /** NtRollbackTransaction(TransactionHandle, Wait): enlisted filters get ROLLBACK on a KTM worker. */
  *NtRollbackTransaction(TransactionHandle: string, Wait = true): Blocking<NTSTATUS> {
    appArguments('NtRollbackTransaction', TransactionHandle);
    const h = this.transactionHandle(TransactionHandle);
    return h === null ? STATUS_INVALID_HANDLE : yield* endTransaction(this.fltMgr, h, 'rollback', Wait);
  }

  /** The open transaction handle of the calling process named `handle`, or null (NtCreateFile's Transaction, NtClose). @internal */
  protected transactionHandle(handle: string): TransactionHandle | null {
    const h = this.fltMgr.transactions.handles.get(handle);
    if (h === undefined || h.kernelHandle) return null;
    const process = this.fltMgr.kernel.current?.process;
    return process === undefined || h.process === process ? h : null;
  }
}
