/**
 * The minifilter callbacks of the random I/O workload (randomIoWorkload.ts): every pre- and
 * post-operation result chosen per call, parameter edits with and without FltSetCallbackDataDirty,
 * blocking only where it is legal, and pended operations handed to work items that resume them
 * after a bounded delay — or to the instance's TeardownStart, whichever comes first (§4 step 2).
 */
import { sleep, type Blocking } from '../../kernel/effects.js';
import type { Random } from '../../kernel/random.js';
import type { FLT_CALLBACK_DATA } from '../../io/ioOperation.js';
import { FltCompletePendedPostOperation, FltCompletePendedPreOperation, FltSetCallbackDataDirty } from '../../io/pending.js';
import {
  FltAllocateDeferredIoWorkItem,
  FltAllocateGenericWorkItem,
  FltFreeDeferredIoWorkItem,
  FltFreeGenericWorkItem,
  FltQueueDeferredIoWorkItem,
  FltQueueGenericWorkItem,
} from '../../fltmgr/workItems.js';
import type { InstanceObject } from '../../fltmgr/instanceObject.js';
import type { FilterObject } from '../../fltmgr/filterObject.js';
import type { FLT_RELATED_OBJECTS } from '../../fltmgr/registration.js';
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_POST_OPERATION_DRAINING,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
} from '../../wdk/fltConstants.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, IRP_MJ_CREATE, IRP_MJ_QUERY_INFORMATION, IRP_MJ_READ, IRP_MJ_WRITE } from '../../wdk/irp.js';
import {
  NT_SUCCESS,
  STATUS_ACCESS_DENIED,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type NTSTATUS,
} from '../../wdk/ntstatus.js';
import { pick } from './draws.js';

/** An operation a filter pended, until a worker or the instance's TeardownStart resumes it. */
export interface Pended {
  readonly where: 'pre' | 'post';
  readonly data: FLT_CALLBACK_DATA;
  readonly instance: InstanceObject;
  /** The filter registered a post-op for this major, so a pended pre-op may resume WITH_CALLBACK. */
  readonly hasPost: boolean;
  claimed: boolean;
}

/** What a pre-op hands its post-op: whether the post-op runs synchronized (and so may block). */
interface Completion {
  readonly synchronized: boolean;
}


/** A status a pre-op may complete `major` with: CLEANUP/CLOSE never fail; a create only fails. */
function completionStatus(r: Random, major: number): NTSTATUS {
  if (major === IRP_MJ_CLEANUP || major === IRP_MJ_CLOSE) return STATUS_SUCCESS;
  if (major === IRP_MJ_CREATE) return pick(r, [STATUS_ACCESS_DENIED, STATUS_OBJECT_NAME_NOT_FOUND]);
  return pick(r, [STATUS_SUCCESS, STATUS_ACCESS_DENIED, STATUS_UNSUCCESSFUL, STATUS_INVALID_DEVICE_REQUEST]);
}

/** Edit a copy of the parameters (length or offset), and maybe mark the data dirty so the edit counts (§7). */
function maybeEdit(r: Random, data: FLT_CALLBACK_DATA): void {
  const choice = r.nextInt(6);
  if (choice >= 3) return;
  const p = data.Iopb.Parameters as unknown as Record<string, Record<string, unknown> | undefined>;
  const read = p.Read;
  const write = p.Write;
  const query = p.QueryFileInformation;
  if (read !== undefined) {
    data.Iopb.Parameters = { ...data.Iopb.Parameters, Read: r.nextInt(2) === 0 ? { ...read, Length: r.nextInt(16) } : { ...read, ByteOffset: r.nextInt(8) } } as never;
  } else if (write !== undefined && typeof write.Length === 'number') {
    data.Iopb.Parameters = { ...data.Iopb.Parameters, Write: { ...write, Length: r.nextInt(write.Length + 1) } } as never;
  } else if (query !== undefined) {
    data.Iopb.Parameters = { ...data.Iopb.Parameters, QueryFileInformation: { ...query, Length: 8 + r.nextInt(120) } } as never;
  }
  // choice 0: edit and mark dirty; 1: edit only (ignored by FltMgr); 2: dirty with or without an edit.
  if (choice !== 1) FltSetCallbackDataDirty(data);
}

