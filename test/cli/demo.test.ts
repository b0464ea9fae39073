// The README's main command, run the way a newcomer runs it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createSimulation } from '../../src/index.js';
import { buildDemo, demoOptions } from '../../src/scenarios/demo.js';
import { formatTrace } from '../../src/trace/textFormat.js';
import { DEEP } from '../support/deep.js';

const root = join(import.meta.dirname, '..', '..');

async function runCli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('fltsim demo', async () => {
  // The README's command is `npm run demo`, which runs the CLI's main through tsx: it runs here once,
  // in process (npm and tsx would cost seconds of CPU; CI runs `npm run demo` itself, and the bin is
  // spawned below); both halves of its output are checked below (the demo's exploration costs
  // seconds, so each run of it counts).
  const scripts = (await import('../../package.json', { with: { type: 'json' } })).default.scripts as Record<string, string>;
  const readme = await runCli(['demo']);
  const stdout = readme.out.join('\n');

  it('npm run demo prints a stack, attaches, a vetoed detach, a vetoed and a real unload, and ends idle', async () => {
    expect(scripts['demo']).toBe('tsx src/cli/main.ts demo');
    expect([readme.code, readme.err]).toEqual([0, []]);
    expect(stdout).toContain('# device stacks once both drivers have loaded');
    expect(stdout).toMatch(/frame 1 \[250000, ∞\)\n {4}I3 monitor "Monitor" @ 385100\n {4}I1 scanner "Scanner" @ 328000\n {2}L1 legacy filter LegacyAV\.sys/);
    expect(stdout).toContain('InstanceSetupReturned status=STATUS_FLT_DO_NOT_ATTACH');
    expect(stdout).toContain('RoutineFailed routine=FltDetachVolume status=STATUS_FLT_DO_NOT_DETACH');
    expect(stdout).toContain('RoutineFailed routine=FilterUnload status=STATUS_FLT_DO_NOT_DETACH (scanner vetoed the unload)');
    expect(stdout).toContain('FilterUnloadCallback flags=MANDATORY');
    expect(stdout).toContain('V2(E:) VolumeDismounted');
    expect(stdout).toMatch(/# run ended: idle after \d+ facts/);
  });

  it('then finds the planted unload race, shows its trace with the generated I/O, and checks the fix exhaustively', async () => {
    const lines = stdout.split('\n');
    expect(stdout).toContain('# race exploration: unload while the filter');
    expect(stdout).toMatch(/# VIOLATION \(verifier\) INSTANCE_USED_AFTER_TEARDOWN at #\d+/);
    expect(stdout).toMatch(/IoStart IRP_MJ_CREATE file=O\d+:\\f\.bin from=I\d+:prefetcher/);
    expect(stdout).toMatch(/# shrunk: the same violation with 0 preemption\(s\) in \d+ facts/);
    expect(stdout).toMatch(/# the fixed filter \(FltObjectReference on its instance before each round\): no violation in \d+ schedules, every schedule within 2 preemptions/);
    // The race's trace is printed without its scheduling lines, so it reads as the sequence of events.
    const race = lines.slice(lines.findIndex((l) => l.startsWith('# race exploration')));
    expect(race.filter((l) => / Choice of=\d+$/.test(l))).toEqual([]);
    expect(race.filter((l) => / InstanceTeardownComplete /.test(l))).toHaveLength(1);
  });

  it('is byte-identical for the same seed, different for another seed under random scheduling', async () => {
    // The demo's first half (the scenario's trace) rebuilt through the API gives the lines the
    // command printed for the same seed and strategy, and other lines for another seed. npm test
    // compares the README's run above (seed 1, in order) and seeds 5 and 6 under random scheduling
    // through the API; the deep run (demo.deep.test.ts) runs the whole demo a second time with
    // --seed 5 --strategy random (its exploration costs ~4 CPU-seconds). (The exploration half is
    // the explorer's, whose determinism test/explore pins.)
    const traceOf = (seed: number, strategy: 'in-order' | 'random'): string[] => {
      const sim = createSimulation({ ...demoOptions, seed, strategy });
      buildDemo(sim);
      sim.run();
      return formatTrace(sim.log);
    };
    const printedTrace = (out: string[]): string[] => {
      const start = out.indexOf('# trace (one fact per line: #seq t=time object Type details)') + 1;
      return out.slice(start, out.indexOf('', start));
    };
    const readmeTrace = printedTrace(readme.out);
    expect(readmeTrace.length).toBeGreaterThan(50);
    expect(traceOf(1, 'in-order')).toEqual(readmeTrace);
    const random = DEEP ? await runCli(['demo', '--seed', '5', '--strategy', 'random']) : null;
    if (random !== null) expect(random.code).toBe(0);
    const five = random === null ? traceOf(5, 'random') : printedTrace(random.out);
    expect(five[0]).toMatch(/^#0 t=0 sim SimulationStart seed=5 /);
    expect(traceOf(5, 'random')).toEqual(five);
    expect(traceOf(6, 'random')).not.toEqual(five);
  });

  it('bad arguments get a one-line error and a non-zero exit', async () => {
    expect(await runCli(['demo', '--seed', 'x'])).toMatchObject({ code: 2, err: ["fltsim demo: --seed must be an integer of at most 15 digits, got 'x'"] });
    expect(await runCli(['demo', '--seed=99999999999999999999'])).toMatchObject({ code: 2, err: ["fltsim demo: --seed must be an integer of at most 15 digits, got '99999999999999999999'"] });
    expect(await runCli(['demo', '--strategy'])).toMatchObject({ code: 2, err: ['fltsim demo: --strategy needs a value'] });
    expect(await runCli(['demo', '--strategy=fifo'])).toMatchObject({ code: 2, err: ["fltsim demo: --strategy must be in-order or random, got 'fifo'"] });
    expect(await runCli(['demo', '--bogus'])).toMatchObject({ code: 2, err: ["fltsim demo: unknown option '--bogus' (try fltsim demo --help)"] });
    expect(await runCli(['frobnicate'])).toMatchObject({ code: 2, err: ["fltsim: unknown command 'frobnicate' (commands: run, explore, merge, replay, export, view, demo; try fltsim --help)"] });
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli([])).code).toBe(2);
  });

  it('the bin entry runs as `fltsim` would', async () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'fltsim.mjs'), '--help'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}demo {6}run the built-in demo/m);
    const bad = spawnSync(process.execPath, [join(root, 'bin', 'fltsim.mjs'), 'nope'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("fltsim: unknown command 'nope' (commands: run, explore, merge, replay, export, view, demo; try fltsim --help)");
  });
});
