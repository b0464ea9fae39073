// The locks a minifilter uses (§18.4): ERESOURCE through the Flt wrappers and ExAcquireResource*Lite,
// FAST_MUTEX, guarded mutex, push locks, spin locks, and interlocked operations. Every acquire and
// release is a fact on the lock (K…) and a scheduling point; the lock's machine decides.
import { describe, expect, it } from 'vitest';
import {
  APC_LEVEL,
  createSimulation,
  DISPATCH_LEVEL,
  ERESOURCE,
  EX_PUSH_LOCK,
  ExAcquireFastMutex,
  ExAcquireResourceExclusiveLite,
  ExAcquireResourceSharedLite,
  ExInitializeFastMutex,
  ExInitializeResourceLite,
  ExIsResourceAcquiredExclusiveLite,
  ExIsResourceAcquiredSharedLite,
  ExReleaseFastMutex,
  ExReleaseResourceLite,
  FAST_MUTEX,
  FltAcquirePushLockExclusive,
  FltAcquirePushLockShared,
  FltAcquireResourceExclusive,
  FltAcquireResourceShared,
  FltInitializePushLock,
  FltReleasePushLock,
  FltReleaseResource,
  foldLog,
  InterlockedIncrement,
  KeAcquireGuardedMutex,
  KeAcquireSpinLock,
  KeAreAllApcsDisabled,
  KeEnterCriticalRegion,
  KeGetCurrentIrql,
  KeInitializeGuardedMutex,
  KeInitializeSpinLock,
  KeLeaveCriticalRegion,
  KeReleaseGuardedMutex,
  KeReleaseSpinLock,
  KGUARDED_MUTEX,
  KSPIN_LOCK,
  preempt,
  sleep,
  type Blocking,
  type Simulation,
} from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';

const LOCK_FACTS = ['LockInitialize', 'LockAcquire', 'LockRelease', 'LockDelete', 'ApcRegion', 'ThreadWait', 'ThreadWake'] as const;

function init(sim: Simulation, body: () => Blocking<unknown>): void {
  sim.spawn('DriverEntry', body);
  sim.run();
}

describe('ERESOURCE (§18.4)', () => {
  it('FltAcquireResourceExclusive enters a critical region and waits for the shared owners; the exclusive owner may re-acquire in either mode', () => {
    const sim = createSimulation();
    const r = new ERESOURCE('metadata');
    init(sim, () => ExInitializeResourceLite(r));
    for (const name of ['reader 1', 'reader 2']) {
      sim.spawn(name, function* () {
        yield* FltAcquireResourceShared(r);
        yield* sleep(2);
        yield* FltReleaseResource(r);
      });
    }
    sim.spawn('writer', function* () {
      yield* sleep(1);
      yield* FltAcquireResourceExclusive(r);
      yield* FltAcquireResourceShared(r); // recursive: the exclusive owner
      expect(sim.state().locks['K1']).toEqual({ name: 'metadata', lockType: 'ERESOURCE', state: 'OwnedExclusive', owners: { T4: 2 } });
      expect(sim.state().threads['T4']!.criticalRegion).toBe(2);
      yield* FltReleaseResource(r);
      yield* FltReleaseResource(r);
    });
    sim.run();
    expect(compactTrace(sim.log, { types: LOCK_FACTS })).toEqual([
      'K1(metadata (ERESOURCE)) LockInitialize ExInitializeResourceLite name=metadata ERESOURCE',
      'T2(reader 1) ApcRegion FltAcquireResourceShared critical=1 guarded=0',
      'K1(metadata (ERESOURCE)) LockAcquire FltAcquireResourceShared by=T2:reader 1 Shared',
      'T3(reader 2) ApcRegion FltAcquireResourceShared critical=1 guarded=0',
      'K1(metadata (ERESOURCE)) LockAcquire FltAcquireResourceShared by=T3:reader 2 Shared',
      'T4(writer) ApcRegion FltAcquireResourceExclusive critical=1 guarded=0',
      'T4(writer) ThreadWait on=K1 (FltAcquireResourceExclusive K1 \'metadata\' Exclusive)',
      'K1(metadata (ERESOURCE)) LockRelease FltReleaseResource by=T2:reader 1',
      'T2(reader 1) ApcRegion FltReleaseResource critical=0 guarded=0',
      'T4(writer) ThreadWake by=K1',
      // Woken by the first release, the writer runs again only after the second reader let go, so it is granted at once.
      'K1(metadata (ERESOURCE)) LockRelease FltReleaseResource by=T3:reader 2',
      'T3(reader 2) ApcRegion FltReleaseResource critical=0 guarded=0',
      'K1(metadata (ERESOURCE)) LockAcquire FltAcquireResourceExclusive by=T4:writer Exclusive',
      'T4(writer) ApcRegion FltAcquireResourceShared critical=2 guarded=0',
      'K1(metadata (ERESOURCE)) LockAcquire FltAcquireResourceShared by=T4:writer Shared',
      'K1(metadata (ERESOURCE)) LockRelease FltReleaseResource by=T4:writer',
      'T4(writer) ApcRegion FltReleaseResource critical=1 guarded=0',
      'K1(metadata (ERESOURCE)) LockRelease FltReleaseResource by=T4:writer',
      'T4(writer) ApcRegion FltReleaseResource critical=0 guarded=0',
    ]);
    expect(sim.state().locks['K1']).toMatchObject({ state: 'Free', owners: {} });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a shared owner asking for exclusive would wait for itself: LOCK_SELF_DEADLOCK, not a hang', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const r = new ERESOURCE('metadata');
    init(sim, () => ExInitializeResourceLite(r));
    sim.spawn('upgrader', function* () {
      yield* FltAcquireResourceShared(r);
      yield* FltAcquireResourceExclusive(r);
    });
    expect(sim.run()).toMatchObject({ reason: 'idle' });
    expect(sim.state().violations).toEqual([{ seq: expect.any(Number), object: 'K1', rule: 'LOCK_SELF_DEADLOCK' }]);
    expect(sim.log.find((f) => f.type === 'VerifierViolation')).toMatchObject({ message: expect.stringContaining('holds the resource shared and asks for it exclusive') });
  });

  it('ExAcquireResource*Lite needs normal kernel APCs disabled first; with Wait = FALSE it returns FALSE instead of waiting', () => {
    const sim = createSimulation();
    const r = new ERESOURCE('table');
    init(sim, () => ExInitializeResourceLite(r));
    const seen: boolean[] = [];
    sim.spawn('holder', function* () {
      yield* KeEnterCriticalRegion();
      seen.push(yield* ExAcquireResourceExclusiveLite(r, true));
      yield* sleep(5);
      yield* ExReleaseResourceLite(r);
      yield* KeLeaveCriticalRegion();
    });
    sim.spawn('try', function* () {
      yield* sleep(1);
      yield* KeEnterCriticalRegion();
      seen.push(yield* ExAcquireResourceSharedLite(r, false));
      yield* KeLeaveCriticalRegion();
    });
    sim.run();
    expect(seen).toEqual([true, false]);
  });
});

