// Issue 14 item 3: every public routine called with bad arguments. A world with a filter, its
// instance on C:, an open file object and handle, and a pool of wrong values of every kind: the
// routines' own objects in the wrong place, NULL, NaN, negative, fractional and huge numbers, short
// buffers, strings, plain objects. Shared by badArguments.test.ts (short) and its deep variant.
import fc from 'fast-check';
import * as api from '../../src/index.js';
import { FltSimError, type Blocking, type FLT_RELATED_OBJECTS, type Simulation } from '../../src/index.js';
import { openFromFilter, readOnce, world } from '../verifier/world.js';

/** Every exported routine: a function named as the WDK names it (classes and constructors left out). */
export const ROUTINES: readonly string[] = Object.keys(api)
  .filter((k) => /^(Flt|Ob|Ke|Io|Ps|Ex|Fs)[A-Z]/.test(k) && typeof (api as Record<string, unknown>)[k] === 'function')
  .filter((k) => !/^[A-Z][A-Za-z]*Error$/.test(k) && k !== 'KernelHandle')
  .sort();

/** The generated-I/O routines whose every argument is checked (src/issuedIo/routineArguments.ts). */
export const CHECKED_ROUTINES: readonly string[] = [
  'FltReadFile', 'FltWriteFile', 'FltCreateFile', 'FltCreateFileEx', 'FltCreateFileEx2', 'FltClose', 'ObDereferenceObject', 'ObReferenceObject',
  'FltCancelFileOpen', 'FltAllocateCallbackData', 'FltAllocateCallbackDataEx', 'FltPerformSynchronousIo', 'FltPerformAsynchronousIo', 'FltFreeCallbackData',
  'FltReuseCallbackData', 'FltQueryInformationFile', 'FltSetInformationFile', 'FltQueryVolumeInformationFile', 'FltQuerySecurityObject', 'FltSetSecurityObject',
  'FltFsControlFile', 'FltDeviceIoControlFile', 'FltFlushBuffers',
];

export interface BadWorld {
  readonly sim: Simulation;
  readonly objects: FLT_RELATED_OBJECTS;
  /** Values to pass: each kind of wrong. */
  readonly pool: readonly unknown[];
}

export function badWorld(): BadWorld {
  const w = world({ 'scanner@328000': () => ({}) });
  const objects = w.objects('scanner');
  const pool: unknown[] = [undefined, null, Number.NaN, -1, 0.5, 1e300, -(2 ** 60), 2 ** 32, 0, 4, 'C:\\f.txt', '', {}, [], () => 0, new Uint8Array(2), objects, objects.Filter, objects.Instance, objects.Volume, true];
  w.sim.spawn('open', function* () {
    const file = yield* openFromFilter(objects);
    pool.push(file.handle, file.fo);
  });
  w.sim.run();
  return { sim: w.sim, objects, pool };
}

export type Outcome = 'returned' | 'usage' | 'verifier' | 'other-fltsim';

/** Call `routine` with `args` on a simulated thread of `w.sim` (so blocking routines can run); what came of it. */
export function callBadly(w: BadWorld, routine: string, args: readonly unknown[]): Outcome {
  const fn = (api as unknown as Record<string, (...a: unknown[]) => unknown>)[routine]!;
  let outcome: Outcome = 'returned';
  let raw: unknown = null;
  const classify = (error: unknown): void => {
    if (error instanceof api.UsageError) outcome = 'usage';
    else if (error instanceof api.VerifierError) outcome = 'verifier';
    else if (error instanceof FltSimError) outcome = 'other-fltsim';
    else raw = error;
  };
  w.sim.spawn(`bad ${routine}`, function* (): Blocking<void> {
    try {
      const r = fn(...args);
      if (r !== null && typeof r === 'object' && typeof (r as { next?: unknown }).next === 'function') yield* r as Blocking<unknown>;
    } catch (error) {
      classify(error);
    }
  });
  try {
    w.sim.runUntil(() => false, { maxSteps: 2000 });
  } catch (error) {
    classify(error);
  }
  if (raw !== null) throw new Error(`${routine}(${args.map(describe).join(', ')}) threw a raw ${String((raw as Error).name)}: ${String((raw as Error).message).slice(0, 200)}`);
  return outcome;
}

function describe(v: unknown): string {
  if (v === null || v === undefined || typeof v !== 'object') return typeof v === 'function' ? 'fn' : String(v);
  return (v as object).constructor?.name ?? 'object';
}

/** After the bad calls, the simulation still does I/O: an application reads its file. */
export function stillWorks(w: BadWorld): number {
  let status = -1;
  w.sim.spawn('app after', function* () {
    status = yield* readOnce(w.sim);
  });
  w.sim.runUntil(() => false, { maxSteps: 5000 });
  return status;
}

export const badCall = (w: BadWorld): fc.Arbitrary<{ routine: string; args: unknown[] }> =>
  fc.record({ routine: fc.constantFrom(...ROUTINES), args: fc.array(fc.constantFrom(...w.pool), { maxLength: 13 }) });
