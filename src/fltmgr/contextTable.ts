/**
 * Every context of one simulation (§15): the live ones, the links (one context per key), and the
 * reference counting that every routine and every automatic deletion goes through. Each change is
 * a fact first (src/kernel/facts.ts), then the count or link it describes.
 *
 * Freeing (§15.6, §15.8): when the count reaches zero the context's cleanup callback runs, then the
 * memory goes (free callback or pool) — on the releasing thread at ≤ APC_LEVEL, or, when the last
 * release happens at DISPATCH_LEVEL, on a worker thread of its own, as FltMgr queues a work item.
 */
import { runWithoutBlocking } from '../kernel/nonBlocking.js';
import type { Blocking } from '../kernel/effects.js';
import { contextMachine } from '../machines/context.js';
import { FLT_INSTANCE_CONTEXT, FLT_STREAMHANDLE_CONTEXT, FLT_VOLUME_CONTEXT, NonPagedPool, NonPagedPoolNx } from '../wdk/contextConstants.js';
import { ContextObject, type ContextLink } from './contextObject.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import type { FLT_CONTEXT_REGISTRATION } from './registration.js';
import type { FileObject } from '../io/fileObject.js';
import type { InstanceObject } from './instanceObject.js';
import type { VolumeObject } from './volumeObject.js';

type AnyContext = ContextObject<object>;

export class ContextTable {
  /** Contexts not yet freed, in allocation order. */
  readonly live = new Map<string, AnyContext>();
  /** Linked contexts by key (§15.1: at most one per key). */
  private readonly links = new Map<string, AnyContext>();

  constructor(private readonly fltMgr: FilterManager) {}

  private get kernel() {
    return this.fltMgr.kernel;
  }

  create(filter: FilterObject, type: number, size: number, poolType: number, entry: FLT_CONTEXT_REGISTRATION): AnyContext {
    const kernel = this.kernel;
    const id = kernel.nextId('C');
    kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FltAllocateContext', filter: filter.id, contextType: type, size, poolType });
    const actor = kernel.startMachine(contextMachine);
    kernel.attachActor(id, actor);
    const context = new ContextObject(id, filter, type, size, poolType, entry, actor, (c, what) =>
      kernel.violation('CONTEXT_USED_AFTER_FREE', c.id, `${c.filter.name} tried to ${what} of ${c}, which was freed`),
    );
    this.live.set(id, context);
    filter.rundown.add('contexts', 1);
    return context;
  }

  linkedAt(key: string): AnyContext | undefined {
    return this.links.get(key);
  }

  /** Linked contexts matching `pred`, in link order (a copy: callers unlink while iterating). */
  linkedWhere(pred: (context: AnyContext) => boolean): AnyContext[] {
    return [...this.links.values()].filter(pred);
  }

  /** The caller passes a context it must hold a reference on: a freed one is a use after free. */
  requireReferenced(context: AnyContext, routine: string): void {
    if (context.references === 0) {
      throw this.kernel.violation('CONTEXT_USED_AFTER_FREE', context.id, `${routine} on ${context}, whose last reference was already released`);
    }
  }

  reference(context: AnyContext, by: string): void {
    this.requireReferenced(context, by);
    this.kernel.emitFact({ seq: 0, time: 0, object: context.id, type: 'FltReferenceContext', by, count: context.references + 1 });
    context.references++;
  }

  /** FltReleaseContext and FltReleaseContexts: the caller gives back one reference it holds. */
  release(context: AnyContext, by: string): void {
    if (context.references === 0) {
      throw this.kernel.violation('CONTEXT_DOUBLE_RELEASE', context.id, `${by} on ${context}, whose count is already 0 (released more often than referenced)`);
    }
    if (context.state === 'Linked' && context.references === 1) {
      throw this.kernel.violation(
        'CONTEXT_DOUBLE_RELEASE',
        context.id,
        `${by} on ${context} would release the reference its object (${context.link!.target}) holds: the filter released more references than it took`,
      );
    }
    const thread = this.kernel.current;
    if (thread !== null && thread.irql >= 2 && context.PoolType !== NonPagedPool && context.PoolType !== NonPagedPoolNx) {
      throw this.kernel.violation('CONTEXT_ROUTINE_AT_DISPATCH', context.id, `${by} of paged ${context} at DISPATCH_LEVEL (paged contexts are released at ≤ APC_LEVEL)`);
    }
    this.drop(context, by);
  }

