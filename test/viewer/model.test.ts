// The viewer's model, without a browser (src/viewer): the stack at a cursor (§3, §6, §7, §8: the
// levels of a volume, where an operation is at each), the event list's columns and filters, the
// cursor's moves, the preemptions, and how a trace is embedded in the page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInScenarios, createScenarioSimulation, foldLog, formatTrace } from '../../src/index.js';
import type { Fact } from '../../src/kernel/facts.js';
import { diffStates } from '../../src/travel/diff.js';
import { filterRange } from '../../src/viewer/eventFilter.js';
import { factLine, eventRow } from '../../src/viewer/eventRows.js';
import { embeddedPayload, inertJson, PAYLOAD_PLACEHOLDER, viewerHtml } from '../../src/viewer/payload.js';
import { whyFact, whyFactUnchecked } from '../../src/travel/why.js';
import { schedulePreemptions } from '../../src/viewer/preemptions.js';
import { levelOf, stackPicture } from '../../src/viewer/stackModel.js';
import { ViewerModel } from '../../src/viewer/viewerModel.js';
import { findScenario } from '../../src/scenarios/index.js';
import { startRun } from '../../src/travel/recording.js';
import { exploreRace, fltsim, readTrace, type RaceTraces } from './support.js';
import type { TraceFile } from '../../src/tracefile/reader.js';
import { scenario as facilitiesScenario } from '../travel/fixtures/facilitiesScenario.js';

let race: RaceTraces;
let failing: TraceFile;
let shrunk: TraceFile;
beforeAll(async () => {
  race = await exploreRace();
  failing = readTrace(race.failing);
  shrunk = readTrace(race.shrunk);
});

const model = (file: TraceFile, preemptions: readonly number[] | null = null): ViewerModel => {
  const m = new ViewerModel({ title: 'race', header: file.header, facts: file.facts, preemptions });
  m.foldMore(file.facts.length);
  return m;
};

describe('the stack at the cursor', () => {
  it('lists, at positions through the race, the volumes, levels, operations, file objects and live threads foldLog has there (§3, §6)', () => {
    const m = model(failing);
    // Every third position and the last: foldLog from the start at each is quadratic.
    for (let p = 0; p <= m.length; p += p + 3 > m.length && p < m.length ? m.length - p : 3) {
      const folded = foldLog(failing.facts.slice(0, p));
      const picture = stackPicture(m.stateAt(p)!, m.index, p);
      expect(picture.volumes.map((v) => [v.id, v.state, v.levels.map((l) => l.id)])).toEqual(Object.entries(folded.volumes).map(([id, v]) => [id, v.state, [...v.stack, `${id}:fs`]]));
      const ops = picture.volumes.flatMap((v) => [...v.levels.flatMap((l) => l.operations), ...v.idle]);
      expect(Object.fromEntries(ops.map((o) => [o.id, o.state]))).toEqual(Object.fromEntries(Object.entries(folded.operations).map(([id, o]) => [id, o.state])));
      expect(picture.fileObjects.map((f) => [f.id, f.state, f.handles])).toEqual(Object.entries(folded.fileObjects).map(([id, f]) => [id, f.state, f.handles]));
      expect(picture.threads.map((t) => [t.id, t.state])).toEqual(Object.entries(folded.threads).filter(([, t]) => t.state !== 'exited').map(([id, t]) => [id, t.state]));
    }
  });

  it('puts an operation at the level of its last PreOperation, FsDispatch or PostOperation: a pended pre-create waits at I2 while its teardown drains (§4, §7, §8)', () => {
    const sim = createScenarioSimulation('race-drain-parked-post', { seed: 1 }, { scenarios: builtInScenarios });
    sim.run();
    const m = new ViewerModel({ title: 'drain', header: null, facts: sim.log, preemptions: null });
    m.foldMore(sim.log.length);
    const walk: string[] = [];
    for (const seq of m.index.factsOf('D1')) {
      const picture = stackPicture(m.stateAt(seq + 1)!, m.index, seq + 1);
      const at = picture.volumes.flatMap((v) => v.levels.flatMap((l) => l.operations.filter((o) => o.id === 'D1').map((o) => `${l.id} ${o.phase} (${o.state})`)));
      walk.push(`#${seq} ${m.index.facts[seq]!.type} → ${at.join(',') || 'at no level'}`);
    }
    expect(walk).toEqual([
      '#23 IoStart → at no level',
      '#24 PreOperation → I1 pre (PreOperation)',
      '#26 PreOperationReturned → I1 pre (PreOperation)',
      '#27 PreOperation → I2 pre (PreOperation)',
      '#32 PreOperationReturned → I2 prePended (PrePended)',
      '#42 DrainPostOperation → I2 prePended (PrePended)',
      '#50 FltCompletePendedPreOperation → I2 pre (PreOperation)',
      '#51 FsDispatch → V1:fs below (Dispatched)',
      '#52 FsComplete → V1:fs post (PostOperation)',
      '#54 IoComplete → at no level',
    ]);
    expect(levelOf(m.index, 'D1', 33)).toBe('I2');
    // The work item the pre-create queued is listed with the other objects, in its machine's state (§12.1).
    const queued = stackPicture(m.stateAt(31)!, m.index, 31).others.filter((o) => o.record === 'workItems');
    expect(queued.map((o) => `${o.id} ${o.state} ${o.summary}`)).toEqual([`q1 Queued generic work item of ${m.index.namer.label('F2')}`]);
  });

  it('says which callback each live thread runs and what a blocked thread waits on', () => {
    const m = model(failing);
    const v = failing.header.violation!;
    const picture = stackPicture(m.stateAt(v.seq + 1)!, m.index, v.seq + 1);
    expect(picture.threads.map((t) => `${t.id} ${t.state} ${t.running ?? ''}${t.waiting ?? ''}`)).toMatchInlineSnapshot(`
      [
        "T3 ready ",
        "T4 ready FilterUnloadCallback F2",
      ]
    `);
  });
});