describe('ExIsResourceAcquiredExclusiveLite / ExIsResourceAcquiredSharedLite (§18.4)', () => {
  it('answer for the calling thread only: the exclusive owner counts its holds in both queries, a shared owner only in the shared one, another thread sees 0', () => {
    const sim = createSimulation();
    const r = new ERESOURCE('list');
    init(sim, () => ExInitializeResourceLite(r));
    const seen: [string, boolean, number][] = [];
    const look = function* (who: string): Blocking<void> {
      seen.push([who, yield* ExIsResourceAcquiredExclusiveLite(r), yield* ExIsResourceAcquiredSharedLite(r)]);
    };
    sim.spawn('owner', function* () {
      yield* look('owner before');
      yield* FltAcquireResourceExclusive(r);
      yield* FltAcquireResourceShared(r);
      yield* look('owner holding twice');
      yield* sleep(5);
      yield* FltReleaseResource(r);
      yield* FltReleaseResource(r);
      yield* FltAcquireResourceShared(r);
      yield* look('owner holding shared');
      yield* FltReleaseResource(r);
    });
    sim.spawn('other', function* () {
      yield* sleep(1);
      yield* look('other thread');
    });
    sim.run();
    expect(seen).toEqual([
      ['owner before', false, 0],
      ['owner holding twice', true, 2],
      ['other thread', false, 0],
      ['owner holding shared', false, 1],
    ]);
  });

  it('on a resource never initialized: OBJECT_NOT_INITIALIZED', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const r = new ERESOURCE('never');
    sim.spawn('asker', function* () {
      yield* ExIsResourceAcquiredSharedLite(r);
    });
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['OBJECT_NOT_INITIALIZED']);
  });
});

