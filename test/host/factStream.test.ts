// The guarded fact stream (issue 18 item 3, docs/embedding.md "Subscribers"): a fact subscriber
// cannot drive the simulation — every such call is a REENTRANT UsageError naming the call and the
// fact being delivered — and what a subscriber throws fails the step that emitted the fact,
// synchronously, without touching RxJS's global config.
import { describe, expect, it } from 'vitest';
import { config, filter, map, Subject } from 'rxjs';
import {
  builtInScenarios,
  createScenarioSimulation,
  createSimulation,
  preempt,
  restoreSimulation,
  SubscriberError,
  UsageError,
  type Fact,
  type Simulation,
} from '../../src/index.js';

function* worker(n: number) {
  for (let i = 0; i < n; i++) yield* preempt();
  return 0;
}

function twoWorkers(): Simulation {
  const sim = createSimulation();
  sim.spawn('a', () => worker(2));
  sim.spawn('b', () => worker(2));
  return sim;
}

/** Subscribe `call` to the first fact of `type`; return what the call threw there (null: it returned). */
function callDuring(sim: Simulation, type: Fact['type'], call: (sim: Simulation) => unknown): { thrown: unknown; seq: number | null } {
  const seen = { thrown: null as unknown, seq: null as number | null };
  const sub = sim.facts$.subscribe((fact) => {
    if (fact.type !== type || seen.seq !== null) return;
    seen.seq = fact.seq;
    try {
      call(sim);
    } catch (error) {
      seen.thrown = error;
    }
  });
  sim.run();
  sub.unsubscribe();
  return seen;
}

describe('a subscriber cannot drive the simulation while a fact is delivered', () => {
  const calls: readonly [string, (sim: Simulation) => unknown][] = [
    ['step', (sim) => sim.step()],
    ['advanceTo', (sim) => sim.advanceTo(sim.now + 5)],
    ['run', (sim) => sim.run()],
    ['runUntil', (sim) => sim.runUntil(100)],
    ['runUntil', (sim) => sim.runUntil(() => false)],
    ['runUntilFact', (sim) => sim.runUntilFact(() => true)],
    ['run', (sim) => sim.runUntilIdle()],
    ['spawn', (sim) => sim.spawn('late', () => worker(1))],
    ['loadDriver', (sim) => sim.loadDriver({ name: 'X' }, function* () { return 0; })],
    ['mountVolume', (sim) => sim.mountVolume({ name: '\\Device\\HarddiskVolume9' })],
    ['createProcess', (sim) => sim.createProcess('app.exe')],
    ['whenSettled', (sim) => sim.whenSettled(() => undefined)],
    ['save', (sim) => sim.save()],
  ];

  it.each(calls)('%s() from a subscriber of the Choice fact is REENTRANT, names the fact, and changes nothing', (name, call) => {
    const reference = twoWorkers();
    reference.run();
    const sim = twoWorkers();
    const { thrown, seq } = callDuring(sim, 'Choice', call);
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).code).toBe('REENTRANT');
    expect((thrown as UsageError).message).toContain(`${name}() called from a fact subscriber while fact #${seq} (Choice) is delivered`);
    expect((thrown as UsageError).seq).toBe(seq);
    // The run the subscriber tried to disturb is the run nobody disturbed.
    expect(JSON.stringify(sim.log)).toBe(JSON.stringify(reference.log));
  });

  it('step() from a subscriber of the Choice fact — the case that used to crash with a TypeError — leaves a run that saves and restores', () => {
    const sim = createScenarioSimulation('demo', { seed: 4, strategy: 'random' }, { scenarios: builtInScenarios });
    const refused: string[] = [];
    sim.facts$.pipe(filter((f) => f.type === 'Choice')).subscribe(() => {
      try {
        sim.step();
      } catch (error) {
        refused.push((error as UsageError).code);
      }
    });
    for (let i = 0; i < 12; i++) sim.step();
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['REENTRANT']));
    const restored = restoreSimulation(JSON.parse(JSON.stringify(sim.save())), { scenarios: builtInScenarios });
    expect(JSON.stringify(restored.log)).toBe(JSON.stringify(sim.log));
  });

  it('a ClockAdvance subscriber cannot move the clock again (advanceTo is no longer accepted mid-step)', () => {
    const sim2 = createSimulation();
    const seen: string[] = [];
    sim2.facts$.subscribe((fact) => {
      if (fact.type !== 'ClockAdvance') return;
      try {
        sim2.advanceTo(50);
      } catch (error) {
        seen.push(`${(error as UsageError).code} at #${fact.seq}`);
      }
    });
    sim2.advanceTo(10);
    expect(seen).toEqual(['REENTRANT at #1']);
    expect(sim2.now).toBe(10);
  });
});

