// Random small I/O scenarios for partial-order reduction (issue 16): threads of one filter issue
// reads, writes and references through its instance, a second filter's instance below and the file
// system of one shared volume, maybe while the filter unloads. The footprints that matter here are
// the ones no shared cell declares: the instances and volume an operation passes through (only
// named), their in-flight counts, the file system. Shared by reduced.test.ts and its deep twin.
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltClose,
  FltCreateFileEx,
  FltEnumerateInstances,
  FltObjectDereference,
  FltObjectReference,
  FltReadFile,
  FltWriteFile,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  ObDereferenceObject,
  STATUS_SUCCESS,
  exhaustiveSearch,
  preempt,
  reducedSearch,
  type Blocking,
  type Explorable,
  type FLT_RELATED_OBJECTS,
  type Reduction,
  type Simulation,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

type IoOp = { readonly kind: 'read' | 'write' | 'reference'; readonly file: number };
export interface IoProgram {
  readonly threads: readonly (readonly IoOp[])[];
  /** A thread unloads the filter the others issue their I/O through. */
  readonly unload: boolean;
  /**
   * 'lower' and a third filter, 'middle', attach to the volume while the threads run, between
   * their operations (in either order): both count the operations that reach them, and middle's
   * InstanceSetup counts the instances it finds on the volume. 'load': the two filters load then
   * (their DriverEntry threads register, start and attach automatically, §2, §3); 'fltmc': they
   * were loaded before with automatic attachment off (instance Flags 0x1), and a `fltmc attach`
   * thread per filter attaches it (FilterAttach); 'fltmc middle': 'lower' attached when it loaded,
   * only middle is attached by `fltmc attach` while the threads run (a fraction of the
   * interleavings, so that npm test can enumerate them).
   */
  readonly attach?: 'load' | 'fltmc' | 'fltmc middle' | null;
  /**
   * With `attach`: a thread detaches this filter's instance from the volume (`fltmc detach`, §4:
   * the instance's teardown drains what is in flight through it) while the filters load and the
   * I/O runs; before its filter has registered or attached, the detach finds nothing to detach.
   */
  readonly detach?: 'lower' | 'middle' | null;
}

const ioOp = fc.record({ kind: fc.constantFrom('read' as const, 'write' as const, 'reference' as const), file: fc.integer({ min: 0, max: 1 }) });

/**
 * 2 threads of 1–`most` operations, with an unload beside them when `unload` allows. Brute force
 * grows fast: two single operations are 20 interleavings, with an unload beside them 1,000–5,000.
 */
export const ioPrograms = (most: number, unload: boolean): fc.Arbitrary<IoProgram> =>
  fc.record({ threads: fc.array(fc.array(ioOp, { minLength: 1, maxLength: most }), { minLength: 2, maxLength: 2 }), unload: unload ? fc.boolean() : fc.constant(false) });

/**
 * Instances attaching to the volume while one thread issues one operation (§3: at distinct
 * altitudes, middle's InstanceSetup enumerating the volume's instances), maybe beside a detach
 * (§4). `small`: a read while only middle attaches, no detach (200 interleavings,
 * npm test). Otherwise also both filters attaching, by `fltmc attach` or by loading (650–1,300
 * interleavings), and a detach of either filter's instance beside middle's attach (~5,800).
 */
export const attachPrograms = (small: boolean): fc.Arbitrary<IoProgram> => {
  const threads = fc.array(fc.array(ioOp, { minLength: 1, maxLength: 1 }), { minLength: 1, maxLength: 1 });
  // A read: dispatched through the stack, so it reads what the attach updates (a write costs more).
  const dispatched = fc.record({ kind: fc.constant('read' as const), file: fc.integer({ min: 0, max: 1 }) });
  if (small) return fc.record({ threads: fc.tuple(fc.tuple(dispatched)), unload: fc.constant(false), attach: fc.constant('fltmc middle' as const) });
  return fc.oneof(
    fc.record({ threads, unload: fc.constant(false), attach: fc.constantFrom('fltmc' as const, 'load' as const) }),
    fc.record({ threads, unload: fc.constant(false), attach: fc.constant('fltmc middle' as const), detach: fc.constantFrom(null, 'lower' as const, 'middle' as const) }),
  );
};

const FILES = ['\\f0', '\\f1'];

