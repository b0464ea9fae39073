/**
 * The fold of work items (§12.1): from their allocation to their free, in the state their machine
 * (src/machines/workItem.ts) is in. One part of foldLog (src/projection/fold.ts), which hands it the
 * facts `isWorkItemFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { workItemMachine } from '../machines/workItem.js';
import type { SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const WORK_ITEM_FACTS = [
  'FltAllocateGenericWorkItem',
  'FltAllocateDeferredIoWorkItem',
  'FltQueueGenericWorkItem',
  'FltQueueDeferredIoWorkItem',
  'WorkItemRoutine',
  'WorkItemRoutineReturned',
  'FltFreeGenericWorkItem',
  'FltFreeDeferredIoWorkItem',
] as const;
const WORK_ITEM_FACT_SET: ReadonlySet<string> = new Set(WORK_ITEM_FACTS);

export type WorkItemFact = FactOf<(typeof WORK_ITEM_FACTS)[number]>;

export function isWorkItemFact(fact: Fact): fact is WorkItemFact {
  return WORK_ITEM_FACT_SET.has(fact.type);
}

export function applyWorkItemFact(d: Draft<SimState>, fact: WorkItemFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'FltAllocateGenericWorkItem':
      d.workItems[id] = { kind: 'generic', owner: fact.owner, state: born(id, workItemMachine) as never };
      return;
    case 'FltAllocateDeferredIoWorkItem':
      d.workItems[id] = { kind: 'deferredIo', owner: fact.owner, state: born(id, workItemMachine) as never };
      return;
    case 'FltQueueGenericWorkItem':
    case 'FltQueueDeferredIoWorkItem':
    case 'WorkItemRoutine':
    case 'WorkItemRoutineReturned': {
      const state = advance(fact);
      // A routine that freed its own item returns after the item left the state.
      const item = d.workItems[id];
      if (item !== undefined && state !== null) item.state = state as never;
      return;
    }
    case 'FltFreeGenericWorkItem':
    case 'FltFreeDeferredIoWorkItem':
      advance(fact);
      delete d.workItems[id];
      return;
    default:
      assertNever(fact, 'work item fact');
  }
}
