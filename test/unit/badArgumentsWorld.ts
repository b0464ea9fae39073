// Issue 14 item 3: every public routine called with bad arguments. A world with a filter, its
// instance on C:, an open file object and handle, and a pool of wrong values of every kind: the
// routines' own objects in the wrong place, NULL, NaN, negative, fractional and huge numbers, short
// buffers, strings, plain objects. Shared by badArguments.test.ts (short) and its deep variant.
import fc from 'fast-check';
import * as api from '../../src/index.js';
import { FltSimError, type Blocking, type FLT_RELATED_OBJECTS, type Simulation } from '../../src/index.js';
import { openFromFilter, readOnce, world } from '../verifier/world.js';
import { PUBLIC_ROUTINES } from './publicRoutines.js';

/** The generated-I/O routines whose every argument is checked (src/issuedIo/routineArguments.ts). */
export const CHECKED_ROUTINES: readonly string[] = [
  'FltReadFile', 'FltWriteFile', 'FltCreateFile', 'FltCreateFileEx', 'FltCreateFileEx2', 'FltClose', 'ObDereferenceObject', 'ObReferenceObject',
  'FltCancelFileOpen', 'FltAllocateCallbackData', 'FltAllocateCallbackDataEx', 'FltPerformSynchronousIo', 'FltPerformAsynchronousIo', 'FltFreeCallbackData',
  'FltReuseCallbackData', 'FltQueryInformationFile', 'FltSetInformationFile', 'FltQueryVolumeInformationFile', 'FltQuerySecurityObject', 'FltSetSecurityObject',
  'FltFsControlFile', 'FltDeviceIoControlFile', 'FltFlushBuffers',
];

/** Every entry of the table the fuzz calls (classes, internals and helpers left out). */
export const FUZZED: readonly string[] = [...PUBLIC_ROUTINES].filter(([, how]) => !['class', 'internal', 'helper'].includes(how)).map(([name]) => name).sort();

export interface BadWorld {
  readonly sim: Simulation;
  readonly objects: FLT_RELATED_OBJECTS;
  /** Values to pass: each kind of wrong. */
  readonly pool: readonly unknown[];
}

export function badWorld(): BadWorld {
  const w = world({ 'scanner@328000': () => ({}) });
  const objects = w.objects('scanner');
  const pool: unknown[] = [
    undefined, null, Number.NaN, -1, 0.5, 1e300, -(2 ** 60), 2 ** 32, 0, 4, 'C:\\f.txt', '', '\n;#<x>', {}, [], [null], () => 0, new Uint8Array(2), true,
    objects, objects.Filter, objects.Instance, objects.Volume, new api.KEVENT('pool event'), new api.ERESOURCE(), new api.FAST_MUTEX(), new api.KSPIN_LOCK(),
    new api.FLT_CALLBACK_DATA_QUEUE(), { value: 1 }, api.portVariable(), { hEvent: null, Internal: 0, InternalHigh: 0 }, { name: 'X:' },
  ];
  // A closed event's handle and OVERLAPPEDs whose hEvent names no open event: Windows fails the call (ERROR_INVALID_HANDLE).
  const closed = w.sim.CreateEventW(null, true, false, 'closed event');
  pool.push(closed, { hEvent: closed, Internal: 0x103, InternalHigh: 0 }, { hEvent: 0x99, Internal: 0, InternalHigh: 0 });
  w.sim.spawn('open', function* () {
    yield* api.CloseHandle(closed);
    const file = yield* openFromFilter(objects);
    pool.push(yield* api.FltAllocateGenericWorkItem(), yield* api.FltAllocateDeferredIoWorkItem(), file.handle, file.fo);
  });
  w.sim.run();
  return { sim: w.sim, objects, pool };
}

export type Outcome = 'returned' | 'usage' | 'verifier' | 'other-fltsim';

