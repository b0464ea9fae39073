/**
 * Built-in race scenarios: each plants one classic minifilter race and carries its fix, selected by
 * the argument `variant` ('buggy' by default, or 'fixed'). `explore` finds every bug and passes
 * every fix (test/explore). Not in the src/scenarios registry: pass `raceScenarios` where an API
 * takes one, e.g. `[...builtInScenarios, ...raceScenarios]`.
 */
import type { Scenario } from '../scenario.js';
import { cancelRaceScenario } from './cancelRace.js';
import { drainRaceScenario } from './drainRace.js';
import { freeRaceScenario } from './freeRace.js';
import { recursionScenario } from './recursion.js';
import { unloadRaceScenario } from './unloadRace.js';
import { unloadSyncRaceScenario } from './unloadSyncRace.js';

export { cancelRaceScenario, drainRaceScenario, freeRaceScenario, recursionScenario, unloadRaceScenario, unloadSyncRaceScenario };

export const raceScenarios: readonly Scenario[] = Object.freeze([unloadRaceScenario, cancelRaceScenario, drainRaceScenario, recursionScenario, freeRaceScenario, unloadSyncRaceScenario]);
