/**
 * mspyLib.c: minispy's record allocation (capped at MaxRecordsToAllocate, with one static record
 * for when none can be had), filling a record before and after the operation, the output list
 * under its spin lock, and SpyGetLog, which packs as many records as fit into the user's buffer
 * and frees them. The C runs at DISPATCH_LEVEL here; so does the port (the spin lock raises IRQL).
 */
import {
  FLT_ASSERT,
  FltGetEcpListFromCallbackData,
  FltGetNextExtraCreateParameter,
  HUNDRED_NANOSECONDS_PER_TICK,
  NT_SUCCESS,
  KeAcquireSpinLock,
  KeReleaseSpinLock,
  PsGetThreadId,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_NO_MORE_ENTRIES,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type Simulation,
} from '../../../src/index.js';
import {
  emptyRecordData,
  IRP_MJ_TRANSACTION_NOTIFY,
  LOG_RECORD_SIZE,
  MAX_NAME_SPACE,
  MAX_NAME_SPACE_LESS_NULL,
  MAX_NAME_WCHARS_LESS_NULL,
  RECORD_TYPE_FLAG_EXCEED_MEMORY_ALLOWANCE,
  RECORD_TYPE_FLAG_STATIC,
  RECORD_TYPE_NORMAL,
  REMAINING_NAME_SPACE,
  ROUND_TO_SIZE,
  writeLogRecord,
} from './minispyUk.js';
import type { MINISPY_DATA, RECORD_LIST } from './mspyKern.js';

/**
 * TxNotificationToMinorCode: a notification bit as a UCHAR minor code, log2(bit) + 1 (0 for 0), so
 * COMMIT (0x4) is 3 and COMMIT_FINALIZE (0x40000000) 31 — mspyLog.h's TRANSACTION_NOTIFICATION_CODES.
 */
export function TxNotificationToMinorCode(TxNotification: number): number {
  let count = 0;
  if (TxNotification === 0) return 0;
  FLT_ASSERT((TxNotification & (TxNotification - 1)) === 0, '!(( TxNotification ) & ( TxNotification - 1 ))');
  for (let n = TxNotification >>> 0; n !== 0; n >>>= 1) count++;
  return count;
}

/** An object's number, for the FILE_ID fields (`O12` → 12): what a pointer value identifies. */
export function FILE_ID(object: { readonly id: string } | null | undefined): number {
  if (object === null || object === undefined) return 0;
  const n = Number(/\d+$/.exec(object.id)?.[0] ?? 0);
  return n;
}

