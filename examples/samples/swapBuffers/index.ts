/**
 * The swapBuffers sample as a scenario: `npx fltsim run examples/samples/swapBuffers`.
 *
 * A volume with a directory of two files and an output directory; the sample loaded at its INF altitude (141000); two
 * application threads that write, read back and enumerate through the swapped buffers; and,
 * unless `--arg unload=false`, `fltmc unload swapBuffers` racing them. Arguments:
 *   unload=true|false      race an unload against the applications (default true)
 *   unloadAt=N             virtual tick the unload starts at (default 2: the first requests are in flight)
 *   filter=true|false      load the sample at all (default true; false is the baseline run)
 *   completion=inline|deferred   when the file system completes (default deferred: post-ops run
 *                          at DISPATCH_LEVEL on a completion thread, where swapBuffers must post)
 *
 * Each application thread records what it read and enumerated in `results` (see `runSwapBuffers`),
 * which the scenario test compares with a run without the filter.
 */
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_LIST_DIRECTORY,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_DIRECTORY_FILE,
  SYNCHRONIZE,
  sleep,
  type Blocking,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { swapBuffersDriver } from './swapBuffers.js';

export const ALTITUDE = '141000';
const FileBothDirectoryInformation = 3;

/** What one application thread saw: the bytes it read back and the names it enumerated. */
export interface AppResult {
  readonly thread: string;
  readonly read: string;
  readonly names: readonly string[];
  readonly statuses: readonly number[];
}

function flag(args: ScenarioArgs, name: string, fallback: boolean): boolean {
  // Scenario arguments come from the command line as strings, from code as booleans.
  const v = args[name];
  return v === undefined || v === null ? fallback : v === true || v === 'true';
}

/** Write `text` to `path` (in `\out`), read it back from offset 0, and enumerate `\data` (which no thread changes): what an encryption filter must leave unchanged. */
function* application(sim: Simulation, thread: string, path: string, text: string, out: AppResult[]): Blocking<number> {
  const statuses: number[] = [];
  const file = yield* sim.io.NtCreateFile(path, {
    DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
    ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
    CreateDisposition: FILE_OPEN_IF,
    CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
  });
  statuses.push(file.status);
  let read = '';
  if (file.handle !== null) {
    statuses.push((yield* sim.io.NtWriteFile(file.handle, text, 0)).status);
    const back = yield* sim.io.NtReadFile(file.handle, 4096, 0);
    statuses.push(back.status);
    read = back.output === null ? '' : new TextDecoder().decode(back.output);
    statuses.push(yield* sim.io.NtClose(file.handle));
  }
  const names: string[] = [];
  const dir = yield* sim.io.NtCreateFile('C:\\data', {
    DesiredAccess: FILE_LIST_DIRECTORY | SYNCHRONIZE,
    ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
    CreateDisposition: FILE_OPEN,
    CreateOptions: FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT,
  });
  statuses.push(dir.status);
  if (dir.handle !== null) {
    for (;;) {
      const page = yield* sim.io.NtQueryDirectoryFile(dir.handle, FileBothDirectoryInformation, 256);
      statuses.push(page.status);
      if (page.output?.kind !== 'directory') break;
      for (const entry of page.output.entries) names.push(entry.FileName);
    }
    statuses.push(yield* sim.io.NtClose(dir.handle));
  }
  out.push({ thread, read, names, statuses });
  return 0;
}

/** Build the run; `results` collects what the applications saw. */
export function runSwapBuffers(sim: Simulation, args: ScenarioArgs, results: AppResult[] = []): AppResult[] {
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const fs = sim.fileSystem('C:');
  fs.mkdir('\\data');
  fs.mkdir('\\out');
  fs.writeFile('\\data\\readme.txt', 'swapBuffers reads this through a buffer of its own. '.repeat(20));
  fs.writeFile('\\data\\notes.txt', 'a second file');
  if (flag(args, 'filter', true)) {
    const { DriverEntry } = swapBuffersDriver();
    sim.loadDriver({ name: 'swapBuffers', instances: { DefaultInstance: 'SwapBuffers Instance', Instances: { 'SwapBuffers Instance': { Altitude: ALTITUDE, Flags: 0 } } } }, DriverEntry);
  }
  sim.whenSettled(() => {
    sim.spawn('app A', () => application(sim, 'app A', 'C:\\out\\a.txt', 'written by A through a swapped buffer', results));
    sim.spawn('app B', () => application(sim, 'app B', 'C:\\out\\b.txt', 'B was here', results));
    if (flag(args, 'filter', true) && flag(args, 'unload', true)) {
      const at = Number(args['unloadAt'] ?? 2);
      sim.spawn('fltmc unload swapBuffers', function* () {
        // When the applications' first requests are at the file system, unless told otherwise.
        yield* sleep(at);
        return yield* sim.FilterUnload('swapBuffers');
      });
    }
  });
  return results;
}

export const scenario: Scenario = {
  id: 'sample-swapBuffers',
  description: 'the swapBuffers WDK sample: two applications write, read and enumerate through swapped buffers while the filter unloads; args: unload, filter (true|false), unloadAt (tick), completion (inline|deferred)',
  options: (_seed, args) => ({ onViolation: 'record', fileSystemCompletion: args['completion'] === 'inline' ? 'inline' : 'deferred' }),
  windows: [
    {
      name: 'the unload finds an operation whose buffers swapBuffers swapped',
      opensAt: (f) => f.type === 'BuffersSwapped',
      closesAt: (f) => f.type === 'IoComplete',
      hitBy: (f) => f.type === 'SwappedOperationCancelled',
    },
  ],
  build(sim, args) {
    runSwapBuffers(sim, args);
  },
};

export default scenario;
