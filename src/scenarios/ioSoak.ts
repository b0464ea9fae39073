/**
 * A steady I/O system for long runs: a scanner that pends some reads to a deferred-I/O worker, an
 * activity monitor above it with pre- and post-callbacks, and application threads that open, write,
 * read and close files in a loop while the file system completes requests asynchronously. The number
 * of live objects stays bounded however long it runs, which is what a long trace looks like in
 * practice (and what the time-travel benchmarks need: a million facts of ordinary traffic).
 */
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN_IF,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
} from '../wdk/fileConstants.js';
import { FLT_POSTOP_FINISHED_PROCESSING, FLT_PREOP_PENDING, FLT_PREOP_SUCCESS_WITH_CALLBACK } from '../wdk/fltConstants.js';
import { IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_WRITE } from '../wdk/irp.js';
import { FltAllocateDeferredIoWorkItem, FltFreeDeferredIoWorkItem, FltQueueDeferredIoWorkItem } from '../fltmgr/workItems.js';
import { FltCompletePendedPreOperation } from '../io/pending.js';
import { installFilter, operations } from './builders/filterBuilder.js';
import { STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { intArg, type Scenario } from './scenario.js';

/** io-soak's bounds: a run of the largest is ~10^9 facts, past any budget, but never a build that cannot end. */
const MAX_SOAK_THREADS = 256;
const MAX_SOAK_ITERATIONS = 10_000_000;

export const ioSoakScenario: Scenario = {
  id: 'io-soak',
  description: 'scanner pending reads to a worker, a monitor, and application threads doing open/write/read/close in a loop (args: threads, iterations)',
  options: { fileSystemCompletion: 'deferred', fileSystemLatency: 1 },
  arguments: {
    threads: { kind: 'int', min: 1, max: MAX_SOAK_THREADS, description: 'application threads (default 3)' },
    iterations: { kind: 'int', min: 0, max: MAX_SOAK_ITERATIONS, description: 'open/write/read/close rounds per thread (default 4)' },
  },
  build(sim, args) {
    const threads = intArg(args, 'threads', 3, 1, MAX_SOAK_THREADS);
    const iterations = intArg(args, 'iterations', 4, 0, MAX_SOAK_ITERATIONS);
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:', fsType: 'NTFS' });
    let reads = 0;
    installFilter(sim, {
      name: 'scanner',
      altitude: '328000',
      registration: {
        OperationRegistration: [
          ...operations([IRP_MJ_CREATE, IRP_MJ_WRITE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }),
          ...operations([IRP_MJ_READ], {
            // Every third read is scanned on a worker thread: the pre-op pends and the worker resumes it.
            PreOperation: function* (data) {
              if (++reads % 3 !== 0) return FLT_PREOP_SUCCESS_WITH_CALLBACK;
              FltQueueDeferredIoWorkItem(yield* FltAllocateDeferredIoWorkItem(), data, function* (FltWorkItem, Data) {
                yield* FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
                FltFreeDeferredIoWorkItem(FltWorkItem);
              }, 'DelayedWorkQueue', null);
              return FLT_PREOP_PENDING;
            },
            PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
          }),
        ],
      },
    });
    installFilter(sim, {
      name: 'monitor',
      altitude: '385100',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_WRITE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      },
    });
    for (let t = 0; t < threads; t++) {
      const path = `C:\\file${t}.txt`;
      sim.spawn(`app${t}`, function* () {
        for (let i = 0; i < iterations; i++) {
          const open = yield* sim.io.NtCreateFile(path, {
            DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
            ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
            CreateDisposition: FILE_OPEN_IF,
            CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
          });
          if (open.handle === null) return open.status;
          yield* sim.io.NtWriteFile(open.handle, `line ${i}\n`, i * 8);
          yield* sim.io.NtReadFile(open.handle, 8, 0);
          yield* sim.io.NtClose(open.handle);
        }
        return STATUS_SUCCESS;
      });
    }
  },
};
