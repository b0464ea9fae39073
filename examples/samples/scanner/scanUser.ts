/**
 * scanUser.c and scanuser.h, ported: the user-mode half of the scanner. main connects to
 * `\ScannerPort`, associates the connection with an I/O completion port, starts the worker
 * threads and posts `requestCount` overlapped FilterGetMessage calls for each; every worker
 * dequeues whichever get completes next, looks for "foul" in the bytes the filter sent, replies
 * SafeToOpen = !found and posts the get again. A worker ends at the first error — the filter's
 * unload disconnecting the port completes the gets with ERROR_INVALID_HANDLE — and main closes
 * the handles once every worker has ended.
 *
 * One call of scanUser() is the program run once in one simulated process; printf appends to
 * `output`. Threads are the process's simulated threads (CreateThread → sim.spawn).
 */
import {
  CloseHandle,
  CreateIoCompletionPort,
  ERROR_INVALID_HANDLE,
  ERROR_IO_PENDING,
  FAILED,
  FILTER_MESSAGE_HEADER_SIZE,
  FILTER_REPLY_HEADER_SIZE,
  FilterGetMessage,
  FilterReplyMessage,
  GetQueuedCompletionStatus,
  HRESULT_FROM_WIN32,
  INFINITE,
  S_OK,
  SUCCEEDED,
  hresultName,
  type Blocking,
  type FilterPortHandle,
  type HRESULT,
  type IoCompletionPortHandle,
  type OVERLAPPED,
  type PEPROCESS,
  type Simulation,
  type ThreadHandle,
} from '../../../src/index.js';
import { contentsOf, getBytesToScan, SCANNER_NOTIFICATION_SIZE, SCANNER_READ_BUFFER_SIZE, SCANNER_REPLY_SIZE, ScannerPortName } from './scanuk.js';

export const SCANNER_DEFAULT_REQUEST_COUNT = 5;
export const SCANNER_DEFAULT_THREAD_COUNT = 2;
export const SCANNER_MAX_THREAD_COUNT = 64;

const FoulString = new TextEncoder().encode('foul');

/** SCANNER_THREAD_CONTEXT: what every worker shares. */
interface SCANNER_THREAD_CONTEXT {
  readonly Port: FilterPortHandle;
  readonly Completion: IoCompletionPortHandle;
}

/**
 * SCANNER_MESSAGE (pack(1)): FILTER_MESSAGE_HEADER, then SCANNER_NOTIFICATION — `Buffer` holds
 * both, the FIELD_OFFSET(SCANNER_MESSAGE, Ovlp) bytes FilterGetMessage fills — and the OVERLAPPED
 * embedded after them so a completion leads back to its message.
 */
interface SCANNER_MESSAGE {
  readonly Buffer: Uint8Array;
  readonly Ovlp: OVERLAPPED;
}
const SCANNER_MESSAGE_OVLP_OFFSET = FILTER_MESSAGE_HEADER_SIZE + SCANNER_NOTIFICATION_SIZE;

/** SCANNER_REPLY_MESSAGE (pack(1)): FILTER_REPLY_HEADER then SCANNER_REPLY. */
const SCANNER_REPLY_MESSAGE_SIZE = FILTER_REPLY_HEADER_SIZE + SCANNER_REPLY_SIZE;

export interface ScanUserProgram {
  /** What printf wrote, in order. */
  readonly output: string[];
  /** The worker threads CreateThread started. */
  readonly threads: ThreadHandle[];
  /** main(argc, argv) on the calling thread; its exit code. */
  main(argv: readonly string[]): Blocking<number>;
}

