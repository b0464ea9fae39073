// §22.4, §15.8: KTM transactions as the Filter Manager shows them. A transacted open carries its
// transaction in FltObjects->Transaction; a filter enlists with FltEnlistInTransaction and its
// TransactionNotificationCallback runs once per enlisted notification on a KTM worker; after the
// outcome the enlistments end and FltMgr deletes the transaction contexts. No TxF data isolation.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_TRANSACTION_CONTEXT,
  FltAllocateContext,
  FltClose,
  FltCommitComplete,
  FltPrepareComplete,
  FltCreateFileEx2,
  FltEnlistInTransaction,
  FltGetTransactionContext,
  FltReleaseContext,
  FltSetTransactionContext,
  foldLog,
  IoGetTransactionParameterBlock,
  IRP_MJ_CREATE,
  IRP_MJ_WRITE,
  ObDereferenceObject,
  ObOpenObjectByPointer,
  OBJ_KERNEL_HANDLE,
  PagedPool,
  STATUS_FLT_ALREADY_ENLISTED,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_4,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_TRANSACTION_NOT_ACTIVE,
  TmTransactionObjectType,
  TRANSACTION_NOTIFY_COMMIT,
  TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  TRANSACTION_NOTIFY_ROLLBACK,
  TransactionBasicInformation,
  TransactionOutcomeCommitted,
  TransactionOutcomeUndetermined,
  ZwClose,
  ZwQueryInformationTransaction,
  sleep,
  type Blocking,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFLT_CONTEXT,
  type PKTRANSACTION,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';
import { Timeline } from '../../src/travel/index.js';

const TX_FACTS = [
  'NtCreateTransaction',
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
] as const;

interface Seen {
  readonly notes: string[];
  readonly statuses: NTSTATUS[];
  /** The instances it enlisted, in order. */
  readonly enlisted: FLT_RELATED_OBJECTS['Instance'][];
}

/**
 * A filter that enlists every transacted open of its volume in post-create with a transaction
 * context (found or set KEEP_IF_EXISTS), and writes down what each notification and pre-write sees.
 */
function enlistingFilter(sim: Simulation, mask: number, registration: Partial<FLT_REGISTRATION> = {}, withCallback = true, name = 'txf', altitude = '370000'): Seen {
  const seen: Seen = { notes: [], statuses: [], enlisted: [] };
  installFilter(sim, {
    name,
    altitude,
    registration: {
      ContextRegistration: [{ ContextType: FLT_TRANSACTION_CONTEXT, Size: 8, PoolTag: 1 }],
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PostOperation: function* (Data, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
            if (Data.IoStatus.Status !== STATUS_SUCCESS || FltObjects.Transaction === null) return FLT_POSTOP_FINISHED_PROCESSING;
            // Found (referenced), or allocated (the caller's reference) and set; a racing set keeps the other.
            let context: PFLT_CONTEXT | null = (yield* FltGetTransactionContext(FltObjects.Instance, FltObjects.Transaction)).context;
            if (context === null) {
              const a = FltAllocateContext(FltObjects.Filter, FLT_TRANSACTION_CONTEXT, 8, PagedPool);
              const old = { value: null as PFLT_CONTEXT | null };
              const status = yield* FltSetTransactionContext(FltObjects.Instance, FltObjects.Transaction, FLT_SET_CONTEXT_KEEP_IF_EXISTS, a.context!, old);
              if (status === STATUS_SUCCESS) context = a.context;
              else {
                FltReleaseContext(a.context!);
                context = old.value;
              }
            }
            seen.statuses.push(yield* FltEnlistInTransaction(FltObjects.Instance, FltObjects.Transaction, context!, mask));
            seen.enlisted.push(FltObjects.Instance);
            FltReleaseContext(context!);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
        {
          MajorFunction: IRP_MJ_WRITE,
          PreOperation: (_Data, FltObjects: FLT_RELATED_OBJECTS) => {
            seen.notes.push(`write in ${FltObjects.Transaction?.id ?? 'no transaction'}, context ${FltObjects.TransactionContext?.id ?? 'none'}`);
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        },
      ],
      ...(withCallback
        ? {
            TransactionNotificationCallback: (FltObjects: FLT_RELATED_OBJECTS, TransactionContext: PFLT_CONTEXT<object>, NotificationMask: number) => {
              seen.notes.push(`${FltObjects.Transaction!.id} notified ${NotificationMask.toString(16)} with ${TransactionContext.id}`);
              return STATUS_SUCCESS;
            },
          }
        : {}),
      ...registration,
    },
  });
  return seen;
}

function machine(): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\a.txt', 'alpha');
  return sim;
}

