// Host inputs as recorded calls (issue 18 item 1, docs/embedding.md "Host inputs"): what a host
// does between steps goes through sim.act(name, args) and into the drive record, so save →
// restore → continue is byte-exact; a change made around the record makes save() refuse, rather
// than a restore that diverges. Scenario arguments may be structured JSON.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createScenarioSimulation,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  preempt,
  readTraceFile,
  rebuild,
  recordingOf,
  replayChecked,
  restoreSimulation,
  traceFileText,
  sleep,
  UsageError,
  type JsonValue,
  type Scenario,
  type Simulation,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

/** A monitored volume and an action the host uses to start workers shaped by its own state. */
const hostScenario: Scenario = {
  id: 'test-host-inputs',
  description: 'C: under a monitor filter; the host starts workers and application I/O between steps',
  options: { fileSystemCompletion: 'deferred', fileSystemLatency: 1 },
  build(sim, args) {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    installFilter(sim, {
      name: 'monitor',
      altitude: '385000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ, IRP_MJ_WRITE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      },
    });
    const files = (args['files'] ?? []) as readonly string[];
    for (const file of files) sim.fileSystem('C:').writeFile(`\\${file}`, file);
  },
  actions: {
    worker(sim, args) {
      const { name, naps } = args as { name: string; naps: readonly number[] };
      sim.spawn(name, function* () {
        for (const nap of naps) {
          if (nap === 0) yield* preempt();
          else yield* sleep(nap);
        }
        return 0;
      });
    },
  },
};
const scenarios = [hostScenario];
const json = (x: unknown): JsonValue => JSON.parse(JSON.stringify(x)) as JsonValue;

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof UsageError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('a host input is a recorded call', () => {
  it('a trace file keeps the actions too: its header validates, replays fact for fact, and rebuilds at a position after an action', () => {
    const sim = createScenarioSimulation('test-host-inputs', { strategy: 'random', seed: 11, clock: 'host' }, { scenarios });
    sim.run();
    sim.act('worker', { name: 'w', naps: [0, 3] });
    sim.run();
    const middle = sim.log.length;
    sim.runUntil(10);
    const trace = readTraceFile(traceFileText(sim));
    expect(trace.header.options).toMatchObject({ clock: 'host' });
    expect(trace.header.drive).toContainEqual({ act: 'worker', args: { name: 'w', naps: [0, 3] } });
    const replayed = replayChecked(recordingOf(trace.header), trace.facts, scenarios);
    expect(replayed.log.length).toBe(sim.log.length);
    const rebuilt = rebuild(recordingOf(trace.header), { position: middle, scenarios });
    expect(JSON.stringify(rebuilt.log)).toBe(JSON.stringify(sim.log.slice(0, rebuilt.log.length)));
    expect(rebuilt.log.length).toBeLessThanOrEqual(middle);
    // The rebuilt run stops after the action, which it performed and recorded again.
    expect(rebuilt.log.some((f) => f.type === 'ThreadCreate' && f.name === 'w')).toBe(true);
    expect(rebuilt.save().drive).toContainEqual({ act: 'worker', args: { name: 'w', naps: [0, 3] } });
  });

  it('a thread the host spawns directly between steps makes save() refuse, naming the call (it used to restore into a ReplayDivergenceError)', () => {
    const sim = createScenarioSimulation('test-host-inputs', {}, { scenarios });
    sim.step();
    sim.spawn('stray', function* () {
      return 0;
    });
    expect(() => sim.save()).toThrow(/\[NOT_SAVABLE\] the host changed the simulation outside a recorded call \(spawn\(stray\) at step 1\)/);
  });

  it('the same thread started with act() is in the drive record, and the restored run continues byte-identically', () => {
    const sim = createScenarioSimulation('test-host-inputs', { strategy: 'random', seed: 7 }, { scenarios });
    sim.step();
    sim.act('worker', { name: 'w1', naps: [0, 2, 0] });
    sim.step();
    sim.act('fltsim.applicationIo', { name: 'app', ops: [{ op: 'create', path: 'C:\\a.txt' }, { op: 'write', data: 'hello', offset: 0 }, { op: 'read', length: 5, offset: 0 }, { op: 'close' }] });
    sim.step();
    const saved = json(sim.save()) as { drive: unknown[] };
    expect(saved.drive).toEqual([1, { act: 'worker', args: { name: 'w1', naps: [0, 2, 0] } }, 1, { act: 'fltsim.applicationIo', args: expect.anything() }, 1]);
    const restored = restoreSimulation(saved, { scenarios });
    for (const s of [sim, restored]) {
      s.act('worker', { name: 'w2', naps: [1] });
      expect(s.run()).toMatchObject({ reason: 'idle' });
    }
    expect(JSON.stringify(restored.log)).toBe(JSON.stringify(sim.log));
    // The application's I/O went through the stack: a write and a read reached the monitor.
    const majors = sim.log.flatMap((f) => (f.type === 'IoStart' ? [f.major] : []));
    expect(majors).toEqual(expect.arrayContaining([IRP_MJ_CREATE, IRP_MJ_WRITE, IRP_MJ_READ]));
    // And the restored simulation saves again, with the same record.
    expect(json(restored.save())).toEqual(json(sim.save()));
  });

  it('an unknown action, or an argument that is not JSON, is a UsageError that changes nothing', () => {
    const sim = createScenarioSimulation('test-host-inputs', {}, { scenarios });
    const before = sim.log.length;
    expect(codeOf(() => sim.act('nope'))).toBe('UNKNOWN_ACTION');
    expect(codeOf(() => sim.act('toString'))).toBe('UNKNOWN_ACTION');
    expect(codeOf(() => sim.act('worker', { naps: [NaN] } as unknown as JsonValue))).toBe('BAD_ACTION_ARGUMENT');
    expect(codeOf(() => sim.act('fltsim.applicationIo', { ops: [{ op: 'read', length: 1 }] }))).toBe('BAD_ACTION_ARGUMENT');
    expect(sim.log.length).toBe(before);
    expect(sim.save().drive).toEqual([]);
  });

  it('scenario arguments may be structured JSON, saved and restored as given; non-JSON is BAD_SCENARIO_ARGUMENT', () => {
    const args = { files: ['a.txt', 'b.txt'], layout: { depth: 2, names: { x: [1, 2] } } };
    const sim = createScenarioSimulation('test-host-inputs', {}, { scenarios, args });
    sim.run();
    const saved = json(sim.save()) as { args: unknown };
    expect(saved.args).toEqual(args);
    expect(JSON.stringify(restoreSimulation(saved, { scenarios }).log)).toBe(JSON.stringify(sim.log));
    let deep: JsonValue = 0;
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(codeOf(() => createScenarioSimulation('test-host-inputs', {}, { scenarios, args: { deep } }))).toBe('BAD_SCENARIO_ARGUMENT');
    expect(codeOf(() => createScenarioSimulation('test-host-inputs', {}, { scenarios, args: { when: new Date(0) } as unknown as { [k: string]: JsonValue } }))).toBe('BAD_SCENARIO_ARGUMENT');
  });
});

