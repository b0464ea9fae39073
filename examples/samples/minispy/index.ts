/**
 * `fltsim run examples/samples/minispy`: the minispy filter loaded (no instance until asked) and
 * minispy.exe started elevated as `minispy /a C:` — it attaches the default instance (Top, 385100),
 * starts its logging thread and prints every record; two applications work on C: (app 1 creates,
 * writes, reads back and closes `\log\a.txt`; app 2 opens `\readme.txt`, queries it and lists `\log`);
 * at `exitAt` the user presses Enter and types `exit`; `fltmc unload MiniSpy` comes at `unloadAt`.
 * Args: MaxRecords (the registry value, default 500), exitAt (500), unloadAt (1000; before exitAt the
 * unload ends the program: "The kernel component of minispy has unloaded"), transaction (none;
 * commit or rollback: app 3 writes `\log\tx.txt` inside a transaction and ends it so).
 */
import {
  ADMINISTRATORS_SID,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_LIST_DIRECTORY,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  ntStatusName,
  sleep,
  SYNCHRONIZE,
  UsageError,
  type Blocking,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
  type PEPROCESS,
} from '../../../src/index.js';
import { dwordArg, machine, unloadAfter } from '../common/system.js';
import { MINISPY_INSTANCES, MINISPY_NAME, minispy, type MinispyImage } from './minispy.js';
import { minispyUser, type MinispyUserProgram } from './mspyUser.js';

export interface MinispySystem {
  readonly image: MinispyImage;
  readonly user: MinispyUserProgram;
  readonly process: PEPROCESS;
}

const SHARE = FILE_SHARE_READ | FILE_SHARE_WRITE;

/** `alongside` starts more threads with the program and the applications (a test's own), once DriverEntry has settled. */
export function minispySystem(sim: Simulation, args: ScenarioArgs, alongside?: (system: MinispySystem) => void): MinispySystem {
  const exitAt = dwordArg(args, 'exitAt', 500, 0);
  const unloadAt = dwordArg(args, 'unloadAt', 1000, 0);
  const transaction = args['transaction'] ?? 'none';
  if (transaction !== 'none' && transaction !== 'commit' && transaction !== 'rollback') {
    throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument transaction must be none, commit or rollback, got ${JSON.stringify(transaction)}`);
  }
  const MaxRecords = args['MaxRecords'] === undefined ? undefined : dwordArg(args, 'MaxRecords', 500, 0);
  machine(sim, { '\\readme.txt': 'minispy logs what happens to this file' });
  sim.fileSystem('C:').mkdir('\\log');
  const image = minispy(sim, MaxRecords === undefined ? {} : { MaxRecords });
  const entry = sim.loadDriver({ name: MINISPY_NAME, instances: MINISPY_INSTANCES }, image.DriverEntry);
  // The port admits administrators and SYSTEM: minispy.exe runs elevated.
  const process = sim.createProcess('minispy.exe', { token: ADMINISTRATORS_SID });
  const user = minispyUser(sim, process, [{ at: exitAt, line: '' }, { at: exitAt, line: 'exit' }]);
  sim.whenSettled(() => {
    sim.spawn('minispy main', () => user.main(['minispy', '/a', 'C:']), { process });
    sim.spawn('app 1', function* (): Blocking<string> {
      yield* sleep(2); // once minispy is attached
      const r = yield* sim.io.NtCreateFile('C:\\log\\a.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: SHARE, CreateDisposition: FILE_OPEN_IF, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      if (r.handle === null) return 'open failed';
      yield* sim.io.NtWriteFile(r.handle, 'logged', 0);
      yield* sim.io.NtReadFile(r.handle, 6, 0);
      yield* sim.io.NtClose(r.handle);
      return 'done';
    });
    sim.spawn('app 2', function* (): Blocking<string> {
      yield* sleep(2);
      const r = yield* sim.io.NtCreateFile('C:\\readme.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: SHARE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      if (r.handle !== null) {
        yield* sim.io.NtQueryInformationFile(r.handle, FILE_INFORMATION_CLASS.FileStandardInformation, 24);
        yield* sim.io.NtClose(r.handle);
      }
      const dir = yield* sim.io.NtCreateFile('C:\\log', { DesiredAccess: FILE_LIST_DIRECTORY | SYNCHRONIZE, ShareAccess: SHARE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT });
      if (dir.handle !== null) {
        yield* sim.io.NtQueryDirectoryFile(dir.handle, 3, 512);
        yield* sim.io.NtClose(dir.handle);
      }
      return 'done';
    });
    if (transaction !== 'none') {
      // app 3 writes a file inside a transaction, then commits or rolls it back (§22.4).
      sim.spawn('app 3', function* (): Blocking<string> {
        yield* sleep(2);
        const tx = yield* sim.io.NtCreateTransaction();
        const r = yield* sim.io.NtCreateFile('C:\\log\\tx.txt', {
          DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
          ShareAccess: SHARE,
          CreateDisposition: FILE_OPEN_IF,
          CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
          Transaction: tx.handle,
        });
        if (r.handle !== null) {
          yield* sim.io.NtWriteFile(r.handle, 'in a transaction', 0);
          yield* sim.io.NtClose(r.handle);
        }
        const status = transaction === 'commit' ? yield* sim.io.NtCommitTransaction(tx.handle) : yield* sim.io.NtRollbackTransaction(tx.handle);
        yield* sim.io.NtClose(tx.handle);
        return ntStatusName(status);
      });
    }
    unloadAfter(sim, entry, MINISPY_NAME, unloadAt);
    alongside?.(system);
  });
  const system: MinispySystem = { image, user, process };
  return system;
}

export const scenario: Scenario = {
  id: 'sample-minispy',
  description: 'WDK minispy with its user program: every operation logged with its name, the records drained over the port and printed; args: MaxRecords (500), exitAt (500), unloadAt (1000), transaction (none | commit | rollback)',
  options: { onViolation: 'record' },
  build(sim, args) {
    minispySystem(sim, args);
  },
};

export default scenario;
