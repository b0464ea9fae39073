/**
 * `npm run bench`: every figure group in order, then one table. Baselines run first so each later
 * figure can be compared with a baseline measured in the same run on the same machine.
 *
 * Performance is measured, not asserted: a missed target prints MISS and the exit code stays 0.
 * To add a group: one file exporting a FigureGroup, one line in GROUPS.
 * `npm run bench -- io explore` runs the baselines and the named groups only.
 */
import * as os from 'node:os';
import { baselines } from './baselines.js';
import { formatTable, garbageCollector, type BenchContext, type FigureGroup, type Row } from './harness.js';
import { io } from './io.js';
import { kernel } from './kernel.js';
import { timeTravel } from './timeTravel.js';
import { embedding } from './embedding.js';
import { hostBundleFigures } from './hostBundle.js';
import { saves } from './saves.js';
import { exploreFigures } from './explore.js';
import { exploreWorkerFigures } from './exploreWorkers.js';
import { explorePorFigures } from './explorePor.js';
import { exploreShardFigures } from './exploreShards.js';
import { explorePorFloorFigures } from './explorePorFloor.js';
import { explorePrefixFigures } from './explorePrefix.js';
import { generatedIo } from './generatedIo.js';
import { memory } from './memory.js';
import { factChecks } from './factChecks.js';
import { syncFigures } from './sync.js';
import { contexts } from './contexts.js';
import { names } from './names.js';
import { ports } from './ports.js';
import { cancellation } from './cancellation.js';
import { viewer } from './viewer.js';
import { samples } from './samples.js';
import { raceSamples } from './raceSamples.js';

const GROUPS: readonly { readonly name: string; readonly run: FigureGroup }[] = [
  { name: 'baselines', run: baselines },
  { name: 'kernel', run: kernel },
  { name: 'time travel', run: timeTravel },
  { name: 'embedding', run: embedding },
  { name: 'host bundle', run: hostBundleFigures },
  { name: 'saves', run: saves },
  { name: 'io', run: io },
  { name: 'explore', run: exploreFigures },
  { name: 'explore --workers', run: exploreWorkerFigures },
  { name: 'explore POR', run: explorePorFigures },
  { name: 'explore --shard', run: exploreShardFigures },
  { name: 'explore POR floor', run: explorePorFloorFigures },
  { name: 'explore prefix', run: explorePrefixFigures },
  { name: 'generated io', run: generatedIo },
  { name: 'memory', run: memory },
  { name: 'fact checks', run: factChecks },
  { name: 'synchronization', run: syncFigures },
  { name: 'contexts', run: contexts },
  { name: 'names', run: names },
  { name: 'ports', run: ports },
  { name: 'cancellation', run: cancellation },
  { name: 'viewer', run: viewer },
  { name: 'samples', run: samples },
  { name: 'race samples', run: raceSamples },
];

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const collector = garbageCollector();
  const gc = collector?.gc ?? null;
  const rows: Row[] = [];
  const context: BenchContext = {
    baseline: (name) => {
      const row = rows.find((r) => r.name === name);
      if (row === undefined) throw new Error(`bench: baseline '${name}' has not been measured yet; run its group earlier`);
      return row;
    },
    gc,
  };
  const cpus = os.cpus();
  console.log(`fltsim bench: Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${process.platform}/${process.arch}`);
  // Under vitest the 'development' export condition selects XState's slower development build.
  const xstateBuild = import.meta.resolve('xstate');
  const build = xstateBuild.includes('development') ? 'DEVELOPMENT build (figures not comparable)' : 'production build';
  console.log(`XState ${build}: ${xstateBuild.replace(/^.*node_modules\//, '')}`);
  console.log(`GC for memory figures: ${collector === null ? 'unavailable, memory figures skipped' : `via ${collector.source}`}`);
  const only = process.argv.slice(2);
  for (const group of GROUPS) {
    if (only.length > 0 && group.name !== 'baselines' && !only.includes(group.name)) continue;
    gc?.(); // start each group on a clean heap, not on the previous group's garbage
    const groupStart = process.hrtime.bigint();
    rows.push(...(await group.run(context)));
    console.log(`  ${group.name}: ${(Number(process.hrtime.bigint() - groupStart) / 1e9).toFixed(1)} s`);
  }
  console.log();
  console.log(formatTable(rows));
  console.log();
  console.log(`ratio = value / baseline, both measured in this run; medians of timed repetitions after warm-up.`);
  console.log(`total ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
}

await main();
