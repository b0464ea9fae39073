// How the sample tests run a port: the scenario as the CLI builds it (its options, the args),
// run to its end; and `fltsim run <dir>` in a child process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createSimulation, type Scenario, type ScenarioArgs, type Simulation, type Strategy } from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');

export function runSample(scenario: Scenario, args: ScenarioArgs = {}, seed = 1, strategy: 'in-order' | 'random' | Strategy = 'in-order'): { sim: Simulation; reason: string } {
  const options = typeof scenario.options === 'function' ? scenario.options(seed, args) : (scenario.options ?? {});
  const sim = createSimulation({ ...options, seed, strategy });
  sim.buildScenario(scenario, args);
  return { sim, reason: sim.run({ maxSteps: 200_000 }).reason };
}

/** `fltsim run examples/samples/<name> [args]`: its exit status and output. */
export function fltsimRun(name: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'fltsim.mjs'), 'run', join('examples', 'samples', name), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the simulated thread named `name` returned. */
export function resultOf(sim: Simulation, name: string): unknown {
  const id = Object.entries(sim.state().threads).find(([, t]) => t.name === name)?.[0];
  return id === undefined ? undefined : sim.thread(id)?.result;
}
