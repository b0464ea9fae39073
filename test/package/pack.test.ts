// The package as a user gets it (issue 7): `npm pack`, install the tarball into an empty folder,
// import the public entry, the testing entry and the Node entry by name, type-check against the shipped .d.ts,
// and run a scenario there — the same log as the same scenario run from the sources here.
// `npm install` itself is the deep run's (pack.deep.test.ts): it cost ~6 of npm test's CPU-seconds.
// npm test unpacks the tarball into the empty folder's node_modules as npm lays it out, beside a
// link to each dependency the packed package.json declares and nothing else (so an import of an
// undeclared package fails there as after a real install), with the `bin` link npm makes.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInScenarios, createScenarioSimulation, logDigest } from '../../src/index.js';
import { DEEP } from '../support/deep.js';
import { cliTests } from './cli.js';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'fltsim-pack-'));
const app = join(work, 'app');
let tarball = '';
let installMode = '';

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' } });
}

const CONSUMER = `
import { builtInScenarios, createScenarioSimulation, logDigest, FLTSIM_VERSION } from 'fltsim';
import { compactTrace } from 'fltsim/testing';
const sim = createScenarioSimulation('demo', { seed: 7, strategy: 'random' }, { scenarios: builtInScenarios });
const result = sim.run();
console.log(JSON.stringify({ reason: result.reason, facts: sim.log.length, digest: logDigest(sim.log), version: FLTSIM_VERSION, compact: compactTrace(sim.log).length }));
`;

const TYPED_CONSUMER = `
import { builtInScenarios, createScenarioSimulation, type HostStep, type SimulationSnapshot } from 'fltsim';
import { compactTrace } from 'fltsim/testing';
import { createExplorationPool, type ExplorationPool, type PoolExploreOptions } from 'fltsim/node';
const sim = createScenarioSimulation('demo', { seed: 1 }, { scenarios: builtInScenarios });
const step: HostStep = sim.step();
export const pool: (options: { readonly workers: number }) => ExplorationPool = createExplorationPool;
export const options: PoolExploreOptions = { strategy: 'pct', schedules: 10, args: { variant: 'fixed' } };
const saved: SimulationSnapshot = sim.save();
export const lines: string[] = compactTrace(sim.log);
export const kind: 'ran' | 'idle' | 'deadlock' | 'waiting' = step.kind;
export const facts: number = saved.facts;
`;

beforeAll(() => {
  // dist/ is fresh (test/package/buildOnce.ts); --ignore-scripts keeps `prepare` from rebuilding it
  // under the browser test's feet. That `prepare` builds is checked below.
  const name = npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', work], root).trim().split('\n').pop()!;
  tarball = join(work, name);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  if (!DEEP) {
    unpack(tarball, app);
    installMode = 'unpacked';
    return;
  }
  // Dependencies come from the npm cache that `npm ci` filled; the registry only if the cache lacks them.
  try {
    npm(['install', '--offline', '--no-audit', '--no-fund', tarball], app);
    installMode = 'offline';
  } catch {
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
    installMode = 'prefer-offline';
  }
});

/**
 * The tarball laid out as `npm install` lays it out — the package in node_modules/fltsim, each
 * dependency its package.json declares in node_modules (a link to this checkout's copy, whose own
 * dependencies resolve from there), the `bin` entries linked in node_modules/.bin — and nothing else.
 */
