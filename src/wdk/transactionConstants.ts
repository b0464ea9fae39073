/**
 * KTM constants a minifilter sees (wdm.h, ktmtypes.h, fltKernel.h): the NOTIFICATION_MASK bits
 * FltEnlistInTransaction takes and TransactionNotificationCallback receives, the
 * TRANSACTION_OUTCOME and TRANSACTION_STATE values of TRANSACTION_BASIC_INFORMATION, and its
 * information class.
 */
export const TRANSACTION_NOTIFY_PREPREPARE = 0x00000001;
export const TRANSACTION_NOTIFY_PREPARE = 0x00000002;
export const TRANSACTION_NOTIFY_COMMIT = 0x00000004;
export const TRANSACTION_NOTIFY_ROLLBACK = 0x00000008;
/** Vista SP1 and later: every resource manager of the transaction has committed. */
export const TRANSACTION_NOTIFY_COMMIT_FINALIZE = 0x40000000;
/** fltKernel.h: the notifications FltMgr forwards (COMMIT_FINALIZE is accepted beside them). */
export const FLT_MAX_TRANSACTION_NOTIFICATIONS =
  TRANSACTION_NOTIFY_PREPREPARE | TRANSACTION_NOTIFY_PREPARE | TRANSACTION_NOTIFY_COMMIT | TRANSACTION_NOTIFY_ROLLBACK;
/** Every bit FltEnlistInTransaction accepts in NotificationMask. */
export const FLT_VALID_TRANSACTION_NOTIFICATIONS = FLT_MAX_TRANSACTION_NOTIFICATIONS | TRANSACTION_NOTIFY_COMMIT_FINALIZE;

/** TRANSACTION_OUTCOME. */
export const TransactionOutcomeUndetermined = 1;
export const TransactionOutcomeCommitted = 2;
export const TransactionOutcomeAborted = 3;

/** TRANSACTION_STATE. */
export const TransactionStateNormal = 1;
export const TransactionStateIndoubt = 2;
export const TransactionStateCommittedNotify = 3;

/** TRANSACTION_INFORMATION_CLASS: the one class the model answers. */
export const TransactionBasicInformation = 0;

const NOTIFICATION_NAMES: ReadonlyArray<readonly [number, string]> = [
  [TRANSACTION_NOTIFY_PREPREPARE, 'PREPREPARE'],
  [TRANSACTION_NOTIFY_PREPARE, 'PREPARE'],
  [TRANSACTION_NOTIFY_COMMIT, 'COMMIT'],
  [TRANSACTION_NOTIFY_ROLLBACK, 'ROLLBACK'],
  [TRANSACTION_NOTIFY_COMMIT_FINALIZE, 'COMMIT_FINALIZE'],
];

/** `COMMIT_FINALIZE|ROLLBACK` for a mask; unknown bits in hex. */
export function transactionNotifyName(mask: number): string {
  const names = NOTIFICATION_NAMES.filter(([bit]) => (mask & bit) !== 0).map(([, n]) => n);
  const rest = (mask & ~FLT_VALID_TRANSACTION_NOTIFICATIONS) >>> 0;
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.length === 0 ? '0' : names.join('|');
}
