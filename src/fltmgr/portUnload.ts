/**
 * Communication ports at FltUnregisterFilter (§17.2): FltMgr disconnects every connection of the
 * filter (DisconnectNotify in the unloading thread, before instance teardown), senders still
 * waiting get STATUS_PORT_DISCONNECTED; a server port still open holds the unload (the hang the
 * documentation warns of): the wait names it among its holders (rundownHolders.ts), the verifier reports it.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterObject } from './filterObject.js';
import { disconnect, isConnectionOpen } from './portTraffic.js';

export function* disconnectPortsAtUnregister(filter: FilterObject): Blocking<void> {
  const ports = filter.fltMgr.ports;
  for (const server of ports.serverPorts) {
    if (server.filter !== filter || server.state !== 'Listening') continue;
    filter.fltMgr.kernel.reportViolation(
      'SERVER_PORT_OPEN_AT_UNLOAD',
      server.id,
      `FltUnregisterFilter(${filter.name}) with server port ${server.name} still open: FltCloseCommunicationPort belongs in FilterUnloadCallback before FltUnregisterFilter, or the unload hangs`,
    );
  }
  // Re-scan after each DisconnectNotify: it may block, and connections may change meanwhile.
  for (;;) {
    const next = ports.clientPorts.find((q) => q.filter === filter && isConnectionOpen(q));
    if (next === undefined) return;
    yield* disconnect(next, 'FltUnregisterFilter');
  }
}

/** A connection whose DisconnectNotify returned without FltCloseClientPort leaks its port object. */
export function reportLeakedClientPorts(filter: FilterObject): void {
  for (const q of filter.fltMgr.ports.clientPorts) {
    if (q.filter !== filter || q.state !== 'Disconnected') continue;
    filter.fltMgr.kernel.reportViolation('CLIENT_PORT_LEAKED', q.id, `${filter.name} unregistered without FltCloseClientPort on ${q} after its DisconnectNotify`);
  }
}
