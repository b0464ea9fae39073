/** The communication-port part of the live view (§17), read off FltMgr's port registry. */
import type { PortRegistry } from '../fltmgr/portObjects.js';
import { idRecord } from './simState.js';
import type { ClientPortView, MessageView, ServerPortView } from './simState.js';

export function livePorts(ports: PortRegistry): {
  serverPorts: Record<string, ServerPortView>;
  clientPorts: Record<string, ClientPortView>;
  messages: Record<string, MessageView>;
} {
  const serverPorts = idRecord<ServerPortView>();
  for (const p of ports.serverPorts) {
    serverPorts[p.id] = { filter: p.filter.id, name: p.name, state: p.state, maxConnections: p.maxConnections, connections: p.connections.map((c) => c.id) };
  }
  const clientPorts = idRecord<ClientPortView>();
  for (const q of ports.clientPorts) {
    clientPorts[q.id] = {
      serverPort: q.server.id,
      filter: q.filter.id,
      state: q.state,
      handle: q.handle?.id ?? null,
      queued: q.queued.map((m) => m.id),
      pendingGets: q.pendingGets.map((g) => g.id),
      awaitingReply: q.awaitingReply.map((m) => m.id),
    };
  }
  const messages = idRecord<MessageView>();
  for (const m of ports.messages.values()) {
    const withdrawn = m.withdrawn;
    messages[m.id] = { port: m.port.id, filter: m.port.filter.id, sender: m.sender, state: m.state, replyExpected: m.replyCapacity !== null, ...(withdrawn === null ? {} : { withdrawn }) };
  }
  return { serverPorts, clientPorts, messages };
}
