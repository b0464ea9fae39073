import { defineConfig } from 'vitest/config';
import LongFirstSequencer from './test/support/longFirstSequencer.js';

const ci = process.env.CI === 'true';
// `npm run test:deep` runs only the long fuzzing, exploration and sample sweeps (*.deep.test.ts);
// `npm test` runs everything else, the type check among them (test/typecheck.test.ts, beside the
// other files rather than before them). Its limit is 90 s on two quiet cores, about (CPU-seconds of
// the whole run) / 2 with the forks' waits for their processes; its goal ~70 s, a margin under it.
// Measured on 2026-12-03 (/usr/bin/time around `npx vitest run`, one checkout with and without that
// morning's cuts, three alternated runs each at load 1.7-4.9, the machine's other work and the run):
// 122.6 CPU-s (118.8-127.5) and 70.8 s (68.9-73.2) without, 113.5 (108.0-119.3) and 64.6 s
// (61.5-67.8) with; one run at load 0.6-2.6, 114.9 CPU-s and 65.8 s. The cuts: the happy-dom file in
// node's environment with a DOM of its own (test/viewer/happyDom.ts: no fork and no client-side
// transform of the sources of its own), one Chromium for both browser checks, the import graph from
// cut-out declarations, Go's collector off in the type check, and fewer runs of random sweeps that
// test:deep runs long. CPU-seconds move with the load as well (the same tree read 106-129 at loads
// 2-7). Where they go now (FLTSIM_TEST_CPU, test/support/cpuPerFile.ts; one run at load 1.6-3.3):
// ~10 in vitest's main process (transforming the sources), the type check ~13, the browser file
// ~10.5 (Chromium on the viewer's pages and the package's page, vite's bundle of that page, its Node
// run), the package test ~8 (npm pack ~2, the installed package's processes), the published-types
// walk (TypeScript 5.9's checker) ~3.5, Mermaid's import ~1, the explorations and properties the rest.
const deep = process.env.FLTSIM_DEEP === '1';

export default defineConfig({
  // The viewer's components (viewer/*.tsx) are Preact: JSX compiles to preact/jsx-runtime.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    include: deep ? ['test/**/*.deep.test.ts'] : ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: deep ? ['**/node_modules/**'] : ['test/**/*.deep.test.ts', '**/node_modules/**'],
    // Builds dist/ when it is older than src/: the package and browser tests use the built package.
    globalSetup: ['test/package/buildOnce.ts'],
    // FLTSIM_FC_SEED fixes fast-check's seed (CI sets it; test/support/fastCheckSeed.ts says why).
    // FLTSIM_TEST_CPU=<file> writes each file's CPU-seconds there (test/support/cpuPerFile.ts).
    setupFiles: ['test/support/fastCheckSeed.ts', ...(process.env.FLTSIM_TEST_CPU ? ['test/support/cpuPerFile.ts'] : [])],
    // Two cores on every machine here; forks are processes, so a hung test cannot stall the other worker.
    pool: 'forks',
    maxWorkers: 2,
    // Each fork imports the sources once for all the files it runs, not once per file: importing
    // them through the TypeScript transform was the largest single cost of the suite (~100 of
    // ~370 CPU-seconds). Safe because nothing in src/ keeps module-level state between simulations
    // (determinism demands it); a test that patches a global restores it.
    isolate: false,
    // The type check first, then the long files, longest first (test/support/longFirstSequencer.ts).
    sequence: { sequencer: LongFirstSequencer },
    // No test's pass may depend on the machine's speed: the limits only catch a test that hangs.
    // On a loaded two-core machine the whole suite gets slower, never red. The deep sweeps run up
    // to ~10 minutes each on a quiet machine and several times that under load (a 600 s limit in
    // one of them turned CI red), so no deep test sets a limit of its own.
    testTimeout: deep ? 3_600_000 : 900_000,
    hookTimeout: deep ? 3_600_000 : 900_000,
    // Every run ends with a plain "N passed, N failed" line (test/support/passedFailedReporter.ts);
    // CI also writes a JSON report so .ci/run can add up the normal and the deep runs.
    reporters: ci ? ['default', './test/support/passedFailedReporter.ts', 'json'] : ['default', './test/support/passedFailedReporter.ts'],
    ...(ci ? { outputFile: { json: deep ? 'out/test-deep-results.json' : 'out/test-results.json' } } : {}),
  },
});
