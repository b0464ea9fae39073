/**
 * The fold of communication-port facts (§17): server ports, connections with their queues, and
 * messages in flight, rebuilt from the log alone. Lifecycle states come from the same machines
 * the live objects use; queues are recomputed here from the facts.
 */
import type { Draft } from 'immer';
import type { Fact, FactOf } from '../kernel/facts.js';
import { clientPortMachine } from '../machines/clientPort.js';
import { communicationPortMachine } from '../machines/communicationPort.js';
import { splitStatePath } from '../machines/stateValue.js';
import { filterMessageMachine } from '../machines/filterMessage.js';
import type { Advance, Born } from './fold.js';
import type { SimState } from './simState.js';

const PORT_FACTS = new Set<string>([
  'FltCreateCommunicationPort',
  'FltCloseCommunicationPort',
  'ConnectNotify',
  'ConnectNotifyReturned',
  'DisconnectNotify',
  'DisconnectNotifyReturned',
  'FltCloseClientPort',
  'PortHandleClosed',
  'FilterGetMessage',
  'FilterGetMessageAborted',
  'MessageNotify',
  'MessageNotifyReturned',
  'FltSendMessage',
  'FilterMessageDelivered',
  'FilterReplyMessage',
  'FilterMessageWithdrawn',
  'FltSendMessageReturned',
]);

export type PortFact =
  | FactOf<'FltCreateCommunicationPort'>
  | FactOf<'FltCloseCommunicationPort'>
  | FactOf<'ConnectNotify'>
  | FactOf<'ConnectNotifyReturned'>
  | FactOf<'DisconnectNotify'>
  | FactOf<'DisconnectNotifyReturned'>
  | FactOf<'FltCloseClientPort'>
  | FactOf<'PortHandleClosed'>
  | FactOf<'FilterGetMessage'>
  | FactOf<'FilterGetMessageAborted'>
  | FactOf<'MessageNotify'>
  | FactOf<'MessageNotifyReturned'>
  | FactOf<'FltSendMessage'>
  | FactOf<'FilterMessageDelivered'>
  | FactOf<'FilterReplyMessage'>
  | FactOf<'FilterMessageWithdrawn'>
  | FactOf<'FltSendMessageReturned'>;

export function isPortFact(fact: Fact): fact is PortFact {
  return PORT_FACTS.has(fact.type);
}

function without(list: string[], id: string): void {
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
}

export function applyPortFact(d: Draft<SimState>, fact: PortFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'FltCreateCommunicationPort':
      d.serverPorts[id] = { filter: fact.filter, name: fact.name, state: born(id, communicationPortMachine) as never, maxConnections: fact.maxConnections, connections: [] };
      return;
    case 'FltCloseCommunicationPort':
      d.serverPorts[id]!.state = advance(fact) as never;
      return;
    case 'ConnectNotify':
      d.clientPorts[id] = { serverPort: fact.serverPort, filter: fact.filter, state: born(id, clientPortMachine) as never, handle: null, queued: [], pendingGets: [], awaitingReply: [] };
      d.serverPorts[fact.serverPort]!.connections.push(id);
      return;
    case 'ConnectNotifyReturned': {
      const port = d.clientPorts[id]!;
      port.state = advance(fact) as never;
      port.handle = fact.handle;
      if (port.state === 'Rejected') without(d.serverPorts[port.serverPort]!.connections, id);
      return;
    }
    case 'DisconnectNotifyReturned': {
      const port = d.clientPorts[id]!;
      port.state = advance(fact) as never;
      without(d.serverPorts[port.serverPort]!.connections, id);
      return;
    }
    case 'DisconnectNotify':
    case 'FltCloseClientPort':
      d.clientPorts[id]!.state = advance(fact) as never;
      return;
    case 'PortHandleClosed':
      advance(fact);
      d.clientPorts[id]!.handle = null;
      return;
    case 'FilterGetMessage':
      advance(fact);
      d.clientPorts[id]!.pendingGets.push(fact.get);
      return;
    case 'FilterGetMessageAborted':
      advance(fact);
      without(d.clientPorts[id]!.pendingGets, fact.get);
      return;
    case 'MessageNotify':
    case 'MessageNotifyReturned':
      advance(fact);
      return;
    case 'FltSendMessage':
      d.messages[id] = { port: fact.port, filter: fact.filter, sender: fact.thread, state: born(id, filterMessageMachine) as never, replyExpected: fact.replyLength !== null };
      d.clientPorts[fact.port]!.queued.push(id);
      return;
    case 'FilterMessageDelivered': {
      const message = d.messages[id]!;
      message.state = advance(fact) as never;
      const port = d.clientPorts[message.port]!;
      without(port.queued, id);
      without(port.pendingGets, fact.get);
      if (message.replyExpected) port.awaitingReply.push(id);
      return;
    }
    case 'FilterReplyMessage':
    case 'FilterMessageWithdrawn': {
      const message = d.messages[id]!;
      // Withdrawn's part is why (src/machines/filterMessage.ts).
      const [state, withdrawn] = splitStatePath(advance(fact)!);
      message.state = state as never;
      if (withdrawn !== null) message.withdrawn = withdrawn as never;
      const port = d.clientPorts[message.port]!;
      without(port.queued, id);
      without(port.awaitingReply, id);
      return;
    }
    case 'FltSendMessageReturned':
      advance(fact);
      delete d.messages[id];
      return;
  }
}
