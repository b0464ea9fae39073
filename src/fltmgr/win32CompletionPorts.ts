/**
 * I/O completion ports around overlapped FilterGetMessage (§17.4): scanUser.c associates its
 * connection handle with a completion port, posts several overlapped gets per worker thread and
 * has every worker dequeue whichever get completes next with GetQueuedCompletionStatus, so a
 * message is not tied to the thread that posted its get. Milliseconds are virtual ticks.
 *
 * Kept beside the Win32 events (win32Events.ts): application-side objects, not FltMgr's; what
 * they carry (a get's completion) is already a fact of the connection.
 */
import { waitForObjects, type Blocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import { ERROR_ABANDONED_WAIT_0, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, win32ErrorFromNtStatus } from '../wdk/hresult.js';
import { NT_SUCCESS, hex32 } from '../wdk/ntstatus.js';
import { INFINITE, WAIT_TIMEOUT } from '../wdk/portConstants.js';
import { portHandleArgument } from './portArguments.js';
import { IoCompletionPortHandle, type CompletionPacket, type FilterPortHandle, type OVERLAPPED, type PendingGet } from './portObjects.js';

export interface CreateIoCompletionPortResult {
  /** The completion port's handle; null where Win32 returns NULL (LastError says why). */
  readonly handle: IoCompletionPortHandle | null;
  readonly LastError: number;
}

/**
 * CreateIoCompletionPort(FileHandle, ExistingCompletionPort, CompletionKey,
 * NumberOfConcurrentThreads): associates a connection's handle with a new completion port (or
 * with ExistingCompletionPort), so every overlapped get issued on it from now on queues its
 * completion there with CompletionKey. A handle can be associated once (ERROR_INVALID_PARAMETER
 * after); a closed handle gives ERROR_INVALID_HANDLE. NumberOfConcurrentThreads is recorded, not
 * enforced: the simulator runs one thread at a time.
 */
export function CreateIoCompletionPort(
  FileHandle: FilterPortHandle,
  ExistingCompletionPort: IoCompletionPortHandle | null,
  CompletionKey: number,
  NumberOfConcurrentThreads: number,
): CreateIoCompletionPortResult {
  const handle = portHandleArgument('CreateIoCompletionPort', FileHandle);
  if (ExistingCompletionPort !== null && !(ExistingCompletionPort instanceof IoCompletionPortHandle)) {
    throw new UsageError('BAD_ARGUMENT', 'CreateIoCompletionPort: ExistingCompletionPort is not a completion port from CreateIoCompletionPort or NULL');
  }
  if (!Number.isSafeInteger(CompletionKey) || CompletionKey < 0) throw new UsageError('BAD_ARGUMENT', `CreateIoCompletionPort: CompletionKey ${CompletionKey} is not a ULONG_PTR`);
  if (!Number.isInteger(NumberOfConcurrentThreads) || NumberOfConcurrentThreads < 0) {
    throw new UsageError('BAD_ARGUMENT', `CreateIoCompletionPort: NumberOfConcurrentThreads ${NumberOfConcurrentThreads} is not a DWORD`);
  }
  if (!handle.isOpen) return { handle: null, LastError: ERROR_INVALID_HANDLE };
  if (handle.completion !== null) return { handle: null, LastError: ERROR_INVALID_PARAMETER };
  if (ExistingCompletionPort?.closed === true) return { handle: null, LastError: ERROR_INVALID_HANDLE };
  const kernel = handle.port.fltMgr.kernel;
  const port = ExistingCompletionPort ?? newCompletionPort(kernel, NumberOfConcurrentThreads);
  handle.completion = { port, key: CompletionKey };
  return { handle: port, LastError: 0 };
}

function newCompletionPort(kernel: FilterPortHandle['port']['fltMgr']['kernel'], threads: number): IoCompletionPortHandle {
  const id = kernel.nextId('H');
  return new IoCompletionPortHandle(kernel, id, kernel.createWaitable(`completion port ${id}`, 'notification'), threads);
}

/** A get on an associated handle completed: queue its packet and wake the waiters. */
export function postCompletion(get: PendingGet, status: number, bytes: number): void {
  const association = get.completion;
  if (association === null || get.overlapped === null || association.port.closed) return;
  association.port.packets.push({ status, bytes, key: association.key, overlapped: get.overlapped });
  association.port.kernel.signal(association.port.waitable);
}

export interface QueuedCompletionStatus {
  /** The BOOL GetQueuedCompletionStatus returns: TRUE for a packet of a successful operation. */
  readonly result: boolean;
  readonly NumberOfBytesTransferred: number;
  readonly CompletionKey: number;
  /** *lpOverlapped: the dequeued packet's OVERLAPPED, or null when none was dequeued. */
  readonly Overlapped: OVERLAPPED | null;
  /** What GetLastError reads when result is FALSE (0 otherwise). */
  readonly LastError: number;
}

/**
 * GetQueuedCompletionStatus(CompletionPort, &NumberOfBytesTransferred, &CompletionKey,
 * &lpOverlapped, dwMilliseconds): the oldest packet, waiting for one up to dwMilliseconds. A
 * packet of a failed operation returns FALSE with its OVERLAPPED and the operation's error; no
 * packet in time returns FALSE, NULL and WAIT_TIMEOUT; the port closed while waiting returns
 * FALSE with ERROR_ABANDONED_WAIT_0. Every wait is a scheduling point.
 */
export function* GetQueuedCompletionStatus(CompletionPort: IoCompletionPortHandle, dwMilliseconds: number): Blocking<QueuedCompletionStatus> {
  if (!(CompletionPort instanceof IoCompletionPortHandle)) throw new UsageError('BAD_ARGUMENT', 'GetQueuedCompletionStatus: CompletionPort is not a completion port from CreateIoCompletionPort');
  if (dwMilliseconds !== INFINITE && (!Number.isInteger(dwMilliseconds) || dwMilliseconds < 0)) {
    throw new UsageError('BAD_ARGUMENT', `GetQueuedCompletionStatus: dwMilliseconds ${dwMilliseconds} is not a DWORD`);
  }
  const none = (LastError: number): QueuedCompletionStatus => ({ result: false, NumberOfBytesTransferred: 0, CompletionKey: 0, Overlapped: null, LastError });
  if (CompletionPort.closed) return none(ERROR_INVALID_HANDLE);
  const kernel = CompletionPort.kernel;
  const deadline = dwMilliseconds === INFINITE ? null : kernel.now + dwMilliseconds;
  // Every waiter wakes on a packet and only one takes it: the others look again.
  while (CompletionPort.packets.length === 0) {
    if (CompletionPort.closed) return none(ERROR_ABANDONED_WAIT_0);
    const left = deadline === null ? null : Math.max(0, deadline - kernel.now);
    CompletionPort.waitable.signaled = false;
    const outcome = yield* waitForObjects([CompletionPort.waitable], 'WaitAny', left, `GetQueuedCompletionStatus(${CompletionPort.id})`);
    if (outcome.kind !== 'signaled' && CompletionPort.packets.length === 0) return none(WAIT_TIMEOUT);
  }
  const packet: CompletionPacket = CompletionPort.packets.shift()!;
  if (CompletionPort.packets.length === 0 && !CompletionPort.closed) CompletionPort.waitable.signaled = false;
  const ok = NT_SUCCESS(packet.status);
  return {
    result: ok,
    NumberOfBytesTransferred: packet.bytes,
    CompletionKey: packet.key,
    Overlapped: packet.overlapped,
    LastError: ok ? 0 : (win32ErrorFromNtStatus(packet.status) ?? Number(hex32(packet.status))),
  };
}

/** CloseHandle(hObject) for a completion port: its waiters return ERROR_ABANDONED_WAIT_0. FALSE if already closed. */
export function CloseCompletionPort(hObject: IoCompletionPortHandle): boolean {
  if (!(hObject instanceof IoCompletionPortHandle)) throw new UsageError('BAD_ARGUMENT', 'CloseHandle: not a completion port from CreateIoCompletionPort');
  if (hObject.closed) return false;
  hObject.closed = true;
  hObject.packets.splice(0);
  hObject.kernel.signal(hObject.waitable);
  return true;
}
