/**
 * What FltCancelFileOpen owes the stack below its caller (§11.13, §14 invariant 15): exactly one
 * IRP_MJ_CLEANUP, at once, and exactly one IRP_MJ_CLOSE, once the file object is released: the I/O
 * manager drops the reference it held for the create when the create completes, and I/O a
 * post-create issued on the file object holds it until that I/O completes. A create that completes
 * without a cancel owes nothing here.
 *
 *   cancel$:     ---c--------------
 *   released$:   --------x|
 *   requests:    ---a----(b|)        a = send cleanup, b = send close
 *   subscription to released$ starts at c:  ---^----!
 */
import { observableArgument } from './observableArgument.js';
import { concat, map, of, switchMap, take, type Observable } from 'rxjs';

export type CancellationRequest = 'cleanup' | 'close';

export function fileOpenCancellation(cancel$: Observable<unknown>, released$: Observable<unknown>): Observable<CancellationRequest> {
  observableArgument('fileOpenCancellation', 'cancel$', cancel$);
  observableArgument('fileOpenCancellation', 'released$', released$);
  return cancel$.pipe(
    take(1),
    switchMap(() => concat(of<CancellationRequest>('cleanup'), released$.pipe(take(1), map((): CancellationRequest => 'close')))),
  );
}
