// The command line as a user gets it from the packed tarball (issue 13): each command with a
// scenario (TypeScript, loaded without extra flags; explore on worker threads, sharded and merged
// too) and the error classes that only a process shows. Called from pack.test.ts, which packs and
// installs once. Each process of the installed package costs a second or more of CPU (node loads
// the compiled package's ~360 modules, tsx its TypeScript loader and esbuild), so `npm test` spawns
// the bin only where the bin itself is what is checked (--version and --help, the error classes a
// process shows), and runs the other commands one after the other in one resident process of the
// installed package: it imports the installed compiled CLI (node_modules/fltsim/dist/cli/main.js,
// what the bin imports) and calls its main with each command line, as the bin does. The deep run
// (pack.deep.test.ts, npm run test:deep) spawns the bin for every command, and adds the longer
// checks: every command's --help, one thread against two, a race's trace replayed back, every
// error class. The same commands from the checkout's sources run in process in test/cli/.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEEP } from '../support/deep.js';

const root = join(import.meta.dirname, '..', '..');

/** The scanner fixture as a user writes it: importing the installed package by name. */
export function writeScannerModule(app: string): string {
  const source = readFileSync(join(root, 'test', 'travel', 'fixtures', 'scannerScenario.ts'), 'utf8')
    .replace("'../../../src/index.js'", "'fltsim'")
    .replace("'../../../src/testing/index.js'", "'fltsim/testing'");
  const path = join(app, 'scanner.ts');
  writeFileSync(path, source);
  return path;
}

const MY_RACE =
  "import { builtInScenarios, type Scenario } from 'fltsim';\nconst race = builtInScenarios.find((s) => s.id === 'race-cancel-completion')!;\nexport const scenario: Scenario = { ...race, id: 'my-race', description: 'race-cancel-completion as my own module' };\n";

type Ran = { status: number | null; stdout: string; stderr: string };

/**
 * The resident process: the installed package's compiled CLI, called with one command line per
 * message, as bin/fltsim.mjs calls it (stdout and stderr line by line; no progress line, as when
 * stderr is not a terminal). Anything the process writes outside a command's io is collected and
 * must stay empty.
 */
const RESIDENT = `const { main } = await import(new URL('./node_modules/fltsim/dist/cli/main.js', import.meta.url).href);
process.on('message', async (args) => {
  let stdout = '';
  let stderr = '';
  const status = await main(args, { out: (line) => (stdout += line + '\\n'), err: (line) => (stderr += line + '\\n') });
  process.send({ status, stdout, stderr });
});
process.send('ready');
`;

function resident(app: string): { run(args: readonly string[]): Promise<Ran>; stray(): string; stop(): void } {
  writeFileSync(join(app, 'resident.mjs'), RESIDENT);
  const child: ChildProcess = spawn(process.execPath, ['resident.mjs'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stray = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stray += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stray += d));
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`the resident fltsim process exited (${code}): ${stray}`))));
  exited.catch(() => undefined);
  const next = (): Promise<unknown> => Promise.race([new Promise((resolve) => child.once('message', resolve)), exited]);
  let queue: Promise<unknown> = next();
  return {
    run(args) {
      const answer = queue.then(() => {
        const reply = next();
        child.send(args);
        return reply;
      });
      queue = answer;
      return answer as Promise<Ran>;
    },
    stray: () => stray,
    stop: () => void child.kill(),
  };
}

