/**
 * Rundown references on filters, instances and volumes (§12). FltObjectReference fails with
 * STATUS_FLT_DELETING_OBJECT once the object's teardown has begun. A reference on an instance also
 * counts against its filter: a leaked instance reference keeps the filter's unload gate shut, which
 * is how a leaked FltAttachVolume/FltGetTopInstance reference hangs an unload on Windows.
 */
import { STATUS_FLT_DELETING_OBJECT, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import type { FilterManager, FltObject } from './filterManager.js';
import { FilterObject } from './filterObject.js';
import { InstanceObject } from './instanceObject.js';
import { VolumeObject } from './volumeObject.js';
import { fail } from './routineSupport.js';
import { fltObjectArgument } from './objectArguments.js';

export function isBeingTornDown(object: FltObject): boolean {
  if (object instanceof FilterObject) return object.state === 'Unregistering' || object.state === 'Unregistered' || object.state === 'Unloaded';
  if (object instanceof InstanceObject) return !object.receivesOperations;
  return object.state !== 'Mounted' && object.state !== 'Mounting';
}

/** Add a rundown reference, or fail with STATUS_FLT_DELETING_OBJECT. */
export function referenceObject(fltMgr: FilterManager, object: FltObject): NTSTATUS {
  if (isBeingTornDown(object)) return fail(fltMgr, object, 'FltObjectReference', STATUS_FLT_DELETING_OBJECT, `${object} is being torn down`);
  // The fact goes in the log before the count is published, so anything the count wakes comes after it.
  const thread = fltMgr.kernel.current;
  object.rundown.referenceTakers.push(`${thread === null ? 'the host' : `${thread.id} (${thread.name})`} at #${fltMgr.kernel.log.nextSeq}`);
  fltMgr.emitFact({ seq: 0, time: 0, object: object.id, type: 'FltObjectReference', count: object.rundown.value.references + 1 }, object);
  object.rundown.add('references', 1);
  if (object instanceof InstanceObject) object.filter.rundown.add('instanceReferences', 1);
  return STATUS_SUCCESS;
}

export function dereferenceObject(fltMgr: FilterManager, object: FltObject): void {
  if (object.rundown.value.references === 0) {
    throw fltMgr.kernel.violation('FLT_DEREFERENCE_UNDERFLOW', object.id, `FltObjectDereference on ${object} without a reference to release`);
  }
  // References are not tagged on Windows either: the one this thread took goes first, else the oldest.
  const takers = object.rundown.referenceTakers;
  const mine = takers.findIndex((t) => t.startsWith(`${fltMgr.kernel.current?.id ?? 'the host'} `));
  takers.splice(mine < 0 ? 0 : mine, 1);
  fltMgr.emitFact({ seq: 0, time: 0, object: object.id, type: 'FltObjectDereference', count: object.rundown.value.references - 1 }, object);
  object.rundown.add('references', -1);
  if (object instanceof InstanceObject) {
    // Free the instance first: its filter's unload gate may open on the next line.
    freeIfUnreferenced(fltMgr, object);
    object.filter.rundown.add('instanceReferences', -1);
  } else if (object instanceof VolumeObject && object.state === 'Dismounted' && object.rundown.value.references === 0) {
    fltMgr.contexts.volumeDeleted(object);
  }
}

/** FltObjectReference(FltObject). */
export function FltObjectReference(FltObject: FltObject): NTSTATUS {
  fltObjectArgument('FltObjectReference', FltObject);
  return referenceObject(fltMgrOf(FltObject), FltObject);
}

/** FltObjectDereference(FltObject). */
export function FltObjectDereference(FltObject: FltObject): void {
  fltObjectArgument('FltObjectDereference', FltObject);
  dereferenceObject(fltMgrOf(FltObject), FltObject);
}

export function fltMgrOf(object: FltObject): FilterManager {
  if (object instanceof FilterObject) return object.fltMgr;
  if (object instanceof InstanceObject) return object.filter.fltMgr;
  return object.fltMgr;
}

/**
 * §4 step 6: the instance is freed once detached and its last rundown reference is gone. I/O it
 * generated holds it too (§10, §12: the operation references its initiating instance until it
 * completes): a thread holding no reference may issue I/O while TeardownComplete runs (§11 allows
 * I/O during teardown), and the instance must outlive that I/O. Called when the instance detaches
 * and when its last reference goes (a detached instance cannot be referenced again), so at most
 * once with no reference left; if its I/O still runs then, the completion of the last of it frees it.
 */
export function freeIfUnreferenced(fltMgr: FilterManager, instance: InstanceObject): void {
  if (instance.state !== 'Detached' || instance.rundown.value.references !== 0) return;
  if (instance.rundown.value.generatedIo === 0) {
    free(fltMgr, instance);
    return;
  }
  const subscription = instance.rundown.outstanding$.subscribe((owed) => {
    // The first, synchronous value still counts the I/O: `subscription` is set before this can pass.
    if (owed.generatedIo !== 0 || owed.references !== 0) return;
    subscription.unsubscribe();
    free(fltMgr, instance);
  });
}

function free(fltMgr: FilterManager, instance: InstanceObject): void {
  // Freeing the instance deletes what still hangs on it, its instance context (§15.8).
  fltMgr.contexts.instanceFreed(instance);
  fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'InstanceFreed' }, instance);
}
