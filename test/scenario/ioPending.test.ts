// §8: pending in pre- and post-operations, resumption from other threads, SYNCHRONIZE, and the
// misuses FltMgr refuses. Each callback records the simulated thread it ran on.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FltAllocateDeferredIoWorkItem,
  FltAllocateGenericWorkItem,
  FltCompletePendedPostOperation,
  FltCompletePendedPreOperation,
  FltQueueDeferredIoWorkItem,
  FltQueueGenericWorkItem,
  IRP_MJ_READ,
  IRP_PAGING_IO,
  sleep,
  STATUS_FLT_NOT_SAFE_TO_POST_OPERATION,
  STATUS_SUCCESS,
  type FLT_REGISTRATION,
  type SimulationOptions,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

function system(filters: Record<string, (sim: Simulation, log: string[]) => FLT_REGISTRATION>, options: SimulationOptions = {}) {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  const log: string[] = [];
  for (const [key, make] of Object.entries(filters)) {
    const [name, altitude] = key.split('@') as [string, string];
    installFilter(sim, { name, altitude, registration: make(sim, log) });
  }
  sim.run();
  return { sim, log };
}

function* readOnce(sim: Simulation, irpFlags = 0) {
  const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  const read = yield* sim.io.NtReadFile(open.handle!, 4, 0, irpFlags);
  yield* sim.io.NtClose(open.handle!);
  return read;
}

/** A filter that records where its read callbacks run. */
const recorder = (name: string) => (sim: Simulation, log: string[]): FLT_REGISTRATION => ({
  OperationRegistration: operations([IRP_MJ_READ], {
    PreOperation: () => (log.push(`pre ${name} on ${sim.currentThread()}`), FLT_PREOP_SUCCESS_WITH_CALLBACK),
    PostOperation: () => (log.push(`post ${name} on ${sim.currentThread()}`), FLT_POSTOP_FINISHED_PROCESSING),
  }),
});

describe('pending a pre-operation (§8)', () => {
  it('a pre-op pends and a deferred-I/O worker resumes it: the lower pre-ops, the FS and the posts run on the worker, the caller waits', () => {
    const { sim, log } = system({
      'top@300000': recorder('top'),
      'pender@200000': (s, l) => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            l.push(`pre pender on ${s.currentThread()}`);
            const status = FltQueueDeferredIoWorkItem(yield* FltAllocateDeferredIoWorkItem(), data, function* (_item, Data) {
              l.push(`worker on ${s.currentThread()}`);
              yield* FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_WITH_CALLBACK, 'ctx');
            }, 'DelayedWorkQueue', null);
            expect(status).toBe(STATUS_SUCCESS);
            return FLT_PREOP_PENDING;
          },
          PostOperation: (_d, _o, context) => (l.push(`post pender(${String(context)}) on ${s.currentThread()}`), FLT_POSTOP_FINISHED_PROCESSING),
        }),
      }),
      'bottom@100000': recorder('bottom'),
    });
    const app = sim.spawn('app', () => readOnce(sim));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toMatchObject({ status: STATUS_SUCCESS, information: 4 });
    const worker = log.find((l) => l.startsWith('worker'))!.split(' on ')[1];
    expect(log).toEqual([
      `pre top on ${app.id}`,
      `pre pender on ${app.id}`,
      `worker on ${worker}`,
      `pre bottom on ${worker}`,
      `post bottom on ${worker}`,
      `post pender(ctx) on ${worker}`,
      `post top on ${worker}`,
    ]);
    expect(compactTrace(sim.log, { types: ['PreOperationReturned', 'FltCompletePendedPreOperation'] }).filter((l) => l.startsWith('D2'))).toEqual([
      'D2(READ \\f.txt) PreOperationReturned instance=I1:top@300000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D2(READ \\f.txt) PreOperationReturned instance=I2:pender@200000 on C: FLT_PREOP_PENDING',
      'D2(READ \\f.txt) FltCompletePendedPreOperation instance=I2:pender@200000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D2(READ \\f.txt) PreOperationReturned instance=I3:bottom@100000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
    ]);
  });

  it('the resumption may arrive before the pre-op has returned PENDING: FltMgr goes on with it then (logged "early")', () => {
    const { sim, log } = system({
      'racer@200000': (s, l) => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), data.Iopb.TargetInstance!, function* () {
              yield* FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
            }, 'DelayedWorkQueue', null);
            yield* sleep(5); // the worker completes the operation while this pre-op is still running
            l.push(`pre returns PENDING on ${s.currentThread()}`);
            return FLT_PREOP_PENDING;
          },
          PostOperation: () => (l.push(`post on ${s.currentThread()}`), FLT_POSTOP_FINISHED_PROCESSING),
        }),
      }),
    });
    const app = sim.spawn('app', () => readOnce(sim));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toMatchObject({ status: STATUS_SUCCESS });
    expect(log).toEqual([`pre returns PENDING on ${app.id}`, `post on ${app.id}`]);
    expect(compactTrace(sim.log, { types: ['FltCompletePendedPreOperation'] })).toEqual([
      'D2(READ \\f.txt) FltCompletePendedPreOperation instance=I1:racer@200000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK early',
    ]);
  });

  it('completing a pended pre-op twice, or with FLT_PREOP_SYNCHRONIZE, is a verifier error (§13 A1, invariant 7)', () => {
    const { sim } = system({
      'sloppy@200000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), data.Iopb.TargetInstance!, function* () {
              yield* FltCompletePendedPreOperation(data, FLT_PREOP_SYNCHRONIZE, null);
            }, 'DelayedWorkQueue', null);
            FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), data.Iopb.TargetInstance!, function* () {
              yield* sleep(1);
              yield* FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
              yield* FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
            }, 'DelayedWorkQueue', null);
            return FLT_PREOP_PENDING;
          },
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['COMPLETE_PENDED_BAD_STATUS', 'COMPLETE_NOT_PENDED']);
  });

  it('paging I/O cannot be posted to a worker: STATUS_FLT_NOT_SAFE_TO_POST_OPERATION', () => {
    const statuses: number[] = [];
    const { sim } = system({
      'poster@200000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            statuses.push(FltQueueDeferredIoWorkItem(yield* FltAllocateDeferredIoWorkItem(), data, () => undefined, 'DelayedWorkQueue', null));
            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
          },
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      }),
    });
    sim.spawn('app', () => readOnce(sim, IRP_PAGING_IO));
    sim.run();
    expect(statuses).toEqual([STATUS_FLT_NOT_SAFE_TO_POST_OPERATION]);
  });
});

