/**
 * Race-sample figures (issue 12): complete schedules per second of the cancelSafe race (two pended
 * reads, the worker, CancelIoEx from a second application thread, the unload's drain) and of the
 * MetadataManager race (chkdsk's lock and unlock, a second application's open and read, the
 * unload) under PCT depth 2, each beside the smallest race measured first in this group (the
 * explore group's figure, re-measured here so `npm run bench -- 'race samples'` stands alone);
 * then schedules PCT and seeded random need to find the planted MetadataManager cycle (the
 * keepsResource variant with the lower queue filter, CREATE_WITH_APCS_DISABLED turned off so the
 * search is judged on the deadlock), median over SEEDS seeds. Measured and printed, never asserted.
 */
import { explore } from '../src/explore/index.js';
import { freeRaceScenario } from '../examples/races/index.js';
import { scenario as cancelSafe } from '../examples/samples/cancelSafe/index.js';
import { scenario as metadataManager } from '../examples/samples/metadataManager/index.js';
import type { Scenario, ScenarioArgs } from '../src/index.js';
import type { BenchContext, Row } from './harness.js';

const SEEDS = 9;
const CAP = 5000;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** PCT schedules per second over `schedules` schedules after a warm-up of a quarter as many; throws if one finds a violation. */
function pctRate(scenario: Scenario, args: ScenarioArgs, schedules: number): number {
  explore(scenario, { strategy: 'pct', schedules: Math.ceil(schedules / 4), seed: 1, args });
  const start = process.hrtime.bigint();
  const r = explore(scenario, { strategy: 'pct', schedules, seed: 1001, args });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.found) throw new Error(`bench: ${scenario.id} found ${r.violation?.name} at seed ${r.seed}`);
  return r.schedules / seconds;
}

export function raceSamples(_context: BenchContext): Row[] {
  explore(freeRaceScenario, { args: { variant: 'fixed' }, schedules: 1000 });
  const start = process.hrtime.bigint();
  explore(freeRaceScenario, { args: { variant: 'fixed' }, schedules: 2000 });
  const smallest = 2000 / (Number(process.hrtime.bigint() - start) / 1e9);
  const cancelSafeRate = pctRate(cancelSafe, { delay: 2 }, 400);
  const fmmRate = pctRate(metadataManager, {}, 200);

  const cycle = { variant: 'keepsResource' };
  const toFind = (strategy: 'pct' | 'random'): number[] =>
    Array.from({ length: SEEDS }, (_, i) => {
      const r = explore(metadataManager, { strategy, seed: 1 + i * 10_007, schedules: CAP, shrink: false, args: cycle, disabledRules: ['CREATE_WITH_APCS_DISABLED'] });
      if (r.found && r.violation?.kind !== 'deadlock') throw new Error(`bench: the planted cycle search found ${r.violation?.name} instead`);
      return r.found ? r.schedules : CAP;
    });
  const pct = toFind('pct');
  const random = toFind('random');
  const list = (xs: number[]) => xs.join(' ');
  return [
    { name: 'race samples: schedules/s, smallest race (free-before-callback, fixed), in-run baseline', value: smallest, unit: 'schedules/s' },
    { name: 'race samples: PCT d=2 schedules/s, cancelSafe race (worker vs CancelIoEx vs unload drain)', value: cancelSafeRate, unit: 'schedules/s', note: `${(cancelSafeRate / smallest).toFixed(2)}x the smallest race` },
    { name: 'race samples: PCT d=2 schedules/s, MetadataManager race (lock/unlock vs app open vs unload)', value: fmmRate, unit: 'schedules/s', note: `${(fmmRate / smallest).toFixed(2)}x the smallest race` },
    { name: `race samples: PCT d=2 schedules to find the planted MetadataManager cycle (median of ${SEEDS})`, value: median(pct), unit: 'schedules', note: `per seed: ${list(pct)}` },
    { name: `race samples: random schedules to find the planted MetadataManager cycle (median of ${SEEDS})`, value: median(random), unit: 'schedules', note: `random/PCT = ${(median(random) / median(pct)).toFixed(2)}x; per seed: ${list(random)}` },
  ];
}
