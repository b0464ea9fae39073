/**
 * The KTM transaction object (KTRANSACTION) as the Filter Manager sees it, §22.4.
 *
 *   Active --NtCommitTransaction--> PrePreparing --TransactionPrepare--> Preparing
 *          --TransactionCommit--> Committing --TransactionOutcome(Committed)--> Committed
 *   Active | PrePreparing | Preparing --NtRollbackTransaction--> RollingBack
 *          --TransactionOutcome(Aborted)--> RolledBack
 *   Committed | RolledBack --TransactionDeleted--> Deleted        (its last reference went)
 *
 * Enlistment is possible only while Active. Each phase state takes the notifications of its phase
 * (PREPREPARE in PrePreparing, PREPARE in Preparing, COMMIT in Committing, COMMIT_FINALIZE in
 * Committed, ROLLBACK in RollingBack) and their acknowledgements. An enlistment ends in place
 * (TransactionEnlistmentEnded): at its instance's teardown, or after the outcome's last
 * notification. The outcome a query reports follows the state: the commit is decided from
 * Committing on, the abort from RollingBack on.
 *
 * Committed and RolledBack have two parts: KtmWorkerRunning while the KTM worker still delivers the
 * outcome (COMMIT_FINALIZE) and ends the enlistments, then KtmWorkerDone once it dropped its reference
 * (TransactionDereferenced by KTM). The part decides whether the worker still owns a reference, which
 * a filter's ObDereferenceObject may not take away (TRANSACTION_USED_AFTER_DELETE).
 *
 * Each phase state (and Committed's KtmWorkerRunning, which delivers COMMIT_FINALIZE) has two parts of
 * its own: Notifying while the KTM worker calls the enlistments one after another, NotificationPending
 * once a callback answered STATUS_PENDING, until the filter's completion routine (FltCommitComplete
 * and its kin: TransactionNotificationComplete) or the end of that enlistment (its instance's
 * teardown) lets the worker go on. The worker waits for each pended notification before the next, so
 * at most one enlistment of a transaction has one: the part is the transaction's, and the context
 * names which instance it waits on (a position, as a cursor is). A completion no pending notification
 * of that instance and kind takes is refused: TRANSACTION_COMPLETE_NOT_PENDING, asked with `can`.
 * The worker's next notification and the next phase wait in Notifying.
 */
