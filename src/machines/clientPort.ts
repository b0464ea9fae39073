/**
 * A connection: the client port (kernel PFLT_PORT handed to ConnectNotify) and the user-mode
 * handle FilterConnectCommunicationPort returns, §17.1–§17.4.
 *
 *   Connecting --ConnectNotifyReturned(success)--> Connected
 *   Connecting --ConnectNotifyReturned(failure)--> Rejected                 (no DisconnectNotify ever)
 *   Connected --FltCloseClientPort--> ClientPortClosed                      (the filter closed its end)
 *   Connected --DisconnectNotify--> Disconnecting                           (last user handle closed, or unload)
 *   ClientPortClosed --DisconnectNotify--> DisconnectingClosed
 *   Disconnecting --FltCloseClientPort--> DisconnectingClosed               (the usual body of DisconnectNotify)
 *   Disconnecting --DisconnectNotifyReturned--> Disconnected                (the filter still owes FltCloseClientPort)
 *   DisconnectingClosed --DisconnectNotifyReturned--> Closed
 *   Disconnected --FltCloseClientPort--> Closed
 *
 * Only a Connected port carries messages. A MessageNotify that began while Connected may return
 * after the connection ended (an unload disconnects the port while the callback runs in the
 * user's thread; the unload waits for it): its MessageNotifyReturned is taken in every later state. A connection counts against its server port's
 * MaxConnections from ConnectNotify until DisconnectNotify has returned (scanner.c's comment), so
 * the counted states are Connecting, Connected, ClientPortClosed, Disconnecting and
 * DisconnectingClosed. FltCloseClientPort is accepted once; a second close of the same port is
 * refused here and named by the verifier first.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { NT_SUCCESS } from '../wdk/ntstatus.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type ClientPortEvent =
  | FactOf<'ConnectNotifyReturned'>
  | FactOf<'DisconnectNotify'>
  | FactOf<'DisconnectNotifyReturned'>
  | FactOf<'FltCloseClientPort'>
  | FactOf<'PortHandleClosed'>
  | FactOf<'FilterGetMessage'>
  | FactOf<'FilterGetMessageAborted'>
  | FactOf<'MessageNotify'>
  | FactOf<'MessageNotifyReturned'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type ClientPortState =
  | 'Connecting'
  | 'Rejected'
  | 'Connected'
  | 'ClientPortClosed'
  | 'Disconnecting'
  | 'DisconnectingClosed'
  | 'Disconnected'
  | 'Closed';

/** States in which a connection counts against MaxConnections. */
export const COUNTED_CONNECTION_STATES: ReadonlySet<ClientPortState> = new Set(['Connecting', 'Connected', 'ClientPortClosed', 'Disconnecting', 'DisconnectingClosed']);

const bookkeeping = { RoutineFailed: {}, VerifierViolation: {} } as const;
/** What the user-mode end may still do once connected: close its handle, post gets that fail. */
const userEnd = { ...bookkeeping, PortHandleClosed: {}, FilterGetMessage: {}, FilterGetMessageAborted: {} } as const;
/** A MessageNotify started while Connected returning once the connection has ended. */
const lateReturn = { MessageNotifyReturned: {} } as const;

export const clientPortMachine = setup({
  types: {} as { context: MachineContext; events: ClientPortEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
  },
  guards: {
    accepted: ({ event }) => event.type === 'ConnectNotifyReturned' && NT_SUCCESS(event.status),
  },
}).createMachine({
  id: 'clientPort',
  context: contextFromInput,
  initial: 'Connecting',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    Connecting: {
      on: { ...bookkeeping, ConnectNotifyReturned: [{ guard: 'accepted', target: 'Connected' }, { target: 'Rejected' }] },
    },
    Rejected: { on: { ...bookkeeping } },
    Connected: {
      on: {
        ...userEnd,
        MessageNotify: {},
        MessageNotifyReturned: {},
        FltCloseClientPort: 'ClientPortClosed',
        DisconnectNotify: 'Disconnecting',
      },
    },
    ClientPortClosed: { on: { ...userEnd, ...lateReturn, DisconnectNotify: 'DisconnectingClosed' } },
    Disconnecting: { on: { ...userEnd, ...lateReturn, FltCloseClientPort: 'DisconnectingClosed', DisconnectNotifyReturned: 'Disconnected' } },
    DisconnectingClosed: { on: { ...userEnd, ...lateReturn, DisconnectNotifyReturned: 'Closed' } },
    Disconnected: { on: { ...userEnd, ...lateReturn, FltCloseClientPort: 'Closed' } },
    Closed: { on: { ...userEnd, ...lateReturn } },
  },
});
