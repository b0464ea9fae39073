/**
 * Race (a): unload while an asynchronous generated read is outstanding, and the filter's own worker
 * thread keeps using its instance without holding a reference on it.
 *
 * The worker prefetches the file in a few rounds of open → asynchronous read → close. The
 * outstanding read keeps the instance alive (teardown waits for it), but between rounds nothing
 * does: if the whole unload lands in that gap, the next FltCreateFileEx uses a torn-down instance
 * and the model raises INSTANCE_USED_AFTER_TEARDOWN. The fix takes FltObjectReference first and
 * stops prefetching when it fails (STATUS_FLT_DELETING_OBJECT).
 */
import { FltObjectDereference, FltObjectReference } from '../../fltmgr/references.js';
import type { FLT_RELATED_OBJECTS } from '../../fltmgr/registration.js';
import { FltAllocateCallbackData, FltFreeCallbackData, FltPerformAsynchronousIo } from '../../issuedIo/callbackDataRoutines.js';
import { FltClose, FltCreateFileEx, ObDereferenceObject } from '../../issuedIo/createFile.js';
import { sleep, type Blocking } from '../../kernel/effects.js';
import { FILE_GENERIC_READ, FILE_OPEN, FILE_SHARE_READ } from '../../wdk/fileConstants.js';
import { IRP_MJ_READ } from '../../wdk/irp.js';
import { STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import type { Simulation } from '../../simulation.js';
import type { Scenario } from '../scenario.js';
import { intArg } from '../scenario.js';
import { FILE, readParams, variantOf, prefetcherSystem, MAX_FLUSH, MAX_ROUNDS, VARIANT_ARGUMENT, type Variant } from './common.js';

function* prefetchRound(sim: Simulation, o: FLT_RELATED_OBJECTS, round: number): Blocking<string | null> {
  const r = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: FILE }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
  if (r.FileObject === null) return `open failed ${r.status.toString(16)}`;
  // The file is closed on every path: an open kept past the unload is a leak (FILE_HANDLE_LEAKED).
  try {
    const { data } = FltAllocateCallbackData(o.Instance, r.FileObject);
    if (data === null) return 'no callback data';
    readParams(data, round * 2, 2);
    // The completion callback frees the data (allowed there, §11.12); the file is closed only after
    // it ran, so the read never outlives the worker's hold on the file object.
    const done = sim.sharedCell('read done', false);
    yield* FltPerformAsynchronousIo(data, (d) => (done.set(true), FltFreeCallbackData(d)), null);
    while (!done.get()) yield* sleep(1);
    return null;
  } finally {
    yield* FltClose(r.FileHandle!);
    yield* ObDereferenceObject(r.FileObject);
  }
}

export const unloadRaceScenario: Scenario = {
  id: 'race-unload-async-read',
  description: 'unload while the filter\'s worker has an asynchronous read outstanding and uses its instance without a reference; args: variant (buggy|fixed), rounds (1), flush (10)',
  options: { fileSystemCompletion: 'deferred', fileSystemLatency: 1, onViolation: 'record' },
  sharedState: 'cells',
  windows: [
    {
      // The fatal gap: nothing holds the instance, so teardown may finish in it.
      name: 'the instance is freed while the worker has no read outstanding',
      opensAt: (f) => (f.type === 'ThreadCreate' && f.name === 'prefetch worker') || f.type === 'AsyncIoCallbackReturned',
      closesAt: (f) => f.type === 'IoStart' && f.major === IRP_MJ_READ,
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
    const rounds = intArg(args, 'rounds', 1, 1, MAX_ROUNDS);
    prefetcherSystem(sim, intArg(args, 'flush', 10, 0, MAX_FLUSH), (o) => {
      sim.spawn('prefetch worker', () => prefetchWorker(sim, o, rounds, variant));
      sim.spawn('fltmc unload prefetcher', () => sim.FilterUnload('prefetcher'));
    });
  },
};

/**
 * The prefetch worker: `rounds` asynchronous prefetches, holding rundown protection on the
 * instance in the fixed variant.
 * A module-level generator behind an arrow, not a generator expression, so that each schedule's
 * simulation dies young (docs/exploration.md, "Memory").
 */
function* prefetchWorker(sim: Simulation, o: FLT_RELATED_OBJECTS, rounds: number, variant: Variant): Blocking<unknown> {
  for (let round = 0; round < rounds; round++) {
    if (variant === 'fixed' && FltObjectReference(o.Instance) !== STATUS_SUCCESS) return 'instance tearing down: stop';
    try {
      const failed = yield* prefetchRound(sim, o, round);
      if (failed !== null) return failed;
    } finally {
      if (variant === 'fixed') FltObjectDereference(o.Instance);
    }
  }
  return 'done';
}
