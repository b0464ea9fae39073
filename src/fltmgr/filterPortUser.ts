/**
 * The user-mode side of communication ports (fltlib, FltUser.h), §17.4, run by application
 * threads: FilterConnectCommunicationPort (a Simulation method: it has no object argument),
 * FilterGetMessage (synchronous, or overlapped with an event), FilterReplyMessage,
 * FilterSendMessage (MessageNotify in the caller's thread), and CloseHandle of the connection's
 * handle (DisconnectNotify). Results are HRESULTs, as fltlib returns them; the log carries the
 * NTSTATUS behind each (src/wdk/hresult.ts maps one to the other).
 */
import { kernelCall, preempt, waitForObjects, type Blocking } from '../kernel/effects.js';
import { kindOf } from '../kernel/arguments.js';
import {
  ERROR_IO_PENDING,
  ERROR_NOACCESS,
  ERROR_FLT_NO_WAITER_FOR_REPLY,
  E_HANDLE,
  E_INVALIDARG,
  HRESULT_FROM_WIN32,
  S_OK,
  hresultFromNtStatus,
  type HRESULT,
} from '../wdk/hresult.js';
import { FILTER_MESSAGE_HEADER_SIZE, FILTER_REPLY_HEADER_SIZE, FLT_PORT_FLAG_SYNC_HANDLE } from '../wdk/portConstants.js';
import {
  NT_SUCCESS,
  STATUS_ACCESS_DENIED,
  STATUS_ACCESS_VIOLATION,
  STATUS_CANCELLED,
  STATUS_CONNECTION_COUNT_LIMIT,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_FLT_NO_WAITER_FOR_REPLY,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_PENDING,
  STATUS_PORT_DISCONNECTED,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FilterManager } from './filterManager.js';
import { EventHandle, FilterPortHandle, IoCompletionPortHandle, type ClientPort, type OVERLAPPED, type PendingGet } from './portObjects.js';
import { CloseCompletionPort } from './win32CompletionPorts.js';
import { overlappedEventOrFailure, recordHandleFailure } from './win32Handles.js';
import { createClientPort } from './portRoutines.js';
import { bufferArgument, overlappedArgument, portHandleArgument } from './portArguments.js';
import { abortGets, disconnect, isConnectionOpen, pump, runPortCallback } from './portTraffic.js';
import { isBeingTornDown } from './references.js';
import { SectionHandle } from './sectionObjects.js';
import { closeSectionHandle, sectionHandleFromValue } from './sectionRoutines.js';
import { checkStatusResult, fail, requireThread } from './routineSupport.js';

export interface ConnectResult {
  readonly hr: HRESULT;
  /** The connection's handle; null where fltlib returns INVALID_HANDLE_VALUE. */
  readonly hPort: FilterPortHandle | null;
}

/**
 * FilterConnectCommunicationPort(lpPortName, dwOptions, lpContext, wSizeOfContext,
 * lpSecurityAttributes, &hPort): ConnectNotify runs in the calling thread. Fails with
 * HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) (no such port, or it is closed), E_ACCESSDENIED (the
 * thread's token is not granted by the port's security descriptor),
 * HRESULT_FROM_WIN32(ERROR_CONNECTION_COUNT_LIMIT) (MaxConnections reached), or ConnectNotify's
 * status as an HRESULT.
 */
