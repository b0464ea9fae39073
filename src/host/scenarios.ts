/**
 * Scenarios a host can name, and restore by re-execution.
 *
 * A simulation built by a registered scenario can be saved (`sim.save()`) and rebuilt anywhere the
 * same scenario is registered (`restoreSimulation`). The registry is a value the caller passes,
 * never module state: a host adds its own scenarios next to the built-in ones.
 *
 * The registry is the project's (src/scenarios/index.ts, shared with time travel); this module
 * adds what a host needs on top of it: create by id, and restore by re-execution.
 */
import type { Observable } from 'rxjs';
import { ReplayDivergenceError } from '../kernel/errors.js';
import type { FactDelivery } from '../kernel/factStream.js';
import type { Fact } from '../kernel/facts.js';
import { functionArgument } from '../kernel/arguments.js';
import { replayStrategy } from '../kernel/strategy.js';
import { findScenarioIn } from '../scenarios/registry.js';
import { scenarioOptions, type Scenario, type ScenarioArgs } from '../scenarios/scenario.js';
import { createSimulation, type Simulation, type SimulationOptions } from '../simulation.js';
import { FLTSIM_VERSION } from '../version.js';
import { checkSnapshot, logDigest, type SimulationSnapshot } from './snapshot.js';

/** The options a host may give a scenario run: a built-in strategy by name, so the run can be saved. */
export type ScenarioRunOptions = Omit<SimulationOptions, 'strategy'> & { readonly strategy?: 'in-order' | 'random' };

export interface ScenarioSimulationOptions {
  /** The scenario's arguments (JSON-safe). */
  readonly args?: ScenarioArgs;
  /**
   * Where to look the id up: `builtInScenarios` for fltsim's own, `[...builtInScenarios, ...yours]`,
   * or only yours. No default, so a host that passes only its own does not bundle fltsim's.
   */
  readonly scenarios: readonly Scenario[];
}

/**
 * A fresh simulation built by the scenario `id` of `more.scenarios`, not yet run. The scenario's
 * options come first, `options` override them. An unknown id is a UsageError (`UNKNOWN_SCENARIO`).
 */
export function createScenarioSimulation(id: string, options: ScenarioRunOptions, more: ScenarioSimulationOptions): Simulation {
  const scenario = findScenarioIn(id, (more as Partial<ScenarioSimulationOptions> | undefined)?.scenarios as readonly Scenario[], 'createScenarioSimulation');
  const args = more.args ?? {};
  const sim = createSimulation({ ...scenarioOptions(scenario, options?.seed ?? 1, args), ...options });
  sim.buildScenario(scenario, args);
  return sim;
}

/** What re-executes a run: the parts of a snapshot (or a trace header) that rebuild it. */
export type Recording = Pick<SimulationSnapshot, 'scenario' | 'args' | 'options' | 'drive' | 'choices'>;

/**
 * A fresh simulation built as `recording` was, its drive not yet followed: strategy 'replay'
 * follows the recorded choices (then in order), the built-in strategies are created by name.
 */
export function recordedSimulation(
  recording: Recording,
  scenarios: readonly Scenario[],
  watch: ((what: 'fact' | 'step') => void) | null = null,
  beforeBuild: ((sim: Simulation) => void) | null = null,
): Simulation {
  const scenario = findScenarioIn(recording.scenario, scenarios, 'restoreSimulation');
  const { strategy, ...options } = recording.options;
  const sim = createSimulation({
    ...scenarioOptions(scenario, options.seed, recording.args),
    ...options,
    strategy: strategy === 'replay' ? replayStrategy(recording.choices ?? []) : strategy,
  });
  beforeBuild?.(sim);
  sim.buildScenario(scenario, recording.args, watch);
  return sim;
}

export interface RestoreOptions {
  /** Where to look the snapshot's scenario up (`builtInScenarios` for fltsim's own); no default, as for createScenarioSimulation. */
  readonly scenarios: readonly Scenario[];
  /**
   * Called once, before anything is rebuilt, with the restored simulation's fact stream from its
   * first fact: what the host subscribes there receives every fact the restore re-creates, in
   * order, as the original's subscribers saw them (guarded as `facts$` is), and then stays
   * subscribed to the facts that follow. A subscriber that throws fails the restore with a
   * SubscriberError naming the fact.
   */
  readonly replayTo?: (facts$: Observable<Fact>) => void;
}

/**
 * Rebuild a saved simulation: create it with the saved options, build its scenario, re-execute its
 * drive record, and check that the log is the one that was saved (fact count and digest).
 *
 * Errors, each typed and each leaving every existing simulation as it was:
 * - not a snapshot, or a malformed one: UsageError `BAD_SNAPSHOT`;
 * - a newer or unknown snapshot format, or another major fltsim version: SnapshotVersionError
 *   (a UsageError `SNAPSHOT_VERSION` naming the versions); an older format is migrated forward;
 * - a scenario not in `scenarios`: UsageError `UNKNOWN_SCENARIO`;
 * - a re-execution that does not reproduce the saved log: ReplayDivergenceError.
 */
export function restoreSimulation(snapshot: unknown, options: RestoreOptions): Simulation {
  const saved = checkSnapshot(snapshot, FLTSIM_VERSION);
  findScenarioIn(saved.scenario, (options as Partial<RestoreOptions> | undefined)?.scenarios as readonly Scenario[], 'restoreSimulation');
  const replayTo = options.replayTo === undefined ? null : functionArgument<(facts$: Observable<Fact>) => void>('restoreSimulation', 'options.replayTo', options.replayTo, false)!;
  if (replayTo === null) {
    const sim = recordedSimulation(saved, options.scenarios);
    sim.host.replay(saved.drive);
    return checkRebuilt(sim, saved);
  }
  // With subscribers on the replay, the whole rebuild is one simulation call: what a subscriber
  // throws is kept (the replay's own handling of a step that threw must not swallow it) and
  // thrown as a SubscriberError once the rebuild is done.
  let delivery: FactDelivery | null = null;
  let sim: Simulation;
  try {
    sim = recordedSimulation(saved, options.scenarios, null, (fresh) => {
      delivery = fresh.kernel.log.delivery;
      delivery.enter('restoreSimulation');
      replayTo(fresh.kernel.log.factsFromStart$());
    });
    sim.host.replay(saved.drive);
  } finally {
    (delivery as FactDelivery | null)?.exit();
  }
  return checkRebuilt(sim, saved);
}

/** The rebuilt log must be the saved one: same length, same digest. */
function checkRebuilt(sim: Simulation, saved: SimulationSnapshot): Simulation {
  const log = sim.log;
  if (log.length !== saved.facts || logDigest(log) !== saved.digest) {
    const why =
      saved.writtenBy === FLTSIM_VERSION
        ? 'did the scenario change, or the host change the simulation outside its scenario and drive?'
        : `the snapshot was written by fltsim ${saved.writtenBy} and this is fltsim ${FLTSIM_VERSION}: did the model's log for this run change between them (docs/embedding.md, "Saves across versions"), or the scenario?`;
    throw new ReplayDivergenceError(
      `restore of scenario '${saved.scenario}' rebuilt ${log.length} facts (digest ${logDigest(log)}), the snapshot has ${saved.facts} (digest ${saved.digest}): ${why}`,
      { seed: saved.options.seed },
    );
  }
  return sim;
}
