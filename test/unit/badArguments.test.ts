// Issue 14 item 3: every public routine (the table in publicRoutines.ts: the WDK routines, the
// methods of sim, sim.io, Timeline and Cursor) called with random bad arguments — the model's own
// objects in the wrong place, NULL, NaN, negative, fractional and huge numbers, short buffers,
// hostile strings, plain objects — ends in a typed error (UsageError, VerifierError) or a status,
// never a raw TypeError, and the same simulation then still does I/O. The helpers over a caller's
// own data (formatTrace, foldLog, explore, …) and the constructors (new KEVENT, new Simulation, the
// error classes) get the same pool and the world's own log, fact and state: a UsageError naming
// the helper and the parameter, the helper's own typed error, or a result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  diffStates,
  explore,
  FltCreateFileEx,
  FltReadFile,
  foldLog,
  formatFact,
  formatTrace,
  KeSetEvent,
  NT_SUCCESS,
  readTraceFile,
  sleep,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  Timeline,
  toMermaid,
  TraceNamer,
  VerifierError,
  type Blocking,
  type KEVENT,
} from '../../src/index.js';
import { budget } from '../support/deep.js';
import { badWorld, callBadly, callHelperBadly, FUZZED, HELPERS_FUZZED, helperPool, stillWorks } from './badArgumentsWorld.js';
import { PUBLIC_ROUTINES, reachableRoutines } from './publicRoutines.js';

/** Random bad calls of every fuzzed routine on one world, then an application reads its file there. */
export function fuzzEveryRoutine(runs: number, seed?: number): Set<string> {
  const w = badWorld();
  const outcomes = new Set<string>();
  fc.assert(
    fc.property(fc.constantFrom(...FUZZED), fc.array(fc.constantFrom(...w.pool), { maxLength: 9 }), (routine, args) => {
      outcomes.add(callBadly(w, routine, args));
    }),
    seed === undefined ? { numRuns: runs } : { numRuns: runs, seed },
  );
  expect(stillWorks(w)).toBe(STATUS_SUCCESS);
  return outcomes;
}

/** Random bad calls of every helper and constructor (formatTrace, foldLog, explore, new KEVENT, …), then I/O on the world. */
export function fuzzEveryHelper(runs: number, seed?: number): Set<string> {
  const w = badWorld();
  const pool = helperPool(w);
  const outcomes = new Set<string>();
  fc.assert(
    fc.property(fc.constantFrom(...HELPERS_FUZZED), fc.array(fc.constantFrom(...pool), { maxLength: 6 }), (helper, args) => {
      outcomes.add(callHelperBadly(helper, args));
    }),
    seed === undefined ? { numRuns: runs } : { numRuns: runs, seed },
  );
  expect(stillWorks(w)).toBe(STATUS_SUCCESS);
  return outcomes;
}