describe('the live threads of a long run', () => {
  it('are, at every position, the threads foldLog has not exited, though the index looks only at a mark every 1,024 facts and the threads created since', () => {
    // io-soak starts threads as it goes and keeps the exited ones: a few thousand facts cross several marks.
    const sim = startRun({ scenario: 'io-soak', args: { threads: 3, iterations: 12 }, options: { seed: 3, strategy: 'random' } });
    sim.run();
    const m = new ViewerModel({ title: 'soak', header: null, facts: sim.log, preemptions: null });
    m.foldMore(sim.log.length);
    expect(sim.log.length).toBeGreaterThan(3 * 1024);
    let exitedSeen = 0;
    for (let p = 0; p <= m.length; p += p % 1024 < 2 || p % 1024 > 1021 ? 1 : 97) {
      const threads = Object.entries(m.stateAt(p)!.threads);
      exitedSeen = Math.max(exitedSeen, threads.filter(([, t]) => t.state === 'exited').length);
      expect(m.index.liveThreadsAt(p)).toEqual(threads.filter(([, t]) => t.state !== 'exited').map(([id]) => id));
    }
    expect(exitedSeen).toBeGreaterThan(3);
  });
});

describe('what the fact at the cursor changed', () => {
  it('is diffStates of the states before and after it, though only the objects the fact names are compared', () => {
    const sim = createScenarioSimulation('race-drain-parked-post', { seed: 1 }, { scenarios: builtInScenarios });
    sim.run();
    for (const facts of [failing.facts, sim.log]) {
      const m = model({ ...failing, facts } as TraceFile);
      for (let p = 1; p <= m.length; p++) expect(m.diffAt(p)).toEqual(diffStates(m.stateAt(p - 1)!, m.stateAt(p)!));
    }
  });

  it("shows a lock's new owner (§18.4): the state before a fact is copied whole, not sharing the lock's owners with the fold that then changes them", () => {
    // The copy shared nested records (a lock's owners, an oplock's holders, a transaction's
    // enlistments) with the working state, so the state before LockAcquire already had its owner
    // and the diff left it out: 26 of the 392 facts of facilities seed 1.
    const sim = startRun({ scenario: 'facilities', options: { seed: 1, strategy: 'random' } }, [facilitiesScenario]);
    sim.run();
    const m = new ViewerModel({ title: 'facilities', header: null, facts: sim.log, preemptions: null });
    m.foldMore(sim.log.length);
    expect(sim.log[114]).toMatchObject({ type: 'LockAcquire', object: 'K2', thread: 'T5' });
    expect(m.diffAt(115)?.changed).toEqual([{ record: 'locks', id: 'K2', fields: { state: ['Free', 'OwnedExclusive'], owners: [{}, { T5: 1 }] } }]);
    // Around the acquire and the other locks' (every position is the race traces' test above: a fold per position).
    for (let p = 100; p <= 130; p++) expect(m.diffAt(p)).toEqual(diffStates(m.stateAt(p - 1)!, m.stateAt(p)!));
  });

  it("shows the client port a delivered message leaves (§17), though FilterMessageDelivered names only the message — facilities seed 410260425, #229", () => {
    const sim = startRun({ scenario: 'facilities', options: { seed: 410260425, strategy: 'random' } }, [facilitiesScenario]);
    sim.run();
    const m = new ViewerModel({ title: 'facilities', header: null, facts: sim.log, preemptions: null });
    m.foldMore(sim.log.length);
    expect(sim.log[229]).toMatchObject({ type: 'FilterMessageDelivered', object: 'M1', get: 'U1' });
    expect(m.diffAt(230)?.changed).toContainEqual({ record: 'clientPorts', id: 'Q1', fields: { queued: [['M1'], []], pendingGets: [['U1'], []], awaitingReply: [[], ['M1']] } });
    // The send, the get, the delivery, the reply and the return.
    for (const p of [122, 229, 230, 231, 234]) expect(m.diffAt(p)).toEqual(diffStates(m.stateAt(p - 1)!, m.stateAt(p)!));
  });
});

