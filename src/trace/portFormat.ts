/** The text-format payload of communication-port facts (§17), one line each. */
import type { PortFact } from '../projection/portFold.js';
import { ntStatusName } from '../wdk/ntstatus.js';

export function portPayload(fact: PortFact, short: (id: string) => string): string {
  switch (fact.type) {
    case 'FltCreateCommunicationPort':
      return `filter=${short(fact.filter)} name=${fact.name} MaxConnections=${fact.maxConnections}${fact.messageNotify ? '' : ' no MessageNotify'}`;
    case 'ConnectNotify':
      return `port=${short(fact.serverPort)} thread=${short(fact.thread)} context=${fact.contextLength}`;
    case 'ConnectNotifyReturned':
      return `status=${ntStatusName(fact.status)}${fact.handle === null ? '' : ` handle=${fact.handle}`}`;
    case 'DisconnectNotify':
      return `reason=${fact.reason}`;
    case 'PortHandleClosed':
      return `handle=${fact.handle}`;
    case 'FilterGetMessage':
      return `get=${fact.get} size=${fact.size}${fact.overlapped ? ' overlapped' : ''}`;
    case 'FilterGetMessageAborted':
      return `get=${fact.get} status=${ntStatusName(fact.status)}`;
    case 'MessageNotify':
      return `in=${fact.inputLength} out=${fact.outputLength}`;
    case 'MessageNotifyReturned':
      return `status=${ntStatusName(fact.status)} returned=${fact.returnOutputBufferLength}`;
    case 'FltSendMessage':
      return `port=${short(fact.port)} thread=${short(fact.thread)} length=${fact.senderLength} reply=${fact.replyLength ?? 'none'} until=${fact.until ?? 'forever'}`;
    case 'FilterMessageDelivered':
      return `get=${fact.get}`;
    case 'FilterReplyMessage':
      return `length=${fact.length} status=${ntStatusName(fact.status)}`;
    case 'FilterMessageWithdrawn':
      return `reason=${fact.reason}`;
    case 'FltSendMessageReturned':
      return `status=${ntStatusName(fact.status)} replyLength=${fact.replyLength}`;
    case 'FltCloseCommunicationPort':
    case 'DisconnectNotifyReturned':
    case 'FltCloseClientPort':
      return '';
  }
}
