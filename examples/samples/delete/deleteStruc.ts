/**
 * The top of delete.c, ported: its constants, DF_FILE_REFERENCE, the three context types and
 * DF_DELETE_NOTIFY, the trace macro, and the UNICODE_STRING handling it does by hand.
 *
 * Representation choices (the C's layout where the model has one, otherwise the nearest thing):
 * - a PVOID or LONG the C swaps or counts interlocked is a cell `{ value }` (InterlockedIncrement,
 *   InterlockedExchangePointer and InterlockedCompareExchangePointer take those);
 * - a UNICODE_STRING's Buffer holds its characters, in a cell because DfGetVolumeGuidName publishes it
 *   with InterlockedCompareExchangePointer; Length and MaximumLength count bytes, as in C. The C
 *   takes string buffers, DF_DELETE_NOTIFYs and the ERESOURCE from pool; the port does not, because
 *   they are freed in context cleanup callbacks, which in fltsim run inside the releasing call and
 *   may not block (ExFreePool is a kernel call that can);
 * - the file id goes into the open-by-id name as the 16 (or 32) hex digits the model's
 *   FILE_OPEN_BY_FILE_ID names carry, where the C copies its 8 (or 16) raw bytes;
 * - DeleteNotifyList (a LIST_ENTRY) is an array in insertion order.
 */
import type { ERESOURCE, FLT_FILE_NAME_INFORMATION, PFLT_CONTEXT, PFLT_FILTER } from '../../../src/index.js';
import { STATUS_BUFFER_TOO_SMALL, STATUS_SUCCESS, type NTSTATUS } from '../../../src/index.js';

export const DFDBG_TRACE_ERRORS = 0x00000001;
export const DFDBG_TRACE_ROUTINES = 0x00000002;
export const DFDBG_TRACE_OPERATION_STATUS = 0x00000004;

/** Characters in `\??\Volume{GUID}`. */
export const DF_VOLUME_GUID_NAME_SIZE = 48;

export const DF_INSTANCE_CONTEXT_POOL_TAG = 0x6e496644; // 'nIfD'
export const DF_STREAM_CONTEXT_POOL_TAG = 0x78536644; // 'xSfD'
export const DF_TRANSACTION_CONTEXT_POOL_TAG = 0x78546644; // 'xTfD'
export const DF_ERESOURCE_POOL_TAG = 0x73526644; // 'sRfD'
export const DF_DELETE_NOTIFY_POOL_TAG = 0x6e446644; // 'nDfD'
export const DF_STRING_POOL_TAG = 0x72536644; // 'rSfD'

/** sizeof(DF_INSTANCE_CONTEXT), sizeof(DF_STREAM_CONTEXT), sizeof(DF_TRANSACTION_CONTEXT) on x64. */
export const DF_INSTANCE_CONTEXT_SIZE = 16;
export const DF_STREAM_CONTEXT_SIZE = 40;
export const DF_TRANSACTION_CONTEXT_SIZE = 24;

/** A PVOID or LONG shared between threads. */
export interface Cell<T> {
  value: T;
}

export interface UNICODE_STRING {
  /** Bytes in use. */
  Length: number;
  /** Bytes the buffer holds. */
  MaximumLength: number;
  readonly Buffer: Cell<string | null>;
}

export function emptyUnicodeString(): UNICODE_STRING {
  return { Length: 0, MaximumLength: 0, Buffer: { value: null } };
}

/** DF_FILE_REFERENCE: NTFS's 64-bit ids (UpperZeroes 0) or ReFS's 128-bit ones (FileId128, hex). */
export interface DF_FILE_REFERENCE {
  FileId64: { Value: number; UpperZeroes: number };
  FileId128: string | null;
}

/** DfSizeofFileId(FID), in the bytes the id takes in an open-by-id name (hex digits, two bytes each). */
export function DfSizeofFileId(FID: DF_FILE_REFERENCE): number {
  return FID.FileId64.UpperZeroes === 0 ? 16 * 2 : 32 * 2;
}

