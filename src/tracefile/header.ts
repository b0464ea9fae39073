/**
 * The first line of an NDJSON trace file (docs/trace-format.md): what built the run, so it can be
 * replayed, and what the file holds, so a reader can tell a complete file from a damaged one.
 */
import { extrasArgument, headerArgument, simulationArgument } from './headerArguments.js';
import type { Recording } from '../host/scenarios.js';
import type { SimulationSnapshot } from '../host/snapshot.js';
import type { Simulation } from '../simulation.js';
import { FLTSIM_VERSION } from '../version.js';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION } from './format.js';

export { TRACE_FORMAT, TRACE_FORMAT_VERSION };

/**
 * Where a scenario that is not built in came from: the module's path (absolute) and a SHA-256 over
 * it and the local files it imports (src/cli/moduleDigest.ts), so a replay can load it again and
 * refuse when any of them changed.
 */
export interface ScenarioModuleRef {
  readonly path: string;
  readonly sha256: string;
}

export interface TraceViolation {
  readonly kind: string;
  readonly name: string;
  readonly seq: number;
  readonly message: string;
}

/** What a writer may add to the header besides the run itself. */
export interface TraceHeaderExtras {
  readonly module?: ScenarioModuleRef | undefined;
  readonly violation?: TraceViolation | null | undefined;
}

export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly formatVersion: number;
  /** The fltsim that wrote it: a replay needs the same version to rebuild the same log. */
  readonly fltsimVersion: string;
  readonly scenario: { readonly id: string; readonly args: SimulationSnapshot['args']; readonly module?: ScenarioModuleRef };
  readonly seed: number;
  /** Every option, resolved (the seed and the strategy's name included). */
  readonly options: SimulationSnapshot['options'];
  /** Thread ids chosen at each real scheduling choice, in order (for `replayStrategy`; with strategy 'replay', what the replay follows). */
  readonly choices: readonly string[];
  /** The drive record (src/host/types.ts): what re-executes the run exactly, host choices included. */
  readonly drive: SimulationSnapshot['drive'];
  /** Facts the scenario's build appended before the run's first step (for threadActivity); absent when 0. */
  readonly built?: number;
  /** The violation the run was written for (`fltsim explore --trace`): where `fltsim replay` lands. */
  readonly violation?: TraceViolation;
  /** Facts that follow, one per line, and the FNV-1a digest of their JSON (`logDigest`). */
  readonly facts: number;
  readonly digest: string;
}

/** The header for a simulation built by a scenario (`startRun`, explore), as it is now; `module` when the scenario came from one. */
export function traceHeader(sim: Simulation, extras: TraceHeaderExtras = {}): TraceHeader {
  simulationArgument('traceHeader', sim);
  extras = extrasArgument('traceHeader', extras);
  const saved = sim.save();
  const module = extras.module;
  const built = sim.built.facts;
  return {
    format: TRACE_FORMAT,
    formatVersion: TRACE_FORMAT_VERSION,
    fltsimVersion: FLTSIM_VERSION,
    scenario: module === undefined ? { id: saved.scenario, args: saved.args } : { id: saved.scenario, args: saved.args, module },
    seed: saved.options.seed,
    options: saved.options,
    choices: [...sim.choices],
    drive: saved.drive,
    ...(built > 0 ? { built } : {}),
    ...(extras.violation === undefined || extras.violation === null ? {} : { violation: { ...extras.violation } }),
    facts: saved.facts,
    digest: saved.digest,
  };
}

/** The recording a header describes, for `rebuild`, `fork` and `replayChecked`. */
export function recordingOf(header: TraceHeader): Recording {
  headerArgument('recordingOf', header);
  const recording = { scenario: header.scenario.id, args: header.scenario.args, options: header.options, drive: header.drive };
  return header.options.strategy === 'replay' ? { ...recording, choices: header.choices } : recording;
}
