// The time-travel commands (issue 5, item 5): `fltsim run` writes a trace, `replay` re-runs it with
// a determinism check or prints the state at an event, `export` converts it. Wrong arguments: one
// line on stderr and a non-zero exit. The run is spawned as a user runs it (the bin, the compiled
// CLI); the commands on its trace run in process (inProcess.ts), which prints the same bytes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEEP } from '../support/deep.js';
import { fltsimInProcess as inProcess } from './inProcess.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'fltsim-cli-'));

function fltsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'fltsim.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fltsim run / replay / export', () => {
  const trace = join(dir, 'soak.ndjson');
  const run = fltsim('run', 'io-soak', '--seed', '7', '--strategy', 'random', '--arg', 'iterations=2', '--trace', trace);

  it('run writes an NDJSON trace whose header names the scenario, seed and version', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^# fltsim run io-soak, seed 7, strategy random: idle after \d+ facts/);
    const header = JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!);
    expect(header).toMatchObject({ format: 'fltsim-trace', fltsimVersion: '0.1.0', seed: 7, scenario: { id: 'io-soak', args: { iterations: '2' } } });
  });

  it('replay re-runs the trace and finds it identical; --at N prints the state at event N', async () => {
    const replay = await inProcess('replay', trace);
    expect([replay.status, replay.stdout.trim()]).toEqual([0, expect.stringMatching(/^# replayed io-soak seed 7: \d+ facts, identical \(every fact compared with the trace\)$/)]);
    const at = await inProcess('replay', trace, '--at', '25');
    expect(at.status).toBe(0);
    expect(at.stdout).toMatch(/^# at fact #25 of \d+ \(t=\d+\), on T\d+/);
    expect(at.stdout).toContain('# what it changed:');
    expect((await inProcess('replay', trace, '--at=25', '--json')).stdout).toContain('"seq": 26');
  });

  it('export to perfetto (JSON with traceEvents), mermaid and text', async () => {
    const perfetto = await inProcess('export', trace, '--format', 'perfetto');
    expect(perfetto.status).toBe(0);
    expect(JSON.parse(perfetto.stdout).traceEvents.length).toBeGreaterThan(10);
    expect((await inProcess('export', trace, '--format', 'mermaid')).stdout).toMatch(/^sequenceDiagram\n/);
    expect((await inProcess('export', trace, '--format', 'text')).stdout).toMatch(/^#0 t=0 sim SimulationStart seed=7/);
  });

  it('a damaged trace is one line naming the file and the line, exit 3', async () => {
    const damaged = join(dir, 'damaged.ndjson');
    writeFileSync(damaged, readFileSync(trace, 'utf8').slice(0, -5));
    const r = await inProcess('replay', damaged);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^fltsim replay: \S+damaged\.ndjson: trace file line \d+: truncated[^\n]*\n$/);
  });

  it('wrong arguments: one line and exit 2; --help for each command', async () => {
    expect(await inProcess('run')).toMatchObject({ status: 2, stderr: 'fltsim run: needs exactly one scenario, got none (try fltsim run --help)\n' });
    expect(await inProcess('run', 'demo', '--seed', 'x')).toMatchObject({ status: 2, stderr: "fltsim run: --seed must be an integer of at most 15 digits, got 'x'\n" });
    expect(await inProcess('export', trace)).toMatchObject({ status: 2, stderr: 'fltsim export: --format must be perfetto, mermaid or text, got nothing\n' });
    expect(await inProcess('replay', trace, '--bogus', '1')).toMatchObject({ status: 2, stderr: "fltsim replay: unknown option '--bogus' (try fltsim replay --help)\n" });
    expect(await inProcess('run', 'nope')).toMatchObject({ status: 2, stderr: "fltsim run: [UNKNOWN_SCENARIO] no scenario 'nope' (known: demo, io-soak, random, random-io, race-unload-async-read, race-cancel-completion, race-drain-parked-post, race-reentrant-create, race-free-before-callback, race-unload-sync-read)\n" });
    for (const command of ['run', 'replay', 'export']) expect(await inProcess(command, '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining(`fltsim ${command} <`) });
    for (const command of ['explore', 'merge', 'view', 'demo']) expect(await inProcess(command, '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining(`fltsim ${command} `) });
  });

  // The checkout's TypeScript entry compiles all of src/ through tsx in a process of its own (~4 CPU-s);
  // npm test loads a module scenario through the installed package's bin (test/package/cli.ts) and
  // in process (test/cli/moduleDigest.test.ts, shard.test.ts), so this spawn is the deep run's.
  it.runIf(DEEP)('run accepts a path to a module exporting a scenario (through the TypeScript entry, no extra flags)', () => {
    const r = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'src', 'cli', 'main.ts'), 'run', join(root, 'test', 'cli', 'fixtures', 'oneVolume.ts')], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect([r.status, r.stdout.trim()]).toEqual([0, expect.stringMatching(/^# fltsim run one-volume, seed 1, strategy in-order: idle after \d+ facts/)]);
  });
});
