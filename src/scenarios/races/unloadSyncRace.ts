/**
 * Race (a'), the deep one: the same unload bug as race-unload-async-read, but the worker never
 * blocks. It reads synchronously (FltReadFile) through an inline file system, so it is runnable at
 * every scheduling point, and the unload can only free the instance before one of its rounds if the
 * unload thread gets a long uninterrupted run: TeardownComplete writes back `flush` cache entries,
 * one scheduling point each, while the worker needs one step to reach the instance again. Seeded random must win most of those coin flips in a row; PCT needs only the unload thread
 * above the worker in priority. Measured medians over 20 seeds (PCT d=2 / random): flush 2: 3 / 13,
 * 6: 4 / 47, 8: 5 / 80, 10: 5 / 179 — random's cost grows with the run the unload needs, PCT's does
 * not. This is the planted race behind the bench's PCT-versus-random figure (flush 10, the default).
 *
 * The fix is the same as race-unload-async-read's: FltObjectReference before each round, stop when
 * it fails with STATUS_FLT_DELETING_OBJECT.
 */
import { FltObjectDereference, FltObjectReference } from '../../fltmgr/references.js';
import { FltClose, FltCreateFileEx, ObDereferenceObject } from '../../issuedIo/createFile.js';
import { FltReadFile } from '../../issuedIo/readWrite.js';
import { FILE_GENERIC_READ, FILE_OPEN, FILE_SHARE_READ } from '../../wdk/fileConstants.js';
import { STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import type { Scenario } from '../scenario.js';
import { intArg } from '../scenario.js';
import { FILE, variantOf, prefetcherSystem, MAX_FLUSH, MAX_ROUNDS, VARIANT_ARGUMENT, type Variant } from './common.js';
import type { FLT_RELATED_OBJECTS } from '../../fltmgr/registration.js';
import type { Blocking } from '../../kernel/effects.js';

export const unloadSyncRaceScenario: Scenario = {
  id: 'race-unload-sync-read',
  description: 'unload while the filter\'s worker prefetches with synchronous reads, never blocking, and uses its instance without a reference (the deep variant); args: variant (buggy|fixed), rounds (3), flush (10)',
  options: { fileSystemCompletion: 'inline', onViolation: 'record' },
  sharedState: 'cells',
  windows: [
    {
      // The worker is always T3 here (after the two DriverEntry threads). Like race-unload-async-read's
      // window, the fix reaches it too (its own last dereference may free the instance).
      name: 'the instance is freed while the worker is still prefetching',
      opensAt: (f) => f.type === 'ThreadCreate' && f.name === 'prefetch worker',
      closesAt: (f) => f.type === 'ThreadExit' && f.object === 'T3',
      hitBy: (f) => f.type === 'InstanceFreed',
    },
  ],
  arguments: {
    ...VARIANT_ARGUMENT,
    rounds: { kind: 'int', min: 1, max: MAX_ROUNDS, description: 'prefetch rounds of the worker' },
    flush: { kind: 'int', min: 0, max: MAX_FLUSH, description: 'ticks before the worker flushes' },
  },
  build(sim, args) {
    const variant = variantOf(args);
    const rounds = intArg(args, 'rounds', 3, 1, MAX_ROUNDS);
    prefetcherSystem(sim, intArg(args, 'flush', 10, 0, MAX_FLUSH), (o) => {
      sim.spawn('prefetch worker', () => syncPrefetchWorker(o, rounds, variant));
      sim.spawn('fltmc unload prefetcher', () => sim.FilterUnload('prefetcher'));
    });
  },
};

/**
 * The prefetch worker: `rounds` synchronous open-read-close rounds, holding rundown protection on
 * the instance in the fixed variant.
 * A module-level generator behind an arrow, not a generator expression, so that each schedule's
 * simulation dies young (docs/exploration.md, "Memory").
 */
function* syncPrefetchWorker(o: FLT_RELATED_OBJECTS, rounds: number, variant: Variant): Blocking<unknown> {
  for (let round = 0; round < rounds; round++) {
    if (variant === 'fixed' && FltObjectReference(o.Instance) !== STATUS_SUCCESS) return 'instance tearing down: stop';
    try {
      const r = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: FILE }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
      if (r.FileObject === null) return `open failed ${r.status.toString(16)}`;
      yield* FltReadFile(o.Instance, r.FileObject, round * 2, 2, new Uint8Array(2));
      yield* FltClose(r.FileHandle!);
      yield* ObDereferenceObject(r.FileObject);
    } finally {
      if (variant === 'fixed') FltObjectDereference(o.Instance);
    }
  }
  return 'done';
}
