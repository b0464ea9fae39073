/**
 * Context figures (§15): round trips per second a minifilter gets from the context routines, beside
 * the bare-XState baseline (each routine logs one fact per reference-count change and sends it to
 * the context's machine, so `actor.send` is the floor).
 *
 * - get round trip: FltGetStreamContext + FltReleaseContext on a file object whose stream has a
 *   context (two facts);
 * - set round trip: FltAllocateContext + FltSetStreamContext(REPLACE_IF_EXISTS, no OldContext) +
 *   FltReleaseContext, which also unlinks and frees the context it replaces (six facts and a cleanup).
 *
 * Public API only. The stack and the open happen before the clock starts; the routines are called
 * from a simulated thread at PASSIVE_LEVEL, as a filter's worker would (get and set are scheduling
 * points, so the figure includes the scheduler's step for each), with `record: false` so the log
 * is streamed, not kept.
 */
import { XSTATE_SEND } from './baselines.js';
import { compare, measure, rateSpread, type BenchContext, type Row } from './harness.js';
import { runToIdle } from './workloads.js';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FltAllocateContext,
  FltGetStreamContext,
  FltReleaseContext,
  FltSetStreamContext,
  IRP_MJ_CREATE,
  NonPagedPool,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_RELATED_OBJECTS,
  type Simulation,
} from '../src/index.js';
import { installFilter } from '../src/testing/index.js';

const ROUND_TRIPS = 20_000;

function system(): { sim: Simulation; objects: FLT_RELATED_OBJECTS } {
  const sim = createSimulation({ seed: 1, record: false });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', 'context');
  let objects: FLT_RELATED_OBJECTS | null = null;
  installFilter(sim, {
    name: 'ctx',
    altitude: '320000',
    registration: {
      ContextRegistration: [{ ContextType: FLT_STREAM_CONTEXT, Size: 16, PoolTag: 1, ContextCleanupCallback: () => undefined }],
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PostOperation: function* (_Data, FltObjects) {
            objects = FltObjects;
            const { context } = FltAllocateContext(FltObjects.Filter, FLT_STREAM_CONTEXT, 16, NonPagedPool);
            yield* FltSetStreamContext(FltObjects.Instance, FltObjects.FileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!);
            FltReleaseContext(context!);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    },
  });
  sim.spawn('open', () => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN }));
  runToIdle(sim);
  if (objects === null) throw new Error('bench: the open never reached post-create');
  return { sim, objects };
}

export function contexts(context: BenchContext): Row[] {
  const xstate = context.baseline(XSTATE_SEND);
  const { sim, objects } = system();
  const { Filter, Instance, FileObject } = objects;
  const fo = FileObject!;
  // Get and set are scheduling points: each round trip runs on a simulated thread, its preemption
  // points taken by the scheduler as a filter's would be.
  const onThread = (body: () => Blocking<void>) => () => {
    sim.spawn('bench', body);
    runToIdle(sim);
    return fo;
  };
  const get = measure({ warmup: 2, repetitions: 7 }, onThread(function* () {
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const { context: c } = yield* FltGetStreamContext(Instance, fo);
      FltReleaseContext(c!);
    }
  }));
  const set = measure({ warmup: 2, repetitions: 7 }, onThread(function* () {
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const { context: c } = FltAllocateContext(Filter, FLT_STREAM_CONTEXT, 16, NonPagedPool);
      if ((yield* FltSetStreamContext(Instance, fo, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, c!)) !== STATUS_SUCCESS) throw new Error('bench: set failed');
      FltReleaseContext(c!);
    }
  }));
  return [
    compare({ name: 'context get round trip', value: ROUND_TRIPS / get.median, unit: 'round trips/s', note: rateSpread(ROUND_TRIPS, get) }, xstate),
    compare({ name: 'context allocate+set(REPLACE)+release', value: ROUND_TRIPS / set.median, unit: 'round trips/s', note: rateSpread(ROUND_TRIPS, set) }, xstate),
  ];
}
