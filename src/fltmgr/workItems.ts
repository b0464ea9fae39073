/**
 * Work items (§8, §12): how a filter gets its own code onto another thread — typically to finish
 * an operation it pended. Each queued item runs on a new system worker thread when the scheduler
 * picks it, at PASSIVE_LEVEL, and holds its filter's unload gate shut until its routine returns.
 */
import type { Blocking, MaybeBlocking } from '../kernel/effects.js';
import type { FilterManager, FltObject } from './filterManager.js';
import { FilterObject } from './filterObject.js';
import { InstanceObject } from './instanceObject.js';
import { isBeingTornDown, fltMgrOf } from './references.js';
import { fail } from './routineSupport.js';
import { badArgument, functionArgument, kindOf, nullPointer, oneOfArgument } from '../kernel/arguments.js';
import { fltObjectArgument } from './objectArguments.js';
import { IRP_PAGING_IO } from '../wdk/irp.js';
import { FLTFL_CALLBACK_DATA_IRP_OPERATION } from '../wdk/fltConstants.js';
import {
  STATUS_FLT_DELETING_OBJECT,
  STATUS_FLT_NOT_SAFE_TO_POST_OPERATION,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FLT_CALLBACK_DATA } from '../io/ioOperation.js';
import { callbackDataRef } from '../io/callbackDataRef.js';

/** PFLT_GENERIC_WORKITEM / PFLT_DEFERRED_IO_WORKITEM: an item can be queued once at a time. */
export interface FltWorkItem {
  readonly id: string;
  queued: boolean;
}

export type WORK_QUEUE_TYPE = 'CriticalWorkQueue' | 'DelayedWorkQueue';

export type PFLT_GENERIC_WORKITEM_ROUTINE = (FltWorkItem: FltWorkItem, FltObject: FltObject, Context: unknown) => MaybeBlocking<void>;
export type PFLT_DEFERRED_IO_WORKITEM_ROUTINE = (FltWorkItem: FltWorkItem, CallbackData: FLT_CALLBACK_DATA, Context: unknown) => MaybeBlocking<void>;

/** FltAllocateGenericWorkItem / FltAllocateDeferredIoWorkItem. Ids are per item object, not per simulation. */
export function FltAllocateGenericWorkItem(): FltWorkItem {
  return { id: 'generic work item', queued: false };
}

export function FltAllocateDeferredIoWorkItem(): FltWorkItem {
  return { id: 'deferred I/O work item', queued: false };
}

export function FltFreeGenericWorkItem(FltWorkItem: FltWorkItem): void {
  workItemArgument('FltFreeGenericWorkItem', FltWorkItem);
}

export function FltFreeDeferredIoWorkItem(FltWorkItem: FltWorkItem): void {
  workItemArgument('FltFreeDeferredIoWorkItem', FltWorkItem);
}

/** A work item from FltAllocate*WorkItem; NULL (a failed allocation not checked) is NULL_POINTER. */
function workItemArgument(routine: string, value: unknown): FltWorkItem {
  if (value !== null && typeof value === 'object' && typeof (value as { queued?: unknown }).queued === 'boolean') return value as FltWorkItem;
  if (value === null || value === undefined) throw nullPointer(routine, 'FltWorkItem', null);
  throw badArgument(routine, `FltWorkItem is ${kindOf(value)}, not a work item from FltAllocateGenericWorkItem / FltAllocateDeferredIoWorkItem`);
}

/** The arguments every queue routine shares: the item, the routine, the queue. */
function queueArguments(routine: string, FltWorkItem: unknown, WorkerRoutine: unknown, QueueType: unknown): void {
  workItemArgument(routine, FltWorkItem);
  functionArgument(routine, 'WorkerRoutine', WorkerRoutine, false);
  oneOfArgument(routine, 'QueueType', QueueType, ['CriticalWorkQueue', 'DelayedWorkQueue'] as const);
}

function filterOf(object: FltObject): FilterObject | null {
  if (object instanceof FilterObject) return object;
  if (object instanceof InstanceObject) return object.filter;
  return null;
}

/**
 * FltQueueGenericWorkItem(FltWorkItem, FltObject, WorkerRoutine, QueueType, Context): run
 * WorkerRoutine on a worker thread. FltObject (a filter or instance) stays referenced until the
 * routine returns; STATUS_FLT_DELETING_OBJECT once it is being torn down.
 */
