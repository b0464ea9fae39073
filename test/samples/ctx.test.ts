// The WDK ctx sample, ported (examples/samples/ctx): wdk-samples checks 1–4 — the stream context
// found or created with KEEP_IF_EXISTS and counted (§15.3, §15.5), stream-handle and file contexts
// named in post-create (§16), Create = Cleanup = Close per stream, the rename re-queried in a
// synchronized post-op (§8, §16.5), and every context freed by the unload (§15.8, §15.9).
import { describe, expect, it } from 'vitest';
import { createSimulation, explore, STATUS_FLT_CONTEXT_ALREADY_DEFINED, type Fact, type MonitorViolation, type Scenario, type ScenarioArgs, type Simulation, type Strategy } from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { ctxSystem, scenario } from '../../examples/samples/ctx/index.js';
import type { CtxImage } from '../../examples/samples/ctx/ctxInit.js';
import { fltsimRun } from './run.js';

/** DEBUG_TRACE_ERROR | DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS: errors and the stream contexts' last words. */
const DEBUG = 0x21;

function run(args: ScenarioArgs, seed = 1, strategy: 'in-order' | 'random' | Strategy = 'in-order'): { sim: Simulation; image: CtxImage; reason: string } {
  const sim = createSimulation({ onViolation: 'record', seed, strategy });
  const image = ctxSystem(sim, { DebugLevel: DEBUG, ...args });
  return { sim, image, reason: sim.run({ maxSteps: 200_000 }).reason };
}

const cleanups = (image: CtxImage): string[] => image.Globals.DebugOutput.filter((l) => l.includes('Cleaning up stream context'));

/**
 * Check 2 as a monitor, for any schedule: a stream context never counts more cleanups than creates
 * or more closes than cleanups. (Equal counts hold when the stream goes before the filter; an unload
 * with handles open deletes the context at instance teardown, before their cleanups — §15.8.)
 */
function countsBalance(image: CtxImage): MonitorViolation[] {
  return cleanups(image)
    .map((line) => /CreateCount = (\d+) CleanupCount = (\d+) CloseCount = (\d+)/.exec(line)!)
    .filter((m) => !(Number(m[1]) >= Number(m[2]) && Number(m[2]) >= Number(m[3])))
    .map((m) => ({ name: 'CTX_COUNTS', seq: 0, message: m.input }));
}

describe('ctx sample (wdk-samples §9)', () => {
  it('check 1: the first post-create creates the stream context, then a stream-handle and a file context, each named', () => {
    const { sim, reason } = run({ apps: '1', opens: '1' });
    expect(reason).toBe('idle');
    expect(compactTrace(sim.log, { types: ['ContextLinked'] }).slice(0, 4)).toEqual([
      'C1(INSTANCE of ctx) ContextLinked by=FltSetInstanceContext to=I1:ctx@370070 on C: instance=I1:ctx@370070 on C: count=2',
      'C2(STREAM of ctx) ContextLinked by=FltSetStreamContext to=V1:stream#64 instance=I1:ctx@370070 on C: count=2',
      'C3(STREAMHANDLE of ctx) ContextLinked by=FltSetStreamHandleContext to=O1:\\shared.txt instance=I1:ctx@370070 on C: count=2',
      'C4(FILE of ctx) ContextLinked by=FltSetFileContext to=V1:file#64 instance=I1:ctx@370070 on C: count=2',
    ]);
  });

  it('checks 2 and 3: per stream, Create = Cleanup = Close = the opens; the renamed file\'s context carries its new name', () => {
    const { image, reason } = run({ apps: '2', opens: '3' });
    expect(reason).toBe('idle');
    expect(cleanups(image)).toEqual([
      '[Ctx]: Cleaning up stream context for file \\Device\\HarddiskVolume1\\shared.txt CreateCount = 3 CleanupCount = 3 CloseCount = 3',
      '[Ctx]: Cleaning up stream context for file \\Device\\HarddiskVolume1\\shared.txt CreateCount = 3 CleanupCount = 3 CloseCount = 3',
      // The rename opens the target's parent (SL_OPEN_TARGET_DIRECTORY): ctx counts that stream too.
      '[Ctx]: Cleaning up stream context for file \\Device\\HarddiskVolume1\\ CreateCount = 1 CleanupCount = 1 CloseCount = 1',
      '[Ctx]: Cleaning up stream context for file \\Device\\HarddiskVolume1\\renamed.txt CreateCount = 1 CleanupCount = 1 CloseCount = 1',
    ]);
  });

  it('check 4: after the unload every context is freed, the instance context last, and none is leaked', () => {
    const { sim } = run({});
    // A freed context leaves the state: none is left, and every one allocated was freed.
    expect(sim.state().contexts).toEqual({});
    const count = (type: Fact['type']) => sim.log.filter((f) => f.type === type).length;
    expect(count('ContextFreed')).toBe(count('FltAllocateContext'));
    expect(compactTrace(sim.log, { types: ['ContextCleanupCallback', 'FilterUnloadReturned'] }).slice(-2)).toEqual([
      'C1(INSTANCE of ctx) ContextCleanupCallback',
      'F1(ctx) FilterUnloadReturned status=STATUS_SUCCESS',
    ]);
  });

  it('under random schedules of three applications no stream context counts more cleanups than creates or closes than cleanups, the KEEP_IF_EXISTS losses included', () => {
    const lost: string[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const { sim, image, reason } = run({ apps: '3', opens: '2' }, seed, 'random');
      expect(reason).toBe('idle');
      expect(countsBalance(image)).toEqual([]);
      // The get and set are scheduling points (§15.4): another post-create can set the stream's (or
      // file's) context between this one's get and its set, which then loses and uses the winner's.
      for (const f of sim.log) if (f.type === 'RoutineFailed' && f.status === STATUS_FLT_CONTEXT_ALREADY_DEFINED) lost.push(`seed ${seed}: ${f.routine}`);
    }
    expect(lost).toEqual([
      'seed 1: FltSetStreamContext',
      'seed 1: FltSetStreamContext',
      'seed 3: FltSetStreamContext',
      'seed 7: FltSetFileContext',
      'seed 7: FltSetFileContext',
      'seed 8: FltSetFileContext',
      'seed 12: FltSetFileContext',
    ]);
  });

  it('fltsim run examples/samples/ctx exits 0, idle', async () => {
    const r = await fltsimRun('ctx');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^# fltsim run sample-ctx, seed 1, strategy in-order: idle after \d+ facts/);
  });

  // 10 schedules (30 cost npm test ~2.5 CPU-s); the deep run explores 3 × 400 at PCT depth 3 (ctx.deep.test.ts).
  const schedules = 10;
  it(`PCT: three applications, a rename and the unload: no violation, counts never inverted, in ${schedules} schedules`, () => {
    const r = explore(monitored(), { strategy: 'pct', seed: 1, schedules, shrink: false, args: { apps: '3', unloadAt: '2' }, monitors: [() => countsBalance(latest!)] });
    expect(r.violation).toBeNull();
  });
});

let latest: CtxImage | null = null;
/** The scenario, keeping the image of the schedule being explored for the monitor. */
export function monitored(): Scenario {
  return { ...scenario, build: (sim: Simulation, args: ScenarioArgs) => void (latest = ctxSystem(sim, { DebugLevel: DEBUG, ...args })) };
}
