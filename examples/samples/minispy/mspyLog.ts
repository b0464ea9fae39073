/**
 * mspyLog.c and mspyLog.h: the user program's logging thread. RetrieveLogRecords asks the filter
 * for records (FilterSendMessage, GetMiniSpyLog) into a 4 KB pointer-aligned buffer, walks the
 * packed LOG_RECORDs and prints each (ScreenDump) or writes it to the log file (FileDump), sleeping
 * POLL_INTERVAL when there were none; the filter gone (ERROR_INVALID_HANDLE) ends the process.
 */
import {
  ERROR_INVALID_HANDLE,
  ERROR_NO_MORE_ITEMS,
  FAILED,
  FilterSendMessage,
  HRESULT_FROM_WIN32,
  IRP_MJ_NAMES,
  SetEvent,
  type Blocking,
  type EventHandle,
  type FilterPortHandle,
} from '../../../src/index.js';
import {
  COMMAND_MESSAGE_SIZE,
  GetMiniSpyLog,
  IRP_MJ_TRANSACTION_NOTIFY,
  LOG_RECORD_SIZE,
  readLogRecord,
  RECORD_TYPE_FILETAG,
  RECORD_TYPE_FLAG_EXCEED_MEMORY_ALLOWANCE,
  RECORD_TYPE_FLAG_OUT_OF_MEMORY,
  type RECORD_DATA,
} from './minispyUk.js';

export const BUFFER_SIZE = 4096;

/** mspyLog.h's transaction strings by TRANSACTION_NOTIFICATION_CODES (the ones KTM sends here). */
const TRANSACTION_NOTIFICATION_STRINGS: Readonly<Record<number, string>> = {
  0: 'BEGIN_TRANSACTION',
  1: 'TRANSACTION_NOTIFY_PREPREPARE',
  2: 'TRANSACTION_NOTIFY_PREPARE',
  3: 'TRANSACTION_NOTIFY_COMMIT',
  4: 'TRANSACTION_NOTIFY_ROLLBACK',
  31: 'TRANSACTION_NOTIFY_COMMIT_FINALIZE',
};
const POLL_INTERVAL = 200; // milliseconds

/** LOG_CONTEXT: what main and the logging thread share. */
export interface LOG_CONTEXT {
  Port: FilterPortHandle;
  LogToScreen: boolean;
  LogToFile: boolean;
  /** The log file's lines (fopen_s/fprintf of the C). */
  OutputFile: string[] | null;
  NextLogToScreen: boolean;
  CleaningUp: boolean;
  /** CreateSemaphore(NULL, 0, 1, …): a count of at most one, which an auto-reset event is. */
  ShutDown: EventHandle;
}

/** The process around the program: printf, Sleep, ExitProcess. */
export interface UserProcess {
  printf(text: string): void;
  Sleep(dwMilliseconds: number): Blocking<void>;
  ExitProcess(uExitCode: number): Blocking<never>;
}

