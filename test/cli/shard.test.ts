// `fltsim explore --shard K/N` and `fltsim merge` (issue 16, item 5): two shards and a merge print,
// byte for byte, what one `fltsim explore` of the same plan prints, with the same exit code; a
// result file is untrusted input, refused with one typed line and exit 3. A scenario module shards
// too (issue 13 item 2): its result files record the module's path and SHA-256, as a trace does, and
// merge loads it only when every shard ran that module and the file still matches. The commands run
// the CLI's main in process (a spawn costs seconds of CPU); one merge is a separate process of the
// real bin, reading the files the shards wrote, as on another machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fltsimInProcess, type Ran } from './inProcess.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'fltsim-shard-'));

/** Run the real bin as a user does. */
function fltsim(...args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'fltsim.mjs'), ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function inProcess(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** Run the plan whole and as 2 shards, then merge in a process of its own: the reports must be the same bytes. */
async function shardedEqualsSingle(name: string, plan: readonly string[]): Promise<Ran> {
  const files = [1, 2].map((k) => join(dir, `${name}-${k}.json`));
  const single = await fltsimInProcess('explore', ...plan);
  for (const [i, out] of files.entries()) {
    const shard = await fltsimInProcess('explore', ...plan, '--shard', `${i + 1}/2`, '--out', out);
    expect(shard.status, shard.stderr).toBe(0);
    expect(shard.stdout).toContain(`# shard ${i + 1}/2 of ${plan[0]}`);
  }
  const merged = await fltsim('merge', ...files);
  expect(merged.stderr).toBe('');
  expect(merged.stdout).toBe(single.stdout);
  expect(merged.status).toBe(single.status);
  return single;
}

describe('fltsim explore --shard K/N, then fltsim merge', () => {
  it('PCT over schedule indices: the lowest failing schedule, its shrunk trace and the summed coverage, as one run prints them', async () => {
    const single = await shardedEqualsSingle('pct', ['race-unload-sync-read', '--strategy', 'pct', '--seed', '3', '--schedules', '200']);
    expect(single.status).toBe(1);
    expect(single.stdout).toMatch(/^# explored race-unload-sync-read with pct: \d+ schedule\(s\)\n/);
    expect(single.stdout).toContain('# VIOLATION (verifier) INSTANCE_USED_AFTER_TEARDOWN');
  });

  it('exhaustive over the subtrees of a split plan: the same exhausted space and coverage (in process)', async () => {
    const plan = ['race-free-before-callback', '--strategy', 'exhaustive', '--split-depth', '2', '--arg', 'variant=fixed'];
    const single = await inProcess('explore', ...plan);
    const files = [1, 2].map((k) => join(dir, `exhaustive-${k}.json`));
    for (const [i, out] of files.entries()) expect((await inProcess('explore', ...plan, '--shard', `${i + 1}/2`, '--out', out)).code).toBe(0);
    const merged = await inProcess('merge', ...files);
    expect(merged).toEqual(single);
    expect(single.code).toBe(0);
    expect(single.out[0]).toMatch(/exhaustive: \d+ schedule\(s\), the bounded space exhausted/);
  });

  it('exhaustive with --max-runs: each subtree stops at the same run in a shard as in the single run (in process)', async () => {
    // One run per subtree: its subtrees need at most two since races no step but the first could reverse are not (docs/exploration.md, "The algorithm").
    const plan = ['race-free-before-callback', '--strategy', 'exhaustive', '--split-depth', '2', '--max-runs', '1', '--arg', 'variant=fixed'];
    const single = await inProcess('explore', ...plan);
    const files = [1, 2].map((k) => join(dir, `maxruns-${k}.json`));
    for (const [i, out] of files.entries()) expect((await inProcess('explore', ...plan, '--shard', `${i + 1}/2`, '--out', out)).code).toBe(0);
    expect(JSON.parse(readFileSync(files[0]!, 'utf8')).plan.maxRuns).toBe(1);
    const merged = await inProcess('merge', ...files);
    expect(merged).toEqual(single);
    expect(single.out[0]).toMatch(/exhaustive: \d+ schedule\(s\), the budget spent before the bounded space was exhausted/); // stopped by the runs
    const random = await inProcess('explore', 'race-free-before-callback', '--max-runs', '2');
    expect([random.code, random.err[0]]).toEqual([2, expect.stringContaining('--max-runs bounds exhaustive search only')]);
  });

  it('exhaustive with --reduction stateful-dpor: fewer schedules than DPOR, and shards agree (in process)', async () => {
    const plan = ['race-cancel-completion', '--strategy', 'exhaustive', '--arg', 'variant=fixed'];
    const dpor = await inProcess('explore', ...plan);
    const single = await inProcess('explore', ...plan, '--reduction', 'stateful-dpor');
    // docs/exploration.md: 17 complete schedules under DPOR, 8 once runs stop at visited states.
    expect([dpor.out[0], single.out[0]]).toEqual([expect.stringContaining(': 17 schedule(s), the bounded space exhausted'), expect.stringContaining(': 8 schedule(s), the bounded space exhausted')]);
    const files = [1, 2].map((k) => join(dir, `stateful-${k}.json`));
    for (const [i, out] of files.entries()) expect((await inProcess('explore', ...plan, '--reduction', 'stateful-dpor', '--split-depth', '1', '--shard', `${i + 1}/2`, '--out', out)).code).toBe(0);
    expect(JSON.parse(readFileSync(files[0]!, 'utf8')).plan.reduction).toBe('stateful-dpor');
    const merged = await inProcess('merge', ...files);
    expect(merged).toEqual(await inProcess('explore', ...plan, '--reduction', 'stateful-dpor', '--split-depth', '1'));
    const wrong = await inProcess('explore', ...plan, '--reduction', 'magic');
    expect([wrong.code, wrong.err[0]]).toEqual([2, expect.stringContaining("--reduction must be none, sleep-sets, dpor or stateful-dpor, got 'magic'")]);
    const random = await inProcess('explore', 'race-free-before-callback', '--reduction', 'dpor');
    expect([random.code, random.err[0]]).toEqual([2, expect.stringContaining('--reduction applies to exhaustive search only')]);
  });
});

describe('fltsim merge: result files are untrusted input', () => {
  const plan = ['explore', 'race-cancel-completion', '--strategy', 'random', '--seed', '5', '--schedules', '20'];
  const good = async () => {
    const files = [join(dir, 'g1.json'), join(dir, 'g2.json')];
    for (const [i, out] of files.entries()) expect((await inProcess(...plan, '--shard', `${i + 1}/2`, '--out', out)).code).toBe(0);
    return files;
  };
  const refused = async (files: string[], message: RegExp) => {
    const r = await inProcess('merge', ...files);
    expect(r.code).toBe(3);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
  };
  const edited = (file: string, change: (json: Record<string, unknown>) => void): string => {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(json);
    const out = `${file}.edited.json`;
    writeFileSync(out, JSON.stringify(json));
    return out;
  };

  it('a missing shard, one given twice, not JSON, another format', async () => {
    const [a, b] = await good();
    await refused([a!], /^fltsim merge: \[BAD_SHARD_RESULT\] shard 2\/2 is missing$/);
    await refused([a!, a!], /shard 1\/2 is given twice/);
    writeFileSync(join(dir, 'junk.json'), '{"format": ');
    await refused([join(dir, 'junk.json'), b!], /junk\.json: not JSON/);
    writeFileSync(join(dir, 'other.json'), '{"format": "something else"}');
    await refused([join(dir, 'other.json'), b!], /other\.json: not an fltsim shard result/);
  });

  it('a field out of range, a plan that differs, a scenario that is not built in, a failure that does not fail', async () => {
    const [a, b] = await good();
    await refused([edited(a!, (j) => ((j['shard'] as { index: number }).index = 3)), b!], /shard\.index must be an integer from 1 to 2, got 3/);
    await refused([edited(a!, (j) => ((j['plan'] as { seed: number }).seed = 6)), b!], /belongs to another plan/);
    await refused([edited(a!, (j) => ((j['plan'] as { maxRuns: number }).maxRuns = 0)), b!], /plan\.maxRuns must be an integer from 1 to 1000000000, got 0/);
    await refused([edited(a!, (j) => ((j['plan'] as { reduction: string }).reduction = 'fast')), b!], /plan\.reduction must be one of none, sleep-sets, dpor, stateful-dpor, got "fast"/);
    await refused([edited(a!, (j) => ((j['plan'] as { scenario: string }).scenario = '../../evil.ts')), b!], /plan\.scenario is not valid/);
    const renamed = (j: Record<string, unknown>) => ((j['plan'] as { scenario: string }).scenario = 'no-such-scenario');
    await refused([edited(a!, renamed), edited(b!, renamed)], /names scenario 'no-such-scenario', which is not built in/);
    const units = (j: Record<string, unknown>) => (j['units'] as { hits: number[][] }[])[0]!;
    await refused([edited(a!, (j) => units(j).hits.push([1, 1])), b!], /hits\[\d+\] must hold a position and 2 count\(s\)|modulo 2/);
    const fake = (j: Record<string, unknown>) => ((j['units'] as { failure: unknown; schedules: number }[])[0]!.failure = { at: 0, choices: ['T2'] });
    await refused([edited(a!, fake), b!], /schedule 0 does not fail again as its shard said/);
  });

  it('--shard K/N is checked like every option', async () => {
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) {
      const r = await inProcess(...plan, '--shard', bad);
      expect(r.code).toBe(2);
      expect(r.err[0]).toContain('--shard must be K/N');
    }
    expect((await inProcess(...plan, '--out', 'x.json')).err[0]).toContain('--out names the result file of --shard K/N');
  });
});

describe('a scenario module, sharded and merged', () => {
  const module = join(root, 'test', 'cli', 'fixtures', 'moduleRace.ts');
  const plan = ['explore', module, '--strategy', 'random', '--seed', '2', '--schedules', '40'];

  it('shards and a merge print what one explore prints; the merged trace names the module and replays checked', async () => {
    const files = [1, 2].map((k) => join(dir, `module-${k}.json`));
    for (const [i, out] of files.entries()) {
      const shard = await fltsimInProcess(...plan, '--shard', `${i + 1}/2`, '--out', out);
      expect([shard.status, shard.stdout.split('\n')[0]], shard.stderr).toEqual([0, expect.stringContaining(`# shard ${i + 1}/2 of my-race with random`)]);
    }
    const trace = join(dir, 'module-merged.ndjson');
    const merged = await fltsimInProcess('merge', ...files, '--trace', trace);
    const single = await inProcess(...plan);
    expect([merged.status, merged.stderr]).toEqual([1, '']);
    expect(merged.stdout).toBe([...single.out, `# the failing schedule's trace is in ${trace}: fltsim replay ${trace} checks it and lands on the violation`, ''].join('\n'));
    expect(single.out).toContain(`# replay it: fltsim explore ${module} --strategy random --seed ${/seed (\d+)/.exec(single.out.join('\n'))![1]} --schedules 1 --trace failing.ndjson, then fltsim replay failing.ndjson`);
    expect(JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!).scenario).toMatchObject({ id: 'my-race', module: { path: module, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const replay = await inProcess('replay', trace);
    expect(replay.code).toBe(0);
    expect(replay.out[0]).toMatch(/^# replayed my-race seed \d+: \d+ facts, identical/);
  });

  it('merge refuses shards that ran different modules, a module that changed since, and --scenario naming another module', async () => {
    const files = [join(dir, 'mod1.json'), join(dir, 'mod2.json')];
    for (const [i, out] of files.entries()) expect((await inProcess(...plan, '--shard', `${i + 1}/2`, '--out', out)).code).toBe(0);
    const result = JSON.parse(readFileSync(files[0]!, 'utf8')) as { plan: { scenario: string; module: { path: string; sha256: string } } };
    expect(result.plan).toMatchObject({ scenario: 'my-race', module: { path: module } });
    const other = '0'.repeat(64);
    const edit = (file: string, sha256: string): string => {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { plan: { module: { sha256: string } } };
      json.plan.module.sha256 = sha256;
      writeFileSync(`${file}.${sha256.slice(0, 4)}.json`, JSON.stringify(json));
      return `${file}.${sha256.slice(0, 4)}.json`;
    };
    const different = await inProcess('merge', files[0]!, edit(files[1]!, other));
    expect([different.code, different.err.length]).toEqual([3, 1]);
    expect(different.err[0]).toMatch(/mod2\.json\.0000\.json: \[BAD_SHARD_RESULT\] ran scenario module \S+moduleRace\.ts with SHA-256 000000000000…, \S+mod1\.json module \S+moduleRace\.ts with [0-9a-f]{12}…: the shards ran different scenario modules$/);
    const changed = await inProcess('merge', edit(files[0]!, other), edit(files[1]!, other));
    expect(changed.code).toBe(3);
    expect(changed.err[0]).toMatch(/^fltsim merge: scenario module \S+moduleRace\.ts changed since the shards ran \(SHA-256 now [0-9a-f]{12}…, the shards had 000000000000…\): merge needs the module as it was$/);
    const elsewhere = await inProcess('merge', ...files, '--scenario', join(root, 'test', 'cli', 'fixtures', 'oneVolume.ts'));
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.err[0]).toMatch(/oneVolume\.ts changed since the shards ran/);
    // The module where the results say it is: the same report as the single run.
    expect((await inProcess('merge', ...files, '--scenario', module)).code).toBe(1);
  });
});
