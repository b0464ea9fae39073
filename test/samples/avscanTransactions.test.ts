// avscan's transactions (examples/samples/avscan, transaction.ts), wdk-samples §5 checks 3–5 and
// §22.4: a writer's open inside a KTM transaction enlists (COMMIT_FINALIZE | ROLLBACK), its scan and
// its writes go to the stream's transacted view (TxState), its cleanup is not scanned, and the KTM
// callback propagates the view into the file's state on commit (so the next open scans again) or
// discards it on rollback (the file stays clean). Then explored against the second application
// thread and the unload; the unload while a transaction is outstanding is a finding (below).
import { describe, expect, it } from 'vitest';
import { createSimulation, explore, FLT_TRANSACTION_CONTEXT, foldLog, STATUS_SUCCESS, type Fact, type MonitorViolation, type Simulation } from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { buildAvScan, scenario } from '../../examples/samples/avscan/index.js';
import { budget } from '../support/deep.js';
import { createsComplete, sectionsClosedOnce } from './avscanMonitors.js';

function run(args: Record<string, string | number | boolean>): { sim: Simulation; reason: string } & ReturnType<typeof buildAvScan> {
  const sim = createSimulation({ onViolation: 'record', seed: 1 });
  const built = buildAvScan(sim, args);
  return { sim, reason: sim.run({ maxSteps: 200_000 }).reason, ...built };
}

/** The scans asked of the scanner (AvMsgStartScanning on the scan port, by the thread whose open or cleanup waits) and the transaction's life. */
const TX_FACTS = ['FltSendMessage', 'FltEnlistInTransaction', 'NtCommitTransaction', 'NtRollbackTransaction', 'TransactionNotification', 'TransactionEnlistmentEnded'] as const;
const txTrace = (sim: Simulation): string[] => compactTrace(sim.log, { types: [...TX_FACTS] }).filter((l) => !l.includes('AbortPort'));

/** Every transaction context the filter allocated is freed by the end of the run (§15.8: after the outcome's notification). */
export function transactionContextsFreed(facts: readonly Fact[]): MonitorViolation[] {
  const live = new Set<string>();
  for (const f of facts) {
    if (f.type === 'FltAllocateContext' && f.contextType === FLT_TRANSACTION_CONTEXT) live.add(f.object);
    if (f.type === 'ContextFreed') live.delete(f.object);
  }
  return [...live].map((c) => ({ name: 'TRANSACTION_CONTEXT_NOT_FREED', seq: facts.length, message: `${c} is still allocated` }));
}

