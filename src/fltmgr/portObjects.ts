/**
 * The communication-port objects of §17 and where FltMgr keeps them: server ports (named in the
 * object namespace), connections (client ports, each with its user-mode handle, its queue of
 * undelivered messages, its waiting gets and the messages whose senders wait for a reply), and
 * the messages themselves. Lifecycles are machines (src/machines/communicationPort.ts,
 * clientPort.ts, filterMessage.ts); queues and counts are data.
 */
import type { Actor } from 'xstate';
import type { MaybeBlocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Waitable } from '../kernel/waitable.js';
import type { clientPortMachine, ClientPortState } from '../machines/clientPort.js';
import type { communicationPortMachine, CommunicationPortState } from '../machines/communicationPort.js';
import { filterMessageState, withdrawnPart, type filterMessageMachine, type FilterMessageState, type WithdrawnPart } from '../machines/filterMessage.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import type { PoolBlock } from './memoryObjects.js';

/**
 * PSECURITY_DESCRIPTOR from FltBuildDefaultSecurityDescriptor: the SIDs its DACL grants
 * `access` to, in a block of paged pool (its machine is the pool block's, src/machines/poolBlock.ts:
 * PoolAllocate when built, PoolFree when FltFreeSecurityDescriptor frees it). FltCreateCommunicationPort
 * keeps its own copy, so freeing it right after (as scanner.c does) leaves the port's security unchanged.
 */
export class SecurityDescriptor {
  constructor(
    readonly grants: readonly string[],
    readonly access: number,
    /** @internal */ readonly block: PoolBlock,
  ) {}

  /** FltFreeSecurityDescriptor freed it: the pool block's machine is Freed. Using or freeing it again is a verifier finding. */
  get freed(): boolean {
    return this.block.state === 'Freed';
  }
}

/** OBJECT_ATTRIBUTES as FltCreateCommunicationPort reads it (InitializeObjectAttributes' fields). */
export interface PORT_OBJECT_ATTRIBUTES {
  readonly ObjectName: string;
  readonly Attributes?: number;
  readonly SecurityDescriptor?: SecurityDescriptor | null;
}

/** PFLT_CONNECT_NOTIFY: ConnectionPortCookie is the out-parameter, a box the callback fills. */
export type PFLT_CONNECT_NOTIFY = (
  ClientPort: ClientPort,
  ServerPortCookie: unknown,
  ConnectionContext: Uint8Array | null,
  SizeOfContext: number,
  ConnectionPortCookie: { value: unknown },
) => MaybeBlocking<NTSTATUS>;

/** PFLT_DISCONNECT_NOTIFY. */
export type PFLT_DISCONNECT_NOTIFY = (ConnectionCookie: unknown) => MaybeBlocking<void>;

/** PFLT_MESSAGE_NOTIFY: ReturnOutputBufferLength is the out-parameter, a box the callback fills. */
export type PFLT_MESSAGE_NOTIFY = (
  PortCookie: unknown,
  InputBuffer: Uint8Array | null,
  InputBufferLength: number,
  OutputBuffer: Uint8Array | null,
  OutputBufferLength: number,
  ReturnOutputBufferLength: { value: number },
) => MaybeBlocking<NTSTATUS>;

export class ServerPort {
  /** Connections counted against MaxConnections (ConnectNotify until DisconnectNotify returned), oldest first. */
  readonly connections: ClientPort[] = [];

  constructor(
    /** @internal */ readonly fltMgr: FilterManager,
    readonly id: string,
    readonly filter: FilterObject,
    readonly name: string,
    readonly grants: readonly string[],
    readonly cookie: unknown,
    readonly ConnectNotify: PFLT_CONNECT_NOTIFY,
    readonly DisconnectNotify: PFLT_DISCONNECT_NOTIFY,
    readonly MessageNotify: PFLT_MESSAGE_NOTIFY | null,
    readonly maxConnections: number,
    /** @internal */ readonly actor: Actor<typeof communicationPortMachine>,
  ) {}

