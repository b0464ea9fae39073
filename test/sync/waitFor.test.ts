// Deadlock detection with a wait-for graph (§18.5): when threads block forever, run()'s result,
// explore's finding and sim.state() name the cycle edge by edge (thread → lock / event / operation
// → owner or expected signaller → …); lock-order inversions are reported even when the run did not
// deadlock (Driver Verifier 0xC4/0x1001).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  ERESOURCE,
  Executive,
  ExAcquireFastMutex,
  ExInitializeFastMutex,
  ExInitializeResourceLite,
  explore,
  ExReleaseFastMutex,
  FAST_MUTEX,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltAcquireResourceExclusive,
  FltAcquireResourceShared,
  FltAllocateDeferredIoWorkItem,
  FltCompletePendedPreOperation,
  FltCreateFileEx,
  FltQueueDeferredIoWorkItem,
  FltReleaseResource,
  foldLog,
  formatCycle,
  IRP_MJ_CREATE,
  KEVENT,
  KeInitializeEvent,
  KernelMode,
  KeSetEvent,
  KeWaitForSingleObject,
  KeResetEvent,
  relativeTicks,
  NotificationEvent,
  sleep,
  type FLT_RELATED_OBJECTS,
  type Simulation,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

interface Planted {
  readonly resource: ERESOURCE;
  readonly queueLock: FAST_MUTEX;
  metadata: FLT_RELATED_OBJECTS | null;
}

/**
 * MetadataManager-like: the "metadata" filter keeps its ERESOURCE across FltCreateFileEx (the
 * variant §18.5 warns against); the "lower" filter pends every create to a deferred work item that
 * takes its queue's FAST_MUTEX before completing it; an application-side thread holds that mutex and
 * asks for the resource.
 */
function plantedSystem(sim: Simulation): Planted {
  const planted: Planted = { resource: new ERESOURCE('metadata resource'), queueLock: new FAST_MUTEX('lower queue lock'), metadata: null };
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\$metadata', 'm');
  installFilter(sim, {
    name: 'metadata',
    altitude: '300000',
    registration: { InstanceSetupCallback: (o) => ((planted.metadata = o), 0) },
  });
  installFilter(sim, {
    name: 'lower',
    altitude: '200000',
    registration: {
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: function* (data) {
          FltQueueDeferredIoWorkItem(yield* FltAllocateDeferredIoWorkItem(), data, function* (_item, Data) {
            yield* ExAcquireFastMutex(planted.queueLock);
            yield* FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            yield* ExReleaseFastMutex(planted.queueLock);
          }, 'DelayedWorkQueue', null);
          return FLT_PREOP_PENDING;
        },
      }),
    },
  });
  sim.run();
  sim.spawn('init', function* () {
    yield* ExInitializeResourceLite(planted.resource);
    yield* ExInitializeFastMutex(planted.queueLock);
  });
  sim.run();
  return planted;
}

function plantCycle(sim: Simulation, p: Planted): void {
  sim.spawn('metadata worker', function* () {
    yield* sleep(1);
    yield* FltAcquireResourceExclusive(p.resource);
    const o = p.metadata!;
    yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\$metadata' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
    yield* FltReleaseResource(p.resource);
  });
  sim.spawn('queue owner', function* () {
    yield* ExAcquireFastMutex(p.queueLock);
    yield* sleep(5);
    yield* FltAcquireResourceShared(p.resource);
  });
}