export function* preOperation(
  r: Random,
  pended: Pended[],
  major: number,
  hasPost: boolean,
  data: FLT_CALLBACK_DATA,
  objects: FLT_RELATED_OBJECTS,
  context: { value: unknown },
): Blocking<FLT_PREOP_CALLBACK_STATUS> {
  if (r.nextInt(5) === 0) yield* sleep(r.nextInt(3));
  maybeEdit(r, data);
  const roll = r.nextInt(100);
  if (roll < 30 && hasPost) {
    context.value = { synchronized: false } satisfies Completion;
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
  }
  // SYNCHRONIZE is not for creates (they are synchronized already, §8).
  if (roll < 45 && hasPost && major !== IRP_MJ_CREATE) {
    context.value = { synchronized: true } satisfies Completion;
    return FLT_PREOP_SYNCHRONIZE;
  }
  if (roll < 55) {
    data.IoStatus = { Status: completionStatus(r, major), Information: 0 };
    return FLT_PREOP_COMPLETE;
  }
  if (roll < 75) {
    const p: Pended = { where: 'pre', data, instance: objects.Instance, hasPost, claimed: false };
    if (yield* queueWorker(r, pended, p)) {
      // Sometimes the worker may resume it before this pre-op has returned (§8, legal).
      if (r.nextInt(5) === 0) yield* sleep(1);
      return FLT_PREOP_PENDING;
    }
  }
  return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

export function* postOperation(
  r: Random,
  pended: Pended[],
  major: number,
  data: FLT_CALLBACK_DATA,
  objects: FLT_RELATED_OBJECTS,
  context: unknown,
  flags: number,
): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
  // A drain only frees its context and finishes (§4 step 3).
  if ((flags & FLTFL_POST_OPERATION_DRAINING) !== 0) return FLT_POSTOP_FINISHED_PROCESSING;
  // Only a synchronized post-op (SYNCHRONIZE, or any post-create) runs at PASSIVE and may block;
  // the others run as if at DISPATCH_LEVEL (src/io/postOperation.ts).
  const mayBlock = major === IRP_MJ_CREATE || (context as Completion | null)?.synchronized === true;
  if (mayBlock && r.nextInt(4) === 0) yield* sleep(1 + r.nextInt(2));
  // Edits in a post-op reach nobody: every higher post-op sees its own pre-op's view (§7).
  maybeEdit(r, data);
  const failable = major === IRP_MJ_READ || major === IRP_MJ_WRITE || major === IRP_MJ_QUERY_INFORMATION;
  if (failable && NT_SUCCESS(data.IoStatus.Status) && r.nextInt(10) === 0) data.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
  if (r.nextInt(6) === 0) {
    const p: Pended = { where: 'post', data, instance: objects.Instance, hasPost: true, claimed: false };
    if (yield* queueWorker(r, pended, p)) {
      if (mayBlock && r.nextInt(4) === 0) yield* sleep(1);
      return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
    }
  }
  return FLT_POSTOP_FINISHED_PROCESSING;
}

/**
 * Hand a pended operation to a worker: a deferred-I/O work item, or a generic one on the instance
 * or the filter. False if every queue refused (the instance or filter is going away).
 */
function* queueWorker(r: Random, pended: Pended[], p: Pended): Blocking<boolean> {
  const delay = r.nextInt(4);
  const work = function* (): Blocking<void> {
    yield* sleep(delay);
    yield* resume(r, pended, p);
  };
  // Each routine frees its own item, and a refused item is freed at once (§12.1).
  const generic = function* (FltObject: InstanceObject | FilterObject): Blocking<NTSTATUS> {
    const item = yield* FltAllocateGenericWorkItem();
    const queued = FltQueueGenericWorkItem(item, FltObject, function* (FltWorkItem) {
      yield* work();
      FltFreeGenericWorkItem(FltWorkItem);
    }, 'DelayedWorkQueue', null);
    if (!NT_SUCCESS(queued)) FltFreeGenericWorkItem(item);
    return queued;
  };
  let status: NTSTATUS;
  if (r.nextInt(2) === 0) {
    const item = yield* FltAllocateDeferredIoWorkItem();
    status = FltQueueDeferredIoWorkItem(item, p.data, function* (FltWorkItem) {
      yield* work();
      FltFreeDeferredIoWorkItem(FltWorkItem);
    }, 'DelayedWorkQueue', null);
    if (!NT_SUCCESS(status)) FltFreeDeferredIoWorkItem(item);
  } else {
    status = yield* generic(p.instance);
  }
  if (!NT_SUCCESS(status)) status = yield* generic(p.instance.filter);
  if (!NT_SUCCESS(status)) return false;
  pended.push(p);
  return true;
}

/** Resume a pended operation once, whoever gets to it first (its worker or its instance's teardown). */
export function* resume(r: Random, pended: Pended[], p: Pended): Blocking<void> {
  if (p.claimed) return;
  p.claimed = true;
  pended.splice(pended.indexOf(p), 1);
  if (p.where === 'post') {
    yield* FltCompletePendedPostOperation(p.data);
    return;
  }
  maybeEdit(r, p.data);
  const major = p.data.Iopb.MajorFunction;
  const roll = r.nextInt(10);
  if (roll < 4 && p.hasPost) {
    yield* FltCompletePendedPreOperation(p.data, FLT_PREOP_SUCCESS_WITH_CALLBACK, { synchronized: false } satisfies Completion);
  } else if (roll < 6) {
    p.data.IoStatus = { Status: completionStatus(r, major), Information: 0 };
    yield* FltCompletePendedPreOperation(p.data, FLT_PREOP_COMPLETE, null);
  } else {
    yield* FltCompletePendedPreOperation(p.data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
  }
}