import { assign, setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import {
  TRANSACTION_NOTIFY_COMMIT,
  TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  TRANSACTION_NOTIFY_PREPARE,
  TRANSACTION_NOTIFY_PREPREPARE,
  TRANSACTION_NOTIFY_ROLLBACK,
} from '../wdk/transactionConstants.js';
import { STATUS_PENDING } from '../wdk/ntstatus.js';
import type { MachineInput } from './machineContext.js';
import { statePath, topState } from './stateValue.js';

export type TransactionEvent =
  | FactOf<'TransactionReferenced'>
  | FactOf<'TransactionDereferenced'>
  | FactOf<'FltEnlistInTransaction'>
  | FactOf<'NtCommitTransaction'>
  | FactOf<'NtRollbackTransaction'>
  | FactOf<'TransactionPrepare'>
  | FactOf<'TransactionCommit'>
  | FactOf<'TransactionOutcome'>
  | FactOf<'TransactionNotification'>
  | FactOf<'TransactionNotificationReturned'>
  | FactOf<'TransactionNotificationComplete'>
  | FactOf<'TransactionEnlistmentEnded'>
  | FactOf<'TransactionDeleted'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type TransactionState = 'Active' | 'PrePreparing' | 'Preparing' | 'Committing' | 'Committed' | 'RollingBack' | 'RolledBack' | 'Deleted';

/** The notification bit each phase state delivers. */
const PHASE_NOTIFICATION = {
  PrePreparing: TRANSACTION_NOTIFY_PREPREPARE,
  Preparing: TRANSACTION_NOTIFY_PREPARE,
  Committing: TRANSACTION_NOTIFY_COMMIT,
  Committed: TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  RollingBack: TRANSACTION_NOTIFY_ROLLBACK,
} as const;

export interface TransactionContext {
  readonly reject: (event: { type: string }) => void;
  /** The instance whose notification is pending, while NotificationPending (which enlistment the KTM worker waits on). */
  readonly pended: string | null;
}

const transactionContextFromInput = ({ input }: { input: MachineInput }): TransactionContext => ({ reject: input.reject, pended: null });

type Args = { context: TransactionContext; event: TransactionEvent };
type Phase = { readonly notification: number };

/**
 * A phase's parts (see the module comment): the notifications of `bit`, and `advance`, the fact
 * that ends the phase, taken only while no notification is pending.
 */
function notificationParts(bit: number, advance: object) {
  const phase = { notification: bit };
  return {
    initial: 'Notifying',
    states: {
      Notifying: {
        on: {
          TransactionNotification: { guard: { type: 'ofPhase', params: phase } },
          TransactionNotificationReturned: [
            { guard: { type: 'pendedInPhase', params: phase }, target: 'NotificationPending', actions: 'recordPended' },
            { guard: { type: 'ofPhase', params: phase } },
          ],
          ...advance,
        },
      },
      NotificationPending: {
        on: {
          TransactionNotificationComplete: { guard: { type: 'completesPended', params: phase }, target: 'Notifying', actions: 'clearPended' },
          // Its instance's teardown ends the enlistment: nothing will complete the notification, and KTM goes on.
          TransactionEnlistmentEnded: { guard: 'endsPended', target: 'Notifying', actions: 'clearPended' },
        },
      },
    },
  } as const;
}

const REFERENCES = { TransactionReferenced: {}, TransactionDereferenced: {}, TransactionEnlistmentEnded: {} } as const;

/** An outcome state's parts: the KTM worker runs until it drops the reference startOutcome took. */
function ktmWorkerParts(running: object) {
  return {
    initial: 'KtmWorkerRunning',
    states: {
      KtmWorkerRunning: { ...running, on: { TransactionDereferenced: { guard: 'byKtmWorker', target: 'KtmWorkerDone' } } },
      KtmWorkerDone: {},
    },
  } as const;
}

export const transactionMachine = setup({
  types: {} as { context: TransactionContext; events: TransactionEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
    recordPended: assign({ pended: ({ event }) => (event.type === 'TransactionNotificationReturned' ? event.instance : null) }),
    clearPended: assign({ pended: null }),
  },
  guards: {
    committed: ({ event }) => event.type === 'TransactionOutcome' && event.outcome === 'Committed',
    aborted: ({ event }) => event.type === 'TransactionOutcome' && event.outcome === 'Aborted',
    byKtmWorker: ({ event }) => event.type === 'TransactionDereferenced' && event.by === 'KTM',
    /** The notification facts of a phase carry only that phase's bit. */
    ofPhase: ({ event }: Args, { notification }: Phase) => 'notification' in event && event.notification === notification,
    /** The callback answered STATUS_PENDING: the KTM worker waits for this instance's completion. */
    pendedInPhase: ({ event }: Args, { notification }: Phase) => event.type === 'TransactionNotificationReturned' && event.notification === notification && event.status === STATUS_PENDING,
    /** The completion routine of the pending notification, called for the instance it pends on. */
    completesPended: ({ context, event }: Args, { notification }: Phase) => event.type === 'TransactionNotificationComplete' && event.notification === notification && event.instance === context.pended,
    /** The enlistment the worker waits on ends (its instance's teardown). */
    endsPended: ({ context, event }: Args) => event.type === 'TransactionEnlistmentEnded' && event.instance === context.pended,
  },
}).createMachine({
  id: 'transaction',
  context: transactionContextFromInput,
  initial: 'Active',
  // TransactionNotificationComplete is taken here without moving, so that `can` answers no where no
  // pending notification takes it (as the locks' machines do: src/machines/lockOwners.ts) instead of
  // reaching `'*'`; the routines never emit one the machine refused.
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {}, TransactionNotificationComplete: {} },
  states: {
    Active: { on: { ...REFERENCES, FltEnlistInTransaction: {}, NtCommitTransaction: 'PrePreparing', NtRollbackTransaction: 'RollingBack' } },
    PrePreparing: { ...notificationParts(PHASE_NOTIFICATION.PrePreparing, { TransactionPrepare: '#transaction.Preparing' }), on: { ...REFERENCES, NtRollbackTransaction: 'RollingBack' } },
    Preparing: { ...notificationParts(PHASE_NOTIFICATION.Preparing, { TransactionCommit: '#transaction.Committing' }), on: { ...REFERENCES, NtRollbackTransaction: 'RollingBack' } },
    Committing: { ...notificationParts(PHASE_NOTIFICATION.Committing, { TransactionOutcome: { guard: 'committed', target: '#transaction.Committed' } }), on: REFERENCES },
    Committed: { ...ktmWorkerParts(notificationParts(PHASE_NOTIFICATION.Committed, {})), on: { ...REFERENCES, TransactionDeleted: 'Deleted' } },
    RollingBack: { ...notificationParts(PHASE_NOTIFICATION.RollingBack, { TransactionOutcome: { guard: 'aborted', target: '#transaction.RolledBack' } }), on: REFERENCES },
    RolledBack: { ...ktmWorkerParts({}), on: { ...REFERENCES, TransactionDeleted: 'Deleted' } },
    Deleted: {},
  },
});

