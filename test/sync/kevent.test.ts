// KEVENT and the dispatcher waits (§18.2): KeInitializeEvent, KeSetEvent / KeResetEvent /
// KeClearEvent / KeReadStateEvent, KeWaitForSingleObject / KeWaitForMultipleObjects with timeouts
// on the virtual clock (one tick = 1 ms = 10,000 units of 100 ns).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  DISPATCH_LEVEL,
  Executive,
  foldLog,
  KEVENT,
  KeClearEvent,
  KeInitializeEvent,
  KernelMode,
  KeReadStateEvent,
  KeResetEvent,
  KeSetEvent,
  KeWaitForMultipleObjects,
  KeWaitForSingleObject,
  NotificationEvent,
  relativeTicks,
  sleep,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  STATUS_WAIT_0,
  SynchronizationEvent,
  timeoutToTicks,
  WaitAll,
  WaitAny,
  type Blocking,
  type Simulation,
} from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';

/** Initialize `events` on a thread of their own, as DriverEntry would. */
function initialized(sim: Simulation, events: readonly [KEVENT, 'NotificationEvent' | 'SynchronizationEvent', boolean][]): void {
  sim.spawn('DriverEntry', function* () {
    for (const [e, type, state] of events) yield* KeInitializeEvent(e, type, state);
  });
  sim.run();
}

const SYNC_FACTS = ['KeInitializeEvent', 'KeSetEvent', 'KeResetEvent', 'KeClearEvent', 'EventAutoReset', 'KeWait', 'KeWaitReturned', 'ThreadWake'] as const;

