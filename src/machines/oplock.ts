/**
 * The oplock of a stream (§21.8), as FsRtl's oplock package keeps it for a file system: legacy
 * Level 1, Batch and Filter oplocks (one holder, exclusive), Level 2 (any number of holders), and the
 * Windows 7 levels FSCTL_REQUEST_OPLOCK grants — R and RH (shared among handles), RW and RWH (one
 * holder). Holders, their levels, the level each holder's owed break goes to and the requests waiting
 * for an acknowledgement are data (the fold keeps them; why is written on `Holder` in
 * src/fs/oplocks.ts); the machine is what a request meets:
 *
 *   NoOplock --OplockGranted--> Granted --OplockGranted--> Granted           (another shared holder, a switch)
 *   Granted --OplockBreak [acknowledgement owed]--> Breaking                 (break in progress)
 *   Granted --OplockBreak [to none, holders left]--> Granted, [none left]--> NoOplock
 *   Breaking --OplockBreak--> Breaking                                       (another holder, or a lower target)
 *   Breaking --OplockBreakWait--> Breaking                                   (an operation waits)
 *   Breaking --OplockAcknowledged | OplockReleased--> Breaking | Granted | NoOplock
 *                                       (Breaking while a holder still owes one; then by what remains)
 *   Breaking --OplockAcknowledged [FSCTL_OPBATCH_ACK_CLOSE_PENDING]--> ClosePending
 *   ClosePending --OplockBreakWait | OplockWaitEnded--> ClosePending          (waiters wait for the close)
 *   ClosePending --OplockReleased--> NoOplock                                (the holder's cleanup)
 *   Granted --OplockReleased--> Granted | NoOplock                           (cleanup, cancel)
 *
 * ClosePending is FsRtl's OpBatchClosePending / OpFilterClosePending: the Batch or Filter holder
 * acknowledged its break and will close. The break is over for the holder — no acknowledgement is
 * taken any more (STATUS_INVALID_OPLOCK_PROTOCOL) and no further break is sent to it — but the
 * operations waiting for the break go on only at its cleanup; no oplock is granted meanwhile.
 * Breaking and ClosePending together are FsRtl's OPLOCK_BREAK_MASK: a break is under way.
 *
 * Every state has two parts: NoAtomicRequest, and AtomicRequestPending from the success of a create
 * with FILE_OPEN_REQUIRING_OPLOCK (OplockAtomicRequest) until an oplock is granted on its handle or
 * the handle's cleanup (OplockAtomicRequestEnded): meanwhile other opens of the stream wait
 * (OplockBreakWait; "blocked without the benefit of normal oplock processing" [doc]).
 *
 * `remaining` on the facts says how many holders are left after them; `acknowledgementOwed` on a
 * break says whether the holder must acknowledge; `owed` (Windows 7 facts only; absent means none)
 * how many holders still owe an acknowledgement after the fact — legacy breaks have one exclusive
 * holder, so theirs is over with its acknowledgement.
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { subState, topState } from './stateValue.js';
import { withTwoParts, type TwoParts } from './twoParts.js';

export type OplockEvent =
  | FactOf<'OplockGranted'>
  | FactOf<'OplockBreak'>
  | FactOf<'OplockBreakWait'>
  | FactOf<'OplockAcknowledged'>
  | FactOf<'OplockReleased'>
  | FactOf<'OplockWaitEnded'>
  | FactOf<'OplockAtomicRequest'>
  | FactOf<'OplockAtomicRequestEnded'>;

export type OplockState = 'NoOplock' | 'Granted' | 'Breaking' | 'ClosePending';

type Counts = { readonly remaining: number; readonly owed?: number };
const someLeft = ({ event }: { event: OplockEvent }): boolean => 'remaining' in event && (event as Counts).remaining > 0;
const stillOwed = ({ event }: { event: OplockEvent }): boolean => ((event as Counts).owed ?? 0) > 0;

/** FILE_OPEN_REQUIRING_OPLOCK's atomic request, pending in every state of the oplock until granted or cleaned up. */
const ATOMIC_REQUEST_PARTS: TwoParts = {
  machine: 'oplock',
  first: 'NoAtomicRequest',
  second: 'AtomicRequestPending',
  enterIn: new Set(['NoOplock', 'Granted', 'Breaking', 'ClosePending']),
  enter: { event: 'OplockAtomicRequest' },
  leave: { event: 'OplockAtomicRequestEnded' },
};

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
  states: withTwoParts(ATOMIC_REQUEST_PARTS, {
    NoOplock: { on: { OplockGranted: 'Granted', OplockBreakWait: {}, OplockWaitEnded: {} } },
    Granted: {
      on: {
        OplockGranted: {},
        OplockBreak: [{ guard: 'owed', target: 'Breaking' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockReleased: [{ guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockBreakWait: {},
        OplockWaitEnded: {},
      },
    },
    Breaking: {
      on: {
        OplockBreak: [{ guard: 'owed', target: 'Breaking' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockBreakWait: {},
        OplockWaitEnded: {},
        OplockAcknowledged: [{ guard: 'closePending', target: 'ClosePending' }, { guard: 'stillOwed' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
        OplockReleased: [{ guard: 'stillOwed' }, { guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
      },
    },
    // The one exclusive holder closes: its cleanup ends the oplock (OplockReleased, nothing remains).
    ClosePending: {
      on: {
        OplockBreakWait: {},
        OplockWaitEnded: {},
        OplockReleased: [{ guard: 'someLeft', target: 'Granted' }, { target: 'NoOplock' }],
      },
    },
  } as const),
});

/** The oplock's top-level state (what views name). */
export function oplockState(snapshot: SnapshotFrom<typeof oplockMachine>): OplockState {
  return topState(snapshot.value) as OplockState;
}

/** A break is under way (FsRtl's OPLOCK_BREAK_MASK): a holder owes an acknowledgement, or the holder that acknowledged will close. */
export function breakUnderway(snapshot: SnapshotFrom<typeof oplockMachine>): boolean {
  const state = oplockState(snapshot);
  return state === 'Breaking' || state === 'ClosePending';
}

/** A FILE_OPEN_REQUIRING_OPLOCK handle has not been granted its oplock yet: the AtomicRequestPending part. */
export function atomicRequestPending(snapshot: SnapshotFrom<typeof oplockMachine>): boolean {
  return subState(snapshot.value) === 'AtomicRequestPending';
}

/** The machine value of an oplock whose view says `state` and `atomicRequest` (what a fold resumes from). */
export function oplockStateValue(state: OplockState, atomicRequest: string | undefined): StateValue {
  return { [state]: atomicRequest === undefined ? 'NoAtomicRequest' : 'AtomicRequestPending' };
}