export function mspyLog(process: UserProcess) {
  const { printf } = process;

  /**
   * The IRP_MJ_* name of a record's major function; for minispy's own transaction notices the
   * notification's name (TRANSACTION_NOTIFICATION_CODES: log2 of its bit + 1; 0 is the enlistment).
   */
  function PrintIrpCode(MajorCode: number, MinorCode: number): { major: string; minor: string } {
    if (MajorCode === IRP_MJ_TRANSACTION_NOTIFY) {
      return { major: 'IRP_MJ_TRANSACTION_NOTIFY', minor: TRANSACTION_NOTIFICATION_STRINGS[MinorCode] ?? `Unknown Transaction notication code (${MinorCode})` };
    }
    const major = IRP_MJ_NAMES[MajorCode] ?? IRP_MJ_NAMES[(MajorCode << 24) >> 24] ?? `Unknown Irp major code (${MajorCode})`;
    return { major, minor: MinorCode === 0 ? '' : `minor ${MinorCode}` };
  }

  function line(SequenceNumber: number, Name: string, RecordData: RECORD_DATA, separator: string): string {
    const { major, minor } = PrintIrpCode(RecordData.CallbackMajorId, RecordData.CallbackMinorId);
    const hex = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
    return [hex(SequenceNumber), major, minor, hex(RecordData.Status), String(RecordData.Information), `${RecordData.ProcessId}.${RecordData.ThreadId}`, `FO ${RecordData.FileObject}`, Name].join(separator);
  }

  function ScreenDump(SequenceNumber: number, Name: string, RecordData: RECORD_DATA): void {
    printf(line(SequenceNumber, Name, RecordData, ' '));
  }

  function FileDump(SequenceNumber: number, Name: string, RecordData: RECORD_DATA, File: string[]): void {
    File.push(line(SequenceNumber, Name, RecordData, '\t'));
  }

  function* RetrieveLogRecords(context: LOG_CONTEXT): Blocking<number> {
    // PVOID alignedBuffer[BUFFER_SIZE/sizeof(PVOID)]: a fresh ArrayBuffer starts pointer-aligned.
    const buffer = new Uint8Array(BUFFER_SIZE);
    const commandMessage = new Uint8Array(COMMAND_MESSAGE_SIZE);
    for (;;) {
      if (context.CleaningUp) break;
      new DataView(commandMessage.buffer).setUint32(0, GetMiniSpyLog, true);
      const sent = yield* FilterSendMessage(context.Port, commandMessage, COMMAND_MESSAGE_SIZE, buffer, BUFFER_SIZE);
      const hResult = sent.hr;
      const bytesReturned = sent.BytesReturned;
      if (FAILED(hResult)) {
        if (hResult === HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)) {
          printf('The kernel component of minispy has unloaded. Exiting');
          yield* process.ExitProcess(0);
        } else {
          if (hResult !== HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS)) printf(`UNEXPECTED ERROR received: ${(hResult >>> 0).toString(16)}`);
          yield* process.Sleep(POLL_INTERVAL);
        }
        continue;
      }
      let used = 0;
      let at = 0;
      for (;;) {
        if (used + LOG_RECORD_SIZE > bytesReturned) break;
        const pLogRecord = readLogRecord(buffer, at);
        if (pLogRecord.Length < LOG_RECORD_SIZE + 2) {
          printf(`UNEXPECTED LOG_RECORD->Length: length=${pLogRecord.Length} expected>=${LOG_RECORD_SIZE + 2}`);
          break;
        }
        used += pLogRecord.Length;
        if (used > bytesReturned) {
          printf(`UNEXPECTED LOG_RECORD size: used=${used} bytesReturned=${bytesReturned}`);
          break;
        }
        // Reparse-point records (RECORD_TYPE_FILETAG) are never produced by this port: skip one if seen.
        if ((pLogRecord.RecordType & RECORD_TYPE_FILETAG) !== 0) {
          at += pLogRecord.Length;
          continue;
        }
        if (context.LogToScreen) ScreenDump(pLogRecord.SequenceNumber, pLogRecord.Name, pLogRecord.Data);
        if (context.LogToFile) FileDump(pLogRecord.SequenceNumber, pLogRecord.Name, pLogRecord.Data, context.OutputFile!);
        // The record may also say memory ran out, or the filter's allowance did.
        const seq = (pLogRecord.SequenceNumber >>> 0).toString(16).toUpperCase().padStart(8, '0');
        if ((pLogRecord.RecordType & RECORD_TYPE_FLAG_OUT_OF_MEMORY) !== 0) {
          if (context.LogToScreen) printf(`M:  ${seq} System Out of Memory`);
          if (context.LogToFile) context.OutputFile!.push(`M:\t0x${seq}\tSystem Out of Memory`);
        } else if ((pLogRecord.RecordType & RECORD_TYPE_FLAG_EXCEED_MEMORY_ALLOWANCE) !== 0) {
          if (context.LogToScreen) printf(`M:  ${seq} Exceeded Mamimum Allowed Memory Buffers`);
          if (context.LogToFile) context.OutputFile!.push(`M:\t0x${seq}\tExceeded Mamimum Allowed Memory Buffers`);
        }
        at += pLogRecord.Length;
      }
      if (bytesReturned === 0) yield* process.Sleep(POLL_INTERVAL);
    }
    printf('Log: Shutting down');
    SetEvent(context.ShutDown); // ReleaseSemaphore(context->ShutDown, 1, NULL)
    printf('Log: All done');
    return 0;
  }

  return { PrintIrpCode, ScreenDump, FileDump, RetrieveLogRecords };
}
