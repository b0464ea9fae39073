/**
 * mspyKern.h: the minispy filter's globals (MINISPY_DATA), its defaults and the record list
 * entry. One MINISPY_DATA per loaded image. The C's lookaside list of RECORD_SIZE buffers is plain
 * allocation here, counted against MaxRecordsToAllocate as the C counts it.
 */
import type { KSPIN_LOCK, PDRIVER_OBJECT, PFLT_FILTER, PFLT_SERVER_PORT, PortVariable } from '../../../src/index.js';
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
   * FltGetRoutineAddress("FltGetTransactionContext") and its two siblings: NULL, as on a system
   * without them — the port leaves the sample's transaction logging out — so nothing enlists.
   */
  readonly PFltGetTransactionContext: null;
}

export interface MinispyRegistry {
  /** MaxRecords (REG_DWORD); absent: DEFAULT_MAX_RECORDS_TO_ALLOCATE. */
  readonly MaxRecords?: number;
  /** NameQueryMethod (REG_DWORD); absent: DEFAULT_NAME_QUERY_METHOD. */
  readonly NameQueryMethod?: number;
  /** DebugFlags; SPY_DEBUG_PARSE_NAMES parses every name. */
  readonly DebugFlags?: number;
}
