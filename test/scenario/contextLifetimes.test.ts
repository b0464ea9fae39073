// §15.8: FltMgr deletes contexts when their objects go — a stream-handle context at its file
// object's close, a stream context at the stream's last close, the instance's file/stream contexts at
// its teardown, its instance context once freed, volume contexts at unload — and §15.9: a leaked
// reference is reported at unload and holds the unload.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_INSTANCE_CONTEXT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_VOLUME_CONTEXT,
  FltAllocateContext,
  FltGetStreamContext,
  FltReleaseContext,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  FltSetVolumeContext,
  foldLog,
  IRP_MJ_CREATE,
  NonPagedPool,
  NT_SUCCESS,
  STATUS_SUCCESS,
  type FLT_CONTEXT_REGISTRATION,
  type FLT_REGISTRATION,
  type PFLT_VOLUME,
  type Simulation,
  type SimulationOptions,
} from '../../src/index.js';
import { compactTrace, installFilter, type TestFilter } from '../../src/testing/index.js';

const everyKind = (log: string[]): FLT_CONTEXT_REGISTRATION[] =>
  [FLT_VOLUME_CONTEXT, FLT_INSTANCE_CONTEXT, FLT_STREAM_CONTEXT, FLT_STREAMHANDLE_CONTEXT].map((ContextType) => ({
    ContextType,
    Size: 8,
    PoolTag: 1,
    ContextCleanupCallback: (c) => void log.push(`cleanup ${c.id}`),
  }));

/** Sets one context of every kind: volume and instance in InstanceSetup, stream and stream handle in post-create. */
function everyKindFilter(log: string[], leakStreamContext = false): FLT_REGISTRATION {
  return {
    ContextRegistration: everyKind(log),
    InstanceSetupCallback: function* (FltObjects) {
      for (const [type, set] of [
        [FLT_VOLUME_CONTEXT, (c: never) => FltSetVolumeContext(FltObjects.Volume, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c)],
        [FLT_INSTANCE_CONTEXT, (c: never) => FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c)],
      ] as const) {
        const { context } = FltAllocateContext(FltObjects.Filter, type, 8, NonPagedPool);
        expect(yield* set(context as never)).toBe(STATUS_SUCCESS);
        FltReleaseContext(context!);
      }
      return STATUS_SUCCESS;
    },
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ_CREATE,
        PostOperation: function* (Data, FltObjects) {
          if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
          const fo = FltObjects.FileObject!;
          const handle = FltAllocateContext(FltObjects.Filter, FLT_STREAMHANDLE_CONTEXT, 8, NonPagedPool).context!;
          yield* FltSetStreamHandleContext(FltObjects.Instance, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, handle);
          FltReleaseContext(handle);
          const existing = (yield* FltGetStreamContext(FltObjects.Instance, fo)).context;
          if (existing === null) {
            const stream = FltAllocateContext(FltObjects.Filter, FLT_STREAM_CONTEXT, 8, NonPagedPool).context!;
            yield* FltSetStreamContext(FltObjects.Instance, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, stream);
            // The delete sample's bug (#1360) in miniature: on one path the allocation reference is never released.
            if (!leakStreamContext) FltReleaseContext(stream);
          } else {
            FltReleaseContext(existing);
          }
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      },
    ],
  };
}

function system(leak = false, options: SimulationOptions = {}): { sim: Simulation; log: string[]; filter: TestFilter; volume: PFLT_VOLUME } {
  const sim = createSimulation({ onViolation: 'record', ...options });
  const volume = sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  const log: string[] = [];
  const filter = installFilter(sim, { name: 'ctx', altitude: '320000', registration: everyKindFilter(log, leak) });
  sim.run();
  return { sim, log, filter, volume };
}

const openFile = (sim: Simulation) => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });

const linkedTo = (sim: Simulation) => Object.fromEntries(Object.entries(sim.state().contexts).map(([id, c]) => [id, `${c.contextType.replace(/^FLT_|_CONTEXT$/g, '')}→${c.target ?? '-'}(${c.references})`]));

