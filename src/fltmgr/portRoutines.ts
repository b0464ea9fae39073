/**
 * The kernel side of communication ports that creates and closes them (§17.2):
 * FltBuildDefaultSecurityDescriptor, FltFreeSecurityDescriptor, FltCreateCommunicationPort,
 * FltCloseCommunicationPort, FltCloseClientPort. Messages are in sendMessage.ts, the user-mode
 * side in filterPortUser.ts.
 */
import { clientPortMachine } from '../machines/clientPort.js';
import { communicationPortMachine } from '../machines/communicationPort.js';
import { ADMINISTRATORS_SID, SYSTEM_SID } from '../kernel/sids.js';
import { OBJ_KERNEL_HANDLE } from '../wdk/fltConstants.js';
import {
  STATUS_FLT_DELETING_OBJECT,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_PORT_DISCONNECTED,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FilterObject } from './filterObject.js';
import {
  ClientPort,
  SecurityDescriptor,
  ServerPort,
  type PFLT_CONNECT_NOTIFY,
  type PFLT_DISCONNECT_NOTIFY,
  type PFLT_MESSAGE_NOTIFY,
  type PORT_OBJECT_ATTRIBUTES,
  type PortVariable,
} from './portObjects.js';
import { filterArgument, portVariableArgument, securityDescriptorArgument, serverPortArgument } from './portArguments.js';
import { endTraffic } from './portTraffic.js';
import { isBeingTornDown } from './references.js';
import { fail } from './routineSupport.js';
import { callerFilter, fltMgrOfKernel } from './poolRoutines.js';
import { kernelCall, type Blocking } from '../kernel/effects.js';

export interface BuildSecurityDescriptorResult {
  readonly status: NTSTATUS;
  readonly SecurityDescriptor: SecurityDescriptor | null;
}

/**
 * FltBuildDefaultSecurityDescriptor(&SecurityDescriptor, DesiredAccess): a descriptor whose DACL
 * grants DesiredAccess (FLT_PORT_CONNECT or FLT_PORT_ALL_ACCESS) to LocalSystem and
 * Administrators only, in paged pool (§17.2). Free it with FltFreeSecurityDescriptor once the port
 * is created. It takes no object that leads to the simulation, so it is a generator (`yield*`)
 * that reaches it through the kernel, as the Ex* pool routines do.
 */
export function FltBuildDefaultSecurityDescriptor(DesiredAccess: number): Blocking<BuildSecurityDescriptorResult> {
  return kernelCall((kernel, thread) => {
    const fltMgr = fltMgrOfKernel(kernel);
    const grants = [SYSTEM_SID, ADMINISTRATORS_SID];
    const block = fltMgr.memory.allocate('FltBuildDefaultSecurityDescriptor', callerFilter(fltMgr, thread), selfRelativeBytes(grants), SECURITY_DESCRIPTOR_TAG, false, SECURITY_DESCRIPTOR_ALIGNMENT);
    return { status: STATUS_SUCCESS, SecurityDescriptor: new SecurityDescriptor(grants, DesiredAccess >>> 0, block) };
  });
}

/** FltFreeSecurityDescriptor(SecurityDescriptor): its pool goes. A port created with it keeps its own copy. */
export function FltFreeSecurityDescriptor(SecurityDescriptor: SecurityDescriptor): Blocking<void> {
  const sd = securityDescriptorArgument('FltFreeSecurityDescriptor', SecurityDescriptor);
  return kernelCall((kernel) => {
    const fltMgr = fltMgrOfKernel(kernel);
    if (sd.freed) throw fltMgr.kernel.violation('BUFFER_USED_AFTER_FREE', sd.block.id, `FltFreeSecurityDescriptor on ${sd.block}, which was already freed`);
    fltMgr.memory.free(sd.block, 'FltFreeSecurityDescriptor');
  });
}

/**
 * The pool tag of a descriptor FltBuildDefaultSecurityDescriptor allocates: the model's choice
 * (FltMgr's own tag is not documented); a pool block's view shows it.
 */