describe('the wait-for graph names a deadlock edge by edge (§18.5)', () => {
  it('a planted three-party cycle: ERESOURCE held across FltCreateFileEx, the create pended to a worker that needs a mutex the third thread holds while it asks for the resource', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const planted = plantedSystem(sim);
    plantCycle(sim, planted);
    const result = sim.run();
    expect(result.reason).toBe('deadlock');
    const cycles = result.reason === 'deadlock' ? result.cycles : [];
    expect(cycles.map(formatCycle)).toEqual([
      'T4 → D1 → T6 → K2 → T5 → K1 → T4: ' +
        'T4 (metadata worker) waits for D1 IRP_MJ_CREATE (PrePended by I2) to complete; worked on by T6 (DeferredIo(lower, D1, DelayedWorkQueue)); ' +
        "T6 (DeferredIo(lower, D1, DelayedWorkQueue)) waits for K2 'lower queue lock' (FAST_MUTEX, Owned), held by T5 (queue owner); " +
        "T5 (queue owner) waits for K1 'metadata resource' (ERESOURCE, OwnedExclusive), held by T4 (metadata worker)",
    ]);
    expect(sim.state().waitCycles).toEqual(cycles);
    expect(foldLog(sim.log)).toEqual(sim.state());
    // The create itself was issued with normal kernel APCs off: Windows calls that a thread deadlock.
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['CREATE_WITH_APCS_DISABLED']);
  });

  it('a wait on a KEVENT names the threads that set it before as the expected signallers, so an event closes a cycle too', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const [resource, flushed] = [new ERESOURCE('cache'), new KEVENT('flushed')];
    sim.spawn('init', function* () {
      yield* ExInitializeResourceLite(resource);
      yield* KeInitializeEvent(flushed, NotificationEvent, false);
    });
    sim.spawn('flusher', function* () {
      yield* KeSetEvent(flushed, 0, false); // a first flush, before the cache is busy
      yield* sleep(2);
      yield* FltAcquireResourceShared(resource); // the next flush needs the cache
      yield* KeSetEvent(flushed, 0, false);
      yield* FltReleaseResource(resource);
    });
    sim.spawn('writer', function* () {
      yield* sleep(1);
      yield* FltAcquireResourceExclusive(resource);
      yield* KeResetEvent(flushed);
      yield* KeWaitForSingleObject(flushed, Executive, KernelMode, false, null); // waits for a flush while holding the cache
      yield* FltReleaseResource(resource);
    });
    const result = sim.run();
    expect(result.reason).toBe('deadlock');
    expect(sim.state().waitCycles.map(formatCycle)).toEqual([
      "T2 → K1 → T3 → E1 → T2: T2 (flusher) waits for K1 'cache' (ERESOURCE, OwnedExclusive), held by T3 (writer); " +
        "T3 (writer) waits for E1 'flushed' (NotificationEvent, NotSignaled); set before by T2 (flusher)",
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a wait with a timeout ends by itself: no cycle, even while the threads wait for each other', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const [resource, flushed] = [new ERESOURCE('cache'), new KEVENT('flushed')];
    sim.spawn('init', function* () {
      yield* ExInitializeResourceLite(resource);
      yield* KeInitializeEvent(flushed, NotificationEvent, false);
    });
    sim.spawn('flusher', function* () {
      yield* KeSetEvent(flushed, 0, false);
      yield* KeResetEvent(flushed);
      yield* sleep(2);
      yield* FltAcquireResourceShared(resource);
      yield* FltReleaseResource(resource);
    });
    sim.spawn('writer', function* () {
      yield* sleep(1);
      yield* FltAcquireResourceExclusive(resource);
      yield* KeWaitForSingleObject(flushed, Executive, KernelMode, false, relativeTicks(50));
      yield* FltReleaseResource(resource);
    });
    let sawWaitWithoutCycle = false;
    sim.runUntil(() => {
      const s = sim.state();
      if (s.threads['T3']?.waitUntil === 51 && s.threads['T2']?.state === 'blocked') sawWaitWithoutCycle = s.waitCycles.length === 0;
      return false;
    });
    expect(sawWaitWithoutCycle).toBe(true);
    expect(sim.now).toBe(51);
  });
});

describe('lock-order inversion (§18.5, Driver Verifier 0xC4/0x1001)', () => {
  /** Two workers take the same two fast mutexes in opposite orders, with a sleep between them: this run never deadlocks. */
  function inversion(sim: Simulation, gap: number): void {
    const [a, b] = [new FAST_MUTEX('stream list'), new FAST_MUTEX('name cache')];
    sim.spawn('init', function* () {
      yield* ExInitializeFastMutex(a);
      yield* ExInitializeFastMutex(b);
    });
    const worker = (first: FAST_MUTEX, second: FAST_MUTEX, delay: number) =>
      function* () {
        yield* sleep(delay);
        yield* ExAcquireFastMutex(first);
        yield* ExAcquireFastMutex(second);
        yield* ExReleaseFastMutex(second);
        yield* ExReleaseFastMutex(first);
      };
    sim.spawn('open path', worker(a, b, 1));
    sim.spawn('rename path', worker(b, a, 1 + gap));
  }

  it('is reported when the second order is first taken, although the run ends idle', () => {
    const sim = createSimulation({ onViolation: 'record' });
    inversion(sim, 10);
    expect(sim.run().reason).toBe('idle');
    expect(sim.state().violations).toEqual([{ seq: expect.any(Number), object: 'K1', rule: 'LOCK_ORDER_INVERSION' }]);
    const acquiredAt = (lock: string, thread: string) => sim.log.find((f) => f.type === 'LockAcquire' && f.object === lock && f.thread === thread)!.seq;
    expect(sim.log.find((f) => f.type === 'VerifierViolation')).toMatchObject({
      message: `rename path takes K1 'stream list' while holding K2; the locks were taken in both orders: K1 → K2 (T2 at #${acquiredAt('K2', 'T2')}), K2 → K1 (T3 at #${acquiredAt('K1', 'T3')}) (§18.5)`,
    });
  });

  it('across schedules: where the two workers overlap the run deadlocks and names the cycle; everywhere else the inversion is reported', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const sim = createSimulation({ seed, strategy: 'random', onViolation: 'record' });
      inversion(sim, 0);
      const result = sim.run();
      if (result.reason === 'deadlock') {
        expect(result.cycles.map(formatCycle)).toEqual([
          "T2 → K2 → T3 → K1 → T2: T2 (open path) waits for K2 'name cache' (FAST_MUTEX, Owned), held by T3 (rename path); T3 (rename path) waits for K1 'stream list' (FAST_MUTEX, Owned), held by T2 (open path)",
        ]);
        outcomes.add('deadlock');
      } else {
        expect(sim.state().violations.map((v) => v.rule)).toEqual(['LOCK_ORDER_INVERSION']);
        outcomes.add('inversion');
      }
    }
    expect([...outcomes].sort()).toEqual(['deadlock', 'inversion']);
  });

  it("explore's deadlock finding carries the wait-for cycle", () => {
    const r = explore({ id: 'planted-inversion', build: (sim) => inversion(sim, 0) }, { strategy: 'random', schedules: 40, seed: 1, monitors: [] });
    expect(r.violation).not.toBeNull();
    const v = r.violation!;
    if (v.kind === 'deadlock') expect(v.message).toMatch(/Wait-for cycle: T2 → K2 → T3 → K1 → T2/);
    else expect(v.name).toBe('LOCK_ORDER_INVERSION');
  });
});