export function mspyLib(sim: Simulation, MiniSpyData: MINISPY_DATA) {
  /** KeQuerySystemTime: the virtual clock in 100-ns units. */
  function KeQuerySystemTime(): number {
    return sim.now * HUNDRED_NANOSECONDS_PER_TICK;
  }

  /**
   * A record, unless MaxRecordsToAllocate are out (RECORD_TYPE_FLAG_EXCEED_MEMORY_ALLOWANCE). As the
   * C notes, the test and the increment are not one step, so the cap can be passed by a record or two.
   */
  function SpyAllocateBuffer(): { buffer: RECORD_LIST | null; RecordType: number } {
    if (MiniSpyData.RecordsAllocated < MiniSpyData.MaxRecordsToAllocate) {
      MiniSpyData.RecordsAllocated++;
      return { buffer: { LogRecord: { Length: 0, SequenceNumber: 0, RecordType: 0, Data: emptyRecordData(), Name: '' } }, RecordType: RECORD_TYPE_NORMAL };
    }
    return { buffer: null, RecordType: RECORD_TYPE_FLAG_EXCEED_MEMORY_ALLOWANCE };
  }

  function SpyFreeBuffer(Buffer: RECORD_LIST): void {
    void Buffer;
    MiniSpyData.RecordsAllocated--;
  }

  /** A new record with the next sequence number; the static one when no other can be had; else NULL. */
  function SpyNewRecord(): RECORD_LIST | null {
    const allocated = SpyAllocateBuffer();
    let newRecord = allocated.buffer;
    let initialRecordType = allocated.RecordType;
    if (newRecord === null && !MiniSpyData.StaticBufferInUse) {
      MiniSpyData.StaticBufferInUse = true;
      newRecord = MiniSpyData.OutOfMemoryBuffer;
      initialRecordType |= RECORD_TYPE_FLAG_STATIC;
    }
    if (newRecord !== null) {
      newRecord.LogRecord.RecordType = initialRecordType >>> 0;
      newRecord.LogRecord.Length = LOG_RECORD_SIZE;
      newRecord.LogRecord.SequenceNumber = ++MiniSpyData.LogSequenceNumber;
      newRecord.LogRecord.Data = emptyRecordData();
      newRecord.LogRecord.Name = '';
    }
    return newRecord;
  }

  function SpyFreeRecord(Record: RECORD_LIST): void {
    if ((Record.LogRecord.RecordType & RECORD_TYPE_FLAG_STATIC) !== 0) {
      // FLT_ASSERT(MiniSpyData.StaticBufferInUse)
      MiniSpyData.StaticBufferInUse = false;
    } else {
      SpyFreeBuffer(Record);
    }
  }

  /**
   * Count the create's ECPs into the record and describe them (only when there are any, as
   * SpyBuildEcpDataString is only called then). fltsim's ECPs carry no oplock key, NFS or SRV
   * contexts minispy decodes, so the description is the count and each ECP's type.
   */
  function SpyParseEcps(Data: FLT_CALLBACK_DATA, RecordList: RECORD_LIST): string {
    const recordData = RecordList.LogRecord.Data;
    const got = FltGetEcpListFromCallbackData(MiniSpyData.Filter!, Data);
    if (!NT_SUCCESS(got.status) || got.EcpList === null) return '';
    const types: string[] = [];
    let ecpContext = null;
    for (;;) {
      const next = FltGetNextExtraCreateParameter(MiniSpyData.Filter!, got.EcpList, ecpContext);
      if (!NT_SUCCESS(next.status) || next.NextEcpContext === null) break;
      ecpContext = next.NextEcpContext;
      types.push(next.NextEcpType ?? '?');
      recordData.EcpCount++;
    }
    return recordData.EcpCount > 0 ? `[${recordData.EcpCount} ECPs: ${types.join(' ')}]` : '';
  }

  /** The name, and for creates the ECP summary after a space, cut to what the record holds; Length rounded to a pointer. */
  function SpySetRecordNameAndEcpData(LogRecord: RECORD_LIST['LogRecord'], Name: string, EcpData: string | null): void {
    const text = EcpData === null ? Name : `${Name} ${EcpData}`;
    const stringLength = text.length <= MAX_NAME_WCHARS_LESS_NULL ? text.length * 2 : MAX_NAME_SPACE_LESS_NULL;
    LogRecord.Name = text.slice(0, stringLength / 2);
    LogRecord.Length = ROUND_TO_SIZE(LogRecord.Length + stringLength + 2, 8);
  }

  function SpyLogPreOperationData(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, RecordList: RECORD_LIST): void {
    const recordData = RecordList.LogRecord.Data;
    const iopb = Data.Iopb;
    recordData.CallbackMajorId = iopb.MajorFunction;
    recordData.CallbackMinorId = iopb.MinorFunction;
    recordData.IrpFlags = iopb.IrpFlags;
    recordData.Flags = Data.Flags;
    // FltGetDeviceObject(Volume): the volume's device, by its number.
    recordData.DeviceObject = FILE_ID(FltObjects.Volume);
    recordData.FileObject = FILE_ID(FltObjects.FileObject);
    recordData.Transaction = FILE_ID(FltObjects.Transaction);
    recordData.ProcessId = sim.PsGetCurrentProcessId();
    recordData.ThreadId = PsGetThreadId(sim.PsGetCurrentThread());
    // Parameters.Others.Argument1..6 over the union: for reads and writes Length, Key, ByteOffset.
    const rw = (iopb.Parameters as { Read?: { Length: number; Key: number; ByteOffset: number }; Write?: { Length: number; Key: number; ByteOffset: number } });
    const p = rw.Read ?? rw.Write;
    recordData.Arg1 = p?.Length ?? 0;
    recordData.Arg2 = p?.Key ?? 0;
    recordData.Arg3 = p === undefined ? 0 : Math.max(0, p.ByteOffset);
    recordData.OriginatingTime = KeQuerySystemTime();
  }

  function SpyLogPostOperationData(Data: FLT_CALLBACK_DATA, RecordList: RECORD_LIST): void {
    const recordData = RecordList.LogRecord.Data;
    recordData.Status = Data.IoStatus.Status >>> 0;
    recordData.Information = Data.IoStatus.Information;
    recordData.CompletionTime = KeQuerySystemTime();
  }

  /**
   * SpyLogTransactionNotify: a record of a transaction notification (0: the enlistment, BEGIN in
   * the user program) under minispy's own major code, the notification as its minor code.
   */
  function SpyLogTransactionNotify(FltObjects: FLT_RELATED_OBJECTS, RecordList: RECORD_LIST, TransactionNotification: number): void {
    const recordData = RecordList.LogRecord.Data;
    recordData.CallbackMajorId = IRP_MJ_TRANSACTION_NOTIFY;
    recordData.CallbackMinorId = TxNotificationToMinorCode(TransactionNotification);
    // FltGetDeviceObject(Volume), dereferenced at once: the volume's device, by its number.
    recordData.DeviceObject = FILE_ID(FltObjects.Volume);
    recordData.FileObject = FILE_ID(FltObjects.FileObject);
    recordData.Transaction = FILE_ID(FltObjects.Transaction);
    recordData.ProcessId = sim.PsGetCurrentProcessId();
    recordData.ThreadId = PsGetThreadId(sim.PsGetCurrentThread());
    recordData.OriginatingTime = KeQuerySystemTime();
  }

  /** Append to the list user mode drains. */
  function* SpyLog(RecordList: RECORD_LIST): Blocking<void> {
    const oldIrql = yield* KeAcquireSpinLock(MiniSpyData.OutputBufferLock);
    MiniSpyData.OutputBufferList.push(RecordList);
    yield* KeReleaseSpinLock(MiniSpyData.OutputBufferLock, oldIrql);
  }

  /**
   * As many whole records as fit, packed; each is freed once copied. STATUS_NO_MORE_ENTRIES when
   * there are none, STATUS_BUFFER_TOO_SMALL when the first does not fit.
   */
  function* SpyGetLog(OutputBuffer: Uint8Array, OutputBufferLength: number, ReturnOutputBufferLength: { value: number }): Blocking<NTSTATUS> {
    let bytesWritten = 0;
    let status: NTSTATUS = STATUS_NO_MORE_ENTRIES;
    let recordsAvailable = false;
    let offset = 0;
    let oldIrql = yield* KeAcquireSpinLock(MiniSpyData.OutputBufferLock);
    while (MiniSpyData.OutputBufferList.length > 0 && OutputBufferLength > 0) {
      recordsAvailable = true;
      const pRecordList = MiniSpyData.OutputBufferList.shift()!;
      const pLogRecord = pRecordList.LogRecord;
      // No name was set: an empty one, keeping the next record pointer-aligned.
      if (REMAINING_NAME_SPACE(pLogRecord) === MAX_NAME_SPACE) {
        pLogRecord.Length += ROUND_TO_SIZE(2, 8);
        pLogRecord.Name = '';
      }
      if (OutputBufferLength < pLogRecord.Length) {
        MiniSpyData.OutputBufferList.unshift(pRecordList);
        break;
      }
      yield* KeReleaseSpinLock(MiniSpyData.OutputBufferLock, oldIrql);
      // The user buffer is written outside the lock (the C's try/except: MessageNotify checked its size).
      writeLogRecord(OutputBuffer, offset, pLogRecord);
      bytesWritten += pLogRecord.Length;
      OutputBufferLength -= pLogRecord.Length;
      offset += pLogRecord.Length;
      SpyFreeRecord(pRecordList);
      oldIrql = yield* KeAcquireSpinLock(MiniSpyData.OutputBufferLock);
    }
    yield* KeReleaseSpinLock(MiniSpyData.OutputBufferLock, oldIrql);
    if (bytesWritten === 0 && recordsAvailable) status = STATUS_BUFFER_TOO_SMALL;
    else if (bytesWritten > 0) status = STATUS_SUCCESS;
    ReturnOutputBufferLength.value = bytesWritten;
    return status;
  }

  /** At unload: free what user mode never collected. */
  function* SpyEmptyOutputBufferList(): Blocking<void> {
    let oldIrql = yield* KeAcquireSpinLock(MiniSpyData.OutputBufferLock);
    while (MiniSpyData.OutputBufferList.length > 0) {
      const pRecordList = MiniSpyData.OutputBufferList.shift()!;
      yield* KeReleaseSpinLock(MiniSpyData.OutputBufferLock, oldIrql);
      SpyFreeRecord(pRecordList);
      oldIrql = yield* KeAcquireSpinLock(MiniSpyData.OutputBufferLock);
    }
    yield* KeReleaseSpinLock(MiniSpyData.OutputBufferLock, oldIrql);
  }

  return { KeQuerySystemTime, SpyLogTransactionNotify, SpyAllocateBuffer, SpyFreeBuffer, SpyNewRecord, SpyFreeRecord, SpyParseEcps, SpySetRecordNameAndEcpData, SpyLogPreOperationData, SpyLogPostOperationData, SpyLog, SpyGetLog, SpyEmptyOutputBufferList };
}

export type MspyLib = ReturnType<typeof mspyLib>;