describe('bad arguments to every public routine: typed errors only, then I/O goes on', () => {
  it('the table lists every function the public API reaches (exports, sim, sim.io, Timeline, Cursor), and nothing else', () => {
    expect(reachableRoutines()).toEqual([...PUBLIC_ROUTINES.keys()].sort());
    expect(FUZZED.length).toBeGreaterThan(250);
  });

  it('each fuzzed routine, called once with each kind of wrong value in every position, ends in a typed error or a status', () => {
    const w = badWorld();
    for (const routine of FUZZED) for (const value of w.pool.slice(0, 4)) callBadly(w, routine, [value, value, value, value, value]);
    expect(stillWorks(w)).toBe(STATUS_SUCCESS);
  });

  it('each helper and constructor, called with each kind of wrong value in each of its first positions and after a valid log, state or fact, ends in a typed error or a result', () => {
    const w = badWorld();
    const pool = helperPool(w);
    const [log, fact, state] = pool.slice(w.pool.length, w.pool.length + 3);
    // After a valid first argument, every fifth kind of wrong: a valid log is folded or formatted each time, which costs.
    const some = pool.filter((_, i) => i % 5 === 0);
    for (const helper of HELPERS_FUZZED) {
      for (const value of pool) for (const args of [[value], [value, value, value]]) callHelperBadly(helper, args);
      for (const value of some) for (const args of [[log, value, value], [fact, value], [state, value]]) callHelperBadly(helper, args);
    }
    expect(HELPERS_FUZZED.length).toBeGreaterThan(100);
    expect(stillWorks(w)).toBe(STATUS_SUCCESS);
  });

  it('random bad argument lists over every helper and constructor (fixed seed), then an application reads its file on the same simulation', () => {
    // Besides UsageErrors: a helper's own typed errors (readTraceFile's TraceFileError, a verifier
    // finding of a helper that touches the simulation, such as viewBytes); callHelperBadly fails on anything else.
    const outcomes = fuzzEveryHelper(budget(300, 300), 14);
    expect(outcomes).toContain('returned');
    expect(outcomes).toContain('usage');
  });

  it('a helper names itself and the parameter: a log that is not an array, a fact without its seq, NaN for an NTSTATUS, a target without build, a message that is not a string', () => {
    const outcome = (body: () => unknown): string => {
      try {
        body();
        return 'returned';
      } catch (error) {
        return String(error);
      }
    };
    expect(outcome(() => formatTrace(null as never))).toBe('UsageError: [BAD_ARGUMENT] formatTrace: facts is NULL, not a log (an array of facts)');
    expect(outcome(() => foldLog([{}] as never))).toBe('UsageError: [BAD_ARGUMENT] foldLog: facts[0].seq is undefined, not a whole number (facts[0] is not a fact ({ seq, time, object, type, … }))');
    // A fact with the right envelope is checked against the schema of its type too (docs/security.md).
    expect(outcome(() => formatFact({ seq: 0, time: 0, object: 'sim', type: 'SimulationStart' } as never, new TraceNamer()))).toBe(
      'UsageError: [BAD_ARGUMENT] formatFact: fact is not a fact of the schema: SimulationStart lacks its field seed',
    );
    expect(outcome(() => Timeline.of([{ seq: 0, time: 0, object: 'T1', type: 'ThreadCreate', name: 7, parent: null }] as never))).toBe(
      'UsageError: [BAD_ARGUMENT] Timeline.push: fact is not a fact of the schema: ThreadCreate.name must be a string, got 7',
    );
    expect(outcome(() => toMermaid([{ seq: 0, time: 0, object: 'T1', type: 'ThreadExit', result: null, error: null, extra: 1 }] as never))).toBe(
      'UsageError: [BAD_ARGUMENT] toMermaid: facts[0] is not a fact of the schema: ThreadExit has no field "extra"',
    );
    expect(outcome(() => NT_SUCCESS(Number.NaN))).toBe('UsageError: [BAD_ARGUMENT] NT_SUCCESS: Status is number NaN, not a LONG (a 32-bit whole number)');
    expect(outcome(() => explore({} as never))).toBe('UsageError: [BAD_ARGUMENT] explore: target.build is undefined, not a function (target is not an Explorable (a Scenario, or { build(sim, args) }))');
    expect(outcome(() => diffStates(createSimulation({ seed: 1 }).state(), {} as never))).toBe('UsageError: [BAD_ARGUMENT] diffStates: b.seq is undefined, not a whole number (b is not a SimState (sim.state(), foldLog, a Timeline))');
    expect(outcome(() => readTraceFile('x\n', { maxFacts: -1 }))).toBe('UsageError: [BAD_ARGUMENT] readTraceFile: limits.maxFacts is number -1, not a size (a whole number from 0)');
    expect(outcome(() => new VerifierError('NULL_POINTER', 5 as never, {}))).toBe('UsageError: [BAD_ARGUMENT] VerifierError: message is number 5, not a string');
  });

  it('random bad argument lists over every fuzzed routine (fixed seed), then an application reads its file on the same simulation', () => {
    expect([...fuzzEveryRoutine(budget(300, 300), 14)].sort()).toEqual(['returned', 'usage', 'verifier']);
  });

  it('each kind of wrong names the routine and the parameter: a wrong object, NaN, a fraction (UsageError); a negative offset (STATUS_INVALID_PARAMETER); NULL FileObject (NULL_FILE_OBJECT)', () => {
    const w = badWorld();
    const { Filter, Instance } = w.objects;
    const fo = w.pool.at(-1);
    const outcome = (body: () => Blocking<unknown>): string => {
      let out = '';
      w.sim.spawn('caller', function* () {
        try {
          out = `returned ${JSON.stringify(yield* body())}`;
        } catch (error) {
          out = String(error);
        }
      });
      w.sim.run();
      return out;
    };
    expect(outcome(() => FltReadFile(Filter as never, fo as never, 0, 4, new Uint8Array(4)))).toBe('UsageError: [BAD_ARGUMENT] FltReadFile: InitiatingInstance is FilterObject, not a PFLT_INSTANCE');
    expect(outcome(() => FltReadFile(Instance, fo as never, 0, Number.NaN, new Uint8Array(4)))).toBe('UsageError: [BAD_ARGUMENT] FltReadFile: Length is number NaN, not a ULONG (a whole number from 0 to 0xFFFFFFFF)');
    expect(outcome(() => FltCreateFileEx(Filter, Instance, 0.5, { ObjectName: 'C:\\f.txt' }))).toBe('UsageError: [BAD_ARGUMENT] FltCreateFileEx: DesiredAccess is number 0.5, not a ULONG (a whole number from 0 to 0xFFFFFFFF)');
    expect(outcome(() => FltReadFile(Instance, fo as never, -5, 4, new Uint8Array(4)))).toBe(`returned ${JSON.stringify({ status: STATUS_INVALID_PARAMETER, BytesRead: 0 })}`);
    expect(outcome(() => FltReadFile(Instance, null as never, 0, 4, new Uint8Array(4)))).toMatch(/^VerifierError: \[NULL_FILE_OBJECT\] FltReadFile from I1/);
    expect(stillWorks(w)).toBe(STATUS_SUCCESS);
  });
});

