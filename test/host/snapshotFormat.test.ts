// Saves across versions (issue 18 item 5, docs/embedding.md "Saves across versions"): a snapshot
// carries its format version and the fltsim version that wrote it; an older format is migrated
// forward by a chain of pure migrations, a newer or unknown format and another major version are a
// SnapshotVersionError naming the versions. The stored fixtures are saves as fltsim wrote them.
//
// If a documented model fix changes the demo scenario's log, saves written before it no longer
// restore (a ReplayDivergenceError naming both versions) and these tests say so: regenerate the
// fixture of the current format (test/host/fixtures/writeSnapshotFixture.ts) and say in the
// change that older saves of the demo no longer restore.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  builtInScenarios,
  FLTSIM_VERSION,
  ReplayDivergenceError,
  restoreSimulation,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotVersionError,
  UsageError,
} from '../../src/index.js';
import { SNAPSHOT_MIGRATIONS, type RawSnapshot } from '../../src/host/snapshotFormat.js';
import { fixtureRun } from './fixtures/writeSnapshotFixture.js';

const fixture = (version: number): RawSnapshot => JSON.parse(readFileSync(new URL(`./fixtures/snapshot-v${version}.json`, import.meta.url), 'utf8')) as RawSnapshot;
const current = fixture(SNAPSHOT_FORMAT_VERSION);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function versionError(snapshot: unknown): SnapshotVersionError {
  try {
    restoreSimulation(snapshot, { scenarios: builtInScenarios });
  } catch (error) {
    if (error instanceof SnapshotVersionError) return error;
    throw error;
  }
  throw new Error('restored without a version error');
}

describe('snapshot format versions', () => {
  it('the stored save of the current format restores to the log it names, and is what save() writes today', () => {
    const restored = restoreSimulation(current, { scenarios: builtInScenarios });
    expect(restored.log.length).toBe(current['facts']);
    expect(restored.save()).toEqual(current);
    expect(fixtureRun().save()).toEqual(current);
    expect(restored.run().reason).toBe('idle');
  });

  it('format 1 (fltsim 0.1.0, no format number) migrates to exactly the current save and restores the same log', () => {
    const v1 = deepFreeze(fixture(1));
    expect(v1).toMatchObject({ version: '0.1.0' });
    expect(v1).not.toHaveProperty('formatVersion');
    let migrated: RawSnapshot = v1;
    for (const migration of SNAPSHOT_MIGRATIONS) migrated = migration(migrated);
    expect(migrated).toEqual(current);
    expect(JSON.stringify(restoreSimulation(v1, { scenarios: builtInScenarios }).log)).toBe(JSON.stringify(restoreSimulation(current, { scenarios: builtInScenarios }).log));
  });

  it('each migration is pure: k in, k+1 out, the input untouched, the same answer twice', () => {
    expect(SNAPSHOT_MIGRATIONS).toHaveLength(SNAPSHOT_FORMAT_VERSION - 1);
    let snapshot: RawSnapshot = deepFreeze(fixture(1));
    SNAPSHOT_MIGRATIONS.forEach((migration, i) => {
      const before = JSON.stringify(snapshot);
      const next = migration(snapshot);
      expect(next['formatVersion']).toBe(i + 2);
      expect(migration(snapshot)).toEqual(next);
      expect(JSON.stringify(snapshot)).toBe(before);
      snapshot = deepFreeze(next);
    });
  });

  it('a save of a later fltsim of the same major version is read; if the model changed its log, the divergence names both versions', () => {
    expect(restoreSimulation({ ...current, writtenBy: '0.9.3' }, { scenarios: builtInScenarios }).log.length).toBe(current['facts']);
    expect(() => restoreSimulation({ ...current, writtenBy: '0.9.3', digest: '00000000' }, { scenarios: builtInScenarios })).toThrow(ReplayDivergenceError);
    expect(() => restoreSimulation({ ...current, writtenBy: '0.9.3', digest: '00000000' }, { scenarios: builtInScenarios })).toThrow(`written by fltsim 0.9.3 and this is fltsim ${FLTSIM_VERSION}`);
  });

  it('a newer format, an unknown format or another major version is a SnapshotVersionError naming the versions', () => {
    const newer = versionError({ ...current, formatVersion: SNAPSHOT_FORMAT_VERSION + 1, writtenBy: '0.7.0' });
    expect(newer).toBeInstanceOf(UsageError);
    expect(newer).toMatchObject({ code: 'SNAPSHOT_VERSION', formatVersion: SNAPSHOT_FORMAT_VERSION + 1, writtenBy: '0.7.0', readerVersion: FLTSIM_VERSION, readerFormats: [1, SNAPSHOT_FORMAT_VERSION] });
    expect(newer.message).toBe(
      `[SNAPSHOT_VERSION] snapshot format ${SNAPSHOT_FORMAT_VERSION + 1} (written by fltsim 0.7.0) is newer than this fltsim reads (this is fltsim ${FLTSIM_VERSION}, reading snapshot formats 1-${SNAPSHOT_FORMAT_VERSION})`,
    );
    const major = versionError({ ...current, writtenBy: '1.0.0' });
    expect(major).toMatchObject({ formatVersion: SNAPSHOT_FORMAT_VERSION, writtenBy: '1.0.0' });
    expect(major.message).toContain('snapshot written by fltsim 1.0.0 (major 1), this fltsim is major 0');
    expect(versionError({ ...fixture(1), version: '2.0.0' })).toMatchObject({ formatVersion: 1, writtenBy: '2.0.0' });
    for (const formatVersion of [0, -1, 1.5, 'two', null]) {
      expect(versionError({ ...current, formatVersion }).message).toContain(`snapshot format version ${typeof formatVersion === 'string' ? `'${formatVersion}'` : String(formatVersion)} is not one fltsim knows`);
    }
    expect(versionError({ ...current, writtenBy: 'banana' }).message).toContain("names no fltsim version it was written by (found 'banana')");
    const { formatVersion: _f, writtenBy: _w, ...neither } = current;
    expect(versionError(neither).message).toContain('neither a formatVersion nor the version of format 1');
  });
});
