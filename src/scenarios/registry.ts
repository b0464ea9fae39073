/**
 * Looking a scenario up by id in a registry the caller passes. Apart from the built-in scenarios
 * (src/scenarios/index.ts) on purpose: the host functions (src/host/scenarios.ts) use only this, so
 * a host's bundle that registers its own scenarios does not carry fltsim's.
 */
import { badArgument, kindOf } from '../kernel/arguments.js';
import { arrayOfArgument } from '../kernel/dataArguments.js';
import { UsageError } from '../kernel/errors.js';
import type { Scenario } from './scenario.js';

/** The scenario named `id` in `registry`, or a UsageError (`UNKNOWN_SCENARIO`) listing the known ones. */
export function findScenarioIn(id: string, registry: readonly Scenario[], routine: string): Scenario {
  if (!Array.isArray(registry)) {
    throw new UsageError('BAD_ARGUMENT', `${routine}: scenarios must be the registry to look '${String(id).slice(0, 40)}' up in (builtInScenarios for fltsim's own, or [...builtInScenarios, ...yours])`);
  }
  for (let i = 0; i < registry.length; i++) scenarioArgument(routine, `scenarios[${i}]`, registry[i]);
  const found = registry.find((s) => s.id === id);
  if (found === undefined) throw new UsageError('UNKNOWN_SCENARIO', `no scenario '${id}' (known: ${registry.map((s) => s.id).join(', ')})`);
  return found;
}

/** A scenario argument: `{ id, description, build }` at least (a UsageError BAD_ARGUMENT naming `routine` otherwise). */
export function scenarioArgument(routine: string, name: string, value: unknown): Scenario {
  if (isScenario(value)) return value;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a Scenario ({ id, description, build })`);
}

/** A registry argument: an array of scenarios. */
export function scenariosArgument(routine: string, name: string, value: unknown): readonly Scenario[] {
  return arrayOfArgument(routine, name, value, (s, at) => scenarioArgument(routine, at, s), 'an array of scenarios');
}

/** Is `value` shaped like a scenario (for modules loaded by path)? */
export function isScenario(value: unknown): value is Scenario {
  const s = value as Partial<Scenario> | null;
  return typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.description === 'string' && typeof s.build === 'function';
}