/** The transaction's top-level state. */
export function transactionState(snapshot: SnapshotFrom<typeof transactionMachine>): TransactionState {
  return topState(snapshot.value) as TransactionState;
}

/** The KTM worker of the outcome still runs, and owns a reference: from the commit or rollback until it dropped that reference. */
export function ktmWorkerRunning(snapshot: SnapshotFrom<typeof transactionMachine>): boolean {
  if (snapshot.matches('Active') || snapshot.matches('Deleted')) return false;
  return !snapshot.matches({ Committed: 'KtmWorkerDone' }) && !snapshot.matches({ RolledBack: 'KtmWorkerDone' });
}

/** The instance whose notification the KTM worker waits on (the NotificationPending part), or null. */
export function pendedInstance(snapshot: SnapshotFrom<typeof transactionMachine>): string | null {
  return statePath(snapshot.value).endsWith('.NotificationPending') ? snapshot.context.pended : null;
}

/**
 * The machine value of a transaction whose view says `state`, `ktmWorkerDone` and whether an
 * enlistment's notification is pending (what a fold resumes from; the context names the instance).
 */
export function transactionStateValue(state: TransactionState, done: true | undefined, pending: boolean): StateValue {
  const part = pending ? 'NotificationPending' : 'Notifying';
  if (state === 'Committed') return { Committed: done === true ? 'KtmWorkerDone' : { KtmWorkerRunning: part } };
  if (state === 'RolledBack') return { RolledBack: done === true ? 'KtmWorkerDone' : 'KtmWorkerRunning' };
  return state === 'Active' || state === 'Deleted' ? state : { [state]: part };
}

/** TRANSACTION_OUTCOME of a state: decided once the commit or the abort is. */
export function outcomeOf(state: TransactionState): 'Undetermined' | 'Committed' | 'Aborted' {
  if (state === 'Committing' || state === 'Committed') return 'Committed';
  if (state === 'RollingBack' || state === 'RolledBack') return 'Aborted';
  return 'Undetermined';
}

/** The notification FltMgr delivers in a phase state, or null outside the phases. */
export function phaseNotification(state: TransactionState): number | null {
  return (PHASE_NOTIFICATION as Readonly<Record<string, number>>)[state] ?? null;
}
