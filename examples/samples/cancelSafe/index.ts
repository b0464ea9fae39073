/**
 * The cancelSafe sample as a scenario: `fltsim run examples/samples/cancelSafe` (or `explore`).
 *
 * C: holds \data\a.txt and \data\b.txt; the sample (altitude 370050, as its INF) pends every read
 * under OperatingPath in its cancel-safe queue. The workload races what the sample exists to get
 * right — a worker completing a pended read, the application cancelling it, and instance teardown
 * draining the queue:
 *
 * - `reader`: a synchronous read of a.txt, pended until the worker completes it after the delay;
 * - `canceller` (a second application thread): an overlapped read of b.txt, then CancelIoEx on it;
 * - `fltmc unload` (args.unload, default true): unloads the filter while reads are queued, so
 *   InstanceTeardownStart disables and drains the queue.
 *
 * Args: `delay` (the worker's wait, in ticks of 1 ms; default 20), `unload` (true|false),
 * `cancel` (true|false: whether the second thread cancels).
 */
import {
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  HUNDRED_NANOSECONDS_PER_TICK,
  STATUS_PENDING,
  type OVERLAPPED,
  sleep,
  type Blocking,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { createCancelSafe, CSQ_TRACE_ERROR, type CancelSafe } from './cancelSafe.js';

/** An OVERLAPPED for an asynchronous read at `Offset`, without an event. */
function newOverlapped(Offset: number): OVERLAPPED {
  return { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0, Offset };
}

export interface CancelSafeRun {
  readonly sample: CancelSafe;
  /** Filled in as the threads finish: the read statuses each application saw. */
  readonly results: { reader?: number; canceller?: number; cancelIoEx?: number; unload?: number };
}

function flag(args: ScenarioArgs, name: string, fallback: boolean): boolean {
  const v = args[name];
  return v === undefined || v === null ? fallback : v === true || v === 'true' || v === 1 || v === '1';
}

function ticks(args: ScenarioArgs, name: string, fallback: number): number {
  const v = Number(args[name] ?? fallback);
  return Number.isInteger(v) && v >= 0 ? v : fallback;
}

function* openFile(sim: Simulation, path: string, synchronous: boolean): Blocking<string | null> {
  const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0 });
  return r.handle;
}

/**
 * Build the system and queue the workload; returns what the run fills in. `alongside` starts more
 * work at the same point as the sample's own (a scenario that composes this one with others).
 */
export function buildCancelSafe(sim: Simulation, args: ScenarioArgs = {}, alongside?: () => void): CancelSafeRun {
  const delay = ticks(args, 'delay', 20);
  const sample = createCancelSafe({ OperatingDelay: delay * HUNDRED_NANOSECONDS_PER_TICK, OperatingPath: '\\data', DebugLevel: CSQ_TRACE_ERROR });
  const results: CancelSafeRun['results'] = {};
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').mkdir('\\data');
  sim.fileSystem('C:').writeFile('\\data\\a.txt', 'alpha');
  sim.fileSystem('C:').writeFile('\\data\\b.txt', 'bravo');
  sim.loadDriver({ name: 'cancelSafe', instances: { DefaultInstance: 'CancelSafe Instance', Instances: { 'CancelSafe Instance': { Altitude: '370050', Flags: 0 } } } }, sample.DriverEntry);
  sim.whenSettled(() => {
    sim.spawn('reader', function* () {
      const h = yield* openFile(sim, 'C:\\data\\a.txt', true);
      if (h === null) return;
      results.reader = (yield* sim.io.NtReadFile(h, 5, 0)).status;
      yield* sim.io.NtClose(h);
    });
    sim.spawn('canceller', function* () {
      const h = yield* openFile(sim, 'C:\\data\\b.txt', false);
      if (h === null) return;
      const overlapped = newOverlapped(0);
      yield* sim.io.ReadFile(h, 5, overlapped);
      if (flag(args, 'cancel', true)) results.cancelIoEx = yield* sim.io.CancelIoEx(h, overlapped);
      results.canceller = (yield* sim.io.GetOverlappedResult(h, overlapped, true)).status;
      yield* sim.io.NtClose(h);
    });
    if (flag(args, 'unload', true)) {
      sim.spawn('fltmc unload cancelSafe', function* () {
        yield* sleep(1);
        results.unload = yield* sim.FilterUnload('cancelSafe');
      });
    }
    alongside?.();
  });
  return { sample, results };
}

export const scenario: Scenario = {
  id: 'sample-cancelSafe',
  description: 'the WDK cancelSafe sample: pended reads in a cancel-safe queue, a worker, CancelIoEx from a second application thread, and unload draining the queue; args: delay (ticks), unload, cancel',
  options: { onViolation: 'record' },
  build(sim, args) {
    buildCancelSafe(sim, args);
  },
};

export default scenario;
