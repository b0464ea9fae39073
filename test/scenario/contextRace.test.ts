// §15.4, §15.5: FltGet/Set/Delete*Context are scheduling points, so exploration can run another
// thread between a filter's get and its set — the race the ctx and avscan samples are written
// against. Two creates of one file race to give its stream a context: with KEEP_IF_EXISTS the loser
// gets STATUS_FLT_CONTEXT_ALREADY_DEFINED and the winner's context, and drops its own; a filter that
// forgets to drop its own leaks it (CONTEXT_LEAKED at the unload), and one that sets with
// REPLACE_IF_EXISTS overwrites the winner's context, losing what the winner counted in it.
import { describe, expect, it } from 'vitest';
import {
  explore,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FltAllocateContext,
  FltGetStreamContext,
  FltReleaseContext,
  FltSetStreamContext,
  IRP_MJ_CREATE,
  NT_SUCCESS,
  PagedPool,
  createSimulation,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_NOT_FOUND,
  type Blocking,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type PFLT_CONTEXT,
  type RaceWindow,
  type Scenario,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';
import { budget, DEEP } from '../support/deep.js';

type Variant = 'keep' | 'leak' | 'replace';
interface OPEN_COUNT_CONTEXT {
  Opens: number;
}

/**
 * A filter that counts the opens of each stream in its stream context, find-or-create as ctx.c
 * does it. `opensSeen` counts every post-create it ran: the stream's count must equal it, or an
 * open was counted in a context the stream no longer has (the filter's ASSERT, as a checked build).
 */
function openCounter(variant: Variant, log: string[] = []): FLT_REGISTRATION {
  let opensSeen = 0;
  return {
    ContextRegistration: [{ ContextType: FLT_STREAM_CONTEXT, Size: 8, PoolTag: 0x6e43704f, ContextCleanupCallback: null }],
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ_CREATE,
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (Data, FltObjects): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
          if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
          const got = yield* FltGetStreamContext<OPEN_COUNT_CONTEXT>(FltObjects.Instance, FltObjects.FileObject!);
          let context = got.context;
          if (got.status === STATUS_NOT_FOUND) {
            // Another create may run here: its get finds nothing either.
            const made = FltAllocateContext<OPEN_COUNT_CONTEXT>(FltObjects.Filter, FLT_STREAM_CONTEXT, 8, PagedPool).context!;
            made.Data.Opens = 0;
            const old = { value: null as PFLT_CONTEXT | null };
            const operation = variant === 'replace' ? FLT_SET_CONTEXT_REPLACE_IF_EXISTS : FLT_SET_CONTEXT_KEEP_IF_EXISTS;
            const status = yield* FltSetStreamContext(FltObjects.Instance, FltObjects.FileObject!, operation, made, variant === 'replace' ? null : old);
            log.push(`${made.id} set → ${status === STATUS_FLT_CONTEXT_ALREADY_DEFINED ? `ALREADY_DEFINED, OldContext ${old.value?.id ?? 'NULL'}` : NT_SUCCESS(status) ? 'SUCCESS' : status}`);
            if (status === STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
              // Lost the race: use the winner's context (referenced for us), drop our own.
              if (variant !== 'leak') FltReleaseContext(made);
              context = old.value as unknown as PFLT_CONTEXT<OPEN_COUNT_CONTEXT>;
            } else {
              context = made;
            }
          }
          opensSeen++;
          context!.Data.Opens++;
          log.push(`${context!.id} Opens=${context!.Data.Opens}`);
          if (context!.Data.Opens !== opensSeen) throw new Error(`ASSERT: the stream context counts ${context!.Data.Opens} opens, the filter saw ${opensSeen}`);
          FltReleaseContext(context!);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      },
    ],
  };
}

/** A second create's get between the first's failed get and its set: the set then finds the winner's context. */
const GET_THEN_SET: RaceWindow = {
  name: "a create's set after another create set the stream's context",
  opensAt: (f) => f.type === 'RoutineFailed' && f.routine === 'FltGetStreamContext' && f.status === STATUS_NOT_FOUND,
  closesAt: () => false,
  hitBy: (f) => f.type === 'RoutineFailed' && f.routine === 'FltSetStreamContext' && f.status === STATUS_FLT_CONTEXT_ALREADY_DEFINED,
};

/** Two applications open one file at once and keep it open; then the filter is unloaded. */
const race: Scenario = {
  id: 'test-context-get-then-set',
  description: 'two creates race to set a stream context; the filter is unloaded after',
  windows: [GET_THEN_SET],
  build(sim: Simulation, args) {
    build(sim, args['variant'] as Variant, []);
  },
};

function build(sim: Simulation, variant: Variant, log: string[]): void {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', 'counted');
    installFilter(sim, { name: 'opencount', altitude: '320000', registration: openCounter(variant, log) });
    const app = (name: string) =>
      sim.spawn(name, function* () {
        // The handle stays open: the stream, and its context, live until the unload's teardown (§15.8).
        yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      });
    const apps = [app('app1'), app('app2')];
    sim.spawn('fltmc unload', function* () {
      for (const a of apps) yield* sim.join(a);
      yield* sim.FilterUnload('opencount');
    });
}

