/**
 * Looking a scenario up by id in a registry the caller passes. Apart from the built-in scenarios
 * (src/scenarios/index.ts) on purpose: the host functions (src/host/scenarios.ts) use only this, so
 * a host's bundle that registers its own scenarios does not carry fltsim's.
 */
import { UsageError } from '../kernel/errors.js';
import type { Scenario } from './scenario.js';

/** The scenario named `id` in `registry`, or a UsageError (`UNKNOWN_SCENARIO`) listing the known ones. */
export function findScenarioIn(id: string, registry: readonly Scenario[], routine: string): Scenario {
  if (!Array.isArray(registry)) {
    throw new UsageError('BAD_ARGUMENT', `${routine}: scenarios must be the registry to look '${String(id).slice(0, 40)}' up in (builtInScenarios for fltsim's own, or [...builtInScenarios, ...yours])`);
  }
  const found = registry.find((s) => s.id === id);
  if (found === undefined) throw new UsageError('UNKNOWN_SCENARIO', `no scenario '${id}' (known: ${registry.map((s) => s.id).join(', ')})`);
  return found;
}

/** Is `value` shaped like a scenario (for modules loaded by path)? */
export function isScenario(value: unknown): value is Scenario {
  const s = value as Partial<Scenario> | null;
  return typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.description === 'string' && typeof s.build === 'function';
}