export function* connectCommunicationPort(
  fltMgr: FilterManager,
  lpPortName: string | null,
  dwOptions: number,
  lpContext: Uint8Array | null,
  wSizeOfContext: number,
): Blocking<ConnectResult> {
  const thread = requireThread(fltMgr, 'FilterConnectCommunicationPort');
  yield* preempt();
  const refuse = (object: string, status: NTSTATUS, detail: string): ConnectResult => ({
    hr: hresultFromNtStatus(fail(fltMgr, object, 'FilterConnectCommunicationPort', status, detail)),
    hPort: null,
  });
  // fltlib builds the port's name from lpPortName before anything reaches the kernel (§17.4): a NULL name is the model's E_INVALIDARG.
  if (lpPortName === null) return refuse('sim', STATUS_INVALID_PARAMETER, 'lpPortName is NULL');
  if ((lpContext === null) !== (wSizeOfContext === 0)) return refuse('sim', STATUS_INVALID_PARAMETER, `lpContext ${lpContext === null ? 'NULL' : 'given'} with wSizeOfContext ${wSizeOfContext}`);
  if (lpContext !== null && (!Number.isInteger(wSizeOfContext) || wSizeOfContext < 0 || wSizeOfContext > lpContext.length)) {
    return refuse('sim', STATUS_ACCESS_VIOLATION, `wSizeOfContext ${wSizeOfContext} with a context of ${lpContext.length} bytes`);
  }
  const server = fltMgr.ports.listening(lpPortName);
  if (server === undefined) return refuse('sim', STATUS_OBJECT_NAME_NOT_FOUND, `no listening port named ${lpPortName}`);
  if (!server.grants.includes(thread.token)) return refuse(server.id, STATUS_ACCESS_DENIED, `${thread.id}'s token ${thread.token} is not granted by ${server}'s security descriptor`);
  if (isBeingTornDown(server.filter)) return refuse(server.id, STATUS_FLT_DELETING_OBJECT, `${server.filter.name} is ${server.filter.state}`);
  if (server.connections.length >= server.maxConnections) {
    return refuse(server.id, STATUS_CONNECTION_COUNT_LIMIT, `${server} has ${server.connections.length} of MaxConnections ${server.maxConnections}`);
  }
  const port = createClientPort(server, thread.id, wSizeOfContext);
  // FltMgr passes a copy valid for the call only (avscan copies it for that reason).
  const context = lpContext === null ? null : lpContext.slice(0, wSizeOfContext);
  const cookie: { value: unknown } = { value: null };
  let status: NTSTATUS = 0;
  let handle: FilterPortHandle | null = null;
  yield* runPortCallback(server.filter, () => server.ConnectNotify(port, server.cookie, context, wSizeOfContext, cookie), (result) => {
    status = checkStatusResult(fltMgr, server.filter, 'ConnectNotify', result);
    if (NT_SUCCESS(status)) {
      port.cookie = cookie.value;
      handle = new FilterPortHandle(fltMgr.kernel.nextId('H'), port, (dwOptions & FLT_PORT_FLAG_SYNC_HANDLE) !== 0);
      port.handle = handle;
    }
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'ConnectNotifyReturned', status, handle: handle === null ? null : (handle as FilterPortHandle).id });
    if (handle === null) server.connections.splice(server.connections.indexOf(port), 1);
  });
  if (handle === null) return { hr: hresultFromNtStatus(status), hPort: null };
  // An unload that began while ConnectNotify ran has already disconnected the others: this one follows.
  if (isBeingTornDown(server.filter) && isConnectionOpen(port)) yield* disconnect(port, 'FltUnregisterFilter');
  return { hr: S_OK, hPort: handle };
}

/**
 * hPort as fltlib hands it to the kernel: a HANDLE. NULL, a handle value that names nothing, or the
 * handle of another object (an event, a section, a completion port) fails the DeviceIoControl
 * fltlib issues with STATUS_INVALID_HANDLE (another object's handle: STATUS_OBJECT_TYPE_MISMATCH;
 * both ERROR_INVALID_HANDLE), so the call returns E_HANDLE and a RoutineFailed fact says why. A
 * value no C caller could pass as a HANDLE (a string, a plain object) stays a UsageError.
 */
function* portHandleOrHresult(routine: string, hPort: unknown): Blocking<FilterPortHandle | HRESULT> {
  if (hPort instanceof FilterPortHandle) return hPort;
  const handleValue = hPort === null || hPort === undefined || typeof hPort === 'number';
  if (!handleValue && !(hPort instanceof EventHandle || hPort instanceof SectionHandle || hPort instanceof IoCompletionPortHandle)) portHandleArgument(routine, hPort);
  const detail = `hPort ${handleValue ? kindOf(hPort) : `is the handle of ${kindOf(hPort)}`}, not a communication port handle`;
  yield* kernelCall((kernel) => kernel.emitFact({ seq: 0, time: 0, object: 'sim', type: 'RoutineFailed', routine, status: STATUS_INVALID_HANDLE, detail }));
  return E_HANDLE;
}

/** The connection of an open handle, or the HRESULT for a closed one (a fact says why). */
function openPort(hPort: FilterPortHandle, routine: string): ClientPort | HRESULT {
  if (hPort.isOpen) return hPort.port;
  return hresultFromNtStatus(fail(hPort.port.fltMgr, hPort.port.id, routine, STATUS_INVALID_HANDLE, `${hPort} is closed`));
}

/** A buffer shorter than the size passed with it: the probe fails as an access violation (ERROR_NOACCESS). */
function probe(port: ClientPort, routine: string, buffer: Uint8Array | null, size: number, what: string): HRESULT | null {
  if (buffer === null ? size === 0 : Number.isInteger(size) && size >= 0 && size <= buffer.length) return null;
  fail(port.fltMgr, port.id, routine, STATUS_ACCESS_VIOLATION, `${what}: size ${size} with a buffer of ${buffer?.length ?? 'NULL'}`);
  return HRESULT_FROM_WIN32(ERROR_NOACCESS);
}

