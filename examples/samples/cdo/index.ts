/**
 * The cdo sample as a scenario: `fltsim run examples/samples/cdo` (or `explore`).
 *
 * C: is mounted (the filter refuses to attach to it); the sample (altitude 370080, as its INF)
 * creates `\FileSystem\Filters\CdoSample`. The workload:
 *
 * - `cdoUser`: opens the CDO, sends an FSCTL (an IRP), a device control (the fast I/O path) and a
 *   read (refused: STATUS_INVALID_DEVICE_REQUEST), waits `holdFor` ticks, closes its handle;
 * - `racer` (a second application thread of the same process): sends an FSCTL on the same handle —
 *   it may get there after the handle's cleanup — then tries to open the CDO itself;
 * - `fltmc unload cdo` after `unloadAt` ticks (`unload`, default yes), or `sc stop cdo` (a mandatory
 *   unload) with `mandatory=yes`.
 *
 * Args: `holdFor` (default 1), `unload` (yes), `unloadAt` (1), `mandatory` (no), `DebugLevel` (1).
 */
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  SYSTEM_SID,
  sleep,
  type Blocking,
  type NTSTATUS,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { dwordArg, flagArg, machine } from '../common/system.js';
import { createCdo, type Cdo } from './cdoInit.js';
import { CONTROL_DEVICE_OBJECT_NAME, DEBUG_TRACE_ERROR } from './cdoStruct.js';

/** A private control code of the sample's user (METHOD_BUFFERED, FILE_DEVICE_DISK_FILE_SYSTEM). */
export const CDO_CONTROL_CODE = (0x8 << 16) | (0x800 << 2);

export interface CdoRun {
  readonly sample: Cdo;
  /** Filled in as the threads finish. */
  readonly results: {
    open?: NTSTATUS;
    openInformation?: number;
    fsctl?: NTSTATUS;
    ioctl?: NTSTATUS;
    read?: NTSTATUS;
    close?: NTSTATUS;
    racerFsctl?: NTSTATUS;
    racerOpen?: NTSTATUS;
    unload?: NTSTATUS;
  };
}

function* openCdo(sim: Simulation): Blocking<{ status: NTSTATUS; information: number; handle: string | null }> {
  return yield* sim.io.NtCreateFile(CONTROL_DEVICE_OBJECT_NAME, { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE });
}

/** Build the system and queue the workload; returns what the run fills in. */
export function buildCdo(sim: Simulation, args: ScenarioArgs = {}): CdoRun {
  const sample = createCdo({ DebugLevel: dwordArg(args, 'DebugLevel', DEBUG_TRACE_ERROR) });
  const results: CdoRun['results'] = {};
  const holdFor = dwordArg(args, 'holdFor', 1);
  machine(sim, {});
  const entry = sim.loadDriver({ name: 'cdo', instances: { DefaultInstance: 'CDO', Instances: { CDO: { Altitude: '370080', Flags: 0 } } } }, sample.DriverEntry);
  let handle: string | null = null;
  sim.whenSettled(() => {
    sim.spawn('cdoUser', function* () {
      const opened = yield* openCdo(sim);
      results.open = opened.status;
      results.openInformation = opened.information;
      if (opened.handle === null) return;
      handle = opened.handle;
      results.fsctl = (yield* sim.io.NtFsControlFile(opened.handle, CDO_CONTROL_CODE, null, 0, 0)).status;
      results.ioctl = (yield* sim.io.NtDeviceIoControlFile(opened.handle, CDO_CONTROL_CODE, null, 0)).status;
      results.read = (yield* sim.io.NtReadFile(opened.handle, 16, 0)).status;
      yield* sleep(holdFor);
      results.close = yield* sim.io.NtClose(opened.handle);
    });
    sim.spawn('racer', function* () {
      while (handle === null && results.open === undefined) yield* sleep(1);
      if (handle !== null) results.racerFsctl = (yield* sim.io.NtFsControlFile(handle, CDO_CONTROL_CODE, null, 0, 0)).status;
      const own = yield* openCdo(sim);
      results.racerOpen = own.status;
      if (own.handle !== null) yield* sim.io.NtClose(own.handle);
    });
    if (flagArg(args, 'unload', true)) {
      const mandatory = flagArg(args, 'mandatory', false);
      sim.spawn(mandatory ? 'sc stop cdo' : 'fltmc unload cdo', function* () {
        yield* sim.join(entry);
        yield* sleep(dwordArg(args, 'unloadAt', 1));
        results.unload = mandatory ? yield* sim.ServiceStop('cdo') : yield* sim.FilterUnload('cdo');
      }, { token: SYSTEM_SID });
    }
  });
  return { sample, results };
}

export const scenario: Scenario = {
  id: 'sample-cdo',
  description: 'the WDK cdo sample: a control device object opened by name, FSCTL, fast device control and refused requests, a second thread racing the handle\'s cleanup, and the unload (vetoed while open; mandatory=yes proceeds); args: holdFor, unload, unloadAt, mandatory, DebugLevel',
  options: { onViolation: 'record' },
  build(sim, args) {
    buildCdo(sim, args);
  },
};

export default scenario;