  /** Take one reference away (the caller's or, unlinking, the object's) and free at zero. */
  private drop(context: AnyContext, by: string): void {
    this.kernel.emitFact({ seq: 0, time: 0, object: context.id, type: 'FltReleaseContext', by, count: context.references - 1 });
    context.references--;
    if (context.references === 0) this.free(context);
  }

  link(context: AnyContext, link: ContextLink, by: string): void {
    this.kernel.emitFact({ seq: 0, time: 0, object: context.id, type: 'ContextLinked', by, instance: link.instance?.id ?? null, target: link.target, count: context.references + 1 });
    context.references++;
    context.link = link;
    this.links.set(link.key, context);
  }

  /**
   * Unlink a context from its object. The object's reference goes to the caller when it asked for
   * the old context (count unchanged), and is dropped otherwise — which frees the context if no one
   * else holds it.
   */
  unlink(context: AnyContext, by: string, handToCaller: boolean): void {
    // Not Linked (never set, already deleted or replaced): nothing to unlink.
    if (context.state !== 'Linked') return;
    const link = context.link!;
    this.links.delete(link.key);
    context.link = null;
    const count = handToCaller ? context.references : context.references - 1;
    this.kernel.emitFact({ seq: 0, time: 0, object: context.id, type: 'ContextUnlinked', by, handedToCaller: handToCaller, count });
    context.references = count;
    if (count === 0) this.free(context);
  }

  private free(context: AnyContext): void {
    const thread = this.kernel.current;
    if (thread !== null && thread.irql >= 2) {
      // §15.6: released to zero at DISPATCH_LEVEL, FltMgr frees the context later from a work item.
      this.kernel.spawn(`ContextFree(${context.id})`, freeLater(this, context));
      return;
    }
    this.freeNow(context);
  }

  /** @internal Free `context` now: from free, or from freeLater's thread. */
  freeNow(context: AnyContext): void {
    const kernel = this.kernel;
    const { ContextCleanupCallback, ContextFreeCallback } = context.registration;
    if (ContextCleanupCallback != null) {
      kernel.emitFact({ seq: 0, time: 0, object: context.id, type: 'ContextCleanupCallback' });
      const invalid = (what: string): Error =>
        kernel.violation('CALLBACK_RETURN_INVALID', context.id, `ContextCleanupCallback of ${context.filter.name} ${what}; it returns VOID and may not block`);
      // A generator may call routines that reach the kernel (ExDeleteResourceLite of a resource
      // the context holds, the ctx and NameChanger pattern); it runs here, to its end, unblocked.
      const result = runWithoutBlocking(kernel, kernel.current, ContextCleanupCallback(context as ContextObject, context.ContextType), invalid);
      if (result !== undefined) throw invalid(`returned ${typeof result}`);
    }
    if (ContextFreeCallback != null) ContextFreeCallback(context, context.ContextType);
    kernel.emitFact({ seq: 0, time: 0, object: context.id, type: 'ContextFreed' });
    this.live.delete(context.id);
    context.filter.rundown.add('contexts', -1);
  }

  // ---------------------------------------------------------------- FltMgr deletes contexts itself (§15.8)

  /** IRP_MJ_CLOSE of a file object completed: its stream-handle contexts go. */
  fileObjectClosed(fo: FileObject): void {
    for (const c of this.linkedWhere((c) => c.ContextType === FLT_STREAMHANDLE_CONTEXT && c.link?.target === fo.id)) this.unlink(c, `close of ${fo.id}`, false);
  }

