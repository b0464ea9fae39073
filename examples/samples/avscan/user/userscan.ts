/**
 * user/userscan.c: the user-mode scanner, as application threads of its own process. UserScanInit
 * starts the scanning workers and the abort listener and connects the scan port; each worker takes
 * a start-scan message, replies with its thread id, asks the filter for a section
 * (AvCmdCreateSectionForDataScan), maps and scans it, unmaps, closes the handle, and reports
 * (AvCmdCloseSectionForDataScan). The abort listener flags the worker of an aborted scan, and on
 * AvMsgFilterUnloading cancels the workers, replies, closes the ports and exits the process.
 *
 * Differences from the C, for the model: fltsim's ports have no I/O completion port, so each worker
 * keeps one overlapped FilterGetMessage with an event of its own instead of sharing an IOCP, and
 * UserScanSynchronizedCancel wakes the workers by setting those events where the C calls CancelIoEx
 * on the port; a CRITICAL_SECTION guards code without a scheduling point, so the model needs no
 * lock object for it. `scanDelay` (ticks per chunk) makes scans slow enough for the filter's
 * timeout to race them.
 */
import {
  CloseHandle,
  ERROR_IO_PENDING,
  ERROR_OPERATION_ABORTED,
  FAILED,
  FILTER_MESSAGE_HEADER_SIZE,
  FILTER_REPLY_HEADER_SIZE,
  FILE_MAP_READ,
  FilterGetMessage,
  FilterReplyMessage,
  FilterSendMessage,
  HRESULT_FROM_WIN32,
  INFINITE,
  MapViewOfFile,
  S_OK,
  SetEvent,
  STATUS_PENDING,
  UnmapViewOfFile,
  WaitForSingleObject,
  preempt,
  sleep,
  viewBytes,
  type Blocking,
  type EventHandle,
  type FilterPortHandle,
  type HRESULT,
  type OVERLAPPED,
  type PEPROCESS,
  type Simulation,
  type ThreadHandle,
} from '../../../../src/index.js';
import {
  AV_ABORT_PORT_NAME,
  AV_SCAN_PORT_NAME,
  AV_SCANNER_NOTIFICATION_SIZE,
  AvCmdCloseSectionForDataScan,
  AvCmdCreateSectionForDataScan,
  AvConnectForAbort,
  AvConnectForScan,
  AvMsgAbortScanning,
  AvMsgFilterUnloading,
  AvMsgStartScanning,
  AvScanResultClean,
  AvScanResultInfected,
  AvScanResultUndetermined,
  COMMAND_MESSAGE_SIZE,
  decodeNotification,
  decodedPattern,
  encodeCommand,
  encodeConnectionContext,
  readHandle,
  type AVSCAN_RESULT,
} from '../avlib.js';

/** USER_SCAN_THREAD_COUNT is 6 in the C; the scenario's `workers` argument sets it. */
export const USER_SCAN_THREAD_COUNT = 6;
const SCANNER_MESSAGE_SIZE = FILTER_MESSAGE_HEADER_SIZE + AV_SCANNER_NOTIFICATION_SIZE;
const SCANNER_REPLY_MESSAGE_SIZE = FILTER_REPLY_HEADER_SIZE + 4;
/**
 * Bytes searched between two polls of the abort flag (the scheduling points of a scan; the C polls
 * after every byte). The default keeps many points inside a scan for random and PCT schedules; a
 * bounded exhaustive search wants few, since each is a place to preempt: a 4 KB view is 512 points
 * per scanning worker at 8 (options.scanChunk).
 */
export const USER_SCAN_CHUNK = 8;

export interface SCANNER_THREAD_CONTEXT {
  Handle: ThreadHandle | null;
  ThreadId: number;
  /** The scan this worker is doing, and whether it was asked to abort it. */
  ScanId: number;
  Aborted: { value: boolean };
  /** Stands in for the IOCP: the event of this worker's overlapped FilterGetMessage. */
  Event: EventHandle | null;
}

export interface USER_SCAN_CONTEXT {
  ConnectionPort: FilterPortHandle | null;
  ScanThreadCtxes: SCANNER_THREAD_CONTEXT[] | null;
  AbortThreadHandle: ThreadHandle | null;
  Finalized: boolean;
  /** ExitProcess was called. */
  Exited: boolean;
  /** What the main thread waits for before UserScanFinalize (the C waits for a key); ExitProcess sets it too. */
  Quit: EventHandle | null;
  /** The abort listener's connection (a local of UserScanListenAbortProc in the C), closed at process exit. */
  AbortPort: FilterPortHandle | null;
  /** What the scanner printed (printf / fprintf), and each scan's result by scan id. */
  readonly Output: string[];
  readonly Results: { ScanId: number; result: AVSCAN_RESULT; aborted: boolean }[];
}

