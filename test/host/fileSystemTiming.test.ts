// A file-system timing interface the host implements (issue 18 item 2, docs/embedding.md
// "File-system timing"): with fileSystemCompletion 'host' every request pends; the host is told
// what it is (major function, file, offset, length) and decides when and how it completes — now,
// at a virtual time, failed, or cut short — through a recorded call, while the strategy keeps every
// other choice. Saved with held and completed requests, a run restores and continues exactly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createScenarioSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  STATUS_CANCELLED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type OVERLAPPED,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  restoreSimulation,
  STATUS_DISK_FULL,
  UsageError,
  type JsonValue,
  type Scenario,
  type Simulation,
} from '../../src/index.js';
import { checkCancelInvariants } from '../../src/testing/index.js';

const diskScenario: Scenario = {
  id: 'test-host-disk',
  description: 'C:, whose file system waits for the host to complete every request',
  options: { fileSystemCompletion: 'host' },
  build(sim) {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\data.bin', 'abcdefgh');
  },
};
const scenarios = [diskScenario];
const json = (x: unknown): JsonValue => JSON.parse(JSON.stringify(x)) as JsonValue;

function readBack(sim: Simulation, name: string): void {
  sim.act('fltsim.applicationIo', { name, ops: [{ op: 'create', path: 'C:\\data.bin' }, { op: 'write', data: 'XY', offset: 2 }, { op: 'read', length: 6, offset: 0 }, { op: 'close' }] });
}

/** Run until the strategy has nothing left but requests held for the host; complete each with `how`. */
function serve(sim: Simulation, how: (id: string, major: number) => { at?: number; status?: number; information?: number }): string[] {
  const seen: string[] = [];
  for (let round = 0; round < 50; round++) {
    sim.run();
    const held = sim.heldRequests();
    if (held.length === 0) return seen;
    for (const r of held) {
      seen.push(`${r.id} major=${r.major} ${r.fileName} offset=${r.offset} length=${r.length} since=${r.since}`);
      sim.completeRequest(r.id, how(r.id, r.major));
    }
  }
  throw new Error('the host never finished');
}

describe("fileSystemCompletion: 'host' — the host completes each request", () => {
  it('is told each request (major, file, offset, length), and FsComplete happens at the time it chose', () => {
    const sim = createScenarioSimulation('test-host-disk', {}, { scenarios });
    readBack(sim, 'app');
    const seen = serve(sim, (_id, major) => (major === IRP_MJ_CREATE ? {} : { at: sim.now + 10 }));
    // create now; write, read, cleanup (IRP_MJ_CLEANUP 18) and close (IRP_MJ_CLOSE 2) each 10 ticks after it reached the disk
    expect(seen).toEqual([
      `D1 major=${IRP_MJ_CREATE} \\data.bin offset=null length=null since=0`,
      `D2 major=${IRP_MJ_WRITE} \\data.bin offset=2 length=2 since=0`,
      `D3 major=${IRP_MJ_READ} \\data.bin offset=0 length=6 since=10`,
      'D4 major=18 \\data.bin offset=null length=null since=20',
      'D5 major=2 \\data.bin offset=null length=null since=30',
    ]);
    const pend = sim.log.filter((f) => f.type === 'FsPending');
    expect(pend.every((f) => f.type === 'FsPending' && f.completesAt === null)).toBe(true);
    expect(sim.log.filter((f) => f.type === 'FsComplete').map((f) => `${f.object}@${f.time}`)).toEqual(['D1@0', 'D2@10', 'D3@20', 'D4@30', 'D5@40']);
    expect(sim.fileSystem('C:').readFile('\\data.bin')).toEqual(new TextEncoder().encode('abXYefgh'));
  });

  it('faults: an error status fails the request without performing it; a short read returns fewer bytes', () => {
    const sim = createScenarioSimulation('test-host-disk', {}, { scenarios });
    readBack(sim, 'app');
    serve(sim, (_id, major) => (major === IRP_MJ_WRITE ? { status: STATUS_DISK_FULL } : major === IRP_MJ_READ ? { information: 3 } : {}));
    const done = sim.log.filter((f) => f.type === 'IoComplete').map((f) => (f.type === 'IoComplete' ? `${f.object} ${f.status >>> 0} ${f.information}` : ''));
    expect(done).toContain(`${sim.log.find((f) => f.type === 'IoStart' && f.major === IRP_MJ_WRITE)!.object} ${STATUS_DISK_FULL} 0`);
    expect(done).toContain(`${sim.log.find((f) => f.type === 'IoStart' && f.major === IRP_MJ_READ)!.object} 0 3`);
    expect(sim.fileSystem('C:').readFile('\\data.bin')).toEqual(new TextEncoder().encode('abcdefgh')); // the failed write did nothing
  });

  it('completing a request that is not held, or in the past, is a UsageError that records nothing', () => {
    const sim = createScenarioSimulation('test-host-disk', {}, { scenarios });
    readBack(sim, 'app');
    sim.run();
    const [held] = sim.heldRequests();
    const codeOf = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        return (e as UsageError).code;
      }
      return 'none';
    };
    expect(codeOf(() => sim.completeRequest('D999'))).toBe('NOT_HELD');
    sim.advanceTo(5);
    expect(codeOf(() => sim.completeRequest(held!.id, { at: 4 }))).toBe('BAD_TIME');
    expect(codeOf(() => sim.completeRequest(held!.id, { status: 0 }))).toBe('BAD_ARGUMENT');
    expect(sim.save().drive.filter((e) => typeof e === 'object' && 'act' in e && e.act === 'fltsim.completeRequest')).toEqual([]);
    sim.completeRequest(held!.id);
    expect(codeOf(() => sim.completeRequest(held!.id))).toBe('NOT_HELD');
  });
});

