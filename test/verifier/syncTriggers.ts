/** Triggers for the synchronization and IRQL rules (§18.1, §18.2, §18.4, §18.5). */
import {
  createSimulation,
  ERESOURCE,
  ExAcquireFastMutex,
  ExAcquireResourceExclusiveLite,
  ExDeleteResourceLite,
  Executive,
  ExInitializeFastMutex,
  ExInitializeResourceLite,
  FAST_MUTEX,
  FltAcquireResourceExclusive,
  FltAcquireResourceShared,
  FltReleaseResource,
  KeAcquireSpinLock,
  KeInitializeEvent,
  KeInitializeSpinLock,
  KeLeaveCriticalRegion,
  KernelMode,
  KeReleaseSpinLock,
  KeWaitForMultipleObjects,
  KeWaitForSingleObject,
  KEVENT,
  KSPIN_LOCK,
  NotificationEvent,
  relativeTicks,
  WaitAny,
  ExReleaseFastMutex,
  type Blocking,
  type Simulation,
  type VerifierRule,
} from '../../src/index.js';
import { openFromFilter, world, type Trigger } from './world.js';

/** One thread runs `body`; violations are recorded, not thrown. */
function onThread(body: () => Blocking<unknown>): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.spawn('driver thread', body);
  sim.run();
  return sim;
}

export const syncTriggers: Record<Extract<VerifierRule, 'IRQL_TOO_HIGH' | 'WAIT_AT_DISPATCH' | 'TOO_MANY_WAIT_OBJECTS' | 'CREATE_WITH_APCS_DISABLED' | 'APC_REGION_UNBALANCED' | 'OBJECT_NOT_INITIALIZED' | 'RESOURCE_WITHOUT_CRITICAL_REGION' | 'LOCK_SELF_DEADLOCK' | 'LOCK_NOT_OWNED' | 'LOCK_DELETED_WHILE_OWNED' | 'LOCK_HELD_AT_THREAD_EXIT' | 'LOCK_ORDER_INVERSION' | 'NULL_POINTER'>, Trigger> = {
  // An ERESOURCE acquired while a spin lock holds the thread at DISPATCH_LEVEL.
  IRQL_TOO_HIGH: () => {
    const [spin, resource] = [new KSPIN_LOCK('list lock'), new ERESOURCE('metadata')];
    return onThread(function* () {
      yield* KeInitializeSpinLock(spin);
      yield* ExInitializeResourceLite(resource);
      yield* KeAcquireSpinLock(spin);
      yield* FltAcquireResourceExclusive(resource);
    });
  },
  // A timed wait while holding a spin lock.
  WAIT_AT_DISPATCH: () => {
    const [spin, event] = [new KSPIN_LOCK('list lock'), new KEVENT('done')];
    return onThread(function* () {
      yield* KeInitializeSpinLock(spin);
      yield* KeInitializeEvent(event, NotificationEvent, false);
      const old = yield* KeAcquireSpinLock(spin);
      yield* KeWaitForSingleObject(event, Executive, KernelMode, false, relativeTicks(10));
      yield* KeReleaseSpinLock(spin, old);
    });
  },
  // Four objects and no WaitBlockArray.
  TOO_MANY_WAIT_OBJECTS: () => {
    const events = [new KEVENT('a'), new KEVENT('b'), new KEVENT('c'), new KEVENT('d')];
    return onThread(function* () {
      for (const e of events) yield* KeInitializeEvent(e, NotificationEvent, false);
      yield* KeWaitForMultipleObjects(4, events, WaitAny, Executive, KernelMode, false, null);
    });
  },
  // The MetadataManager mistake: FltCreateFile while holding the filter's ERESOURCE (a critical region).
  CREATE_WITH_APCS_DISABLED: () => {
    const resource = new ERESOURCE('metadata');
    const w = world({ 'metadata@300000': () => ({}) });
    w.sim.spawn('filter thread', function* () {
      yield* ExInitializeResourceLite(resource);
      yield* FltAcquireResourceExclusive(resource);
      yield* openFromFilter(w.objects('metadata'));
      yield* FltReleaseResource(resource);
    });
    w.sim.run();
    return w.sim;
  },
  APC_REGION_UNBALANCED: () => onThread(() => KeLeaveCriticalRegion()),
  // A driver waits on an event pointer it never set (a NULL PKEVENT): a NULL dereference in kernel mode.
  NULL_POINTER: () => onThread(() => KeWaitForSingleObject(null as unknown as KEVENT, Executive, KernelMode, false, null)),
  OBJECT_NOT_INITIALIZED: () => {
    const event = new KEVENT('never initialized');
    return onThread(() => KeWaitForSingleObject(event, Executive, KernelMode, false, null));
  },
  RESOURCE_WITHOUT_CRITICAL_REGION: () => {
    const resource = new ERESOURCE('metadata');
    return onThread(function* () {
      yield* ExInitializeResourceLite(resource);
      yield* ExAcquireResourceExclusiveLite(resource, true);
    });
  },
  // A FAST_MUTEX is not recursive.
  LOCK_SELF_DEADLOCK: () => {
    const mutex = new FAST_MUTEX('queue lock');
    return onThread(function* () {
      yield* ExInitializeFastMutex(mutex);
      yield* ExAcquireFastMutex(mutex);
      yield* ExAcquireFastMutex(mutex);
    });
  },
  LOCK_NOT_OWNED: () => {
    const resource = new ERESOURCE('metadata');
    return onThread(function* () {
      yield* ExInitializeResourceLite(resource);
      yield* FltReleaseResource(resource);
    });
  },
  LOCK_DELETED_WHILE_OWNED: () => {
    const resource = new ERESOURCE('metadata');
    return onThread(function* () {
      yield* ExInitializeResourceLite(resource);
      yield* FltAcquireResourceShared(resource);
      yield* ExDeleteResourceLite(resource);
    });
  },
  LOCK_HELD_AT_THREAD_EXIT: () => {
    const mutex = new FAST_MUTEX('queue lock');
    return onThread(function* () {
      yield* ExInitializeFastMutex(mutex);
      yield* ExAcquireFastMutex(mutex);
    });
  },
  // Two threads, one after the other, take two fast mutexes in opposite orders: no deadlock in this
  // run, but a schedule exists that deadlocks (Driver Verifier 0xC4/0x1001).
  LOCK_ORDER_INVERSION: () => {
    const [a, b] = [new FAST_MUTEX('A'), new FAST_MUTEX('B')];
    const sim = createSimulation({ onViolation: 'record' });
    const inOrder = (first: FAST_MUTEX, second: FAST_MUTEX) =>
      function* () {
        yield* ExAcquireFastMutex(first);
        yield* ExAcquireFastMutex(second);
        yield* ExReleaseFastMutex(second);
        yield* ExReleaseFastMutex(first);
      };
    sim.spawn('init', function* () {
      yield* ExInitializeFastMutex(a);
      yield* ExInitializeFastMutex(b);
    });
    sim.run();
    sim.spawn('A then B', inOrder(a, b));
    sim.run();
    sim.spawn('B then A', inOrder(b, a));
    sim.run();
    return sim;
  },
};
