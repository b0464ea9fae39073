/**
 * What prefix sharing could save (issue 16, item 3): exhaustive search re-executes every run from
 * the start, though consecutive runs of a depth-first search agree up to their branch point. For
 * each built-in race (bound 2, DPOR, the default reduction) this counts the facts each complete run
 * executed before the first choice where it left the previous run, against all facts executed.
 * That share is the most restoring a snapshot at the branch point could save if restoring cost
 * nothing; fltsim cannot take such a snapshot (a simulated thread is a generator closed over the
 * filter's own variables, and JavaScript copies neither), so this is the figure that says what is
 * lost, not a speed-up to claim. Facts stand for work: their costs differ, so the share is of facts.
 */
import { reducedSearch } from '../src/explore/index.js';
import type { ScheduleOutcome } from '../src/explore/run.js';
import { raceScenarios } from '../examples/races/index.js';
import { raceSearchOptions } from './explorePor.js';
import type { Row } from './harness.js';

/** Facts of a log before its k-th Choice fact (all of them when it has fewer). */
function factsBeforeChoice(outcome: ScheduleOutcome, k: number): number {
  const log = outcome.sim.kernel.log.all();
  let seen = 0;
  for (let i = 0; i < log.length; i++) {
    if (log[i]!.type !== 'Choice') continue;
    if (seen === k) return i;
    seen++;
  }
  return log.length;
}

export function explorePrefixFigures(): Row[] {
  const rows: Row[] = [];
  let allShared = 0;
  let allFacts = 0;
  for (const scenario of raceScenarios) {
    for (const variant of ['buggy', 'fixed']) {
      let previous: readonly string[] | null = null;
      let shared = 0;
      let facts = 0;
      let runs = 0;
      reducedSearch(scenario, {
        ...raceSearchOptions(variant),
        reduction: 'dpor',
        visit: (outcome, choices) => {
          // Depth-first: a run branches off the run before it, at the first choice they differ.
          if (previous !== null) {
            let k = 0;
            while (k < previous.length && k < choices.length && previous[k] === choices[k]) k++;
            shared += factsBeforeChoice(outcome, k);
          }
          facts += outcome.sim.kernel.log.length;
          runs++;
          previous = choices;
          return false;
        },
      });
      allShared += shared;
      allFacts += facts;
      rows.push({
        name: `prefix sharing, ${scenario.id} ${variant}: facts before the branch point`,
        value: Math.round((100 * shared) / facts),
        unit: '% of facts',
        note: `${runs} runs (DPOR, bound 2), ${facts} facts executed, ${shared} of them re-executing the previous run's prefix`,
      });
    }
  }
  rows.push({
    name: 'prefix sharing, all races: facts before the branch point',
    value: Math.round((100 * allShared) / allFacts),
    unit: '% of facts',
    note: `the most a free restore at the branch point could save (${allShared} of ${allFacts} facts); not possible here: generators cannot be copied`,
  });
  return rows;
}
