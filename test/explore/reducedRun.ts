// Random small scenarios for partial-order reduction, and the check that reduced search reaches
// what brute-force enumeration reaches; shared by reduced.test.ts (short) and reduced.deep.test.ts.
import fc from 'fast-check';
import { expect } from 'vitest';
import { ExAcquireFastMutex, ExInitializeFastMutex, ExReleaseFastMutex, Executive, FAST_MUTEX, KEVENT, KeInitializeEvent, KeSetEvent, KeWaitForSingleObject, KernelMode, NotificationEvent, exhaustiveSearch, preempt, reducedSearch, sleep, type Explorable, type Monitor, type Reduction, type SharedCell, type Simulation } from '../../src/index.js';

type Op = { readonly kind: 'read' | 'write' | 'store' | 'sleep' | 'locked' | 'await'; readonly cell: number };
export type Program = readonly (readonly Op[])[];

const op = fc.record({ kind: fc.constantFrom('read' as const, 'write' as const, 'write' as const, 'sleep' as const, 'locked' as const), cell: fc.integer({ min: 0, max: 2 }) });
/** Roughly the interleavings brute force enumerates: the multinomial of each thread's scheduling points. */
function interleavings(p: Program): number {
  const segments = p.map((ops) => 1 + ops.reduce((n, o) => n + (o.kind === 'locked' ? 3 : o.kind === 'sleep' || o.kind === 'await' ? 2 : 1), 0));
  let total = 1;
  let placed = 0;
  for (const k of segments) for (let i = 1; i <= k; i++) total = (total * ++placed) / i;
  return total;
}

/** 2 or 3 threads of 1–3 operations, small enough to enumerate (at most `budget` interleavings). */
export const programs = (budget: number, ops: fc.Arbitrary<Op> = op): fc.Arbitrary<Program> =>
  fc.array(fc.array(ops, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }).filter((p) => interleavings(p) <= budget);

/**
 * A program whose threads from `settledFrom` on are a second wave, spawned by a whenSettled
 * continuation once nothing can run: host code that reads a cell, writes one and hands what it
 * read to the threads it spawns, at the end of whichever step let the simulation settle. Under
 * DPOR and stateful DPOR that is a host step (FootprintRecorder.continuations). A 'store' writes
 * without reading, so runs whose threads saw the same can leave v0 differently. An 'await' waits
 * for an event a thread the continuation also spawns sets: first-wave threads that reach one are
 * blocked when the host's code runs, and go on beside the second wave.
 */
export const programsWithSettled = (budget: number): fc.Arbitrary<{ program: Program; settledFrom: number }> =>
  programs(budget, fc.oneof(op, fc.constant({ kind: 'await' as const, cell: 0 }), fc.record({ kind: fc.constant('store' as const), cell: fc.integer({ min: 0, max: 2 }) }))).chain((program) => fc.integer({ min: 1, max: program.length - 1 }).map((settledFrom) => ({ program, settledFrom })));

/**
 * Threads that read and write three variables, with a scheduling point between operations; a
 * 'locked' operation reads, yields and writes back under a FAST_MUTEX, so which thread takes the
 * lock first decides the result (the lock's footprint, not the variables', orders the regions). Declared:
 * the variables are shared cells and the scenario says so. Undeclared: plain JavaScript variables,
 * which every step must then be assumed to touch.
 */
