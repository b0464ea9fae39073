#!/usr/bin/env node
// `npm run typecheck` (and test/typecheck.test.ts, one of `npm test`'s files): the two TypeScript projects — the root
// (src, tests, bench, examples, scripts) and the viewer's page with its component tests, which sees
// the DOM — checked at the same time. The checker is TypeScript 7, the native port (the
// devDependency `typescript-native`, an alias pinned to one release): it reports the same errors as
// TypeScript 5.9 on this code in about a third of the CPU time (the 5.9 checks took ~64 CPU-seconds
// and ~30 s of `npm test`'s wall time on two cores). Each checker runs --singleThreaded: the two
// projects already fill two cores, and the port's own threads (four checkers per project by
// default) each re-resolve the shared types, which cost ~30 CPU-seconds for both projects against
// ~18 single-threaded, for no gain in wall time on two cores. TypeScript 5.9
// (`typescript`) stays for what needs its JavaScript compiler API, which 7 does not have: the build
// of dist/, the published-types and import-graph tests, the docs generators. Output is printed
// whole, one project after the other; the exit code is the first failure's.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript-native/bin/tsc', import.meta.url));
const projects = ['tsconfig.json', 'viewer/tsconfig.json'];
if (!existsSync(tsc)) {
  // A checkout installed before the devDependency was added: one line that says what to do.
  process.stderr.write('typecheck: node_modules/typescript-native is missing (the TypeScript 7 checker): run npm ci\n');
  process.exit(1);
}

// The checker is a Go program: Go's collector, left at its default (GOGC=100), ran through the heap
// again and again for a program that only grows until it exits. Off, with a limit at which it
// collects after all, the two checks took 11.9 CPU-s instead of 13.0 (five alternated runs each,
// load 1.6-2.1, 2026-12-03; a run's worst 14.3 -> 13.1) for ~0.84 + 0.52 GB resident instead of
// ~0.68 + 0.41. A GOGC or GOMEMLIMIT of the caller's own wins.
const GO_GC = { GOGC: process.env.GOGC ?? 'off', GOMEMLIMIT: process.env.GOMEMLIMIT ?? '2GiB' };

const checks = projects.map(
  (project) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [tsc, '-p', project, '--noEmit', '--singleThreaded'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...GO_GC } });
      const output = [];
      child.stdout.on('data', (chunk) => output.push(chunk));
      child.stderr.on('data', (chunk) => output.push(chunk));
      child.on('error', (error) => resolve({ project, code: 1, output: [Buffer.from(`${error.message}\n`)] }));
      child.on('close', (code, signal) => resolve({ project, code: code ?? (signal ? 1 : 0), output }));
    }),
);

let exitCode = 0;
for (const { project, code, output } of await Promise.all(checks)) {
  for (const chunk of output) process.stdout.write(chunk);
  if (code !== 0) {
    process.stderr.write(`typecheck: tsc -p ${project} failed (exit ${code})\n`);
    if (exitCode === 0) exitCode = code;
  }
}
process.exitCode = exitCode;
