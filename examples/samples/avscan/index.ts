/**
 * The avscan sample as a scenario: `fltsim run examples/samples/avscan` (or `explore`).
 *
 * C: holds \clean.txt and \infected.txt (which contains the pattern the scanner looks for); the
 * filter (altitude 265010, as its INF) scans a file at open and again at cleanup once it was
 * written, in user mode: the scanner process (avscan.exe) runs the sample's user-mode threads —
 * `workers` scanning workers and the abort listener — over the scan and abort ports.
 *
 * - `app`: opens clean.txt for read and write (scanned, clean: the open succeeds), writes to it (the
 *   stream becomes Modified) and closes it (pre-cleanup scans it again);
 * - `app2` (a second application thread): opens infected.txt, which the scan finds infected: the
 *   open fails with STATUS_VIRUS_INFECTED;
 * - `fltmc unload avscan` (args.unload): unloads the filter `unloadAt` ticks in, racing the scans.
 *
 * Args: `LocalScanTimeout` (ms, the registry value; default 100), `scanDelay` (ticks the scanner
 * sleeps per chunk it searches; default 0), `scanChunk` (bytes a scanner searches between two polls of
 * its abort flag, each poll a scheduling point; default 8: 512 points per 4 KB view, which a bounded
 * exhaustive search pays for in runs — give it 1024 or more there), `workers` (scanner threads; default 2), `unload`
 * (default true), `unloadAt` (default 3), `fixCancelRace` (default false: the scanner as shipped;
 * true re-checks Finalized after arming a get, closing the lost wake-up exploration found),
 * `conflictAt` (unset: no `app3`; a tick: `app3` opens clean.txt then and writes it non-cached, I/O
 * that conflicts with a data-scan section, check 7).
 *
 * `cache` (unset: the workload above) replaces the applications with the file-state cache's workload:
 * `app` opens clean.txt and closes it (scanned: clean; pre-cleanup puts NotInfected in the cache),
 * opens it again (a new stream context, loaded from the cache: no scan), writes `cache` (`infected`:
 * the pattern; `clean`: harmless text) and closes it (pre-cleanup scans the modified file and syncs
 * the result into the cache); then `reader` opens it (a new stream context again, served from the
 * cache: an infected file is denied with no scan).
 *
 * `prefetch` (default false) replaces the applications with a prefetcher's open: `prefetcher`, a
 * minifilter above avscan (altitude 385000) standing in for the kernel's prefetcher, opens clean.txt
 * with FltCreateFileEx2 and a GUID_ECP_PREFETCH_OPEN ECP (kernel mode), writes through it and closes
 * it (none of which avscan scans or counts as a modification); then `app` opens clean.txt (scanned:
 * the prefetch open left no state behind).
 *
 * `cache: 'handoff'` is the cache's race: `app` opens clean.txt for write (scanned: clean), writes the
 * pattern and keeps its handle `closeAfter` ticks (default 3); `app2` opens it `openAt` ticks in
 * (default 2; the stream is Modified: scanned, infected, denied); `reader` opens it a tick after
 * both are done. When app's close lands while app2's scan runs, its pre-cleanup puts AvFileScanning
 * into the cache, and the reader's new stream context loads it: the infected file opens unscanned.
 * `fixCacheSync` (default false: as shipped) syncs only a clean or infected state.
 *
 * `fsType` (`NTFS`, the default; `ReFS`: file ids are FileIdInformation's 128 bits; `FAT`: no cache,
 * as FS_SUPPORTS_FILE_STATE_CACHE says) is the file system of C:.
 *
 * `transaction` (`commit` or `rollback`; unset: the workload above) replaces the applications with a
 * transacted writer (check 5, §22.4): `holder` opens clean.txt for read (scanned: clean) and keeps
 * it open, so the stream and its context live on; `txapp` creates a transaction, opens clean.txt in
 * it for write (the filter enlists; the transacted view is scanned), writes (the view is modified),
 * closes (no cleanup scan inside a transaction), commits or rolls back, closes the transaction, then
 * opens clean.txt again outside any transaction (`reopen`): after a commit the file is scanned again,
 * after a rollback its clean state stands. `holder` closes after `holdFor` ticks (default 200);
 * `commitAfter` (default 0) ticks pass between the close and the outcome, a window for the unload.
 */
