/**
 * One FltSendMessage: the message a filter sends to user mode over a connection, §17.3.
 *
 *   Queued --FilterMessageDelivered--> Delivered --FilterReplyMessage--> Replied
 *   Queued | Delivered --FilterMessageWithdrawn--> Withdrawn        (timeout, or the connection ended)
 *   Delivered | Replied | Withdrawn --FltSendMessageReturned--> Returned
 *
 * A message that expects no reply is returned from Delivered. A reply is accepted only in
 * Delivered, so a message takes at most one reply, and none after it was withdrawn: those replies
 * fail with STATUS_FLT_NO_WAITER_FOR_REPLY (§19.9 invariant 15).
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type FilterMessageEvent =
  | FactOf<'FilterMessageDelivered'>
  | FactOf<'FilterReplyMessage'>
  | FactOf<'FilterMessageWithdrawn'>
  | FactOf<'FltSendMessageReturned'>
  | FactOf<'VerifierViolation'>;

export type FilterMessageState = 'Queued' | 'Delivered' | 'Replied' | 'Withdrawn' | 'Returned';

export const filterMessageMachine = setup({
  types: {} as { context: MachineContext; events: FilterMessageEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
  },
}).createMachine({
  id: 'filterMessage',
  context: contextFromInput,
  initial: 'Queued',
  on: { '*': { actions: 'rejectEvent' }, VerifierViolation: {} },
  states: {
    Queued: { on: { FilterMessageDelivered: 'Delivered', FilterMessageWithdrawn: 'Withdrawn' } },
    Delivered: { on: { FilterReplyMessage: 'Replied', FilterMessageWithdrawn: 'Withdrawn', FltSendMessageReturned: 'Returned' } },
    Replied: { on: { FltSendMessageReturned: 'Returned' } },
    Withdrawn: { on: { FltSendMessageReturned: 'Returned' } },
    Returned: {},
  },
});