export function programScenario(program: Program, declared: boolean, settledFrom = program.length): Explorable & { finals: () => string } {
  let read: () => string = () => '';
  return {
    ...(declared ? { sharedState: 'cells' as const } : {}),
    finals: () => read(),
    build(sim: Simulation) {
      const plain = [0, 0, 0];
      const cells: SharedCell<number>[] = [0, 1, 2].map((i) => sim.sharedCell(`v${i}`, 0));
      const get = (i: number) => (declared ? cells[i]!.get() : plain[i]!);
      const set = (i: number, v: number) => (declared ? cells[i]!.set(v) : (plain[i] = v));
      read = () => JSON.stringify([0, 1, 2].map(get));
      const mutex = new FAST_MUTEX('cells');
      const released = new KEVENT('released');
      const spawn = (t: number, ops: readonly Op[], given: number) => {
        sim.spawn(`t${t}`, function* () {
          let acc = t + 1 + given;
          for (const o of ops) {
            if (o.kind === 'read') acc = acc * 3 + get(o.cell);
            else if (o.kind === 'write') set(o.cell, acc + get(o.cell));
            else if (o.kind === 'store') set(o.cell, acc);
            else if (o.kind === 'sleep') yield* sleep(1);
            else if (o.kind === 'await') yield* KeWaitForSingleObject(released, Executive, KernelMode, false, null);
            else {
              yield* ExAcquireFastMutex(mutex);
              const seen = get(o.cell);
              yield* preempt();
              set(o.cell, seen * 2 + t + 1);
              acc = acc * 5 + seen;
              yield* ExReleaseFastMutex(mutex);
            }
            yield* preempt();
          }
          return acc % 97;
        });
      };
      sim.spawn('setup', function* () {
        yield* ExInitializeFastMutex(mutex);
        if (settledFrom < program.length) yield* KeInitializeEvent(released, NotificationEvent, false);
        program.forEach((ops, t) => {
          if (t < settledFrom) spawn(t, ops, 0);
        });
      });
      // The second wave: once nothing can run, host code reads v0, zeroes it and bumps v2, and
      // hands what it read to the threads it spawns (programsWithSettled).
      if (settledFrom < program.length) {
        sim.whenSettled(() => {
          // Zeroed: past here only the host's reading tells apart runs whose stores left v0 differently.
          const seen = get(0);
          set(0, 0);
          set(2, get(2) + 7);
          program.forEach((ops, t) => {
            if (t >= settledFrom) spawn(t, ops, seen);
          });
          sim.spawn('releaser', function* () {
            yield* KeSetEvent(released, 0, false);
            return 1;
          });
        });
      }
    },
  };
}

/**
 * Two threads write v0 (1 and 2, each after a scheduling point); once both are done, a whenSettled
 * continuation reads v0 and spawns a worker with what it read; the worker sets v0 to 0, yields,
 * then writes ten times what it was given to v1; a bystander thread runs beside it. Both orders of the writers end the same steps
 * with different values captured by the host, which no cell shows once the worker zeroed v0.
 */
export function settledReader(): ReturnType<typeof programScenario> {
  let read: () => string = () => '';
  return {
    sharedState: 'cells',
    finals: () => read(),
    build(sim: Simulation) {
      const v0 = sim.sharedCell('v0', 0);
      const v1 = sim.sharedCell('v1', 0);
      read = () => JSON.stringify([v0.get(), v1.get()]);
      for (const value of [1, 2]) {
        sim.spawn(`writer ${value}`, function* () {
          yield* preempt();
          v0.set(value);
          return value;
        });
      }
      sim.whenSettled(() => {
        const captured = v0.get();
        sim.spawn('worker', function* () {
          v0.set(0);
          yield* preempt();
          v1.set(captured * 10);
          return captured;
        });
        // Beside the worker, so that its states are choice points, which a key is taken at.
        sim.spawn('bystander', function* () {
          yield* preempt();
          yield* preempt();
          return 0;
        });
      });
    },
  };
}

/** A violation per thread whose result is a multiple of 4: something only some orders produce. */
const multipleOfFour: Monitor = (facts) =>
  facts.filter((f) => f.type === 'ThreadExit' && f.result !== null && f.result % 4 === 0).map((f) => ({ name: `${f.object} returned a multiple of 4`, seq: f.seq, message: 'found' }));

const base = { seed: 1, args: {}, maxSteps: 5_000, maxOperationsInFlight: 32, invariants: false, monitors: [multipleOfFour] };

