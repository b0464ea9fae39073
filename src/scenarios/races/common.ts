/**
 * What the race scenarios share: the volume, a file to read, a passive filter below the one under
 * test (so generated I/O has an instance to be seen by), and the `variant` argument.
 */
import type { FLT_RELATED_OBJECTS } from '../../fltmgr/registration.js';
import type { FLT_CALLBACK_DATA } from '../../io/ioOperation.js';
import { preempt, type Blocking } from '../../kernel/effects.js';
import { UsageError } from '../../kernel/errors.js';
import type { Simulation } from '../../simulation.js';
import { FLT_POSTOP_FINISHED_PROCESSING, FLT_PREOP_SUCCESS_WITH_CALLBACK } from '../../wdk/fltConstants.js';
import { IRP_MJ_READ } from '../../wdk/irp.js';
import { STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import type { ScenarioArgument, ScenarioArgs } from '../scenario.js';
import { installFilter, operations } from '../builders/filterBuilder.js';

export type Variant = 'buggy' | 'fixed';

/** Bounds of the prefetch races' arguments: far beyond what a race needs, and a bound on the work. */
export const MAX_ROUNDS = 1000;
export const MAX_FLUSH = 100_000;

/** The argument every race takes. */
export const VARIANT_ARGUMENT = { variant: { kind: 'choice', values: ['buggy', 'fixed'], description: "'buggy' (default) plants the bug, 'fixed' writes the filter correctly" } } as const satisfies Readonly<Record<string, ScenarioArgument>>;

/** `variant`: 'buggy' (default) plants the bug, 'fixed' is the same filter written correctly. */
export function variantOf(args: ScenarioArgs): Variant {
  const v = args['variant'] ?? 'buggy';
  if (v !== 'buggy' && v !== 'fixed') throw new UsageError('BAD_SCENARIO_ARGUMENT', `variant must be 'buggy' or 'fixed', got ${JSON.stringify(v)}`);
  return v;
}

export const FILE = 'C:\\f.bin';

export function volumeWithFile(sim: Simulation): void {
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.bin', 'ABCDEFGH');
}

/** A filter that only watches reads, below the filter under test. */
export function installLowerReader(sim: Simulation): void {
  installFilter(sim, {
    name: 'lower',
    altitude: '100000',
    registration: { OperationRegistration: operations([IRP_MJ_READ], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }) },
  });
}

export function readParams(data: FLT_CALLBACK_DATA, offset: number, length: number): void {
  data.Iopb.MajorFunction = IRP_MJ_READ;
  data.Iopb.Parameters = { Read: { Length: length, Key: 0, ByteOffset: offset } };
}

/**
 * The two unload races' system: the file, the filter under test ('prefetcher' at 300000) above the
 * passive reader, loaded and attached. Its TeardownComplete writes back a small cache, one entry per
 * scheduling point, which makes the unload a long run of steps: a bug that needs the worker starved
 * through all of them. Once both have attached, calls `then` with the prefetcher's related objects
 * on the volume (the set-up runs as steps of the run: `whenSettled`).
 */
export function prefetcherSystem(sim: Simulation, flush: number, then: (objects: FLT_RELATED_OBJECTS) => void): void {
  volumeWithFile(sim);
  const objects = sim.sharedCell<FLT_RELATED_OBJECTS | null>('prefetcher objects', null);
  installFilter(sim, {
    name: 'prefetcher',
    altitude: '300000',
    registration: {
      InstanceSetupCallback: (o) => (objects.set(o), STATUS_SUCCESS),
      InstanceTeardownCompleteCallback: () => writeBackCache(flush),
    },
  });
  installLowerReader(sim);
  sim.whenSettled(() => then(objects.get()!));
}

/**
 * The prefetcher's TeardownComplete: writing back its cache, one entry per scheduling point.
 * A module-level generator behind an arrow, not a generator expression, so that each schedule's
 * simulation dies young (docs/exploration.md, "Memory").
 */
function* writeBackCache(flush: number): Blocking<void> {
  for (let entry = 0; entry < flush; entry++) yield* preempt();
}