/**
 * FilterGetMessage(hPort, lpMessageBuffer, dwMessageBufferSize, lpOverlapped): the next message,
 * FILTER_MESSAGE_HEADER first (ReplyLength including FILTER_REPLY_HEADER, 0 when no reply is
 * expected; MessageId), its body after. Synchronous: waits for it. Overlapped: returns
 * HRESULT_FROM_WIN32(ERROR_IO_PENDING) after resetting the event, which is set when the get
 * completes (Internal: its NTSTATUS, InternalHigh: the bytes written). A get too small for the
 * message fails with ERROR_INSUFFICIENT_BUFFER and the message waits for another get.
 */
export function* FilterGetMessage(hPort: FilterPortHandle, lpMessageBuffer: Uint8Array | null, dwMessageBufferSize: number, lpOverlapped: OVERLAPPED | null): Blocking<HRESULT> {
  const handle = yield* portHandleOrHresult('FilterGetMessage', hPort);
  if (typeof handle === 'number') return handle;
  requireThread(handle.port.fltMgr, 'FilterGetMessage');
  bufferArgument('FilterGetMessage', 'lpMessageBuffer', lpMessageBuffer, true);
  if (lpOverlapped !== null) overlappedArgument('FilterGetMessage', lpOverlapped);
  yield* preempt();
  const port = openPort(hPort, 'FilterGetMessage');
  if (typeof port === 'number') return port;
  // The I/O manager references lpOverlapped->hEvent before the request reaches FltMgr: a closed or foreign handle fails the call.
  const event = lpOverlapped === null ? null : overlappedEventOrFailure('FilterGetMessage', lpOverlapped);
  if (event !== null && !(event instanceof EventHandle)) {
    recordHandleFailure(port.fltMgr.kernel, 'FilterGetMessage', event);
    return E_HANDLE;
  }
  const bad = probe(port, 'FilterGetMessage', lpMessageBuffer, dwMessageBufferSize, 'lpMessageBuffer');
  if (bad !== null) return bad;
  const kernel = port.fltMgr.kernel;
  if (dwMessageBufferSize < FILTER_MESSAGE_HEADER_SIZE || (lpOverlapped !== null && hPort.synchronous)) {
    const why = lpOverlapped !== null && hPort.synchronous ? 'an OVERLAPPED on a FLT_PORT_FLAG_SYNC_HANDLE handle' : `dwMessageBufferSize ${dwMessageBufferSize} cannot hold FILTER_MESSAGE_HEADER`;
    return hresultFromNtStatus(fail(port.fltMgr, port.id, 'FilterGetMessage', STATUS_INVALID_PARAMETER, why));
  }
  if (!isConnectionOpen(port) || port.state === 'ClientPortClosed') {
    return hresultFromNtStatus(fail(port.fltMgr, port.id, 'FilterGetMessage', STATUS_PORT_DISCONNECTED, `${port} is ${port.state}`));
  }
  const get: PendingGet = {
    id: kernel.nextId('U'),
    // Not NULL here: the probe refused a NULL buffer with a size, and a size below the header.
    buffer: lpMessageBuffer!,
    size: dwMessageBufferSize,
    overlapped: lpOverlapped,
    event,
    done: kernel.createWaitable('get done', 'notification'),
    result: null,
    completion: lpOverlapped === null ? null : hPort.completion,
  };
  kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'FilterGetMessage', get: get.id, size: dwMessageBufferSize, overlapped: lpOverlapped !== null });
  if (lpOverlapped !== null) {
    lpOverlapped.Internal = STATUS_PENDING;
    lpOverlapped.InternalHigh = 0;
    if (event !== null) event.waitable.signaled = false;
  }
  port.pendingGets.push(get);
  pump(port);
  // FltMgr pends every get, so an overlapped one reports ERROR_IO_PENDING even when a message was waiting (scanUser relies on it).
  if (lpOverlapped !== null) return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
  if (get.result === null) yield* waitForObjects([get.done], 'WaitAny', null, `FilterGetMessage ${get.id} on ${port.id}`);
  return hresultFromNtStatus(get.result!.status);
}

/**
 * FilterReplyMessage(hPort, lpReplyBuffer, dwReplyBufferSize): FILTER_REPLY_HEADER (Status,
 * MessageId) and the reply. Accepted only while the message's sender waits for it; otherwise
 * ERROR_FLT_NO_WAITER_FOR_REPLY (an unknown id, a message sent without ReplyBuffer, a second reply,
 * or a sender that timed out or was disconnected) and nothing changes.
 */