describe('FltMgr deletes contexts when their objects go (§15.8)', () => {
  it("a stream-handle context goes at its file object's close; the stream context at the stream's last close", () => {
    const { sim, log } = system();
    const seen: Record<string, string>[] = [];
    sim.spawn('app', function* () {
      const a = yield* openFile(sim);
      const b = yield* openFile(sim);
      seen.push(linkedTo(sim));
      yield* sim.io.NtClose(a.handle!);
      seen.push(linkedTo(sim));
      yield* sim.io.NtClose(b.handle!);
      seen.push(linkedTo(sim));
    });
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual([
      { C1: 'VOLUME→V1(1)', C2: 'INSTANCE→I1(1)', C3: 'STREAMHANDLE→O1(1)', C4: 'STREAM→V1:stream#64(1)', C5: 'STREAMHANDLE→O2(1)' },
      { C1: 'VOLUME→V1(1)', C2: 'INSTANCE→I1(1)', C4: 'STREAM→V1:stream#64(1)', C5: 'STREAMHANDLE→O2(1)' },
      { C1: 'VOLUME→V1(1)', C2: 'INSTANCE→I1(1)' },
    ]);
    expect(log).toEqual(['cleanup C3', 'cleanup C4', 'cleanup C5']);
    // The stream-handle context goes after the post-close callbacks, when the close has completed.
    const closeOfO1 = compactTrace(sim.log, { types: ['IoComplete', 'ContextUnlinked'] }).filter((l) => /CLOSE \\f.txt|C3/.test(l));
    expect(closeOfO1.slice(0, 2)).toEqual(['D4(CLOSE \\f.txt) IoComplete status=STATUS_SUCCESS information=0', 'C3(STREAMHANDLE of ctx) ContextUnlinked by=close of O1 count=0']);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('unload: the stream contexts go after TeardownComplete, the instance context once the instance is freed, the volume context with FltUnregisterFilter', () => {
    const { sim, log } = system();
    sim.spawn('app', function* () {
      yield* openFile(sim);
      yield* sim.FilterUnload('ctx');
    });
    expect(sim.run().reason).toBe('idle');
    expect(compactTrace(sim.log, { types: ['InstanceTeardownCompleteReturned', 'InstanceFreed', 'ContextUnlinked', 'FltUnregisterFilterReturned'] })).toEqual([
      'I1(ctx@320000 on C:) InstanceTeardownCompleteReturned',
      'C3(STREAMHANDLE of ctx) ContextUnlinked by=teardown of I1 count=0',
      'C4(STREAM of ctx) ContextUnlinked by=teardown of I1 count=0',
      'C2(INSTANCE of ctx) ContextUnlinked by=free of I1 count=0',
      'I1(ctx@320000 on C:) InstanceFreed',
      'C1(VOLUME of ctx) ContextUnlinked by=FltUnregisterFilter count=0',
      'F1(ctx) FltUnregisterFilterReturned',
    ]);
    expect(log).toEqual(['cleanup C3', 'cleanup C4', 'cleanup C2', 'cleanup C1']);
    expect(sim.state().contexts).toEqual({});
    expect(sim.state().violations).toEqual([]);
  });

  it('a volume context survives its instances (default) and goes with the dismounted volume; semantics "lastInstance" deletes it at the last teardown', () => {
    for (const [lifetime, unlinkedBy] of [
      ['volume', 'deletion of V1'],
      ['lastInstance', "teardown of F1's last instance on V1"],
    ] as const) {
      const { sim, volume } = system(false, { semantics: { volumeContextLifetime: lifetime } });
      sim.dismountVolume(volume);
      expect(sim.run().reason).toBe('idle');
      expect(compactTrace(sim.log, { types: ['ContextUnlinked', 'VolumeDismounted'] }).filter((l) => /VOLUME of|VolumeDismounted/.test(l))).toEqual(
        lifetime === 'volume'
          ? ['V1(C:) VolumeDismounted', `C1(VOLUME of ctx) ContextUnlinked by=${unlinkedBy} count=0`]
          : [`C1(VOLUME of ctx) ContextUnlinked by=${unlinkedBy} count=0`, 'V1(C:) VolumeDismounted'],
      );
    }
  });
});

describe('leaked context references (§15.9)', () => {
  it('a reference never released is reported at unload (CONTEXT_LEAKED) and keeps FltUnregisterFilter waiting', () => {
    const { sim, log } = system(true);
    sim.spawn('app', function* () {
      const a = yield* openFile(sim);
      yield* sim.io.NtClose(a.handle!);
      yield* sim.FilterUnload('ctx');
    });
    const result = sim.run();
    expect(result.reason).toBe('deadlock');
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['CONTEXT_LEAKED']);
    const leak = sim.log.find((f) => f.type === 'VerifierViolation')!;
    expect(leak.type === 'VerifierViolation' && leak.message).toBe('FILTER VERIFIER: ctx leaked references to FLT_CONTEXT: 1 (C4 RefCount 1); FltUnregisterFilter waits for them');
    // The stream went away but the context outlived it: unlinked, still referenced, never cleaned up.
    expect(sim.state().contexts['C4']).toMatchObject({ state: 'Deleting', references: 1, target: null });
    expect(log).not.toContain('cleanup C4');
    expect(sim.state().filters['F1']!.state).toBe('Unregistering');
    expect(result.reason === 'deadlock' && result.blocked.map((b) => b.reason)).toEqual(['contexts of F1']);
  });
});

