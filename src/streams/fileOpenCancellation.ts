/**
 * What FltCancelFileOpen owes the stack below its caller (§11.13, §14 invariant 15): exactly one
 * IRP_MJ_CLEANUP, at once, and exactly one IRP_MJ_CLOSE, once the create has completed and the I/O
 * manager drops the file object. A create that completes without a cancel owes nothing here.
 *
 *   cancel$:     ---c--------------
 *   completed$:  --------x|
 *   requests:    ---a----(b|)        a = send cleanup, b = send close
 *   subscription to completed$ starts at c:  ---^----!
 */
import { concat, map, of, switchMap, take, type Observable } from 'rxjs';

export type CancellationRequest = 'cleanup' | 'close';

export function fileOpenCancellation(cancel$: Observable<unknown>, completed$: Observable<unknown>): Observable<CancellationRequest> {
  return cancel$.pipe(
    take(1),
    switchMap(() => concat(of<CancellationRequest>('cleanup'), completed$.pipe(take(1), map((): CancellationRequest => 'close')))),
  );
}
