#!/usr/bin/env node
// `fltsim`: from an installed package, which ships dist/ and not src/, run the compiled CLI. From a
// checkout, run the compiled CLI too when dist/ is at least as new as every file under src/ (after
// `npm ci` or a build: it starts in a third of the time, and its explore workers need no loader);
// otherwise run the TypeScript sources through tsx, so an edit shows without a build.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const debug = process.argv.includes('--debug');
// Whatever escapes the CLI's own error handling is still one line (exit 70, a bug), unless --debug.
const crash = (error) => {
  process.stderr.write(debug && error instanceof Error ? `${error.stack}\n` : `fltsim: internal error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (run with --debug for the stack)\n`);
  process.exit(70);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** Whether any file under `dir` was modified after `limit` (stops at the first one). */
function newerThan(dir, limit) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(path, limit) : statSync(path).mtimeMs > limit) return true;
  }
  return false;
}

/**
 * The scenario modules of this checkout (examples/, test fixtures) import its sources, not dist/: a
 * compiled CLI would then build the simulation from one copy of fltsim and the filter's routines
 * from another, whose objects it does not recognise. So a command that names one — directly, or
 * through a trace file whose header records it — runs the sources too. (An installed package has
 * no src/, so this never applies there.)
 */
function namesCheckoutModule(args) {
  const checkout = fileURLToPath(new URL('..', import.meta.url));
  const inCheckout = (path) => path.startsWith(checkout) && !/^(?:node_modules|dist)[\\/]/.test(path.slice(checkout.length)) && !/[\\/]node_modules[\\/]/.test(path.slice(checkout.length));
  const isModule = (path) => /\.(?:[mc]?[jt]s|tsx)$/.test(path) || (existsSync(path) && statSync(path).isDirectory());
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const path = resolve(arg);
    if (inCheckout(path) && isModule(path)) return true;
    if (!/\.(?:ndjson|jsonl|json)$/.test(arg) || !existsSync(path)) continue;
    try {
      const fd = openSync(path, 'r');
      const head = Buffer.alloc(65536);
      const n = readSync(fd, head, 0, head.length, 0);
      closeSync(fd);
      const text = head.subarray(0, n).toString('utf8');
      // A trace's header line, or a shard result's plan (which a merge loads the module of).
      const module = /(?:"module":\{"path":)("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
      if (module !== undefined && inCheckout(JSON.parse(module))) return true;
    } catch {
      // Not a readable trace or result: the command reports that itself.
    }
  }
  return false;
}

const sourcesFresh =
  existsSync(source) &&
  (!existsSync(compiled) || namesCheckoutModule(process.argv.slice(2)) || newerThan(fileURLToPath(new URL('../src', import.meta.url)), statSync(compiled).mtimeMs));
let cli;
if (sourcesFresh) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source);
} else {
  cli = await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
// `fltsim explore … | head` closes the pipe early: stop quietly, as other command-line tools do.
// Any other failure to write stdout (a full disk: ENOSPC) is an output error, exit 5, in one line.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`fltsim: cannot write the output: ${error.code === 'ENOSPC' ? 'no space left on the device (ENOSPC)' : error.message}\n`);
  process.exit(5);
});
process.exitCode = await cli.main(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  // A live status line (explore's progress) only on a terminal; '' clears it.
  ...(process.stderr.isTTY ? { progress: (line) => process.stderr.write(`\r${line}\x1b[K`) } : {}),
});
