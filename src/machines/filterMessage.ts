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
 *
 * Withdrawn has a part for each reason (the fact's `reason`): Timeout (the sender's wait ran out:
 * FltSendMessage returns STATUS_TIMEOUT) or Disconnected (the connection ended under it:
 * STATUS_PORT_DISCONNECTED).
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { subState, topState } from './stateValue.js';

export type FilterMessageEvent =
  | FactOf<'FilterMessageDelivered'>
  | FactOf<'FilterReplyMessage'>
  | FactOf<'FilterMessageWithdrawn'>
  | FactOf<'FltSendMessageReturned'>
  | FactOf<'VerifierViolation'>;

export type FilterMessageState = 'Queued' | 'Delivered' | 'Replied' | 'Withdrawn' | 'Returned';
/** Why a message was withdrawn: Withdrawn's part. */
export type WithdrawnPart = 'Timeout' | 'Disconnected';

const WITHDRAWN = [{ guard: 'timedOut', target: 'Withdrawn.Timeout' }, { target: 'Withdrawn.Disconnected' }] as const;

export const filterMessageMachine = setup({
  types: {} as { context: MachineContext; events: FilterMessageEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
  },
  guards: { timedOut: ({ event }) => event.type === 'FilterMessageWithdrawn' && event.reason === 'timeout' },
}).createMachine({
  id: 'filterMessage',
  context: contextFromInput,
  initial: 'Queued',
  on: { '*': { actions: 'rejectEvent' }, VerifierViolation: {} },
  states: {
    Queued: { on: { FilterMessageDelivered: 'Delivered', FilterMessageWithdrawn: WITHDRAWN } },
    Delivered: { on: { FilterReplyMessage: 'Replied', FilterMessageWithdrawn: WITHDRAWN, FltSendMessageReturned: 'Returned' } },
    Replied: { on: { FltSendMessageReturned: 'Returned' } },
    Withdrawn: { initial: 'Disconnected', states: { Timeout: {}, Disconnected: {} }, on: { FltSendMessageReturned: 'Returned' } },
    Returned: {},
  },
});

/** The message's top-level state. */
export function filterMessageState(snapshot: SnapshotFrom<typeof filterMessageMachine>): FilterMessageState {
  return topState(snapshot.value) as FilterMessageState;
}

/** Why it was withdrawn, while it is Withdrawn; null otherwise. */
export function withdrawnPart(snapshot: SnapshotFrom<typeof filterMessageMachine>): WithdrawnPart | null {
  return subState(snapshot.value) as WithdrawnPart | null;
}

/** The machine value of a message whose view says `state` and `withdrawn` (what a fold resumes from). */
export function filterMessageStateValue(state: FilterMessageState, withdrawn: WithdrawnPart | undefined): StateValue {
  return state === 'Withdrawn' && withdrawn !== undefined ? { Withdrawn: withdrawn } : state;
}
