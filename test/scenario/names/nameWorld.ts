/**
 * A small world for the file-name scenarios (§16): volume C: (optionally with 8.3 names), one
 * filter whose callbacks the test supplies, an application thread, and the two checks every
 * scenario ends with (fold equals live, the names' facts as a compact trace).
 */
import { expect } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SHARE_DELETE,
  foldLog,
  type Blocking,
  type FactType,
  type FLT_REGISTRATION,
  type Simulation,
  type SimulationOptions,
} from '../../../src/index.js';
import { checkNameInvariants, compactTrace, installFilter } from '../../../src/testing/index.js';

export const NAME_FACTS: readonly FactType[] = [
  'FileNameQuery',
  'NameCacheMiss',
  'NameCacheHit',
  'NameCacheInsert',
  'NameCacheInvalidate',
  'FileSystemNameQuery',
  'FileNameInformationCreate',
  'FltReferenceFileNameInformation',
  'FltReleaseFileNameInformation',
  'FltParseFileNameInformation',
  'FltGetTunneledName',
  'GenerateFileName',
  'GenerateFileNameReturned',
  'NormalizeNameComponent',
  'NormalizeNameComponentReturned',
  'NormalizeContextCleanup',
  'RoutineFailed',
  'VerifierViolation',
];

export const SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

export interface NameWorld {
  readonly sim: Simulation;
  /** Run an application thread to the end; returns its result. */
  app<T>(name: string, body: () => Blocking<T>): T;
  /** The name facts as a compact trace. */
  trace(): string[];
  /** The fold of the log equals the live state (the facts carry everything), and the §19.9 name invariants hold. */
  checkFold(): void;
}

export function nameWorld(
  filters: readonly { name: string; altitude: string; registration: FLT_REGISTRATION }[],
  options: { shortNames?: boolean; sim?: SimulationOptions } = {},
): NameWorld {
  const sim = createSimulation({ seed: 1, ...options.sim });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:', ...(options.shortNames === true ? { shortNames: true } : {}) });
  for (const f of filters) installFilter(sim, { name: f.name, altitude: f.altitude, registration: f.registration });
  sim.run();
  return {
    sim,
    app<T>(name: string, body: () => Blocking<T>): T {
      const t = sim.spawn(name, body);
      sim.run();
      if (t.error !== undefined) throw t.error;
      return t.result as T;
    },
    trace: () => compactTrace(sim.log, { types: NAME_FACTS }),
    checkFold: () => {
      expect(JSON.parse(JSON.stringify(foldLog(sim.log)))).toEqual(JSON.parse(JSON.stringify(sim.state())));
      expect(checkNameInvariants(sim.log)).toEqual([]);
    },
  };
}

/** Open a file for read (FILE_OPEN), as an application; returns the handle or the failure status. */
export function* openFile(sim: Simulation, path: string, extra: { CreateDisposition?: number; DesiredAccess?: number } = {}): Blocking<string> {
  const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: extra.DesiredAccess ?? FILE_GENERIC_READ, ShareAccess: SHARE_ALL, CreateDisposition: extra.CreateDisposition ?? FILE_OPEN });
  if (r.handle === null) throw new Error(`open ${path} failed: 0x${r.status.toString(16)}`);
  return r.handle;
}
