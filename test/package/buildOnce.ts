// vitest globalSetup: the package and browser tests use the built package in dist/, so build it
// once before any test runs, unless it is newer than every file under src/ (as after `npm ci`,
// whose `prepare` builds it). Only this setup writes dist/ during a test run. The same for the
// viewer's page, dist/viewer/viewer.html: it bundles src/ too, and viewer/.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { newestMtime, viewerIsStale } from '../../scripts/buildViewer.js';

const root = join(import.meta.dirname, '..', '..');
const stamp = join(root, 'dist', 'index.js');

export default function setup(): void {
  const newestSource = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'tsconfig.build.json')).mtimeMs);
  buildViewerIfStale();
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

function buildViewerIfStale(): void {
  if (!viewerIsStale()) return;
  const started = performance.now();
  execFileSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'buildViewer.ts')], { cwd: root, stdio: 'pipe' });
  console.log(`built dist/viewer/viewer.html for the viewer's tests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
