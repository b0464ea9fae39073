import { defineConfig } from 'vitest/config';
import LongFirstSequencer from './test/support/longFirstSequencer.js';

const ci = process.env.CI === 'true';
// `npm run test:deep` runs only the long fuzzing, exploration and sample sweeps (*.deep.test.ts);
// `npm test` runs everything else. Its goal is 90 s on two quiet cores; measured at ~130 s of vitest
// (~220 CPU-seconds) before the resident-CLI and single-threaded-checker changes took ~30 CPU-s off
// (test/package/cli.ts, scripts/typecheck.mjs). Where the rest goes: the CLI and package tests'
// processes (each node process of the package costs ~1 CPU-s to load it), the explorations, and
// the transform and import of the sources in each of the two forks.
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
    // The happy-dom file first, then the long files, longest first (test/support/longFirstSequencer.ts).
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
