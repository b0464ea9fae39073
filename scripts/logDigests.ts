/**
 * One line per run: the scenario, its arguments, seed and strategy, the number of facts and a digest
 * of the whole log (and of the final `sim.state()`). For checking that a refactoring leaves logs
 * byte-identical: run it on two commits and diff the outputs.
 *
 *   npx tsx scripts/logDigests.ts > before.txt   (on main)
 *   npx tsx scripts/logDigests.ts > after.txt    (on the branch)
 *   diff before.txt after.txt
 *
 * Runs the built-in scenarios (the demo, the soak, the random workloads, the six races in both
 * variants) and every sample under examples/samples, with seeds 1..SEEDS (env FLTSIM_DIGEST_SEEDS,
 * default 8) in order and at random.
 *
 * For a change that adds facts on purpose (a documented fix), FLTSIM_DIGEST_WITHOUT=Type,field
 * digests each log without the facts of those types (the rest renumbered) and each state without
 * the view fields of those names, so a diff against the old commit shows that nothing else changed;
 * each line then also counts the facts left out.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VerifierError, createSimulation, isScenario, type Fact, type Scenario, type ScenarioArgs, type SimState } from '../src/index.js';
import { builtInScenarios } from '../src/scenarios/index.js';

const SEEDS = Number(process.env['FLTSIM_DIGEST_SEEDS'] ?? 8);
const root = resolve(import.meta.dirname, '..');
const WITHOUT: ReadonlySet<string> = new Set((process.env['FLTSIM_DIGEST_WITHOUT'] ?? '').split(',').filter((name) => name !== ''));

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** The log without the facts WITHOUT names, renumbered, and the state as that log would leave it. */
function leftOut(log: readonly Fact[], state: SimState): { log: readonly Fact[]; state: unknown; dropped: number } {
  if (WITHOUT.size === 0) return { log, state, dropped: 0 };
  const seqOf = new Map<number, number>();
  const kept: Fact[] = [];
  for (const fact of log) {
    if (WITHOUT.has(fact.type)) continue;
    seqOf.set(fact.seq, kept.length);
    kept.push({ ...fact, seq: kept.length });
  }
  const violations = state.violations.map((v) => ({ ...v, seq: seqOf.get(v.seq) ?? v.seq }));
  const json = JSON.stringify({ ...state, seq: kept.length, violations }, (key, value: unknown) => (WITHOUT.has(key) ? undefined : value));
  return { log: kept, state: JSON.parse(json) as unknown, dropped: log.length - kept.length };
}

function runOnce(scenario: Scenario, args: ScenarioArgs, seed: number, strategy: 'in-order' | 'random'): string {
  const base = typeof scenario.options === 'function' ? scenario.options(seed, args) : (scenario.options ?? {});
  const sim = createSimulation({ ...base, seed, strategy });
  let end: string;
  try {
    sim.buildScenario(scenario, args);
    end = sim.run().reason;
  } catch (error) {
    end = error instanceof VerifierError ? `verifier ${error.rule}` : `error ${(error as Error).message}`;
  }
  const compared = leftOut(sim.log, sim.state());
  const without = WITHOUT.size === 0 ? '' : ` (${compared.dropped} left out)`;
  return `${scenario.id} ${JSON.stringify(args)} seed ${seed} ${strategy}: ${end}; ${compared.log.length} facts${without}, log ${digest(compared.log)}, state ${digest(compared.state)}`;
}

async function samples(): Promise<Scenario[]> {
  const dir = join(root, 'examples', 'samples');
  const out: Scenario[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'common') continue;
    const exports = (await import(pathToFileURL(join(dir, name, 'index.ts')).href)) as Record<string, unknown>;
    const found = [exports['default'], exports['scenario'], ...Object.values(exports)].find(isScenario);
    if (found !== undefined) out.push(found);
  }
  return out;
}

const scenarios = [...builtInScenarios, ...(await samples())];
for (const scenario of scenarios) {
  const variants: ScenarioArgs[] = scenario.arguments?.['variant'] !== undefined ? [{ variant: 'buggy' }, { variant: 'fixed' }] : [{}];
  for (const args of variants) {
    for (let seed = 1; seed <= SEEDS; seed++) {
      for (const strategy of ['in-order', 'random'] as const) console.log(runOnce(scenario, args, seed, strategy));
    }
  }
}
