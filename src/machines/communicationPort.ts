/**
 * The server port (PFLT_PORT from FltCreateCommunicationPort), §17.2.
 *
 *   Listening --FltCloseCommunicationPort--> Closed
 *
 * A Listening port admits connections up to MaxConnections; a Closed one admits none, while the
 * connections it already has live on until either end closes them or the filter unloads.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type CommunicationPortEvent = FactOf<'FltCloseCommunicationPort'> | FactOf<'RoutineFailed'> | FactOf<'VerifierViolation'>;

export type CommunicationPortState = 'Listening' | 'Closed';

const bookkeeping = { RoutineFailed: {}, VerifierViolation: {} } as const;

export const communicationPortMachine = setup({
  types: {} as { context: MachineContext; events: CommunicationPortEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
  },
}).createMachine({
  id: 'communicationPort',
  context: contextFromInput,
  initial: 'Listening',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    Listening: { on: { ...bookkeeping, FltCloseCommunicationPort: 'Closed' } },
    Closed: { on: { ...bookkeeping } },
  },
});