export interface Reached {
  readonly finals: Set<string>;
  readonly violations: Set<string>;
  readonly schedules: number;
}

/** Final states (variables and thread results) and violations a search reaches, without a preemption bound unless given one. */
export function reach(scenario: ReturnType<typeof programScenario>, reduction: Reduction, stateHashing = false, preemptionBound = Infinity): Reached {
  const finals = new Set<string>();
  const violations = new Set<string>();
  const visit = (o: { sim: Simulation; violation: { name: string } | null }) => {
    const results = o.sim.log.filter((f) => f.type === 'ThreadExit').map((f) => `${f.object}=${f.type === 'ThreadExit' ? f.result : ''}`).sort();
    finals.add(`${scenario.finals()} ${results.join(' ')}`);
    for (const v of multipleOfFour(o.sim.log)) violations.add(v.name!);
    return false;
  };
  const options = { ...base, preemptionBound, stateHashing, maxSchedules: 1_000_000, visit };
  const r = reduction === 'none' ? exhaustiveSearch(scenario, options) : reducedSearch(scenario, { ...options, reduction });
  expect(r.exhausted).toBe(true);
  return { finals, violations, schedules: r.schedules };
}

/**
 * Reduced search (sleep sets, DPOR, stateful DPOR) and the plain search with state hashing reach
 * exactly brute force's final states and violations.
 */
export function checkAgainstBruteForce(program: Program, declared: boolean, settledFrom = program.length): { brute: number; dpor: number; stateful: number; hashed: number } {
  const scenario = programScenario(program, declared, settledFrom);
  const brute = reach(scenario, 'none');
  const hashed = reach(scenario, 'none', true);
  const dpor = reach(scenario, 'dpor');
  const sleepSets = reach(scenario, 'sleep-sets', true);
  const stateful = reach(scenario, 'stateful-dpor', true);
  const where = `${JSON.stringify(program)}, settled from ${settledFrom}`;
  expect(hashed.finals, `plain search with state hashing, ${where}`).toEqual(brute.finals);
  expect(hashed.violations, `plain search with state hashing, ${where}`).toEqual(brute.violations);
  expect(stateful.finals, `stateful dpor, ${where}`).toEqual(brute.finals);
  expect(stateful.violations, `stateful dpor, ${where}`).toEqual(brute.violations);
  expect(dpor.finals, `dpor, ${where}`).toEqual(brute.finals);
  expect(dpor.violations, `dpor, ${where}`).toEqual(brute.violations);
  expect(sleepSets.finals, `sleep sets, ${where}`).toEqual(brute.finals);
  expect(sleepSets.violations, `sleep sets, ${where}`).toEqual(brute.violations);
  expect(dpor.schedules).toBeLessThanOrEqual(brute.schedules);
  return { brute: brute.schedules, dpor: dpor.schedules, stateful: stateful.schedules, hashed: hashed.schedules };
}

/**
 * Under a preemption bound, stateful DPOR reaches every final state and violation DPOR reaches
 * (docs/exploration.md, "Stateful DPOR": a visit covers the continuations that start with the
 * threads it had as many preemptions left after). Against DPOR, not brute force: bounded DPOR
 * explores each trace through some schedule within the bound, not every bounded schedule.
 */
export function checkStatefulAgainstDpor(program: Program, bound: number, settledFrom = program.length): { dpor: number; stateful: number } {
  const scenario = programScenario(program, true, settledFrom);
  const dpor = reach(scenario, 'dpor', false, bound);
  const stateful = reach(scenario, 'stateful-dpor', true, bound);
  const where = `bound ${bound}, ${JSON.stringify(program)}, settled from ${settledFrom}`;
  for (const f of dpor.finals) expect(stateful.finals.has(f), `${where}: ${f}`).toBe(true);
  for (const v of dpor.violations) expect(stateful.violations.has(v), `${where}: ${v}`).toBe(true);
  return { dpor: dpor.schedules, stateful: stateful.schedules };
}
