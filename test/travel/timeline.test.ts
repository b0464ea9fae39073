// Time travel over a log (issue 5, item 1): the state of every object at any position, from
// checkpoints plus a folded tail, must equal folding the whole prefix (design.md "Event sourcing";
// style guide habit 3: "snapshot plus tail equals full replay").
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSimulation, foldLog } from '../../src/index.js';
import { randomWorkload } from '../../src/testing/index.js';
import { randomFrameBoundaries } from '../../src/scenarios/builders/randomWorkload.js';
import { randomIoSimulationOptions, randomIoWorkload } from '../../src/scenarios/builders/randomIoWorkload.js';
import { Cursor, diffStates, Timeline } from '../../src/travel/index.js';
import { startRun } from '../../src/travel/recording.js';
import { changedUnnamed } from '../../src/projection/fold.js';
import { scenario as minispy } from '../../examples/samples/minispy/index.js';
import { scenario as scanner } from '../../examples/samples/scanner/index.js';
import { runSample } from '../samples/run.js';
import { budget, DEEP } from '../support/deep.js';

const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const json = (x: unknown): string => JSON.stringify(x);
/** The fact types whose fold may change an object they do not name (fold.ts changedUnnamed). */
const UNNAMED_CHANGES = new Set(['InstanceSetupReturned', 'FilterMessageDelivered', 'FilterReplyMessage', 'FilterMessageWithdrawn', 'ConnectNotifyReturned', 'DisconnectNotifyReturned']);

describe('Timeline.stateAt', () => {
  it('equals foldLog of the prefix at every position of random kernel runs, for several checkpoint intervals', () => {
    // Every position in test:deep; in npm test every position up to 150 (past several checkpoints of
    // each interval) and about 100 spread over the rest: a fresh fold per position makes the check
    // quadratic in the log's length, and a long random run made this one test cost 5–25 CPU-seconds.
    fc.assert(
      fc.property(seeds, fc.constantFrom(1, 5, 64), (seed, interval) => {
        const sim = createSimulation({ seed, strategy: 'random', frameBoundaries: randomFrameBoundaries(seed), onViolation: 'record' });
        randomWorkload(sim, seed);
        sim.run();
        const timeline = Timeline.of(sim.log, interval);
        const stride = DEEP ? 1 : Math.max(1, Math.ceil((sim.log.length - 150) / 100));
        for (let p = 0; p <= sim.log.length; p += p < 150 ? 1 : stride) expect(json(timeline.stateAt(p)), `seed ${seed} position ${p}`).toBe(json(foldLog(sim.log.slice(0, p))));
        expect(json(timeline.stateAt(sim.log.length))).toBe(json(foldLog(sim.log)));
      }),
      // 431520930: a filter declines an instance (InstanceSetupReturned changes the filter's list without naming the filter).
      { numRuns: budget(3, 24), examples: [[431520930, 1]] },
    );
  });

  it('equals foldLog of the prefix at random positions of random I/O runs (pended operations, file objects, workers)', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const sim = createSimulation(randomIoSimulationOptions(seed));
        randomIoWorkload(sim, seed);
        sim.run();
        const timeline = Timeline.of(sim.log, 16);
        // Every 7th position in test:deep; in npm test about 40 positions spread over a long run (a fresh
        // fold per position makes the check quadratic in the log's length).
        const stride = DEEP ? 7 : Math.max(7, Math.ceil(sim.log.length / 40));
        for (let p = 0; p <= sim.log.length; p += stride) expect(json(timeline.stateAt(p)), `seed ${seed} position ${p}`).toBe(json(foldLog(sim.log.slice(0, p))));
        expect(json(timeline.stateAt(sim.log.length))).toBe(json(sim.state()));
      }),
      // 2 random runs in npm test (~0.5 CPU-s each); test:deep 20, every 7th position (timeline.deep.test.ts).
      { numRuns: budget(2, 20) },
    );
  });

  it('equals foldLog after each fact that changes an object it does not name, on the sample ports with communication ports (§17)', () => {
    // A client port disconnected (or rejected) leaves its server port's connections; the Timeline
    // thaws only what a fact names plus the fold's changedUnnamed, and before that named the server
    // port it refused minispy's own log at its first DisconnectNotifyReturned (a frozen array).
    for (const scenario of [minispy, scanner]) {
      const { sim } = runSample(scenario, {}, 1, 'random');
      const timeline = Timeline.of(sim.log, 16);
      const seen = new Map<string, number>();
      for (let p = 0; p < sim.log.length; p++) {
        const fact = sim.log[p]!;
        if (!UNNAMED_CHANGES.has(fact.type) || (seen.get(fact.type) ?? 0) >= 2 || changedUnnamed(timeline.stateAt(p), fact) === null) continue;
        seen.set(fact.type, (seen.get(fact.type) ?? 0) + 1);
        expect(json(timeline.stateAt(p + 1)), `${scenario.id} ${fact.type} at ${p}`).toBe(json(foldLog(sim.log.slice(0, p + 1))));
      }
      expect(seen.get('DisconnectNotifyReturned'), scenario.id).toBeGreaterThan(0);
    }
  });

  it('a timeline that follows a live run as it appends answers like one built afterwards', () => {
    const sim = startRun({ scenario: 'io-soak', args: { threads: 2, iterations: 3 }, options: { seed: 4, strategy: 'random' } });
    const live = new Timeline(8);
    sim.facts$.subscribe((fact) => live.push(fact));
    const before = Timeline.of(sim.log, 8);
    sim.log.forEach((fact) => live.length <= fact.seq && live.push(fact));
    sim.run();
    const after = Timeline.of(sim.log, 8);
    expect(live.length).toBe(sim.log.length);
    expect(before.length).toBeLessThan(after.length);
    for (const p of [0, 10, 57, sim.log.length]) expect(json(live.stateAt(p))).toBe(json(after.stateAt(p)));
  });
});

