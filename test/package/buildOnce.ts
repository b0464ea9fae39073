// vitest globalSetup: the package and browser tests use the built package in dist/, so build it
// once before any test runs, unless it is newer than every file under src/ (as after `npm ci`,
// whose `prepare` builds it). Only this setup writes dist/ during a test run.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const stamp = join(root, 'dist', 'index.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(path) : s.mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const newestSource = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'tsconfig.build.json')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource) return;
  const started = performance.now();
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    // A type error still emits dist/ (no noEmitOnError); the type-check step of `npm test` reports it.
    if (!existsSync(stamp)) throw error;
  }
  console.log(`built dist/ for the package and browser tests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
