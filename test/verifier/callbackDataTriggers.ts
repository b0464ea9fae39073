/** Triggers for the rules about callback data a filter allocates (§11.8–11.12, §14 inv. 11–13). */
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltAllocateCallbackData,
  FltFreeCallbackData,
  FltPerformAsynchronousIo,
  FltPerformSynchronousIo,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  sleep,
  type FLT_CALLBACK_DATA,
  type PFLT_INSTANCE,
  type PFILE_OBJECT,
  type SimulationOptions,
  type Blocking,
  type VerifierRule,
} from '../../src/index.js';
import { operations } from '../../src/testing/index.js';
import { closeFromFilter, openFromFilter, readOnce, world, type Trigger } from './world.js';

function readParams(data: FLT_CALLBACK_DATA): FLT_CALLBACK_DATA {
  data.Iopb.MajorFunction = IRP_MJ_READ;
  data.Iopb.Parameters = { Read: { Length: 4, Key: 0, ByteOffset: 0 } };
  return data;
}

/** A filter thread opens \f.txt, runs `body` with read callback data allocated on it, and closes the file. */
function withData(body: (data: FLT_CALLBACK_DATA, instance: PFLT_INSTANCE, fo: PFILE_OBJECT) => Blocking<unknown>, options: SimulationOptions = {}) {
  const w = world({ 'scanner@300000': () => ({}) }, options);
  w.sim.spawn('scan', function* () {
    const o = w.objects('scanner');
    const file = yield* openFromFilter(o);
    const data = readParams(FltAllocateCallbackData(o.Instance, file.fo).data!);
    yield* body(data, o.Instance, file.fo);
    yield* closeFromFilter(file);
  });
  w.sim.run();
  return w.sim;
}

export const callbackDataTriggers = {
  FREE_NOT_OWNED: () => {
    const { sim } = world({
      'careless@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], { PreOperation: (d) => (FltFreeCallbackData(d), FLT_PREOP_SUCCESS_NO_CALLBACK), PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }),
      }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    return sim;
  },
  USE_AFTER_FREE: () =>
    withData(function* (data) {
      FltFreeCallbackData(data);
      yield* FltPerformSynchronousIo(data);
    }),
  FREE_BEFORE_CALLBACK: () =>
    withData(
      function* (data) {
        yield* FltPerformAsynchronousIo(data, () => undefined, null); // STATUS_PENDING: the file system completes later
        FltFreeCallbackData(data);
      },
      { fileSystemCompletion: 'deferred', fileSystemLatency: 5 },
    ),
  CALLBACK_DATA_IN_FLIGHT: () => {
    // One thread performs synchronously (the file system completes later); another frees the data meanwhile.
    const w = world({ 'scanner@300000': () => ({}) }, { fileSystemCompletion: 'deferred', fileSystemLatency: 5 });
    let shared: FLT_CALLBACK_DATA | null = null;
    w.sim.spawn('scan', function* () {
      const o = w.objects('scanner');
      const file = yield* openFromFilter(o);
      shared = readParams(FltAllocateCallbackData(o.Instance, file.fo).data!);
      yield* FltPerformSynchronousIo(shared);
    });
    w.sim.spawn('freer', function* () {
      while (shared === null) yield* sleep(1);
      FltFreeCallbackData(shared);
    });
    w.sim.run();
    return w.sim;
  },
  PERFORM_WITHOUT_REUSE: () =>
    withData(function* (data) {
      yield* FltPerformSynchronousIo(data);
      yield* FltPerformSynchronousIo(data);
    }),
  NO_TARGET_FILE_OBJECT: () => {
    const w = world({ 'scanner@300000': () => ({}) });
    w.sim.spawn('scan', () => FltPerformSynchronousIo(readParams(FltAllocateCallbackData(w.objects('scanner').Instance, null).data!)));
    w.sim.run();
    return w.sim;
  },
  // Opt-in: by default the call returns STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST (§11.10).
  ASYNC_CREATE: () =>
    withData(function* (data) {
      data.Iopb.MajorFunction = IRP_MJ_CREATE;
      yield* FltPerformAsynchronousIo(data, () => undefined, null);
    }, { semantics: { asyncCreate: 'verifier' } }),
} satisfies Partial<Record<VerifierRule, Trigger>>;
