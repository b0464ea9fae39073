// minispy's transaction logging (wdk-samples §3: "transaction notification callback logs
// commit/rollback; a transaction context records enlistment"; §22.4, §15.4). A create that succeeds
// inside a transaction makes SpyEnlistInTransaction set a MINISPY_TRANSACTION_CONTEXT on the
// transaction (KEEP_IF_EXISTS), enlist for FLT_MAX_TRANSACTION_NOTIFICATIONS and log a
// BEGIN_TRANSACTION record; SpyKtmNotificationCallback logs each notification KTM sends, and the
// user program prints them. PCT explores the unload against the program, the transacted
// application and the two others.
import { describe, expect, it } from 'vitest';
import { createSimulation, explore, foldLog, type MonitorViolation, type Scenario, type ScenarioArgs, type Simulation } from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { minispySystem, scenario, type MinispySystem } from '../../examples/samples/minispy/index.js';
import { budget } from '../support/deep.js';

function run(args: ScenarioArgs): { sim: Simulation; system: MinispySystem; reason: string } {
  const sim = createSimulation({ seed: 1, onViolation: 'record' });
  const system = minispySystem(sim, args);
  return { sim, system, reason: sim.run().reason };
}

/** The lines the program printed about the transacted file and the transaction. */
const transactionLines = (system: MinispySystem): string[] => system.user.output.filter((l) => /tx\.txt|TRANSACTION/.test(l)).map((l) => l.trimEnd());