  get state(): CommunicationPortState {
    return this.actor.getSnapshot().value as CommunicationPortState;
  }

  toString(): string {
    return `${this.id}(${this.name})`;
  }
}

/** A FilterGetMessage not yet given a message. */
export interface PendingGet {
  readonly id: string;
  readonly buffer: Uint8Array;
  readonly size: number;
  /** The caller's OVERLAPPED for an overlapped get; null for a synchronous one. */
  readonly overlapped: OVERLAPPED | null;
  /** lpOverlapped->hEvent as the get was issued: the I/O manager referenced it then, so a later change to the OVERLAPPED does not move it. */
  readonly event: EventHandle | null;
  /** Signaled when the get completes: the synchronous caller waits on it. */
  readonly done: Waitable;
  /** How it completed (STATUS_SUCCESS with the bytes written, or why not); null while pending. */
  result: { readonly status: NTSTATUS; readonly bytes: number } | null;
  /**
   * The I/O completion port the handle was associated with when the get was issued (an overlapped
   * get only): its completion is queued there even if the handle closes first, as Windows does.
   */
  readonly completion: CompletionAssociation | null;
}

/** CreateIoCompletionPort(FileHandle, Port, CompletionKey, …): where a handle's overlapped completions go. */
export interface CompletionAssociation {
  readonly port: IoCompletionPortHandle;
  readonly key: number;
}

/** A completion packet: what GetQueuedCompletionStatus hands back. */
export interface CompletionPacket {
  readonly status: NTSTATUS;
  readonly bytes: number;
  readonly key: number;
  readonly overlapped: OVERLAPPED;
}

/**
 * A Win32 I/O completion port HANDLE (CreateIoCompletionPort). Like the events of CreateEventW it
 * lives in the application, not in FltMgr: its queue is data, and no fact records it (the gets
 * whose completions it carries are facts of their connection).
 */
export class IoCompletionPortHandle {
  /** Completion packets not yet dequeued, FIFO. */
  readonly packets: CompletionPacket[] = [];
  /** Set by CloseHandle: waiters end with ERROR_ABANDONED_WAIT_0, later calls with ERROR_INVALID_HANDLE. */
  closed = false;
  constructor(
    /** @internal */ readonly kernel: Kernel,
    readonly id: string,
    /** Signaled while packets wait, or once closed, so every waiter looks again. */
    readonly waitable: Waitable,
    readonly NumberOfConcurrentThreads: number,
  ) {}

  toString(): string {
    return this.id;
  }
}

/** The kernel end of a connection: PFLT_PORT as ConnectNotify receives it. */
export class ClientPort {
  /** The connection's cookie from ConnectNotify, passed to DisconnectNotify and MessageNotify. */
  cookie: unknown = null;
  /** The user-mode handle while it is open. */
  handle: FilterPortHandle | null = null;
  /** Messages not yet delivered, FIFO (§17.3). */
  readonly queued: FilterMessage[] = [];
  /** Gets waiting for a message, FIFO. */
  readonly pendingGets: PendingGet[] = [];
  /** Delivered messages whose senders wait for a reply, in delivery order. */
  readonly awaitingReply: FilterMessage[] = [];

  constructor(
    readonly id: string,
    readonly server: ServerPort,
    /** @internal */ readonly actor: Actor<typeof clientPortMachine>,
  ) {}

  get filter(): FilterObject {
    return this.server.filter;
  }

  /** @internal */
  get fltMgr(): FilterManager {
    return this.server.fltMgr;
  }

  get state(): ClientPortState {
    return this.actor.getSnapshot().value as ClientPortState;
  }

  toString(): string {
    return `${this.id}(connection to ${this.server.name})`;
  }
}

