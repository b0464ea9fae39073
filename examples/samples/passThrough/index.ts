/**
 * `fltsim run examples/samples/passThrough`: the passThrough sample attached to C: by its INF, an
 * application doing ordinary I/O (create, write, read, query, flush, close), a second one asking
 * for a level 1 and a batch oplock on its file (the requests passThrough wants the status of), and
 * `fltmc unload PassThrough` after `unloadAt` ticks (default 4).
 * Args: gTraceFlags (the C global: 1 routines, 2 operation status; default 0), completion
 * (`inline`, the default, or `deferred`: the file system pends every request and completes it later).
 */
import {
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
  sleep,
  UsageError,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { dwordArg, machine, openForWrite, unloadAfter } from '../common/system.js';
import { PASSTHROUGH_INSTANCES, PASSTHROUGH_NAME, passThrough, type PassThroughImage } from './passThrough.js';

function completionOf(args: ScenarioArgs): 'inline' | 'deferred' {
  const c = args['completion'] ?? 'inline';
  if (c !== 'inline' && c !== 'deferred') throw new UsageError('BAD_SCENARIO_ARGUMENT', `completion must be inline or deferred, got ${JSON.stringify(c)}`);
  return c;
}

/** The system of the scenario; returns the loaded image (its globals and DbgPrint output). */
export function passThroughSystem(sim: Simulation, args: ScenarioArgs): PassThroughImage {
  const unloadAt = dwordArg(args, 'unloadAt', 4, 0);
  machine(sim, { '\\data.txt': 'passthrough', '\\shared.doc': 'oplock me' });
  const image = passThrough(dwordArg(args, 'gTraceFlags', 0, 0));
  const entry = sim.loadDriver({ name: PASSTHROUGH_NAME, instances: PASSTHROUGH_INSTANCES }, image.DriverEntry);
  sim.whenSettled(() => {
    sim.spawn('app 1', function* () {
      const handle = yield* openForWrite(sim, 'C:\\data.txt');
      if (handle === null) return 'open failed';
      yield* sim.io.NtWriteFile(handle, 'written', 0);
      yield* sim.io.NtReadFile(handle, 16, 0);
      yield* sleep(1);
      yield* sim.io.NtQueryInformationFile(handle, FILE_INFORMATION_CLASS.FileStandardInformation, 64);
      yield* sim.io.NtFlushBuffersFile(handle);
      yield* sim.io.NtClose(handle);
      return 'done';
    });
    sim.spawn('app 2', function* () {
      const open = yield* sim.io.NtCreateFile('C:\\shared.doc', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN });
      if (open.handle === null) return 'open failed';
      const level1 = yield* sim.io.NtFsControlFile(open.handle, FSCTL_REQUEST_OPLOCK_LEVEL_1, null, 0, 0);
      yield* sleep(1);
      const batch = yield* sim.io.NtFsControlFile(open.handle, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0);
      yield* sim.io.NtClose(open.handle);
      return [level1.status, batch.status];
    });
    unloadAfter(sim, entry, PASSTHROUGH_NAME, unloadAt);
  });
  return image;
}

export const scenario: Scenario = {
  id: 'sample-passThrough',
  description: 'WDK passThrough: every operation passed through, oplock requests\' status asked for; args: gTraceFlags (0), completion (inline|deferred), unloadAt (4)',
  options: (_seed, args) => ({ onViolation: 'record', fileSystemCompletion: completionOf(args), fileSystemLatency: 1 }),
  build(sim, args) {
    passThroughSystem(sim, args);
  },
};