/** The first random schedule (seed 29) in which app2's create runs its get between app1's get and set. */
const SEED_OF_THE_RACE = 29;
const RACE_TRACE = [
  'C1(STREAM of opencount) ContextLinked by=FltSetStreamContext to=V1:stream#64 instance=I1:opencount@320000 on C: count=2',
  'C1(STREAM of opencount) FltReleaseContext by=FltReleaseContext count=1',
  // The loser's set: OldContext is the winner's context, referenced for the caller…
  'C1(STREAM of opencount) FltReferenceContext by=FltSetStreamContext count=2',
  'C2(STREAM of opencount) RoutineFailed routine=FltSetStreamContext status=STATUS_FLT_CONTEXT_ALREADY_DEFINED (C1 is already set on V1:stream#64; KEEP_IF_EXISTS keeps it)',
  // …and its own context, never linked, goes with its release.
  'C2(STREAM of opencount) FltReleaseContext by=FltReleaseContext count=0',
  'C2(STREAM of opencount) ContextFreed',
  'C1(STREAM of opencount) FltReleaseContext by=FltReleaseContext count=1',
  'C1(STREAM of opencount) ContextUnlinked by=teardown of I1 count=0',
  'C1(STREAM of opencount) ContextFreed',
];

describe('the get-then-set race of a stream context, explored (§15.4, §15.5)', () => {
  it('KEEP_IF_EXISTS resolves it: exhaustive search (one preemption) reaches the race and finds nothing wrong', () => {
    // 263 schedules cover the bound (the deep run); the first 20 already reach the race 3 times.
    const r = explore(race, { strategy: 'exhaustive', preemptionBound: 1, schedules: budget(20, 400), seed: 1, args: { variant: 'keep' } });
    expect(r.found).toBe(false);
    expect(r.coverage).toEqual([{ name: GET_THEN_SET.name, schedules: expect.any(Number), hits: expect.any(Number) }]);
    expect(r.coverage[0]!.schedules).toBeGreaterThan(0);
    if (DEEP) expect(r.exhausted).toBe(true);
  });

  it('the loser gets STATUS_FLT_CONTEXT_ALREADY_DEFINED with the winner’s context referenced for it, and releases its own', () => {
    const sim = createSimulation({ seed: SEED_OF_THE_RACE, strategy: 'random', onViolation: 'record' });
    const log: string[] = [];
    build(sim, 'keep', log);
    expect(sim.run().reason).toBe('idle');
    expect(log).toEqual(['C1 set → SUCCESS', 'C1 Opens=1', 'C2 set → ALREADY_DEFINED, OldContext C1', 'C1 Opens=2']);
    expect(compactTrace(sim.log, { types: ['RoutineFailed', 'ContextLinked', 'ContextUnlinked', 'FltReferenceContext', 'FltReleaseContext', 'ContextFreed'] }).filter((l) => /^C\d/.test(l))).toEqual(RACE_TRACE);
    expect(sim.state().violations).toEqual([]);
  });

  it('a loser that keeps its own context leaks it: exploration finds CONTEXT_LEAKED at the unload (§15.9)', () => {
    const r = explore(race, { strategy: 'exhaustive', preemptionBound: 1, schedules: 400, seed: 1, args: { variant: 'leak' } });
    expect(r.violation).toMatchObject({ kind: 'verifier', name: 'CONTEXT_LEAKED' });
    expect(r.violation!.message).toMatch(/opencount leaked references to FLT_CONTEXT: 1 \(C\d RefCount 1\); FltUnregisterFilter waits for them/);
    const pct = explore(race, { strategy: 'pct', schedules: 300, seed: 1, args: { variant: 'leak' } });
    expect(pct.violation?.name).toBe('CONTEXT_LEAKED');
  });

  it('REPLACE_IF_EXISTS overwrites the winner’s context: exploration finds an open counted in a context the stream no longer has', () => {
    const r = explore(race, { strategy: 'exhaustive', preemptionBound: 1, schedules: 400, seed: 1, args: { variant: 'replace' } });
    expect(r.violation).toMatchObject({ kind: 'verifier', name: 'CRASH' });
    expect(r.violation!.message).toMatch(/ASSERT: the stream context counts 1 opens, the filter saw 2/);
  });

  it('without the race no variant goes wrong: one create at a time (the in-order schedule)', () => {
    for (const variant of ['keep', 'leak', 'replace'] as const) {
      const sim = createSimulation({ seed: 1, onViolation: 'record' });
      const log: string[] = [];
      build(sim, variant, log);
      expect([variant, sim.run().reason, sim.state().violations]).toEqual([variant, 'idle', []]);
      expect(log).toEqual(['C1 set → SUCCESS', 'C1 Opens=1', 'C1 Opens=2']);
    }
  });
});
