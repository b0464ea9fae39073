/**
 * The unload gate: opens once, at the moment nothing is outstanding any more (§2, §4, invariant 18).
 *
 * Used for a filter's unload (FltUnregisterFilter step 4: rundown references, generated I/O,
 * pended operations, work items) and for an instance's TeardownComplete (§4 step 4: its pended
 * operations and generated I/O). The source is a BehaviorSubject of counts, so a gate opened on an
 * already-drained object emits immediately, on subscription.
 *
 *   outstanding$: --a--b--z--c--z--|      a,b,c: something outstanding; z: all zero
 *   unloadGate:   --------z|
 *   subscription: ^-------!                unsubscribes from the counts as it opens
 */
import { observableArgument } from './observableArgument.js';
import { filter, take, type Observable } from 'rxjs';
import { isDrained, type Outstanding } from './outstanding.js';

export function unloadGate(outstanding$: Observable<Outstanding>): Observable<Outstanding> {
  observableArgument('unloadGate', 'outstanding$', outstanding$);
  return outstanding$.pipe(filter(isDrained), take(1));
}