describe('NULL where a routine dereferences a pointer is NULL_POINTER (§14)', () => {
  it('KeSetEvent(NULL) is recorded on the calling thread and ends it; the simulation goes on', () => {
    const sim = createSimulation({ seed: 1, onViolation: 'record' });
    sim.spawn('driver', () => KeSetEvent(null as unknown as KEVENT, 0, false));
    sim.spawn('fine', () => sleep(1));
    sim.run();
    expect(sim.state().violations.map((v) => `${v.rule} ${v.object}`)).toEqual(['NULL_POINTER T1']);
    expect(sim.now).toBe(1);
  });
});

describe('sleep and wait timeouts stay in the range a trace file can hold (issue 14 item 3)', () => {
  it('sleep(1e300) and sleep(NaN) are a UsageError in the sleeping thread, and the run goes on', () => {
    const sim = createSimulation({ seed: 1 });
    const errors: string[] = [];
    for (const ticks of [1e300, Number.NaN, -1, 0.5]) {
      sim.spawn(`sleeper ${ticks}`, function* () {
        try {
          yield* sleep(ticks);
        } catch (error) {
          errors.push(String(error));
        }
      });
    }
    sim.spawn('fine', () => sleep(5));
    sim.run();
    expect(errors).toEqual([
      'UsageError: [BAD_ARGUMENT] sleep needs a whole number of ticks from 0 to 2^50, got 1e+300',
      'UsageError: [BAD_ARGUMENT] sleep needs a whole number of ticks from 0 to 2^50, got NaN',
      'UsageError: [BAD_ARGUMENT] sleep needs a whole number of ticks from 0 to 2^50, got -1',
      'UsageError: [BAD_ARGUMENT] sleep needs a whole number of ticks from 0 to 2^50, got 0.5',
    ]);
    expect(sim.now).toBe(5);
  });
});
