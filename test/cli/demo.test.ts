// The README's main command, run the way a newcomer runs it.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const root = join(import.meta.dirname, '..', '..');

async function runCli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('fltsim demo', async () => {
  it('npm run demo prints a stack, attaches, a vetoed detach, a vetoed and a real unload, and ends idle', async () => {
    const stdout = execFileSync('npm', ['run', '--silent', 'demo'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
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
    const out = await runCli(['demo']);
    expect(out.code).toBe(0);
    const text = out.out.join('\n');
    expect(text).toContain('# race exploration: unload while the filter');
    expect(text).toMatch(/# VIOLATION \(verifier\) INSTANCE_USED_AFTER_TEARDOWN at #\d+/);
    expect(text).toMatch(/IoStart IRP_MJ_CREATE file=O\d+:\\f\.bin from=I\d+:prefetcher/);
    expect(text).toMatch(/# shrunk: the same violation with 0 preemption\(s\) in \d+ facts/);
    expect(text).toMatch(/# the fixed filter \(FltObjectReference on its instance before each round\): no violation in \d+ schedules, every schedule within 2 preemptions/);
    // The race's trace is printed without its scheduling lines, so it reads as the sequence of events.
    const race = out.out.slice(out.out.findIndex((l) => l.startsWith('# race exploration')));
    expect(race.filter((l) => / Choice of=\d+$/.test(l))).toEqual([]);
    expect(race.filter((l) => / InstanceTeardownComplete /.test(l))).toHaveLength(1);
  });

  it('is byte-identical for the same seed, different for another seed under random scheduling', async () => {
    const a = await runCli(['demo', '--seed', '5', '--strategy', 'random']);
    const b = await runCli(['demo', '--seed', '5', '--strategy', 'random']);
    const c = await runCli(['demo', '--seed', '6', '--strategy', 'random']);
    expect(a.code).toBe(0);
    expect(b.out).toEqual(a.out);
    expect(c.out).not.toEqual(a.out);
  });

  it('bad arguments get a one-line error and a non-zero exit', async () => {
    expect(await runCli(['demo', '--seed', 'x'])).toMatchObject({ code: 2, err: ["fltsim demo: --seed must be an integer of at most 15 digits, got 'x'"] });
    expect(await runCli(['demo', '--seed=99999999999999999999'])).toMatchObject({ code: 2, err: ["fltsim demo: --seed must be an integer of at most 15 digits, got '99999999999999999999'"] });
    expect(await runCli(['demo', '--strategy'])).toMatchObject({ code: 2, err: ['fltsim demo: --strategy needs a value'] });
    expect(await runCli(['demo', '--strategy=fifo'])).toMatchObject({ code: 2, err: ["fltsim demo: --strategy must be in-order or random, got 'fifo'"] });
    expect(await runCli(['demo', '--bogus'])).toMatchObject({ code: 2, err: ["fltsim demo: unknown option '--bogus' (try fltsim demo --help)"] });
    expect(await runCli(['frobnicate'])).toMatchObject({ code: 2, err: ["fltsim: unknown command 'frobnicate' (commands: run, explore, merge, replay, export, demo; try fltsim --help)"] });
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli([])).code).toBe(2);
  });

  it('the bin entry runs as `fltsim` would', async () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'fltsim.mjs'), '--help'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}demo {6}run the built-in demo/m);
    const bad = spawnSync(process.execPath, [join(root, 'bin', 'fltsim.mjs'), 'nope'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("fltsim: unknown command 'nope' (commands: run, explore, merge, replay, export, demo; try fltsim --help)");
  });
});