/** One host move between steps, drawn by fast-check. */
type Move = { kind: 'step' } | { kind: 'worker'; naps: number[] } | { kind: 'io'; file: number; bytes: number } | { kind: 'advance'; by: number };

const moveArb: fc.Arbitrary<Move> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'step' } as Move) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }).map((naps): Move => ({ kind: 'worker', naps })) },
  { weight: 1, arbitrary: fc.record({ file: fc.integer({ min: 0, max: 2 }), bytes: fc.integer({ min: 1, max: 8 }) }).map((r): Move => ({ kind: 'io', ...r })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }).map((by): Move => ({ kind: 'advance', by })) },
);

function apply(sim: Simulation, moves: readonly Move[], tag: string): void {
  moves.forEach((m, i) => {
    if (m.kind === 'step') sim.step();
    else if (m.kind === 'worker') sim.act('worker', { name: `${tag}${i}`, naps: m.naps });
    else if (m.kind === 'io') sim.act('fltsim.applicationIo', { name: `${tag}io${i}`, ops: [{ op: 'create', path: `C:\\f${m.file}` }, { op: 'write', data: 'x'.repeat(m.bytes) }, { op: 'read', length: m.bytes, offset: 0 }, { op: 'close' }] });
    else sim.advanceTo(sim.now + m.by);
  });
}

describe('property: a random host saved at a random step restores and continues byte-identically', () => {
  it('random host moves, a save, then the same further moves on the original and on the restored copy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.array(moveArb, { maxLength: 30 }), fc.array(moveArb, { maxLength: 15 }), (seed, before, after) => {
        const sim = createScenarioSimulation('test-host-inputs', { seed, strategy: 'random' }, { scenarios });
        apply(sim, before, 'a');
        const restored = restoreSimulation(json(sim.save()), { scenarios });
        expect(JSON.stringify(restored.log)).toBe(JSON.stringify(sim.log));
        for (const s of [sim, restored]) {
          apply(s, after, 'b');
          s.run();
        }
        expect(JSON.stringify(restored.log)).toBe(JSON.stringify(sim.log));
        expect(json(restored.save())).toEqual(json(sim.save()));
      }),
      { numRuns: 25 },
    );
  });
});
