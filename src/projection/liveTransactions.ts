/** The transaction part of the live view (§22.4), read off FltMgr's transaction table. */
import type { TransactionTable } from '../fltmgr/transactionObjects.js';
import { phaseNotification } from '../machines/transaction.js';
import { idRecord, type TransactionView } from './simState.js';

export function liveTransactions(table: TransactionTable): Record<string, TransactionView> {
  const transactions = idRecord<TransactionView>();
  for (const t of table.live.values()) {
    // The machine's NotificationPending part names the instance; its phase names the notification.
    const pended = t.pendedInstance;
    transactions[t.id] = {
      state: t.state,
      references: t.references,
      handles: t.handles.map((h) => h.id),
      enlistments: t.enlistments.map((e) => ({ instance: e.instance.id, context: e.context.id, mask: e.mask, pending: e.instance.id === pended ? phaseNotification(t.state) : null })),
      ...((t.state === 'Committed' || t.state === 'RolledBack') && !t.ktmWorkerRunning ? { ktmWorkerDone: true as const } : {}),
    };
  }
  return transactions;
}
