/**
 * §19.9 invariants 13–17 (communication ports), checked over a log alone. The machines already
 * refuse most illegal sequences live; these re-derive each rule from the facts independently, so
 * a log from anywhere (a trace file, a fork) is checked the same way.
 */
import type { Fact } from '../kernel/facts.js';
import { NT_SUCCESS, STATUS_BUFFER_OVERFLOW, STATUS_INSUFFICIENT_RESOURCES, STATUS_PORT_DISCONNECTED, STATUS_SUCCESS, STATUS_THREAD_IS_TERMINATING, STATUS_TIMEOUT } from '../wdk/ntstatus.js';
import type { InvariantViolation } from './kernelInvariants.js';

type Check = (facts: readonly Fact[]) => InvariantViolation[];

/** 13: DisconnectNotify at most once per accepted connection, never for a rejected one; connections never exceed MaxConnections. */
export const portConnections: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const max = new Map<string, number>();
  const counted = new Map<string, Set<string>>();
  const serverOf = new Map<string, string>();
  const accepted = new Set<string>();
  const disconnected = new Set<string>();
  for (const f of facts) {
    if (f.type === 'FltCreateCommunicationPort') {
      max.set(f.object, f.maxConnections);
      counted.set(f.object, new Set());
    } else if (f.type === 'ConnectNotify') {
      serverOf.set(f.object, f.serverPort);
      const set = counted.get(f.serverPort)!;
      set.add(f.object);
      if (set.size > max.get(f.serverPort)!) out.push({ invariant: '19.9.13', seq: f.seq, message: `${f.serverPort} has ${set.size} connections, MaxConnections ${max.get(f.serverPort)}` });
    } else if (f.type === 'ConnectNotifyReturned') {
      if (NT_SUCCESS(f.status)) accepted.add(f.object);
      else counted.get(serverOf.get(f.object)!)?.delete(f.object);
    } else if (f.type === 'DisconnectNotify') {
      if (!accepted.has(f.object)) out.push({ invariant: '19.9.13', seq: f.seq, message: `DisconnectNotify for ${f.object}, which was never accepted` });
      if (disconnected.has(f.object)) out.push({ invariant: '19.9.13', seq: f.seq, message: `DisconnectNotify for ${f.object} a second time` });
      disconnected.add(f.object);
    } else if (f.type === 'DisconnectNotifyReturned') {
      counted.get(serverOf.get(f.object)!)?.delete(f.object);
    }
  }
  return out;
};

const SEND_RESULTS: ReadonlySet<number> = new Set([STATUS_SUCCESS, STATUS_TIMEOUT, STATUS_PORT_DISCONNECTED, STATUS_THREAD_IS_TERMINATING, STATUS_BUFFER_OVERFLOW, STATUS_INSUFFICIENT_RESOURCES]);

/**
 * 14 and 15: every FltSendMessage returns once with a documented status; a message is delivered
 * to one get at most and takes one reply at most, only while its sender waits (delivered, reply
 * expected, not withdrawn); a get takes one message at most.
 */
export const portMessages: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const replyExpected = new Map<string, boolean>();
  const delivered = new Set<string>();
  const closed = new Set<string>();
  const returned = new Set<string>();
  const getsUsed = new Set<string>();
  for (const f of facts) {
    const at = (message: string): void => void out.push({ invariant: f.type === 'FilterReplyMessage' ? '19.9.15' : '19.9.14', seq: f.seq, message });
    switch (f.type) {
      case 'FltSendMessage':
        replyExpected.set(f.object, f.replyLength !== null);
        break;
      case 'FilterMessageDelivered':
        if (delivered.has(f.object)) at(`${f.object} delivered twice`);
        if (closed.has(f.object)) at(`${f.object} delivered after it was withdrawn`);
        if (getsUsed.has(f.get)) at(`get ${f.get} took a second message`);
        delivered.add(f.object);
        getsUsed.add(f.get);
        break;
      case 'FilterReplyMessage':
        if (!delivered.has(f.object) || !replyExpected.get(f.object) || closed.has(f.object)) at(`reply to ${f.object} accepted with no sender waiting for it`);
        closed.add(f.object);
        break;
      case 'FilterMessageWithdrawn':
        if (closed.has(f.object)) at(`${f.object} withdrawn after its reply or withdrawal`);
        closed.add(f.object);
        break;
      case 'FltSendMessageReturned':
        if (returned.has(f.object)) at(`FltSendMessage of ${f.object} returned twice`);
        if (!SEND_RESULTS.has(f.status)) at(`FltSendMessage of ${f.object} returned an undocumented status 0x${f.status.toString(16)}`);
        returned.add(f.object);
        break;
      default:
        break;
    }
  }
  return out;
};

/** 16 (first part) and 17: no connection after FltCloseCommunicationPort; no message on a client port after FltCloseClientPort. */
export const portClosing: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const closedServers = new Set<string>();
  const closedClients = new Set<string>();
  for (const f of facts) {
    if (f.type === 'FltCloseCommunicationPort') closedServers.add(f.object);
    else if (f.type === 'FltCloseClientPort') closedClients.add(f.object);
    else if (f.type === 'ConnectNotify' && closedServers.has(f.serverPort)) out.push({ invariant: '19.9.16', seq: f.seq, message: `${f.object} connected to ${f.serverPort} after FltCloseCommunicationPort` });
    else if (f.type === 'FltSendMessage' && closedClients.has(f.port)) out.push({ invariant: '19.9.17', seq: f.seq, message: `${f.object} sent on ${f.port} after FltCloseClientPort` });
  }
  return out;
};

/** 16 (second part): FltUnregisterFilter is never entered while a server port of the filter is open (it would hang). */
export const unregisterWithServerPortOpen: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const open = new Map<string, string>();
  for (const f of facts) {
    if (f.type === 'FltCreateCommunicationPort') open.set(f.object, f.filter);
    else if (f.type === 'FltCloseCommunicationPort') open.delete(f.object);
    else if (f.type === 'FltUnregisterFilter') {
      for (const [port, filter] of open) if (filter === f.object) out.push({ invariant: '19.9.16', seq: f.seq, message: `${f.object} entered FltUnregisterFilter with server port ${port} open` });
    }
  }
  return out;
};

export const PORT_INVARIANTS: Readonly<Record<string, Check>> = { portConnections, portMessages, portClosing, unregisterWithServerPortOpen };

export function checkPortInvariants(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(PORT_INVARIANTS).flatMap((check) => check(facts));
}
