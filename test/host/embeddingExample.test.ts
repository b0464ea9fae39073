// The worked example (examples/embedding): a host discrete-event loop with a disk-latency model
// decides when the file system completes each request, owns the clock, and saves/restores itself.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { STATUS_SUCCESS } from '../../src/index.js';
import { DiskHost } from '../../examples/embedding/diskHost.js';

describe('examples/embedding: a disk host drives fltsim', () => {
  it('every request completes in fltsim exactly when the disk model completes it, and the workload finishes', () => {
    const host = DiskHost.start({ seed: 1, diskSeed: 42 });
    expect(host.run()).toBe(true);
    const completed = host.disk.save().completed;
    expect(completed.length).toBeGreaterThan(10);
    const fsComplete = new Map(host.sim.log.filter((f) => f.type === 'FsComplete').map((f) => [f.object, f.time]));
    expect(Object.fromEntries(completed.map((r) => [r.label, r.completesAt]))).toEqual(Object.fromEntries(fsComplete));
    for (const app of ['editor', 'indexer', 'backup']) {
      const thread = Object.values(host.sim.state().threads).find((t) => t.name === app);
      expect(thread, app).toMatchObject({ state: 'exited' });
    }
    expect(host.sim.log.filter((f) => f.type === 'ThreadExit' && f.result !== null && f.result !== STATUS_SUCCESS)).toEqual([]);
    expect(host.disk.nextCompletion()).toBeNull();
  });

  it('is deterministic in both seeds: the same seeds give the same log, another disk seed other timings', () => {
    const log = (seed: number, diskSeed: number): string => {
      const host = DiskHost.start({ seed, diskSeed });
      host.run();
      return JSON.stringify(host.sim.log);
    };
    expect(log(3, 7)).toBe(log(3, 7));
    expect(log(3, 8)).not.toBe(log(3, 7));
  });

  it('saved at any turn (fltsim and disk as JSON) and restored, it finishes with the log of the uninterrupted run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.nat(120), (seed, diskSeed, turns) => {
        const whole = DiskHost.start({ seed, diskSeed });
        whole.run();
        const halted = DiskHost.start({ seed, diskSeed });
        for (let i = 0; i < turns; i++) halted.turn();
        const restored = DiskHost.restore(JSON.parse(JSON.stringify(halted.save())));
        restored.run();
        expect(JSON.stringify(restored.sim.log)).toBe(JSON.stringify(whole.sim.log));
        expect(restored.disk.save()).toEqual(whole.disk.save());
      }),
      { numRuns: 30 },
    );
  });
});