export function scanUser(sim: Simulation, process: PEPROCESS): ScanUserProgram {
  const output: string[] = [];
  const printf = (text: string): void => void output.push(text);
  const threads: ThreadHandle[] = [];
  // CONTAINING_RECORD(pOvlp, SCANNER_MESSAGE, Ovlp): the message around an OVERLAPPED.
  const containing = new Map<OVERLAPPED, SCANNER_MESSAGE>();

  function Usage(): void {
    printf('Connects to the scanner filter and scans buffers ');
    printf('Usage: scanuser [requests per thread] [number of threads(1-64)]');
  }

  /** Whether FoulString occurs in the first BufferSize bytes (a naive search, as the sample says). */
  function ScanBuffer(Buffer: Uint8Array, BufferSize: number): boolean {
    const searchStringLength = FoulString.length;
    for (let p = 0; p <= BufferSize - searchStringLength; p++) {
      let equal = true;
      for (let i = 0; i < searchStringLength && equal; i++) equal = Buffer[p + i] === FoulString[i];
      if (equal) {
        printf('Found a string');
        // One occurrence is enough.
        return true;
      }
    }
    return false;
  }

  /** A worker: take a completed get, scan it, reply, post the get again; stop at the first error. */
  function* ScannerWorker(Context: SCANNER_THREAD_CONTEXT): Blocking<HRESULT> {
    let hr: HRESULT = S_OK;
    for (;;) {
      // The completion may be of a get another thread posted: completions come in any order.
      const completion = yield* GetQueuedCompletionStatus(Context.Completion, INFINITE);
      const message = completion.Overlapped === null ? undefined : containing.get(completion.Overlapped);
      if (!completion.result) {
        hr = HRESULT_FROM_WIN32(completion.LastError);
        break;
      }
      printf(`Received message, size ${completion.Overlapped!.InternalHigh}`);
      const notification = message!.Buffer.subarray(FILTER_MESSAGE_HEADER_SIZE);
      const BytesToScan = getBytesToScan(notification);
      // assert(notification->BytesToScan <= SCANNER_READ_BUFFER_SIZE)
      const result = ScanBuffer(contentsOf(notification), Math.min(BytesToScan, SCANNER_READ_BUFFER_SIZE));

      const replyMessage = new Uint8Array(SCANNER_REPLY_MESSAGE_SIZE);
      const reply = new DataView(replyMessage.buffer);
      reply.setUint32(0, 0, true); // ReplyHeader.Status
      reply.setBigUint64(8, new DataView(message!.Buffer.buffer, message!.Buffer.byteOffset).getBigUint64(8, true), true); // ReplyHeader.MessageId
      // Found foul language: not safe to open.
      replyMessage[FILTER_REPLY_HEADER_SIZE] = result ? 0 : 1;
      printf(`Replying message, SafeToOpen: ${replyMessage[FILTER_REPLY_HEADER_SIZE]}`);
      hr = yield* FilterReplyMessage(Context.Port, replyMessage, SCANNER_REPLY_MESSAGE_SIZE);
      if (SUCCEEDED(hr)) {
        printf('Replied message');
      } else {
        printf(`Scanner: Error replying message. Error = ${hresultName(hr)}`);
        break;
      }

      message!.Ovlp.hEvent = null;
      message!.Ovlp.Internal = 0;
      message!.Ovlp.InternalHigh = 0;
      hr = yield* FilterGetMessage(Context.Port, message!.Buffer, SCANNER_MESSAGE_OVLP_OFFSET, message!.Ovlp);
      if (hr !== HRESULT_FROM_WIN32(ERROR_IO_PENDING)) break;
    }
    if (!SUCCEEDED(hr)) {
      if (hr === HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)) printf('Scanner: Port is disconnected, probably due to scanner filter unloading.');
      else printf(`Scanner: Unknown error occured. Error = ${hresultName(hr)}`);
    }
    return hr;
  }

  function* main(argv: readonly string[]): Blocking<number> {
    let requestCount = SCANNER_DEFAULT_REQUEST_COUNT;
    let threadCount = SCANNER_DEFAULT_THREAD_COUNT;
    let hr: HRESULT;
    if (argv.length > 1) {
      requestCount = atoi(argv[1]!);
      if (requestCount <= 0) {
        Usage();
        return 1;
      }
      if (argv.length > 2) threadCount = atoi(argv[2]!);
      if (threadCount <= 0 || threadCount > SCANNER_MAX_THREAD_COUNT) {
        Usage();
        return 1;
      }
    }

    printf('Scanner: Connecting to the filter ...');
    const connected = yield* sim.FilterConnectCommunicationPort(ScannerPortName, 0, null, 0, null);
    hr = connected.hr;
    if (FAILED(hr)) {
      printf(`ERROR: Connecting to filter port: ${hresultName(hr)}`);
      return 2;
    }
    const port = connected.hPort!;

    const created = CreateIoCompletionPort(port, null, 0, threadCount);
    if (created.handle === null) {
      printf(`ERROR: Creating completion port: ${created.LastError}`);
      yield* CloseHandle(port);
      return 3;
    }
    const completion = created.handle;
    printf(`Scanner: Port = ${port.id} Completion = ${completion.id}`);
    const context: SCANNER_THREAD_CONTEXT = { Port: port, Completion: completion };

    const messages: SCANNER_MESSAGE[] = [];
    for (let i = 0; i < threadCount * requestCount; i++) {
      const message = { Buffer: new Uint8Array(SCANNER_MESSAGE_OVLP_OFFSET), Ovlp: { hEvent: null, Internal: 0, InternalHigh: 0 } };
      containing.set(message.Ovlp, message);
      messages.push(message);
    }

    let posted = true;
    posting: for (let i = 0; i < threadCount; i++) {
      threads.push(sim.spawn(`scanuser worker ${i + 1}`, () => ScannerWorker(context), { process }));
      for (let j = 0; j < requestCount; j++) {
        const msg = messages[i * requestCount + j]!;
        // Request messages from the filter.
        hr = yield* FilterGetMessage(port, msg.Buffer, SCANNER_MESSAGE_OVLP_OFFSET, msg.Ovlp);
        if (hr !== HRESULT_FROM_WIN32(ERROR_IO_PENDING)) {
          posted = false;
          break posting; // goto main_cleanup
        }
      }
    }
    if (posted) hr = S_OK;

    // main_cleanup: wait for the workers (WaitForSingleObjectEx), then close both handles.
    for (const thread of threads) yield* sim.join(thread);
    printf(`Scanner:  All done. Result = ${hresultName(hr)}`);
    yield* CloseHandle(port);
    yield* CloseHandle(completion);
    return hr;
  }

  return { output, threads, main };
}

/** atoi: the leading decimal digits (0 when there are none). */
function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number.parseInt(m[1]!, 10);
}
