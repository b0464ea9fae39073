/**
 * Kernel figures: how fast the simulator appends facts with the log on, what a stack of instances
 * costs to build and how that grows, and how much memory a fact keeps alive.
 * Workloads are in bench/workloads.ts and use only the public API.
 */
import { actorSends, XSTATE_SEND } from './baselines.js';
import { formatNumber, formatSeconds, measure, measurePaired, rateSpread, settledHeap, sink, type BenchContext, type Row } from './harness.js';
import type { Simulation } from '../src/index.js';
import { CHURN, checkChurn, checkStack, churn, stack, type ChurnShape } from './workloads.js';

/** The target: simulation events/s at least half of bare XState's actor.send rate. */
const EVENTS_TARGET = 0.5;
/** Issue 16: events/s without the scheduler's Choice facts at least bare XState's actor.send rate. */
const LIFECYCLE_TARGET = 1.0;
const RUNS_PER_REPETITION = 6;
/** Bare actor.sends timed against each repetition of the churn: about as long as one. */
const SENDS_PER_PAIR = 100_000;

function eventsPerSecond(context: BenchContext): Row[] {
  // The workload is deterministic (seeded, in-order): the checked run gives the fact counts of all.
  const checked = churn(CHURN);
  checkChurn(checked);
  const facts = checked.sim.log.length;
  const choices = checked.sim.log.filter((fact) => fact.type === 'Choice').length;
  // Several runs per repetition: one run is ~40 ms, short enough that where the young-generation GC
  // happens to fall swings a single timing by a third. Steady throughput is the figure wanted.
  // Timed in CPU seconds turn about with bare actor.sends (harness.ts measurePaired): a baseline
  // timed once, minutes earlier, in wall time read the load of another moment (0.42-1.02 for the
  // same commit on a shared machine).
  const sends = actorSends(SENDS_PER_PAIR);
  const paired = measurePaired({ warmup: 2, repetitions: 11 }, sends.run, () => {
    let last = null;
    for (let r = 0; r < RUNS_PER_REPETITION; r++) last = churn(CHURN).sim;
    return last;
  });
  sends.stop();
  const baseline = { name: `${XSTATE_SEND}, CPU time, turn about`, value: SENDS_PER_PAIR / paired.baseline.median };
  // Per pair: events per actor.send; the median pair's, as the ratio.
  const perSend = (events: number) => (events * RUNS_PER_REPETITION) / SENDS_PER_PAIR / paired.ratios.median;
  const spread = (events: number) =>
    `pairs ${((events * RUNS_PER_REPETITION) / SENDS_PER_PAIR / paired.ratios.max).toFixed(2)}–${((events * RUNS_PER_REPETITION) / SENDS_PER_PAIR / paired.ratios.min).toFixed(2)}`;
  const all: Row = {
    name: 'sim events per CPU-second, log on',
    value: (facts * RUNS_PER_REPETITION) / paired.work.median,
    unit: 'events/s',
    baseline,
    ratio: perSend(facts),
    target: EVENTS_TARGET,
    note: `${facts} facts/run; ${spread(facts)}; ${rateSpread(facts * RUNS_PER_REPETITION, paired.work)}; the baselines group's wall-clock actor.send ${formatNumber(context.baseline(XSTATE_SEND).value)}/s`,
  };
  const lifecycle: Row = {
    name: '  without Choice facts',
    value: ((facts - choices) * RUNS_PER_REPETITION) / paired.work.median,
    unit: 'events/s',
    baseline,
    ratio: perSend(facts - choices),
    // Issue 16: the kernel's own facts (every one a real transition of its machine) at least as fast as bare actor.send.
    target: LIFECYCLE_TARGET,
    note: `${((100 * choices) / facts).toFixed(0)}% of facts are scheduler Choice facts; ${spread(facts - choices)}`,
  };
  return [all, lifecycle];
}

/** Builds per timed repetition: about 1000 instances, so every repetition takes tens of milliseconds. */
function buildsPerRepetition(n: number): number {
  return Math.max(2, Math.ceil(1000 / n));
}

function stackBuilds(): Row[] {
  // 1000 is beyond the 1/10/100: it is where a quadratic term first shows (see docs/benchmarks.md).
  const sizes = [1, 10, 100, 1000] as const;
  const perBuild = new Map<number, number>();
  const rows: Row[] = [];
  for (const n of sizes) {
    const check = stack(n);
    checkStack(check, n);
    const facts = check.log.length;
    const builds = buildsPerRepetition(n);
    const sample = measure({ warmup: 2, repetitions: 11 }, () => {
      let last = null;
      for (let b = 0; b < builds; b++) last = stack(n);
      return last;
    });
    const seconds = sample.median / builds;
    perBuild.set(n, seconds);
    rows.push({
      name: `stack build, ${n} instance${n === 1 ? '' : 's'}`,
      value: seconds,
      unit: 's',
      note: `${formatSeconds(seconds / n)}/instance; ${facts} facts/build; min ${formatSeconds(sample.min / builds)} max ${formatSeconds(sample.max / builds)}`,
    });
  }
  for (let i = 1; i < sizes.length; i++) {
    const from = sizes[i - 1]!;
    const to = sizes[i]!;
    rows.push({
      name: `  growth ${from} → ${to}`,
      value: perBuild.get(to)! / perBuild.get(from)!,
      unit: '× time',
      note: `linear would be ${to / from}×; per-instance cost ×${formatNumber(perBuild.get(to)! / to / (perBuild.get(from)! / from))}`,
    });
  }
  return rows;
}

/** A log of a few hundred thousand facts: the same churn, longer. */
const LARGE: ChurnShape = { volumes: 4, filters: 6, cycles: 100, rounds: 4 };

function largeLog(context: BenchContext): Row[] {
  const rows: Row[] = [];
  // Rate on a large log: does appending stay flat as the log and the object tables grow?
  const sample = measure({ warmup: 1, repetitions: 5 }, () => churn(LARGE).sim);
  const gc = context.gc;
  if (gc === null) {
    const facts = churn(LARGE).sim.log.length;
    rows.push({ name: 'sim events/s, large log', value: facts / sample.median, unit: 'events/s', note: `${facts} facts; ${rateSpread(facts, sample)}` });
    rows.push({ name: 'retained bytes/fact', value: Number.NaN, unit: 'B/fact', note: 'skipped: no GC available (run node with --expose-gc)' });
    return rows;
  }
  sink(null); // the timed loop's last simulation would otherwise stay reachable
  const before = settledHeap(gc);
  let kept: Simulation | null = churn(LARGE).sim;
  const whole = settledHeap(gc) - before;
  // The log array alone: drop the simulation (objects, actors, threads, waitables), keep its facts.
  const log = kept.log;
  kept = null;
  const logOnly = settledHeap(gc) - before;
  const facts = log.length;
  rows.push({ name: 'sim events/s, large log', value: facts / sample.median, unit: 'events/s', note: `${facts} facts; ${rateSpread(facts, sample)}` });
  rows.push({
    name: 'retained bytes/fact',
    value: whole / facts,
    unit: 'B/fact',
    note: `whole simulation kept: ${(whole / 2 ** 20).toFixed(1)} MiB for ${facts} facts`,
  });
  rows.push({
    name: '  log array only',
    value: logOnly / facts,
    unit: 'B/fact',
    note: `${(logOnly / 2 ** 20).toFixed(1)} MiB; the rest is kernel objects, actors, threads, waitables`,
  });
  return rows;
}

export function kernel(context: BenchContext): Row[] {
  return [...eventsPerSecond(context), ...stackBuilds(), ...largeLog(context)];
}