export function* FilterReplyMessage(hPort: FilterPortHandle, lpReplyBuffer: Uint8Array | null, dwReplyBufferSize: number): Blocking<HRESULT> {
  const handle = yield* portHandleOrHresult('FilterReplyMessage', hPort);
  if (typeof handle === 'number') return handle;
  requireThread(handle.port.fltMgr, 'FilterReplyMessage');
  bufferArgument('FilterReplyMessage', 'lpReplyBuffer', lpReplyBuffer, true);
  yield* preempt();
  const port = openPort(hPort, 'FilterReplyMessage');
  if (typeof port === 'number') return port;
  const bad = probe(port, 'FilterReplyMessage', lpReplyBuffer, dwReplyBufferSize, 'lpReplyBuffer');
  if (bad !== null) return bad;
  if (dwReplyBufferSize < FILTER_REPLY_HEADER_SIZE) {
    return hresultFromNtStatus(fail(port.fltMgr, port.id, 'FilterReplyMessage', STATUS_INVALID_PARAMETER, `dwReplyBufferSize ${dwReplyBufferSize} cannot hold FILTER_REPLY_HEADER`));
  }
  if (port.state !== 'Connected') {
    return hresultFromNtStatus(fail(port.fltMgr, port.id, 'FilterReplyMessage', STATUS_PORT_DISCONNECTED, `${port} is ${port.state}`));
  }
  const reply = lpReplyBuffer!; // not NULL: the probe refused a NULL buffer with a size, and a size below the header
  const view = new DataView(reply.buffer, reply.byteOffset, FILTER_REPLY_HEADER_SIZE);
  const replyStatus = view.getUint32(0, true);
  const messageId = Number(view.getBigUint64(8, true));
  const message = port.awaitingReply.find((m) => m.messageId === messageId);
  if (message === undefined) {
    fail(port.fltMgr, port.id, 'FilterReplyMessage', STATUS_FLT_NO_WAITER_FOR_REPLY, `no sender waits for a reply to MessageId ${messageId}`);
    return ERROR_FLT_NO_WAITER_FOR_REPLY;
  }
  const data = reply.slice(FILTER_REPLY_HEADER_SIZE, dwReplyBufferSize);
  message.reply = { status: replyStatus, data };
  port.awaitingReply.splice(port.awaitingReply.indexOf(message), 1);
  port.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: message.id, type: 'FilterReplyMessage', length: data.length, status: replyStatus });
  port.fltMgr.kernel.signal(message.done);
  return S_OK;
}

export interface SendMessageResult {
  readonly hr: HRESULT;
  /** *lpBytesReturned: MessageNotify's ReturnOutputBufferLength. */
  readonly BytesReturned: number;
}

/**
 * FilterSendMessage(hPort, lpInBuffer, dwInBufferSize, lpOutBuffer, dwOutBufferSize,
 * &BytesReturned): MessageNotify runs in the calling thread with the caller's own buffers (not
 * captured: the filter must validate them); the HRESULT is MessageNotify's status. A port without
 * MessageNotify fails every call with E_INVALIDARG.
 */
