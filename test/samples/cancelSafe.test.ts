// The cancelSafe sample (examples/samples/cancelSafe), §19.4: what its README and code say it does,
// pinned as traces, then explored against unload and a second application thread.
import { describe, expect, it } from 'vitest';
import { createSimulation, explore, sleep, FILE_GENERIC_READ, FILE_OPEN, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT, foldLog, HUNDRED_NANOSECONDS_PER_TICK, STATUS_CANCELLED, STATUS_FILE_CLOSED, STATUS_PENDING, STATUS_SUCCESS, type OVERLAPPED, type Simulation } from '../../src/index.js';
import { checkCancelInvariants, compactTrace } from '../../src/testing/index.js';
import { main } from '../../src/cli/main.js';
import { buildCancelSafe, scenario } from '../../examples/samples/cancelSafe/index.js';
import { createCancelSafe, CSQ_TRACE_ERROR } from '../../examples/samples/cancelSafe/cancelSafe.js';
import { budget, DEEP } from '../support/deep.js';

const QUEUE_FACTS = ['FltCbdqInitialize', 'FltCbdqInsertIo', 'FltCbdqRemoveNextIo', 'CbdqCompleteCanceledIo', 'IoCancelIrp', 'FltCbdqDisable', 'FltCompletePendedPreOperation', 'InstanceTeardownStart', 'InstanceTeardownComplete'] as const;

function run(args: Record<string, string | number | boolean>): { sim: Simulation; results: ReturnType<typeof buildCancelSafe>['results'] } {
  const sim = createSimulation({ onViolation: 'record' });
  const { results } = buildCancelSafe(sim, args);
  sim.run();
  return { sim, results };
}

