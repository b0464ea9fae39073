/**
 * mspyKern.h: the minispy filter's globals (MINISPY_DATA), its defaults and the record list
 * entry. One MINISPY_DATA per loaded image. The C's lookaside list of RECORD_SIZE buffers is plain
 * allocation here, counted against MaxRecordsToAllocate as the C counts it.
 */
import type { LONG, FltEnlistInTransaction, FltGetTransactionContext, FltSetTransactionContext, KSPIN_LOCK, PDRIVER_OBJECT, PFLT_FILTER, PFLT_SERVER_PORT, PortVariable } from '../../../src/index.js';
import type { LOG_RECORD } from './minispyUk.js';

export const SPY_TAG = 'MSpy'; // 'ypSM'

export const DEFAULT_MAX_RECORDS_TO_ALLOCATE = 500;
/** FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP. */
export const DEFAULT_NAME_QUERY_METHOD = 0x0400;

/** DebugFlags. */
export const SPY_DEBUG_PARSE_NAMES = 0x00000001;

/** RECORD_LIST: the list links are the OutputBufferList array; the record is what it carries. */
export interface RECORD_LIST {
  readonly LogRecord: LOG_RECORD;
}

export interface MINISPY_DATA {
  DriverObject: PDRIVER_OBJECT | null;
  Filter: PFLT_FILTER | null;
  ServerPort: PFLT_SERVER_PORT | null;
  /** Only one connection at a time; its address is what FltCloseClientPort takes. */
  readonly ClientPort: PortVariable;
  /** OutputBufferLock guards OutputBufferList: records waiting for user mode, oldest first. */
  readonly OutputBufferLock: KSPIN_LOCK;
  readonly OutputBufferList: RECORD_LIST[];
  MaxRecordsToAllocate: number;
  RecordsAllocated: number;
  /** The one static record used when no other can be had ("out of memory" reaches user mode). */
  StaticBufferInUse: boolean;
  readonly OutOfMemoryBuffer: RECORD_LIST;
  LogSequenceNumber: number;
  NameQueryMethod: number;
  DebugFlags: number;
  /**
   * FltGetRoutineAddress("FltGetTransactionContext") and its two siblings: the C looks them up so
   * one binary runs down-level; DriverEntry finds them (fltsim has KTM transactions, §22.4).
   */
  PFltGetTransactionContext: typeof FltGetTransactionContext | null;
  PFltSetTransactionContext: typeof FltSetTransactionContext | null;
  PFltEnlistInTransaction: typeof FltEnlistInTransaction | null;
}

/** MINISPY_TRANSACTION_CONTEXT: set on a transaction the first time a create inside it succeeds. */
export interface MINISPY_TRANSACTION_CONTEXT {
  /** Set with SetFlagInterlocked: a LONG cell. */
  Flags: LONG;
  /** The enlistment's sequence number (SpyEnlistInTransaction's static Sequence). */
  Count: number;
}
export const MINISPY_TRANSACTION_CONTEXT_SIZE = 8;
/** MINISPY_TRANSACTION_CONTEXT.Flags: the context is enlisted in its transaction. */
export const MINISPY_ENLISTED_IN_TRANSACTION = 0x01;

export interface MinispyRegistry {
  /** MaxRecords (REG_DWORD); absent: DEFAULT_MAX_RECORDS_TO_ALLOCATE. */
  readonly MaxRecords?: number;
  /** NameQueryMethod (REG_DWORD); absent: DEFAULT_NAME_QUERY_METHOD. */
  readonly NameQueryMethod?: number;
  /** DebugFlags; SPY_DEBUG_PARSE_NAMES parses every name. */
  readonly DebugFlags?: number;
}