/** Call the table entry `name` with `args` the way its `how` says; what came of it. */
export function callBadly(w: BadWorld, name: string, args: readonly unknown[]): Outcome {
  const how = PUBLIC_ROUTINES.get(name);
  const method = name.slice(name.indexOf('.') + 1);
  const target = (): unknown => {
    switch (how) {
      case 'thread':
        return (api as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
      case 'simThread':
      case 'simHost':
        return (w.sim as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
      case 'io':
        return (w.sim.io as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
      case 'timeline':
        return (api.Timeline.of(w.sim.log) as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
      case 'cursor':
        return (new api.Cursor(api.Timeline.of(w.sim.log), 0) as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
      default:
        throw new Error(`${name} is not fuzzed (${String(how)})`);
    }
  };
  let outcome: Outcome = 'returned';
  let raw: unknown = null;
  const classify = (error: unknown): void => {
    if (error instanceof api.UsageError) outcome = 'usage';
    else if (error instanceof api.VerifierError) outcome = 'verifier';
    else if (error instanceof FltSimError) outcome = 'other-fltsim';
    else raw = error;
  };
  if (how === 'simHost' || how === 'timeline' || how === 'cursor') {
    try {
      target();
    } catch (error) {
      classify(error);
    }
  } else {
    w.sim.spawn(`bad ${name}`, function* (): Blocking<void> {
      try {
        const r = target();
        if (r !== null && typeof r === 'object' && typeof (r as { next?: unknown }).next === 'function') yield* r as Blocking<unknown>;
      } catch (error) {
        classify(error);
      }
    });
  }
  try {
    w.sim.runUntil(() => false, { maxSteps: 2000 });
  } catch (error) {
    classify(error);
  }
  if (raw !== null) throw new Error(`${name}(${args.map(describe).join(', ')}) threw a raw ${String((raw as Error).name)}: ${String((raw as Error).message).slice(0, 200)}`);
  return outcome;
}

function describe(v: unknown): string {
  if (v === null || v === undefined || typeof v !== 'object') return typeof v === 'function' ? 'fn' : String(v);
  return (v as object).constructor?.name ?? 'object';
}

/** After the bad calls, the simulation still does I/O: an application reads its file. */
export function stillWorks(w: BadWorld): number {
  // A fuzzed call may be a valid one that removes C: (sim.dismountVolume with the world's volume):
  // then the simulation must still mount a volume again and do I/O there.
  if (w.sim.volume('C:') === undefined) {
    w.sim.mountVolume({ name: '\\Device\\HarddiskVolume9', dosName: 'C:' });
    w.sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  }
  let status = -1;
  w.sim.spawn('app after', function* () {
    status = yield* readOnce(w.sim);
  });
  w.sim.runUntil(() => false, { maxSteps: 5000 });
  return status;
}

export const badCall = (w: BadWorld): fc.Arbitrary<{ routine: string; args: unknown[] }> =>
  fc.record({ routine: fc.constantFrom(...FUZZED), args: fc.array(fc.constantFrom(...w.pool), { maxLength: 13 }) });

/** The helpers over a caller's own data and the constructors of the API (issue 14): called from the host. */
export const HELPERS_FUZZED: readonly string[] = [...PUBLIC_ROUTINES].filter(([, how]) => how === 'helper' || how === 'class').map(([name]) => name).sort();

/**
 * The pool, and the caller's own data a helper takes, each a valid value in a place it may not
 * belong: the world's log and one fact, its state and a diff, a TraceNamer, a strategy.
 */
export function helperPool(w: BadWorld): unknown[] {
  const log = w.sim.log;
  const state = w.sim.state();
  // Hand-built facts with the right envelope and wrong fields of their own (a SimulationStart
  // without frames was a TypeError in formatFact): the helpers check each fact against the schema.
  const brokenFacts = [
    { seq: 0, time: 0, object: 'sim', type: 'SimulationStart' },
    { seq: 3, time: 0, object: 'I9', type: 'IoStart', major: 3, minor: 0 },
    { seq: 1, time: 0, object: 'T1', type: 'ThreadCreate', name: 7, parent: null },
    { seq: 2, time: 0, object: 'T1', type: 'ThreadExit', result: null, error: null, extra: '\n;#' },
  ];
  return [...w.pool, log, log[3], state, api.diffStates(state, state), new api.TraceNamer(), api.inOrderStrategy(), ...brokenFacts, [log[0], ...brokenFacts]];
}

/** Call helper or constructor `name` with `args` from the host; an iterator it returns is iterated while it yields strings. */
export function callHelperBadly(name: string, args: readonly unknown[]): Outcome {
  const how = PUBLIC_ROUTINES.get(name);
  const f = (api as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
  try {
    const r = how === 'class' ? new (f as unknown as new (...a: unknown[]) => unknown)(...args) : f(...args);
    if (how !== 'class' && r !== null && typeof r === 'object' && typeof (r as { next?: unknown }).next === 'function') {
      for (let i = 0; i < 100; i++) {
        const step = (r as Iterator<unknown>).next();
        if (step.done === true || typeof step.value !== 'string') break;
      }
    }
    return 'returned';
  } catch (error) {
    if (error instanceof api.UsageError) return 'usage';
    if (error instanceof api.VerifierError) return 'verifier';
    if (error instanceof FltSimError) return 'other-fltsim';
    const e = error as Error;
    throw new Error(`${how} ${name}(${args.map(describe).join(', ')}) threw a raw ${String(e?.name)}: ${String(e?.message).slice(0, 200)}`);
  }
}
