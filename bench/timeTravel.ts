/**
 * Time-travel figures (issue 5): a jump to random positions of a 1,000,000-fact log, what keeping
 * the log costs in memory, trace-file bytes per fact, and what recording plus checkpointing costs
 * compared with the same run with recording off. The workload is the `io-soak` scenario (steady
 * I/O through two filters, deferred completions, pended reads): ordinary traffic, bounded live
 * objects, and an ever-growing thread record, which is what a long trace looks like.
 *
 * Every target here is an upper bound, so each row's ratio is budget / measured: >= 1 passes.
 */
import { formatSeconds, measure, settledHeap, sink, type BenchContext, type Row } from './harness.js';
import { Timeline } from '../src/travel/timeline.js';
import { startRun } from '../src/travel/recording.js';
import { traceFileChunks } from '../src/tracefile/writer.js';
import type { Fact, Simulation } from '../src/index.js';

const MILLION_ITERATIONS = 2300; // io-soak with 4 threads: ~1.01M facts
const RATIO_ITERATIONS = 575; // ~250k facts: the cost ratio does not depend on length, and this keeps the bench short
const JUMPS = 101;

function soak(iterations: number, record = true): Simulation {
  return startRun({ scenario: 'io-soak', args: { threads: 4, iterations }, options: { seed: 1, strategy: 'random', record } });
}

function budgetRow(name: string, value: number, unit: string, budget: number, note: string): Row {
  return { name, value, unit, baseline: { name: 'budget', value: budget }, ratio: budget / value, target: 1, note };
}

/** A tiny LCG for positions: bench/ may use any randomness, but a fixed sequence keeps runs comparable. */
function positions(n: number, length: number): number[] {
  let x = 12345;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % (length + 1);
  });
}

function costOfRecording(): Row {
  const off = measure({ warmup: 1, repetitions: 3 }, () => {
    const sim = soak(RATIO_ITERATIONS, false);
    sim.run({ maxSteps: Number.MAX_SAFE_INTEGER });
    return sim.log.length;
  });
  let facts = 0;
  const on = measure({ warmup: 1, repetitions: 3 }, () => {
    const sim = soak(RATIO_ITERATIONS);
    const timeline = new Timeline();
    for (const fact of sim.log) timeline.push(fact);
    sim.facts$.subscribe((fact) => timeline.push(fact));
    sim.run({ maxSteps: Number.MAX_SAFE_INTEGER });
    facts = timeline.length;
    return timeline;
  });
  const ratio = on.median / off.median;
  return budgetRow('record + checkpoints / recording off', ratio, '× time', 2, `${facts} facts; off ${formatSeconds(off.median)}, on ${formatSeconds(on.median)}`);
}

export function timeTravel(context: BenchContext): Row[] {
  const rows: Row[] = [costOfRecording()];
  const sim = soak(MILLION_ITERATIONS);
  sim.run({ maxSteps: Number.MAX_SAFE_INTEGER });
  const facts = sim.log.length;
  let bytes = 0;
  for (const chunk of traceFileChunks(sim)) bytes += Buffer.byteLength(chunk);
  rows.push(budgetRow('trace file size', bytes / facts, 'bytes/fact', 120, `${(bytes / 1e6).toFixed(0)} MB for ${facts} facts, header included`));
  rows.push(jumps(sim));
  rows.push(...logMemory(sim, context));
  return rows;
}

/** Jumps to random positions; the timeline is dropped on return, before the log's memory is measured. */
function jumps(sim: Simulation): Row {
  const started = process.hrtime.bigint();
  const timeline = Timeline.of(sim.log);
  const built = Number(process.hrtime.bigint() - started) / 1e9;
  const targets = positions(JUMPS, sim.log.length);
  let i = 0;
  const jump = measure({ warmup: 5, repetitions: JUMPS }, () => timeline.stateAt(targets[i++ % JUMPS]!));
  sink(null);
  return budgetRow('jump to a random position, 1M log', jump.median, 's', 0.05, `median of ${JUMPS}; min ${formatSeconds(jump.min)} max ${formatSeconds(jump.max)}; interval ${timeline.interval}, ${timeline.versionCount} versions; timeline built in ${built.toFixed(1)} s`);
}

/**
 * What the log alone keeps alive: the settled heap with the finished run, minus the same after
 * emptying the log's array (which only the log references). Measured last: it destroys the log.
 */
function logMemory(sim: Simulation, context: BenchContext): Row[] {
  const gc = context.gc;
  if (gc === null) return [];
  const facts = sim.log.length;
  const withLog = settledHeap(gc);
  (sim.log as Fact[]).length = 0;
  const without = settledHeap(gc);
  return [budgetRow('retained log memory', (withLog - without) / facts, 'bytes/fact', 200, `${facts} facts; heap with the log minus without it`)];
}
