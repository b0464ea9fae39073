/**
 * Work items (§8, §12.1): how a filter gets its own code onto another thread — typically to finish
 * an operation it pended. Each queued item runs on a new system worker thread when the scheduler
 * picks it, at PASSIVE_LEVEL, and holds its filter's unload gate shut until its routine returns.
 * The item is a kernel object (src/fltmgr/workItemObjects.ts) whose machine decides what may be
 * done with it: queued twice, freed while queued, used after its free are verifier findings.
 */
import { isGenerator, kernelCall, type Blocking, type MaybeBlocking } from '../kernel/effects.js';
import type { FactBody, FactOf, WorkQueueType } from '../kernel/facts.js';
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
import { FltWorkItem, type WorkItemKind } from './workItemObjects.js';
import { callerFilter, fltMgrOfKernel } from './poolRoutines.js';

export type WORK_QUEUE_TYPE = WorkQueueType;

export type PFLT_GENERIC_WORKITEM_ROUTINE = (FltWorkItem: FltWorkItem, FltObject: FltObject, Context: unknown) => MaybeBlocking<void>;
export type PFLT_DEFERRED_IO_WORKITEM_ROUTINE = (FltWorkItem: FltWorkItem, CallbackData: FLT_CALLBACK_DATA, Context: unknown) => MaybeBlocking<void>;

/**
 * FltAllocateGenericWorkItem(): a work item from nonpaged pool (§12.1). It takes no object that
 * leads to the simulation, so it is a generator (`yield*`) that reaches it through the kernel, as
 * the Ex* pool routines do. The owner in the log is the filter whose callback or work item calls it.
 */
export function FltAllocateGenericWorkItem(): Blocking<FltWorkItem> {
  return kernelCall((kernel, thread) => {
    const fltMgr = fltMgrOfKernel(kernel);
    return fltMgr.workItems.allocate('generic', callerFilter(fltMgr, thread));
  });
}

/** FltAllocateDeferredIoWorkItem(): as FltAllocateGenericWorkItem, for FltQueueDeferredIoWorkItem. */
export function FltAllocateDeferredIoWorkItem(): Blocking<FltWorkItem> {
  return kernelCall((kernel, thread) => {
    const fltMgr = fltMgrOfKernel(kernel);
    return fltMgr.workItems.allocate('deferredIo', callerFilter(fltMgr, thread));
  });
}

/** FltFreeGenericWorkItem(FltWorkItem): typically from the item's own routine (§12.1). */
export function FltFreeGenericWorkItem(FltWorkItem: FltWorkItem): void {
  free('FltFreeGenericWorkItem', workItemArgument('FltFreeGenericWorkItem', 'generic', FltWorkItem));
}

export function FltFreeDeferredIoWorkItem(FltWorkItem: FltWorkItem): void {
  free('FltFreeDeferredIoWorkItem', workItemArgument('FltFreeDeferredIoWorkItem', 'deferredIo', FltWorkItem));
}

/**
 * The item's machine decides (src/machines/workItem.ts): a free it refuses is a verifier finding,
 * named by the state it is in — Queued (FltMgr still holds it) or Freed.
 */
function free(routine: 'FltFreeGenericWorkItem' | 'FltFreeDeferredIoWorkItem', item: FltWorkItem): void {
  const kernel = item.kernel;
  if (!item.actor.getSnapshot().can({ seq: kernel.log.nextSeq, time: kernel.now, object: item.id, type: routine })) {
    if (item.state === 'Queued') {
      throw kernel.violation('WORK_ITEM_FREED_WHILE_QUEUED', item.id, `${routine} on ${item}, which is queued: the worker thread would take it off the queue from freed pool (§12.1)`);
    }
    throw kernel.violation('BUFFER_USED_AFTER_FREE', item.id, `${routine} on ${item}, which was already freed (§12.1)`);
  }
  fltMgrOfKernel(kernel).workItems.free(item, { type: routine });
}

/**
 * A work item from FltAllocate*WorkItem of the kind the routine takes (in C the two are different
 * pointer types, so a mix-up does not compile); NULL (a failed allocation not checked) is NULL_POINTER.
 */
function workItemArgument(routine: string, kind: WorkItemKind, value: unknown): FltWorkItem {
  const allocator = kind === 'generic' ? 'FltAllocateGenericWorkItem' : 'FltAllocateDeferredIoWorkItem';
  if (value instanceof FltWorkItem) {
    if (value.kind !== kind) throw badArgument(routine, `FltWorkItem is ${value}, not a work item from ${allocator}`);
    return value;
  }
  if (value === null || value === undefined) throw nullPointer(routine, 'FltWorkItem', null);
  if (isGenerator(value)) throw badArgument(routine, `FltWorkItem is the generator ${allocator} returns: call it with \`yield* ${allocator}()\``);
  throw badArgument(routine, `FltWorkItem is ${kindOf(value)}, not a work item from ${allocator}`);
}