  /** The FS tore a file's stream down at its last close (FsRtlTeardownPerStreamContexts / PerFileContexts). */
  streamTornDown(volume: VolumeObject, fileId: number): void {
    const stream = streamTarget(volume, fileId);
    const file = fileTarget(volume, fileId);
    // Every stream of the file goes with its last close: the default one and the named ones ([model]).
    for (const c of this.linkedWhere((c) => c.link?.target === stream || c.link?.target.startsWith(`${stream}:`) === true || c.link?.target === file)) this.unlink(c, `teardown of ${c.link!.target}`, false);
  }

  /** After TeardownComplete: the instance's file, stream, stream-handle and transaction contexts go. */
  instanceTornDown(instance: InstanceObject): void {
    for (const c of this.linkedWhere((c) => c.link?.instance === instance && c.ContextType !== FLT_INSTANCE_CONTEXT)) this.unlink(c, `teardown of ${instance.id}`, false);
  }

  /** A transaction's enlistments ended after its outcome: FltMgr deletes every transaction context on it. */
  transactionEnded(transaction: string): void {
    for (const c of this.linkedWhere((c) => c.link?.target === transaction)) this.unlink(c, `end of ${transaction}`, false);
  }

  /** After the instance's last reference (§15.8 "instance" row): its instance context goes. */
  instanceFreed(instance: InstanceObject): void {
    for (const c of this.linkedWhere((c) => c.link?.instance === instance)) this.unlink(c, `free of ${instance.id}`, false);
  }

  /** The volume object is deleted (dismounted, last reference gone): every filter's volume context on it goes. */
  volumeDeleted(volume: VolumeObject): void {
    for (const c of this.linkedWhere((c) => c.ContextType === FLT_VOLUME_CONTEXT && c.link?.target === volume.id)) this.unlink(c, `deletion of ${volume.id}`, false);
  }

  /** The filter's last instance on `volume` is torn down (semantics.volumeContextLifetime 'lastInstance'). */
  volumeContextOfFilterEnds(filter: FilterObject, volume: VolumeObject): void {
    const key = volumeKey(filter, volume);
    const c = this.links.get(key);
    if (c !== undefined) this.unlink(c, `teardown of ${filter.id}'s last instance on ${volume.id}`, false);
  }

  /** FltUnregisterFilter after its instances are gone: every context the filter still has linked goes. */
  filterUnregistering(filter: FilterObject): void {
    for (const c of this.linkedWhere((c) => c.filter === filter)) this.unlink(c, 'FltUnregisterFilter', false);
  }

  /** Contexts of `filter` not yet freed, in allocation order. */
  liveOf(filter: FilterObject): AnyContext[] {
    return [...this.live.values()].filter((c) => c.filter === filter);
  }
}

/** §15.6's work item: a context released to zero at DISPATCH_LEVEL is freed on a thread of its own (a module-level generator, not a generator expression: docs/exploration.md, "Memory"). */
function* freeLater(table: ContextTable, context: AnyContext): Blocking<number> {
  table.freeNow(context);
  return 0;
}

// ---------------------------------------------------------------- keys and targets (§15.1)

/**
 * A stream is named by its volume and file id, and a named data stream (§21.5) by its name after
 * that (`V1:stream#64:ads`): a stream context is per (file, stream), a file context per file.
 */
export function streamTarget(volume: VolumeObject, fileId: number, stream: string | null = null): string {
  return stream === null ? `${volume.id}:stream#${fileId}` : `${volume.id}:stream#${fileId}:${stream.toUpperCase()}`;
}

export function fileTarget(volume: VolumeObject, fileId: number): string {
  return `${volume.id}:file#${fileId}`;
}

/** Volume contexts are per filter, not per instance. */
export function volumeKey(filter: FilterObject, volume: VolumeObject): string {
  return `volume|${filter.id}|${volume.id}`;
}

/** The key of a context hung on `target` by `instance`. */
export function instanceKey(kind: string, instance: InstanceObject, target: string): string {
  return `${kind}|${instance.id}|${target}`;
}
