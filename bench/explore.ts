/**
 * Exploration figures (issue 6): complete schedules per second of the smallest race scenario on one
 * core, and schedules PCT (depth 2) and seeded random need to find the planted unload race, median
 * over 20 seeds. Measured and printed, never asserted.
 */
import { explore } from '../src/explore/index.js';
import { freeRaceScenario, unloadRaceScenario } from '../examples/races/index.js';
import type { BenchContext, Row } from './harness.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function exploreFigures(_context: BenchContext): Row[] {
  const schedules = 2000;
  // Warm-up long enough for the JIT to settle: the first ~1,000 schedules of a process run at half
  // speed (tsx loading and V8 tiering), which is what the earlier 753/s measured.
  explore(freeRaceScenario, { args: { variant: 'fixed' }, schedules: 1000 });
  const start = process.hrtime.bigint();
  explore(freeRaceScenario, { args: { variant: 'fixed' }, schedules });
  const perSecond = schedules / (Number(process.hrtime.bigint() - start) / 1e9);
  const toFind = (strategy: 'pct' | 'random') =>
    median(Array.from({ length: 20 }, (_, i) => explore(unloadRaceScenario, { strategy, seed: 1 + i * 10_007, schedules: 20_000, shrink: false }).schedules));
  const pct = toFind('pct');
  const random = toFind('random');
  return [
    { name: 'explore: schedules/s, smallest race (free-before-callback, fixed)', value: perSecond, unit: 'schedules/s', note: 'target ≥ 1,000' },
    { name: 'explore: PCT d=2 schedules to find unload race (median of 20)', value: pct, unit: 'schedules', note: 'target ≤ 1,000' },
    { name: 'explore: random schedules to find unload race (median of 20)', value: random, unit: 'schedules', note: `random/PCT = ${(random / pct).toFixed(1)}x, target ≥ 10x` },
  ];
}