describe("fileSystemCompletion: 'host' — cancellation and the end of a run (§19.1, §19.2)", () => {
  it('run() says it waits for the host, not that it deadlocked; a cancelled request keeps only its bit and the host decides (here: STATUS_CANCELLED)', () => {
    const sim = createScenarioSimulation('test-host-disk', {}, { scenarios });
    const overlapped: OVERLAPPED = { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0, Offset: 0 };
    const app = sim.spawn('app', function* () {
      const h = (yield* sim.io.NtCreateFile('C:\\data.bin', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: 0 })).handle!;
      const issued = yield* sim.io.ReadFile(h, 4, overlapped);
      const cancelled = yield* sim.io.CancelIoEx(h, overlapped);
      const result = (yield* sim.io.GetOverlappedResult(h, overlapped, true)).status;
      yield* sim.io.NtClose(h);
      return [issued, cancelled, result];
    });
    const first = sim.run();
    expect(first).toMatchObject({ reason: 'waitingForHost', requests: [{ id: 'D1', major: IRP_MJ_CREATE, cancelRequested: false }] });
    sim.completeRequest('D1');
    const second = sim.run();
    // CancelIoEx found no cancel routine (the file system arms none on a read it performs): only the bit.
    expect(second).toMatchObject({ reason: 'waitingForHost', requests: [{ id: 'D2', major: IRP_MJ_READ, cancelRequested: true }] });
    expect(second.reason === 'waitingForHost' && second.blocked.map((b) => b.reason)).toEqual(expect.arrayContaining(['GetOverlappedResult: D2 completion', 'the host completes D2']));
    sim.completeRequest('D2', { status: STATUS_CANCELLED });
    expect(serve(sim, () => ({}))).toEqual(['D3 major=18 \\data.bin offset=null length=null since=0', 'D4 major=2 \\data.bin offset=null length=null since=0']);
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toEqual([STATUS_PENDING, STATUS_SUCCESS, STATUS_CANCELLED]);
    expect(sim.log.filter((f) => f.type === 'IoCancelIrp').map((f) => f.type === 'IoCancelIrp' && `${f.operation} by=${f.by} routineCalled=${f.routineCalled}`)).toEqual(['D2 by=CancelIoEx routineCalled=false']);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
  });
});

describe('property: a random host completing held requests at random times, saved at a random step, restores and continues byte-identically', () => {
  type Move = { kind: 'step' } | { kind: 'io'; n: number } | { kind: 'complete'; pick: number; delay: number; fault: number } | { kind: 'advance'; by: number };
  const move: fc.Arbitrary<Move> = fc.oneof(
    { weight: 5, arbitrary: fc.constant<Move>({ kind: 'step' }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }).map((n): Move => ({ kind: 'io', n })) },
    { weight: 3, arbitrary: fc.record({ pick: fc.nat(), delay: fc.integer({ min: 0, max: 5 }), fault: fc.integer({ min: 0, max: 9 }) }).map((r): Move => ({ kind: 'complete', ...r })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((by): Move => ({ kind: 'advance', by })) },
  );
  function apply(sim: Simulation, moves: readonly Move[], tag: string): void {
    moves.forEach((m, i) => {
      if (m.kind === 'step') sim.step();
      else if (m.kind === 'io') sim.act('fltsim.applicationIo', { name: `${tag}${i}`, ops: [{ op: 'create', path: `C:\\f${m.n % 3}` }, { op: 'write', data: 'z'.repeat(m.n) }, { op: 'read', length: m.n, offset: 0 }, { op: 'close' }] });
      else if (m.kind === 'advance') sim.advanceTo(sim.now + m.by);
      else {
        const held = sim.heldRequests();
        if (held.length === 0) return;
        const r = held[m.pick % held.length]!;
        sim.completeRequest(r.id, { at: sim.now + m.delay, ...(m.fault === 0 ? { status: STATUS_DISK_FULL } : m.fault === 1 ? { information: 0 } : {}) });
      }
    });
  }

  it('holds for random hosts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.array(move, { maxLength: 40 }), fc.array(move, { maxLength: 30 }), (seed, before, after) => {
        const sim = createScenarioSimulation('test-host-disk', { seed, strategy: 'random' }, { scenarios });
        apply(sim, before, 'a');
        const restored = restoreSimulation(json(sim.save()), { scenarios });
        expect(restored.heldRequests()).toEqual(sim.heldRequests());
        for (const s of [sim, restored]) {
          apply(s, after, 'b');
          serve(s, () => ({}));
        }
        expect(JSON.stringify(restored.log)).toBe(JSON.stringify(sim.log));
      }),
      { numRuns: 25 },
    );
  });
});
