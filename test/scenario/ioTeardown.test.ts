// §4 with I/O in flight: draining parked post-operations and waiting for pended operations.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_CALLBACK_DATA_DRAINING_IO,
  FLTFL_POST_OPERATION_DRAINING,
  FltCompletePendedPreOperation,
  IRP_MJ_CREATE,
  sleep,
  STATUS_SUCCESS,
  type FLT_CALLBACK_DATA,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

describe('teardown with I/O in flight (§4)', () => {
  it('a post-create parked above a pended create is drained at teardown: DRAINING flags on a copy, skipped at the real completion (invariants 4, 20)', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', 'x');
    const seen: { flags: number; dataFlags: number; same: boolean }[] = [];
    let parked: FLT_CALLBACK_DATA | null = null;
    let original: FLT_CALLBACK_DATA | null = null;
    installFilter(sim, {
      name: 'upper',
      altitude: '300000',
      registration: {
        InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: (data) => ((original = data), FLT_PREOP_SUCCESS_WITH_CALLBACK),
          PostOperation: (data, _o, _c, flags) => (seen.push({ flags, dataFlags: data.Flags, same: data === original }), FLT_POSTOP_FINISHED_PROCESSING),
        }),
      },
    });
    installFilter(sim, {
      name: 'lower',
      altitude: '100000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: (data) => ((parked = data), FLT_PREOP_PENDING) }),
      },
    });
    sim.run();
    const app = sim.spawn('app', () => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN }));
    sim.run(); // the create is parked in lower's pre-op; upper waits for its post-create
    const from = sim.log.length;
    const detach = sim.spawn('fltmc detach upper', () => sim.FilterDetach('upper', 'C:'));
    sim.run();
    expect(detach.result).toBe(STATUS_SUCCESS);
    expect(seen).toEqual([{ flags: FLTFL_POST_OPERATION_DRAINING, dataFlags: expect.any(Number), same: false }]);
    expect(seen[0]!.dataFlags & FLTFL_CALLBACK_DATA_DRAINING_IO).toBe(FLTFL_CALLBACK_DATA_DRAINING_IO);
    expect(compactTrace(sim.log, { from }).map((l) => l.replace(/ params=\S+/, ''))).toEqual([
      'I1(upper@300000 on C:) InstanceQueryTeardown flags=0',
      'I1(upper@300000 on C:) InstanceQueryTeardownReturned status=STATUS_SUCCESS',
      'I1(upper@300000 on C:) InstanceTeardownStart reason=MANUAL',
      'I1(upper@300000 on C:) InstanceTeardownStartReturned',
      'D1(CREATE \\f.txt) DrainPostOperation instance=I1:upper@300000 on C:',
      'D1(CREATE \\f.txt) DrainPostOperationReturned instance=I1:upper@300000 on C: FLT_POSTOP_FINISHED_PROCESSING',
      'I1(upper@300000 on C:) InstanceTeardownComplete reason=MANUAL',
      'I1(upper@300000 on C:) InstanceTeardownCompleteReturned',
      'I1(upper@300000 on C:) InstanceFreed',
    ]);
    // Now the lower filter lets the create go: it completes, and upper's post-create is not called again.
    sim.spawn('worker', () => FltCompletePendedPreOperation(parked!, FLT_PREOP_SUCCESS_NO_CALLBACK, null));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toMatchObject({ status: STATUS_SUCCESS });
    expect(seen).toHaveLength(1);
  });

  it('TeardownComplete waits until the filter completes the operation it pended', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', 'x');
    const queue: FLT_CALLBACK_DATA[] = [];
    installFilter(sim, {
      name: 'hsm',
      altitude: '180000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: (data) => (queue.push(data), FLT_PREOP_PENDING) }),
        // The filter finishes what it queued, but only some time after TeardownStart.
        InstanceTeardownStartCallback: function* () {
          yield* sleep(10);
        },
      },
    });
    sim.run();
    sim.spawn('app', () => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    sim.spawn('unload', () => sim.FilterUnload('hsm'));
    sim.spawn('hsm worker', function* () {
      yield* sleep(50);
      yield* FltCompletePendedPreOperation(queue.shift()!, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
      return 0;
    });
    expect(sim.run().reason).toBe('idle');
    const at = (type: string) => sim.log.find((f) => f.type === type && f.object === 'I1')!;
    const released = sim.log.find((f) => f.type === 'FltCompletePendedPreOperation')!;
    expect(at('InstanceTeardownStartReturned').time).toBe(10);
    expect(released.time).toBe(50);
    expect(at('InstanceTeardownComplete').seq).toBeGreaterThan(released.seq);
    expect(at('InstanceTeardownComplete').time).toBe(50);
  });

  it('an unload whose filter never completes a pended operation hangs, and the run reports who waits for what', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    installFilter(sim, {
      name: 'forgetful',
      altitude: '180000',
      registration: { OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: () => FLT_PREOP_PENDING }) },
    });
    sim.run();
    sim.spawn('app', () => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    sim.spawn('unload', () => sim.FilterUnload('forgetful'));
    const r = sim.run();
    expect(r.reason).toBe('deadlock');
    expect(r.reason === 'deadlock' && r.blocked.map((b) => `${b.name}: ${b.reason}`)).toEqual(['app: D1 completion', 'unload: drain of I1']);
  });

  it('a draining post-op that returns MORE_PROCESSING_REQUIRED is a verifier error (DRAIN_MUST_FINISH)', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    let parked: FLT_CALLBACK_DATA | null = null;
    installFilter(sim, {
      name: 'upper',
      altitude: '300000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: () => FLT_POSTOP_MORE_PROCESSING_REQUIRED,
        }),
      },
    });
    installFilter(sim, { name: 'lower', altitude: '100000', registration: { OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: (d) => ((parked = d), FLT_PREOP_PENDING) }) } });
    sim.run();
    sim.spawn('app', () => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    sim.spawn('unload', () => sim.FilterUnload('upper'));
    sim.run();
    expect(parked).not.toBeNull();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['DRAIN_MUST_FINISH']);
  });
});
