/**
 * What a long run keeps in memory. Recording off, a simulation should keep only its live objects:
 * the bytes retained per fact between a short and a long run of the same steady workload (io-soak:
 * a bounded number of live objects however long it runs) measure growth that is not the log. With
 * recording on, the log itself is the only growth expected; the log array alone is shown beside it.
 */
import { createSimulation, type Simulation } from '../src/index.js';
import { ioSoakScenario } from '../src/scenarios/index.js';
import { settledHeap, type BenchContext, type Row } from './harness.js';

/** io-soak iterations giving about 100k and 1M facts (3 application threads). */
const SHORT = 300;
const LONG = 3000;

function soak(iterations: number, record: boolean): Simulation {
  const sim = createSimulation({ seed: 1, record, ...ioSoakScenario.options });
  ioSoakScenario.build(sim, { threads: 3, iterations });
  sim.run();
  return sim;
}

/** Heap kept by a finished run, and its fact count. */
function retained(gc: () => void, iterations: number, record: boolean): { bytes: number; facts: number; logOnly: number } {
  const before = settledHeap(gc);
  let sim: Simulation | null = soak(iterations, record);
  const bytes = settledHeap(gc) - before;
  const facts = sim.kernel.log.nextSeq;
  const log = sim.log;
  sim = null;
  const logOnly = settledHeap(gc) - before;
  void log.length; // keep the log reachable until it is measured
  return { bytes, facts, logOnly };
}

export function memory(context: BenchContext): Row[] {
  const gc = context.gc;
  if (gc === null) return [{ name: 'retained bytes/fact, recording off', value: Number.NaN, unit: 'B/fact', note: 'skipped: no GC available' }];
  const rows: Row[] = [];
  for (const record of [false, true]) {
    const short = retained(gc, SHORT, record);
    const long = retained(gc, LONG, record);
    const growth = (long.bytes - short.bytes) / (long.facts - short.facts);
    const label = record ? 'recording on' : 'recording off';
    rows.push({ name: `retained B/fact at ${(short.facts / 1e3).toFixed(0)}k, ${label}`, value: short.bytes / short.facts, unit: 'B/fact', note: `${(short.bytes / 2 ** 20).toFixed(1)} MiB` });
    rows.push({ name: `retained B/fact at ${(long.facts / 1e6).toFixed(2)}M, ${label}`, value: long.bytes / long.facts, unit: 'B/fact', note: `${(long.bytes / 2 ** 20).toFixed(1)} MiB` });
    rows.push({
      name: `  growth per fact, ${label}`,
      value: growth,
      unit: 'B/fact',
      note: record ? `log array alone: ${(long.logOnly / long.facts).toFixed(0)} B/fact at ${(long.facts / 1e6).toFixed(2)}M` : 'flat would be 0: what a run keeps beyond its live objects',
    });
  }
  return rows;
}
