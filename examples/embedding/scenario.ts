/**
 * The system fltsim simulates for the disk host: one NTFS volume, an activity monitor with pre- and
 * post-callbacks on reads and writes, and three applications that each write a file and read it back,
 * one of them pausing between the two. The file system holds each request for the host
 * (`fileSystemCompletion: 'host'`), which decides when it completes, and the host owns the clock.
 *
 * In your project: `import { … } from 'fltsim'` and `from 'fltsim/testing'`.
 */
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN_IF,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  sleep,
  type Scenario,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

export const diskScenario: Scenario = {
  id: 'example-disk-host',
  description: 'three applications write and read back a file each through a monitor; the host decides when the disk completes',
  options: { fileSystemCompletion: 'host', clock: 'host' },
  build(sim) {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    installFilter(sim, {
      name: 'monitor',
      altitude: '385000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ, IRP_MJ_WRITE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      },
    });
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