const SECURITY_DESCRIPTOR_TAG = 'FMsd';
/** Small pool blocks are 16 bytes aligned (src/fltmgr/poolRoutines.ts). */
const SECURITY_DESCRIPTOR_ALIGNMENT = 16;

/**
 * The size of the descriptor in self-relative form: SECURITY_DESCRIPTOR_RELATIVE (20 bytes), then
 * the DACL: an ACL header (8) and one ACCESS_ALLOWED_ACE per SID (header and mask, 8, and the SID:
 * 8 bytes and 4 per sub-authority). 72 bytes for LocalSystem and Administrators.
 */
function selfRelativeBytes(sids: readonly string[]): number {
  let bytes = 20 + 8;
  for (const sid of sids) bytes += 8 + 8 + 4 * (sid.split('-').length - 3);
  return bytes;
}

export interface CreatePortResult {
  readonly status: NTSTATUS;
  readonly ServerPort: ServerPort | null;
}

/**
 * FltCreateCommunicationPort(Filter, &ServerPort, ObjectAttributes, ServerPortCookie,
 * ConnectNotifyCallback, DisconnectNotifyCallback, MessageNotifyCallback, MaxConnections): a server
 * port that listens at once. The out-parameter ServerPort is a field of the result. An open server
 * port keeps FltUnregisterFilter from finishing: close it in FilterUnloadCallback first (§17.2).
 */
export function FltCreateCommunicationPort(
  Filter: FilterObject,
  ObjectAttributes: PORT_OBJECT_ATTRIBUTES,
  ServerPortCookie: unknown,
  ConnectNotifyCallback: PFLT_CONNECT_NOTIFY,
  DisconnectNotifyCallback: PFLT_DISCONNECT_NOTIFY,
  MessageNotifyCallback: PFLT_MESSAGE_NOTIFY | null,
  MaxConnections: number,
): CreatePortResult {
  const fltMgr = filterArgument('FltCreateCommunicationPort', Filter).fltMgr;
  const refuse = (status: NTSTATUS, detail: string): CreatePortResult => ({ status: fail(fltMgr, Filter, 'FltCreateCommunicationPort', status, detail), ServerPort: null });
  if (isBeingTornDown(Filter)) return refuse(STATUS_FLT_DELETING_OBJECT, `${Filter.name} is ${Filter.state}`);
  if (ObjectAttributes === null || typeof ObjectAttributes !== 'object') return refuse(STATUS_INVALID_PARAMETER, 'ObjectAttributes is NULL');
  const name = ObjectAttributes.ObjectName;
  if (typeof name !== 'string' || !name.startsWith('\\') || name.length < 2) return refuse(STATUS_OBJECT_NAME_INVALID, `port name ${JSON.stringify(name)} is not an object name`);
  if (((ObjectAttributes.Attributes ?? 0) & OBJ_KERNEL_HANDLE) === 0) return refuse(STATUS_INVALID_PARAMETER, `ObjectAttributes of ${name} lack OBJ_KERNEL_HANDLE`);
  if (typeof ConnectNotifyCallback !== 'function' || typeof DisconnectNotifyCallback !== 'function') {
    return refuse(STATUS_INVALID_PARAMETER, `${name}: ConnectNotifyCallback and DisconnectNotifyCallback are required`);
  }
  if (!Number.isInteger(MaxConnections) || MaxConnections <= 0) return refuse(STATUS_INVALID_PARAMETER, `${name}: MaxConnections ${MaxConnections} must be > 0`);
  const sd = ObjectAttributes.SecurityDescriptor == null ? null : securityDescriptorArgument('FltCreateCommunicationPort', ObjectAttributes.SecurityDescriptor);
  if (sd !== null && sd.freed) {
    throw fltMgr.kernel.violation('PORT_SECURITY_DESCRIPTOR_FREED', Filter.id, `FltCreateCommunicationPort(${name}) with a security descriptor already passed to FltFreeSecurityDescriptor`);
  }
  if (fltMgr.ports.listening(name) !== undefined) return refuse(STATUS_OBJECT_NAME_COLLISION, `a port named ${name} exists`);
  const id = fltMgr.kernel.nextId('R');
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FltCreateCommunicationPort', filter: Filter.id, name, maxConnections: MaxConnections, messageNotify: MessageNotifyCallback !== null });
  const actor = fltMgr.kernel.startMachine(communicationPortMachine);
  fltMgr.kernel.attachActor(id, actor);
  // A NULL security descriptor gets the object directory's default, which the model takes as the same two SIDs.
  const grants = sd?.grants ?? [SYSTEM_SID, ADMINISTRATORS_SID];
  const port = new ServerPort(fltMgr, id, Filter, name, grants, ServerPortCookie, ConnectNotifyCallback, DisconnectNotifyCallback, MessageNotifyCallback, MaxConnections, actor);
  fltMgr.ports.serverPorts.push(port);
  Filter.rundown.add('serverPorts', 1);
  return { status: STATUS_SUCCESS, ServerPort: port };
}

