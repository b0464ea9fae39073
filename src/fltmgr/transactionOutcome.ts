/**
 * A transaction's outcome as KTM drives it and FltMgr forwards it (§22.4): commit (PREPREPARE,
 * PREPARE, COMMIT, then COMMIT_FINALIZE once committed) or rollback (ROLLBACK). A KTM worker
 * thread of its own runs the phases, so the explorer interleaves every notification with the
 * applications and the unload; it holds a reference on the transaction while it runs.
 *
 * Each enlisted instance whose NotificationMask has the phase's bit gets its
 * TransactionNotificationCallback once, one bit per call, in enlistment order ([model]: KTM
 * notifies resource managers of one phase in any order and waits for all). STATUS_PENDING makes
 * the worker wait for the filter's FltCommitComplete (or the routine of that phase). After the
 * outcome's last notification every enlistment ends and FltMgr deletes the transaction contexts
 * (§15.8); file data is not isolated ([model]: no TxF).
 */
import type { Blocking } from '../kernel/effects.js';
import { waitFor } from '../kernel/effects.js';
import { phaseNotification } from '../machines/transaction.js';
import { transactionNotifyName, TRANSACTION_NOTIFY_COMMIT_FINALIZE } from '../wdk/transactionConstants.js';
import { ntStatusName, STATUS_PENDING, STATUS_SUCCESS } from '../wdk/ntstatus.js';
import type { FilterManager } from './filterManager.js';
import { checkStatusResult } from './routineSupport.js';
import type { Enlistment, TransactionObject } from './transactionObjects.js';

/** Instance states in which FltMgr no longer calls the instance ([model]: its enlistments end at TeardownComplete). */
const INSTANCE_DONE: ReadonlySet<string> = new Set(['TeardownComplete', 'Detached', 'Declined', 'Freed']);

/**
 * Start the outcome on a KTM worker: `commit` or `rollback`, asked for by the current thread
 * (`by` names why). The transaction must be Active; the caller checked.
 */
export function startOutcome(fltMgr: FilterManager, tx: TransactionObject, kind: 'commit' | 'rollback', by: string): void {
  const kernel = fltMgr.kernel;
  fltMgr.transactions.reference(tx, 'KTM');
  const worker = kernel.spawn(`Ktm(${tx.id})`, ktmWorker(fltMgr, tx, kind));
  const thread = kernel.current?.id ?? 'sim';
  if (kind === 'commit') kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'NtCommitTransaction', thread, worker: worker.id });
  else kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'NtRollbackTransaction', thread, by, worker: worker.id });
}

function* ktmWorker(fltMgr: FilterManager, tx: TransactionObject, kind: 'commit' | 'rollback'): Blocking<number> {
  const kernel = fltMgr.kernel;
  if (kind === 'commit') {
    yield* notifyPhase(fltMgr, tx);
    kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionPrepare' });
    yield* notifyPhase(fltMgr, tx);
    kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionCommit' });
    yield* notifyPhase(fltMgr, tx);
    kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionOutcome', outcome: 'Committed' });
    yield* notifyPhase(fltMgr, tx);
  } else {
    yield* notifyPhase(fltMgr, tx);
    kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionOutcome', outcome: 'Aborted' });
  }
  for (const e of [...tx.enlistments]) fltMgr.transactions.endEnlistment(tx, e, 'outcome');
  fltMgr.contexts.transactionEnded(tx.id);
  kernel.signal(tx.ended);
  fltMgr.transactions.dereference(tx, 'KTM');
  return 0;
}

/** Deliver the current phase's notification to every enlistment that asked for it. */
function* notifyPhase(fltMgr: FilterManager, tx: TransactionObject): Blocking<void> {
  const bit = phaseNotification(tx.state);
  if (bit === null) return;
  for (const e of [...tx.enlistments]) {
    if ((e.mask & bit) === 0) continue;
    // The enlistment may have ended (its instance torn down) while an earlier one ran.
    if (!tx.enlistments.includes(e) || INSTANCE_DONE.has(e.instance.state)) continue;
    yield* notify(fltMgr, tx, e, bit);
  }
}

function* notify(fltMgr: FilterManager, tx: TransactionObject, e: Enlistment, bit: number): Blocking<void> {
  const kernel = fltMgr.kernel;
  const { instance } = e;
  const filter = instance.filter;
  const callback = filter.registration.TransactionNotificationCallback!;
  kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionNotification', instance: instance.id, notification: bit });
  // FltMgr holds the instance's rundown protection across the call, as for operation callbacks: a
  // teardown racing the notification waits for it before TeardownComplete ends the enlistment and
  // drops the context the callback is using.
  instance.rundown.add('callbacksInProgress', 1);
  let raw: unknown;
  try {
    raw = yield* fltMgr.invoke(filter, () => callback(fltMgr.relatedObjects(instance, null, tx), e.context, bit));
  } finally {
    instance.rundown.add('callbacksInProgress', -1);
  }
  const status = checkStatusResult(fltMgr, filter, 'TransactionNotificationCallback', raw);
  if (status !== STATUS_SUCCESS && status !== STATUS_PENDING) {
    throw kernel.violation(
      'CALLBACK_RETURN_INVALID',
      filter.id,
      `TransactionNotificationCallback of ${filter.name} returned ${ntStatusName(status)} for ${transactionNotifyName(bit)}; it returns STATUS_SUCCESS or STATUS_PENDING`,
    );
  }
  // STATUS_PENDING takes the machine to NotificationPending for this instance. Its enlistment is still
  // there: the rundown protection held across the call keeps its teardown from ending it meanwhile.
  if (status === STATUS_PENDING) tx.notificationDone = kernel.createWaitable(`${completionRoutineOf(bit)} of ${instance.id}`, 'notification', tx.id);
  kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionNotificationReturned', instance: instance.id, notification: bit, status });
  // The machine says whether to wait; the completion routine or the end of the enlistment wakes the worker.
  if (tx.pendedInstance === instance.id) yield* waitFor(tx.notificationDone!, `${completionRoutineOf(bit)} by ${filter.name} for ${tx.id}`);
}

/** The routine that completes a pended notification of `bit`. */
export function completionRoutineOf(bit: number): string {
  switch (bit) {
    case 0x1:
      return 'FltPrePrepareComplete';
    case 0x2:
      return 'FltPrepareComplete';
    case 0x4:
      return 'FltCommitComplete';
    case 0x8:
      return 'FltRollbackComplete';
    case TRANSACTION_NOTIFY_COMMIT_FINALIZE:
      return 'FltCommitFinalizeComplete';
    default:
      return `completion of ${transactionNotifyName(bit)}`;
  }
}
