/**
 * A scenario: a named, deterministic recipe that builds a stack and queues a workload in a fresh
 * simulation. Because simulated threads are generators (which cannot be serialised), a scenario id
 * plus its arguments, the options and the scheduling choices *is* the serialised form of a run:
 * save, restore, fork and replay rebuild a run by executing its scenario again (docs/time-travel.md).
 *
 * So `build` must be a pure function of (sim, args): no module state, no wall clock, no input that
 * is not in `args` or drawn from the simulation's own seeded streams.
 */
import { UsageError } from '../kernel/errors.js';
import type { RaceWindow } from '../explore/coverage.js';
import type { Simulation, SimulationOptions } from '../simulation.js';

/** JSON-safe scenario arguments (they are written into save files and trace headers). */
export type ScenarioArgs = { readonly [key: string]: string | number | boolean | null };

/** Options a scenario may fix: everything but the seed and the strategy, which belong to the run. */
export type ScenarioOptions = Omit<SimulationOptions, 'seed' | 'strategy'>;

export interface Scenario {
  /** Stable id: written into trace headers and save files, looked up in the registry on restore. */
  readonly id: string;
  readonly description: string;
  /** Simulation options the scenario needs; a function when they depend on the seed or the args. */
  readonly options?: ScenarioOptions | ((seed: number, args: ScenarioArgs) => ScenarioOptions);
  /** Build the system and queue the workload; the caller runs the simulation. */
  build(sim: Simulation, args: ScenarioArgs): void;
  /** Race windows exploration counts and reports (docs/exploration.md, "Race windows"). */
  readonly windows?: readonly RaceWindow[];
}

export function scenarioOptions(scenario: Scenario, seed: number, args: ScenarioArgs): ScenarioOptions {
  const o = scenario.options;
  return o === undefined ? {} : typeof o === 'function' ? o(seed, args) : o;
}

/** An integer argument with a default; anything else is the caller's mistake. */
export function intArg(args: ScenarioArgs, name: string, fallback: number, min = 0): number {
  const v = args[name];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
}