describe('Cursor', () => {
  const sim = startRun({ scenario: 'io-soak', args: { threads: 2, iterations: 2 }, options: { seed: 2, strategy: 'random' } });
  sim.run();
  const timeline = Timeline.of(sim.log, 32);

  it('steps forward and back one event; the position and state move together', () => {
    const at40 = new Cursor(timeline, 40);
    expect(at40.next().position).toBe(41);
    const cursor = at40.next().back().back(); // cursors are values: at40 itself never moves
    expect([at40.position, cursor.position]).toEqual([40, 39]);
    expect(json(cursor.state)).toBe(json(foldLog(sim.log.slice(0, 39))));
    expect(cursor.fact?.seq).toBe(38); // the fact that led here
    expect(new Cursor(timeline, 0).back().position).toBe(0);
    expect(new Cursor(timeline, sim.log.length).next().position).toBe(sim.log.length);
  });

  it('steps one operation at a time: from before an IoStart to after its IoComplete, and back', () => {
    const start = sim.log.find((f) => f.type === 'IoStart')!;
    const done = sim.log.find((f) => f.type === 'IoComplete' && f.object === start.object)!;
    const cursor = new Cursor(timeline, 0).nextOperation();
    expect(cursor.position).toBe(done.seq + 1);
    expect(cursor.operation).toBe(start.object);
    expect(cursor.previousOperation().position).toBe(start.seq);
  });

  it('diff between two positions names what changed: an operation born, a thread blocked', () => {
    const start = sim.log.find((f) => f.type === 'IoStart')!;
    const diff = diffStates(timeline.stateAt(start.seq), timeline.stateAt(start.seq + 1));
    expect(diff.added).toEqual([{ record: 'operations', id: start.object }]);
    const wait = sim.log.find((f) => f.type === 'ThreadWait')!;
    const blocked = diffStates(timeline.stateAt(wait.seq), timeline.stateAt(wait.seq + 1));
    expect(blocked.changed).toContainEqual({ record: 'threads', id: wait.object, fields: { state: ['ready', 'blocked'], waitingOn: [null, (wait as { on: string }).on], waitReason: [null, (wait as { reason: string }).reason] } });
  });
});
