// The swapBuffers sample (examples/samples/swapBuffers, §20.6): what its documentation promises —
// reads, writes and directory queries through swapped buffers give the applications the same data
// as without the filter — checked against a run without it, under the schedules PCT tries against
// an unload and a second application thread, with the rules of §20.6 in the trace.
import { describe, expect, it } from 'vitest';
import { createSimulation, explore, FLTFL_CALLBACK_DATA_FAST_IO_OPERATION, foldLog, IRP_MJ_DIRECTORY_CONTROL, IRP_MJ_READ, IRP_MJ_WRITE, IRP_NOCACHE, FILE_GENERIC_READ, FILE_SHARE_READ, FILE_OPEN, type Simulation } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { runSwapBuffers, scenario, type AppResult } from '../../examples/samples/swapBuffers/index.js';
import { budget } from '../support/deep.js';

function run(args: Record<string, string | boolean>, options: Parameters<typeof createSimulation>[0] = {}): { sim: Simulation; results: AppResult[] } {
  const sim = createSimulation({ onViolation: 'record', fileSystemCompletion: args['completion'] === 'inline' ? 'inline' : 'deferred', ...options });
  const results = runSwapBuffers(sim, args);
  expect(sim.run().reason).toBe('idle');
  return { sim, results };
}

const byThread = (results: readonly AppResult[]) => [...results].sort((a, b) => a.thread.localeCompare(b.thread));

describe('swapBuffers: the data through swapped buffers is the data without the filter (§20.6)', () => {
  for (const completion of ['deferred', 'inline'] as const) {
    it(`${completion} completion: same bytes read back, same names enumerated, same statuses; every read, write and query swapped; nothing left allocated`, () => {
      const baseline = run({ filter: false, completion });
      const filtered = run({ unload: false, completion });
      expect(byThread(filtered.results)).toEqual(byThread(baseline.results));
      expect(byThread(filtered.results).map((r) => r.read)).toEqual(['written by A through a swapped buffer', 'B was here']);
      // Every read, write and directory query (none has Length 0) went down in a swapped buffer.
      const dataOps = filtered.sim.log.filter((f) => f.type === 'IoStart' && [IRP_MJ_READ, IRP_MJ_WRITE, IRP_MJ_DIRECTORY_CONTROL].includes(f.major));
      expect(dataOps.length).toBeGreaterThanOrEqual(8);
      expect(filtered.sim.log.filter((f) => f.type === 'BuffersSwapped').map((f) => f.object)).toEqual(dataOps.map((f) => f.object));
      const state = filtered.sim.state();
      expect(state.violations).toEqual([]);
      expect(state.poolBlocks).toEqual({});
      expect(state.mdls).toEqual({});
      expect(foldLog(filtered.sim.log)).toEqual(state);
    });
  }

  it("its fast-I/O branch: with semantics.fastIo 'whereWindows' each application's read-back is fast I/O (caching began at its write); SwapPreReadBuffers swaps ReadBuffer and inserts no MDL (IRP operations only), SwapPostReadBuffers copies into the requester's buffer directly, and the data is the baseline's (§20.2, §20.6, §24.2)", () => {
    const baseline = run({ filter: false, completion: 'inline' });
    const fast = run({ unload: false, completion: 'inline' }, { semantics: { fastIo: 'whereWindows' } });
    expect(byThread(fast.results)).toEqual(byThread(baseline.results));
    const fastReads = fast.sim.log.filter((f) => f.type === 'IoStart' && f.major === IRP_MJ_READ && (f.flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0).map((f) => f.object);
    expect(fastReads).toHaveLength(2);
    // Swapped without an MDL, and no IRP read followed: the fast path did the reads.
    expect(fast.sim.log.flatMap((f) => (f.type === 'BuffersSwapped' && fastReads.includes(f.object) ? [[f.fields, f.mdl]] : []))).toEqual([
      [['Read.ReadBuffer'], null],
      [['Read.ReadBuffer'], null],
    ]);
    expect(fast.sim.log.filter((f) => f.type === 'IoStart' && f.major === IRP_MJ_READ)).toHaveLength(2);
    const state = fast.sim.state();
    expect(state.violations).toEqual([]);
    expect(state.poolBlocks).toEqual({});
    expect(foldLog(fast.sim.log)).toEqual(state);
  });

  it('a non-cached read goes down in a sector-aligned buffer of the rounded-up length and comes back the same (§20.7)', () => {
    const read = (filter: boolean) => {
      const sim = createSimulation({ onViolation: 'record' });
      runSwapBuffers(sim, { filter, unload: false });
      const app = sim.spawn('non-cached reader', function* () {
        const open = yield* sim.io.NtCreateFile('C:\\data\\readme.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
        const r = yield* sim.io.NtReadFile(open.handle!, 1024, 512, IRP_NOCACHE);
        yield* sim.io.NtClose(open.handle!);
        return [r.status, r.information, new TextDecoder().decode(r.output!)];
      });
      expect(sim.run().reason).toBe('idle');
      expect(sim.state().violations).toEqual([]);
      return { app: app.result, sim };
    };
    const plain = read(false);
    const swapped = read(true);
    expect(swapped.app).toEqual(plain.app);
    expect(swapped.sim.log.some((f) => f.type === 'PoolAllocate' && f.aligned && f.bytes === 1024 && f.alignment === 512)).toBe(true);
  });

  it('racing the unload: whatever the schedule, the applications see the baseline data, and a swapped operation is waited for, never drained', () => {
    const baseline = byThread(run({ filter: false }).results);
    let cancelled = 0;
    // 6 seeds in npm test; test:deep 60 (swapBuffers.deep.test.ts).
    for (let seed = 1; seed <= budget(6, 60); seed++) {
      const { sim, results } = run({}, { seed, strategy: 'random' });
      expect(byThread(results)).toEqual(baseline);
      expect(sim.state().violations).toEqual([]);
      expect(sim.log.some((f) => f.type === 'DrainPostOperation')).toBe(false);
      if (sim.log.some((f) => f.type === 'SwappedOperationCancelled')) cancelled++;
    }
    expect(cancelled).toBeGreaterThan(0);
  });

  it('PCT against the unload and the second application: no schedule breaks a §14 invariant or a verifier rule, and the teardown meets a swapped operation', () => {
    // 10 schedules in npm test; test:deep 200 (swapBuffers.deep.test.ts).
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: budget(10, 200), shrink: false });
    expect(r.violation).toBeNull();
    expect(r.windowsNeverHit).toEqual([]);
  });

  it('runs from the command line: fltsim run examples/samples/swapBuffers', async () => {
    const out: string[] = [];
    const code = await main(['run', 'examples/samples/swapBuffers', '--seed', '3', '--strategy', 'random'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(out[0]).toMatch(/^# fltsim run sample-swapBuffers, seed 3, strategy random: idle after \d+ facts/);
    expect(code).toBe(0);
  });
});