describe('pending a post-operation (§8)', () => {
  it('MORE_PROCESSING_REQUIRED parks the completion until FltCompletePendedPostOperation, whose thread runs the higher posts', () => {
    const { sim, log } = system({
      'top@300000': recorder('top'),
      'parker@200000': (s, l) => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: function* (data) {
            l.push(`post parker on ${s.currentThread()}`);
            FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), data.Iopb.TargetInstance!, function* () {
              yield* sleep(3);
              l.push(`worker resumes on ${s.currentThread()}`);
              yield* FltCompletePendedPostOperation(data);
            }, 'DelayedWorkQueue', null);
            return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
          },
        }),
      }),
    });
    const app = sim.spawn('app', () => readOnce(sim));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toMatchObject({ status: STATUS_SUCCESS });
    const worker = log.find((l) => l.startsWith('worker'))!.split(' on ')[1];
    expect(log).toEqual([`pre top on ${app.id}`, `post parker on ${app.id}`, `worker resumes on ${worker}`, `post top on ${worker}`]);
    const readDone = sim.log.find((f) => f.type === 'IoComplete' && f.object === 'D2')!;
    expect(readDone.time).toBe(3);
  });
});

describe('FLT_PREOP_SYNCHRONIZE (§8)', () => {
  it('with the file system completing on a completion thread, the synchronized post-op still runs on the thread of its pre-op; a plain one runs on the completion thread', () => {
    const { sim, log } = system(
      {
        'sync@300000': (s, l) => ({
          OperationRegistration: operations([IRP_MJ_READ], {
            PreOperation: () => (l.push(`pre sync on ${s.currentThread()}`), FLT_PREOP_SYNCHRONIZE),
            PostOperation: () => (l.push(`post sync on ${s.currentThread()}`), FLT_POSTOP_FINISHED_PROCESSING),
          }),
        }),
        'plain@100000': recorder('plain'),
      },
      { fileSystemCompletion: 'deferred', fileSystemLatency: 2 },
    );
    const app = sim.spawn('app', () => readOnce(sim));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toMatchObject({ status: STATUS_SUCCESS, information: 4 });
    const completion = [...sim.kernel.threads.values()].find((t) => t.name === 'IoCompletion(D2)')!.id;
    expect(log).toEqual([`pre sync on ${app.id}`, `pre plain on ${app.id}`, `post plain on ${completion}`, `post sync on ${app.id}`]);
  });

  it('a post-op that is not synchronized must not block: it runs at DISPATCH_LEVEL (BLOCKING_AT_DISPATCH)', () => {
    const { sim } = system(
      {
        'sleepy@100000': () => ({
          OperationRegistration: operations([IRP_MJ_READ], {
            PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
            PostOperation: function* () {
              yield* sleep(1);
              return FLT_POSTOP_FINISHED_PROCESSING;
            },
          }),
        }),
      },
      { fileSystemCompletion: 'deferred' },
    );
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toContain('BLOCKING_AT_DISPATCH');
  });
});
