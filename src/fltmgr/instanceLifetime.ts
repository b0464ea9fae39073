/** When an instance that has completed its teardown is finally freed (§4 step 6). */
import type { FilterManager } from './filterManager.js';
import type { InstanceObject } from './instanceObject.js';

/**
 * §4 step 6: the instance is freed once detached and its last rundown reference is gone. I/O it
 * generated holds it too (§10, §12: the operation references its initiating instance until it
 * completes): a thread holding no reference may issue I/O while TeardownComplete runs (§11 allows
 * I/O during teardown), and the instance must outlive that I/O.
 */
export function freeIfUnreferenced(fltMgr: FilterManager, instance: InstanceObject): void {
  const owed = instance.rundown.value;
  if (instance.state === 'Detached' && owed.references === 0 && owed.generatedIo === 0) {
    // Freeing the instance deletes what still hangs on it, its instance context (§15.8).
    fltMgr.contexts.instanceFreed(instance);
    fltMgr.emit(instance, { type: 'InstanceFreed' });
  }
}
