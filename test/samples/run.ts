// How the sample tests run a port: the scenario as the CLI builds it (its options, the args),
// run to its end; and `fltsim run <dir>` through the CLI's main, in process (a child process would
// cost seconds of CPU for tsx and the sources; the bin is spawned by test/cli and test/package).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fltsimInProcess, type Ran } from '../cli/inProcess.js';
import { createSimulation, type Scenario, type ScenarioArgs, type Simulation, type Strategy } from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');

export function runSample(scenario: Scenario, args: ScenarioArgs = {}, seed = 1, strategy: 'in-order' | 'random' | Strategy = 'in-order'): { sim: Simulation; reason: string } {
  const options = typeof scenario.options === 'function' ? scenario.options(seed, args) : (scenario.options ?? {});
  const sim = createSimulation({ ...options, seed, strategy });
  sim.buildScenario(scenario, args);
  return { sim, reason: sim.run({ maxSteps: 200_000 }).reason };
}

/** Every WDK sample port under examples/samples, by directory name, in name order (the sweeps' `it.each` table). */
export async function sampleScenarios(): Promise<(readonly [string, Scenario])[]> {
  const dir = join(root, 'examples', 'samples');
  const names = readdirSync(dir).filter((name) => existsSync(join(dir, name, 'index.ts'))).sort();
  return Promise.all(names.map(async (name) => [name, ((await import(join(dir, name, 'index.ts'))) as { scenario: Scenario }).scenario] as const));
}

/** `fltsim run examples/samples/<name> [args]`: its exit status and output. */
export function fltsimRun(name: string, ...args: string[]): Promise<Ran> {
  return fltsimInProcess('run', join(root, 'examples', 'samples', name), ...args);
}

/** What the simulated thread named `name` returned. */
export function resultOf(sim: Simulation, name: string): unknown {
  const id = Object.entries(sim.state().threads).find(([, t]) => t.name === name)?.[0];
  return id === undefined ? undefined : sim.thread(id)?.result;
}
