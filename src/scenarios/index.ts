/**
 * The scenario registry: every scenario fltsim knows by id. Save files and trace headers name a
 * scenario by id, and restoring re-executes it, so an id must keep building the same system.
 * A frozen array, never module state that grows: a host with scenarios of its own passes
 * `[...builtInScenarios, ...mine]` where an API takes a registry.
 */
import { demoScenario } from './demo.js';
import { ioSoakScenario } from './ioSoak.js';
import { randomIoScenario, randomScenario } from './random.js';
import type { Scenario } from './scenario.js';
import { raceScenarios } from './races/index.js';
import { findScenarioIn } from './registry.js';

export type { Scenario, ScenarioArgs, ScenarioOptions } from './scenario.js';
export { scenarioOptions } from './scenario.js';
export { demoScenario, ioSoakScenario, randomScenario, randomIoScenario };

/** Every scenario fltsim ships (demo, io-soak, random, random-io, the races): the project's registry. */
export const builtInScenarios: readonly Scenario[] = Object.freeze([demoScenario, ioSoakScenario, randomScenario, randomIoScenario, ...raceScenarios]);
export { raceScenarios };

/** The scenario named `id` in `registry` (default: the built-in ones), or a UsageError (`UNKNOWN_SCENARIO`) listing the known ones. */
export function findScenario(id: string, registry: readonly Scenario[] = builtInScenarios): Scenario {
  return findScenarioIn(id, registry, 'findScenario');
}

export { isScenario } from './registry.js';
export { scenariosArgument } from './registry.js';
