// What the oplock scenario files share (§21.8): one volume with C:\f.txt, an open of it, an
// OVERLAPPED for a request that pends, the facts their traces keep, and the checks every run ends with.
import { expect } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  foldLog,
  STATUS_PENDING,
  type Blocking,
  type OVERLAPPED,
  type Simulation,
} from '../../../src/index.js';
import { checkFsInvariants } from '../../../src/checkers/fsInvariants.js';

export const OPLOCK_FACTS = ['OplockGranted', 'OplockBreak', 'OplockBreakWait', 'OplockAcknowledged', 'OplockReleased', 'OplockWaitEnded'] as const;

/** A mounted C: holding \f.txt, settled. */
export function system(): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  sim.run();
  return sim;
}

export interface OpenOptions {
  /** Default true (FILE_SYNCHRONOUS_IO_NONALERT); an oplock is granted only on an asynchronous handle. */
  readonly synchronous?: boolean;
  readonly createOptions?: number;
  /** Default FILE_SHARE_READ | FILE_SHARE_WRITE. */
  readonly share?: number;
  /** Default FILE_GENERIC_READ | FILE_GENERIC_WRITE. */
  readonly access?: number;
}

/** NtCreateFile(FILE_OPEN) of C:\f.txt: the handle, and the IO_STATUS_BLOCK's status and information. */
export function* open(sim: Simulation, options: OpenOptions = {}): Blocking<{ handle: string | null; status: number; information: number }> {
  const r = yield* sim.io.NtCreateFile('C:\\f.txt', {
    DesiredAccess: options.access ?? FILE_GENERIC_READ | FILE_GENERIC_WRITE,
    ShareAccess: options.share ?? FILE_SHARE_READ | FILE_SHARE_WRITE,
    CreateDisposition: FILE_OPEN,
    CreateOptions: (options.synchronous === false ? 0 : FILE_SYNCHRONOUS_IO_NONALERT) | (options.createOptions ?? 0),
  });
  return { handle: r.handle, status: r.status, information: r.information };
}

export function overlapped(): OVERLAPPED {
  return { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0 };
}

/** Every run ends with the fold equal to the live state and the §24.9 file-system invariants holding. */
export function finish(sim: Simulation): void {
  expect(foldLog(sim.log)).toEqual(sim.state());
  expect(checkFsInvariants(sim.log)).toEqual([]);
}