describe('a subscriber that throws fails the step that emitted the fact', () => {
  it('run() stops with a SubscriberError carrying the fact seq, right after that step, and the simulation stays usable', () => {
    const sim = twoWorkers();
    const boom = new Error('host bug');
    let thrownAt = -1;
    sim.facts$.subscribe((fact) => {
      if (fact.type === 'ThreadExit' && thrownAt < 0) {
        thrownAt = fact.seq;
        throw boom;
      }
    });
    let error: unknown = null;
    try {
      sim.run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SubscriberError);
    expect(error).toMatchObject({ factSeq: thrownAt, seq: thrownAt, cause: boom });
    expect((error as Error).message).toContain(`fact #${thrownAt} (ThreadExit)`);
    // The step finished (no thread stopped half way), and nothing ran after it.
    expect(sim.log.at(-1)!.seq).toBe(thrownAt);
    expect(sim.run()).toMatchObject({ reason: 'idle' });
    expect(sim.log.filter((f) => f.type === 'ThreadExit').map((f) => f.object)).toEqual(['T1', 'T2']);
  });

  it('a handler at the end of a pipe, and an operator that throws, fail the step the same way', () => {
    for (const throwIn of ['handler', 'operator'] as const) {
      const sim = twoWorkers();
      const stream = sim.facts$.pipe(
        filter((f) => f.type === 'Choice'),
        map((f) => {
          if (throwIn === 'operator') throw new Error(`operator threw at #${f.seq}`);
          return f.seq;
        }),
      );
      stream.subscribe((seq) => {
        throw new Error(`handler threw at #${seq}`);
      });
      let error: unknown = null;
      try {
        sim.step();
      } catch (e) {
        error = e;
      }
      const choice = sim.log.find((f) => f.type === 'Choice')!;
      expect(error).toBeInstanceOf(SubscriberError);
      expect((error as SubscriberError).factSeq).toBe(choice.seq);
      expect(((error as SubscriberError).cause as Error).message).toBe(`${throwIn} threw at #${choice.seq}`);
    }
  });

  it('a host call outside a step (spawn, advanceTo) fails the same way after doing its work', () => {
    const sim = createSimulation();
    sim.facts$.subscribe((fact) => {
      if (fact.type === 'ThreadCreate') throw new Error('no threads, please');
    });
    expect(() => sim.spawn('a', () => worker(1))).toThrow(SubscriberError);
    expect(sim.enabled().map((c) => c.id)).toEqual(['T1']);
  });

  it("leaves RxJS's global config alone, so the embedder's own streams keep RxJS's error reporting", async () => {
    const before = { ...config };
    const sim = twoWorkers();
    sim.facts$.subscribe(() => {
      throw new Error('x');
    });
    expect(() => sim.step()).toThrow(SubscriberError);
    expect({ ...config }).toEqual(before);
    expect(config.useDeprecatedSynchronousErrorHandling).toBe(false);
    // The host's own Subject is RxJS's business: a throwing handler there does not throw at next().
    const own = new Subject<number>();
    const reported: unknown[] = [];
    const saved = config.onUnhandledError;
    config.onUnhandledError = (e) => reported.push(e);
    try {
      own.subscribe(() => {
        throw new Error('host stream');
      });
      expect(() => own.next(1)).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 0));
    } finally {
      config.onUnhandledError = saved;
    }
    expect(reported).toHaveLength(1);
  });
});