import {
  ADMINISTRATORS_SID,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FltAllocateExtraCreateParameter,
  FltAllocateExtraCreateParameterList,
  FltClose,
  FltCreateFileEx2,
  FltFreeExtraCreateParameterList,
  FltInsertExtraCreateParameter,
  FltRegisterFilter,
  FltStartFiltering,
  FltWriteFile,
  GUID_ECP_PREFETCH_OPEN,
  ObDereferenceObject,
  STATUS_SUCCESS,
  IRP_NOCACHE,
  SetEvent,
  sleep,
  type Blocking,
  type NTSTATUS,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
  type ThreadHandle,
} from '../../../src/index.js';
import { createAvScan, type AvScanImage } from './avscan.js';
import { newUserScanContext, USER_SCAN_CHUNK, userScan, type USER_SCAN_CONTEXT } from './user/userscan.js';

export interface AvScanRun {
  readonly image: AvScanImage;
  readonly scanner: USER_SCAN_CONTEXT;
  /** Filled in as the threads finish. */
  readonly results: { app?: NTSTATUS; write?: NTSTATUS; app2?: NTSTATUS; conflictWrite?: NTSTATUS; unload?: NTSTATUS; scanner?: number; holder?: NTSTATUS; txOpen?: NTSTATUS; txWrite?: NTSTATUS; outcome?: NTSTATUS; reopen?: NTSTATUS; reader?: NTSTATUS; prefetch?: NTSTATUS };
}

function flag(args: ScenarioArgs, name: string, fallback: boolean): boolean {
  const v = args[name];
  return v === undefined || v === null ? fallback : v === true || v === 'true' || v === 1 || v === '1';
}

function count(args: ScenarioArgs, name: string, fallback: number): number {
  const v = Number(args[name] ?? fallback);
  return Number.isInteger(v) && v >= 0 ? v : fallback;
}

function* open(sim: Simulation, path: string, write: boolean, Transaction?: string): Blocking<{ status: NTSTATUS; handle: string | null }> {
  const r = yield* sim.io.NtCreateFile(path, {
    DesiredAccess: write ? FILE_GENERIC_READ | FILE_GENERIC_WRITE : FILE_GENERIC_READ,
    ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
    CreateDisposition: FILE_OPEN,
    CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
    ...(Transaction === undefined ? {} : { Transaction }),
  });
  return { status: r.status, handle: r.handle };
}

/** The transacted writer's workload (args.transaction); returns the threads the operator waits for. */
function spawnTransactedWriter(sim: Simulation, args: ScenarioArgs, results: AvScanRun['results'], outcome: 'commit' | 'rollback'): ThreadHandle[] {
  const holder = sim.spawn('holder', function* () {
    yield* sleep(1);
    const f = yield* open(sim, 'C:\\clean.txt', false);
    results.holder = f.status;
    if (f.handle === null) return;
    yield* sleep(count(args, 'holdFor', 200));
    yield* sim.io.NtClose(f.handle);
  });
  const txapp = sim.spawn('txapp', function* () {
    yield* sleep(2);
    const tx = yield* sim.io.NtCreateTransaction();
    const f = yield* open(sim, 'C:\\clean.txt', true, tx.handle);
    results.txOpen = f.status;
    if (f.handle !== null) {
      results.txWrite = (yield* sim.io.NtWriteFile(f.handle, ' (edited in a transaction)', 0)).status;
      yield* sim.io.NtClose(f.handle);
    }
    yield* sleep(count(args, 'commitAfter', 0));
    results.outcome = outcome === 'commit' ? yield* sim.io.NtCommitTransaction(tx.handle) : yield* sim.io.NtRollbackTransaction(tx.handle);
    yield* sim.io.NtClose(tx.handle);
    const again = yield* open(sim, 'C:\\clean.txt', false);
    results.reopen = again.status;
    if (again.handle !== null) yield* sim.io.NtClose(again.handle);
  });
  return [holder, txapp];
}

/** The file-state cache's workload (args.cache); returns the threads the operator waits for. */
function spawnCacheWorkload(sim: Simulation, results: AvScanRun['results'], content: 'infected' | 'clean'): ThreadHandle[] {
  const app = sim.spawn('app', function* () {
    yield* sleep(1);
    const first = yield* open(sim, 'C:\\clean.txt', false);
    results.app = first.status;
    if (first.handle !== null) yield* sim.io.NtClose(first.handle);
    const again = yield* open(sim, 'C:\\clean.txt', true);
    results.reopen = again.status;
    if (again.handle === null) return;
    results.write = (yield* sim.io.NtWriteFile(again.handle, content === 'infected' ? 'a message to be found, written' : 'nothing to see, still', 0)).status;
    yield* sim.io.NtClose(again.handle);
  });
  const reader = sim.spawn('reader', function* () {
    yield* sim.join(app);
    const f = yield* open(sim, 'C:\\clean.txt', false);
    results.reader = f.status;
    if (f.handle !== null) yield* sim.io.NtClose(f.handle);
  });
  return [app, reader];
}

