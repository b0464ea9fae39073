/**
 * change.h, context.h and utility.h, ported: the change sample's globals, its two context types
 * and the trace flags. CG_FILE_CONTEXT.TxContext is a PVOID variable ({ value }) because the C
 * swaps it with InterlockedExchangePointer / InterlockedCompareExchangePointer; the transaction
 * context's ScListHead (LIST_ENTRY of file contexts) is an array in insertion order, which
 * InsertTailList / RemoveEntryList / LIST_FOR_EACH_SAFE map onto.
 */
import type { FAST_MUTEX, PFLT_CONTEXT, PFLT_FILTER, PKTRANSACTION } from '../../../src/index.js';

export interface CG_GLOBAL_DATA {
  /** gFilterInstance: the filter, as FltRegisterFilter returned it. */
  gFilterInstance: PFLT_FILTER | null;
  /** gTraceFlags: CGDBG_TRACE_* (the C's default is DEBUG | ERROR). */
  gTraceFlags: number;
  /** What CG_DBG_PRINT printed, one line each. */
  readonly DbgPrint: string[];
}

export interface CG_TRANSACTION_CONTEXT {
  /** Transaction object pointer (referenced with ObReferenceObject while the context lives). */
  Transaction: PKTRANSACTION | null;
  /** Enlisted in the transaction already. */
  Enlisted: boolean;
  /** The file context list has been drained by the KTM notification. */
  ListDrained: boolean;
  /** ScListHead: the file contexts of transacted writers of this transaction (each referenced). */
  ScListHead: PCG_FILE_CONTEXT[];
  /** Protects the list. */
  Mutex: FAST_MUTEX | null;
}

/** CG_FILE_REFERENCE: NTFS's 64-bit ids (UpperZeroes 0) and ReFS's 128-bit ones. */
export interface CG_FILE_REFERENCE {
  FileId64: { Value: number; UpperZeroes: number };
}

export interface CG_FILE_CONTEXT {
  FileID: CG_FILE_REFERENCE;
  /** The file was modified outside a transaction, or by a committed one. */
  Dirty: boolean;
  /** The file was modified inside the transaction it is enlisted in. */
  TxDirty: boolean;
  /** PCG_TRANSACTION_CONTEXT TxContext: swapped interlocked against the KTM callback. */
  readonly TxContext: { value: PCG_TRANSACTION_CONTEXT | null };
}

export type PCG_TRANSACTION_CONTEXT = PFLT_CONTEXT<CG_TRANSACTION_CONTEXT>;
export type PCG_FILE_CONTEXT = PFLT_CONTEXT<CG_FILE_CONTEXT>;

export const CG_FILE_CONTEXT_TAG = 0x63466347; // 'cFcG'
export const CG_TRANSACTION_CONTEXT_TAG = 0x63546347; // 'cTcG'
export const CG_MUTEX_TAG = 0x744d6743; // 'tMgC'
/** sizeof(CG_FILE_CONTEXT) and sizeof(CG_TRANSACTION_CONTEXT) on x64. */
export const CG_FILE_CONTEXT_SIZE = 48;
export const CG_TRANSACTION_CONTEXT_SIZE = 40;

export const CGDBG_TRACE_ROUTINES = 0x00000001;
export const CGDBG_TRACE_OPERATION_STATUS = 0x00000002;
export const CGDBG_TRACE_DEBUG = 0x00000004;
export const CGDBG_TRACE_ERROR = 0x00000008;

/** CG_DBG_PRINT(_dbgLevel, _string). */
export function CG_DBG_PRINT(Globals: CG_GLOBAL_DATA, Level: number, text: string): void {
  if ((Globals.gTraceFlags & Level) !== 0) Globals.DbgPrint.push(text);
}

/** %I64x,%I64x of a file id, as the C prints it. */
export function fileIdText(id: CG_FILE_REFERENCE): string {
  return `${id.FileId64.UpperZeroes.toString(16)},${id.FileId64.Value.toString(16)}`;
}
