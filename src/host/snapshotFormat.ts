/**
 * The versions of the snapshot format, and the chain of migrations that brings an older save up to
 * the format this fltsim writes (docs/embedding.md, "Saves across versions").
 *
 * Two numbers, two questions:
 * - `formatVersion` says how the JSON is laid out. Every change of layout bumps it and appends one
 *   migration k → k+1 below: a pure function of the JSON, no fltsim state, so a save written by
 *   any earlier format of this major version is read by walking the chain.
 * - `writtenBy` is the fltsim version that wrote it. A save is read only by the same major version:
 *   another major may model Windows differently enough that the drive record means something else.
 *   Within a major, a restore re-executes the drive under this fltsim's model and checks the log
 *   digest, so a documented fix that changed the log is a ReplayDivergenceError naming both
 *   versions, never a silently different run.
 *
 * Format 1 is the layout fltsim 0.1.0 wrote before the format had a number: `version` held the
 * writer's fltsim version and a restore demanded exactly that version.
 */
import { UsageError } from '../kernel/errors.js';

/** The format this fltsim writes; formats 1 … SNAPSHOT_FORMAT_VERSION are read. */
export const SNAPSHOT_FORMAT_VERSION = 2;

/** A snapshot as parsed JSON, before its shape is checked. */
export type RawSnapshot = { readonly [key: string]: unknown };

/** One step of the chain: a snapshot of format k becomes the same snapshot in format k+1. */
export type SnapshotMigration = (snapshot: RawSnapshot) => RawSnapshot;

/**
 * SNAPSHOT_MIGRATIONS[k - 1] migrates format k to k+1. Append only: a migration, once released,
 * never changes (saves of its format exist), and its fixture stays under test/host/fixtures.
 */
export const SNAPSHOT_MIGRATIONS: readonly SnapshotMigration[] = Object.freeze([
  /** 1 → 2: the format gets its own number, and the writer's version its own name. */
  function formatVersionAndWriter(snapshot: RawSnapshot): RawSnapshot {
    const { format, version, ...rest } = snapshot;
    return { format, formatVersion: 2, writtenBy: version, ...rest };
  },
]);

/** A save this fltsim cannot read: a newer or unknown format, or another major version of fltsim. */
export class SnapshotVersionError extends UsageError {
  /** The save's format version as found (a number, or whatever the field held). */
  readonly formatVersion: unknown;
  /** The fltsim version that wrote the save, when it names one. */
  readonly writtenBy: string | null;
  /** This fltsim, and the format versions it reads. */
  readonly readerVersion: string;
  readonly readerFormats: readonly [number, number];
  constructor(message: string, formatVersion: unknown, writtenBy: string | null, readerVersion: string) {
    super('SNAPSHOT_VERSION', `${message} (this is fltsim ${readerVersion}, reading snapshot formats 1-${SNAPSHOT_FORMAT_VERSION})`);
    this.formatVersion = formatVersion;
    this.writtenBy = writtenBy;
    this.readerVersion = readerVersion;
    this.readerFormats = [1, SNAPSHOT_FORMAT_VERSION];
  }
}

/**
 * Bring `snapshot` (format checked by the caller) to SNAPSHOT_FORMAT_VERSION, refusing a newer or
 * unknown format and a save of another major version with a SnapshotVersionError.
 */
export function migrateSnapshot(snapshot: RawSnapshot, readerVersion: string): RawSnapshot {
  const from = formatVersionOf(snapshot, readerVersion);
  let current = snapshot;
  for (let k = from; k < SNAPSHOT_FORMAT_VERSION; k++) current = SNAPSHOT_MIGRATIONS[k - 1]!(current);
  const writtenBy = current['writtenBy'];
  const writerMajor = typeof writtenBy === 'string' ? majorOf(writtenBy) : null;
  if (typeof writtenBy !== 'string' || writerMajor === null) {
    throw new SnapshotVersionError(`snapshot format ${from} names no fltsim version it was written by (found ${shown(writtenBy)})`, from, null, readerVersion);
  }
  const readerMajor = majorOf(readerVersion);
  if (writerMajor !== readerMajor) {
    throw new SnapshotVersionError(
      `snapshot written by fltsim ${writtenBy} (major ${writerMajor}), this fltsim is major ${String(readerMajor)}: a save is read only by the major version that wrote it`,
      from,
      writtenBy,
      readerVersion,
    );
  }
  return current;
}

/** Format 1 has no number; it is known by its `version` string. */
function formatVersionOf(snapshot: RawSnapshot, readerVersion: string): number {
  const writer = snapshot['writtenBy'] ?? snapshot['version'];
  const writtenBy = typeof writer === 'string' ? writer : null;
  if (!('formatVersion' in snapshot)) {
    if (typeof snapshot['version'] === 'string') return 1;
    throw new SnapshotVersionError('snapshot has neither a formatVersion nor the version of format 1', undefined, writtenBy, readerVersion);
  }
  const v = snapshot['formatVersion'];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new SnapshotVersionError(`snapshot format version ${shown(v)} is not one fltsim knows`, v, writtenBy, readerVersion);
  }
  if (v > SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotVersionError(`snapshot format ${v} (written by fltsim ${writtenBy ?? '?'}) is newer than this fltsim reads`, v, writtenBy, readerVersion);
  }
  return v;
}

/** The major version of a semver string, or null if it is not one. */
function majorOf(version: string): number | null {
  const m = /^(\d{1,9})\.\d{1,9}\.\d{1,9}(?:[-+][0-9A-Za-z.+-]*)?$/.exec(version);
  return m === null ? null : Number(m[1]);
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value.slice(0, 40)}'` : String(value);
}
