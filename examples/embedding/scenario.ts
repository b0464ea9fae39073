/**
 * The system fltsim simulates for the disk host: one NTFS volume, an activity monitor with pre- and
 * post-callbacks on reads and writes, and three applications that each write a file and read it back,
 * one of them pausing between the two. The file system holds each request for the host
 * (`fileSystemCompletion: 'host'`), which decides when it completes, and the host owns the clock.
 *
 * Everything comes from the main entry, as a host's own code would: in your project,
 * `import { … } from 'fltsim'` (examples never import `fltsim/testing`).
 */
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN_IF,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltRegisterFilter,
  FltStartFiltering,
  FltUnregisterFilter,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  sleep,
  STATUS_SUCCESS,
  type PFLT_FILTER,
  type Scenario,
} from '../../src/index.js';

/** The monitor: sees every read and write on its way down and back up, and changes nothing. */
function loadMonitor(sim: Parameters<Scenario['build']>[0]): void {
  let filter: PFLT_FILTER | null = null;
  sim.loadDriver({ name: 'monitor', instances: { DefaultInstance: 'monitor Instance', Instances: { 'monitor Instance': { Altitude: '385000', Flags: 0 } } } }, function* (driver) {
    const registered = FltRegisterFilter(driver, {
      OperationRegistration: [IRP_MJ_READ, IRP_MJ_WRITE].map((MajorFunction) => ({
        MajorFunction,
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
      })),
      FilterUnloadCallback: function* () {
        yield* FltUnregisterFilter(filter!);
        return STATUS_SUCCESS;
      },
    });
    if (registered.filter === null) return registered.status;
    filter = registered.filter;
    return yield* FltStartFiltering(filter);
  });
}

export const diskScenario: Scenario = {
  id: 'example-disk-host',
  description: 'three applications write and read back a file each through a monitor; the host decides when the disk completes',
  options: { fileSystemCompletion: 'host', clock: 'host' },
  build(sim) {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    loadMonitor(sim);
    for (const [app, pause] of [['editor', 0], ['indexer', 5], ['backup', 0]] as const) {
      sim.spawn(app, function* () {
        const open = yield* sim.io.NtCreateFile(`C:\\${app}.dat`, {
          DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
          ShareAccess: 0,
          CreateDisposition: FILE_OPEN_IF,
          CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
        });
        if (open.handle === null) return open.status;
        yield* sim.io.NtWriteFile(open.handle, `${app} data`, 0);
        if (pause > 0) yield* sleep(pause);
        yield* sim.io.NtReadFile(open.handle, 64, 0);
        return yield* sim.io.NtClose(open.handle);
      });
    }
  },
};