function unpack(tarball: string, app: string): void {
  const modules = join(app, 'node_modules');
  const target = join(modules, 'fltsim');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; bin?: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    mkdirSync(dirname(join(modules, dependency)), { recursive: true });
    symlinkSync(join(root, 'node_modules', dependency), join(modules, dependency), 'dir');
  }
  mkdirSync(join(modules, '.bin'));
  for (const [command, path] of Object.entries(manifest.bin ?? {})) {
    chmodSync(join(target, path), 0o755); // as npm does for a bin
    symlinkSync(join('..', 'fltsim', path), join(modules, '.bin', command));
  }
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('holds the built ESM, its declarations, the bin, the README and docs/, and no sources or tests', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listing).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/testing/index.js', 'package/dist/testing/index.d.ts', 'package/dist/node.js', 'package/dist/node.d.ts', 'package/bin/fltsim.mjs', 'package/README.md', 'package/package.json', 'package/dist/viewer/viewer.html']));
    expect(listing.filter((f) => /^package\/(src|test|bench|examples)\//.test(f))).toEqual([]);
  });

  it('ships docs/, so every relative link of the README and the docs resolves inside the package', () => {
    const listing = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean));
    expect(listing).toContain('package/docs/semantics.md');
    // Unpacked once (one tar process, not one per document).
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
    const broken: string[] = [];
    for (const doc of [...listing].filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(unpacked, doc), 'utf8');
      const dir = doc.slice(0, doc.lastIndexOf('/') + 1);
      for (const [, target] of text.matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)) {
        if (!listing.has(posix.normalize(dir + target!))) broken.push(`${doc} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it(`${DEEP ? 'installs into an empty folder' : 'unpacked into an empty folder beside its declared dependencies'}, its public entry runs a scenario with the log the sources give`, () => {
    expect(readdirSync(join(app, 'node_modules')).sort()).toEqual(expect.arrayContaining(['fltsim', 'immer', 'rxjs', 'xstate']));
    writeFileSync(join(app, 'consumer.mjs'), CONSUMER);
    const fromPackage = JSON.parse(execFileSync(process.execPath, ['consumer.mjs'], { cwd: app, encoding: 'utf8' })) as Record<string, unknown>;
    const sim = createScenarioSimulation('demo', { seed: 7, strategy: 'random' }, { scenarios: builtInScenarios });
    sim.run();
    expect(fromPackage).toMatchObject({ reason: 'idle', facts: sim.log.length, digest: logDigest(sim.log) });
    expect(DEEP ? ['offline', 'prefer-offline'] : ['unpacked']).toContain(installMode);
  });

  // The `fltsim` command runs the compiled CLI (no sources or tsx in the package): every command of
  // cli.ts below goes through it; the demo (seconds of exploration) only in the deep run.
  if (DEEP) {
    it('installs the `fltsim` command, whose demo runs', () => {
      const demo = execFileSync(join(app, 'node_modules', '.bin', 'fltsim'), ['demo', '--seed', '3'], { cwd: app, encoding: 'utf8' });
      expect(demo).toMatch(/# run ended: idle after \d+ facts/);
    });
  }

  it('type-checks a TypeScript consumer against the shipped declarations, through the exports map, with skipLibCheck off', () => {
    writeFileSync(join(app, 'consumer.ts'), TYPED_CONSUMER);
    writeFileSync(
      join(app, 'tsconfig.json'),
      // skipLibCheck off: every declaration the consumer reaches is checked — fltsim's own, both
      // entries (publishedTypes.test.ts walks what they expose), and its dependencies'.
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['consumer.ts'] }),
    );
    // With the checker npm test type-checks this repository with (TypeScript 7, the native port, a
    // fraction of 5.9's CPU; single-threaded, as scripts/typecheck.mjs runs it); the deep run checks
    // with TypeScript 5.9 as well.
    for (const checker of DEEP ? ['typescript-native', 'typescript'] : ['typescript-native']) {
      execFileSync(process.execPath, [join(root, 'node_modules', checker, 'bin', 'tsc'), '-p', app, ...(checker === 'typescript-native' ? ['--singleThreaded'] : [])], { encoding: 'utf8' });
    }
  });

  it('builds itself on pack and on a git install: `prepare` runs the build', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { scripts: Record<string, string>; exports: Record<string, unknown> };
    // TypeScript 5.9 by its path: the devDependency typescript-native (7.x, the type check) has a `tsc` too.
    expect(pkg.scripts.prepare).toBe('node node_modules/typescript/bin/tsc -p tsconfig.build.json && tsx scripts/buildViewer.ts'); // the viewer's page too (docs/viewer.md)
    expect(Object.keys(pkg.exports)).toEqual(['.', './testing', './node', './package.json']);
  });
});

describe('the installed `fltsim` command', () => {
  cliTests(() => ({ app }));
});