describe('FAST_MUTEX, guarded mutex, push lock, spin lock (§18.4, §18.1)', () => {
  it('a fast mutex holder runs at APC_LEVEL; a guarded mutex holder is in a guarded region (all APCs off)', () => {
    const sim = createSimulation();
    const [fm, gm] = [new FAST_MUTEX('queue'), new KGUARDED_MUTEX('list')];
    const seen: unknown[] = [];
    init(sim, function* () {
      yield* ExInitializeFastMutex(fm);
      yield* KeInitializeGuardedMutex(gm);
      yield* ExAcquireFastMutex(fm);
      seen.push(yield* KeGetCurrentIrql());
      yield* ExReleaseFastMutex(fm);
      seen.push(yield* KeGetCurrentIrql());
      yield* KeAcquireGuardedMutex(gm);
      seen.push(yield* KeAreAllApcsDisabled());
      yield* KeReleaseGuardedMutex(gm);
      seen.push(yield* KeAreAllApcsDisabled());
    });
    expect(seen).toEqual([APC_LEVEL, 0, true, false]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('push locks: two shared owners at once, exclusive waits for both; an owner acquiring again is LOCK_SELF_DEADLOCK', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const p = new EX_PUSH_LOCK('cache');
    init(sim, () => FltInitializePushLock(p));
    for (const name of ['reader 1', 'reader 2']) {
      sim.spawn(name, function* () {
        yield* FltAcquirePushLockShared(p);
        expect(sim.state().locks['K1']!.state).toBe('OwnedShared');
        yield* sleep(1);
        yield* FltReleasePushLock(p);
      });
    }
    sim.spawn('writer', function* () {
      yield* FltAcquirePushLockExclusive(p);
      expect(sim.now).toBe(1);
      yield* FltAcquirePushLockShared(p);
    });
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['LOCK_SELF_DEADLOCK']);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('KeAcquireSpinLock raises to DISPATCH_LEVEL and returns the old IRQL; a second spin lock may be spun on at DISPATCH_LEVEL', () => {
    const sim = createSimulation();
    const [a, b] = [new KSPIN_LOCK('a'), new KSPIN_LOCK('b')];
    const seen: unknown[] = [];
    init(sim, function* () {
      yield* KeInitializeSpinLock(a);
      yield* KeInitializeSpinLock(b);
    });
    sim.spawn('holder of b', function* () {
      const old = yield* KeAcquireSpinLock(b);
      yield* preempt();
      yield* preempt();
      yield* KeReleaseSpinLock(b, old);
    });
    sim.spawn('nested', function* () {
      const oldA = yield* KeAcquireSpinLock(a);
      seen.push(oldA, yield* KeGetCurrentIrql());
      const oldB = yield* KeAcquireSpinLock(b); // spins at DISPATCH_LEVEL until "holder of b" lets go
      seen.push(oldB);
      yield* KeReleaseSpinLock(b, oldB);
      yield* KeReleaseSpinLock(a, oldA);
      seen.push(yield* KeGetCurrentIrql());
    });
    sim.run();
    expect(seen).toEqual([0, DISPATCH_LEVEL, DISPATCH_LEVEL, 0]);
    expect(sim.state().violations).toEqual([]);
  });
});

describe('contention is a scheduling choice (§18.4)', () => {
  it('two threads contending for a fast mutex: across seeds, each wins in some schedule, and the loser waits on the lock', () => {
    const winners = new Set<string>();
    for (let seed = 1; seed <= 16; seed++) {
      const sim = createSimulation({ seed, strategy: 'random' });
      const m = new FAST_MUTEX('m');
      init(sim, () => ExInitializeFastMutex(m));
      for (const name of ['first', 'second']) {
        sim.spawn(name, function* () {
          yield* ExAcquireFastMutex(m);
          yield* preempt();
          yield* ExReleaseFastMutex(m);
        });
      }
      expect(sim.run()).toMatchObject({ reason: 'idle' });
      const acquires = sim.log.filter((f) => f.type === 'LockAcquire').map((f) => (f as { thread: string }).thread);
      expect(acquires).toHaveLength(2);
      winners.add(acquires[0]!);
    }
    expect([...winners].sort()).toEqual(['T2', 'T3']);
  });

  it('a counter bumped with InterlockedIncrement never loses an update; the same bump as read-preempt-write does in some schedule', () => {
    const finals = (interlocked: boolean): Set<number> => {
      const out = new Set<number>();
      for (let seed = 1; seed <= 16; seed++) {
        const sim = createSimulation({ seed, strategy: 'random' });
        const counter = { value: 0 };
        for (const name of ['a', 'b']) {
          sim.spawn(name, function* () {
            if (interlocked) yield* InterlockedIncrement(counter);
            else {
              const read = counter.value;
              yield* preempt();
              counter.value = read + 1;
            }
          });
        }
        sim.run();
        out.add(counter.value);
      }
      return out;
    };
    expect([...finals(true)]).toEqual([2]);
    expect([...finals(false)].sort()).toEqual([1, 2]);
  });
});
