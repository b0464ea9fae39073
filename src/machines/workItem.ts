/**
 * A Filter Manager work item (§12): the FLT_GENERIC_WORKITEM FltAllocateGenericWorkItem returns, or
 * the FLT_DEFERRED_IO_WORKITEM of FltAllocateDeferredIoWorkItem, from its allocation to its free.
 *
 *   Allocated --FltQueue*WorkItem--> Queued --WorkItemRoutine--> Running --WorkItemRoutineReturned--> Allocated
 *   Running --FltQueue*WorkItem--> Queued           (its routine queued it again)
 *   Allocated | Running --FltFree*WorkItem--> Freed  (the routine freeing its own item is the documented pattern)
 *
 * Once its routine has started, FltMgr holds the item no more: the routine may queue it again or
 * free it, so a routine's return moves only a Running item; the other states take it without
 * moving (an item its routine queued again may start its next run, on another worker thread, before
 * the first returns). While it is Queued FltMgr owns it; freed, nobody does.
 *
 * The machine decides what a filter may do with it: the engine asks `can(…)` before it queues or
 * frees one, and a refusal is the verifier finding its state names (src/fltmgr/workItems.ts):
 * queued while Queued is WORK_ITEM_QUEUED_TWICE, freed while Queued WORK_ITEM_FREED_WHILE_QUEUED,
 * queued or freed once Freed BUFFER_USED_AFTER_FREE. The queue and free facts are taken at the root
 * without moving, so that `can` answers no where no state accepts them (as the locks' machines do:
 * src/machines/lockOwners.ts) instead of reaching the root's `'*'`.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type WorkItemState = 'Allocated' | 'Queued' | 'Running' | 'Freed';

export type WorkItemEvent =
  | FactOf<'FltQueueGenericWorkItem'>
  | FactOf<'FltQueueDeferredIoWorkItem'>
  | FactOf<'WorkItemRoutine'>
  | FactOf<'WorkItemRoutineReturned'>
  | FactOf<'FltFreeGenericWorkItem'>
  | FactOf<'FltFreeDeferredIoWorkItem'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

const queue = { FltQueueGenericWorkItem: 'Queued', FltQueueDeferredIoWorkItem: 'Queued' } as const;
const free = { FltFreeGenericWorkItem: 'Freed', FltFreeDeferredIoWorkItem: 'Freed' } as const;

export const workItemMachine = setup({
  types: {} as { context: MachineContext; events: WorkItemEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'workItem',
  context: contextFromInput,
  initial: 'Allocated',
  on: {
    '*': { actions: 'rejectEvent' },
    RoutineFailed: {},
    VerifierViolation: {},
    FltQueueGenericWorkItem: {},
    FltQueueDeferredIoWorkItem: {},
    FltFreeGenericWorkItem: {},
    FltFreeDeferredIoWorkItem: {},
  },
  states: {
    Allocated: { on: { ...queue, ...free, WorkItemRoutineReturned: {} } },
    Queued: { on: { WorkItemRoutine: 'Running', WorkItemRoutineReturned: {} } },
    Running: { on: { ...queue, ...free, WorkItemRoutineReturned: 'Allocated' } },
    Freed: { on: { WorkItemRoutineReturned: {} } },
  },
});
