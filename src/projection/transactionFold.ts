/**
 * The fold of KTM transaction facts (§22.4): each transaction's state, references, handles and
 * enlistments, rebuilt from the log alone. The lifecycle comes from the machine the live objects use.
 */
import type { Draft } from 'immer';
import type { Fact, FactOf } from '../kernel/facts.js';
import { transactionMachine, type TransactionEvent } from '../machines/transaction.js';
import { splitStatePath } from '../machines/stateValue.js';
import { STATUS_PENDING } from '../wdk/ntstatus.js';
import type { Advance, Born } from './fold.js';
import type { SimState } from './simState.js';

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
  // Committed's and RolledBack's part says whether the KTM worker is done (src/machines/transaction.ts).
  const [state, part] = splitStatePath(advance(fact)!);
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
      if (fact.status === STATUS_PENDING) {
        // An enlistment that ended while its callback ran is not waited for (src/fltmgr/transactionOutcome.ts).
        const e = t.enlistments.find((x) => x.instance === fact.instance);
        if (e !== undefined) e.pending = fact.notification;
      }
      return;
    case 'TransactionNotificationComplete':
      t.enlistments.find((e) => e.instance === fact.instance)!.pending = null;
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
