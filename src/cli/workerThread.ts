/**
 * Starting one of fltsim's worker threads (exploreWorker.ts), compiled or from a checkout.
 *
 * Compiled, the worker is exploreWorker.js beside this file. From a checkout's sources (run through
 * tsx: the tests, the bench, a host importing src/) a worker does not inherit tsx's loader, and
 * loading every module through it costs ~2 CPU-seconds per worker; so when dist/ is at least as new
 * as every file under src/ (a build since the last edit: the same code), the worker loads the
 * compiled dist/cli/exploreWorker.js, as bin/fltsim.mjs does for the whole CLI. Otherwise, and for
 * a scenario module (which may import the checkout's sources, whose objects a compiled engine does
 * not recognise), a two-line bootstrap registers tsx in the worker before importing the .ts entry.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface StartedWorker {
  readonly worker: Worker;
  /** Whether it runs the compiled build while this thread runs the sources (it cannot import a checkout's scenario module). */
  readonly compiledFromSources: boolean;
}

/** Start a worker; `sources`: it will import a scenario module, so it must run what this thread runs. */
export function startWorker(data: unknown, sources = false): StartedWorker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { worker: new Worker(new URL('./exploreWorker.js', here), { workerData: data }), compiledFromSources: false };
  const compiled = sources ? null : freshBuild();
  if (compiled !== null) return { worker: new Worker(compiled, { workerData: data }), compiledFromSources: true };
  const entry = new URL('./exploreWorker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return { worker: new Worker(bootstrap, { eval: true, workerData: data }), compiledFromSources: false };
}

let fresh: URL | null | undefined;

/** dist/cli/exploreWorker.js when no file under src/ is newer than it (checked once per process). */
function freshBuild(): URL | null {
  if (fresh !== undefined) return fresh;
  const compiled = new URL('../../dist/cli/exploreWorker.js', import.meta.url);
  const path = fileURLToPath(compiled);
  fresh = existsSync(path) && !newerThan(fileURLToPath(new URL('..', import.meta.url)), statSync(path).mtimeMs) ? compiled : null;
  return fresh;
}

/** Whether any file under `dir` was modified after `limit` (stops at the first one). */
function newerThan(dir: string, limit: number): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(path, limit) : statSync(path).mtimeMs > limit) return true;
  }
  return false;
}
