/**
 * Cancellation figures (§19): complete schedules per second of the cancelSafe sample's race (two
 * pended reads, the worker, CancelIoEx from a second application thread, and the unload's drain)
 * under PCT depth 2, beside the explore group's smallest race measured in the same run, so the ratio
 * is what a real sample's queue, lock, work item and cancel path cost per schedule. Measured and
 * printed, never asserted.
 */
import { explore } from '../src/explore/index.js';
import { scenario as cancelSafe } from '../examples/samples/cancelSafe/index.js';
import type { BenchContext, Row } from './harness.js';

export function cancellation(context: BenchContext): Row[] {
  const args = { delay: 2 };
  // Warm-up: the first schedules of a process run at a fraction of the settled speed (V8 tiering).
  explore(cancelSafe, { strategy: 'pct', schedules: 100, seed: 1, args });
  const schedules = 400;
  const start = process.hrtime.bigint();
  const r = explore(cancelSafe, { strategy: 'pct', schedules, seed: 1001, args });
  const perSecond = r.schedules / (Number(process.hrtime.bigint() - start) / 1e9);
  const smallest = context.baseline('explore: schedules/s, smallest race (free-before-callback, fixed)');
  return [
    {
      name: 'cancellation: PCT d=2 schedules/s, cancelSafe sample (worker vs CancelIoEx vs unload drain)',
      value: perSecond,
      unit: 'schedules/s',
      note: `${r.found ? 'FOUND a violation; ' : ''}${(perSecond / smallest.value).toFixed(2)}x the smallest race`,
    },
  ];
}