/** The arguments every queue routine shares: the item, the routine, the queue. */
function queueArguments(routine: string, kind: WorkItemKind, FltWorkItem: unknown, WorkerRoutine: unknown, QueueType: unknown): FltWorkItem {
  const item = workItemArgument(routine, kind, FltWorkItem);
  functionArgument(routine, 'WorkerRoutine', WorkerRoutine, false);
  oneOfArgument(routine, 'QueueType', QueueType, ['CriticalWorkQueue', 'DelayedWorkQueue'] as const);
  return item;
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
  const item = queueArguments('FltQueueGenericWorkItem', 'generic', FltWorkItem, WorkerRoutine, QueueType);
  fltObjectArgument('FltQueueGenericWorkItem', FltObject);
  const fltMgr = fltMgrOf(FltObject);
  const filter = filterOf(FltObject);
  if (filter === null) return fail(fltMgr, FltObject, 'FltQueueGenericWorkItem', STATUS_INVALID_PARAMETER, 'FltObject must be a filter or an instance');
  if (isBeingTornDown(FltObject)) return fail(fltMgr, FltObject, 'FltQueueGenericWorkItem', STATUS_FLT_DELETING_OBJECT, `${FltObject} is being torn down`);
  const fact = { type: 'FltQueueGenericWorkItem', filter: filter.id, target: FltObject.id, queueType: QueueType } as const;
  queue(fltMgr, item, filter, fact, `WorkItem(${filter.name}, ${QueueType})`, () => WorkerRoutine(item, FltObject, Context));
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
  const item = queueArguments('FltQueueDeferredIoWorkItem', 'deferredIo', FltWorkItem, WorkerRoutine, QueueType);
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
  const fact = { type: 'FltQueueDeferredIoWorkItem', filter: instance.filter.id, operation: op.id, instance: instance.id, queueType: QueueType } as const;
  queue(fltMgr, item, instance.filter, fact, `DeferredIo(${instance.filter.name}, ${op.id}, ${QueueType})`, () => WorkerRoutine(item, Data, Context));
  return STATUS_SUCCESS;
}

type QueueFact = Extract<FactBody, { type: 'FltQueueGenericWorkItem' | 'FltQueueDeferredIoWorkItem' }>;

/**
 * Queue `item` for `filter`: its machine decides (src/machines/workItem.ts), and a queue it refuses
 * is the finding its state names — Queued (WORK_ITEM_QUEUED_TWICE) or Freed (a use after free).
 */
function queue(fltMgr: FilterManager, item: FltWorkItem, filter: FilterObject, body: QueueFact, name: string, routine: () => MaybeBlocking<void>): void {
  const kernel = fltMgr.kernel;
  if (item.kernel !== kernel) throw badArgument(body.type, `FltWorkItem is ${item} of another simulation`);
  if (!item.actor.getSnapshot().can({ seq: kernel.log.nextSeq, time: kernel.now, object: item.id, ...body } as FactOf<QueueFact['type']>)) {
    if (item.state === 'Queued') throw kernel.violation('WORK_ITEM_QUEUED_TWICE', item.id, `${name}: ${item} is already queued (its routine has not started)`);
    throw kernel.violation('BUFFER_USED_AFTER_FREE', item.id, `${body.type} on ${item}, which was freed (§12.1)`);
  }
  kernel.emit(item.id, body);
  filter.rundown.add('workItems', 1);
  const thread = kernel.spawn(name, runItem(fltMgr, item, filter, routine));
  filter.rundown.workItemThreads.push(`${thread.id} (${name})`);
}

/** The worker thread: the routine starts (FltMgr holds the item no more), returns, and the filter's rundown reference goes. */
function* runItem(fltMgr: FilterManager, item: FltWorkItem, filter: FilterObject, routine: () => MaybeBlocking<void>): Blocking<number> {
  const self = fltMgr.kernel.current?.id ?? '';
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: item.id, type: 'WorkItemRoutine', thread: self });
  try {
    yield* fltMgr.invoke(filter, routine);
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: item.id, type: 'WorkItemRoutineReturned', thread: self });
  } finally {
    const items = filter.rundown.workItemThreads;
    const i = items.findIndex((t) => t.startsWith(`${self} `));
    if (i >= 0) items.splice(i, 1);
    filter.rundown.add('workItems', -1);
  }
  return STATUS_SUCCESS;
}
