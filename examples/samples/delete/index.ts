/**
 * `fltsim run examples/samples/delete`: the delete sample attached to C: by its INF, and the ways a
 * file or a stream goes away, one application thread each, on files of their own:
 * - `stream deleter`: writes the named stream `\doc.txt:ads`, then deletes that stream by disposition;
 * - `delete on close`: creates `\tmp.txt` with FILE_DELETE_ON_CLOSE and closes it;
 * - `changes its mind`: sets the disposition of `\keep.txt`, clears it again, closes;
 * - `link remover`: gives `\a.txt` a second name `\b.txt`, deletes `\a.txt`, then `\b.txt`;
 * - `transacted deleter`: deletes `\tx.txt` in a transaction, then commits or rolls back (`outcome`);
 * and `fltmc unload delete` after `unloadAt` ticks (default 40).
 * Args: TraceFlags (gTraceFlags, default DFDBG_TRACE_ERRORS = 1), outcome (commit | rollback), unloadAt.
 */
import {
  DELETE,
  FILE_CREATE,
  FILE_DELETE_ON_CLOSE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  UsageError,
  type Blocking,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { dwordArg, machine, unloadAfter } from '../common/system.js';
import { DELETE_INSTANCES, DELETE_NAME, deleteSample, type DeleteImage } from './delete.js';

const SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

/** Open `path` for `DesiredAccess` (shared with everyone), `CreateOptions` added to synchronous I/O. */
export function* open(sim: Simulation, path: string, DesiredAccess: number, CreateDisposition = FILE_OPEN, CreateOptions = 0, Transaction?: string): Blocking<string | null> {
  const r = yield* sim.io.NtCreateFile(path, {
    DesiredAccess,
    ShareAccess: SHARE_ALL,
    CreateDisposition,
    CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT | CreateOptions,
    ...(Transaction === undefined ? {} : { Transaction }),
  });
  return r.handle;
}

/** Open `path` with DELETE, set its delete disposition, close it. */
export function* deleteByDisposition(sim: Simulation, path: string, Transaction?: string): Blocking<void> {
  const h = yield* open(sim, path, DELETE | FILE_GENERIC_READ, FILE_OPEN, 0, Transaction);
  if (h === null) return;
  yield* sim.io.NtSetInformationFile(h, FILE_INFORMATION_CLASS.FileDispositionInformation, { DeleteFile: true });
  yield* sim.io.NtClose(h);
}

export function deleteSystem(sim: Simulation, args: ScenarioArgs): DeleteImage {
  const unloadAt = dwordArg(args, 'unloadAt', 40, 0);
  const outcome = args['outcome'] ?? 'commit';
  if (outcome !== 'commit' && outcome !== 'rollback') throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument outcome must be commit or rollback, got ${JSON.stringify(outcome)}`);
  machine(sim, { '\\doc.txt': 'document', '\\keep.txt': 'kept', '\\a.txt': 'linked', '\\tx.txt': 'transacted' });
  const image = deleteSample(dwordArg(args, 'TraceFlags', 0x1, 0));
  const entry = sim.loadDriver({ name: DELETE_NAME, instances: DELETE_INSTANCES }, image.DriverEntry);
  sim.whenSettled(() => {
    sim.spawn('stream deleter', function* () {
      const w = yield* open(sim, 'C:\\doc.txt:ads', FILE_GENERIC_WRITE, FILE_OPEN_IF);
      if (w === null) return 'open failed';
      yield* sim.io.NtWriteFile(w, 'zone identifier', 0);
      yield* sim.io.NtClose(w);
      yield* deleteByDisposition(sim, 'C:\\doc.txt:ads');
      return 'done';
    });
    sim.spawn('delete on close', function* () {
      const h = yield* open(sim, 'C:\\tmp.txt', DELETE | FILE_GENERIC_WRITE, FILE_CREATE, FILE_DELETE_ON_CLOSE);
      if (h === null) return 'open failed';
      yield* sim.io.NtWriteFile(h, 'scratch', 0);
      yield* sim.io.NtClose(h);
      return 'done';
    });
    sim.spawn('changes its mind', function* () {
      const h = yield* open(sim, 'C:\\keep.txt', DELETE | FILE_GENERIC_READ);
      if (h === null) return 'open failed';
      yield* sim.io.NtSetInformationFile(h, FILE_INFORMATION_CLASS.FileDispositionInformation, { DeleteFile: true });
      yield* sim.io.NtSetInformationFile(h, FILE_INFORMATION_CLASS.FileDispositionInformation, { DeleteFile: false });
      yield* sim.io.NtClose(h);
      return 'done';
    });
    sim.spawn('link remover', function* () {
      const h = yield* open(sim, 'C:\\a.txt', FILE_GENERIC_READ | FILE_GENERIC_WRITE);
      if (h === null) return 'open failed';
      yield* sim.io.NtSetInformationFile(h, FILE_INFORMATION_CLASS.FileLinkInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\b.txt' });
      yield* sim.io.NtClose(h);
      yield* deleteByDisposition(sim, 'C:\\a.txt');
      yield* deleteByDisposition(sim, 'C:\\b.txt');
      return 'done';
    });
    sim.spawn('transacted deleter', function* () {
      const tx = yield* sim.io.NtCreateTransaction();
      yield* deleteByDisposition(sim, 'C:\\tx.txt', tx.handle);
      const status = outcome === 'commit' ? yield* sim.io.NtCommitTransaction(tx.handle) : yield* sim.io.NtRollbackTransaction(tx.handle);
      yield* sim.io.NtClose(tx.handle);
      return status;
    });
    unloadAfter(sim, entry, DELETE_NAME, unloadAt);
  });
  return image;
}

export const scenario: Scenario = {
  id: 'sample-delete',
  description: 'WDK delete: reports real deletions of files and named streams (delete-on-close, dispositions, hard links, transactions); args: TraceFlags (1), outcome (commit), unloadAt (40)',
  options: { onViolation: 'record' },
  build(sim, args) {
    deleteSystem(sim, args);
  },
};
