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
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import {
  TRANSACTION_NOTIFY_COMMIT,
  TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  TRANSACTION_NOTIFY_PREPARE,
  TRANSACTION_NOTIFY_PREPREPARE,
  TRANSACTION_NOTIFY_ROLLBACK,
} from '../wdk/transactionConstants.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { topState } from './stateValue.js';

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

/** The notification facts of a phase: only that phase's bit. */
function notifications(bit: number) {
  const guard = ({ event }: { event: TransactionEvent }): boolean => 'notification' in event && event.notification === bit;
  return { TransactionNotification: { guard }, TransactionNotificationReturned: { guard }, TransactionNotificationComplete: { guard } };
}

const REFERENCES = { TransactionReferenced: {}, TransactionDereferenced: {}, TransactionEnlistmentEnded: {} } as const;

/** An outcome state's parts: the KTM worker runs until it drops the reference startOutcome took. */
const KTM_WORKER_PARTS = {
  initial: 'KtmWorkerRunning',
  states: {
    KtmWorkerRunning: { on: { TransactionDereferenced: { guard: 'byKtmWorker', target: 'KtmWorkerDone' } } },
    KtmWorkerDone: {},
  },
} as const;

export const transactionMachine = setup({
  types: {} as { context: MachineContext; events: TransactionEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    committed: ({ event }) => event.type === 'TransactionOutcome' && event.outcome === 'Committed',
    aborted: ({ event }) => event.type === 'TransactionOutcome' && event.outcome === 'Aborted',
    byKtmWorker: ({ event }) => event.type === 'TransactionDereferenced' && event.by === 'KTM',
  },
}).createMachine({
  id: 'transaction',
  context: contextFromInput,
  initial: 'Active',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Active: { on: { ...REFERENCES, FltEnlistInTransaction: {}, NtCommitTransaction: 'PrePreparing', NtRollbackTransaction: 'RollingBack' } },
    PrePreparing: { on: { ...REFERENCES, ...notifications(PHASE_NOTIFICATION.PrePreparing), TransactionPrepare: 'Preparing', NtRollbackTransaction: 'RollingBack' } },
    Preparing: { on: { ...REFERENCES, ...notifications(PHASE_NOTIFICATION.Preparing), TransactionCommit: 'Committing', NtRollbackTransaction: 'RollingBack' } },
    Committing: { on: { ...REFERENCES, ...notifications(PHASE_NOTIFICATION.Committing), TransactionOutcome: { guard: 'committed', target: 'Committed' } } },
    Committed: { ...KTM_WORKER_PARTS, on: { ...REFERENCES, ...notifications(PHASE_NOTIFICATION.Committed), TransactionDeleted: 'Deleted' } },
    RollingBack: { on: { ...REFERENCES, ...notifications(PHASE_NOTIFICATION.RollingBack), TransactionOutcome: { guard: 'aborted', target: 'RolledBack' } } },
    RolledBack: { ...KTM_WORKER_PARTS, on: { ...REFERENCES, TransactionDeleted: 'Deleted' } },
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

/** The machine value of a transaction whose view says `state` and `ktmWorkerDone` (what a fold resumes from). */
export function transactionStateValue(state: TransactionState, done: true | undefined): StateValue {
  return state === 'Committed' || state === 'RolledBack' ? { [state]: done === true ? 'KtmWorkerDone' : 'KtmWorkerRunning' } : state;
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
