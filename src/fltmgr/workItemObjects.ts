/**
 * Work items (§12.1) as kernel objects: what FltAllocateGenericWorkItem and
 * FltAllocateDeferredIoWorkItem hand out (q…, a block of nonpaged pool holding a WORK_QUEUE_ITEM),
 * with the table of those not yet freed. The lifecycle is src/machines/workItem.ts; every change is
 * a fact first. The routines are src/fltmgr/workItems.ts.
 */
import { type Actor } from 'xstate';
import type { FactBody } from '../kernel/facts.js';
import type { Kernel } from '../kernel/kernel.js';
import { workItemMachine, type WorkItemState } from '../machines/workItem.js';
import type { FilterObject } from './filterObject.js';

/** Which allocator made it: a generic work item is queued with FltQueueGenericWorkItem, a deferred I/O one with FltQueueDeferredIoWorkItem. */
export type WorkItemKind = 'generic' | 'deferredIo';

/** PFLT_GENERIC_WORKITEM / PFLT_DEFERRED_IO_WORKITEM. */
export class FltWorkItem {
  constructor(
    readonly id: string,
    readonly kind: WorkItemKind,
    /** The filter whose code allocated it, or null (code outside any filter's callback or work item). */
    readonly owner: FilterObject | null,
    /** @internal */ readonly actor: Actor<typeof workItemMachine>,
    /** Routines handed only the item (FltFree*WorkItem) reach the simulation through it. */
    /** @internal */ readonly kernel: Kernel,
  ) {}

  get state(): WorkItemState {
    return this.actor.getSnapshot().value as WorkItemState;
  }

  toString(): string {
    return `${this.id}(${this.kind === 'generic' ? 'generic' : 'deferred I/O'} work item)`;
  }
}

export class WorkItemTable {
  /** Work items not yet freed, by id, in allocation order. */
  readonly items = new Map<string, FltWorkItem>();

  constructor(private readonly kernel: Kernel) {}

  allocate(kind: WorkItemKind, owner: FilterObject | null): FltWorkItem {
    const kernel = this.kernel;
    const id = kernel.nextId('q');
    kernel.emitFact({ seq: 0, time: 0, object: id, type: kind === 'generic' ? 'FltAllocateGenericWorkItem' : 'FltAllocateDeferredIoWorkItem', owner: owner?.id ?? null });
    const actor = kernel.startMachine(workItemMachine);
    kernel.attachActor(id, actor);
    const item = new FltWorkItem(id, kind, owner, actor, kernel);
    this.items.set(id, item);
    return item;
  }

  /** The machine accepted the free (the routines ask it first): the item leaves the table, its machine retires. */
  free(item: FltWorkItem, fact: FactBody & { readonly type: 'FltFreeGenericWorkItem' | 'FltFreeDeferredIoWorkItem' }): void {
    this.kernel.emit(item.id, fact);
    this.items.delete(item.id);
    this.kernel.retireActor(item.id);
  }
}