/**
 * FltCloseCommunicationPort(ServerPort): no new connections; existing ones stay until either end
 * closes them or the filter unloads.
 */
export function FltCloseCommunicationPort(ServerPort: ServerPort): void {
  const fltMgr = serverPortArgument('FltCloseCommunicationPort', ServerPort).fltMgr;
  if (ServerPort.state === 'Closed') {
    throw fltMgr.kernel.violation('SERVER_PORT_CLOSED_TWICE', ServerPort.id, `FltCloseCommunicationPort on ${ServerPort}, already closed`);
  }
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: ServerPort.id, type: 'FltCloseCommunicationPort' });
  ServerPort.filter.rundown.add('serverPorts', -1);
}

/**
 * FltCloseClientPort(Filter, &ClientPort): closes the kernel end of a connection and writes NULL
 * into the caller's variable (a PortVariable box). A variable that already holds NULL is left
 * alone, which is what makes the scanner's pattern (close in DisconnectNotify, send elsewhere)
 * safe. Messages waiting on the connection are withdrawn (their senders get
 * STATUS_PORT_DISCONNECTED) and waiting gets end; DisconnectNotify still follows when the user
 * closes its handle or the filter unloads.
 */
export function FltCloseClientPort(Filter: FilterObject, ClientPort: PortVariable): void {
  filterArgument('FltCloseClientPort', Filter);
  const port = portVariableArgument('FltCloseClientPort', ClientPort).value;
  ClientPort.value = null;
  if (port === null) return;
  closeClientPort(Filter, port);
}

function closeClientPort(Filter: FilterObject, port: ClientPort): void {
  const fltMgr = port.fltMgr;
  const state = port.state;
  if (state === 'Connecting' || state === 'Rejected' || state === 'ClientPortClosed' || state === 'DisconnectingClosed' || state === 'Closed') {
    throw fltMgr.kernel.violation('CLIENT_PORT_CLOSE_INVALID', port.id, `FltCloseClientPort(${Filter.name}) on ${port}, which is ${state}`);
  }
  endTraffic(port, STATUS_PORT_DISCONNECTED);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: port.id, type: 'FltCloseClientPort' });
}

/** Create the kernel end of a new connection, born in Connecting (ConnectNotify is about to run). */
export function createClientPort(server: ServerPort, thread: string, contextLength: number): ClientPort {
  const fltMgr = server.fltMgr;
  const id = fltMgr.kernel.nextId('Q');
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: id, type: 'ConnectNotify', serverPort: server.id, filter: server.filter.id, thread, contextLength });
  const actor = fltMgr.kernel.startMachine(clientPortMachine);
  fltMgr.kernel.attachActor(id, actor);
  const port = new ClientPort(id, server, actor);
  fltMgr.ports.clientPorts.push(port);
  server.connections.push(port);
  return port;
}