export function FltQueueGenericWorkItem(
  FltWorkItem: FltWorkItem,
  FltObject: FltObject,
  WorkerRoutine: PFLT_GENERIC_WORKITEM_ROUTINE,
  QueueType: WORK_QUEUE_TYPE,
  Context: unknown,
): NTSTATUS {
  queueArguments('FltQueueGenericWorkItem', FltWorkItem, WorkerRoutine, QueueType);
  fltObjectArgument('FltQueueGenericWorkItem', FltObject);
  const fltMgr = fltMgrOf(FltObject);
  const filter = filterOf(FltObject);
  if (filter === null) return fail(fltMgr, FltObject, 'FltQueueGenericWorkItem', STATUS_INVALID_PARAMETER, 'FltObject must be a filter or an instance');
  if (isBeingTornDown(FltObject)) return fail(fltMgr, FltObject, 'FltQueueGenericWorkItem', STATUS_FLT_DELETING_OBJECT, `${FltObject} is being torn down`);
  queue(fltMgr, FltWorkItem, filter, `WorkItem(${filter.name}, ${QueueType})`, () => WorkerRoutine(FltWorkItem, FltObject, Context));
  return STATUS_SUCCESS;
}

/**
 * FltQueueDeferredIoWorkItem(FltWorkItem, Data, WorkerRoutine, QueueType, Context): post an
 * operation to a worker thread, typically from a pre-op that then returns FLT_PREOP_PENDING.
 * Refused with STATUS_FLT_NOT_SAFE_TO_POST_OPERATION for fast I/O and paging I/O, and with
 * STATUS_FLT_DELETING_OBJECT once the target instance is tearing down, the copy a draining post-op
 * received included (§14 invariant 19).
 */
export function FltQueueDeferredIoWorkItem(
  FltWorkItem: FltWorkItem,
  Data: FLT_CALLBACK_DATA,
  WorkerRoutine: PFLT_DEFERRED_IO_WORKITEM_ROUTINE,
  QueueType: WORK_QUEUE_TYPE,
  Context: unknown,
): NTSTATUS {
  queueArguments('FltQueueDeferredIoWorkItem', FltWorkItem, WorkerRoutine, QueueType);
  const ref = callbackDataRef(Data, 'FltQueueDeferredIoWorkItem');
  const op = ref.op;
  const fltMgr = op.volume.fltMgr;
  const instance = Data.Iopb.TargetInstance;
  if (instance === null) return fail(fltMgr, op.id, 'FltQueueDeferredIoWorkItem', STATUS_INVALID_PARAMETER, 'no target instance');
  if ((Data.Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) === 0) {
    // Fast I/O runs on the caller's thread to the end: it cannot be posted (§8).
    return fail(fltMgr, op.id, 'FltQueueDeferredIoWorkItem', STATUS_FLT_NOT_SAFE_TO_POST_OPERATION, 'not an IRP operation (fast I/O cannot be posted)');
  }
  if ((Data.Iopb.IrpFlags & IRP_PAGING_IO) !== 0) {
    return fail(fltMgr, op.id, 'FltQueueDeferredIoWorkItem', STATUS_FLT_NOT_SAFE_TO_POST_OPERATION, 'paging I/O cannot be posted');
  }
  if (ref.kind === 'drainingCopy') {
    // A draining post-op's copy: the operation is leaving this instance for good (§4, §14 invariant 19).
    return fail(fltMgr, op.id, 'FltQueueDeferredIoWorkItem', STATUS_FLT_DELETING_OBJECT, `draining copy of ${op.id}: ${ref.instance.id} is tearing down`);
  }
  if (!instance.receivesOperations) {
    return fail(fltMgr, op.id, 'FltQueueDeferredIoWorkItem', STATUS_FLT_DELETING_OBJECT, `${instance} is tearing down`);
  }
  queue(fltMgr, FltWorkItem, instance.filter, `DeferredIo(${instance.filter.name}, ${op.id}, ${QueueType})`, () => WorkerRoutine(FltWorkItem, Data, Context));
  return STATUS_SUCCESS;
}

function queue(fltMgr: FilterManager, item: FltWorkItem, filter: FilterObject, name: string, routine: () => MaybeBlocking<void>): void {
  if (item.queued) throw fltMgr.kernel.violation('WORK_ITEM_QUEUED_TWICE', filter.id, `${name}: the work item is already queued`);
  item.queued = true;
  filter.rundown.add('workItems', 1);
  const thread = fltMgr.kernel.spawn(name, runItem(fltMgr, item, filter, routine));
  filter.rundown.workItemThreads.push(`${thread.id} (${name})`);
}

function* runItem(fltMgr: FilterManager, item: FltWorkItem, filter: FilterObject, routine: () => MaybeBlocking<void>): Blocking<number> {
  item.queued = false;
  try {
    yield* fltMgr.invoke(filter, routine);
  } finally {
    const self = fltMgr.kernel.current?.id ?? '';
    const items = filter.rundown.workItemThreads;
    const i = items.findIndex((t) => t.startsWith(`${self} `));
    if (i >= 0) items.splice(i, 1);
    filter.rundown.add('workItems', -1);
  }
  return STATUS_SUCCESS;
}
