/** Blocking on an unload gate from a simulated thread. */
import { waitFor, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Waitable } from '../kernel/waitable.js';
import { unloadGate } from '../streams/unloadGate.js';
import { isDrained, type Outstanding } from '../streams/outstanding.js';
import { map, type Observable } from 'rxjs';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';
import type { Rundown } from './rundown.js';
import { rundownHolders, type GateCounts } from './rundownHolders.js';

/**
 * Wait until `outstanding$` drains. Returns at once, without a wait fact, if it already has.
 * `holders` names what holds it shut, for deadlock reports.
 */
export function* waitForGate(kernel: Kernel, outstanding$: Observable<Outstanding>, what: string, holders?: () => readonly string[]): Blocking<void> {
  const open = gateWaitable(kernel, what, holders);
  const subscription = unloadGate(outstanding$).subscribe(() => kernel.signal(open));
  try {
    yield* waitFor(open, what);
  } finally {
    subscription.unsubscribe();
  }
}

function gateWaitable(kernel: Kernel, what: string, holders: (() => readonly string[]) | undefined): Waitable {
  const open = kernel.createWaitable(what, 'notification');
  if (holders !== undefined) open.holders = holders;
  return open;
}

/**
 * An unload or teardown waiting for its rundown (the counts as `project` sees them: what this gate
 * leaves out): if anything holds it, the `RundownWait` fact names the holders (kept on the object
 * for sim.state() until the wait is over); a deadlock report names them as they are then.
 *
 * Already drained, the gate is open: its waitable is signaled and waited on at once, as the gate's
 * subscription would on subscribing (the counts are a BehaviorSubject, which answers then), with
 * the same ids, footprints and no fact, but without building and tearing down the stream: every
 * detach and unload drains this way, and the two subscriptions were a tenth of a detach (profile of
 * the kernel bench's churn).
 */
export function* waitForRundown(
  fltMgr: FilterManager,
  object: FilterObject | InstanceObject,
  rundown: Rundown,
  project: (o: Outstanding) => Outstanding,
  what: string,
  counts: GateCounts = {},
): Blocking<void> {
  if (isDrained(project(rundown.value))) {
    // Signaled before the wait, the waitable never holds a thread: no holders to name.
    const open = gateWaitable(fltMgr.kernel, what, undefined);
    fltMgr.kernel.signal(open);
    yield* waitFor(open, what);
    return;
  }
  const holders = (): readonly string[] => rundownHolders(fltMgr, object, counts);
  object.waitingFor = holders();
  fltMgr.emitFact({ seq: 0, time: 0, object: object.id, type: 'RundownWait', gate: what, holders: object.waitingFor }, object);
  yield* waitForGate(fltMgr.kernel, rundown.outstanding$.pipe(map(project)), what, holders);
}
