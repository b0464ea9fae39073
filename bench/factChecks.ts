/**
 * What the helpers' fact checks cost (issue 14): every public helper over a caller's log checks
 * each fact against the fact schema (src/kernel/factCheck.ts) before it reads it. Measured on a
 * ~100k-fact io-soak log: the check alone, and each helper whole (the check included), so the
 * check's share of the helper is its cost. The simulation's own run never pays it.
 */
import { factsArgument } from '../src/kernel/dataArguments.js';
import { foldLog, formatTrace, logDigest, startRun, Timeline, toChromeTrace, type Fact } from '../src/index.js';
import { formatSeconds, measure, type BenchContext, type Row } from './harness.js';

/** io-soak with 3 threads and 300 iterations: about 100k facts. */
function log(): readonly Fact[] {
  const sim = startRun({ scenario: 'io-soak', args: { threads: 3, iterations: 300 }, options: { seed: 1, strategy: 'random' } });
  sim.run({ maxSteps: Number.MAX_SAFE_INTEGER });
  return sim.log;
}

export function factChecks(_context: BenchContext): Row[] {
  const facts = log();
  const check = measure({ warmup: 2, repetitions: 7 }, () => factsArgument('bench', 'facts', facts));
  const rows: Row[] = [
    { name: `fact schema check of a ${(facts.length / 1e3).toFixed(0)}k-fact log`, value: check.median * 1e9 / facts.length, unit: 'ns/fact', note: `${formatSeconds(check.median)} for the log` },
  ];
  const helpers: readonly [string, () => unknown][] = [
    ['foldLog', () => foldLog(facts)],
    ['formatTrace', () => formatTrace(facts)],
    ['logDigest', () => logDigest(facts)],
    ['Timeline.of', () => Timeline.of(facts)],
    ['toChromeTrace', () => toChromeTrace(facts)],
  ];
  for (const [name, work] of helpers) {
    const whole = measure({ warmup: 1, repetitions: 3 }, work);
    rows.push({
      name: `  ${name}: its fact check's share`,
      value: check.median / whole.median,
      unit: '× time',
      note: `${name} ${formatSeconds(whole.median)} with the check`,
    });
  }
  return rows;
}