describe('minispy logs transactions (wdk-samples §3, §22.4)', () => {
  it('commit: the create inside the transaction enlists (BEGIN_TRANSACTION), then PREPREPARE, PREPARE and COMMIT come from the KTM worker', () => {
    const { sim, system, reason } = run({ transaction: 'commit' });
    expect(reason).toBe('idle');
    expect(transactionLines(system)).toEqual([
      '0000000E IRP_MJ_CREATE  00000000 2 1000.20 FO 4 \\Device\\HarddiskVolume1\\log\\tx.txt',
      // SpyEnlistInTransaction, in the application's post-create: notification 0.
      '0000000F IRP_MJ_TRANSACTION_NOTIFY BEGIN_TRANSACTION 00000000 0 1000.20 FO 4',
      '00000010 IRP_MJ_WRITE  00000000 16 1000.20 FO 4 \\Device\\HarddiskVolume1\\log\\tx.txt',
      '00000011 IRP_MJ_CLEANUP  00000000 0 1000.20 FO 4 \\Device\\HarddiskVolume1\\log\\tx.txt',
      '00000012 IRP_MJ_CLOSE  00000000 0 1000.20 FO 4 \\Device\\HarddiskVolume1\\log\\tx.txt',
      // FLT_MAX_TRANSACTION_NOTIFICATIONS has no COMMIT_FINALIZE; the worker runs in the System process.
      '00000013 IRP_MJ_TRANSACTION_NOTIFY TRANSACTION_NOTIFY_PREPREPARE 00000000 0 4.40 FO 0',
      '00000014 IRP_MJ_TRANSACTION_NOTIFY TRANSACTION_NOTIFY_PREPARE 00000000 0 4.40 FO 0',
      '00000015 IRP_MJ_TRANSACTION_NOTIFY TRANSACTION_NOTIFY_COMMIT 00000000 0 4.40 FO 0',
    ]);
    // The transaction context: allocated (1), set on the transaction (2), the enlistment's reference
    // (3), ours released (2); after the outcome's last notification the enlistment ends and FltMgr
    // deletes the context (§15.8); SpyDeleteTxfContext runs as its cleanup.
    expect(compactTrace(sim.log, { types: ['FltAllocateContext', 'ContextLinked', 'FltReferenceContext', 'FltReleaseContext', 'ContextUnlinked', 'ContextCleanupCallback', 'ContextFreed', 'FltEnlistInTransaction', 'TransactionNotification'] }).filter((l) => /TRANSACTION|^t\d|^C\d/.test(l))).toEqual([
      'C1(TRANSACTION of MiniSpy) FltAllocateContext filter=F1:MiniSpy FLT_TRANSACTION_CONTEXT size=8 pool=1',
      'C1(TRANSACTION of MiniSpy) ContextLinked by=FltSetTransactionContext to=t1 instance=I1:MiniSpy@385100 on C: count=2',
      't1 FltEnlistInTransaction instance=I1:MiniSpy@385100 on C: context=C1 mask=PREPREPARE|PREPARE|COMMIT|ROLLBACK',
      'C1(TRANSACTION of MiniSpy) FltReferenceContext by=FltEnlistInTransaction count=3',
      'C1(TRANSACTION of MiniSpy) FltReleaseContext by=FltReleaseContext count=2',
      't1 TransactionNotification instance=I1:MiniSpy@385100 on C: PREPREPARE',
      't1 TransactionNotification instance=I1:MiniSpy@385100 on C: PREPARE',
      't1 TransactionNotification instance=I1:MiniSpy@385100 on C: COMMIT',
      'C1(TRANSACTION of MiniSpy) FltReleaseContext by=end of enlistment count=1',
      'C1(TRANSACTION of MiniSpy) ContextUnlinked by=end of t1 count=0',
      'C1(TRANSACTION of MiniSpy) ContextCleanupCallback',
      'C1(TRANSACTION of MiniSpy) ContextFreed',
    ]);
    expect(sim.state().contexts).toEqual({});
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('rollback: BEGIN_TRANSACTION, then one TRANSACTION_NOTIFY_ROLLBACK', () => {
    const { sim, system, reason } = run({ transaction: 'rollback' });
    expect(reason).toBe('idle');
    expect(transactionLines(system).filter((l) => l.includes('TRANSACTION_NOTIFY'))).toEqual([
      '0000000F IRP_MJ_TRANSACTION_NOTIFY BEGIN_TRANSACTION 00000000 0 1000.20 FO 4',
      '00000013 IRP_MJ_TRANSACTION_NOTIFY TRANSACTION_NOTIFY_ROLLBACK 00000000 0 4.40 FO 0',
    ]);
    expect(sim.state().contexts).toEqual({});
    expect(sim.state().violations).toEqual([]);
  });

  it('without a transaction nothing enlists: no transaction context, no notification record', () => {
    const { sim, system } = run({});
    expect(transactionLines(system)).toEqual([]);
    expect(sim.log.some((f) => f.type === 'FltAllocateContext')).toBe(false);
  });

  it('PCT: the unload racing the program, the transacted application and the two others: no violation, every record and context freed', () => {
    for (const args of [
      { transaction: 'commit', unloadAt: '0', exitAt: '250' },
      { transaction: 'rollback', unloadAt: '3', exitAt: '250' },
    ]) {
      // 3 schedules each in npm test; test:deep 200 (minispyTransactions.deep.test.ts).
      const r = explore(monitored, { strategy: 'pct', seed: 1, schedules: budget(3, 200), shrink: false, args, monitors: [recordsFreed] });
      expect([args, r.violation]).toEqual([args, null]);
    }
  });
});

let latest: { sim: Simulation; system: MinispySystem } | null = null;
const monitored: Scenario = {
  ...scenario,
  build: (sim: Simulation, args: ScenarioArgs) => void (latest = { sim, system: minispySystem(sim, args) }),
};
/** After the run, every record minispy allocated was freed, and no transaction context is left. */
function recordsFreed(): MonitorViolation[] {
  const data = latest!.system.image.MiniSpyData;
  const left: MonitorViolation[] = [];
  if (data.RecordsAllocated !== 0 || data.StaticBufferInUse) left.push({ name: 'MINISPY_RECORD_LEAK', seq: 0, message: `${data.RecordsAllocated} records still allocated` });
  const contexts = Object.keys(latest!.sim.state().contexts);
  if (contexts.length > 0) left.push({ name: 'MINISPY_CONTEXT_LEFT', seq: 0, message: `contexts left: ${contexts.join(', ')}` });
  return left;
}
