// Time travel with every facility in flight (issue 13 item 1): a run stopped while a read is pended
// in a cancel-safe queue (§19), a port message is queued and its FltSendMessage waits for the reply
// (§17), an ERESOURCE, a push lock and a FAST_MUTEX are owned with waiters behind them (§18.4), two
// KEVENT waits with timeouts are pending (§18.2), a read is held in the file system and threads
// sleep until their deadlines — saved there (through JSON, as another process gets it) and restored,
// continues to the uninterrupted run's log byte for byte; and a fork there with another thread is a
// valid run of its own. The scenario is a module (test/travel/fixtures/facilitiesScenario.ts); the
// every-scenario property (everyScenario.ts) also saves, forks and replays it at random steps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldLog, restoreSimulation, type Fact, type Simulation } from '../../src/index.js';
import { fork, replayChecked, startRun, type RunSpec } from '../../src/travel/recording.js';
import { budget } from '../support/deep.js';
import { registry } from './everyScenario.js';

const text = (facts: readonly Fact[]): string => JSON.stringify(facts);
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function uninterrupted(spec: RunSpec): readonly Fact[] {
  const sim = startRun(spec, registry);
  sim.run();
  return sim.log;
}

function restoredAndContinued(sim: Simulation): readonly Fact[] {
  const restored = restoreSimulation(JSON.parse(JSON.stringify(sim.save())), { scenarios: registry });
  expect(text(restored.log)).toBe(text(sim.log));
  restored.run();
  return restored.log;
}

/** What is in flight now, as a person would check it in `sim.state()` and the log. */
function inFlight(sim: Simulation): string[] {
  const s = sim.state();
  const threads = Object.values(s.threads);
  const waitsOn = (prefix: string) => threads.some((t) => t.state === 'blocked' && t.waitReason?.startsWith(prefix));
  const sleeping = new Set(threads.filter((t) => t.state === 'sleeping').map((t) => t.name));
  const lockWithWaiter = (type: string) => Object.entries(s.locks).some(([id, l]) => l.lockType === type && Object.keys(l.owners).length > 0 && threads.some((t) => t.state === 'blocked' && t.waitingOn === id));
  return [
    Object.values(s.cbdqs).some((q) => q.queued.length > 0) && 'a read pended in the cancel-safe queue',
    Object.values(s.messages).some((m) => m.state === 'Queued' && m.replyExpected) && waitsOn('FltSendMessage') && 'a queued message whose sender waits for the reply',
    lockWithWaiter('ERESOURCE') && 'an owned ERESOURCE with a waiter',
    lockWithWaiter('EX_PUSH_LOCK') && 'an owned push lock with a waiter',
    lockWithWaiter('FAST_MUTEX') && 'an owned FAST_MUTEX with a waiter',
    threads.filter((t) => t.state === 'blocked' && t.waitReason?.startsWith('KeWaitForSingleObject') && t.waitUntil !== null && t.waitUntil > s.time).length === 2 && 'two KEVENT waits with timeouts pending',
    Object.values(s.operations).some((o) => o.state === 'FsPending' && o.major === 3) && 'a read held in the file system',
    sleeping.has('hold releaser') && sleeping.has('lock owner') && 'sleepers with deadlines ahead',
  ].filter((x): x is string => x !== false);
}

const EVERYTHING = [
  'a read pended in the cancel-safe queue',
  'a queued message whose sender waits for the reply',
  'an owned ERESOURCE with a waiter',
  'an owned push lock with a waiter',
  'an owned FAST_MUTEX with a waiter',
  'two KEVENT waits with timeouts pending',
  'a read held in the file system',
  'sleepers with deadlines ahead',
];

describe('time travel with every facility in flight (§17, §18, §19)', () => {
  const spec: RunSpec = { scenario: 'facilities', options: { seed: 1 } };
  const whole = uninterrupted(spec);

  it('saved where all of them are in flight at once, restored, continues byte for byte; the run ends with every waiter served', () => {
    const sim = startRun(spec, registry);
    while (inFlight(sim).length < EVERYTHING.length) expect(sim.step().kind).toBe('ran');
    expect(inFlight(sim)).toEqual(EVERYTHING);
    expect(text(restoredAndContinued(sim))).toBe(text(whole));
    // Each was served, not abandoned: the message got its reply, the held read and the queued read completed.
    sim.run();
    const s = sim.state();
    expect(Object.values(s.threads).every((t) => t.state === 'exited')).toBe(true);
    expect(whole.find((f) => f.type === 'FltSendMessageReturned')).toMatchObject({ status: 0 });
    expect(s.violations).toEqual([]);
    expect(plain(foldLog(sim.log))).toEqual(plain(s));
  });

  it('forked there with another thread, the run is valid: it folds to its live state, saves, restores and replays checked', () => {
    const sim = startRun(spec, registry);
    while (inFlight(sim).length < EVERYTHING.length) sim.step();
    const at = sim.log.length;
    const forked = fork(startRun(spec, registry).save(), at, [], registry);
    expect(forked.log.length).toBeLessThanOrEqual(at);
    // The uninterrupted run's next step picks one thread (its Choice fact); the fork picks another.
    const taken = whole[forked.log.length]!.type === 'Choice' ? whole[forked.log.length]! : whole[forked.log.length + 1]!;
    expect(taken.type).toBe('Choice');
    const other = forked.enabled().find((t) => t.id !== taken.object)!;
    forked.step(other.id);
    forked.run();
    expect(forked.log[taken.seq]).toMatchObject({ type: 'Choice', object: other.id });
    expect(plain(foldLog(forked.log))).toEqual(plain(forked.state()));
    const saved = forked.save();
    expect(text(restoreSimulation(JSON.parse(JSON.stringify(saved)), { scenarios: registry }).log)).toBe(text(forked.log));
    replayChecked(saved, forked.log, registry);
  });

  it('property: saved at every k-th step of random runs (every step in the deep suite), restored, continues byte for byte', () => {
    const stride = budget(12, 1);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.nat(stride - 1), (seed, offset) => {
        const random: RunSpec = { scenario: 'facilities', options: { seed, strategy: 'random' } };
        const expected = text(uninterrupted(random));
        const sim = startRun(random, registry);
        for (let step = 0; ; step++) {
          if (step % stride === offset) expect(text(restoredAndContinued(sim)), `seed ${seed}, saved at step ${step}`).toBe(expected);
          if (sim.step().kind !== 'ran') break;
        }
      }),
      { numRuns: budget(1, 12) },
    );
  });
});
