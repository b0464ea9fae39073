/**
 * The fold of KTM transaction facts (§22.4): each transaction's state, references, handles and
 * enlistments, rebuilt from the log alone. The lifecycle comes from the machine the live objects use.
 */
import type { Draft } from 'immer';
import type { Fact, FactOf } from '../kernel/facts.js';
import { transactionMachine, type TransactionEvent } from '../machines/transaction.js';
import { splitStatePath } from '../machines/stateValue.js';
import type { Advance, Born } from './fold.js';
import type { SimState, TransactionView } from './simState.js';

const TRANSACTION_FACTS = new Set<string>([
  'NtCreateTransaction',
  'TransactionReferenced',
  'TransactionDereferenced',
  'FltEnlistInTransaction',
  'NtCommitTransaction',
  'NtRollbackTransaction',
  'TransactionPrepare',
  'TransactionCommit',
  'TransactionOutcome',
  'TransactionNotification',
  'TransactionNotificationReturned',
  'TransactionNotificationComplete',
  'TransactionEnlistmentEnded',
  'TransactionDeleted',
]);

/** The facts of a transaction's life: its creation, then every event its machine takes but the
 * failures and findings any object's machine takes (those fold elsewhere). */
export type TransactionFact = FactOf<'NtCreateTransaction'> | Exclude<TransactionEvent, FactOf<'RoutineFailed'> | FactOf<'VerifierViolation'>>;

export function isTransactionFact(fact: Fact): fact is TransactionFact {
  return TRANSACTION_FACTS.has(fact.type);
}

export function applyTransactionFact(d: Draft<SimState>, fact: TransactionFact, born: Born, advance: Advance): void {
  const id = fact.object;
  if (fact.type === 'NtCreateTransaction') {
    d.transactions[id] = { state: born(id, transactionMachine) as never, references: fact.count, handles: [fact.handle], enlistments: [] };
    return;
  }
  const t = d.transactions[id]!;
  // Committed's and RolledBack's part says whether the KTM worker is done; a phase's (and a running
  // worker's in Committed) whether a notification is pending (src/machines/transaction.ts).
  const path = advance(fact)!;
  const [state, part] = splitStatePath(path);
  t.state = state as never;
  if (part === 'KtmWorkerDone') t.ktmWorkerDone = true;
  else delete t.ktmWorkerDone;
  switch (fact.type) {
    case 'TransactionReferenced':
      t.references = fact.count;
      if (fact.handle !== null) t.handles.push(fact.handle);
      return;
    case 'TransactionDereferenced':
      t.references = fact.count;
      if (fact.handle !== null) t.handles.splice(t.handles.indexOf(fact.handle), 1);
      return;
    case 'FltEnlistInTransaction':
      t.enlistments.push({ instance: fact.instance, context: fact.context, mask: fact.mask, pending: null });
      return;
    case 'TransactionNotificationReturned':
      // STATUS_PENDING took the machine to NotificationPending, waiting on this instance.
      if (path.endsWith('.NotificationPending')) setPending(t.enlistments, fact.instance, fact.notification);
      return;
    case 'TransactionNotificationComplete':
      setPending(t.enlistments, fact.instance, null);
      return;
    case 'TransactionEnlistmentEnded':
      t.enlistments.splice(
        t.enlistments.findIndex((e) => e.instance === fact.instance),
        1,
      );
      return;
    case 'TransactionDeleted':
      delete d.transactions[id];
      return;
    case 'NtCommitTransaction':
    case 'NtRollbackTransaction':
    case 'TransactionPrepare':
    case 'TransactionCommit':
    case 'TransactionOutcome':
    case 'TransactionNotification':
      return;
  }
}

/** The enlistment of `instance`, with `pending` as its pending notification (a new record for it). */
function setPending(enlistments: Draft<TransactionView>['enlistments'], instance: string, pending: number | null): void {
  const at = enlistments.findIndex((e) => e.instance === instance);
  enlistments[at] = { ...enlistments[at]!, pending };
}
