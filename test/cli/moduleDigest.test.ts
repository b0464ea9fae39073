// A scenario module is more than its entry file (issue 13, item 2): a sample port keeps its filter,
// its user-mode program and shared helpers apart. The trace's digest covers every local file the
// module imports, a directory names its index.ts, and replay refuses a change to any of the files.
// The commands run in process (inProcess.ts: the CLI's main, the bytes a spawned `fltsim` prints;
// each spawn cost a second or more of CPU); the bin itself is spawned by demo.test.ts, travel.test.ts
// and the package tests.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleDigest } from '../../src/cli/moduleDigest.js';
import { fltsimInProcess as fltsim } from './inProcess.js';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'fltsim-module-'));
// A user's project: ES modules (tsx reads .ts as CommonJS outside a "type": "module" package).
writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'my-filters', private: true, type: 'module' }));
// The copy of fltsim the module imports is the one the CLI runs: here the sources (a module importing
// dist/ would hand the in-process CLI objects of another copy, which its routines refuse).
const testing = JSON.stringify(join(root, 'src', 'testing', 'index.js'));

/** A sample laid out as a port is: index.ts → filter.ts → ../common/altitude.ts, and a user-mode part. */
function writeSample(altitude: string): string {
  const dir = join(work, 'sample');
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(work, 'common'), { recursive: true });
  writeFileSync(join(work, 'common', 'altitude.ts'), `export const ALTITUDE = '${altitude}';\n`);
  writeFileSync(join(dir, 'filter.ts'), `import { installFilter } from ${testing};\nimport { ALTITUDE } from '../common/altitude.js';\nexport function load(sim: any) { installFilter(sim, { name: 'sample', altitude: ALTITUDE }); }\n`);
  writeFileSync(join(dir, 'user.ts'), `export function user(sim: any) { sim.spawn('user', function* () { return 0; }); }\n`);
  writeFileSync(
    join(dir, 'index.ts'),
    `import { load } from './filter.js';\nimport { user } from './user';\nexport const scenario = { id: 'sample', description: 'a sample in three files', build(sim: any) { sim.mountVolume({ name: '\\\\Device\\\\HarddiskVolume1', dosName: 'C:' }); load(sim); user(sim); } };\n`,
  );
  return dir;
}

describe('scenario modules of several files', () => {
  it('the digest covers the entry and every local file it imports, not fltsim\'s own sources', () => {
    const dir = writeSample('370000');
    const digest = moduleDigest(join(dir, 'index.ts'));
    expect(digest.files).toEqual(['index.ts', '../common/altitude.ts', 'filter.ts', 'user.ts']);
    expect(digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    writeSample('370001');
    expect(moduleDigest(join(dir, 'index.ts')).sha256).not.toBe(digest.sha256);
  });

  it('`fltsim run <directory>` runs its index.ts; replay checks it; a change two imports away is refused with exit 3', async () => {
    const dir = writeSample('370000');
    const trace = join(work, 'sample.ndjson');
    const run = await fltsim('run', dir, '--trace', trace);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/^# fltsim run sample, seed 1, strategy in-order: idle after \d+ facts/);
    const header = JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!) as { scenario: { module: { path: string; sha256: string } } };
    expect(header.scenario.module).toEqual({ path: join(dir, 'index.ts'), sha256: moduleDigest(join(dir, 'index.ts')).sha256 });
    expect(await fltsim('replay', trace)).toMatchObject({ status: 0, stdout: expect.stringMatching(/identical/) });
    writeSample('370001');
    const refused = await fltsim('replay', trace);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/^fltsim replay: scenario module \S+index\.ts or one of the 3 local file\(s\) it imports \(\.\.\/common\/altitude\.ts, filter\.ts, user\.ts\) changed since the trace was written/);
    expect(refused.stderr.split('\n')).toHaveLength(2);
  });

  it('a directory without an index is an input error naming it', async () => {
    mkdirSync(join(work, 'empty'), { recursive: true });
    const r = await fltsim('run', join(work, 'empty'));
    expect([r.status, r.stderr.trim()]).toEqual([3, `fltsim run: scenario module ${join(work, 'empty')}: a directory without index.ts or index.js`]);
  });
});
