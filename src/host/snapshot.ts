/**
 * A saved simulation as plain JSON. Nothing live is serialised: a snapshot names the scenario that
 * built the system, the resolved options (seed included) and the drive record (what the strategy
 * and the host did, step by step). Restoring re-executes exactly that, which the determinism of
 * the kernel makes exact; the fact count and a digest of the log check it.
 *
 * The layout has a version of its own (`formatVersion`, src/host/snapshotFormat.ts): a save written
 * by an earlier format of the same major fltsim version is migrated forward before it is checked.
 * Time travel (issue 5) restores the same way (seed + options + scenario + recorded choices); the
 * two are meant to merge into one format.
 */
import { badArgument, kindOf } from '../kernel/arguments.js';
import { factsArgument } from '../kernel/dataArguments.js';
import { UsageError } from '../kernel/errors.js';
import type { Fact } from '../kernel/facts.js';
import { jsonValueProblem, type ScenarioArgs } from '../kernel/jsonValue.js';
import type { Simulation } from '../simulation.js';
import { migrateSnapshot, SNAPSHOT_FORMAT_VERSION, type RawSnapshot } from './snapshotFormat.js';
import type { DriveEntry } from './types.js';

export const SNAPSHOT_FORMAT = 'fltsim.snapshot';

/**
 * Every option a simulation was created with, resolved (`sim.options`); the strategy by its
 * built-in name, or `'replay'` for a run under a custom strategy, which the snapshot's `choices` replay.
 */
export type SnapshotOptions = Omit<Simulation['options'], 'strategy'> & { readonly strategy: 'in-order' | 'random' | 'replay' };

export interface SimulationSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  /** The layout's version; an older one is migrated forward on restore (src/host/snapshotFormat.ts). */
  readonly formatVersion: typeof SNAPSHOT_FORMAT_VERSION;
  /** The fltsim version that wrote it: only the same major version reads it. */
  readonly writtenBy: string;
  /** The id of the registered scenario that built the system. */
  readonly scenario: string;
  /** The scenario's arguments. */
  readonly args: ScenarioArgs;
  readonly options: SnapshotOptions;
  /** With strategy 'replay' only: the thread chosen at each real choice (then in order). */
  readonly choices?: readonly string[];
  readonly drive: readonly DriveEntry[];
  /** Facts in the log when saved, and an FNV-1a digest of their JSON: a restore must rebuild both. */
  readonly facts: number;
  readonly digest: string;
}

/** FNV-1a (32 bits) over the JSON of each fact: cheap, and the same in Node and in a browser. */
export function logDigest(facts: readonly Fact[]): string {
  factsArgument('logDigest', 'facts', facts);
  let hash = 0x811c9dc5;
  for (const fact of facts) {
    const text = JSON.stringify(fact);
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    hash ^= 0x0a;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Check that `value` is a snapshot this fltsim can restore, migrated to the current format: a
 * format this fltsim reads, written by the same major version (else a SnapshotVersionError,
 * `SNAPSHOT_VERSION`), and the right shape (else `BAD_SNAPSHOT`). `value` itself is not changed.
 */
export function checkSnapshot(value: unknown, version: string): SimulationSnapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as { format?: unknown }).format !== SNAPSHOT_FORMAT) {
    throw new UsageError('BAD_SNAPSHOT', `not an fltsim snapshot (expected format '${SNAPSHOT_FORMAT}')`);
  }
  const migrated = migrateSnapshot(value as RawSnapshot, version);
  const s = migrated as Partial<Record<keyof SimulationSnapshot, unknown>>;
  if (!isRecording(migrated) || typeof s.facts !== 'number' || typeof s.digest !== 'string') {
    throw new UsageError('BAD_SNAPSHOT', 'snapshot is missing scenario, options, drive, facts or digest, or one of them is malformed');
  }
  return migrated as unknown as SimulationSnapshot;
}

type RecordingFields = Pick<SimulationSnapshot, 'scenario' | 'args' | 'options' | 'drive' | 'choices'>;

/** The parts of a snapshot (or a trace header's recordingOf) that re-execute a run, well formed. */
function isRecording(value: unknown): value is RecordingFields {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Record<keyof RecordingFields, unknown>>;
  const okDrive = Array.isArray(s.drive) && s.drive.every(isDriveEntry);
  const o = s.options as { seed?: unknown; strategy?: unknown } | null;
  const okOptions = typeof o === 'object' && o !== null && Number.isSafeInteger(o.seed) && (o.strategy === 'in-order' || o.strategy === 'random' || o.strategy === 'replay');
  const okChoices = o?.strategy === 'replay' ? Array.isArray(s.choices) && s.choices.every((c) => typeof c === 'string') : s.choices === undefined;
  return typeof s.scenario === 'string' && typeof s.args === 'object' && s.args !== null && okOptions && okChoices && okDrive;
}

/** A Recording argument (rebuild, fork, replayChecked): a UsageError BAD_ARGUMENT naming the routine when malformed. */
export function recordingArgument(routine: string, value: unknown): RecordingFields {
  if (isRecording(value)) return value;
  throw badArgument(routine, `recording is ${kindOf(value)}, not a Recording ({ scenario, args, options: { seed, strategy }, drive, choices? }: sim.save(), recordingOf)`);
}

function isDriveEntry(entry: unknown): entry is DriveEntry {
  if (typeof entry === 'number') return Number.isSafeInteger(entry) && entry > 0;
  if (typeof entry === 'string') return true;
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as { advanceTo?: unknown; act?: unknown; args?: unknown };
  if (typeof e.act === 'string') return 'args' in e && jsonValueProblem(e.args) === null;
  return Number.isSafeInteger(e.advanceTo);
}