/**
 * The prefetcher's workload (args.prefetch): a minifilter above avscan stands in for the kernel's
 * prefetcher, whose opens carry GUID_ECP_PREFETCH_OPEN; `app` opens the file afterwards.
 */
function spawnPrefetchWorkload(sim: Simulation, results: AvScanRun['results'], prefetcher: { Filter: PFLT_FILTER | null; Instance: PFLT_INSTANCE | null }): ThreadHandle[] {
  const thread = sim.spawn('prefetcher', function* () {
    yield* sleep(1);
    const Filter = prefetcher.Filter!;
    const list = FltAllocateExtraCreateParameterList(Filter).EcpList;
    FltInsertExtraCreateParameter(Filter, list, FltAllocateExtraCreateParameter(Filter, GUID_ECP_PREFETCH_OPEN, 8).EcpContext!);
    const open = yield* FltCreateFileEx2(Filter, prefetcher.Instance, FILE_GENERIC_READ | FILE_GENERIC_WRITE, { ObjectName: 'C:\\clean.txt' }, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, null, 0, 0, { ExtraCreateParameter: list });
    results.prefetch = open.status;
    if (open.FileObject !== null) {
      results.write = (yield* FltWriteFile(prefetcher.Instance!, open.FileObject, 0, 5, new TextEncoder().encode('fetch'))).status;
      yield* FltClose(open.FileHandle!);
      yield* ObDereferenceObject(open.FileObject);
    }
    FltFreeExtraCreateParameterList(Filter, list);
  });
  const app = sim.spawn('app', function* () {
    yield* sim.join(thread);
    const f = yield* open(sim, 'C:\\clean.txt', false);
    results.app = f.status;
    if (f.handle !== null) yield* sim.io.NtClose(f.handle);
  });
  return [thread, app];
}

/**
 * The cache's hand-off workload (args.cache = 'handoff'): `app` opens clean.txt for write (scanned:
 * clean), writes the pattern and keeps the handle `closeAfter` ticks; `app2` opens it `openAt` ticks
 * in (the stream is Modified: scanned, infected, denied); `reader` opens it once both are done.
 */
function spawnHandoffWorkload(sim: Simulation, args: ScenarioArgs, results: AvScanRun['results']): ThreadHandle[] {
  const app = sim.spawn('app', function* () {
    yield* sleep(1);
    const f = yield* open(sim, 'C:\\clean.txt', true);
    results.app = f.status;
    if (f.handle === null) return;
    results.write = (yield* sim.io.NtWriteFile(f.handle, 'a message to be found, written', 0)).status;
    yield* sleep(count(args, 'closeAfter', 3));
    yield* sim.io.NtClose(f.handle);
  });
  const app2 = sim.spawn('app2', function* () {
    yield* sleep(count(args, 'openAt', 2));
    const f = yield* open(sim, 'C:\\clean.txt', false);
    results.app2 = f.status;
    if (f.handle !== null) yield* sim.io.NtClose(f.handle);
  });
  const reader = sim.spawn('reader', function* () {
    yield* sim.join(app);
    yield* sim.join(app2);
    // A later open, once every file object of the first two is gone (so is the stream context).
    yield* sleep(1);
    const f = yield* open(sim, 'C:\\clean.txt', false);
    results.reader = f.status;
    if (f.handle !== null) yield* sim.io.NtClose(f.handle);
  });
  return [app, app2, reader];
}

