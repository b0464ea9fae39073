// The WDK change sample, ported (examples/samples/change): wdk-samples "8. change" checks 1–4 —
// modifying operations set Dirty, or TxDirty inside the file's enlisted transaction (§22.4); a
// writer's post-create enlists with COMMIT_FINALIZE | ROLLBACK; COMMIT_FINALIZE propagates
// TxDirty → Dirty and ROLLBACK drops it; pre-close reports a dirty non-transacted file; a savepoint
// FSCTL is refused with STATUS_NOT_SUPPORTED. Then PCT against the unload and a second application.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  explore,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  STATUS_NOT_SUPPORTED,
  sleep,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { changeSystem, scenario } from '../../examples/samples/change/index.js';
import type { ChangeImage } from '../../examples/samples/change/change.js';
import { budget } from '../support/deep.js';
import { fltsimRun } from './run.js';

/** CGDBG_TRACE_ROUTINES | DEBUG | ERROR, keeping only the lines a person checks against the README. */
const TRACE = 0xd;
const said = (image: ChangeImage): string[] => image.Globals.DbgPrint.filter((l) => /dirty|FAILED|should|not supposed/.test(l));

function run(args: ScenarioArgs, extra?: (sim: Simulation) => void): { sim: Simulation; image: ChangeImage; reason: string } {
  const sim = createSimulation({ onViolation: 'record', seed: 1 });
  const image = changeSystem(sim, { TraceFlags: TRACE, ...args });
  extra?.(sim);
  return { sim, image, reason: sim.run({ maxSteps: 200_000 }).reason };
}

describe('change sample (wdk-samples §8)', () => {
  it('checks 1–3, commit: the transacted write is TxDirty, COMMIT_FINALIZE makes it Dirty; the plain write is Dirty at once', () => {
    const { sim, image, reason } = run({});
    expect(reason).toBe('idle');
    expect(said(image)).toEqual([
      '[CG] CgPreClose: Non-transacted file ID 0,41 is dirty',
      '[CG]: Cleaning up file context for file ID 0,41 (FileContext = C3), dirty = 1',
      '[CG] CgProcessTransactionOutcome: Transacted file ID 0,40 is dirty',
      '[CG] CgPreClose: Non-transacted file ID 0,40 is dirty',
      '[CG]: Cleaning up file context for file ID 0,40 (FileContext = C1), dirty = 1',
    ]);
    expect(compactTrace(sim.log, { types: ['FltEnlistInTransaction', 'TransactionNotification', 'TransactionEnlistmentEnded', 'TransactionDeleted'] })).toEqual([
      't1 FltEnlistInTransaction instance=I1:change@370160 on C: context=C2 mask=ROLLBACK|COMMIT_FINALIZE',
      't1 TransactionNotification instance=I1:change@370160 on C: COMMIT_FINALIZE',
      't1 TransactionEnlistmentEnded instance=I1:change@370160 on C: at=outcome',
      't1 TransactionDeleted',
    ]);
    expect(sim.state().violations).toEqual([]);
  });

  it('check 3, rollback: ROLLBACK drops TxDirty, so the file is clean when its context goes', () => {
    const { sim, image } = run({ outcome: 'rollback' });
    expect(said(image)).toEqual([
      '[CG] CgPreClose: Non-transacted file ID 0,41 is dirty',
      '[CG]: Cleaning up file context for file ID 0,41 (FileContext = C3), dirty = 1',
      '[CG]: Cleaning up file context for file ID 0,40 (FileContext = C1), dirty = 0',
    ]);
    expect(compactTrace(sim.log, { types: ['TransactionNotification'] })).toEqual(['t1 TransactionNotification instance=I1:change@370160 on C: ROLLBACK']);
    expect(sim.state().contexts).toEqual({});
  });

  it('check 4: FSCTL_TXFS_SAVEPOINT_INFORMATION is refused with STATUS_NOT_SUPPORTED', () => {
    let status = 0;
    const { sim } = run({}, (s) => {
      s.spawn('savepoint', function* () {
        yield* sleep(5);
        const h = yield* s.io.NtCreateFile('C:\\tx.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
        status = (yield* s.io.NtFsControlFile(h.handle!, 0x00094278, null, 0, 0)).status;
        yield* s.io.NtClose(h.handle!);
        return status;
      });
    });
    expect(status).toBe(STATUS_NOT_SUPPORTED);
    expect(compactTrace(sim.log, { types: ['PreOperationReturned'] }).filter((l) => l.includes('FLT_PREOP_COMPLETE'))).toHaveLength(1);
  });

  it('fltsim run examples/samples/change exits 0, idle', async () => {
    const r = await fltsimRun('change');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^# fltsim run sample-change, seed 1, strategy in-order: idle after \d+ facts/);
  });

  it('PCT: the unload after the transaction, racing the plain writer and the KTM worker: no violation', () => {
    // 10 schedules in npm test; test:deep 400 (change.deep.test.ts).
    const r = explore(monitored(), { strategy: 'pct', seed: 1, schedules: budget(10, 400), shrink: false, args: { unloadAt: '3' } });
    expect(r.violation).toBeNull();
  });

  it('PCT finds the unload that comes while the transaction is in flight: change leaks its file and transaction contexts', () => {
    // The instance is torn down before the outcome, so its enlistment ends with no notification
    // (§22.4 [model]); the transaction's list keeps a reference on the file context, whose TxContext
    // keeps one on the transaction context, and change has no teardown path that drops them.
    const r = explore(monitored(), { strategy: 'pct', seed: 1, schedules: budget(20, 400), shrink: false, args: { unloadAt: '0' } });
    expect(r.violation?.message).toMatch(/change leaked references to FLT_CONTEXT: 2 \(C1 RefCount 1, C2 RefCount 1\)/);
  });
});

/** The scenario with the test's trace flags. */
export function monitored(): Scenario {
  return { ...scenario, build: (sim: Simulation, args: ScenarioArgs) => void changeSystem(sim, { TraceFlags: TRACE, ...args }) };
}
