/**
 * The oplock of a stream (§21.8), as FsRtl's oplock package keeps it for a file system: legacy
 * Level 1, Batch and Filter oplocks (one holder, exclusive), Level 2 (any number of holders), and the
 * Windows 7 levels FSCTL_REQUEST_OPLOCK grants — R and RH (shared among handles), RW and RWH (one
 * holder). Holders, their levels, the level a break goes to and the requests waiting for an
 * acknowledgement are data (the fold keeps them); the machine is what a request meets:
 *
 *   NoOplock --OplockGranted--> Granted --OplockGranted--> Granted           (another shared holder, a switch)
 *   Granted --OplockBreak [acknowledgement owed]--> Breaking                 (break in progress)
 *   Granted --OplockBreak [to none, holders left]--> Granted, [none left]--> NoOplock
 *   Breaking --OplockBreak--> Breaking                                       (another holder, or a lower target)
 *   Breaking --OplockBreakWait--> Breaking                                   (an operation waits)
 *   Breaking --OplockAcknowledged | OplockReleased--> Breaking | Granted | NoOplock
 *                                       (Breaking while a holder still owes one; then by what remains)
 *   Breaking --OplockAcknowledged [FSCTL_OPBATCH_ACK_CLOSE_PENDING]--> Breaking (waiters wait for the close)
 *   Granted --OplockReleased--> Granted | NoOplock                           (cleanup, cancel)
 *
 * `remaining` on the facts says how many holders are left after them; `acknowledgementOwed` on a
 * break says whether the holder must acknowledge; `owed` (Windows 7 facts only; absent means none)
 * how many holders still owe an acknowledgement after the fact — legacy breaks have one exclusive
 * holder, so theirs is over with its acknowledgement.
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

type Counts = { readonly remaining: number; readonly owed?: number };
const someLeft = ({ event }: { event: OplockEvent }): boolean => 'remaining' in event && (event as Counts).remaining > 0;
const stillOwed = ({ event }: { event: OplockEvent }): boolean => ((event as Counts).owed ?? 0) > 0;

export const oplockMachine = setup({
  types: {} as { context: MachineContext; events: OplockEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    owed: ({ event }) => event.type === 'OplockBreak' && (event.acknowledgementOwed || (event.owed ?? 0) > 0),
    closePending: ({ event }) => event.type === 'OplockAcknowledged' && event.newLevel === 'ClosePending',
    someLeft,
    stillOwed,
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
        OplockBreak: [{ guard: 'owed', target: 'Breaking' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockBreakWait: {},
        OplockWaitEnded: {},
        OplockAcknowledged: [{ guard: 'closePending' }, { guard: 'stillOwed' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockReleased: [{ guard: 'stillOwed' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
      },
    },
  },
});
