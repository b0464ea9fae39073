// The Perfetto export's thread tracks and virtual time (issue 13 item 6): a track per simulated
// thread, holding its life and the callbacks it ran nested inside it; timestamps from virtual time
// (one tick = `ticks` µs, the facts of a tick 1 µs apart); the flow arrows of generated I/O kept.
import { describe, expect, it } from 'vitest';
import { toChromeTrace } from '../../src/index.js';
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
