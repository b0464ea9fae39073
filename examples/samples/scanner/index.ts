/**
 * `fltsim run examples/samples/scanner`: the scanner filter on C: (INF altitude 265000) and
 * scanUser running elevated in its own process (`scanuser.exe <requests> <threads>`), then two
 * applications:
 *   app 1 opens `\report.doc` for read and write (scanned clean, so its handle is marked for a
 *         rescan), writes "fo" then "ul" (each write scanned clean), tries to write "foul language"
 *         (refused), tries FSCTL_OFFLOAD_WRITE (refused) and closes: the rescan at cleanup finds
 *         the "foul" the two clean writes made;
 *   app 2 opens `\foul.doc` (scanned, found unsafe, the open undone: STATUS_ACCESS_DENIED) and
 *         `\notes.txt` (same words, but .txt is not scanned);
 * and `fltmc unload scanner` after `unloadAt` ticks, which disconnects scanUser's workers.
 * Args: Extensions (the registry's multi-string, comma-separated; absent: "doc"), requests (5),
 * threads (2), unloadAt (40), scanUser (true: false runs without the user-mode scanner).
 */
import {
  ADMINISTRATORS_SID,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FSCTL_OFFLOAD_WRITE,
  sleep,
  type Blocking,
  type NTSTATUS,
  type PEPROCESS,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { dwordArg, flagArg, machine, unloadAfter } from '../common/system.js';
import { SCANNER_INSTANCES, SCANNER_NAME, scanner, type ScannerImage } from './scanner.js';
import { scanUser, type ScanUserProgram } from './scanUser.js';

export const FILES = {
  '\\report.doc': 'a report with nothing to hide',
  '\\foul.doc': 'this document uses foul language',
  '\\notes.txt': 'foul language, but in a file scanner does not scan',
} as const;

export interface ScannerSystem {
  readonly image: ScannerImage;
  readonly user: ScanUserProgram | null;
  /** scanuser.exe, the process scanUser runs in (null without it). */
  readonly process: PEPROCESS | null;
  /** What each application call returned, by application. */
  readonly statuses: Record<string, NTSTATUS[]>;
}

const OPEN = { ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT } as const;

/** The registry's Extensions value from `--arg Extensions=doc,txt`; absent → null (not in the registry). */
function extensionsArg(args: ScenarioArgs): string[] | null {
  const v = args['Extensions'];
  return v === undefined || v === null ? null : String(v).split(',');
}

/** `alongside` starts more threads with the applications (a test's own), once DriverEntry has settled. */
export function scannerSystem(sim: Simulation, args: ScenarioArgs, alongside?: (system: ScannerSystem) => void): ScannerSystem {
  const requests = dwordArg(args, 'requests', 5, 1);
  const threads = dwordArg(args, 'threads', 2, 1);
  const unloadAt = dwordArg(args, 'unloadAt', 40, 0);
  const withUser = flagArg(args, 'scanUser', true);
  machine(sim, FILES);
  const image = scanner(sim, extensionsArg(args));
  const entry = sim.loadDriver({ name: SCANNER_NAME, instances: SCANNER_INSTANCES }, image.DriverEntry);
  const statuses: Record<string, NTSTATUS[]> = { 'app 1': [], 'app 2': [] };
  // The port's security descriptor admits administrators and SYSTEM only: scanUser runs elevated.
  const process = withUser ? sim.createProcess('scanuser.exe', { token: ADMINISTRATORS_SID }) : null;
  const user = process === null ? null : scanUser(sim, process);
  sim.whenSettled(() => {
    // The service starts with the applications and the unload, not before them: the three race.
    if (process !== null) sim.spawn('scanuser main', () => user!.main(['scanuser', String(requests), String(threads)]), { process });
    sim.spawn('app 1', function* (): Blocking<string> {
      const log = statuses['app 1']!;
      yield* sleep(1);
      const r = yield* sim.io.NtCreateFile('C:\\report.doc', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ...OPEN });
      log.push(r.status);
      if (r.handle === null) return 'open failed';
      // Two writes, each clean on its own; together they spell the word.
      log.push((yield* sim.io.NtWriteFile(r.handle, 'fo', 0)).status);
      log.push((yield* sim.io.NtWriteFile(r.handle, 'ul', 2)).status);
      log.push((yield* sim.io.NtWriteFile(r.handle, 'foul language', 4)).status);
      log.push((yield* sim.io.NtFsControlFile(r.handle, FSCTL_OFFLOAD_WRITE, null, 0, 0)).status);
      log.push(yield* sim.io.NtClose(r.handle));
      return 'done';
    });
    sim.spawn('app 2', function* (): Blocking<string> {
      const log = statuses['app 2']!;
      yield* sleep(1);
      for (const path of ['C:\\foul.doc', 'C:\\notes.txt']) {
        const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ, ...OPEN });
        log.push(r.status);
        if (r.handle !== null) log.push(yield* sim.io.NtClose(r.handle));
      }
      return 'done';
    });
    unloadAfter(sim, entry, SCANNER_NAME, unloadAt);
    alongside?.(system);
  });
  const system: ScannerSystem = { image, user, process, statuses };
  return system;
}

export const scenario: Scenario = {
  id: 'sample-scanner',
  description: 'WDK scanner with scanUser: opens scanned in post-create, a write scanned, a rescan at cleanup, an unsafe open undone, the unload disconnecting the scanner; args: Extensions (doc), requests (5), threads (2), unloadAt (40), scanUser (true)',
  options: { onViolation: 'record' },
  build(sim, args) {
    scannerSystem(sim, args);
  },
};

export default scenario;