describe('cancelSafe, as shipped (§19.4)', () => {
  it('a matching read is pended in the Cbdq and completed by the worker after OperatingDelay; CancelIoEx of the other completes it as cancelled through CsqCompleteCanceledIo', () => {
    const { sim, results } = run({ unload: false, delay: 20 });
    expect(results).toEqual({ reader: STATUS_SUCCESS, cancelIoEx: STATUS_SUCCESS, canceller: STATUS_CANCELLED });
    expect(compactTrace(sim.log, { types: [...QUEUE_FACTS] })).toEqual([
      'B1 FltCbdqInitialize instance=I1:cancelSafe@370050 on C: name=cancelSafe queue',
      'B1 FltCbdqInsertIo op=D2 status=STATUS_SUCCESS thread=T2',
      'B1 FltCbdqInsertIo op=D4 status=STATUS_SUCCESS thread=T3',
      'J2 IoCancelIrp op=D4 by=CancelIoEx thread=T3 routine called',
      'B1 CbdqCompleteCanceledIo op=D4 thread=T3',
      'D4(READ \\data\\b.txt) FltCompletePendedPreOperation instance=I1:cancelSafe@370050 on C: FLT_PREOP_COMPLETE status=STATUS_CANCELLED',
      'B1 FltCbdqRemoveNextIo op=D2 thread=T4',
      'D2(READ \\data\\a.txt) FltCompletePendedPreOperation instance=I1:cancelSafe@370050 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'B1 FltCbdqRemoveNextIo op=NULL thread=T4',
    ]);
    // The worker waited OperatingDelay (20 ticks) on the TeardownEvent before removing the read.
    const removed = sim.log.find((f) => f.type === 'FltCbdqRemoveNextIo' && f.operation === 'D2')!;
    expect(removed.time).toBe(20);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
    expect(sim.state().cbdqs).toEqual({ B1: { name: 'cancelSafe queue', instance: 'I1', state: 'Enabled', queued: [] } });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('unload: InstanceTeardownStart disables the queue and drains it, passing the pended read down (not failed); TeardownComplete follows the last completion (§19.5 rules 4, 5)', () => {
    const { sim, results } = run({ unload: true, cancel: false, delay: 20 });
    expect(results).toEqual({ reader: STATUS_SUCCESS, canceller: STATUS_SUCCESS, unload: STATUS_SUCCESS });
    expect(compactTrace(sim.log, { types: [...QUEUE_FACTS] }).slice(1)).toEqual([
      'B1 FltCbdqInsertIo op=D2 status=STATUS_SUCCESS thread=T2',
      'B1 FltCbdqInsertIo op=D4 status=STATUS_SUCCESS thread=T3',
      'I1(cancelSafe@370050 on C:) InstanceTeardownStart reason=FILTER_UNLOAD',
      'B1 FltCbdqDisable thread=T4',
      'B1 FltCbdqRemoveNextIo op=D2 thread=T4',
      'D2(READ \\data\\a.txt) FltCompletePendedPreOperation instance=I1:cancelSafe@370050 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'B1 FltCbdqRemoveNextIo op=D4 thread=T4',
      'D4(READ \\data\\b.txt) FltCompletePendedPreOperation instance=I1:cancelSafe@370050 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'B1 FltCbdqRemoveNextIo op=NULL thread=T4',
      // The work item queued by the first insert runs after teardown: the event is set, the queue empty, it exits.
      'I1(cancelSafe@370050 on C:) InstanceTeardownComplete reason=FILTER_UNLOAD',
      'B1 FltCbdqRemoveNextIo op=NULL thread=T5',
    ]);
    expect(sim.state().violations).toEqual([]);
  });

  // Found by the cancellation property's deep run (test/property/cancellation.test.ts). The port
  // follows cancelSafe.c line by line; IoCancelIrp leaves a cancelled read in the filter's list
  // until its cancel path gets the queue lock (§19.4 "Cancellation path"), and RemoveNextIo skips
  // it (§19.5 rule 3). So the worker sees an empty queue and leaves (WorkerThreadFlag 1 → 0) while
  // CsqInsertIo, finding the list not empty (the cancelled read is still in it), queues no worker.
  it('a read inserted while a cancelled read is still listed is stranded until teardown: the sample\'s own liveness bug, not a double completion (§19.4, §19.5 rules 1, 3)', () => {
    // Seed 416 (456 before the context routines became scheduling points, which moved every random schedule): the first seed whose schedule is this one.
    const sim = createSimulation({ seed: 416, strategy: 'random', onViolation: 'record' });
    const { results } = buildCancelSafe(sim, { delay: 0, unload: false, cancel: true });
    const outcome = sim.run();
    expect(compactTrace(sim.log, { types: ['FltCbdqInsertIo', 'IoCancelIrp', 'FltCbdqRemoveNextIo', 'CbdqCompleteCanceledIo', 'ThreadExit', 'LockAcquire'] }).filter((l) => !/DriverEntry|canceller\) ThreadExit/.test(l))).toEqual([
      'K1(cancelSafe queue lock (FAST_MUTEX)) LockAcquire ExAcquireFastMutex by=T3:canceller Exclusive',
      'B1 FltCbdqInsertIo op=D2 status=STATUS_SUCCESS thread=T3',
      // CancelIoEx: FltMgr's cancel routine runs on the canceller, but the queue lock is not its yet.
      'J1 IoCancelIrp op=D2 by=CancelIoEx thread=T3 routine called',
      'K1(cancelSafe queue lock (FAST_MUTEX)) LockAcquire ExAcquireFastMutex by=T4:WorkItem(cancelSafe, DelayedWorkQueue) Exclusive',
      // D2 is being cancelled, so the worker gets nothing, and will leave.
      'B1 FltCbdqRemoveNextIo op=NULL thread=T4',
      'K1(cancelSafe queue lock (FAST_MUTEX)) LockAcquire ExAcquireFastMutex by=T2:reader Exclusive',
      // D2 is still in QueueHead: WasQueueEmpty is FALSE, no work item is queued for D4.
      'B1 FltCbdqInsertIo op=D4 status=STATUS_SUCCESS thread=T2',
      'T4(WorkItem(cancelSafe, DelayedWorkQueue)) ThreadExit result=STATUS_SUCCESS',
      'K1(cancelSafe queue lock (FAST_MUTEX)) LockAcquire ExAcquireFastMutex by=T3:canceller Exclusive',
      'B1 CbdqCompleteCanceledIo op=D2 thread=T3',
    ]);
    expect(results).toEqual({ cancelIoEx: STATUS_SUCCESS, canceller: STATUS_CANCELLED });
    expect(outcome).toMatchObject({ reason: 'deadlock', blocked: [{ name: 'reader', reason: 'D4 completion' }], cycles: [] });
    expect(sim.state().cbdqs.B1!.queued).toEqual(['D4']);
    // Nothing else will take D4 out: only an unload (the teardown's drain) or a cancel of the read.
    sim.spawn('fltmc unload cancelSafe', () => sim.FilterUnload('cancelSafe'));
    expect(sim.run().reason).toBe('idle');
    expect(results.reader).toBe(STATUS_SUCCESS);
    expect(sim.log.filter((f) => f.type === 'IoComplete' && f.object === 'D4').length).toBe(1);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('IRP_MJ_CLEANUP does nothing to a read in the Cbdq: FltMgr leaves it to the filter, whose worker passes it down after the cleanup, and the file system fails it STATUS_FILE_CLOSED (§19.2, §19.4)', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const sample = createCancelSafe({ OperatingDelay: 20 * HUNDRED_NANOSECONDS_PER_TICK, OperatingPath: '\\data', DebugLevel: CSQ_TRACE_ERROR });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').mkdir('\\data');
    sim.fileSystem('C:').writeFile('\\data\\a.txt', 'alpha');
    sim.loadDriver({ name: 'cancelSafe', instances: { DefaultInstance: 'CancelSafe Instance', Instances: { 'CancelSafe Instance': { Altitude: '370050', Flags: 0 } } } }, sample.DriverEntry);
    sim.run();
    const overlapped: OVERLAPPED = { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0, Offset: 0 };
    let handle = '';
    const app = sim.spawn('app', function* () {
      handle = (yield* sim.io.NtCreateFile('C:\\data\\a.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: 0 })).handle!;
      yield* sim.io.ReadFile(handle, 5, overlapped);
      // The app waits for its read (its exit would cancel it, §19.1); another thread closes the handle.
      return (yield* sim.io.GetOverlappedResult(handle, overlapped, true)).status;
    });
    sim.spawn('closer', function* () {
      yield* sleep(1);
      return yield* sim.io.NtClose(handle);
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe(STATUS_FILE_CLOSED);
    expect(compactTrace(sim.log, { types: ['FltCbdqInsertIo', 'FltCbdqRemoveNextIo', 'FltCompletePendedPreOperation', 'FsComplete', 'IoComplete'] }).filter((l) => !/CREATE/.test(l))).toEqual([
      'B1 FltCbdqInsertIo op=D2 status=STATUS_SUCCESS thread=T2',
      'D3(CLEANUP \\data\\a.txt) FsComplete status=STATUS_SUCCESS information=0',
      'D3(CLEANUP \\data\\a.txt) IoComplete status=STATUS_SUCCESS information=0',
      'B1 FltCbdqRemoveNextIo op=D2 thread=T4',
      'D2(READ \\data\\a.txt) FltCompletePendedPreOperation instance=I1:cancelSafe@370050 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'D2(READ \\data\\a.txt) FsComplete status=STATUS_FILE_CLOSED information=0',
      'D2(READ \\data\\a.txt) IoComplete status=STATUS_FILE_CLOSED information=0',
      expect.stringMatching(/^D4\(CLOSE .*FsComplete status=STATUS_SUCCESS/),
      expect.stringMatching(/^D4\(CLOSE .*IoComplete status=STATUS_SUCCESS/),
      'B1 FltCbdqRemoveNextIo op=NULL thread=T4',
    ]);
    expect(overlapped.Internal).toBe(STATUS_FILE_CLOSED);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('its fast-I/O branch: with semantics.fastIo \'whereWindows\' the second read of a synchronous handle comes as fast I/O, which CancelSafePreRead refuses with FLT_PREOP_DISALLOW_FASTIO before queueing; the I/O manager sends it as an IRP, which is pended in the Cbdq (§8, §24.2)', () => {
    const sim = createSimulation({ onViolation: 'record', semantics: { fastIo: 'whereWindows' } });
    const sample = createCancelSafe({ OperatingDelay: 5 * HUNDRED_NANOSECONDS_PER_TICK, OperatingPath: '\\data', DebugLevel: CSQ_TRACE_ERROR });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').mkdir('\\data');
    sim.fileSystem('C:').writeFile('\\data\\a.txt', 'alpha');
    sim.loadDriver({ name: 'cancelSafe', instances: { DefaultInstance: 'CancelSafe Instance', Instances: { 'CancelSafe Instance': { Altitude: '370050', Flags: 0 } } } }, sample.DriverEntry);
    sim.run();
    const app = sim.spawn('app', function* () {
      const h = (yield* sim.io.NtCreateFile('C:\\data\\a.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT })).handle!;
      // The first read is an IRP (no caching yet); the file system initiates caching as it serves it.
      const first = yield* sim.io.NtReadFile(h, 5, 0);
      const second = yield* sim.io.NtReadFile(h, 5, 0);
      yield* sim.io.NtClose(h);
      return [first.status, second.status, new TextDecoder().decode(second.output!)];
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toEqual([STATUS_SUCCESS, STATUS_SUCCESS, 'alpha']);
    expect(compactTrace(sim.log, { types: ['IoStart', 'PreOperationReturned', 'FltCbdqInsertIo', 'CcInitializeCacheMap', 'IoComplete'] }).filter((l) => /READ|Cbdq|CcInit/.test(l)).map((l) => l.replace(/ UserMode.*/, '').replace(/ file=O1:\\data\\a.txt/, ''))).toEqual([
      'D2(READ \\data\\a.txt) IoStart IRP_MJ_READ flags=IRP_OPERATION',
      'B1 FltCbdqInsertIo op=D2 status=STATUS_SUCCESS thread=T2',
      'D2(READ \\data\\a.txt) PreOperationReturned instance=I1:cancelSafe@370050 on C: FLT_PREOP_PENDING',
      'O1(\\data\\a.txt) CcInitializeCacheMap',
      'D2(READ \\data\\a.txt) IoComplete status=STATUS_SUCCESS information=5',
      'D3(READ \\data\\a.txt) IoStart IRP_MJ_READ flags=FAST_IO_OPERATION',
      'D3(READ \\data\\a.txt) PreOperationReturned instance=I1:cancelSafe@370050 on C: FLT_PREOP_DISALLOW_FASTIO',
      'D3(READ \\data\\a.txt) IoComplete status=STATUS_FLT_DISALLOW_FAST_IO information=0',
      'D4(READ \\data\\a.txt) IoStart IRP_MJ_READ flags=IRP_OPERATION',
      'B1 FltCbdqInsertIo op=D4 status=STATUS_SUCCESS thread=T2',
      'D4(READ \\data\\a.txt) PreOperationReturned instance=I1:cancelSafe@370050 on C: FLT_PREOP_PENDING',
      'D4(READ \\data\\a.txt) IoComplete status=STATUS_SUCCESS information=5',
    ]);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('runs from the command line: fltsim run examples/samples/cancelSafe', async () => {
    const out: string[] = [];
    const code = await main(['run', 'examples/samples/cancelSafe', '--arg', 'delay=5'], { out: (l) => out.push(...l.split('\n')), err: (l) => out.push(l) });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/fltsim run sample-cancelSafe, seed 1, strategy in-order: idle after \d+ facts/);
  });
});

describe('cancelSafe explored: worker vs CancelIoEx vs unload drain (§19.5, §19.9 invariants 23–26)', () => {
  it('PCT finds no violation: every read completes exactly once, by whoever removed it', () => {
    // 8 schedules in npm test; test:deep 400 (cancelSafe.deep.test.ts).
    const r = explore(scenario, { strategy: 'pct', schedules: budget(8, 400), seed: 1, args: { delay: 2 } });
    expect(r.found).toBe(false);
    expect(r.schedules).toBe(budget(8, 400));
  });

  // npm test runs the first schedules of the search; test:deep runs it to the end (one preemption, then two).
  it.each(DEEP ? [1, 2] : [1])('bounded exhaustive search (%i preemption(s)) finds none', (preemptionBound) => {
    // Sleep sets keep state hashing; the sample declares no shared cells, so DPOR (the default) prunes nothing here.
    const r = explore(scenario, { strategy: 'exhaustive', reduction: 'sleep-sets', preemptionBound, schedules: budget(12, 5000), seed: 1, args: { delay: 2 } });
    expect(r.found).toBe(false);
    if (DEEP) expect(r.exhausted).toBe(true);
  });
});
