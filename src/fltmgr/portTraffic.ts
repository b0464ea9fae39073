/**
 * What moves on a connection (§17.3, §17.4): matching queued messages with waiting gets (both
 * FIFO), withdrawing messages whose senders stop waiting, ending a connection's traffic, and
 * DisconnectNotify. Every change is a fact logged before anything it wakes can run.
 */
import type { Blocking } from '../kernel/effects.js';
import { FILTER_MESSAGE_HEADER_SIZE, FILTER_REPLY_HEADER_SIZE } from '../wdk/portConstants.js';
import { STATUS_BUFFER_TOO_SMALL, STATUS_PORT_DISCONNECTED, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import type { FilterObject } from './filterObject.js';
import type { ClientPort, FilterMessage, PendingGet } from './portObjects.js';
import { postCompletion } from './win32CompletionPorts.js';

/** Deliver queued messages to waiting gets, oldest to oldest, while both exist. */
export function pump(port: ClientPort): void {
  while (port.queued.length > 0 && port.pendingGets.length > 0) {
    const message = port.queued[0]!;
    const get = port.pendingGets.shift()!;
    const bytes = FILTER_MESSAGE_HEADER_SIZE + message.body.length;
    if (get.size < bytes) {
      // [model] The get fails and the message waits for another one (§17.4).
      completeGet(port, get, STATUS_BUFFER_TOO_SMALL, 0);
      continue;
    }
    port.queued.shift();
    writeMessageHeader(get.buffer, message);
    get.buffer.set(message.body, FILTER_MESSAGE_HEADER_SIZE);
    port.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: message.id, type: 'FilterMessageDelivered', get: get.id });
    if (message.replyCapacity === null) port.fltMgr.kernel.signal(message.done);
    else port.awaitingReply.push(message);
    completeGet(port, get, STATUS_SUCCESS, bytes);
  }
}

/** FILTER_MESSAGE_HEADER: ReplyLength (ULONG, including FILTER_REPLY_HEADER; 0 when no reply is expected), MessageId (ULONGLONG at 8). */
function writeMessageHeader(buffer: Uint8Array, message: FilterMessage): void {
  const view = new DataView(buffer.buffer, buffer.byteOffset, FILTER_MESSAGE_HEADER_SIZE);
  view.setUint32(0, message.replyCapacity === null ? 0 : message.replyCapacity + FILTER_REPLY_HEADER_SIZE, true);
  view.setUint32(4, 0, true);
  view.setBigUint64(8, BigInt(message.messageId), true);
}

/** End a get: a fact if it did not get a message, then wake whoever waits for it. */
function completeGet(port: ClientPort, get: PendingGet, status: NTSTATUS, bytes: number): void {
  const kernel = port.fltMgr.kernel;
  if (status !== STATUS_SUCCESS) kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'FilterGetMessageAborted', get: get.id, status });
  get.result = { status, bytes };
  if (get.overlapped !== null) {
    get.overlapped.Internal = status;
    get.overlapped.InternalHigh = bytes;
    if (get.event !== null) kernel.signal(get.event.waitable);
    postCompletion(get, status, bytes);
  }
  kernel.signal(get.done);
}

/** The sender stops waiting: out of the queue or off the reply list, and its wait ends. */
export function withdraw(message: FilterMessage, reason: 'timeout' | 'disconnected'): void {
  const port = message.port;
  const queued = port.queued.indexOf(message);
  if (queued >= 0) port.queued.splice(queued, 1);
  const awaiting = port.awaitingReply.indexOf(message);
  if (awaiting >= 0) port.awaitingReply.splice(awaiting, 1);
  port.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: message.id, type: 'FilterMessageWithdrawn', reason });
  port.fltMgr.kernel.signal(message.done);
}

/**
 * A connection ends: every message still queued or awaiting a reply is withdrawn (its sender gets
 * STATUS_PORT_DISCONNECTED) and every waiting get ends with `getStatus`.
 */
export function endTraffic(port: ClientPort, getStatus: NTSTATUS): void {
  for (const message of [...port.queued, ...port.awaitingReply].sort((a, b) => a.messageId - b.messageId)) withdraw(message, 'disconnected');
  abortGets(port, getStatus);
}

export function abortGets(port: ClientPort, status: NTSTATUS): void {
  for (const get of port.pendingGets.splice(0)) completeGet(port, get, status, 0);
}

/**
 * DisconnectNotify(ConnectionCookie) on the current thread, once per accepted connection: when the
 * user's handle closes, or when FltUnregisterFilter disconnects the port. The connection stops
 * counting against MaxConnections when the callback has returned.
 */
export function* disconnect(port: ClientPort, reason: 'CloseHandle' | 'FltUnregisterFilter'): Blocking<void> {
  const fltMgr = port.fltMgr;
  const filter = port.filter;
  endTraffic(port, STATUS_PORT_DISCONNECTED);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'DisconnectNotify', reason });
  yield* runPortCallback(filter, () => port.server.DisconnectNotify(port.cookie), () => {
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'DisconnectNotifyReturned' });
    const i = port.server.connections.indexOf(port);
    if (i >= 0) port.server.connections.splice(i, 1);
  });
}

/**
 * Run a port callback of `filter`, counted so FltUnregisterFilter does not finish while it runs.
 * `returned` logs the callback's return before the count drops, so the unload it may release is
 * never logged before it.
 */
export function* runPortCallback<T>(filter: FilterObject, call: () => T | Blocking<T>, returned: (result: T) => void): Blocking<T> {
  filter.rundown.add('portCallbacks', 1);
  let result: T;
  try {
    result = yield* filter.fltMgr.invoke(filter, call);
  } catch (error) {
    filter.rundown.add('portCallbacks', -1);
    throw error;
  }
  try {
    returned(result);
  } finally {
    filter.rundown.add('portCallbacks', -1);
  }
  return result;
}

/** Connections that DisconnectNotify has not started for. */
export function isConnectionOpen(port: ClientPort): boolean {
  return port.state === 'Connected' || port.state === 'ClientPortClosed';
}
