/**
 * The first line of an NDJSON trace file (docs/trace-format.md): what built the run, so it can be
 * replayed, and what the file holds, so a reader can tell a complete file from a damaged one.
 */
import type { SimulationSnapshot } from '../host/snapshot.js';
import type { Simulation } from '../simulation.js';
import { FLTSIM_VERSION } from '../version.js';

export const TRACE_FORMAT = 'fltsim-trace';
/** Bumped when a change to the file layout would make an older reader misread a file. */
export const TRACE_FORMAT_VERSION = 1;

export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly formatVersion: number;
  /** The fltsim that wrote it: a replay needs the same version to rebuild the same log. */
  readonly fltsimVersion: string;
  readonly scenario: { readonly id: string; readonly args: SimulationSnapshot['args'] };
  readonly seed: number;
  /** Every option, resolved (the seed and the strategy's name included). */
  readonly options: SimulationSnapshot['options'];
  /** Thread ids chosen at each real scheduling choice, in order (for `replayStrategy`). */
  readonly choices: readonly string[];
  /** The drive record (src/host/types.ts): what re-executes the run exactly, host choices included. */
  readonly drive: SimulationSnapshot['drive'];
  /** Facts that follow, one per line, and the FNV-1a digest of their JSON (`logDigest`). */
  readonly facts: number;
  readonly digest: string;
}

/** The header for a simulation built by a registered scenario (`startRun`), as it is now. */
export function traceHeader(sim: Simulation): TraceHeader {
  const saved = sim.save();
  return {
    format: TRACE_FORMAT,
    formatVersion: TRACE_FORMAT_VERSION,
    fltsimVersion: FLTSIM_VERSION,
    scenario: { id: saved.scenario, args: saved.args },
    seed: saved.options.seed,
    options: saved.options,
    choices: [...sim.choices],
    drive: saved.drive,
    facts: saved.facts,
    digest: saved.digest,
  };
}

/** The recording a header describes, for `rebuild`, `fork` and `replayChecked`. */
export function recordingOf(header: TraceHeader): Pick<SimulationSnapshot, 'scenario' | 'args' | 'options' | 'drive'> {
  return { scenario: header.scenario.id, args: header.scenario.args, options: header.options, drive: header.drive };
}
