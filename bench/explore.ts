/**
 * Exploration figures (issue 6): complete schedules per second of the smallest race scenario on one
 * core, and schedules PCT (depth 2) and seeded random need to find the planted unload races, median
 * over 20 seeds: the deep one (race-unload-sync-read, the worker never blocks) is the figure the
 * issue's 10x target is read against; the shallow one (race-unload-async-read) is shown beside it,
 * where random does nearly as well because the worker's I/O waits hand the unload a free run.
 * Measured and printed, never asserted.
 */
import { explore } from '../src/explore/index.js';
import { freeRaceScenario, unloadRaceScenario, unloadSyncRaceScenario } from '../examples/races/index.js';
import { actorSends, XSTATE_SEND } from './baselines.js';
import { formatNumber, measurePaired, type BenchContext, type Row } from './harness.js';

/**
 * Issue 16's target, 5,000 schedules/s on the smallest race, as a ratio to the in-run actor.send
 * baseline: 5,000 schedules/s on a machine whose bare actor.send runs 338k transitions/s (the
 * quiet-machine baseline of docs/benchmarks.md), i.e. at most ~68 actor.sends per schedule.
 */
const SCHEDULES_TARGET = 5_000 / 338_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function exploreFigures(context: BenchContext): Row[] {
  // Explorations of 1,000 schedules (each with its own verdict cache, as a user's run has), timed
  // in CPU seconds turn about with 50,000 bare actor.sends; the first two pairs are warm-up, long
  // enough for the JIT to settle (the first ~1,000 schedules of a process run at half speed).
  const schedules = 1000;
  const sends = actorSends(50_000);
  const paired = measurePaired({ warmup: 2, repetitions: 7 }, sends.run, () => explore(freeRaceScenario, { args: { variant: 'fixed' }, schedules }));
  sends.stop();
  const perCpuSecond = schedules / paired.work.median;
  const sendsPerCpuSecond = 50_000 / paired.baseline.median;
  // Per pair: schedules per actor.send; the median pair's, as the ratio.
  const ratio = schedules / 50_000 / paired.ratios.median;
  const xstate = context.baseline(XSTATE_SEND);
  const toFind = (scenario: typeof unloadRaceScenario, strategy: 'pct' | 'random') =>
    median(Array.from({ length: 20 }, (_, i) => explore(scenario, { strategy, seed: 1 + i * 10_007, schedules: 20_000, shrink: false }).schedules));
  const pct = toFind(unloadSyncRaceScenario, 'pct');
  const random = toFind(unloadSyncRaceScenario, 'random');
  const shallowPct = toFind(unloadRaceScenario, 'pct');
  const shallowRandom = toFind(unloadRaceScenario, 'random');
  return [
    {
      name: 'explore: schedules per CPU-second, smallest race (free-before-callback, fixed)',
      value: perCpuSecond,
      unit: 'schedules/s',
      baseline: { name: `${XSTATE_SEND}, CPU time, turn about`, value: sendsPerCpuSecond },
      ratio,
      target: SCHEDULES_TARGET,
      note: `${formatNumber(1 / ratio)} actor.sends/schedule (target ≤ ${formatNumber(1 / SCHEDULES_TARGET)}: 5,000/s at 338k actor.send/s); pairs ${formatNumber((50_000 / schedules) * paired.ratios.min)}–${formatNumber((50_000 / schedules) * paired.ratios.max)}; the baselines group's wall-clock actor.send ${formatNumber(xstate.value)}/s`,
    },
    { name: 'explore: PCT d=2 schedules to find the deep unload race (median of 20)', value: pct, unit: 'schedules', note: 'race-unload-sync-read; target ≤ 1,000' },
    { name: 'explore: random schedules to find the deep unload race (median of 20)', value: random, unit: 'schedules', note: `random/PCT = ${(random / pct).toFixed(1)}x, target ≥ 10x` },
    { name: 'explore: PCT / random on the shallow unload race (median of 20)', value: shallowPct, unit: 'schedules', note: `race-unload-async-read: random ${shallowRandom}, ${(shallowRandom / shallowPct).toFixed(1)}x` },
  ];
}
