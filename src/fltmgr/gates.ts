/** Blocking on an unload gate from a simulated thread. */
import { waitFor, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import { unloadGate } from '../streams/unloadGate.js';
import type { Outstanding } from '../streams/outstanding.js';
import type { Observable } from 'rxjs';

/** Wait until `outstanding$` drains. Returns at once, without a wait fact, if it already has. */
export function* waitForGate(kernel: Kernel, outstanding$: Observable<Outstanding>, what: string): Blocking<void> {
  const open = kernel.createWaitable(what, 'notification');
  const subscription = unloadGate(outstanding$).subscribe(() => kernel.signal(open));
  try {
    yield* waitFor(open, what);
  } finally {
    subscription.unsubscribe();
  }
}