export function* FilterSendMessage(
  hPort: FilterPortHandle,
  lpInBuffer: Uint8Array | null,
  dwInBufferSize: number,
  lpOutBuffer: Uint8Array | null,
  dwOutBufferSize: number,
): Blocking<SendMessageResult> {
  const handle = yield* portHandleOrHresult('FilterSendMessage', hPort);
  if (typeof handle === 'number') return { hr: handle, BytesReturned: 0 };
  const fltMgr = handle.port.fltMgr;
  bufferArgument('FilterSendMessage', 'lpInBuffer', lpInBuffer, true);
  bufferArgument('FilterSendMessage', 'lpOutBuffer', lpOutBuffer, true);
  requireThread(fltMgr, 'FilterSendMessage');
  yield* preempt();
  const port = openPort(hPort, 'FilterSendMessage');
  if (typeof port === 'number') return { hr: port, BytesReturned: 0 };
  const bad = probe(port, 'FilterSendMessage', lpInBuffer, dwInBufferSize, 'lpInBuffer') ?? probe(port, 'FilterSendMessage', lpOutBuffer, dwOutBufferSize, 'lpOutBuffer');
  if (bad !== null) return { hr: bad, BytesReturned: 0 };
  if (port.state !== 'Connected') return { hr: hresultFromNtStatus(fail(fltMgr, port.id, 'FilterSendMessage', STATUS_PORT_DISCONNECTED, `${port} is ${port.state}`)), BytesReturned: 0 };
  const notify = port.server.MessageNotify;
  if (notify === null) return { hr: hresultFromNtStatus(fail(fltMgr, port.id, 'FilterSendMessage', STATUS_INVALID_PARAMETER, `${port.server} has no MessageNotify`)), BytesReturned: 0 };
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'MessageNotify', inputLength: dwInBufferSize, outputLength: dwOutBufferSize });
  const returned = { value: 0 };
  let status: NTSTATUS = 0;
  yield* runPortCallback(port.filter, () => notify(port.cookie, lpInBuffer, dwInBufferSize, lpOutBuffer, dwOutBufferSize, returned), (result) => {
    status = checkStatusResult(fltMgr, port.filter, 'MessageNotify', result);
    if (!Number.isInteger(returned.value) || returned.value < 0 || returned.value > dwOutBufferSize) {
      throw fltMgr.kernel.violation('PORT_BUFFER_TOO_SHORT', port.filter.id, `MessageNotify set ReturnOutputBufferLength ${returned.value} with an OutputBufferLength of ${dwOutBufferSize}`);
    }
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'MessageNotifyReturned', status, returnOutputBufferLength: returned.value });
  });
  return { hr: hresultFromNtStatus(status), BytesReturned: returned.value };
}

/**
 * CloseHandle(hPort) for a connection's handle: waiting gets end with ERROR_OPERATION_ABORTED,
 * and, unless the connection already ended, DisconnectNotify runs in this thread. FALSE for a
 * handle already closed. A section handle (§24) of the calling process drops its section reference.
 * For a completion port (CreateIoCompletionPort), its waiters return ERROR_ABANDONED_WAIT_0. An
 * event (CreateEventW) is closed: later calls with its handle fail with ERROR_INVALID_HANDLE. NULL,
 * a handle value that names nothing and a handle closed before: FALSE (ERROR_INVALID_HANDLE).
 */
export function* CloseHandle(hObject: FilterPortHandle | SectionHandle | IoCompletionPortHandle | EventHandle | number): Blocking<boolean> {
  if (hObject instanceof IoCompletionPortHandle) {
    yield* preempt();
    return CloseCompletionPort(hObject);
  }
  if (hObject instanceof EventHandle) {
    // An event from CreateEventW: its handle names nothing after this, so later calls fail with ERROR_INVALID_HANDLE.
    yield* preempt();
    if (hObject.closed) {
      recordHandleFailure(hObject.kernel, 'CloseHandle', { status: STATUS_INVALID_HANDLE, detail: `hObject ${hObject.id} is already closed` });
      return false;
    }
    hObject.closed = true;
    return true;
  }
  if (hObject instanceof SectionHandle || typeof hObject === 'number') {
    const handle = yield* sectionHandleFromValue(hObject);
    if (handle === null) {
      // A handle value that names nothing (any more): FALSE, GetLastError ERROR_INVALID_HANDLE.
      yield* kernelCall((kernel) => recordHandleFailure(kernel, 'CloseHandle', { status: STATUS_INVALID_HANDLE, detail: `hObject ${kindOf(hObject)} names no open handle` }));
      return false;
    }
    const fltMgr = handle.section.fileObject.volume.fltMgr;
    const thread = requireThread(fltMgr, 'CloseHandle');
    yield* preempt();
    return NT_SUCCESS(closeSectionHandle(fltMgr, handle, 'CloseHandle', thread.process, true));
  }
  if (hObject === null || hObject === undefined) {
    // CloseHandle(NULL): FALSE, GetLastError ERROR_INVALID_HANDLE.
    yield* kernelCall((kernel) => kernel.emitFact({ seq: 0, time: 0, object: 'sim', type: 'RoutineFailed', routine: 'CloseHandle', status: STATUS_INVALID_HANDLE, detail: `hObject is ${kindOf(hObject)}` }));
    return false;
  }
  const port = portHandleArgument('CloseHandle', hObject).port;
  requireThread(port.fltMgr, 'CloseHandle');
  yield* preempt();
  if (!hObject.isOpen) {
    fail(port.fltMgr, port.id, 'CloseHandle', STATUS_INVALID_HANDLE, `${hObject} is already closed`);
    return false;
  }
  port.handle = null;
  port.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'PortHandleClosed', handle: hObject.id });
  abortGets(port, STATUS_CANCELLED);
  if (isConnectionOpen(port)) yield* disconnect(port, 'CloseHandle');
  return true;
}

