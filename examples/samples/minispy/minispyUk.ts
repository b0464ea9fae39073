/**
 * minispy.h: what the minispy filter and its user-mode program share — the port's name, the
 * commands sent over it, and the log records as bytes (x64 layout): LOG_RECORD { Length,
 * SequenceNumber, RecordType, Reserved, RECORD_DATA Data, WCHAR Name[] }, packed one after another
 * in the buffer GetMiniSpyLog fills, each rounded up to a pointer's size.
 */
export const MINISPY_PORT_NAME = '\\MiniSpyPort';

export const MINISPY_MAJ_VERSION = 2;
export const MINISPY_MIN_VERSION = 0;

/** The maximum size of a record the filter allocates (RECORD_LIST included). */
export const RECORD_SIZE = 1024;

export const RECORD_TYPE_NORMAL = 0x00000000;
export const RECORD_TYPE_FILETAG = 0x00000004;
export const RECORD_TYPE_FLAG_STATIC = 0x80000000;
export const RECORD_TYPE_FLAG_EXCEED_MEMORY_ALLOWANCE = 0x20000000;
export const RECORD_TYPE_FLAG_OUT_OF_MEMORY = 0x10000000;
export const RECORD_TYPE_FLAG_MASK = 0xffff0000;

/** IRP_MJ_TRANSACTION_NOTIFY: minispy's own code for a transaction notification record. */
export const IRP_MJ_TRANSACTION_NOTIFY = 0xd8; // (UCHAR)-40

/** MINISPY_COMMAND. */
export const GetMiniSpyLog = 0;
export const GetMiniSpyVersion = 1;

/** COMMAND_MESSAGE: MINISPY_COMMAND Command; ULONG Reserved; UCHAR Data[]. */
export const COMMAND_MESSAGE_SIZE = 8;

/** MINISPYVER: USHORT Major, Minor. */
export const MINISPYVER_SIZE = 4;

/** RECORD_DATA; pointers are FILE_ID (ULONG_PTR) values: the simulator's object numbers. */
export interface RECORD_DATA {
  OriginatingTime: number;
  CompletionTime: number;
  DeviceObject: number;
  FileObject: number;
  Transaction: number;
  ProcessId: number;
  ThreadId: number;
  Information: number;
  Status: number;
  IrpFlags: number;
  Flags: number;
  CallbackMajorId: number;
  CallbackMinorId: number;
  Arg1: number;
  Arg2: number;
  Arg3: number;
  Arg4: number;
  Arg5: number;
  Arg6: number;
  EcpCount: number;
  KnownEcpMask: number;
}

export function emptyRecordData(): RECORD_DATA {
  return {
    OriginatingTime: 0, CompletionTime: 0, DeviceObject: 0, FileObject: 0, Transaction: 0, ProcessId: 0, ThreadId: 0, Information: 0, Status: 0,
    IrpFlags: 0, Flags: 0, CallbackMajorId: 0, CallbackMinorId: 0, Arg1: 0, Arg2: 0, Arg3: 0, Arg4: 0, Arg5: 0, Arg6: 0, EcpCount: 0, KnownEcpMask: 0,
  };
}

export const RECORD_DATA_SIZE = 136;
/** sizeof(LOG_RECORD): the header and RECORD_DATA, the name not included. */
export const LOG_RECORD_SIZE = 16 + RECORD_DATA_SIZE;
/** sizeof(RECORD_LIST): a LIST_ENTRY before the LOG_RECORD. */
export const RECORD_LIST_SIZE = 16 + LOG_RECORD_SIZE;
const PVOID = 8;

export function ROUND_TO_SIZE(length: number, alignment: number): number {
  return (length + alignment - 1) & ~(alignment - 1);
}

/** Bytes available for the name in a record (856). */
export const MAX_NAME_SPACE = ROUND_TO_SIZE(RECORD_SIZE - RECORD_LIST_SIZE, PVOID);
export const MAX_NAME_SPACE_LESS_NULL = MAX_NAME_SPACE - 2;
export const MAX_NAME_WCHARS_LESS_NULL = MAX_NAME_SPACE_LESS_NULL / 2;
export const MAX_LOG_RECORD_LENGTH = RECORD_SIZE - 16;

