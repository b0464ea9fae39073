/**
 * The oplock of a stream (§21.8), as FsRtl's oplock package keeps it for a file system: legacy
 * Level 1, Batch and Filter oplocks (one holder, exclusive) and Level 2 (any number of holders).
 * Holders, the breaking holder and the creates waiting for the acknowledgement are data (the fold
 * keeps them); the machine is what a request meets:
 *
 *   NoOplock --OplockGranted--> Granted --OplockGranted--> Granted           (another Level 2)
 *   Granted --OplockBreak [acknowledgement owed]--> Breaking
 *   Granted --OplockBreak [to none, holders left]--> Granted, [none left]--> NoOplock
 *   Breaking --OplockBreakWait--> Breaking                                   (a create waits)
 *   Breaking --OplockAcknowledged | OplockReleased--> Granted | NoOplock    (by what remains)
 *   Breaking --OplockAcknowledged [FSCTL_OPBATCH_ACK_CLOSE_PENDING]--> Breaking (waiters wait for the close)
 *   Granted --OplockReleased--> Granted | NoOplock                           (cleanup, cancel)
 *
 * `remaining` on the facts says how many holders are left after them; `acknowledgementOwed` on a
 * break says whether the breaker must wait.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type OplockEvent =
  | FactOf<'OplockGranted'>
  | FactOf<'OplockBreak'>
  | FactOf<'OplockBreakWait'>
  | FactOf<'OplockAcknowledged'>
  | FactOf<'OplockReleased'>
  | FactOf<'OplockWaitEnded'>;

export type OplockState = 'NoOplock' | 'Granted' | 'Breaking';

type Remaining = { readonly remaining: number };
const someLeft = ({ event }: { event: OplockEvent }): boolean => 'remaining' in event && (event as Remaining).remaining > 0;

export const oplockMachine = setup({
  types: {} as { context: MachineContext; events: OplockEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    owed: ({ event }) => event.type === 'OplockBreak' && event.acknowledgementOwed,
    closePending: ({ event }) => event.type === 'OplockAcknowledged' && event.newLevel === 'ClosePending',
    someLeft,
  },
}).createMachine({
  id: 'oplock',
  context: contextFromInput,
  initial: 'NoOplock',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    NoOplock: { on: { OplockGranted: 'Granted', OplockWaitEnded: {} } },
    Granted: {
      on: {
        OplockGranted: {},
        OplockBreak: [{ guard: 'owed', target: 'Breaking' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockReleased: [{ guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockWaitEnded: {},
      },
    },
    Breaking: {
      on: {
        OplockBreakWait: {},
        OplockWaitEnded: {},
        OplockAcknowledged: [{ guard: 'closePending' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockReleased: [{ guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
      },
    },
  },
});