describe('the event list', () => {
  it('decodes every fact into the line the text format prints (names, statuses, parameter labels)', () => {
    for (const facts of [failing.facts, shrunk.facts]) {
      const m = model({ ...failing, facts } as TraceFile);
      expect(facts.map((f) => factLine(m.index, f.seq))).toEqual(formatTrace(facts));
    }
  });

  it('filters by type, thread, object and path, and searches every column', () => {
    const m = model(failing);
    const run = (filter: Parameters<typeof filterRange>[1]): number[] => {
      const out: number[] = [];
      filterRange(m.index, filter, 0, m.length, out);
      return out;
    };
    const facts: readonly Fact[] = failing.facts;
    expect(run({ type: 'VerifierViolation' })).toEqual(facts.filter((f) => f.type === 'VerifierViolation').map((f) => f.seq));
    expect(run({ thread: 'T3' })).toEqual(m.index.factsOnThread('T3'));
    expect(run({ object: 'D1' })).toEqual(m.index.factsOf('D1'));
    expect(run({ path: '\\F.BIN' }).every((seq) => eventRow(m.index, seq).path === '\\f.bin')).toBe(true);
    expect(run({ path: '\\F.BIN' }).length).toBeGreaterThan(5);
    expect(run({ search: 'instance_used_after_teardown' })).toContain(failing.header.violation!.seq);
    expect(run({ type: 'IoStart', path: 'nothing-like-this' })).toEqual([]);
  });
});

describe('the cursor', () => {
  it('steps by the facts of one operation and of one thread, and to the violation', () => {
    const m = model(failing);
    const visit = (list: readonly number[]): number[] => {
      const seen: number[] = [];
      for (let p = 0, next = m.nextIn(list, 0); next !== p; p = next, next = m.nextIn(list, p)) seen.push(next - 1);
      return seen;
    };
    expect(visit(m.index.factsOf('D1'))).toEqual(m.index.factsOf('D1'));
    expect(visit(m.index.factsOnThread('T4'))).toEqual(m.index.factsOnThread('T4'));
    expect(m.previousIn(m.index.factsOf('D1'), m.length)).toBe(m.index.factsOf('D1').at(-1)! + 1);
    expect(m.openingPosition).toBe(failing.header.violation!.seq + 1);
    expect(m.nextViolation(0)).toBe(m.markers.find((x) => x.kind === 'violation')!.seq + 1);
    expect(m.positionOfTime(1)).toBe(failing.facts.findIndex((f) => f.time >= 1) + 1);
  });
});