export interface UserScanOptions {
  readonly threads?: number;
  /** Ticks a worker sleeps before each chunk it searches (a slow scanner). */
  readonly scanDelay?: number;
  /** Bytes per chunk: between two polls of the abort flag (default USER_SCAN_CHUNK). */
  readonly scanChunk?: number;
  /**
   * Not in the C: a worker checks Finalized again after arming its FilterGetMessage, which closes the
   * window in which UserScanSynchronizedCancel's wake-up is lost (test/samples/avscan.test.ts, "a bug
   * in the shipped sample").
   */
  readonly fixCancelRace?: boolean;
}

export function newUserScanContext(): USER_SCAN_CONTEXT {
  return { ConnectionPort: null, ScanThreadCtxes: null, AbortThreadHandle: null, Finalized: false, Exited: false, Quit: null, AbortPort: null, Output: [], Results: [] };
}

export function userScan(sim: Simulation, process: PEPROCESS, options: UserScanOptions = {}) {
  const threadCount = options.threads ?? USER_SCAN_THREAD_COUNT;
  const scanDelay = options.scanDelay ?? 0;
  const scanChunk = options.scanChunk ?? USER_SCAN_CHUNK;

  /** UserScanMemoryStream: search for the pattern, polling *pAbort (reset when it fires). */
  function* UserScanMemoryStream(StartingAddress: Uint8Array, Size: number, pAbort: { value: boolean }): Blocking<AVSCAN_RESULT> {
    const target = decodedPattern();
    for (let p = 0; p <= Size - target.length; p++) {
      if (p % scanChunk === 0) yield* scanDelay > 0 ? sleep(scanDelay) : preempt();
      if (pAbort.value) {
        pAbort.value = false;
        return AvScanResultUndetermined;
      }
      if (target.every((b, i) => StartingAddress[p + i] === b)) return AvScanResultInfected;
    }
    return AvScanResultClean;
  }

  function UserScanGetThreadContextById(ThreadId: number, Context: USER_SCAN_CONTEXT): SCANNER_THREAD_CONTEXT | null {
    return Context.ScanThreadCtxes?.find((t) => t.ThreadId === ThreadId) ?? null;
  }

  /** UserScanHandleStartScanMsg: create section (via the filter), map, scan, unmap, close, report. */
  function* UserScanHandleStartScanMsg(Context: USER_SCAN_CONTEXT, ScanId: number, ThreadCtx: SCANNER_THREAD_CONTEXT): Blocking<HRESULT> {
    const commandMessage = { Command: AvCmdCreateSectionForDataScan, ScanId, ScanThreadId: ThreadCtx.ThreadId, ScanResult: AvScanResultUndetermined as AVSCAN_RESULT };
    const sectionHandleBuffer = new Uint8Array(8);
    let sent = yield* FilterSendMessage(Context.ConnectionPort!, encodeCommand(commandMessage), COMMAND_MESSAGE_SIZE, sectionHandleBuffer, 8);
    if (FAILED(sent.hr)) {
      Context.Output.push(`[UserScanHandleStartScanMsg]: Failed to send message SendMessageToCreateSection to the minifilter (0x${sent.hr.toString(16)}).`);
      return sent.hr;
    }
    const sectionHandle = readHandle(sectionHandleBuffer);
    const scanAddress = yield* MapViewOfFile(sectionHandle, FILE_MAP_READ, 0, 0, 0);
    if (scanAddress === null) Context.Output.push('[UserScanHandleStartScanMsg]: Failed to map the view.');
    else {
      commandMessage.ScanResult = yield* UserScanMemoryStream(viewBytes(scanAddress), scanAddress.RegionSize, ThreadCtx.Aborted);
      Context.Results.push({ ScanId, result: commandMessage.ScanResult, aborted: commandMessage.ScanResult === AvScanResultUndetermined });
      yield* UnmapViewOfFile(scanAddress);
    }
    if (!(yield* CloseHandle(sectionHandle))) Context.Output.push('[UserScanHandleStartScanMsg]: Failed to close the section handle.');
    commandMessage.Command = AvCmdCloseSectionForDataScan;
    sent = yield* FilterSendMessage(Context.ConnectionPort!, encodeCommand(commandMessage), COMMAND_MESSAGE_SIZE, null, 0);
    if (FAILED(sent.hr)) Context.Output.push(`[UserScanHandleStartScanMsg]: Failed to close message SendMessageToCreateSection to the minifilter (0x${sent.hr.toString(16)}).`);
    return sent.hr;
  }

  /** UserScanWorker: wait for a start-scan message, reply with the thread id, scan; until finalized. */
  function* UserScanWorker(Context: USER_SCAN_CONTEXT, threadCtx: SCANNER_THREAD_CONTEXT): Blocking<HRESULT> {
    threadCtx.ThreadId = sim.PsGetCurrentThreadId();
    let hr: HRESULT = S_OK;
    const message = new Uint8Array(SCANNER_MESSAGE_SIZE);
    for (;;) {
      const ovlp: OVERLAPPED = { hEvent: threadCtx.Event, Internal: STATUS_PENDING, InternalHigh: 0, Offset: 0 };
      hr = yield* FilterGetMessage(Context.ConnectionPort!, message, SCANNER_MESSAGE_SIZE, ovlp);
      if (hr === HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)) break;
      if (hr !== HRESULT_FROM_WIN32(ERROR_IO_PENDING)) {
        Context.Output.push(`[UserScanWorker]: Failed to get message from the minifilter (0x${hr.toString(16)}).`);
        break;
      }
      if (options.fixCancelRace === true && Context.Finalized) break;
      yield* WaitForSingleObject(threadCtx.Event!, INFINITE);
      // Woken by UserScanSynchronizedCancel (the C's CancelIoEx), or the get failed: leave.
      if (Context.Finalized || ovlp.Internal !== 0) {
        hr = S_OK;
        break;
      }
      const notification = decodeNotification(message, FILTER_MESSAGE_HEADER_SIZE);
      const messageId = new DataView(message.buffer).getBigUint64(8, true);
      if (notification.Message === AvMsgStartScanning) {
        threadCtx.Aborted.value = false;
        threadCtx.ScanId = notification.ScanId;
        const reply = new Uint8Array(SCANNER_REPLY_MESSAGE_SIZE);
        const view = new DataView(reply.buffer);
        view.setBigUint64(8, messageId, true);
        view.setUint32(FILTER_REPLY_HEADER_SIZE, threadCtx.ThreadId, true);
        hr = yield* FilterReplyMessage(Context.ConnectionPort!, reply, SCANNER_REPLY_MESSAGE_SIZE);
        if (FAILED(hr)) {
          Context.Output.push('[UserScanWorker]: Failed to reply thread handle to the minifilter');
          break;
        }
        hr = yield* UserScanHandleStartScanMsg(Context, notification.ScanId, threadCtx);
      }
      if (FAILED(hr)) Context.Output.push('[UserScanWorker]: Failed to handle the message.');
      if (Context.Finalized) break;
    }
    Context.Output.push(`***Thread id ${threadCtx.ThreadId} exiting`);
    return hr;
  }

  /** UserScanSynchronizedCancel: flag every worker, wake them, wait for them all. */
  function* UserScanSynchronizedCancel(Context: USER_SCAN_CONTEXT): Blocking<void> {
    const ctxes = Context.ScanThreadCtxes;
    if (ctxes === null) return;
    Context.Finalized = true;
    for (const t of ctxes) t.Aborted.value = true;
    for (const t of ctxes) SetEvent(t.Event!);
    for (const t of ctxes) yield* sim.join(t.Handle!);
  }

  function* UserScanClosePorts(Context: USER_SCAN_CONTEXT): Blocking<HRESULT> {
    if (Context.ConnectionPort !== null) yield* CloseHandle(Context.ConnectionPort);
    Context.ConnectionPort = null;
    return S_OK;
  }

  /** UserScanCleanup: the ports and the thread contexts (thread handles need no closing here). */
  function* UserScanCleanup(Context: USER_SCAN_CONTEXT): Blocking<HRESULT> {
    const hr = yield* UserScanClosePorts(Context);
    Context.ScanThreadCtxes = null;
    return hr;
  }

  /** UserScanFinalize: cancel the workers and wait for them, then clean up. */
  function* UserScanFinalize(Context: USER_SCAN_CONTEXT): Blocking<HRESULT> {
    Context.Output.push('=================finalize');
    yield* UserScanSynchronizedCancel(Context);
    return yield* UserScanCleanup(Context);
  }

  /** UserScanListenAbortProc: connect the abort port; abort a worker's scan by id; on unloading, cancel, reply, close, exit. */
  function* UserScanListenAbortProc(Context: USER_SCAN_CONTEXT): Blocking<HRESULT> {
    const connected = yield* sim.FilterConnectCommunicationPort(AV_ABORT_PORT_NAME, 0, encodeConnectionContext(AvConnectForAbort), 4);
    if (connected.hPort === null) return connected.hr;
    const abortPort = connected.hPort;
    Context.AbortPort = abortPort;
    const message = new Uint8Array(SCANNER_MESSAGE_SIZE);
    let hr: HRESULT = S_OK;
    for (;;) {
      hr = yield* FilterGetMessage(abortPort, message, SCANNER_MESSAGE_SIZE, null);
      if (hr === HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)) {
        hr = S_OK;
        break;
      } else if (FAILED(hr)) {
        Context.Output.push('[UserScanListenAbortProc]: Failed to get message from the minifilter.');
        continue;
      }
      const notification = decodeNotification(message, FILTER_MESSAGE_HEADER_SIZE);
      if (notification.Message === AvMsgAbortScanning) {
        const threadCtx = UserScanGetThreadContextById(notification.ScanThreadId, Context);
        // The C holds the thread's CRITICAL_SECTION here: check and set with no scheduling point between.
        if (threadCtx !== null && threadCtx.ScanId === notification.ScanId) threadCtx.Aborted.value = true;
      } else if (notification.Message === AvMsgFilterUnloading) {
        yield* UserScanSynchronizedCancel(Context);
        const reply = new Uint8Array(SCANNER_REPLY_MESSAGE_SIZE);
        const view = new DataView(reply.buffer);
        view.setBigUint64(8, new DataView(message.buffer).getBigUint64(8, true), true);
        view.setUint32(FILTER_REPLY_HEADER_SIZE, sim.PsGetCurrentThreadId(), true);
        hr = yield* FilterReplyMessage(abortPort, reply, SCANNER_REPLY_MESSAGE_SIZE);
        yield* UserScanClosePorts(Context);
        yield* CloseHandle(abortPort);
        // ExitProcess(0): the workers have returned; the main thread, waiting for its quit key, ends too.
        Context.Exited = true;
        if (Context.Quit !== null) SetEvent(Context.Quit);
        return hr;
      }
    }
    yield* CloseHandle(abortPort);
    return hr;
  }

  /** UserScanInit: the workers and the abort listener, the scan port; the C pumps the gets here, each worker does its own. */
  function* UserScanInit(Context: USER_SCAN_CONTEXT): Blocking<HRESULT> {
    const connected = yield* sim.FilterConnectCommunicationPort(AV_SCAN_PORT_NAME, 0, encodeConnectionContext(AvConnectForScan), 4);
    if (connected.hPort === null) return connected.hr;
    Context.ConnectionPort = connected.hPort;
    const ctxes: SCANNER_THREAD_CONTEXT[] = [];
    for (let i = 0; i < threadCount; i++) ctxes.push({ Handle: null, ThreadId: 0, ScanId: 0, Aborted: { value: false }, Event: sim.CreateEventW(null, false, false, null) });
    Context.ScanThreadCtxes = ctxes;
    ctxes.forEach((t, i) => {
      t.Handle = sim.spawn(`UserScanWorker ${i}`, () => UserScanWorker(Context, t), { process });
    });
    Context.AbortThreadHandle = sim.spawn('UserScanListenAbortProc', () => UserScanListenAbortProc(Context), { process });
    return S_OK;
  }

  /** The user program's main (user/avscan.c): UserScanInit, wait for the quit key, UserScanFinalize unless the process already exited. */
  function* main(Context: USER_SCAN_CONTEXT): Blocking<HRESULT> {
    Context.Quit = sim.CreateEventW(null, true, false, null);
    const hr = yield* UserScanInit(Context);
    if (FAILED(hr)) return hr;
    yield* WaitForSingleObject(Context.Quit, INFINITE);
    if (Context.Exited) return S_OK;
    const finalized = yield* UserScanFinalize(Context);
    // main returns: the process exits, and closing its handles ends the abort listener's wait.
    Context.Exited = true;
    if (Context.AbortPort !== null) yield* CloseHandle(Context.AbortPort);
    return finalized;
  }

  return { main, UserScanInit, UserScanFinalize, UserScanCleanup, UserScanWorker, UserScanHandleStartScanMsg, UserScanMemoryStream, UserScanListenAbortProc, UserScanSynchronizedCancel, UserScanGetThreadContextById, UserScanClosePorts };
}