describe('avscan in a transaction (wdk-samples §5 check 5, §22.4)', () => {
  it('commit: the transacted writer\'s open enlists and scans its own view; its write and close scan nothing; COMMIT_FINALIZE makes the view the file\'s state, so the next open scans again', () => {
    const { sim, reason, results, scanner, image } = run({ transaction: 'commit', unload: false });
    expect(reason).toBe('idle');
    expect(results).toMatchObject({ holder: STATUS_SUCCESS, txOpen: STATUS_SUCCESS, txWrite: STATUS_SUCCESS, outcome: STATUS_SUCCESS, reopen: STATUS_SUCCESS });
    expect(txTrace(sim)).toEqual([
      // holder's open, outside any transaction: State Modified → scanned, clean.
      'M1 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T3:holder length=24 reply=4 until=101',
      // txapp's open for write in t1: AvProcessPreviousTransaction enlists; IS_FILE_NEED_SCAN reads TxState (Modified) → scanned in the view.
      't1 FltEnlistInTransaction instance=I1:avscan@265010 on C: context=C4 mask=ROLLBACK|COMMIT_FINALIZE',
      'M2 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T4:txapp length=24 reply=4 until=102',
      // The write set TxState Modified; AvPreCleanup skips a stream in a transaction (TxContext != NULL).
      't1 NtCommitTransaction by=T4 worker=T11',
      't1 TransactionNotification instance=I1:avscan@265010 on C: COMMIT_FINALIZE',
      't1 TransactionEnlistmentEnded instance=I1:avscan@265010 on C: at=outcome',
      // State is now the view's Modified: txapp's reopen outside the transaction is scanned again.
      'M3 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T4:txapp length=24 reply=4 until=102',
    ]);
    expect(scanner.Results).toHaveLength(3);
    expect(image.Globals.DbgPrint).toEqual([]);
    expect(transactionContextsFreed(sim.log)).toEqual([]);
    expect(sectionsClosedOnce(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('rollback: ROLLBACK discards the view (TxState back to Modified, State untouched): the file stays clean and the reopen is not scanned', () => {
    const { sim, reason, results, scanner } = run({ transaction: 'rollback', unload: false });
    expect(reason).toBe('idle');
    expect(results).toMatchObject({ txOpen: STATUS_SUCCESS, txWrite: STATUS_SUCCESS, outcome: STATUS_SUCCESS, reopen: STATUS_SUCCESS });
    expect(txTrace(sim)).toEqual([
      'M1 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T3:holder length=24 reply=4 until=101',
      't1 FltEnlistInTransaction instance=I1:avscan@265010 on C: context=C4 mask=ROLLBACK|COMMIT_FINALIZE',
      'M2 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T4:txapp length=24 reply=4 until=102',
      't1 NtRollbackTransaction by=T4 (NtRollbackTransaction) worker=T11',
      't1 TransactionNotification instance=I1:avscan@265010 on C: ROLLBACK',
      't1 TransactionEnlistmentEnded instance=I1:avscan@265010 on C: at=outcome',
    ]);
    expect(scanner.Results).toHaveLength(2);
    expect(transactionContextsFreed(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
  });
});

describe('a finding about the sample: unloading while a transaction is outstanding leaks the stream and transaction contexts (§15.8, §22.4)', () => {
  // The stream context's TxContext holds a reference on the transaction context, whose list holds
  // one on the stream context (Q). Only AvProcessTransactionOutcome (the KTM callback) or the next
  // writer's AvProcessPreviousTransaction breaks that pair; AvInstanceTeardownStart does not. When
  // the instance is torn down first, its enlistment ends without a notification ([model], §22.4 in
  // docs/semantics.md), so nothing ever runs the callback: both contexts keep a reference and
  // FltUnregisterFilter waits for them.
  it('the unload lands between the transacted close and the commit: CONTEXT_LEAKED names the pair and the unload never returns', () => {
    const { sim, reason, results } = run({ transaction: 'commit', unload: true, unloadAt: 4, commitAfter: 30 });
    expect(reason).toBe('deadlock');
    expect(results.unload).toBeUndefined();
    expect(compactTrace(sim.log, { types: ['FltEnlistInTransaction', 'TransactionEnlistmentEnded', 'TransactionNotification', 'NtCommitTransaction'] })).toEqual([
      't1 FltEnlistInTransaction instance=I1:avscan@265010 on C: context=C4 mask=ROLLBACK|COMMIT_FINALIZE',
      't1 TransactionEnlistmentEnded instance=I1:avscan@265010 on C: at=teardown',
      't1 NtCommitTransaction by=T4 worker=T11',
    ]);
    expect(sim.state().violations.map((v) => [v.rule, v.object])).toEqual([['CONTEXT_LEAKED', 'F1']]);
    expect(sim.log.find((f) => f.type === 'VerifierViolation')).toMatchObject({ message: expect.stringContaining('(C2 RefCount 1, C4 RefCount 1)') });
  });

  it('PCT finds it with the unload racing the transacted writer', () => {
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: budget(4, 20), shrink: false, args: { transaction: 'commit', unloadAt: 3, commitAfter: 3, holdFor: 20, fixCancelRace: true } });
    expect(r.violation).toMatchObject({ kind: 'verifier', name: 'CONTEXT_LEAKED' });
  });
});

describe('avscan\'s transactions explored: the transacted writer vs the holder vs the scanner (§22.4)', () => {
  const monitors = [sectionsClosedOnce, createsComplete, transactionContextsFreed];
  it.each(['commit', 'rollback'])('PCT, %s: no FLT_ASSERT, every section closed once, every create wakes, the transaction context freed', (transaction) => {
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: budget(2, 30), shrink: false, monitors, args: { transaction, unload: false, holdFor: 20, scanDelay: 1, fixCancelRace: true } });
    expect(r.violation).toBeNull();
  });

  // Bounded exhaustive search pays for every scheduling point in runs: at the scanner's default
  // chunk (8 bytes) each scan of a 4 KB view is 512 points per worker, and with state hashing almost
  // every run past the first few dozen ends cut at a visited state — a budget of 25 schedules once ran
  // for minutes (cut runs were not counted; maxRuns, 10 x the budget by default, now bounds them).
  // A 1 KB chunk keeps an abort poll inside each scan at 4 points per view.
  it('bounded exhaustive search (1 preemption), commit: none', () => {
    const r = explore(scenario, { strategy: 'exhaustive', reduction: 'sleep-sets', preemptionBound: 1, seed: 1, schedules: budget(2, 60), shrink: false, monitors, args: { transaction: 'commit', unload: false, holdFor: 20, fixCancelRace: true, scanChunk: 1024 } });
    expect(r.violation).toBeNull();
  });
});