function* issue(o: FLT_RELATED_OBJECTS, op: IoOp, t: number, acc: number): Blocking<number> {
  if (op.kind === 'reference') {
    const status = FltObjectReference(o.Instance);
    if (status !== STATUS_SUCCESS) return acc * 7 + 1;
    yield* preempt();
    FltObjectDereference(o.Instance);
    return acc * 7 + 2;
  }
  const write = op.kind === 'write';
  const r = yield* FltCreateFileEx(o.Filter, o.Instance, write ? FILE_GENERIC_WRITE : FILE_GENERIC_READ, { ObjectName: `C:${FILES[op.file]}` }, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN);
  if (r.FileObject === null) return acc * 7 + 3;
  try {
    const bytes = write ? Uint8Array.of(65 + t, 65 + (acc % 26)) : new Uint8Array(2);
    if (write) yield* FltWriteFile(o.Instance, r.FileObject, 0, 2, bytes);
    else yield* FltReadFile(o.Instance, r.FileObject, 0, 2, bytes);
    return acc * 7 + bytes[0]! + bytes[1]!;
  } finally {
    yield* FltClose(r.FileHandle!);
    yield* ObDereferenceObject(r.FileObject);
  }
}

/**
 * One volume with two files; filter 'upper' (300000) sees reads and writes and issues the threads'
 * I/O through its instance, filter 'lower' (100000) only watches. Each thread's result folds what
 * each of its operations saw; an unload thread unloads 'upper' (a thread that then uses its instance
 * is the verifier's finding). Every variable shared between threads is a cell.
 */
export function ioProgramScenario(program: IoProgram): Explorable & { finals: (sim: Simulation) => string } {
  // What the filters loaded beside the threads saw (`attach`), read when the run ends.
  let seen: (() => string) | null = null;
  const watch = () => operations([IRP_MJ_READ, IRP_MJ_WRITE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING });
  return {
    sharedState: 'cells',
    // The file system completes inline: no completion threads, so programs stay small enough to enumerate.
    options: { fileSystemCompletion: 'inline' },
    finals: (sim) => FILES.map((f) => String.fromCharCode(...(sim.fileSystem('C:').readFile(f) ?? []))).join(',') + (seen === null ? '' : ` ${seen()}`),
    build(sim: Simulation) {
      seen = null;
      sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
      sim.fileSystem('C:').writeFile(FILES[0]!, 'AB');
      sim.fileSystem('C:').writeFile(FILES[1]!, 'CD');
      const objects = sim.sharedCell<FLT_RELATED_OBJECTS | null>('upper objects', null);
      installFilter(sim, { name: 'upper', altitude: '300000', registration: { InstanceSetupCallback: (o) => (objects.set(o), STATUS_SUCCESS), OperationRegistration: watch() } });
      // Loaded before the threads start unless the program attaches while they run.
      const loadOthers = (lowerFlags: number, middleFlags: number) => {
        const counted = (name: string) => {
          const count = sim.sharedCell(`${name} saw`, 0);
          return { count, registration: operations([IRP_MJ_READ, IRP_MJ_WRITE], { PreOperation: () => (count.set(count.get() + 1), FLT_PREOP_SUCCESS_WITH_CALLBACK), PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }) };
        };
        const lower = counted('lower');
        const middle = counted('middle');
        const found = sim.sharedCell('middle found', -1);
        seen = () => `${lower.count.get()}/${middle.count.get()}/${found.get()}`;
        installFilter(sim, { name: 'lower', altitude: '100000', instanceFlags: lowerFlags, registration: { OperationRegistration: lower.registration } });
        installFilter(sim, {
          name: 'middle',
          altitude: '200000',
          instanceFlags: middleFlags,
          registration: {
            OperationRegistration: middle.registration,
            // What InstanceSetup sees of the stack: whether 'lower' attached first (§3, §13).
            InstanceSetupCallback: (o) => {
              const r = FltEnumerateInstances(o.Volume, null, 8);
              for (const instance of r.List) FltObjectDereference(instance);
              found.set(r.NumberReturned);
              return STATUS_SUCCESS;
            },
          },
        });
      };
      const attach = program.attach ?? null;
      // One filter loads after the other: their loading threads' interleavings are not what is tested.
      if (attach === null) sim.whenSettled(() => void installFilter(sim, { name: 'lower', altitude: '100000', registration: { OperationRegistration: watch() } }));
      // Loaded, started, not attached (instance Flags 0x1 suppresses automatic attachment, §3).
      const byFltmc = attach === 'fltmc' ? ['lower', 'middle'] : attach === 'fltmc middle' ? ['middle'] : [];
      if (byFltmc.length > 0) sim.whenSettled(() => loadOthers(byFltmc.includes('lower') ? 1 : 0, 1));
      sim.whenSettled(() => {
        if (attach === 'load') loadOthers(0, 0);
        for (const name of byFltmc) sim.spawn(`fltmc attach ${name}`, () => sim.FilterAttach(name, 'C:'));
        const o = objects.get()!;
        program.threads.forEach((ops, t) => {
          sim.spawn(`t${t}`, function* () {
            let acc = t + 1;
            for (const op of ops) acc = (yield* issue(o, op, t, acc)) % 9973;
            return acc;
          });
        });
        if (program.unload) sim.spawn('unload', () => sim.FilterUnload('upper'));
        const detach = program.detach ?? null;
        if (detach !== null) sim.spawn('detach', () => sim.FilterDetach(detach, 'C:', `${detach} Instance`));
      });
    },
  };
}