describe('frames, contexts and the other objects in the stack view', () => {
  it("draws every frame's band with its altitude interval among the levels as the §6 stack rule orders them: the demo's legacy filter between its two frames", () => {
    const sim = createScenarioSimulation('demo', { seed: 1 }, { scenarios: builtInScenarios });
    sim.run();
    const m = new ViewerModel({ title: 'demo', header: null, facts: sim.log, preemptions: null });
    m.foldMore(sim.log.length);
    let sawLegacyBetween = false;
    for (let p = 1; p <= m.length; p += 7) {
      const state = m.stateAt(p)!;
      for (const v of stackPicture(state, m.index, p).volumes) {
        const bands = v.rows.flatMap((r) => (r.kind === 'frame' ? [r.frame] : []));
        expect(bands.map((b) => [b.index, b.low, b.high])).toEqual([...state.frames].reverse().map((f) => [f.index, f.low, f.high]));
        expect(v.rows.flatMap((r) => (r.kind === 'level' ? [r.level.id] : []))).toEqual(v.levels.map((l) => l.id));
        // Under each band, until the next band or legacy filter: its instances, by altitude, each in that frame's interval.
        let band: (typeof bands)[number] | null = null;
        for (const row of v.rows) {
          if (row.kind === 'frame') band = row.frame;
          else if (row.level.kind === 'instance') {
            expect(row.level.frame).toBe(band!.index);
            expect(BigInt(row.level.altitude!.replace('.', '')) >= BigInt(band!.low.replace('.', ''))).toBe(true);
          } else if (row.level.kind === 'legacy') {
            expect(row.level.aboveFrame).toBe(band === null ? state.frames.length - 1 : band.index - 1);
            if (band !== null && row.level.aboveFrame! >= 0) sawLegacyBetween = true;
          }
        }
        for (const b of bands) expect(b.instances).toBe(v.levels.filter((l) => l.kind === 'instance' && l.frame === b.index).length);
      }
    }
    expect(sawLegacyBetween).toBe(true);
  });

  it('shows contexts at the instance that set them, locks with their owners, ports, messages and queues: every object foldLog keeps (§15, §17, §18.4, §19)', () => {
    const sim = createScenarioSimulation('facilities', { seed: 1 }, { scenarios: [facilitiesScenario] });
    sim.run();
    const m = new ViewerModel({ title: 'facilities', header: null, facts: sim.log, preemptions: null });
    m.foldMore(sim.log.length);
    const seen = new Set<string>();
    for (let p = 1; p <= m.length; p += 5) {
      const state = m.stateAt(p)!;
      const picture = stackPicture(state, m.index, p);
      const records = ['locks', 'events', 'workItems', 'contexts', 'serverPorts', 'clientPorts', 'messages', 'cbdqs', 'irps', 'byteRangeLocks', 'oplocks', 'directoryNotifications', 'sections', 'ecpLists', 'ecps', 'poolBlocks', 'mdls', 'transactions', 'devices', 'fileNames'] as const;
      const expected = records.flatMap((r) => Object.keys(state[r]).map((id) => `${r} ${id}`));
      expect(picture.others.map((o) => `${o.record} ${o.id}`).sort()).toEqual(expected.sort());
      for (const o of picture.others) seen.add(o.record);
      for (const [id, l] of Object.entries(state.locks)) {
        for (const owner of Object.keys(l.owners)) expect(picture.others.find((o) => o.id === id)!.summary).toContain(m.index.namer.label(owner));
      }
      for (const [id, c] of Object.entries(state.contexts)) {
        if (c.instance === null) continue;
        const level = picture.volumes.flatMap((v) => v.levels).find((l) => l.id === c.instance);
        if (level !== undefined) expect(level.contexts.some((text) => text.startsWith(`${id} ${c.contextType} refs=${c.references}`))).toBe(true);
      }
    }
    expect([...seen].sort()).toEqual(expect.arrayContaining(['clientPorts', 'contexts', 'events', 'locks', 'messages', 'serverPorts', 'cbdqs']));
  });
});