describe('KEVENT (§18.2)', () => {
  it('a NotificationEvent releases every waiter and stays signaled until KeResetEvent; set and reset report the previous state', () => {
    const sim = createSimulation();
    const ready = new KEVENT('ready');
    initialized(sim, [[ready, NotificationEvent, false]]);
    const seen: string[] = [];
    for (const name of ['scan 1', 'scan 2']) {
      sim.spawn(name, function* () {
        const status = yield* KeWaitForSingleObject(ready, Executive, KernelMode, false, null);
        seen.push(`${name} ${status === STATUS_SUCCESS ? 'STATUS_SUCCESS' : status}`);
      });
    }
    sim.spawn('setter', function* () {
      yield* sleep(1);
      seen.push(`first set: previous ${yield* KeSetEvent(ready, 0, false)}`);
      seen.push(`second set: previous ${yield* KeSetEvent(ready, 0, false)}`);
      seen.push(`read: ${yield* KeReadStateEvent(ready)}`);
      seen.push(`reset: previous ${yield* KeResetEvent(ready)}`);
      yield* KeClearEvent(ready);
      seen.push(`read: ${yield* KeReadStateEvent(ready)}`);
    });
    sim.run();
    // In-order scheduling lets the setter run on; the waiters, released by the first set, run after it.
    expect(seen).toEqual(['first set: previous false', 'second set: previous true', 'read: true', 'reset: previous true', 'read: false', 'scan 1 STATUS_SUCCESS', 'scan 2 STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: SYNC_FACTS })).toEqual([
      'E1(ready (NotificationEvent)) KeInitializeEvent name=ready NotificationEvent not-signaled',
      'T2(scan 1) KeWait KeWaitForSingleObject on=E1 timeout=none',
      'T3(scan 2) KeWait KeWaitForSingleObject on=E1 timeout=none',
      'E1(ready (NotificationEvent)) KeSetEvent by=T4:setter previous=0',
      'T2(scan 1) ThreadWake by=E1',
      'T3(scan 2) ThreadWake by=E1',
      'E1(ready (NotificationEvent)) KeSetEvent by=T4:setter previous=1',
      'E1(ready (NotificationEvent)) KeResetEvent by=T4:setter previous=1',
      'E1(ready (NotificationEvent)) KeClearEvent by=T4:setter',
      'T2(scan 1) KeWaitReturned KeWaitForSingleObject status=STATUS_SUCCESS',
      'T3(scan 2) KeWaitReturned KeWaitForSingleObject status=STATUS_SUCCESS',
    ]);
    expect(sim.state().events).toEqual({ E1: { name: 'ready', eventType: 'NotificationEvent', state: 'NotSignaled', setBy: ['T4'] } });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a SynchronizationEvent releases one wait per set and resets itself (EventAutoReset); a set nobody takes stays pending', () => {
    const sim = createSimulation();
    const work = new KEVENT('work');
    initialized(sim, [[work, SynchronizationEvent, false]]);
    const order: string[] = [];
    for (const name of ['worker A', 'worker B']) {
      sim.spawn(name, function* () {
        yield* KeWaitForSingleObject(work, Executive, KernelMode, false, null);
        order.push(`${name}@${sim.now}`);
      });
    }
    sim.spawn('producer', function* () {
      for (let i = 0; i < 3; i++) {
        yield* sleep(1);
        yield* KeSetEvent(work, 0, false);
      }
    });
    sim.run();
    expect(order).toEqual(['worker A@1', 'worker B@2']);
    expect(compactTrace(sim.log, { types: ['KeSetEvent', 'EventAutoReset'] })).toEqual([
      'E1(work (SynchronizationEvent)) KeSetEvent by=T4:producer previous=0',
      'E1(work (SynchronizationEvent)) EventAutoReset by=T2:worker A',
      'E1(work (SynchronizationEvent)) KeSetEvent by=T4:producer previous=0',
      'E1(work (SynchronizationEvent)) EventAutoReset by=T3:worker B',
      'E1(work (SynchronizationEvent)) KeSetEvent by=T4:producer previous=0',
    ]);
    expect(sim.state().events['E1']!.state).toBe('Signaled');
    // The pending set is consumed by the next wait, without blocking.
    sim.spawn('late', function* () {
      return yield* KeWaitForSingleObject(work, Executive, KernelMode, false, 0);
    });
    sim.run();
    expect(compactTrace(sim.log, { types: ['EventAutoReset', 'KeWaitReturned'], from: sim.log.length - 4 })).toEqual([
      'E1(work (SynchronizationEvent)) EventAutoReset by=T5:late',
      'T5(late) KeWaitReturned KeWaitForSingleObject status=STATUS_SUCCESS',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('initialized signaled, a NotificationEvent satisfies a wait at once', () => {
    const sim = createSimulation();
    const open = new KEVENT('open');
    initialized(sim, [[open, NotificationEvent, true]]);
    sim.spawn('waiter', () => KeWaitForSingleObject(open, Executive, KernelMode, false, null));
    sim.run();
    expect(sim.thread('T2')!.result).toBe(STATUS_SUCCESS);
    expect(sim.state().events['E1']!.state).toBe('Signaled');
  });
});

describe('KeWaitForSingleObject / KeWaitForMultipleObjects timeouts (§18.2)', () => {
  it('relative 100-ns timeouts map to virtual ticks (1 tick = 10,000 units, rounded up); 0 polls; NULL waits forever; absolute times count from the start', () => {
    expect(timeoutToTicks(null, 0)).toBeNull();
    expect(timeoutToTicks(0, 5)).toBe(0);
    expect(timeoutToTicks(-10_000, 0)).toBe(1);
    expect(timeoutToTicks(-1, 0)).toBe(1);
    expect(timeoutToTicks(-10_000_000n, 0)).toBe(1000); // avscan's one second
    expect(timeoutToTicks(50_000, 2)).toBe(3); // absolute: tick 5, now 2
    expect(timeoutToTicks(10_000, 7)).toBe(0); // absolute time already past: a poll
    expect(relativeTicks(4)).toBe(-40_000);
  });

  it('a wait that times out returns STATUS_TIMEOUT (a success code) at its deadline; a poll of an unsignaled event returns STATUS_TIMEOUT at once', () => {
    const sim = createSimulation();
    const never = new KEVENT('never set');
    initialized(sim, [[never, NotificationEvent, false]]);
    const seen: string[] = [];
    sim.spawn('scanner', function* () {
      const poll = yield* KeWaitForSingleObject(never, Executive, KernelMode, false, 0);
      seen.push(`poll at t=${sim.now}: ${poll === STATUS_TIMEOUT ? 'STATUS_TIMEOUT' : poll}`);
      const timed = yield* KeWaitForSingleObject(never, Executive, KernelMode, false, relativeTicks(25));
      seen.push(`wait at t=${sim.now}: ${timed === STATUS_TIMEOUT ? 'STATUS_TIMEOUT' : timed}`);
    });
    expect(sim.run()).toMatchObject({ reason: 'idle' });
    expect(seen).toEqual(['poll at t=0: STATUS_TIMEOUT', 'wait at t=25: STATUS_TIMEOUT']);
    expect(compactTrace(sim.log, { types: ['KeWait', 'KeWaitReturned'] })).toEqual([
      'T2(scanner) KeWait KeWaitForSingleObject on=E1 timeout=0',
      'T2(scanner) KeWaitReturned KeWaitForSingleObject status=STATUS_TIMEOUT',
      'T2(scanner) KeWait KeWaitForSingleObject on=E1 timeout=25',
      'T2(scanner) KeWaitReturned KeWaitForSingleObject status=STATUS_TIMEOUT',
    ]);
  });

  it('WaitAny returns STATUS_WAIT_0 + the index of the object that satisfied it; WaitAll returns STATUS_SUCCESS once all are signaled', () => {
    const sim = createSimulation();
    const [reply, abort, a, b] = [new KEVENT('reply'), new KEVENT('abort'), new KEVENT('a'), new KEVENT('b')];
    initialized(sim, [
      [reply, SynchronizationEvent, false],
      [abort, NotificationEvent, false],
      [a, NotificationEvent, false],
      [b, NotificationEvent, false],
    ]);
    const results: number[] = [];
    sim.spawn('scan', function* () {
      results.push(yield* KeWaitForMultipleObjects(2, [reply, abort], WaitAny, Executive, KernelMode, false, null));
      results.push(yield* KeWaitForMultipleObjects(2, [a, b], WaitAll, Executive, KernelMode, false, null));
    });
    sim.spawn('teardown', function* (): Blocking<void> {
      yield* sleep(3);
      yield* KeSetEvent(abort, 0, false);
      yield* KeSetEvent(b, 0, false);
      yield* sleep(3);
      yield* KeSetEvent(a, 0, false);
    });
    sim.run();
    expect(results).toEqual([STATUS_WAIT_0 + 1, STATUS_SUCCESS]);
    expect(sim.now).toBe(6);
  });
});

describe('waits and IRQL (§18.2, §19.9 invariant 18)', () => {
  it('a zero-timeout poll is allowed at DISPATCH_LEVEL; a real wait there is WAIT_AT_DISPATCH with the thread and log position', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const e = new KEVENT('e');
    initialized(sim, [[e, NotificationEvent, false]]);
    sim.spawn('dpc-like', function* () {
      sim.kernel.current!.irql = DISPATCH_LEVEL;
      const poll = yield* KeWaitForSingleObject(e, Executive, KernelMode, false, 0);
      expect(poll).toBe(STATUS_TIMEOUT);
      yield* KeWaitForSingleObject(e, Executive, KernelMode, false, relativeTicks(1));
    });
    sim.run();
    expect(sim.state().violations).toEqual([{ seq: expect.any(Number), object: 'T2', rule: 'WAIT_AT_DISPATCH' }]);
    expect(sim.thread('T2')!.error).toMatchObject({ rule: 'WAIT_AT_DISPATCH', object: 'T2' });
  });
});
