// The scheduler: every interleaving point is a recorded choice; blocking is a scheduling point.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  preempt,
  replayStrategy,
  ReplayDivergenceError,
  sleep,
  type Strategy,
} from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';

function* worker(tag: string, out: string[], n = 3) {
  for (let i = 0; i < n; i++) {
    out.push(`${tag}${i}`);
    yield* preempt();
  }
  return 0;
}

describe('scheduler', () => {
  it('in-order keeps running the thread that ran last, then the oldest ready one', () => {
    const sim = createSimulation();
    const out: string[] = [];
    sim.spawn('a', () => worker('a', out));
    sim.spawn('b', () => worker('b', out));
    sim.run();
    expect(out).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
    expect(sim.choices.every((c) => c === 'T1' || c === 'T2')).toBe(true);
  });

  it('random interleaves by seed and records every real choice (only when two or more can run)', () => {
    const runs = [1, 2, 3, 4, 5].map((seed) => {
      const sim = createSimulation({ seed, strategy: 'random' });
      const out: string[] = [];
      sim.spawn('a', () => worker('a', out));
      sim.spawn('b', () => worker('b', out));
      sim.run();
      const choiceFacts = sim.log.filter((f) => f.type === 'Choice');
      expect(choiceFacts.map((f) => f.object)).toEqual(sim.choices);
      return out.join(',');
    });
    expect(new Set(runs).size).toBeGreaterThan(1);
  });

  it('a custom strategy sees only the enabled threads and decides', () => {
    const seen: string[][] = [];
    const lastFirst: Strategy = {
      name: 'last-first',
      choose(enabled) {
        seen.push(enabled.map((t) => t.id));
        return enabled.length - 1;
      },
    };
    const sim = createSimulation({ strategy: lastFirst });
    const out: string[] = [];
    sim.spawn('a', () => worker('a', out, 2));
    sim.spawn('b', () => worker('b', out, 2));
    sim.run();
    expect(out).toEqual(['b0', 'b1', 'a0', 'a1']);
    expect(seen[0]).toEqual(['T1', 'T2']);
  });

  it('replay follows recorded choices and reports a divergence with the first choice that differs', () => {
    const sim = createSimulation({ strategy: replayStrategy(['T2', 'T9']) });
    const out: string[] = [];
    sim.spawn('a', () => worker('a', out));
    sim.spawn('b', () => worker('b', out));
    expect(() => sim.run()).toThrow(ReplayDivergenceError);
    expect(() => sim.run()).toThrow(/replay diverged at choice 1: recorded T9, enabled T1, T2/);
    expect(out[0]).toBe('b0');
  });

  it('sleep moves virtual time only when nothing else can run, and logs it', () => {
    const sim = createSimulation();
    const times: number[] = [];
    sim.spawn('sleeper', function* () {
      yield* sleep(5);
      times.push(sim.now);
      yield* sleep(0);
      times.push(sim.now);
      return 0;
    });
    sim.run();
    expect(times).toEqual([5, 5]);
    expect(compactTrace(sim.log, { types: ['ThreadSleep', 'ClockAdvance'] })).toEqual(['T1(sleeper) ThreadSleep until=5', 'sim ClockAdvance to=5']);
  });

  it('join waits for a thread and returns its result', () => {
    const sim = createSimulation();
    const child = sim.spawn('child', function* () {
      yield* sleep(3);
      return 42;
    });
    const parent = sim.spawn('parent', function* () {
      return yield* sim.join(child);
    });
    sim.run();
    expect(parent.result).toBe(42);
  });

  it('a run where threads wait on each other ends in a deadlock that names them', () => {
    const sim = createSimulation();
    const handles: { a?: ReturnType<typeof sim.spawn>; b?: ReturnType<typeof sim.spawn> } = {};
    handles.a = sim.spawn('a', function* () {
      yield* sleep(1);
      return yield* sim.join(handles.b!);
    });
    handles.b = sim.spawn('b', function* () {
      yield* sleep(1);
      return yield* sim.join(handles.a!);
    });
    const r = sim.run();
    expect(r.reason).toBe('deadlock');
    expect(r.reason === 'deadlock' && r.blocked.map((b) => `${b.name}: ${b.reason}`)).toEqual(['a: join T2', 'b: join T1']);
  });

  it('a thrown programming error in simulated code ends the thread, is logged, and propagates out of run()', () => {
    const sim = createSimulation();
    sim.spawn('buggy', function* () {
      yield* preempt();
      throw new TypeError('boom');
    });
    expect(() => sim.run()).toThrow('boom');
    expect(sim.state().threads.T1).toMatchObject({ state: 'exited', error: 'boom' });
    expect(sim.run().reason).toBe('idle');
  });

  it('step() runs one segment at a time and reports idle at the end', () => {
    const sim = createSimulation();
    sim.spawn('a', () => worker('a', []));
    const kinds: string[] = [];
    for (;;) {
      const r = sim.step();
      kinds.push(r.kind);
      if (r.kind !== 'ran') break;
    }
    expect(kinds).toEqual(['ran', 'ran', 'ran', 'ran', 'idle']);
  });
});

describe('isolation', () => {
  it('two simulations stepped alternately produce the same logs as each run alone', () => {
    const make = (seed: number) => {
      const sim = createSimulation({ seed, strategy: 'random' });
      sim.spawn('a', () => worker('a', [], 5));
      sim.spawn('b', () => worker('b', [], 5));
      return sim;
    };
    const aloneA = make(1);
    aloneA.run();
    const aloneB = make(2);
    aloneB.run();
    const a = make(1);
    const b = make(2);
    for (let i = 0; i < 100; i++) {
      a.step();
      b.step();
    }
    expect(JSON.stringify(a.log)).toBe(JSON.stringify(aloneA.log));
    expect(JSON.stringify(b.log)).toBe(JSON.stringify(aloneB.log));
    // No ids, counters or waitables leak across: both start their objects at 1.
    expect(a.log[1]!.object).toBe('T1');
    expect(b.log[1]!.object).toBe('T1');
  });
});

describe('record: false', () => {
  it('numbers and streams every fact but keeps none, and the run is the same', () => {
    const run = (record: boolean) => {
      const sim = createSimulation({ seed: 3, strategy: 'random', record });
      const seen: unknown[] = [];
      sim.facts$.subscribe((f) => seen.push(f));
      sim.spawn('a', () => worker('a', [], 4));
      sim.spawn('b', () => worker('b', [], 4));
      sim.run();
      return { sim, seen };
    };
    const kept = run(true);
    const streamed = run(false);
    expect(streamed.sim.log).toHaveLength(0);
    expect(streamed.sim.kernel.log.length).toBe(kept.sim.log.length);
    // The stream carries the same facts (all but SimulationStart, appended before anyone could subscribe).
    expect(JSON.stringify(streamed.seen)).toBe(JSON.stringify(kept.sim.log.slice(1)));
    // Not recording, the choice list is not kept either (issue 14 item 4): only live objects are.
    expect(kept.sim.choices.length).toBeGreaterThan(0);
    expect(streamed.sim.choices).toEqual([]);
  });
});
