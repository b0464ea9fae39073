/** Triggers for the rules about callbacks, their results and pending (§8, §13 A1, §14 inv. 7, 9, 10, 20). */
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FltAllocateGenericWorkItem,
  FltCompletePendedPostOperation,
  FltCompletePendedPreOperation,
  FltQueueGenericWorkItem,
  IRP_MJ_CLEANUP,
  IRP_MJ_CREATE,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_READ,
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_SYNCHRONOUS_IO_NONALERT,
  sleep,
  STATUS_ACCESS_DENIED,
  STATUS_PENDING,
  type FLT_CALLBACK_DATA,
  type FLT_OPERATION_REGISTRATION,
  type SimulationOptions,
  type VerifierRule,
} from '../../src/index.js';
import { operations } from '../../src/testing/index.js';
import { readOnce, world, type Trigger } from './world.js';

/** One filter with `callbacks` for `majors`; an application reads \f.txt once. */
function readThrough(majors: readonly number[], callbacks: Omit<FLT_OPERATION_REGISTRATION, 'MajorFunction'>, options: SimulationOptions = {}) {
  const { sim } = world({ 'careless@300000': () => ({ OperationRegistration: operations(majors, callbacks) }) }, options);
  sim.spawn('app', () => readOnce(sim));
  sim.run();
  return sim;
}

const finished = () => FLT_POSTOP_FINISHED_PROCESSING;

export const callbackTriggers = {
  CALLBACK_RETURN_INVALID: () => readThrough([IRP_MJ_READ], { PreOperation: () => 'allow' as unknown as typeof FLT_PREOP_COMPLETE }),
  COMPLETION_CONTEXT_WITHOUT_CALLBACK: () =>
    readThrough([IRP_MJ_READ], {
      PreOperation: (_d, _o, context) => ((context.value = 'scan state'), FLT_PREOP_SUCCESS_NO_CALLBACK),
      PostOperation: finished,
    }),
  NO_POST_OPERATION: () => readThrough([IRP_MJ_READ], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK }),
  DISALLOW_FASTIO_ON_IRP: () => readThrough([IRP_MJ_READ], { PreOperation: () => FLT_PREOP_DISALLOW_FASTIO }),
  // A fast FileBasicInformation query (semantics.fastIo 'whereWindows', synchronous handle) pended (§8).
  PEND_FAST_IO: () => {
    const { sim } = world({ 'careless@300000': () => ({ OperationRegistration: operations([IRP_MJ_QUERY_INFORMATION], { PreOperation: () => FLT_PREOP_PENDING }) }) }, { semantics: { fastIo: 'whereWindows' } });
    sim.spawn('app', function* () {
      const c = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      yield* sim.io.NtQueryInformationFile(c.handle!, FILE_INFORMATION_CLASS.FileBasicInformation, 40);
    });
    sim.run();
    return sim;
  },
  COMPLETE_WITH_PENDING_STATUS: () =>
    readThrough([IRP_MJ_READ], { PreOperation: (d) => ((d.IoStatus = { Status: STATUS_PENDING, Information: 0 }), FLT_PREOP_COMPLETE) }),
  CLEANUP_CLOSE_FAILED: () =>
    readThrough([IRP_MJ_CLEANUP], { PreOperation: (d) => ((d.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 }), FLT_PREOP_COMPLETE) }),
  BLOCKING_AT_DISPATCH: () =>
    readThrough(
      [IRP_MJ_READ],
      {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* () {
          yield* sleep(1);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      },
      { fileSystemCompletion: 'deferred' },
    ),
  COMPLETE_NOT_PENDED: () =>
    readThrough([IRP_MJ_READ], {
      PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
      // Resumes a post-op it never pended, then finishes it itself: the data would complete twice.
      PostOperation: function* (d) {
        yield* FltCompletePendedPostOperation(d);
        return FLT_POSTOP_FINISHED_PROCESSING;
      },
    }),
  COMPLETE_PENDED_BAD_STATUS: () =>
    readThrough([IRP_MJ_READ], {
      PreOperation: function* (d) {
        FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), d.Iopb.TargetInstance!, () => FltCompletePendedPreOperation(d, FLT_PREOP_SYNCHRONIZE, null), 'DelayedWorkQueue', null);
        return FLT_PREOP_PENDING;
      },
      PostOperation: finished,
    }),
  DRAIN_MUST_FINISH: () => {
    // The lower filter parks the create; unloading the upper one drains its post-create, which refuses to finish.
    let parked: FLT_CALLBACK_DATA | null = null;
    const { sim } = world({
      'upper@300000': () => ({ OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_MORE_PROCESSING_REQUIRED }) }),
      'lower@100000': () => ({ OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: (d) => ((parked = d), FLT_PREOP_PENDING) }) }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    sim.spawn('fltmc unload', () => sim.FilterUnload('upper'));
    sim.run();
    if (parked === null) throw new Error('the create never reached the lower filter');
    return sim;
  },
} satisfies Partial<Record<VerifierRule, Trigger>>;
