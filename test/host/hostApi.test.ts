// The host-driven API (issue 7, docs/embedding.md): a host steps the simulation one scheduler
// choice at a time, makes the choices itself, owns the clock, and bad input leaves it usable.
import { describe, expect, it } from 'vitest';
import { createSimulation, preempt, replayStrategy, sleep, UsageError, type Simulation } from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';

function* worker(tag: string, out: string[], n = 2) {
  for (let i = 0; i < n; i++) {
    out.push(`${tag}${i}`);
    yield* preempt();
  }
  return 0;
}

function twoWorkers(): { sim: Simulation; out: string[] } {
  const sim = createSimulation();
  const out: string[] = [];
  sim.spawn('a', () => worker('a', out));
  sim.spawn('b', () => worker('b', out));
  return { sim, out };
}

/** The kernel's own UsageError, with its code. */
function usageErrorOf(f: () => unknown): UsageError {
  try {
    f();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('step() says what happened', () => {
  it('names the thread it ran and returns exactly the facts that step appended', () => {
    const { sim } = twoWorkers();
    const before = sim.log.length;
    const r = sim.step();
    expect(r).toMatchObject({ kind: 'ran', thread: 'T1', choice: true, time: 0 });
    expect(r.facts.map((f) => f.seq)).toEqual(sim.log.slice(before).map((f) => f.seq));
    expect(r.facts.map((f) => f.type)).toEqual(['Choice']);
  });

  it('reports idle with no facts once nothing can run', () => {
    const { sim } = twoWorkers();
    sim.run();
    expect(sim.step()).toEqual({ kind: 'idle', time: 0, facts: [] });
  });
});

describe('enabled() and step(choice): the host chooses', () => {
  it('lists the ready threads in creation order, and a chosen thread runs where the strategy would have run another', () => {
    const { sim, out } = twoWorkers();
    expect(sim.enabled()).toEqual([
      { kind: 'thread', id: 'T1', name: 'a' },
      { kind: 'thread', id: 'T2', name: 'b' },
    ]);
    sim.step('T2');
    sim.step('T1');
    sim.step('T2');
    sim.run();
    expect(out).toEqual(['b0', 'a0', 'b1', 'a1']);
    expect(sim.choices.slice(0, 3)).toEqual(['T2', 'T1', 'T2']);
  });

  it('with nothing ready, lists the sleepers due first with their time; stepping one moves the clock there', () => {
    const sim = createSimulation();
    sim.spawn('late', () => sleep(9));
    sim.spawn('early1', () => sleep(4));
    sim.spawn('early2', () => sleep(4));
    for (let i = 0; i < 3; i++) sim.step();
    expect(sim.enabled()).toEqual([
      { kind: 'sleeper', id: 'T2', name: 'early1', dueAt: 4 },
      { kind: 'sleeper', id: 'T3', name: 'early2', dueAt: 4 },
    ]);
    expect(sim.nextEventTime()).toBe(4);
    const r = sim.step('T3');
    expect(r).toMatchObject({ kind: 'ran', thread: 'T3', choice: true, time: 4 });
    expect(compactTrace(r.facts, { types: ['ClockAdvance', 'Choice', 'ThreadExit'] })).toEqual(['sim ClockAdvance to=4', 'T3 Choice of=2', 'T3 ThreadExit']);
  });

  it('a choice that is not enabled is a UsageError naming what is enabled, and changes nothing', () => {
    const { sim, out } = twoWorkers();
    const logBefore = JSON.stringify(sim.log);
    const error = usageErrorOf(() => sim.step('T9'));
    expect(error.code).toBe('NOT_ENABLED');
    expect(error.message).toBe('[NOT_ENABLED] cannot step T9: no such thread; enabled now: T1, T2');
    expect(JSON.stringify(sim.log)).toBe(logBefore);
    sim.run();
    expect(out).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(usageErrorOf(() => sim.step('T1')).message).toContain('cannot step T1: it is exited; enabled now: nothing');
  });

  it('a host choice logs exactly what the same choice by a strategy logs', () => {
    const byHost = twoWorkers().sim;
    byHost.step('T2');
    byHost.run();
    // The same choice made by a strategy: T2 first, then in-order, as the host's run continued.
    const byStrategy = createSimulation({ strategy: replayStrategy(['T2']) });
    byStrategy.spawn('a', () => worker('a', []));
    byStrategy.spawn('b', () => worker('b', []));
    byStrategy.run();
    expect(JSON.stringify(byHost.log)).toBe(JSON.stringify(byStrategy.log));
  });
});

describe('the host owns the clock', () => {
  it('advanceTo moves time without running anything; due sleepers become ready at the new time', () => {
    const sim = createSimulation();
    const woke: number[] = [];
    sim.spawn('sleeper', function* () {
      yield* sleep(5);
      woke.push(sim.now);
      return 0;
    });
    sim.step();
    sim.advanceTo(3);
    expect(sim.enabled()).toEqual([{ kind: 'sleeper', id: 'T1', name: 'sleeper', dueAt: 5 }]);
    sim.advanceTo(8);
    expect(woke).toEqual([]);
    expect(sim.enabled()).toEqual([{ kind: 'thread', id: 'T1', name: 'sleeper' }]);
    sim.step();
    expect(woke).toEqual([8]);
    expect(compactTrace(sim.log, { types: ['ClockAdvance'] })).toEqual(['sim ClockAdvance to=3', 'sim ClockAdvance to=8']);
  });

  it('time moved backwards (or not a whole tick) is a UsageError and the simulation carries on', () => {
    const sim = createSimulation();
    sim.spawn('sleeper', () => sleep(2));
    sim.advanceTo(10);
    const logBefore = sim.log.length;
    expect(usageErrorOf(() => sim.advanceTo(9)).message).toBe('[TIME_BACKWARDS] time cannot move backwards: now 10, asked 9');
    expect(usageErrorOf(() => sim.runUntil(4)).code).toBe('TIME_BACKWARDS');
    expect(usageErrorOf(() => sim.advanceTo(10.5)).code).toBe('BAD_TIME');
    expect(sim.log.length).toBe(logBefore);
    expect(sim.now).toBe(10);
    expect(sim.run().reason).toBe('idle');
  });

  it('runUntil(time) runs everything due by then, stops short of later work, and leaves the clock at that time', () => {
    const sim = createSimulation();
    const ran: string[] = [];
    for (const t of [2, 5, 9]) {
      sim.spawn(`wake at ${t}`, function* () {
        yield* sleep(t);
        ran.push(`${t}@${sim.now}`);
        return 0;
      });
    }
    expect(sim.runUntil(6)).toMatchObject({ reason: 'reached' });
    expect(ran).toEqual(['2@2', '5@5']);
    expect(sim.now).toBe(6);
    expect(sim.nextEventTime()).toBe(9);
    sim.runUntil(20);
    expect(ran).toEqual(['2@2', '5@5', '9@9']);
    expect(sim.now).toBe(20);
  });

  it('simulated code may not drive its own simulation', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const t = sim.spawn('meddler', function* () {
      sim.advanceTo(100);
      yield* preempt();
      return 0;
    });
    expect(() => sim.run()).toThrow(/\[REENTRANT\] advanceTo\(\) called from simulated thread T1/);
    expect(t.state).toBe('exited');
    expect(sim.now).toBe(0);
  });
});

describe('runUntil with a predicate stops on the event it names', () => {
  it('runUntilFact stops right after the step that appended the named fact, and returns it', () => {
    const { sim } = twoWorkers();
    const r = sim.runUntilFact((f) => f.type === 'ThreadExit' && f.object === 'T1');
    expect(r.reason).toBe('matched');
    if (r.reason !== 'matched') return;
    expect(r.fact).toMatchObject({ type: 'ThreadExit', object: 'T1' });
    expect(sim.log[sim.log.length - 1]).toBe(r.fact);
    expect(sim.thread('T2')!.state).toBe('ready');
  });

  it('runUntil(predicate) stops before the first step at which the predicate holds', () => {
    const { sim, out } = twoWorkers();
    const r = sim.runUntil(() => out.includes('b0'));
    expect(r).toEqual({ reason: 'stopped', steps: 4 });
    expect(out).toEqual(['a0', 'a1', 'b0']);
  });

  it('runUntilFact reports idle when the named fact never comes', () => {
    const { sim } = twoWorkers();
    expect(sim.runUntilFact((f) => f.type === 'VolumeMounted')).toMatchObject({ reason: 'idle' });
    expect(createSimulation().runUntilIdle()).toEqual({ reason: 'idle', steps: 0 });
  });
});
