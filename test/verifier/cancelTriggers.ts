/** Triggers for the cancellation and cancel-safe queue rules (§18.3, §19). */
import {
  FLT_CALLBACK_DATA_QUEUE,
  FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltAllocateDeferredIoWorkItem,
  FltCancelIo,
  FltCbdqDisable,
  FltCbdqInitialize,
  FltCbdqInsertIo,
  FltCompletePendedPreOperation,
  FltQueueDeferredIoWorkItem,
  FltSetCancelCompletion,
  IRP_MJ_READ,
  sleep,
  STATUS_SUCCESS,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type Simulation,
  type VerifierRule,
} from '../../src/index.js';
import { operations } from '../../src/testing/index.js';
import { readOnce, world, type Trigger } from './world.js';

/** A queue whose callbacks keep a plain list and take no lock (enough to trigger the rules). */
function queueFor(objects: FLT_RELATED_OBJECTS): FLT_CALLBACK_DATA_QUEUE {
  const q = new FLT_CALLBACK_DATA_QUEUE('trigger queue');
  const list: FLT_CALLBACK_DATA[] = [];
  FltCbdqInitialize(
    objects.Instance,
    q,
    (_q, d) => (list.push(d), STATUS_SUCCESS),
    (_q, d) => void list.splice(list.indexOf(d), 1),
    (_q, d) => list[d === null ? 0 : list.indexOf(d) + 1] ?? null,
    () => 0,
    () => undefined,
    () => undefined,
  );
  return q;
}

function reading(sim: Simulation): Simulation {
  sim.spawn('app', () => readOnce(sim));
  sim.run();
  return sim;
}

export const cancelTriggers: Record<Extract<VerifierRule, 'COMPLETE_WHILE_CANCELABLE' | 'CANCEL_IO_NOT_OWNED' | 'CANCEL_ROUTINE_CONFLICT' | 'CANCEL_COMPLETION_NOT_PENDED' | 'CBDQ_PENDED_AFTER_DISABLE'>, Trigger> = {
  // The worker completes a posted read without FltClearCancelCompletion first.
  COMPLETE_WHILE_CANCELABLE: () => {
    const w = world({
      'poster@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            FltSetCancelCompletion(data, () => undefined);
            FltQueueDeferredIoWorkItem(yield* FltAllocateDeferredIoWorkItem(), data, (_i, Data) => FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null), 'DelayedWorkQueue', null);
            return FLT_PREOP_PENDING;
          },
        }),
      }),
    });
    return reading(w.sim);
  },
  // A filter cancels an application's read it neither issued nor pended, on its way down.
  CANCEL_IO_NOT_OWNED: () => {
    const w = world({
      'meddler@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            yield* FltCancelIo(data);
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        }),
      }),
    });
    return reading(w.sim);
  },
  // FltSetCancelCompletion on data the filter just put in its cancel-safe queue.
  CANCEL_ROUTINE_CONFLICT: () => {
    let queue: FLT_CALLBACK_DATA_QUEUE | null = null;
    const w = world({
      'queuer@300000': (wd) => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            queue ??= queueFor(wd.objects('queuer'));
            yield* FltCbdqInsertIo(queue, data, new FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT(), null);
            FltSetCancelCompletion(data, () => undefined);
            return FLT_PREOP_PENDING;
          },
        }),
      }),
    });
    return reading(w.sim);
  },
  // FltSetCancelCompletion on a read that is on its way to the file system, not posted anywhere.
  CANCEL_COMPLETION_NOT_PENDED: () => {
    let seen: FLT_CALLBACK_DATA | null = null;
    const w = world({
      'late@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: (data) => ((seen = data), FLT_PREOP_SUCCESS_NO_CALLBACK),
        }),
      }),
    });
    w.sim.fileSystem('C:').hold({ MajorFunction: IRP_MJ_READ });
    w.sim.spawn('app', () => readOnce(w.sim));
    w.sim.spawn('filter thread', function* () {
      yield* sleep(5);
      FltSetCancelCompletion(seen!, () => undefined);
    });
    w.sim.run();
    return w.sim;
  },
  // TeardownStart-style disable, then a pre-op that pends the read its refused insert left nowhere.
  CBDQ_PENDED_AFTER_DISABLE: () => {
    let queue: FLT_CALLBACK_DATA_QUEUE | null = null;
    const w = world({
      'stale@300000': (wd) => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            queue ??= queueFor(wd.objects('stale'));
            FltCbdqDisable(queue);
            yield* FltCbdqInsertIo(queue, data, new FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT(), null);
            return FLT_PREOP_PENDING;
          },
        }),
      }),
    });
    return reading(w.sim);
  },
};
