// The kernel's waits on objects (§18.2): WaitAny / WaitAll, timeouts on the virtual clock, and
// synchronization (auto-reset) waitables. The KEVENT, KeWaitFor* and lock routines build on these.
import { describe, expect, it } from 'vitest';
import { createSimulation, foldLog, sleep, UsageError } from '../../src/index.js';
import { waitForObjects, waitFor, type WaitOutcome } from '../../src/kernel/effects.js';

function trace(sim: ReturnType<typeof createSimulation>): string[] {
  return sim.log
    .filter((f) => ['ThreadWait', 'ThreadWaitObjects', 'ThreadWake', 'ClockAdvance'].includes(f.type))
    .map((f) => `t=${f.time} ${f.object} ${f.type}${'by' in f ? ` by=${f.by}` : ''}${'until' in f && f.type === 'ThreadWaitObjects' ? ` until=${f.until}` : ''}`);
}

describe('waits on objects (§18.2)', () => {
  it('WaitAny returns the index of the object whose signal released it', () => {
    const sim = createSimulation();
    const [a, b] = [sim.kernel.createWaitable('a', 'notification'), sim.kernel.createWaitable('b', 'notification')];
    let outcome: WaitOutcome | null = null;
    sim.spawn('waiter', function* () {
      outcome = yield* waitForObjects([a, b], 'WaitAny', null, 'a or b');
    });
    sim.spawn('setter', function* () {
      yield* sleep(5);
      sim.kernel.signal(b);
    });
    sim.run();
    expect(outcome).toEqual({ kind: 'signaled', index: 1 });
    expect(trace(sim)).toEqual(['t=0 T1 ThreadWaitObjects until=null', 't=5 sim ClockAdvance', 't=5 T1 ThreadWake by=W2']);
  });

  it('WaitAll waits until every object is signaled at once', () => {
    const sim = createSimulation();
    const [a, b] = [sim.kernel.createWaitable('a', 'notification'), sim.kernel.createWaitable('b', 'notification')];
    const seen: string[] = [];
    sim.spawn('waiter', function* () {
      const r = yield* waitForObjects([a, b], 'WaitAll', null, 'a and b');
      seen.push(`released at t=${sim.now} ${JSON.stringify(r)}`);
    });
    sim.spawn('setter', function* () {
      sim.kernel.signal(a);
      yield* sleep(3);
      sim.kernel.signal(b);
    });
    sim.run();
    expect(seen).toEqual(['released at t=3 {"kind":"signaled","index":0}']);
  });

  it('a wait with a timeout ends with STATUS_TIMEOUT on the virtual clock, and is no deadlock meanwhile', () => {
    const sim = createSimulation();
    const never = sim.kernel.createWaitable('never set', 'notification');
    let outcome: WaitOutcome | null = null;
    sim.spawn('waiter', function* () {
      outcome = yield* waitForObjects([never], 'WaitAny', 10, 'bounded');
    });
    const result = sim.run();
    expect(outcome).toEqual({ kind: 'timeout' });
    expect(sim.now).toBe(10);
    expect(result).toMatchObject({ reason: 'idle' });
    expect(trace(sim)).toEqual(['t=0 T1 ThreadWaitObjects until=10', 't=10 sim ClockAdvance', 't=10 T1 ThreadWake by=timeout']);
    expect(sim.log.filter((f) => f.type === 'ThreadCreate').map((f) => f.type === 'ThreadCreate' && f.name)).toEqual(['waiter', 'timeout of T1']);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a zero timeout polls: it never blocks', () => {
    const sim = createSimulation();
    const w = sim.kernel.createWaitable('w', 'notification');
    const outcomes: WaitOutcome[] = [];
    sim.spawn('poller', function* () {
      outcomes.push(yield* waitForObjects([w], 'WaitAny', 0, 'poll'));
      sim.kernel.signal(w);
      outcomes.push(yield* waitForObjects([w], 'WaitAny', 0, 'poll'));
    });
    sim.run();
    expect(outcomes).toEqual([{ kind: 'timeout' }, { kind: 'signaled', index: 0 }]);
    expect(trace(sim)).toEqual([]);
  });

  it('a synchronization waitable releases one waiter per signal, first come first served, and resets', () => {
    const sim = createSimulation();
    const gate = sim.kernel.createWaitable('auto-reset', 'synchronization');
    const order: string[] = [];
    for (const name of ['first', 'second']) {
      sim.spawn(name, function* () {
        yield* waitFor(gate, 'gate');
        order.push(`${name}@${sim.now}`);
      });
    }
    sim.spawn('setter', function* () {
      yield* sleep(1);
      sim.kernel.signal(gate);
      yield* sleep(1);
      sim.kernel.signal(gate);
      yield* sleep(1);
      sim.kernel.signal(gate); // nobody waits: it stays signaled for the next wait, which consumes it
    });
    sim.run();
    expect(order).toEqual(['first@1', 'second@2']);
    expect(gate.signaled).toBe(true);
    sim.spawn('late', function* () {
      yield* waitFor(gate, 'gate');
      order.push('late');
    });
    sim.run();
    expect(order).toEqual(['first@1', 'second@2', 'late']);
    expect(gate.signaled).toBe(false);
  });

  it('a set and a timeout due at the same tick race: the scheduler orders them, and each run has exactly one wake', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const sim = createSimulation({ seed, strategy: 'random' });
      const w = sim.kernel.createWaitable('w', 'synchronization');
      let outcome: WaitOutcome | null = null;
      sim.spawn('waiter', function* () {
        outcome = yield* waitForObjects([w], 'WaitAny', 4, 'race');
      });
      sim.spawn('setter', function* () {
        yield* sleep(4);
        sim.kernel.signal(w);
      });
      sim.run();
      outcomes.add(outcome!.kind);
      expect(sim.log.filter((f) => f.type === 'ThreadWake' && f.object === 'T1')).toHaveLength(1);
      // Lost to the timeout, the set stays pending on the auto-reset event; taken by the wait, it is consumed.
      expect(w.signaled).toBe(outcome!.kind === 'timeout');
    }
    expect([...outcomes].sort()).toEqual(['signaled', 'timeout']);
  });

  it('a wait satisfied before its deadline takes its timer off the clock', () => {
    const sim = createSimulation();
    const w = sim.kernel.createWaitable('w', 'notification');
    sim.spawn('waiter', function* () {
      yield* waitForObjects([w], 'WaitAny', 100, 'bounded');
    });
    sim.spawn('setter', function* () {
      yield* sleep(2);
      sim.kernel.signal(w);
    });
    sim.run();
    expect(sim.now).toBe(2);
    const timer = sim.log.find((f) => f.type === 'ThreadCreate' && f.name === 'timeout of T1')!;
    expect(sim.log.filter((f) => f.object === timer.object).map((f) => f.type)).toEqual(['ThreadCreate', 'ThreadSleep', 'ThreadExit']);
  });

  it('bad waits are refused before anything blocks', () => {
    const sim = createSimulation();
    const p = sim.kernel.createWaitable('p', 'pulse');
    expect(() => waitForObjects([], 'WaitAny', null, 'x').next()).toThrow(UsageError);
    expect(() => waitForObjects([p], 'WaitAll', null, 'x').next()).toThrow(/pulse/);
    expect(() => waitForObjects([p], 'WaitAny', -1, 'x').next()).toThrow(/timeout/);
  });
});
