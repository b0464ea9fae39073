/**
 * A scenario: a named, deterministic recipe that builds a stack and queues a workload in a fresh
 * simulation. Because simulated threads are generators (which cannot be serialised), a scenario id
 * plus its arguments, the options and the scheduling choices *is* the serialised form of a run:
 * save, restore, fork and replay rebuild a run by executing its scenario again (docs/time-travel.md).
 *
 * So `build` must be a pure function of (sim, args): no module state, no wall clock, no input that
 * is not in `args` or drawn from the simulation's own seeded streams.
 */
import { shown } from '../kernel/elide.js';
import { badArgument, kindOf } from '../kernel/arguments.js';
import { UsageError } from '../kernel/errors.js';
import type { RaceWindow } from '../explore/coverage.js';
import type { Simulation, SimulationOptions } from '../simulation.js';

export type { JsonValue, ScenarioArgs } from '../kernel/jsonValue.js';
export { jsonValueProblem, MAX_JSON_CHARS, MAX_JSON_DEPTH } from '../kernel/jsonValue.js';
import { jsonValueProblem, type JsonValue, type ScenarioArgs } from '../kernel/jsonValue.js';

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
  /**
   * 'cells': every JavaScript variable the scenario's filters share between threads is a
   * `sim.sharedCell`, so partial-order reduction may trust each step's footprint. Absent: every
   * step counts as touching undeclared state, dependent on every other (docs/exploration.md).
   */
  readonly sharedState?: 'cells';
  /**
   * The arguments the scenario takes and their ranges. When declared, every run checks its args
   * against it first (a trace header's and a command line's alike): an unknown argument or a value
   * out of range is a UsageError `BAD_SCENARIO_ARGUMENT`, so an argument cannot ask for unbounded
   * work (docs/security.md).
   */
  readonly arguments?: Readonly<Record<string, ScenarioArgument>>;
  /**
   * Host inputs this scenario knows how to perform, by name (docs/embedding.md, "Host inputs"):
   * `sim.act(name, args)` runs one and records it, so a restore performs it again at the same step.
   * Like `build`, each must be a pure function of (sim, args).
   */
  readonly actions?: Readonly<Record<string, (sim: Simulation, args: JsonValue) => void>>;
}

/** One declared argument: a whole number in [min, max], one of a few words, or any bounded JSON value. */
export type ScenarioArgument =
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly description: string }
  | { readonly kind: 'choice'; readonly values: readonly string[]; readonly description: string }
  | { readonly kind: 'json'; readonly description: string };

/** The most arguments any scenario run may carry, declared or not. */
const MAX_ARGUMENTS = 64;

/**
 * Check `args` against what the scenario declares (see `Scenario.arguments`). A scenario that
 * declares nothing still gets a JSON-safe, bounded object of scalars.
 */
export function checkScenarioArgs(scenario: Scenario, args: unknown): ScenarioArgs {
  const shaped = scenario as Partial<Scenario> | null;
  if (typeof shaped !== 'object' || shaped === null || typeof shaped.id !== 'string') throw badArgument('checkScenarioArgs', `scenario is ${kindOf(scenario)}, not a Scenario ({ id, description, build })`);
  const bad = (message: string): UsageError => new UsageError('BAD_SCENARIO_ARGUMENT', `scenario '${scenario.id}': ${message}`);
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw bad(`arguments must be an object, got ${shown(args)}`);
  const entries = Object.entries(args);
  if (entries.length > MAX_ARGUMENTS) throw bad(`at most ${MAX_ARGUMENTS} arguments, got ${entries.length}`);
  const declared = scenario.arguments;
  for (const [name, value] of entries) {
    if (typeof value === 'object' && value !== null) {
      const problem = jsonValueProblem(value);
      if (problem !== null) throw bad(`argument ${shown(name)} must be a JSON value, got ${problem}`);
    } else if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw bad(`argument ${shown(name)} must be a string, number, boolean, null, array or object, got ${shown(value)}`);
    }
    if (typeof value === 'string' && value.length > 4096) throw bad(`argument ${shown(name)} is ${value.length} characters long (at most 4096)`);
    if (declared === undefined) continue;
    if (!Object.hasOwn(declared, name)) {
      const known = Object.keys(declared);
      throw bad(`no argument ${shown(name)} (${known.length === 0 ? 'it takes none' : `known: ${known.join(', ')}`})`);
    }
    const spec = declared[name]!;
    if (value === null || spec.kind === 'json') continue;
    if (spec.kind === 'int') {
      const n = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < spec.min || n > spec.max) throw bad(`argument ${name} must be a whole number from ${spec.min} to ${spec.max}, got ${shown(value)}`);
    } else if (typeof value !== 'string' || !spec.values.includes(value)) {
      throw bad(`argument ${name} must be ${spec.values.map((v) => `'${v}'`).join(' or ')}, got ${shown(value)}`);
    }
  }
  return args as ScenarioArgs;
}

export function scenarioOptions(scenario: Scenario, seed: number, args: ScenarioArgs): ScenarioOptions {
  checkScenarioArgs(scenario, args);

  const o = scenario.options;
  return o === undefined ? {} : typeof o === 'function' ? o(seed, args) : o;
}

/** An integer argument with a default; anything else is the caller's mistake. */
export function intArg(args: ScenarioArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = Object.hasOwn(args, name) ? args[name] : undefined;
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' && /^-?\d{1,16}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument ${name} must be a whole number from ${min} to ${max}, got ${shown(v)}`);
  }
  return n;
}
