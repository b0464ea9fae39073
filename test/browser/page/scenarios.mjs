// The scenarios the browser test runs, in a browser page and under plain Node, against the built
// package imported by name. Plain JavaScript on purpose: it is what a page ships, and it needs no
// dist/ to exist when the repository is type-checked.
import {
  builtInScenarios,
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
  sleep,
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

/** The same volume and filter; the host starts workers and application I/O between steps (sim.act). */
const hostInputsScenario = {
  ...deferredIoScenario,
  id: 'browser-host-inputs',
  description: 'the deferred-I/O system without its applications: the host starts them with recorded actions',
  build(sim) {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
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
  },
  actions: {
    worker(sim, args) {
      sim.spawn(args.name, function* () {
        for (const nap of args.naps) yield* sleep(nap);
        return 0;
      });
    },
  },
};

const scenarios = [deferredIoScenario, hostInputsScenario];

/** A host with its own seeded generator (a 32-bit LCG: the same numbers in every JavaScript engine). */
function hostRandom(seed) {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** `moves` random host moves: steps, workers, application I/O and clock moves, each through the API. */
function randomHost(sim, next, moves, tag) {
  for (let i = 0; i < moves; i++) {
    const r = next(10);
    if (r < 6) sim.step();
    else if (r === 6) sim.act('worker', { name: `${tag}w${i}`, naps: [next(3), next(3)] });
    else if (r === 7) sim.act('fltsim.applicationIo', { name: `${tag}io${i}`, ops: [{ op: 'create', path: `C:\\f${next(3)}` }, { op: 'write', data: 'x'.repeat(1 + next(8)) }, { op: 'read', length: 4, offset: 0 }, { op: 'close' }] });
    else sim.advanceTo(sim.now + next(4));
  }
}

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
  const demo = createScenarioSimulation('demo', { seed: 7, strategy: 'random' }, { scenarios: builtInScenarios });
  demo.run();

  const hosted = createScenarioSimulation('demo', { seed: 11 }, { scenarios: builtInScenarios });
  hostDrive(hosted, 10_000);

  const io = createScenarioSimulation('browser-deferred-io', { seed: 5, strategy: 'random' }, { scenarios });
  hostDrive(io, 40);
  const saved = JSON.stringify(io.save());
  const restored = restoreSimulation(JSON.parse(saved), { scenarios });
  restored.run();
  io.run();

  // A random host, saved at a random step: the restored copy continues byte-identically.
  const next = hostRandom(18);
  const host = createScenarioSimulation('browser-host-inputs', { seed: 18, strategy: 'random' }, { scenarios });
  randomHost(host, next, 20 + next(40), 'a');
  const hostSaved = JSON.stringify(host.save());
  const hostRestored = restoreSimulation(JSON.parse(hostSaved), { scenarios });
  const after = next(1_000_000);
  for (const sim of [host, hostRestored]) {
    randomHost(sim, hostRandom(after), 30, 'b');
    sim.run();
  }
  if (JSON.stringify(hostRestored.log) !== JSON.stringify(host.log)) throw new Error('the restored random host diverged from the original');

  return JSON.stringify({ demo: demo.log, hosted: hosted.log, io: io.log, restored: restored.log, saved: JSON.parse(saved), host: host.log, hostSaved: JSON.parse(hostSaved) });
}
