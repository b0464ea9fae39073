/**
 * The order `npm test` hands its files to the two forks: the type check (test/typecheck.test.ts)
 * first, then the files that cost the most CPU, longest first, then the rest in vitest's own order.
 * Why:
 * - The type check is two processes of its own: they fill what the forks leave idle while they
 *   import the sources.
 * - The forks take the next file when they finish one, so a long file near the end leaves one core
 *   idle while the other finishes it (on a fresh clone vitest has no durations and orders by file
 *   size: the 10 CPU-s published-types check, a 27-line file, ran last). Long files first, the many
 *   short ones fill in at the end.
 * Every file runs in vitest's node environment, so any fork can take any file: the viewer's
 * component test installs its DOM itself (test/viewer/happyDom.ts) instead of a happy-dom
 * environment, which took a fork of its own, and the fork after it imported the sources again.
 * The list is a measurement (the files over ~1.1 CPU-seconds in a whole run on 2026-12-03 at load 1.6-3.3,
 * test/support/cpuPerFile.ts; the first file a fork runs also pays for its import of the sources);
 * a file that grows long and is not listed only costs balance, never a result.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const FIRST: readonly string[] = [
  // The type check (two TypeScript 7 processes): it fills what the forks leave idle while they import the sources.
  'test/typecheck.test.ts',
  'test/browser/viewer.test.ts',
  'test/package/pack.test.ts',
  'test/package/publishedTypes.test.ts',
  'test/trace/escaping.test.ts',
  'test/explore/reduced.test.ts',
  'test/explore/explore.test.ts',
  'test/travel/timeline.test.ts',
  'test/cli/explorationPool.test.ts',
  'test/viewer/model.test.ts',
  'test/cli/shard.test.ts',
  'test/viewer/app.test.tsx',
  'test/structure/layers.test.ts',
  'test/travel/everyScenario.test.ts',
  'test/docs/cliWalkthrough.test.ts',
  'test/cli/exploreReport.test.ts',
  'test/samples/metadataManager.test.ts',
  'test/property/io.test.ts',
  'test/cli/viewServe.test.ts',
  'test/cli/exploreWorkers.test.ts',
  'test/cli/travel.test.ts',
];

export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification): number => {
      const at = FIRST.indexOf(relative(spec.project.config.root, spec.moduleId).replaceAll('\\', '/'));
      return at === -1 ? FIRST.length : at;
    };
    // Array.prototype.sort is stable: the unlisted files keep vitest's order among themselves.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
