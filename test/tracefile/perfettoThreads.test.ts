// The Perfetto export's thread tracks and virtual time (issue 13 item 6): a track per simulated
// thread, holding its life and the callbacks it ran nested inside it; timestamps from virtual time
// (one tick = `ticks` µs, the facts of a tick 1 µs apart); the flow arrows of generated I/O kept.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { toChromeTrace, type TraceEvent } from '../../src/index.js';
import { startRun } from '../../src/travel/recording.js';
import { registry } from '../travel/everyScenario.js';

describe('Perfetto export: simulated threads and virtual time', () => {
  const sim = startRun({ scenario: 'scanner', args: { apps: 1, setup: 'settled' }, options: { seed: 1 } }, registry);
  sim.run();
  const trace = toChromeTrace(sim.log);
  const events = trace.traceEvents;
  const ticks = trace.otherData['ticks'] as number;
  const track = (pid: number, name: string): number => events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.['name'] === name)!.tid;

  it('the application thread has a track with its life, and the scanner\'s post-create nested inside it', () => {
    const app = track(2, 'T3(app 1)');
    const slices = events.filter((e) => e.pid === 2 && e.tid === app && e.ph === 'X');
    const life = slices.find((e) => e.cat === 'ThreadCreate')!;
    const post = slices.find((e) => e.name.startsWith('PostOperation D1'))!;
    expect(post.name).toBe('PostOperation D1:CREATE \\doc1.txt I1:scanner@320000 on C:');
    expect(post.ts!).toBeGreaterThanOrEqual(life.ts!);
    expect(post.ts! + post.dur!).toBeLessThanOrEqual(life.ts! + life.dur!);
    // The pre-create ran on the same thread, before it, as a sibling inside the thread's life.
    const pre = slices.find((e) => e.name.startsWith('PreOperation D1'))!;
    expect(pre.ts! + pre.dur!).toBeLessThanOrEqual(post.ts!);
  });

  it('timestamps are virtual time: a fact at tick t sits in [t·ticks, (t+1)·ticks), in log order', () => {
    expect(ticks).toBeGreaterThan(sim.log.filter((f) => f.time === 0).length);
    for (const e of events.filter((e) => e.ph === 'X')) {
      const fact = sim.log[e.args!['seq'] as number]!;
      expect(e.ts!).toBeGreaterThanOrEqual(fact.time * ticks);
      expect(e.ts!).toBeLessThan((fact.time + 1) * ticks);
    }
  });

  it('keeps the flow arrows from the application\'s create to the I/O generated in its post-create', () => {
    expect(events.filter((e) => e.ph === 's').length).toBeGreaterThan(0);
    expect(events.filter((e) => e.ph === 's').length).toBe(events.filter((e) => e.ph === 'f').length);
  });
});

describe('Perfetto export as `fltsim export` writes it: the parsed JSON', () => {
  it('per-object tracks and a track per simulated thread, callbacks nested in each thread\'s life, virtual time, paired flow arrows', async () => {
    const out: string[] = [];
    const module = join(import.meta.dirname, '..', 'travel', 'fixtures', 'scannerScenario.ts');
    expect(await main(['export', module, '--format', 'perfetto', '--arg', 'apps=2'], { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
    const json = JSON.parse(out.join('\n')) as { traceEvents: TraceEvent[]; displayTimeUnit: string; otherData: { ticks: number } };
    const events = json.traceEvents;
    const names = (pid: number) => events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid).map((e) => e.args!['name'] as string);
    expect(events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args!['name'])).toEqual(['fltsim', 'simulated threads']);
    // Objects: the volume, both filters and instances, every operation; threads: every simulated thread.
    expect(names(1)).toEqual(expect.arrayContaining(['V1(C:)', 'F1(scanner)', 'F2(lower)', 'I1(scanner@320000 on C:)', 'I2(lower@100000 on C:)', 'D1(CREATE \\doc1.txt)', 'D3(READ \\doc1.txt)']));
    expect(names(2)).toEqual(expect.arrayContaining(['T3(app 1)', 'T4(app 2)', 'T5(fltmc unload scanner)']));
    // On each thread's track the slices nest: each lies inside the one it starts in, the thread's life outermost.
    for (const tid of new Set(events.filter((e) => e.pid === 2 && e.ph === 'X').map((e) => e.tid))) {
      const slices = events.filter((e) => e.pid === 2 && e.tid === tid && e.ph === 'X').sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!);
      expect(slices[0]!.cat).toBe('ThreadCreate');
      const open: TraceEvent[] = [];
      for (const s of slices) {
        while (open.length > 0 && open.at(-1)!.ts! + open.at(-1)!.dur! <= s.ts!) open.pop();
        if (open.length > 0) expect(s.ts! + s.dur!, `${s.name} inside ${open.at(-1)!.name}`).toBeLessThanOrEqual(open.at(-1)!.ts! + open.at(-1)!.dur!);
        open.push(s);
      }
    }
    expect(events.some((e) => e.pid === 2 && e.ph === 'X' && e.name.startsWith('PostOperation'))).toBe(true);
    // Virtual time: the ticks in otherData, every timestamp inside its fact's tick.
    for (const e of events.filter((e) => e.ts !== undefined && e.args?.['time'] !== undefined)) {
      expect(Math.floor(e.ts! / json.otherData.ticks)).toBe(e.args!['time']);
    }
    // Flow arrows: each start has its finish with the same id, not before it.
    const starts = events.filter((e) => e.ph === 's');
    expect(starts.length).toBeGreaterThan(0);
    for (const s of starts) expect(events.find((f) => f.ph === 'f' && f.id === s.id)!.ts!).toBeGreaterThanOrEqual(s.ts!);
  });
});
