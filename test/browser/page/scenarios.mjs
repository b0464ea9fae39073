// The scenarios the browser test runs, in a browser page and under plain Node, against the built
// package imported by name. Plain JavaScript on purpose: it is what a page ships, and it needs no
// dist/ to exist when the repository is type-checked.
import {
  createScenarioSimulation,
  restoreSimulation,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN_IF,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
} from 'fltsim';
import { installFilter, operations } from 'fltsim/testing';

/** Application threads writing and reading a file through one minifilter, the file system completing later. */
const deferredIoScenario = {
  id: 'browser-deferred-io',
  description: 'two applications write and read through a counting minifilter; the file system completes on I/O completion threads',
  options: { fileSystemCompletion: 'deferred', fileSystemLatency: 2 },
  build(sim) {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\shared.txt', 'hello');
    installFilter(sim, {
      name: 'counter',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ, IRP_MJ_WRITE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      },
    });
    for (const app of ['app1', 'app2']) {
      sim.spawn(app, function* () {
        const open = yield* sim.io.NtCreateFile('C:\\shared.txt', {
          DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
          ShareAccess: FILE_SHARE_READ,
          CreateDisposition: FILE_OPEN_IF,
          CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
        });
        if (open.handle === null) return open.status;
        yield* sim.io.NtWriteFile(open.handle, `${app};`, 0);
        yield* sim.io.NtReadFile(open.handle, 16, 0);
        return yield* sim.io.NtClose(open.handle);
      });
    }
  },
};

const scenarios = [deferredIoScenario];

/** A host of its own: picks the last enabled choice, and moves its clock every fifth step. */
function hostDrive(sim, maxSteps) {
  for (let i = 0; i < maxSteps; i++) {
    const enabled = sim.enabled();
    if (enabled.length === 0) return;
    if (i % 5 === 4) sim.advanceTo(sim.now + 1);
    else sim.step(enabled[enabled.length - 1].id);
  }
}

/** Every log as one JSON string: the browser's and Node's must be equal byte for byte. */
export function runScenarios() {
  const demo = createScenarioSimulation('demo', { seed: 7, strategy: 'random' });
  demo.run();

  const hosted = createScenarioSimulation('demo', { seed: 11 });
  hostDrive(hosted, 10_000);

  const io = createScenarioSimulation('browser-deferred-io', { seed: 5, strategy: 'random' }, { scenarios });
  hostDrive(io, 40);
  const saved = JSON.stringify(io.save());
  const restored = restoreSimulation(JSON.parse(saved), { scenarios });
  restored.run();
  io.run();

  return JSON.stringify({ demo: demo.log, hosted: hosted.log, io: io.log, restored: restored.log, saved: JSON.parse(saved) });
}