const OPEN = { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN_IF, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT };

/** An application: a transaction, one transacted write to \a.txt, then `end`. */
function transactedWrite(sim: Simulation, end: 'commit' | 'rollback' | 'close', results: unknown[] = []): void {
  sim.whenSettled(() =>
    sim.spawn('app', function* () {
      const tx = yield* sim.io.NtCreateTransaction();
      const f = yield* sim.io.NtCreateFile('C:\\a.txt', { ...OPEN, Transaction: tx.handle });
      yield* sim.io.NtWriteFile(f.handle!, 'changed', 0);
      yield* sim.io.NtClose(f.handle!);
      if (end === 'commit') results.push(yield* sim.io.NtCommitTransaction(tx.handle));
      if (end === 'rollback') results.push(yield* sim.io.NtRollbackTransaction(tx.handle));
      if (end !== 'close') results.push(yield* sim.io.NtCommitTransaction(tx.handle));
      results.push(yield* sim.io.NtClose(tx.handle));
      return 'done';
    }),
  );
}

describe('KTM transactions through FltMgr (§22.4)', () => {
  it('a committed transaction: the enlisted filter gets COMMIT then COMMIT_FINALIZE, once each, then its enlistment and context end', () => {
    const sim = machine();
    const seen = enlistingFilter(sim, TRANSACTION_NOTIFY_COMMIT | TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK);
    const results: unknown[] = [];
    transactedWrite(sim, 'commit', results);
    expect(sim.run().reason).toBe('idle');
    expect(compactTrace(sim.log, { types: [...TX_FACTS] })).toMatchInlineSnapshot(`
      [
        "t1 NtCreateTransaction process=P1 handle=H1 refs=1",
        "t1 FltEnlistInTransaction instance=I1:txf@370000 on C: context=C1 mask=COMMIT|ROLLBACK|COMMIT_FINALIZE",
        "t1 NtCommitTransaction by=T2 worker=T3",
        "t1 TransactionPrepare",
        "t1 TransactionCommit",
        "t1 TransactionNotification instance=I1:txf@370000 on C: COMMIT",
        "t1 TransactionNotificationReturned instance=I1:txf@370000 on C: COMMIT status=STATUS_SUCCESS",
        "t1 TransactionOutcome Committed",
        "t1 TransactionNotification instance=I1:txf@370000 on C: COMMIT_FINALIZE",
        "t1 TransactionNotificationReturned instance=I1:txf@370000 on C: COMMIT_FINALIZE status=STATUS_SUCCESS",
        "t1 TransactionEnlistmentEnded instance=I1:txf@370000 on C: at=outcome",
        "t1 TransactionDeleted",
      ]
    `);
    expect(seen.notes).toEqual(['write in t1, context C1', 't1 notified 4 with C1', 't1 notified 40000000 with C1']);
    // A second commit finds the transaction no longer active; the last handle then deletes it.
    expect(results).toEqual([STATUS_SUCCESS, STATUS_TRANSACTION_NOT_ACTIVE, STATUS_SUCCESS]);
    expect(sim.state().transactions).toEqual({});
    expect(sim.state().contexts).toEqual({});
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a rolled-back transaction: ROLLBACK only; the transaction context is deleted after it (§15.8)', () => {
    const sim = machine();
    const seen = enlistingFilter(sim, TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK);
    transactedWrite(sim, 'rollback');
    sim.run();
    expect(seen.notes).toEqual(['write in t1, context C1', 't1 notified 8 with C1']);
    expect(compactTrace(sim.log, { types: ['ContextUnlinked', 'ContextFreed', 'TransactionOutcome'] })).toMatchInlineSnapshot(`
      [
        "t1 TransactionOutcome Aborted",
        "C1(TRANSACTION of txf) ContextUnlinked by=end of t1 count=0",
        "C1(TRANSACTION of txf) ContextFreed",
      ]
    `);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('the KTM worker owns a reference until it has delivered the outcome: the machine\'s KtmWorkerRunning, then KtmWorkerDone (what ObDereferenceObject may drop)', () => {
    const sim = machine();
    enlistingFilter(sim, TRANSACTION_NOTIFY_COMMIT_FINALIZE);
    const seen: unknown[] = [];
    const look = (): void => {
      const live = sim.state().transactions['t1'];
      expect(foldLog(sim.log).transactions['t1']).toEqual(live);
      seen.push(live);
    };
    sim.whenSettled(() =>
      sim.spawn('app', function* () {
        const tx = yield* sim.io.NtCreateTransaction();
        const f = yield* sim.io.NtCreateFile('C:\\a.txt', { ...OPEN, Transaction: tx.handle });
        yield* sim.io.NtClose(f.handle!);
        // Without Wait: STATUS_PENDING, and the KTM worker holds its reference while it delivers the outcome.
        expect(yield* sim.io.NtCommitTransaction(tx.handle, false)).toBe(STATUS_PENDING);
        look();
        yield* sleep(10);
        look();
        yield* sim.io.NtClose(tx.handle);
        return 0;
      }),
    );
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual([
      { state: 'PrePreparing', references: 2, handles: ['H1'], enlistments: [{ instance: 'I1', context: 'C1', mask: TRANSACTION_NOTIFY_COMMIT_FINALIZE, pending: null }] },
      { state: 'Committed', references: 1, handles: ['H1'], enlistments: [], ktmWorkerDone: true },
    ]);
    expect(compactTrace(sim.log, { types: ['TransactionDereferenced', 'TransactionDeleted'] })).toMatchInlineSnapshot(`
      [
        "t1 TransactionDereferenced by=O1 refs=1",
        "t1 TransactionDereferenced by=KTM refs=1",
        "t1 TransactionDereferenced by=NtClose handle=H1 refs=0",
        "t1 TransactionDeleted",
      ]
    `);
  });

  it('closing the last handle of an active transaction rolls it back', () => {
    const sim = machine();
    const seen = enlistingFilter(sim, TRANSACTION_NOTIFY_ROLLBACK);
    transactedWrite(sim, 'close');
    sim.run();
    expect(seen.notes.at(-1)).toBe('t1 notified 8 with C1');
    expect(compactTrace(sim.log, { types: ['NtRollbackTransaction'] })).toMatchInlineSnapshot(`
      [
        "t1 NtRollbackTransaction by=T2 (NtClose of the last handle) worker=T3",
      ]
    `);
  });

  it('STATUS_FLT_ALREADY_ENLISTED on a second open\'s enlistment; a transacted open of an ended transaction is STATUS_TRANSACTION_NOT_ACTIVE', () => {
    const sim = machine();
    const seen = enlistingFilter(sim, TRANSACTION_NOTIFY_ROLLBACK);
    sim.whenSettled(() =>
      sim.spawn('app', function* () {
        const tx = yield* sim.io.NtCreateTransaction();
        const a = yield* sim.io.NtCreateFile('C:\\a.txt', { ...OPEN, Transaction: tx.handle });
        const b = yield* sim.io.NtCreateFile('C:\\a.txt', { ...OPEN, Transaction: tx.handle });
        yield* sim.io.NtClose(a.handle!);
        yield* sim.io.NtClose(b.handle!);
        yield* sim.io.NtCommitTransaction(tx.handle);
        const c = yield* sim.io.NtCreateFile('C:\\a.txt', { ...OPEN, Transaction: tx.handle });
        yield* sim.io.NtClose(tx.handle);
        return c.status;
      }),
    );
    sim.run();
    expect(seen.statuses).toEqual([STATUS_SUCCESS, STATUS_FLT_ALREADY_ENLISTED]);
    expect(sim.thread(Object.keys(sim.state().threads).find((t) => sim.state().threads[t]!.name === 'app')!)?.result).toBe(STATUS_TRANSACTION_NOT_ACTIVE);
  });

  it('STATUS_PENDING holds the KTM worker until FltCommitComplete from another thread; a second completion is TRANSACTION_COMPLETE_NOT_PENDING', () => {
    const sim = machine();
    let pended: { instance: FLT_RELATED_OBJECTS['Instance']; tx: PKTRANSACTION } | null = null;
    const seen = enlistingFilter(sim, TRANSACTION_NOTIFY_COMMIT, {
      TransactionNotificationCallback: (FltObjects) => {
        pended = { instance: FltObjects.Instance, tx: FltObjects.Transaction! };
        return STATUS_PENDING;
      },
    });
    transactedWrite(sim, 'commit');
    sim.whenSettled(() =>
      sim.spawn('completer', function* () {
        while (pended === null) yield* sleep(1);
        const first = FltCommitComplete(pended.instance, pended.tx);
        FltCommitComplete(pended.instance, pended.tx);
        return first;
      }),
    );
    sim.run();
    expect(seen.statuses).toEqual([STATUS_SUCCESS]);
    expect(compactTrace(sim.log, { types: ['TransactionNotificationReturned', 'TransactionNotificationComplete', 'TransactionOutcome'] })).toEqual([
      't1 TransactionNotificationReturned instance=I1:txf@370000 on C: COMMIT status=STATUS_PENDING',
      't1 TransactionNotificationComplete instance=I1:txf@370000 on C: COMMIT by=FltCommitComplete',
      't1 TransactionOutcome Committed',
    ]);
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['TRANSACTION_COMPLETE_NOT_PENDING']);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('the transaction machine waits on one pended notification: another enlisted instance\'s FltCommitComplete and the pended instance\'s FltPrepareComplete are TRANSACTION_COMPLETE_NOT_PENDING; its own FltCommitComplete lets KTM go on', () => {
    // §22.4: a pended notification holds the outcome until the matching completion routine. Two
    // filters enlist for COMMIT; txg's post-create (lower) enlists first, so it is notified first.
    const sim = machine();
    let tx: PKTRANSACTION | null = null;
    const txf = enlistingFilter(sim, TRANSACTION_NOTIFY_COMMIT);
    const txg = enlistingFilter(
      sim,
      TRANSACTION_NOTIFY_COMMIT,
      {
        TransactionNotificationCallback: (FltObjects) => {
          tx = FltObjects.Transaction;
          return STATUS_PENDING;
        },
      },
      true,
      'txg',
      '360000',
    );
    transactedWrite(sim, 'commit');
    const completer = (name: string, wait: number, complete: () => NTSTATUS): void =>
      void sim.spawn(name, function* () {
        while (tx === null) yield* sleep(1);
        yield* sleep(wait);
        return complete();
      });
    sim.whenSettled(() => {
      completer('txf completes', 0, () => FltCommitComplete(txf.enlisted[0]!, tx!));
      completer('txg completes the wrong kind', 0, () => FltPrepareComplete(txg.enlisted[0]!, tx!));
      completer('txg completes', 1, () => FltCommitComplete(txg.enlisted[0]!, tx!));
    });
    sim.run();
    expect(compactTrace(sim.log, { types: ['TransactionNotification', 'TransactionNotificationReturned', 'TransactionNotificationComplete', 'VerifierViolation', 'TransactionOutcome'] })).toEqual([
      't1 TransactionNotification instance=I2:txg@360000 on C: COMMIT',
      't1 TransactionNotificationReturned instance=I2:txg@360000 on C: COMMIT status=STATUS_PENDING',
      't1 VerifierViolation rule=TRANSACTION_COMPLETE_NOT_PENDING FltCommitComplete by txf on t1, but no COMMIT notification of I1 is pending (STATUS_PENDING was not returned for it)',
      't1 VerifierViolation rule=TRANSACTION_COMPLETE_NOT_PENDING FltPrepareComplete by txg on t1, but no PREPARE notification of I2 is pending (STATUS_PENDING was not returned for it)',
      't1 TransactionNotificationComplete instance=I2:txg@360000 on C: COMMIT by=FltCommitComplete',
      't1 TransactionNotification instance=I1:txf@370000 on C: COMMIT',
      't1 TransactionNotificationReturned instance=I1:txf@370000 on C: COMMIT status=STATUS_SUCCESS',
      't1 TransactionOutcome Committed',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
    // Time travel resumes the machine from a view (checkpoint every fact): while txg's COMMIT is
    // pending the view shows it on I2 alone, and the state at each position is the fold's.
    const timeline = Timeline.of(sim.log, 1);
    const pendedAt = sim.log.findIndex((f) => f.type === 'TransactionNotificationReturned');
    const completedAt = sim.log.findIndex((f) => f.type === 'TransactionNotificationComplete');
    expect(timeline.stateAt(pendedAt + 1).transactions['t1']!.enlistments.map((e) => [e.instance, e.pending])).toEqual([
      ['I2', TRANSACTION_NOTIFY_COMMIT],
      ['I1', null],
    ]);
    for (let p = pendedAt; p <= completedAt + 1; p++) expect(timeline.stateAt(p), `position ${p}`).toEqual(foldLog(sim.log.slice(0, p)));
  });

  it('a bad NotificationMask is STATUS_INVALID_PARAMETER_4; a filter without TransactionNotificationCallback gets STATUS_INVALID_PARAMETER', () => {
    const sim = machine();
    const seen = enlistingFilter(sim, 0x100);
    transactedWrite(sim, 'commit');
    sim.run();
    expect(seen.statuses).toEqual([STATUS_INVALID_PARAMETER_4]);
    const other = machine();
    const none = enlistingFilter(other, TRANSACTION_NOTIFY_COMMIT, {}, false);
    transactedWrite(other, 'commit');
    other.run();
    expect(none.statuses).toEqual([STATUS_INVALID_PARAMETER]);
  });

  it('FltCreateFileEx2 with TxnParameters = IoGetTransactionParameterBlock(FileObject) joins the open\'s transaction; ZwQueryInformationTransaction reports the outcome', () => {
    const sim = machine();
    const outcomes: number[] = [];
    let own: string | null = null;
    enlistingFilter(sim, TRANSACTION_NOTIFY_COMMIT_FINALIZE, {
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PostOperation: function* (Data, FltObjects: FLT_RELATED_OBJECTS): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
            if (Data.IoStatus.Status !== STATUS_SUCCESS || FltObjects.Transaction === null || own !== null) return FLT_POSTOP_FINISHED_PROCESSING;
            own = 'opening';
            const r = yield* FltCreateFileEx2(FltObjects.Filter, FltObjects.Instance, FILE_GENERIC_READ, { ObjectName: '\\??\\C:\\a.txt' }, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, null, 0, 0, {
              ExtraCreateParameter: null,
              TxnParameters: IoGetTransactionParameterBlock(FltObjects.FileObject!),
            });
            own = r.FileObject?.transaction?.id ?? 'none';
            const h = ObOpenObjectByPointer(FltObjects.Transaction, OBJ_KERNEL_HANDLE, null, 0, TmTransactionObjectType, 'KernelMode');
            outcomes.push(ZwQueryInformationTransaction(h.Handle!, TransactionBasicInformation, 24).TransactionInformation!.Outcome);
            yield* ZwClose(h.Handle!);
            const c = FltAllocateContext(FltObjects.Filter, FLT_TRANSACTION_CONTEXT, 8, PagedPool).context!;
            yield* FltSetTransactionContext(FltObjects.Instance, FltObjects.Transaction, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c);
            yield* FltEnlistInTransaction(FltObjects.Instance, FltObjects.Transaction, c, TRANSACTION_NOTIFY_COMMIT_FINALIZE);
            FltReleaseContext(c);
            yield* ObDereferenceObject(r.FileObject!);
            yield* FltClose(r.FileHandle!);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
      TransactionNotificationCallback: function* (FltObjects) {
        const h = ObOpenObjectByPointer(FltObjects.Transaction!, OBJ_KERNEL_HANDLE, null, 0, TmTransactionObjectType, 'KernelMode');
        outcomes.push(ZwQueryInformationTransaction(h.Handle!, TransactionBasicInformation, 24).TransactionInformation!.Outcome);
        yield* ZwClose(h.Handle!);
        return STATUS_SUCCESS;
      },
    });
    transactedWrite(sim, 'commit');
    sim.run();
    expect(own).toBe('t1');
    // In post-create nothing is decided; at COMMIT_FINALIZE the transaction has committed.
    expect(outcomes).toEqual([TransactionOutcomeUndetermined, TransactionOutcomeCommitted]);
    expect(sim.state().transactions).toEqual({});
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('the filter unloads while enlisted: its enlistment ends at teardown, the commit notifies no one, nothing leaks', () => {
    const sim = machine();
    const seen = enlistingFilter(sim, TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK);
    sim.whenSettled(() => {
      sim.spawn('app', function* () {
        const tx = yield* sim.io.NtCreateTransaction();
        const f = yield* sim.io.NtCreateFile('C:\\a.txt', { ...OPEN, Transaction: tx.handle });
        yield* sim.io.NtClose(f.handle!);
        yield* sleep(50);
        yield* sim.io.NtCommitTransaction(tx.handle);
        return yield* sim.io.NtClose(tx.handle);
      });
      sim.spawn('fltmc', function* () {
        yield* sleep(5);
        return yield* sim.FilterUnload('txf');
      });
    });
    sim.run();
    expect(seen.notes).toEqual([]);
    expect(compactTrace(sim.log, { types: ['TransactionEnlistmentEnded', 'ContextFreed', 'TransactionOutcome'] })).toEqual([
      't1 TransactionEnlistmentEnded instance=I1:txf@370000 on C: at=teardown',
      'C1(TRANSACTION of txf) ContextFreed',
      't1 TransactionOutcome Committed',
    ]);
    expect(sim.state().violations).toEqual([]);
  });
});
