/**
 * FltSendMessage(Filter, &ClientPort, SenderBuffer, SenderBufferLength, ReplyBuffer, &ReplyLength,
 * Timeout), §17.3: a blocking round trip to the application at the other end of a connection.
 *
 * Phases: the message is delivered to a FilterGetMessage already waiting, or queued until one
 * comes; with a ReplyBuffer the sender then waits for the FilterReplyMessage carrying its
 * MessageId. Timeout bounds both phases together: NULL (null) waits forever, a negative value is
 * relative and a positive one absolute, in 100-ns units mapped onto virtual ticks
 * (src/kernel/time.ts: one tick is 1 ms, rounded up). A Timeout of 0 does not wait
 * (semantics.sendMessageZeroTimeout, §17.3's ambiguity).
 *
 * Returns STATUS_SUCCESS, STATUS_TIMEOUT (a success code: test for it explicitly),
 * STATUS_PORT_DISCONNECTED (NULL port variable, a closed connection, or one that ended while the
 * sender waited), or STATUS_BUFFER_OVERFLOW (a reply longer than *ReplyLength: its first
 * *ReplyLength bytes are copied). On return *ReplyLength holds the bytes copied.
 */
import { preempt, waitForObjects, type Blocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import { timeoutToTicks, type LargeInteger } from '../kernel/time.js';
import { filterMessageMachine } from '../machines/filterMessage.js';
import {
  STATUS_BUFFER_OVERFLOW,
  STATUS_INVALID_PARAMETER,
  STATUS_PORT_DISCONNECTED,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FilterObject } from './filterObject.js';
import { FilterMessage, type PortVariable } from './portObjects.js';
import { bufferArgument, filterArgument, portVariableArgument } from './portArguments.js';
import { pump, withdraw } from './portTraffic.js';
import { fail, requireThread } from './routineSupport.js';

export function* FltSendMessage(
  Filter: FilterObject,
  ClientPort: PortVariable,
  SenderBuffer: Uint8Array,
  SenderBufferLength: number,
  ReplyBuffer: Uint8Array | null,
  ReplyLength: { value: number } | null,
  Timeout: LargeInteger | null,
): Blocking<NTSTATUS> {
  const fltMgr = filterArgument('FltSendMessage', Filter).fltMgr;
  portVariableArgument('FltSendMessage', ClientPort);
  bufferArgument('FltSendMessage', 'SenderBuffer', SenderBuffer, false);
  bufferArgument('FltSendMessage', 'ReplyBuffer', ReplyBuffer, true);
  if (ReplyLength !== null && (typeof ReplyLength !== 'object' || !('value' in ReplyLength))) {
    throw new UsageError('BAD_ARGUMENT', 'FltSendMessage: ReplyLength is not the address of a ULONG ({ value }) or NULL');
  }
  const kernel = fltMgr.kernel;
  const thread = requireThread(fltMgr, 'FltSendMessage');
  yield* preempt();
  if (!Number.isInteger(SenderBufferLength) || SenderBufferLength < 0 || SenderBufferLength > SenderBuffer.length) {
    throw kernel.violation('PORT_BUFFER_TOO_SHORT', Filter.id, `FltSendMessage: SenderBufferLength ${SenderBufferLength} with a SenderBuffer of ${SenderBuffer.length} bytes`);
  }
  if (ReplyBuffer !== null && ReplyLength === null) {
    return fail(fltMgr, Filter, 'FltSendMessage', STATUS_INVALID_PARAMETER, 'ReplyBuffer without ReplyLength');
  }
  if (ReplyBuffer !== null && ReplyLength !== null && (!Number.isInteger(ReplyLength.value) || ReplyLength.value < 0 || ReplyLength.value > ReplyBuffer.length)) {
    throw kernel.violation('PORT_BUFFER_TOO_SHORT', Filter.id, `FltSendMessage: *ReplyLength ${ReplyLength.value} with a ReplyBuffer of ${ReplyBuffer.length} bytes`);
  }
  // Read the variable only now: FltCloseClientPort on another thread may have emptied it.
  const port = ClientPort.value;
  if (port === null) return fail(fltMgr, Filter, 'FltSendMessage', STATUS_PORT_DISCONNECTED, 'the ClientPort variable is NULL');
  if (port.state !== 'Connected') return fail(fltMgr, port.id, 'FltSendMessage', STATUS_PORT_DISCONNECTED, `${port} is ${port.state}`);
  const zeroMeansForever = (Timeout === 0 || Timeout === 0n) && fltMgr.options.semantics.sendMessageZeroTimeout === 'infinite';
  const ticks = timeoutToTicks(zeroMeansForever ? null : Timeout, kernel.now);
  const replyCapacity = ReplyBuffer === null ? null : ReplyLength!.value;

  const id = kernel.nextId('M');
  kernel.emitFact({
    seq: 0, time: 0, object: id,
    type: 'FltSendMessage',
    filter: Filter.id,
    port: port.id,
    thread: thread.id,
    senderLength: SenderBufferLength,
    replyLength: replyCapacity,
    until: ticks === null ? null : kernel.now + ticks,
  });
  const actor = kernel.startMachine(filterMessageMachine);
  kernel.attachActor(id, actor);
  // The buffer is copied: the application never sees the filter's memory (§17.3).
  const body = SenderBuffer.slice(0, SenderBufferLength);
  const message = new FilterMessage(id, Number(id.slice(1)), port, thread.id, body, replyCapacity, kernel.createWaitable(`${id} done`, 'notification'), actor);
  fltMgr.ports.messages.set(id, message);
  port.queued.push(message);
  pump(port);

  if (!senderMayReturn(message)) {
    yield* waitForObjects([message.done], 'WaitAny', ticks, `FltSendMessage ${id} on ${port.id}`);
    // Decide by the message, not by how the wait ended: a reply accepted between the timer's
    // expiry and this thread running has won the race, and the sender gets it.
    if (!senderMayReturn(message)) withdraw(message, 'timeout');
  }
  let status: NTSTATUS;
  let copied = 0;
  const state = message.state;
  if (state === 'Withdrawn') {
    status = message.withdrawn === 'Timeout' ? STATUS_TIMEOUT : STATUS_PORT_DISCONNECTED;
  } else if (state === 'Replied') {
    const data = message.reply!.data;
    copied = Math.min(data.length, replyCapacity!);
    ReplyBuffer!.set(data.subarray(0, copied));
    status = data.length > replyCapacity! ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
  } else {
    status = STATUS_SUCCESS;
  }
  if (ReplyLength !== null && ReplyBuffer !== null) ReplyLength.value = copied;
  kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FltSendMessageReturned', status, replyLength: copied });
  fltMgr.ports.messages.delete(id);
  return status;
}

/** Delivered without a reply expected, replied, or withdrawn: the sender has nothing left to wait for. */
function senderMayReturn(message: FilterMessage): boolean {
  const state = message.state;
  return state === 'Replied' || state === 'Withdrawn' || (state === 'Delivered' && message.replyCapacity === null);
}