/**
 * The caller's PFLT_PORT variable, which FltSendMessage and FltCloseClientPort take by address:
 * `&ScannerData.ClientPort` in C is a box here. FltCloseClientPort writes null into it, and
 * FltSendMessage reads it only after its entry scheduling point, as FltMgr synchronises the two.
 */
export interface PortVariable {
  value: ClientPort | null;
}

/** A PFLT_PORT variable holding `port` (null by default), to pass where C passes `&ClientPort`. */
export function portVariable(port: ClientPort | null = null): PortVariable {
  return { value: port };
}

export class FilterMessage {
  /** The accepted reply: FILTER_REPLY_HEADER.Status and the bytes after the header. */
  reply: { readonly status: NTSTATUS; readonly data: Uint8Array } | null = null;

  constructor(
    readonly id: string,
    /** FILTER_MESSAGE_HEADER.MessageId: unique while the simulation lives. */
    readonly messageId: number,
    readonly port: ClientPort,
    /** The thread blocked in FltSendMessage. */
    readonly sender: string,
    readonly body: Uint8Array,
    /** The kernel ReplyBuffer's capacity (*ReplyLength on entry), or null when no reply is expected. */
    readonly replyCapacity: number | null,
    /**
     * Signaled when the sender may return: delivered (no reply expected), replied, or withdrawn. The
     * private event FltSendMessage sleeps on, as FltMgr's own: it only wakes the sender, which then
     * asks the machine why (Replied, Withdrawn.Timeout, Withdrawn.Disconnected).
     */
    readonly done: Waitable,
    /** @internal */ readonly actor: Actor<typeof filterMessageMachine>,
  ) {}

  get state(): FilterMessageState {
    return filterMessageState(this.actor.getSnapshot());
  }

  /** Why it was withdrawn (the machine's part of Withdrawn), or null while it is not. */
  get withdrawn(): WithdrawnPart | null {
    return withdrawnPart(this.actor.getSnapshot());
  }
}

/** The user-mode HANDLE of a connection (FilterConnectCommunicationPort's *hPort). */
export class FilterPortHandle {
  constructor(
    readonly id: string,
    readonly port: ClientPort,
    /** FLT_PORT_FLAG_SYNC_HANDLE: overlapped gets are refused on it. */
    readonly synchronous: boolean,
  ) {}

  /** The completion port CreateIoCompletionPort associated with this handle, if any. */
  completion: CompletionAssociation | null = null;

  /** Open while its connection still names it. */
  get isOpen(): boolean {
    return this.port.handle === this;
  }

  toString(): string {
    return this.id;
  }
}

/** A Win32 event HANDLE (CreateEventW), for OVERLAPPED gets. */
export class EventHandle {
  /** Set by CloseHandle: the handle's value names nothing after, so every later call fails with ERROR_INVALID_HANDLE. */
  closed = false;
  constructor(
    /** @internal */ readonly kernel: Kernel,
    readonly id: string,
    readonly waitable: Waitable,
    readonly manualReset: boolean,
  ) {}
}

/** OVERLAPPED: FltMgr writes the final NTSTATUS into Internal and the byte count into InternalHigh. */
export interface OVERLAPPED {
  hEvent: EventHandle | null;
  Internal: NTSTATUS;
  InternalHigh: number;
  /** The file offset of an overlapped ReadFile / WriteFile (sim.io); 0 when absent. */
  Offset?: number;
}

/** FltMgr's port bookkeeping for one simulation. */
export class PortRegistry {
  readonly serverPorts: ServerPort[] = [];
  readonly clientPorts: ClientPort[] = [];
  /** Messages whose FltSendMessage has not returned, by id. */
  readonly messages = new Map<string, FilterMessage>();

  /** The Listening server port named `name` (object names compare case-insensitively). */
  listening(name: string): ServerPort | undefined {
    const wanted = name.toLowerCase();
    return this.serverPorts.find((p) => p.state === 'Listening' && p.name.toLowerCase() === wanted);
  }
}
