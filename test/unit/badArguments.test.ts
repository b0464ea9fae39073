// Issue 14 item 3: the I/O routines a minifilter issues (§11), called with random bad arguments —
// the model's own objects in the wrong place, NULL, NaN, negative, fractional and huge numbers,
// strings, plain objects — end in a typed error (UsageError, VerifierError) or a failure status,
// never a raw TypeError, and the same simulation then still does I/O. The other public routines
// are not covered yet (docs/security.md says which).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulation, FltCreateFileEx, FltReadFile, sleep, STATUS_INVALID_PARAMETER, STATUS_SUCCESS, type Blocking } from '../../src/index.js';
import { badWorld, callBadly, CHECKED_ROUTINES, stillWorks } from './badArgumentsWorld.js';

describe('bad arguments to the generated-I/O routines: typed errors only, then I/O goes on', () => {
  it('random bad argument lists (fixed seed), then an application reads its file on the same simulation', () => {
    const w = badWorld();
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.constantFrom(...CHECKED_ROUTINES), fc.array(fc.constantFrom(...w.pool), { maxLength: 13 }), (routine, args) => {
        outcomes.add(callBadly(w, routine, args));
      }),
      { numRuns: 400, seed: 14 },
    );
    expect([...outcomes].sort()).toEqual(['returned', 'usage', 'verifier']);
    expect(stillWorks(w)).toBe(STATUS_SUCCESS);
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
