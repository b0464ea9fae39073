/**
 * A scanner-shaped test filter (§17): DriverEntry builds a default security descriptor, creates
 * one server port, frees the descriptor and starts filtering; ConnectNotify keeps the client port
 * in a PortVariable, DisconnectNotify closes it; every pre-write sends the file name to user mode
 * with FltSendMessage and records the status. Options change one thing each, for scenario tests
 * and the random port property.
 */
import { UsageError } from '../../kernel/errors.js';
import type { Blocking } from '../../kernel/effects.js';
import type { FilterObject } from '../../fltmgr/filterObject.js';
import { FltRegisterFilter, FltStartFiltering, FltUnregisterFilter } from '../../fltmgr/filterRoutines.js';
import { portVariable, type PFLT_MESSAGE_NOTIFY, type PortVariable, type ServerPort } from '../../fltmgr/portObjects.js';
import { FltBuildDefaultSecurityDescriptor, FltCloseClientPort, FltCloseCommunicationPort, FltCreateCommunicationPort, FltFreeSecurityDescriptor } from '../../fltmgr/portRoutines.js';
import { FltSendMessage } from '../../fltmgr/sendMessage.js';
import type { Simulation, ThreadHandle } from '../../simulation.js';
import { FLT_PREOP_SUCCESS_NO_CALLBACK, OBJ_CASE_INSENSITIVE, OBJ_KERNEL_HANDLE } from '../../wdk/fltConstants.js';
import { IRP_MJ_WRITE } from '../../wdk/irp.js';
import { STATUS_SUCCESS, type NTSTATUS } from '../../wdk/ntstatus.js';
import { FLT_PORT_ALL_ACCESS } from '../../wdk/portConstants.js';

export interface PortFilterSpec {
  readonly name?: string;
  readonly altitude?: string;
  readonly portName?: string;
  readonly maxConnections?: number;
  /** FltSendMessage's Timeout in 100-ns units (negative: relative); null waits forever. Default null. */
  readonly timeout?: number | null;
  /** Bytes of reply the pre-write expects (its *ReplyLength); null sends without a ReplyBuffer. Default 1 (SCANNER_REPLY). */
  readonly replyLength?: number | null;
  /** FltCloseCommunicationPort in FilterUnloadCallback before FltUnregisterFilter (default true, as scanner.c). */
  readonly closeServerPortOnUnload?: boolean;
  /** FltCloseClientPort in DisconnectNotify (default true). */
  readonly closeClientPortOnDisconnect?: boolean;
  /**
   * Which variable DisconnectNotify closes: 'variable' (default) the one global ClientPort, as
   * scanner.c does — right only with MaxConnections 1, since a second connection overwrites it;
   * 'connection' the disconnecting connection's own port, kept in its connection cookie.
   */
  readonly disconnectCloses?: 'variable' | 'connection';
  readonly messageNotify?: PFLT_MESSAGE_NOTIFY | null;
}

export interface PortFilterSends {
  readonly status: NTSTATUS;
  /** The reply bytes copied (ReplyLength on return). */
  readonly reply: readonly number[];
}

export interface PortFilter {
  readonly entry: ThreadHandle;
  readonly filter: () => FilterObject;
  readonly serverPort: () => ServerPort;
  /** ScannerData.ClientPort: what FltSendMessage and FltCloseClientPort take by address. */
  readonly clientPort: PortVariable;
  /** Each pre-write's FltSendMessage, in the order they returned. */
  readonly sends: PortFilterSends[];
}

export function installPortFilter(sim: Simulation, spec: PortFilterSpec = {}): PortFilter {
  const name = spec.name ?? 'scanner';
  const portName = spec.portName ?? '\\ScannerPort';
  const replyLength = spec.replyLength === undefined ? 1 : spec.replyLength;
  let filter: FilterObject | null = null;
  let server: ServerPort | null = null;
  const clientPort = portVariable();
  const sends: PortFilterSends[] = [];
  const registry = { DefaultInstance: `${name} Instance`, Instances: { [`${name} Instance`]: { Altitude: spec.altitude ?? '265000' } } };
  const entry = sim.loadDriver({ name, instances: registry }, function* (driver) {
    const r = FltRegisterFilter(driver, {
      // scanner.c's ScannerQueryTeardown: manual detach is allowed.
      InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
      FilterUnloadCallback: function* (): Blocking<NTSTATUS> {
        if (spec.closeServerPortOnUnload !== false) FltCloseCommunicationPort(server!);
        yield* FltUnregisterFilter(filter!);
        return STATUS_SUCCESS;
      },
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_WRITE,
          PreOperation: function* (Data) {
            // scanner.c: no client, nothing to scan.
            if (clientPort.value === null) return FLT_PREOP_SUCCESS_NO_CALLBACK;
            const body = new TextEncoder().encode(Data.Iopb.TargetFileObject?.FileName ?? '');
            const reply = replyLength === null ? null : new Uint8Array(replyLength);
            const length = replyLength === null ? null : { value: replyLength };
            const status = yield* FltSendMessage(filter!, clientPort, body, body.length, reply, length, spec.timeout ?? null);
            sends.push({ status, reply: reply === null ? [] : [...reply.subarray(0, length!.value)] });
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        },
      ],
    });
    if (r.filter === null) return r.status;
    filter = r.filter;
    const sd = yield* FltBuildDefaultSecurityDescriptor(FLT_PORT_ALL_ACCESS);
    const created = FltCreateCommunicationPort(
      filter,
      { ObjectName: portName, Attributes: OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, SecurityDescriptor: sd.SecurityDescriptor },
      null,
      (ClientPort, _ServerPortCookie, _Context, _Size, ConnectionPortCookie) => {
        clientPort.value = ClientPort;
        ConnectionPortCookie.value = portVariable(ClientPort);
        return STATUS_SUCCESS;
      },
      (ConnectionCookie) => {
        if (spec.closeClientPortOnDisconnect === false) return;
        const own = ConnectionCookie as PortVariable;
        if (spec.disconnectCloses !== 'connection' || clientPort.value === own.value) {
          FltCloseClientPort(filter!, clientPort);
          own.value = null;
        } else FltCloseClientPort(filter!, own);
      },
      spec.messageNotify ?? null,
      spec.maxConnections ?? 1,
    );
    yield* FltFreeSecurityDescriptor(sd.SecurityDescriptor!);
    if (created.ServerPort === null) {
      yield* FltUnregisterFilter(filter);
      return created.status;
    }
    server = created.ServerPort;
    return yield* FltStartFiltering(filter);
  });
  return {
    entry,
    clientPort,
    sends,
    filter: () => {
      if (filter === null) throw new UsageError('NOT_READY', `filter ${name} has not registered yet: run the simulation first`);
      return filter;
    },
    serverPort: () => {
      if (server === null) throw new UsageError('NOT_READY', `filter ${name} has not created its port yet: run the simulation first`);
      return server;
    },
  };
}
