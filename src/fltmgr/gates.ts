/** Blocking on an unload gate from a simulated thread. */
import { waitFor, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import { unloadGate } from '../streams/unloadGate.js';
import { isDrained, type Outstanding } from '../streams/outstanding.js';
import { take, type Observable } from 'rxjs';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';
import { rundownHolders, type GateCounts } from './rundownHolders.js';

/**
 * Wait until `outstanding$` drains. Returns at once, without a wait fact, if it already has.
 * `holders` names what holds it shut, for deadlock reports.
 */
export function* waitForGate(kernel: Kernel, outstanding$: Observable<Outstanding>, what: string, holders?: () => readonly string[]): Blocking<void> {
  const open = kernel.createWaitable(what, 'notification');
  if (holders !== undefined) open.holders = holders;
  const subscription = unloadGate(outstanding$).subscribe(() => kernel.signal(open));
  try {
    yield* waitFor(open, what);
  } finally {
    subscription.unsubscribe();
  }
}

/** Is `outstanding$` drained right now? (It is a BehaviorSubject underneath, so it answers at once.) */
export function drainedNow(outstanding$: Observable<Outstanding>): boolean {
  let drained = false;
  outstanding$.pipe(take(1)).subscribe((o) => (drained = isDrained(o)));
  return drained;
}

/**
 * An unload or teardown waiting for its rundown: if anything holds it, the `RundownWait` fact names
 * the holders (kept on the object for sim.state() until the wait is over); a deadlock report names
 * them as they are then.
 */
export function* waitForRundown(
  fltMgr: FilterManager,
  object: FilterObject | InstanceObject,
  outstanding$: Observable<Outstanding>,
  what: string,
  counts: GateCounts = {},
): Blocking<void> {
  if (!drainedNow(outstanding$)) {
    const holders = rundownHolders(fltMgr, object, counts);
    object.waitingFor = holders;
    fltMgr.emit(object, { type: 'RundownWait', gate: what, holders });
  }
  yield* waitForGate(fltMgr.kernel, outstanding$, what, () => rundownHolders(fltMgr, object, counts));
}
