import { defineConfig } from 'vitest/config';

const ci = process.env.CI === 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when it is older than src/: the package and browser tests use the built package.
    globalSetup: ['test/package/buildOnce.ts'],
    // Two cores on every machine here; forks keep xstate's dev build isolated per file.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    // CI also writes a JSON report so .ci/run can print a plain "N passed, N failed" line.
    reporters: ci ? ['default', 'json'] : ['default'],
    ...(ci ? { outputFile: { json: 'out/test-results.json' } } : {}),
  },
});
