/**
 * The notification core of the NameChanger sample as a scenario: `fltsim run examples/samples/nameChanger`
 * (or `explore`).
 *
 * C: has \real\mapped (the real mapping) and \user (the parent of the user mapping \user\virtual);
 * NameChanger (altitude 370120, as its INF) is attached by `fltmc attach` (it refuses automatic
 * attachment). An application watches C:\real with ReadDirectoryChangesW on an overlapped handle:
 * Filter mode, so the sample pends the request and sends its own shadow request down with
 * FltPerformAsynchronousIo. Then, from other threads:
 *
 * - `changer`: creates \real\mapped\hidden.txt (inside the real mapping: NameChanger suppresses it
 *   and reissues the shadow from a work item; only with watchTree) and then \real\new.txt, which
 *   completes the user's request with FILE_ACTION_ADDED new.txt;
 * - `canceller` (args.cancel): CancelIoEx on the user's request, at the same tick as the change —
 *   the cancel routine races the shadow's completion;
 * - `closer` (args.close): closes the directory handle while the request waits (IRP_MJ_CLEANUP:
 *   STATUS_NOTIFY_CLEANUP);
 * - `fltmc unload` (args.unload): unloads the filter meanwhile.
 *
 * The sample's completion routine takes an ERESOURCE, so it relies on running at the completer's
 * IRQL: the scenario runs with `semantics.asyncIoCallbackIrql: 'completer'`; `irql=dispatch` runs
 * under the model's default (the DDI's "≤ DISPATCH_LEVEL"), where the verifier reports IRQL_TOO_HIGH.
 *
 * Args: `watchTree` (true), `cancel` (true), `close` (false), `unload` (true), `irql` (completer|dispatch).
 */
import {
  decodeFileNotifyInformation,
  FILE_CREATE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_LIST_DIRECTORY,
  FILE_NOTIFY_CHANGE_FILE_NAME,
  FILE_OPEN,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  sleep,
  STATUS_PENDING,
  UsageError,
  type Blocking,
  type FILE_NOTIFY_INFORMATION,
  type OVERLAPPED,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { createNameChanger, type NameChanger } from './nameChanger.js';

const SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

export interface NameChangerRun {
  readonly sample: NameChanger;
  /** Filled in as the threads finish. */
  readonly results: { issued?: number; watcher?: number; entries?: FILE_NOTIFY_INFORMATION[]; cancelIoEx?: number; close?: number; unload?: number };
}

function flag(args: ScenarioArgs, name: string, fallback: boolean): boolean {
  const v = args[name];
  if (v === undefined || v === null) return fallback;
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument ${name} must be true or false, got ${JSON.stringify(v)}`);
}

function irqlOf(args: ScenarioArgs): 'completer' | 'dispatch' {
  const v = args['irql'] ?? 'completer';
  if (v === 'completer' || v === 'dispatch') return v;
  throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument irql must be completer or dispatch, got ${JSON.stringify(v)}`);
}

function* create(sim: Simulation, path: string): Blocking<void> {
  const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: SHARE_ALL, CreateDisposition: FILE_CREATE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  if (r.handle !== null) yield* sim.io.NtClose(r.handle);
}

/** Build the system and queue the workload; returns what the run fills in. */
export function buildNameChanger(sim: Simulation, args: ScenarioArgs = {}): NameChangerRun {
  const watchTree = flag(args, 'watchTree', true);
  const cancel = flag(args, 'cancel', true);
  const close = flag(args, 'close', false);
  const unload = flag(args, 'unload', true);
  const sample = createNameChanger({ UserMappingPath: '\\user', UserMappingFinalComponent: 'virtual', RealMappingPath: '\\real', RealMappingFinalComponent: 'mapped' });
  const results: NameChangerRun['results'] = {};
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').mkdir('\\real');
  sim.fileSystem('C:').mkdir('\\real\\mapped');
  sim.fileSystem('C:').mkdir('\\user');
  sim.loadDriver({ name: 'nameChanger', instances: { DefaultInstance: 'NameChanger Instance', Instances: { 'NameChanger Instance': { Altitude: '370120', Flags: 0 } } } }, sample.DriverEntry);
  sim.whenSettled(() => {
    let handle: string | null = null;
    const overlapped: OVERLAPPED = { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0 };
    const buffer = new Uint8Array(256);
    sim.spawn('watcher', function* () {
      yield* sim.FilterAttach('nameChanger', 'C:');
      const r = yield* sim.io.NtCreateFile('C:\\real', { DesiredAccess: FILE_LIST_DIRECTORY, ShareAccess: SHARE_ALL, CreateDisposition: FILE_OPEN, CreateOptions: FILE_DIRECTORY_FILE });
      handle = r.handle;
      if (handle === null) return;
      results.issued = yield* sim.io.ReadDirectoryChangesW(handle, buffer, watchTree, FILE_NOTIFY_CHANGE_FILE_NAME, overlapped);
      results.watcher = (yield* sim.io.GetOverlappedResult(handle, overlapped, true)).status;
      results.entries = decodeFileNotifyInformation(buffer, overlapped.InternalHigh);
      if (!close) yield* sim.io.NtClose(handle);
    });
    sim.spawn('changer', function* () {
      yield* sleep(1);
      if (watchTree) yield* create(sim, 'C:\\real\\mapped\\hidden.txt');
      yield* create(sim, 'C:\\real\\new.txt');
    });
    if (cancel) {
      sim.spawn('canceller', function* () {
        yield* sleep(1);
        if (handle !== null) results.cancelIoEx = yield* sim.io.CancelIoEx(handle, overlapped);
      });
    }
    if (close) {
      sim.spawn('closer', function* () {
        yield* sleep(1);
        if (handle !== null) results.close = yield* sim.io.NtClose(handle);
      });
    }
    if (unload) {
      sim.spawn('fltmc unload nameChanger', function* () {
        yield* sleep(1);
        results.unload = yield* sim.FilterUnload('nameChanger');
      });
    }
  });
  return { sample, results };
}

export const scenario: Scenario = {
  id: 'sample-nameChanger',
  description: "the notification core of the WDK NameChanger sample: a user's ReadDirectoryChangesW pended behind a shadow FltPerformAsynchronousIo request, a change, CancelIoEx, handle cleanup and unload racing; args: watchTree, cancel, close, unload, irql (completer|dispatch)",
  options: (_seed, args) => ({ onViolation: 'record', semantics: { asyncIoCallbackIrql: irqlOf(args) } }),
  build(sim, args) {
    buildNameChanger(sim, args);
  },
};

export default scenario;