describe('contexts on the file objects', () => {
  it("lists on a file object's row its stream handle context and its stream's stream and file contexts, as the ctx sample sets them (§15.1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fltsim-viewer-ctx-'));
    try {
      expect((await fltsim('run', 'examples/samples/ctx', '--trace', join(dir, 'ctx.ndjson'))).code).toBe(0);
      // The trace reader takes a file context's link (V1:file#64) as it takes a stream's.
      const trace = readTrace(join(dir, 'ctx.ndjson'));
      const m = model(trace);
      const after = (context: string): number => trace.facts.find((f) => f.type === 'ContextLinked' && f.object === context)!.seq + 1;
      const row = (position: number, fileObject: string): readonly string[] | undefined => stackPicture(m.stateAt(position)!, m.index, position).fileObjects.find((f) => f.id === fileObject)?.contexts;
      expect(trace.facts.filter((f) => f.type === 'ContextLinked').map((f) => `${f.object} ${f.by} ${f.target}`).slice(1, 4)).toEqual([
        'C2 FltSetStreamContext V1:stream#64',
        'C3 FltSetStreamHandleContext O1',
        'C4 FltSetFileContext V1:file#64',
      ]);
      expect(row(after('C4'), 'O1')).toEqual(['C3 FLT_STREAMHANDLE_CONTEXT refs=2', 'C2 FLT_STREAM_CONTEXT refs=2', 'C4 FLT_FILE_CONTEXT refs=2']);
      // A later open of the same file: its own handle context, the stream's and file's new contexts.
      expect(row(after('C6'), 'O3')).toEqual(['C6 FLT_STREAM_CONTEXT refs=2']);
      expect(row(after('C8'), 'O3')).toEqual(['C7 FLT_STREAMHANDLE_CONTEXT refs=2', 'C6 FLT_STREAM_CONTEXT refs=2', 'C8 FLT_FILE_CONTEXT refs=2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('why, from the index', () => {
  it("gives, at every fact of the race, the chain whyFact finds by reading the log (the index's origins replace the pass)", () => {
    const m = model(failing);
    for (let seq = 0; seq < failing.facts.length; seq++) {
      const read = whyFact(failing.facts, seq, { buildFacts: failing.header.built ?? 0 });
      expect(whyFact(failing.facts, seq, { activity: m.index.activity, origins: m.index })).toEqual(read);
      expect(whyFactUnchecked(m.index.facts, seq, m.index.activity, m.index)).toEqual(read);
    }
  });

  it('reads no fact past the one asked about: the page asks while the rest of the trace is still holes', () => {
    const m = model(failing);
    const seq = failing.header.violation!.seq;
    const partial: Fact[] = new Array<Fact>(failing.facts.length);
    for (let i = 0; i <= seq; i++) partial[i] = failing.facts[i]!;
    expect(whyFactUnchecked(partial, seq, m.index.activity, m.index)).toEqual(whyFact(failing.facts, seq, { buildFacts: failing.header.built ?? 0 }));
  });
});

describe('exploration results', () => {
  it('marks the preemptions the shrinker counts: as many in the shrunk schedule as explore printed', () => {
    const scenario = findScenario('race-unload-async-read');
    const inShrunk = schedulePreemptions(scenario, shrunk.header, shrunk.facts);
    expect(inShrunk?.length).toBe(race.shrunkPreemptions);
    const inFailing = schedulePreemptions(scenario, failing.header, failing.facts)!;
    expect(inFailing.length).toBeGreaterThanOrEqual(race.shrunkPreemptions);
    expect(inFailing.every((seq) => failing.facts[seq]!.type === 'Choice')).toBe(true);
    // A log that is not the schedule's: nothing is claimed.
    expect(schedulePreemptions(scenario, failing.header, failing.facts.slice(0, -1))).toBeNull();
  });
});

describe('the embedded trace', () => {
  it('is JSON with no <, > or & left, which JSON.parse reads back whole', () => {
    const value = { name: '</script><script>alert(1)</script> & <!-- \u2028 $& $1' };
    const text = inertJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('goes into the template once, and a `$&` in a name stays text', () => {
    const html = viewerHtml(`<p>${PAYLOAD_PLACEHOLDER}</p>`, { main: { title: '$&', header: null, facts: [], preemptions: null }, beside: null });
    expect(html).toBe('<p><script type="application/json" id="fltsim-payload">{"encoding":"json","factsPerBlock":20000,"main":{"title":"$\\u0026","header":null,"preemptions":null,"length":0,"firstViolation":null},"beside":null}</script></p>');
    expect(() => viewerHtml('<p></p>', { main: { title: '', header: null, facts: [], preemptions: null }, beside: null })).toThrow(/placeholder exactly once/);
  });

  it('holds the facts in blocks (20,000 unless the writer asks for another size, recorded in the head) that the page decodes only as far as it is asked, and drops once decoded', async () => {
    // Blocks of 100 here (`fltsim view --facts-per-block`): any 250 facts make three of them (these are not folded).
    const bigFacts: Fact[] = Array.from({ length: 250 }, (_, seq) => ({ ...failing.facts[seq % failing.facts.length]!, seq }));
    expect(failing.facts.length).toBeLessThanOrEqual(100);
    const html = viewerHtml(PAYLOAD_PLACEHOLDER, { main: { title: 'race', header: failing.header, facts: failing.facts, preemptions: null }, beside: { title: 'big', header: null, facts: bigFacts, preemptions: [3] } }, undefined, 100);
    const blocks = new Map([...html.matchAll(/<script type="application\/json" id="([^"]+)">([^<]*)<\/script>/g)].map((m) => [m[1]!, m[2]!]));
    expect([...blocks.keys()]).toEqual(['fltsim-payload', 'fltsim-facts-main-0', 'fltsim-facts-beside-0', 'fltsim-facts-beside-1', 'fltsim-facts-beside-2']);
    expect(JSON.parse(blocks.get('fltsim-payload')!)).toMatchObject({ factsPerBlock: 100 });
    const read: string[] = [];
    const released: string[] = [];
    const payload = embeddedPayload((id) => (read.push(id), blocks.get(id) ?? null), (id) => released.push(id))!;
    expect(read).toEqual(['fltsim-payload']);
    const big = payload.beside!;
    expect({ length: big.facts.length, decoded: big.lazy!.decoded, preemptions: big.preemptions }).toEqual({ length: bigFacts.length, decoded: 0, preemptions: [3] });
    await big.lazy!.decodeTo(5);
    expect({ decoded: big.lazy!.decoded, released }).toEqual({ decoded: 100, released: ['fltsim-facts-beside-0'] });
    await big.lazy!.decodeTo(150);
    expect({ decoded: big.lazy!.decoded, released }).toEqual({ decoded: 200, released: ['fltsim-facts-beside-0', 'fltsim-facts-beside-1'] });
    await big.lazy!.decodeTo(bigFacts.length);
    expect(big.facts).toEqual(bigFacts);
    // The race's violation: where the page opens, known before a fact is decoded.
    const main = new ViewerModel(payload.main);
    expect({ opening: main.openingPosition, folded: main.folded, indexed: main.index.indexed }).toEqual({ opening: failing.header.violation!.seq + 1, folded: 0, indexed: 0 });
    main.foldMore(main.openingPosition);
    expect(main.folded).toBe(0); // nothing decoded yet
    await main.decodeMore(main.openingPosition);
    main.foldMore(main.openingPosition);
    expect(main.folded).toBe(main.openingPosition);
    expect(main.stateAt(main.openingPosition)).toEqual(foldLog(failing.facts.slice(0, main.openingPosition)));
    await expect(embeddedPayload((id) => (id === 'fltsim-facts-main-0' ? '[]' : (blocks.get(id) ?? null)))!.main.lazy!.decodeTo(1)).rejects.toThrow(/data block fltsim-facts-main-0 is missing or damaged/);
  });

  it('refuses a head whose facts per block is not a whole number from 1 to 50,000,000 (a page may come from anyone), and a writer asked for one', () => {
    const head = (factsPerBlock: unknown): string => inertJson({ encoding: 'json', factsPerBlock, main: { title: 't', header: null, preemptions: null, length: 3, firstViolation: null }, beside: null });
    // 0 would never reach the end of the facts; a fraction or a string would look for blocks that are not there.
    for (const bad of [0, -1, 1.5, '100', null, 50_000_001, Number.MAX_SAFE_INTEGER + 2, undefined]) {
      const text = head(bad);
      expect(() => embeddedPayload((id) => (id === 'fltsim-payload' ? text : null)), String(bad)).toThrow(/^\[BAD_VIEWER_PAYLOAD\] the page's payload gives .* facts per block$/);
    }
    expect(embeddedPayload((id) => (id === 'fltsim-payload' ? head(1) : null))!.main.facts).toHaveLength(3);
    const trace = { title: 't', header: null, facts: [], preemptions: null };
    for (const bad of [0, 2.5, Number.NaN]) expect(() => viewerHtml(PAYLOAD_PLACEHOLDER, { main: trace, beside: null }, undefined, bad)).toThrow(/^\[BAD_ARGUMENT\] factsPerBlock must be a whole number from 1 to 50000000, got /);
  });

  it('gzipped in base64 as `fltsim view` writes them, decoded by DecompressionStream to the same facts', async () => {
    const html = viewerHtml(PAYLOAD_PLACEHOLDER, { main: { title: 'race', header: failing.header, facts: failing.facts, preemptions: null }, beside: null }, (json) => gzipSync(json).toString('base64'));
    const blocks = new Map([...html.matchAll(/<script type="application\/json" id="([^"]+)">([^<]*)<\/script>/g)].map((m) => [m[1]!, m[2]!]));
    expect(blocks.get('fltsim-facts-main-0')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const payload = embeddedPayload((id) => blocks.get(id) ?? null)!;
    await payload.main.lazy!.decodeTo(1);
    expect(payload.main.facts).toEqual(failing.facts);
  });
});
