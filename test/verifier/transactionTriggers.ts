/** Triggers for the KTM transaction rules (§22.4): a filter's mistakes in a transacted open's post-create. */
import {
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_TRANSACTION_CONTEXT,
  FltAllocateContext,
  FltCommitComplete,
  FltEnlistInTransaction,
  FltReleaseContext,
  IRP_MJ_CREATE,
  ObDereferenceObject,
  PagedPool,
  STATUS_SUCCESS,
  TRANSACTION_NOTIFY_COMMIT,
  type Blocking,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
  type VerifierRule,
} from '../../src/index.js';
import { world, type Trigger } from './world.js';

/** A filter whose post-create of a transacted open does `mistake`; an application opens \f.txt in a transaction and commits. */
function inTransactedPostCreate(mistake: (o: FLT_RELATED_OBJECTS) => Blocking<void>) {
  const { sim } = world({
    'careless@300000': () => ({
      ContextRegistration: [{ ContextType: FLT_TRANSACTION_CONTEXT, Size: 8, PoolTag: 1 }],
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PostOperation: function* (_Data, o): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
            if (o.Transaction !== null) yield* mistake(o);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
      TransactionNotificationCallback: () => STATUS_SUCCESS,
    }),
  });
  sim.spawn('app', function* () {
    const tx = yield* sim.io.NtCreateTransaction();
    const f = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT, Transaction: tx.handle });
    if (f.handle !== null) yield* sim.io.NtClose(f.handle);
    yield* sim.io.NtCommitTransaction(tx.handle);
    return yield* sim.io.NtClose(tx.handle);
  });
  sim.run();
  return sim;
}

export const transactionTriggers = {
  TRANSACTION_COMPLETE_NOT_PENDING: () =>
    inTransactedPostCreate(function* (o) {
      const c = FltAllocateContext(o.Filter, FLT_TRANSACTION_CONTEXT, 8, PagedPool).context!;
      yield* FltEnlistInTransaction(o.Instance, o.Transaction!, c, TRANSACTION_NOTIFY_COMMIT);
      FltReleaseContext(c);
      // Nothing was pended: the commit has not even started.
      FltCommitComplete(o.Instance, o.Transaction!, null);
    }),
  TRANSACTION_USED_AFTER_DELETE: () =>
    inTransactedPostCreate(function* (o) {
      // FltObjects->Transaction is not referenced for the filter: dropping a reference it never took.
      yield* ObDereferenceObject(o.Transaction!);
    }),
} satisfies Partial<Record<VerifierRule, Trigger>>;