/** The id as an open-by-id name component. */
export function DfFileIdText(FID: DF_FILE_REFERENCE): string {
  return FID.FileId64.UpperZeroes === 0 ? FID.FileId64.Value.toString(16).padStart(16, '0') : (FID.FileId128 ?? '');
}

export interface DF_INSTANCE_CONTEXT {
  /** Volume GUID name, with a trailing backslash. */
  VolumeGuidName: UNICODE_STRING;
}

export interface DF_STREAM_CONTEXT {
  /** The opened name from the last pre-cleanup: only for the report. */
  readonly NameInfo: Cell<FLT_FILE_NAME_INFORMATION | null>;
  FileId: DF_FILE_REFERENCE;
  /** SetDisp operations in flight. */
  readonly NumOps: Cell<number>;
  /** 1 once a deletion of this stream or file was notified. */
  readonly IsNotified: Cell<number>;
  FileIdSet: boolean;
  /** Delete disposition of the stream. */
  SetDisp: boolean;
  /** Delete-on-close state of the stream. */
  DeleteOnClose: boolean;
}

export interface DF_DELETE_NOTIFY {
  readonly StreamContext: PDF_STREAM_CONTEXT;
  /** TRUE for a deleted file, FALSE for a stream. */
  readonly FileDelete: boolean;
}

export interface DF_TRANSACTION_CONTEXT {
  /** Pending delete notifications of the transaction. */
  DeleteNotifyList: DF_DELETE_NOTIFY[];
  /** Guards DeleteNotifyList. */
  Resource: ERESOURCE | null;
}

export type PDF_INSTANCE_CONTEXT = PFLT_CONTEXT<DF_INSTANCE_CONTEXT>;
export type PDF_STREAM_CONTEXT = PFLT_CONTEXT<DF_STREAM_CONTEXT>;
export type PDF_TRANSACTION_CONTEXT = PFLT_CONTEXT<DF_TRANSACTION_CONTEXT>;

export interface DF_GLOBALS {
  gFilterHandle: PFLT_FILTER | null;
  gTraceFlags: number;
  /** What DbgPrintEx printed, as one text: the C prints a report in two calls. */
  DbgOutput: string;
}

/** DF_DBG_PRINT(_dbgLevel, ...). */
export function DF_DBG_PRINT(Globals: DF_GLOBALS, Level: number, text: string): void {
  if ((Globals.gTraceFlags & Level) !== 0) Globals.DbgOutput += text;
}

/** The printed lines. */
export function dbgLines(Globals: DF_GLOBALS): string[] {
  return Globals.DbgOutput.split('\n').filter((l) => l !== '');
}

/** %wZ of a UNICODE_STRING. */
export function unicodeText(String: UNICODE_STRING): string {
  return (String.Buffer.value ?? '').slice(0, String.Length / 2);
}

/** RtlAppendUnicodeToString(Destination, Source). */
export function RtlAppendUnicodeToString(Destination: UNICODE_STRING, Source: string): NTSTATUS {
  if (Destination.Buffer.value === null || Destination.Length + Source.length * 2 > Destination.MaximumLength) return STATUS_BUFFER_TOO_SMALL;
  Destination.Buffer.value = unicodeText(Destination) + Source;
  Destination.Length += Source.length * 2;
  return STATUS_SUCCESS;
}

/** RtlCopyUnicodeString(DestinationString, SourceString): as much as fits. */
export function RtlCopyUnicodeString(DestinationString: UNICODE_STRING, SourceString: UNICODE_STRING): void {
  if (DestinationString.Buffer.value === null) return;
  const n = SourceString.Buffer.value === null ? 0 : Math.min(SourceString.Length, DestinationString.MaximumLength);
  DestinationString.Buffer.value = unicodeText(SourceString).slice(0, n / 2);
  DestinationString.Length = n;
}