export function cliTests(context: () => { app: string }): void {
  /** `fltsim ...args` as a user runs it: the installed bin, a process of its own. */
  const bin = (...args: string[]): Promise<Ran> => {
    const { app } = context();
    return new Promise((resolve, reject) => {
      const child = spawn(join(app, 'node_modules', '.bin', 'fltsim'), args, { cwd: app });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  };
  let residentCli: ReturnType<typeof resident> | null = null;
  /** A command whose checks are the command's, not the bin's: the resident process in npm test, the bin in the deep run. */
  const fltsim = (...args: string[]): Promise<Ran> => {
    if (DEEP) return bin(...args);
    residentCli ??= resident(context().app);
    return residentCli.run(args);
  };
  afterAll(() => residentCli?.stop());

  it('--version, and --help with the command list, the exit-code table and the trust note', async () => {
    expect(await bin('--version')).toMatchObject({ status: 0, stdout: '0.1.0\n' });
    const help = await bin('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}demo {6}run the built-in demo/m);
    expect(help.stdout).toContain('Exit codes:\n  0   success');
    expect(help.stdout).toContain('A scenario module is code');
  });

  if (DEEP) {
    it('--help on every command', async () => {
      for (const command of ['run', 'explore', 'merge', 'replay', 'export', 'view', 'demo']) expect(await fltsim(command, '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining(`fltsim ${command} `) });
    });
  }

  it('run a TypeScript scenario module with --arg, replay its trace checked, export it', async () => {
    const { app } = context();
    const module = writeScannerModule(app);
    const run = await fltsim('run', 'scanner.ts', '--arg', 'apps=3', '--seed=4', '--strategy', 'random', '--trace', 'scanner.ndjson');
    expect(run).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(/^# fltsim run scanner, seed 4, strategy random: idle after \d+ facts/) });
    const text = readFileSync(join(app, 'scanner.ndjson'), 'utf8');
    const header = JSON.parse(text.split('\n')[0]!);
    expect(header.scenario).toEqual({ id: 'scanner', args: { apps: '3' }, module: { path: module, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(await fltsim('replay', 'scanner.ndjson')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^# replayed scanner seed 4: \d+ facts, identical/) });
    const perfetto = await fltsim('export', 'scanner.ndjson', '--format', 'perfetto');
    expect(perfetto.status).toBe(0);
    expect(JSON.parse(perfetto.stdout).traceEvents.length).toBeGreaterThan(10);
  });

  if (DEEP) {
    it('ask why a generated read happened; export a module run here', async () => {
      const { app } = context();
      writeScannerModule(app);
      expect((await fltsim('run', 'scanner.ts', '--arg', 'apps=3', '--seed=4', '--strategy', 'random', '--trace', 'scanner.ndjson')).status).toBe(0);
      const text = readFileSync(join(app, 'scanner.ndjson'), 'utf8');
      // The scanner's generated read (IoStart with an initiator), back to the application's open.
      const facts = text.trim().split('\n').slice(1).map((l) => JSON.parse(l) as { seq: number; type: string; initiator?: string | null; major?: number });
      const read = facts.find((f) => f.type === 'IoStart' && f.major === 3 && f.initiator !== null)!;
      const why = await fltsim('replay', 'scanner.ndjson', '--why', String(read.seq));
      expect(why.status).toBe(0);
      expect(why.stdout).toMatch(/IoStart IRP_MJ_READ[^\n]*\n {2}↑ issued inside the callback\n[^\n]*PostOperation[^\n]*\n {2}↑ belongs to the operation[^\n]*\n[^\n]*IoStart IRP_MJ_CREATE[^\n]*UserMode[^\n]*\n {2}↑ on the thread created at\n[^\n]*ThreadCreate name="app \d"/);
      const perfetto = await fltsim('export', 'scanner.ts', '--format', 'perfetto', '--arg', 'apps=1');
      expect(perfetto.status).toBe(0);
      expect(JSON.parse(perfetto.stdout).traceEvents.length).toBeGreaterThan(10);
    });
  }

  it('view: the installed package writes the viewer page, the trace embedded in its data blocks', async () => {
    const { app } = context();
    const view = await fltsim('view', 'demo', '--out', 'demo.html');
    expect(view).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(/^# the viewer for \d+ facts is in demo.html/) });
    const html = readFileSync(join(app, 'demo.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'/);
    const data = /<script type="application\/json" id="fltsim-payload">([^<]*)<\/script>/.exec(html)![1]!;
    expect((JSON.parse(data) as { main: { length: number } }).main.length).toBeGreaterThan(50);
    expect(html).toMatch(/<script type="application\/json" id="fltsim-facts-main-0">[A-Za-z0-9+/]+=*<\/script>/);
  });

  it('explore a module scenario on two worker threads (each loads the compiled package and the TypeScript module)', async () => {
    writeScannerModule(context().app);
    // What this checks is that each worker thread loads the package and the module; the schedules
    // themselves are the explorer's (test/explore): 10 in npm test, 30 in the deep run.
    const schedules = DEEP ? '30' : '10';
    const two = await fltsim('explore', 'scanner.ts', '--schedules', schedules, '--workers', '2');
    expect([two.status, two.stderr]).toEqual([0, '']);
    expect(two.stdout).toMatch(new RegExp(`^# explored scanner with random on 2 worker threads: ${schedules} schedule\\(s\\)\\n`));
    expect(two.stdout).toContain('# no violation found');
    if (!DEEP) return;
    const one = await fltsim('explore', 'scanner.ts', '--schedules', schedules);
    expect(one.status).toBe(0);
    expect(two.stdout.replace(' on 2 worker threads', '')).toBe(one.stdout);
  });

  if (DEEP) {
    it('explore a race whose trace replay lands on and steps back from', async () => {
      const race = await fltsim('explore', 'race-free-before-callback', '--trace', 'race.ndjson', '--trace-shrunk', 'shrunk.ndjson');
      expect(race.status).toBe(1);
      const replay = await fltsim('replay', 'race.ndjson');
      expect(replay.status).toBe(0);
      expect(replay.stdout).toMatch(/# VIOLATION \(verifier\) FREE_BEFORE_CALLBACK at #(\d+)/);
      const seq = Number(/at #(\d+)/.exec(replay.stdout)![1]);
      expect((await fltsim('replay', 'race.ndjson', '--at', 'violation', '--back', '1')).stdout).toContain(`# at fact #${seq - 1} of`);
      expect((await fltsim('replay', 'shrunk.ndjson')).stdout).toContain('identical');
    });
  }

  it('explore a module scenario in two shards and merge them (the result files name the module)', async () => {
    const { app } = context();
    writeFileSync(join(app, 'my-race.ts'), MY_RACE);
    const plan = ['explore', 'my-race.ts', '--seed', '2', '--schedules', '40'];
    for (const k of [1, 2]) expect(await fltsim(...plan, '--shard', `${k}/2`, '--out', `my-${k}.json`)).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(readFileSync(join(app, 'my-1.json'), 'utf8')).plan).toMatchObject({ scenario: 'my-race', module: { path: join(app, 'my-race.ts'), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const merged = await fltsim('merge', 'my-1.json', 'my-2.json', '--trace', 'my-race.ndjson');
    expect([merged.status, merged.stderr]).toEqual([1, '']);
    expect(merged.stdout).toMatch(/^# explored my-race with random: \d+ schedule\(s\)\n[\s\S]*# VIOLATION \(verifier\) [\s\S]*# the failing schedule's trace is in my-race\.ndjson/);
    if (DEEP) expect(await fltsim('replay', 'my-race.ndjson')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^# replayed my-race seed \d+: \d+ facts, identical/) });
  });

  // Each case: the arguments, the exit code, the one line on stderr. `npm test` spawns the two a
  // process shows differently from an in-process call (a write error of the process, a module's own
  // throw); the deep run spawns every class (test/cli/errors.test.ts runs them all in process).
  const cases: [string[], number, RegExp][] = [
    [['run', 'demo', '--trace', '/dev/full'], 5, /^fltsim run: cannot write \/dev\/full: no space left on the device \(ENOSPC\)$/],
    // The scenario module's own code throwing is that input's fault (3), not fltsim's (70).
    [['run', 'throws.ts'], 3, /^fltsim run: the scenario module's code threw RangeError: no such disk \(at \S+throws\.ts:1:\d+\)$/],
    ...(DEEP
      ? ([
          [['run', 'demo', '--bogus'], 2, /^fltsim run: unknown option '--bogus'/],
          [['run', 'demo', '--seed', '99999999999999999999'], 2, /^fltsim run: --seed must be an integer/],
          [['run', 'no-such-scenario'], 2, /^fltsim run: \[UNKNOWN_SCENARIO\]/],
          [['replay', 'missing.ndjson'], 3, /^fltsim replay: cannot read trace file missing\.ndjson: no such file \(ENOENT\)$/],
          [['run', 'missing.ts'], 3, /^fltsim run: scenario module missing\.ts: no such file or directory$/],
        ] as [string[], number, RegExp][])
      : []),
  ];

  it('error classes: one line, its exit code, no stack', async () => {
    const { app } = context();
    writeFileSync(join(app, 'throws.ts'), "export const scenario = { id: 'throws', description: 'a build that throws', build() { throw new RangeError('no such disk'); } };\n");
    for (const [args, code, line] of cases) {
      const r = await bin(...args);
      expect([r.status, r.stderr.split('\n').length], args.join(' ')).toEqual([code, 2]);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(line);
    }
  });

  if (DEEP) {
    it('a damaged trace (3), a trace that does not reproduce (4), a changed module (3), a violation found (1)', async () => {
      const { app } = context();
      writeScannerModule(app);
      await fltsim('run', 'scanner.ts', '--trace', 'before.ndjson');
      const text = readFileSync(join(app, 'before.ndjson'), 'utf8');
      writeFileSync(join(app, 'damaged.ndjson'), text.slice(0, -3));
      expect(await fltsim('replay', 'damaged.ndjson')).toMatchObject({ status: 3, stderr: expect.stringMatching(/^fltsim replay: damaged\.ndjson: trace file line \d+: truncated[^\n]*\n$/) });
      const [first, ...rest] = text.split('\n');
      const header = JSON.parse(first!);
      writeFileSync(join(app, 'reseeded.ndjson'), [JSON.stringify({ ...header, seed: 2, options: { ...header.options, seed: 2 } }), ...rest].join('\n'));
      expect(await fltsim('replay', 'reseeded.ndjson')).toMatchObject({ status: 4, stderr: expect.stringMatching(/^fltsim replay: replay differs: replay diverged at seq 0[^\n]*\n$/) });
      writeFileSync(join(app, 'scanner.ts'), readFileSync(join(app, 'scanner.ts'), 'utf8') + '\n// edited\n');
      expect(await fltsim('replay', 'before.ndjson')).toMatchObject({ status: 3, stderr: expect.stringMatching(/^fltsim replay: scenario module \S+scanner\.ts changed since the trace was written/) });
      expect((await fltsim('explore', 'race-cancel-completion', '--schedules', '200')).status).toBe(1);
    });
  }

  if (!DEEP) {
    it('the resident process of the installed package wrote nothing outside its commands\' output, and still runs', async () => {
      expect(await fltsim('--version')).toEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
      expect(residentCli?.stray()).toBe('');
    });
  }
}
