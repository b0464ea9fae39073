// Issue 14 item 4: with `record: false` a long run keeps only its live objects — no exited threads,
// no retired objects' last states, no choice list, no PETHREAD of a gone thread — and runs exactly
// as it does recording (the stream carries the same facts). bench/memory.ts measures the bytes.
import { describe, expect, it } from 'vitest';
import { createSimulation, type Fact } from '../../src/index.js';
import { ioSoakScenario } from '../../src/scenarios/index.js';

function soak(record: boolean, iterations: number): { sim: ReturnType<typeof createSimulation>; streamed: Fact[] } {
  const sim = createSimulation({ seed: 9, strategy: 'random', record, ...ioSoakScenario.options });
  const streamed: Fact[] = [];
  sim.facts$.subscribe((f) => streamed.push(f));
  ioSoakScenario.build(sim, { threads: 3, iterations });
  sim.run();
  return { sim, streamed };
}

describe('record: false keeps only live objects', () => {
  it('after a soak: no exited thread, retired object or choice is kept, and the facts are those of the recorded run', () => {
    const kept = soak(true, 30);
    const flat = soak(false, 30);
    expect(JSON.stringify(flat.streamed)).toBe(JSON.stringify(kept.streamed));
    const exited = [...kept.sim.kernel.threads.values()].filter((t) => t.state === 'exited').length;
    expect(exited).toBeGreaterThan(100);
    expect([...flat.sim.kernel.threads.values()].filter((t) => t.state === 'exited')).toEqual([]);
    expect(kept.sim.choices.length).toBeGreaterThan(100);
    expect(flat.sim.choices).toEqual([]);
    expect((flat.sim.kernel as unknown as { retired: Map<string, unknown> }).retired.size).toBe(0);
    expect((kept.sim.kernel as unknown as { retired: Map<string, unknown> }).retired.size).toBeGreaterThan(100);
  });

  it('what the kernel forgets stays usable through its handle: join an exited thread, read its result', () => {
    const sim = createSimulation({ seed: 1, record: false });
    const worker = sim.spawn('worker', function* () {
      return 7;
    });
    sim.run();
    expect(sim.thread(worker.id)).toBeUndefined(); // forgotten by the kernel
    let joined: unknown;
    sim.spawn('joiner', function* () {
      joined = yield* sim.join(worker);
    });
    sim.run();
    expect(joined).toBe(7);
    expect(worker.state).toBe('exited');
  });
});