export interface IoReached {
  readonly finals: Set<string>;
  readonly violations: Set<string>;
  readonly schedules: number;
}

const base = { seed: 1, args: {}, maxSteps: 5_000, maxOperationsInFlight: 32, invariants: true, monitors: [] };

/**
 * What an unbounded search reaches: per complete schedule, the files' contents, each thread's
 * result (by name: ids of file objects and handles depend on the order of independent steps) and
 * the violation; and the set of violations.
 */
export function reachIo(program: IoProgram, reduction: Reduction, stateHashing = false): IoReached {
  const scenario = ioProgramScenario(program);
  const finals = new Set<string>();
  const violations = new Set<string>();
  const visit = (o: { sim: Simulation; violation: { kind: string; name: string } | null }) => {
    const results = o.sim.log.flatMap((f) => (f.type === 'ThreadCreate' ? [f] : [])).map((f) => `${f.name}=${JSON.stringify(o.sim.state().threads[f.object]?.result ?? null)}`).sort();
    const violation = o.violation === null ? 'none' : `${o.violation.kind}:${o.violation.name}`;
    finals.add(`${scenario.finals(o.sim)} ${results.join(' ')} ${violation}`);
    violations.add(violation);
    return false;
  };
  const options = { ...base, preemptionBound: Infinity, stateHashing, maxSchedules: 1_000_000, visit };
  const r = reduction === 'none' ? exhaustiveSearch(scenario, options) : reducedSearch(scenario, { ...options, reduction });
  expect(r.exhausted).toBe(true);
  return { finals, violations, schedules: r.schedules };
}

/**
 * DPOR, stateful DPOR, sleep sets and the plain search with state hashing reach exactly brute
 * force's final states and violations on an I/O program. `plainHashing: false` leaves the plain
 * search out where npm test cannot afford it (its key, taken at every choice point, costs about
 * what brute force's runs cost here); the cell programs and the other I/O programs check it there.
 */
export function checkIoAgainstBruteForce(program: IoProgram, plainHashing = true): { brute: number; dpor: number } {
  const brute = reachIo(program, 'none');
  const dpor = reachIo(program, 'dpor');
  const sleepSets = reachIo(program, 'sleep-sets', true);
  const stateful = reachIo(program, 'stateful-dpor', true);
  const where = JSON.stringify(program);
  if (plainHashing) {
    const hashed = reachIo(program, 'none', true);
    expect(hashed.finals, `plain search with state hashing, ${where}`).toEqual(brute.finals);
    expect(hashed.violations, `plain search with state hashing, ${where}`).toEqual(brute.violations);
  }
  expect(stateful.finals, `stateful dpor, ${where}`).toEqual(brute.finals);
  expect(stateful.violations, `stateful dpor, ${where}`).toEqual(brute.violations);
  expect(dpor.finals, `dpor, ${where}`).toEqual(brute.finals);
  expect(dpor.violations, `dpor, ${where}`).toEqual(brute.violations);
  expect(sleepSets.finals, `sleep sets, ${where}`).toEqual(brute.finals);
  expect(sleepSets.violations, `sleep sets, ${where}`).toEqual(brute.violations);
  expect(dpor.schedules).toBeLessThanOrEqual(brute.schedules);
  return { brute: brute.schedules, dpor: dpor.schedules };
}