/** The LOG_RECORD the filter keeps (RECORD_LIST.LogRecord), its name as text. */
export interface LOG_RECORD {
  Length: number;
  SequenceNumber: number;
  RecordType: number;
  Data: RECORD_DATA;
  Name: string;
}

/** REMAINING_NAME_SPACE(LogRecord). */
export function REMAINING_NAME_SPACE(LogRecord: LOG_RECORD): number {
  return MAX_NAME_SPACE - (LogRecord.Length - LOG_RECORD_SIZE);
}

/** Write `record` at `offset` of `buffer` (record.Length bytes). */
export function writeLogRecord(buffer: Uint8Array, offset: number, record: LOG_RECORD): void {
  const v = new DataView(buffer.buffer, buffer.byteOffset + offset, record.Length);
  v.setUint32(0, record.Length, true);
  v.setUint32(4, record.SequenceNumber, true);
  v.setUint32(8, record.RecordType >>> 0, true);
  v.setUint32(12, 0, true);
  const d = record.Data;
  const at = 16;
  [d.OriginatingTime, d.CompletionTime, d.DeviceObject, d.FileObject, d.Transaction, d.ProcessId, d.ThreadId, d.Information].forEach((n, i) => v.setBigUint64(at + 8 * i, BigInt(n), true));
  v.setUint32(at + 64, d.Status >>> 0, true);
  v.setUint32(at + 68, d.IrpFlags >>> 0, true);
  v.setUint32(at + 72, d.Flags >>> 0, true);
  v.setUint8(at + 76, d.CallbackMajorId & 0xff);
  v.setUint8(at + 77, d.CallbackMinorId & 0xff);
  [d.Arg1, d.Arg2, d.Arg3, d.Arg4, d.Arg5, d.Arg6].forEach((n, i) => v.setBigUint64(at + 80 + 8 * i, BigInt(n), true));
  v.setUint32(at + 128, d.EcpCount, true);
  v.setUint32(at + 132, d.KnownEcpMask, true);
  // The name, NUL-terminated UTF-16, in what is left of Length.
  const room = (record.Length - LOG_RECORD_SIZE) / 2;
  for (let i = 0; i < room; i++) v.setUint16(LOG_RECORD_SIZE + 2 * i, i < record.Name.length ? record.Name.charCodeAt(i) : 0, true);
}

/** Read the LOG_RECORD at `offset` (what the user program does with a PLOG_RECORD). */
export function readLogRecord(buffer: Uint8Array, offset: number): LOG_RECORD {
  const v = new DataView(buffer.buffer, buffer.byteOffset + offset);
  const Length = v.getUint32(0, true);
  const at = 16;
  const n = (i: number) => Number(v.getBigUint64(at + 8 * i, true));
  const Data: RECORD_DATA = {
    OriginatingTime: n(0), CompletionTime: n(1), DeviceObject: n(2), FileObject: n(3), Transaction: n(4), ProcessId: n(5), ThreadId: n(6), Information: n(7),
    Status: v.getUint32(at + 64, true), IrpFlags: v.getUint32(at + 68, true), Flags: v.getUint32(at + 72, true),
    CallbackMajorId: v.getUint8(at + 76), CallbackMinorId: v.getUint8(at + 77),
    Arg1: n(10), Arg2: n(11), Arg3: n(12), Arg4: n(13), Arg5: n(14), Arg6: n(15),
    EcpCount: v.getUint32(at + 128, true), KnownEcpMask: v.getUint32(at + 132, true),
  };
  let Name = '';
  for (let i = LOG_RECORD_SIZE; i + 1 < Length; i += 2) {
    const c = v.getUint16(i, true);
    if (c === 0) break;
    Name += String.fromCharCode(c);
  }
  return { Length, SequenceNumber: v.getUint32(4, true), RecordType: v.getUint32(8, true), Data, Name };
}