/** Build the system and queue the workload; returns what the run fills in. */
export function buildAvScan(sim: Simulation, args: ScenarioArgs = {}): AvScanRun {
  const image = createAvScan({ LocalScanTimeout: count(args, 'LocalScanTimeout', 100), fixCacheSync: flag(args, 'fixCacheSync', false) });
  const scanner = newUserScanContext();
  const results: AvScanRun['results'] = {};
  const fsType = args['fsType'] === 'FAT' || args['fsType'] === 'ReFS' ? args['fsType'] : 'NTFS';
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:', fsType });
  sim.fileSystem('C:').writeFile('\\clean.txt', 'nothing to see in this file');
  sim.fileSystem('C:').writeFile('\\infected.txt', 'a message to be found here');
  const prefetcher: { Filter: PFLT_FILTER | null; Instance: PFLT_INSTANCE | null } = { Filter: null, Instance: null };
  if (flag(args, 'prefetch', false)) {
    sim.loadDriver({ name: 'prefetcher', instances: { DefaultInstance: 'prefetcher Instance', Instances: { 'prefetcher Instance': { Altitude: '385000', Flags: 0 } } } }, function* (DriverObject) {
      const registered = FltRegisterFilter(DriverObject, { Flags: 0, InstanceSetupCallback: (FltObjects) => ((prefetcher.Instance = FltObjects.Instance), STATUS_SUCCESS) });
      if (registered.filter === null) return registered.status;
      prefetcher.Filter = registered.filter;
      return yield* FltStartFiltering(registered.filter);
    });
  }
  sim.loadDriver({ name: 'avscan', instances: { DefaultInstance: 'avscan Instance', Instances: { 'avscan Instance': { Altitude: '265010', Flags: 0 } } } }, image.DriverEntry);
  sim.whenSettled(() => {
    // The default security descriptor admits administrators and SYSTEM: the scanner runs elevated, as the sample's README asks.
    const process = sim.createProcess('avscan.exe', { token: ADMINISTRATORS_SID });
    const user = userScan(sim, process, { threads: count(args, 'workers', 2), scanDelay: count(args, 'scanDelay', 0), scanChunk: count(args, 'scanChunk', USER_SCAN_CHUNK) || USER_SCAN_CHUNK, fixCancelRace: flag(args, 'fixCancelRace', false) });
    sim.spawn('avscan.exe main', function* () {
      results.scanner = yield* user.main(scanner);
    }, { process });
    const transaction = args['transaction'];
    const apps: ThreadHandle[] = [];
    const cache = args['cache'];
    if (flag(args, 'prefetch', false)) {
      apps.push(...spawnPrefetchWorkload(sim, results, prefetcher));
    } else if (cache === 'handoff') {
      apps.push(...spawnHandoffWorkload(sim, args, results));
    } else if (cache === 'infected' || cache === 'clean') {
      apps.push(...spawnCacheWorkload(sim, results, cache));
    } else if (transaction === 'commit' || transaction === 'rollback') {
      apps.push(...spawnTransactedWriter(sim, args, results, transaction));
    } else {
      const app = sim.spawn('app', function* () {
        yield* sleep(1);
        const f = yield* open(sim, 'C:\\clean.txt', true);
        results.app = f.status;
        if (f.handle === null) return;
        results.write = (yield* sim.io.NtWriteFile(f.handle, ' (edited)', 0)).status;
        yield* sim.io.NtClose(f.handle);
      });
      const app2 = sim.spawn('app2', function* () {
        yield* sleep(1);
        const f = yield* open(sim, 'C:\\infected.txt', false);
        results.app2 = f.status;
        if (f.handle !== null) yield* sim.io.NtClose(f.handle);
      });
      apps.push(app, app2);
    }
    const conflictAt = args['conflictAt'];
    if (conflictAt !== undefined && conflictAt !== null) {
      // Check 7: a non-cached write by another handle while clean.txt is being scanned at cleanup.
      sim.spawn('app3', function* () {
        yield* sleep(count(args, 'conflictAt', 0));
        const f = yield* open(sim, 'C:\\clean.txt', true);
        if (f.handle === null) return;
        results.conflictWrite = (yield* sim.io.NtWriteFile(f.handle, new Uint8Array(512).fill(0x61), 0, IRP_NOCACHE)).status;
        yield* sim.io.NtClose(f.handle);
      });
    }
    if (flag(args, 'unload', true)) {
      sim.spawn('fltmc unload avscan', function* () {
        yield* sleep(count(args, 'unloadAt', 3));
        results.unload = yield* sim.FilterUnload('avscan');
      });
    } else {
      // Without an unload, the operator quits the scanner once the applications are done.
      sim.spawn('operator', function* () {
        for (const t of apps) yield* sim.join(t);
        if (scanner.Quit !== null) SetEvent(scanner.Quit);
      });
    }
  });
  return { image, scanner, results };
}

export const scenario: Scenario = {
  id: 'sample-avscan',
  description: 'the WDK avscan sample: scans at open and at cleanup of a modified file in a user-mode scanner over the scan and abort ports, data-scan sections, and unload racing them; args: LocalScanTimeout (ms), scanDelay (ticks per chunk), scanChunk (bytes per abort poll), workers, unload, unloadAt, fixCancelRace, conflictAt, transaction (commit | rollback), holdFor, commitAfter, cache (infected | clean | handoff), openAt, closeAfter, fixCacheSync, prefetch, fsType (NTFS | ReFS | FAT)',
  options: { onViolation: 'record' },
  build(sim, args) {
    buildAvScan(sim, args);
  },
};

export default scenario;
