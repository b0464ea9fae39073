/**
 * `fltsim run examples/samples/ctx`: the ctx sample attached to C: by its INF; `apps` applications
 * (default 2) each open `\shared.txt` `opens` times (default 2), keeping the handles open, read and
 * close them — racing each other's post-creates on the stream context (KEEP_IF_EXISTS); the last one then renames `\rename.txt` to
 * `\renamed.txt` (the rename path); `fltmc unload ctx` after `unloadAt` ticks (default 6).
 * Args: DebugLevel (the registry value, default 1 = DEBUG_TRACE_ERROR), apps, opens, unloadAt.
 */
import {
  DELETE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  sleep,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { dwordArg, machine, unloadAfter } from '../common/system.js';
import { CTX_INSTANCES, CTX_NAME, ctx, type CtxImage } from './ctxInit.js';

export function ctxSystem(sim: Simulation, args: ScenarioArgs): CtxImage {
  const apps = dwordArg(args, 'apps', 2, 1);
  const opens = dwordArg(args, 'opens', 2, 1);
  const unloadAt = dwordArg(args, 'unloadAt', 6, 0);
  machine(sim, { '\\shared.txt': 'shared', '\\rename.txt': 'to be renamed' });
  const image = ctx(dwordArg(args, 'DebugLevel', 1, 0));
  const entry = sim.loadDriver({ name: CTX_NAME, instances: CTX_INSTANCES }, image.DriverEntry);
  const share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  sim.whenSettled(() => {
    for (let a = 1; a <= apps; a++) {
      sim.spawn(`app ${a}`, function* () {
        // All of this application's handles are open at once, so the stream (and its context) lives
        // through every open and close of the round.
        const handles: string[] = [];
        for (let i = 0; i < opens; i++) {
          const r = yield* sim.io.NtCreateFile('C:\\shared.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: share, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
          if (r.handle !== null) handles.push(r.handle);
        }
        for (const handle of handles) yield* sim.io.NtReadFile(handle, 8, 0);
        for (const handle of handles) yield* sim.io.NtClose(handle);
        if (a !== apps) return 'done';
        yield* sleep(1);
        const r = yield* sim.io.NtCreateFile('C:\\rename.txt', { DesiredAccess: DELETE | FILE_GENERIC_READ, ShareAccess: share, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
        if (r.handle === null) return 'open failed';
        yield* sim.io.NtSetInformationFile(r.handle, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\renamed.txt' });
        yield* sim.io.NtClose(r.handle);
        return 'done';
      });
    }
    unloadAfter(sim, entry, CTX_NAME, unloadAt);
  });
  return image;
}

export const scenario: Scenario = {
  id: 'sample-ctx',
  description: 'WDK ctx: instance, file, stream and stream-handle contexts with counts, names and renames; args: DebugLevel (1), apps (2), opens (2), unloadAt (6)',
  options: { onViolation: 'record' },
  build(sim, args) {
    ctxSystem(sim, args);
  },
};
