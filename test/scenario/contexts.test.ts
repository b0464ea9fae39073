// §15 contexts as a filter uses them: the reference counts of §15.4's history, KEEP_IF_EXISTS and
// REPLACE_IF_EXISTS, FltMgr deleting contexts when their objects go (§15.8), and the fold.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_CONTEXT_END,
  FLT_INSTANCE_CONTEXT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_VOLUME_CONTEXT,
  FltAllocateContext,
  FltDeleteStreamContext,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltGetStreamHandleContext,
  FltGetVolumeContext,
  FltReleaseContext,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  FltSetVolumeContext,
  foldLog,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  NonPagedPool,
  NT_SUCCESS,
  PagedPool,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  type FLT_REGISTRATION,
  type PFLT_CONTEXT,
  type PFLT_CONTEXT_OUT,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

const CONTEXT_FACTS = ['FltAllocateContext', 'FltReferenceContext', 'FltReleaseContext', 'ContextLinked', 'ContextUnlinked', 'ContextCleanupCallback', 'ContextFreed'] as const;

/** The context lines of a log: what a person checks against the reference-count table of §15.4. */
function contextTrace(sim: Simulation): string[] {
  return compactTrace(sim.log, { types: [...CONTEXT_FACTS, 'RoutineFailed'] }).filter((l) => /^C\d|FltSet|FltGet|FltDelete|FltAllocate/.test(l));
}

function system(registration: (log: string[], sim: () => Simulation) => FLT_REGISTRATION) {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  const log: string[] = [];
  installFilter(sim, { name: 'ctx', altitude: '320000', registration: registration(log, () => sim) });
  sim.run();
  return { sim, log };
}

function* openReadClose(sim: Simulation) {
  const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  yield* sim.io.NtReadFile(open.handle!, 4, 0);
  yield* sim.io.NtClose(open.handle!);
}

/** The ctx sample's stream context, cut down: set in post-create with KEEP_IF_EXISTS, read in pre-read. */
const streamContextFilter = (log: string[]): FLT_REGISTRATION => ({
  ContextRegistration: [
    { ContextType: FLT_STREAM_CONTEXT, Size: 16, PoolTag: 0x78744353, ContextCleanupCallback: (c) => void log.push(`cleanup ${c.id} opens=${String(c.Data['opens'])}`) },
    { ContextType: FLT_CONTEXT_END },
  ],
  OperationRegistration: [
    {
      MajorFunction: IRP_MJ_CREATE,
      PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
      PostOperation: function* (Data, FltObjects) {
        if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
        const got = yield* FltGetStreamContext(FltObjects.Instance, FltObjects.FileObject!);
        if (got.status === STATUS_NOT_FOUND) {
          const { status, context } = FltAllocateContext(FltObjects.Filter, FLT_STREAM_CONTEXT, 16, PagedPool);
          expect(status).toBe(STATUS_SUCCESS);
          context!.Data['opens'] = 1;
          const old: PFLT_CONTEXT_OUT = { value: null };
          const set = yield* FltSetStreamContext(FltObjects.Instance, FltObjects.FileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!, old);
          log.push(`set ${context!.id}: ${set === STATUS_SUCCESS ? 'SUCCESS' : set === STATUS_FLT_CONTEXT_ALREADY_DEFINED ? 'ALREADY_DEFINED' : set}`);
          FltReleaseContext(context!);
          if (old.value !== null) FltReleaseContext(old.value);
        } else {
          got.context!.Data['opens'] = (got.context!.Data['opens'] as number) + 1;
          FltReleaseContext(got.context!);
        }
        return FLT_POSTOP_FINISHED_PROCESSING;
      },
    },
    {
      MajorFunction: IRP_MJ_READ,
      PreOperation: function* (_Data, FltObjects) {
        const { status, context } = yield* FltGetStreamContext(FltObjects.Instance, FltObjects.FileObject!);
        log.push(`pre-read get: ${status === STATUS_SUCCESS ? context!.id : status}`);
        if (context !== null) FltReleaseContext(context);
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
      },
    },
  ],
});

describe('reference counting (§15.3–§15.6)', () => {
  it("follows the ifs table: 1 after allocate, 2 after set, 1 after release, 2 after get, 1 after release, 0 at the stream's teardown → cleanup → freed", () => {
    const { sim, log } = system(streamContextFilter);
    const app = sim.spawn('app', () => openReadClose(sim));
    expect(sim.run().reason).toBe('idle');
    expect(app.error).toBeUndefined();
    expect(log).toEqual(['set C1: SUCCESS', 'pre-read get: C1', 'cleanup C1 opens=1']);
    expect(contextTrace(sim).filter((l) => l.startsWith('C1'))).toEqual([
      'C1(STREAM of ctx) FltAllocateContext filter=F1:ctx FLT_STREAM_CONTEXT size=16 pool=1',
      'C1(STREAM of ctx) ContextLinked by=FltSetStreamContext to=V1:stream#64 instance=I1:ctx@320000 on C: count=2',
      'C1(STREAM of ctx) FltReleaseContext by=FltReleaseContext count=1',
      'C1(STREAM of ctx) FltReferenceContext by=FltGetStreamContext count=2',
      'C1(STREAM of ctx) FltReleaseContext by=FltReleaseContext count=1',
      'C1(STREAM of ctx) ContextUnlinked by=teardown of V1:stream#64 count=0',
      'C1(STREAM of ctx) ContextCleanupCallback',
      'C1(STREAM of ctx) ContextFreed',
    ]);
    // The teardown comes with the FS's completion of the last CLOSE, before the post-close callbacks (§15.8).
    const close = sim.log.findIndex((f) => f.type === 'IoStart' && f.major === 2);
    const unlinked = sim.log.findIndex((f) => f.type === 'ContextUnlinked');
    expect(sim.log.slice(close, unlinked).map((f) => f.type)).toContain('FsComplete');
    expect(sim.state().contexts).toEqual({});
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('KEEP_IF_EXISTS on a stream that already has one: STATUS_FLT_CONTEXT_ALREADY_DEFINED, OldContext referenced, New unchanged (§15.4)', () => {
    // Two opens race to set the first stream context: the second finds it set and adopts it.
    const { sim, log } = system((l) => ({
      ContextRegistration: [{ ContextType: FLT_STREAM_CONTEXT, Size: 8, PoolTag: 1, ContextCleanupCallback: (c) => void l.push(`cleanup ${c.id}`) }],
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PostOperation: function* (Data, FltObjects) {
            if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
            const { context } = FltAllocateContext(FltObjects.Filter, FLT_STREAM_CONTEXT, 8, NonPagedPool);
            const old: PFLT_CONTEXT_OUT = { value: null };
            const status = yield* FltSetStreamContext(FltObjects.Instance, FltObjects.FileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!, old);
            l.push(`${context!.id} set → ${status === STATUS_SUCCESS ? 'SUCCESS' : 'ALREADY_DEFINED'}, old=${old.value?.id ?? 'NULL'}`);
            FltReleaseContext(context!);
            if (old.value !== null) FltReleaseContext(old.value);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    }));
    sim.spawn('app', function* () {
      const a = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      const b = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      yield* sim.io.NtClose(a.handle!);
      yield* sim.io.NtClose(b.handle!);
    });
    expect(sim.run().reason).toBe('idle');
    expect(log).toEqual(['C1 set → SUCCESS, old=NULL', 'C2 set → ALREADY_DEFINED, old=C1', 'cleanup C2', 'cleanup C1']);
    expect(contextTrace(sim).filter((l) => l.startsWith('C2'))).toEqual([
      'C2(STREAM of ctx) FltAllocateContext filter=F1:ctx FLT_STREAM_CONTEXT size=8 pool=0',
      'C2(STREAM of ctx) RoutineFailed routine=FltSetStreamContext status=STATUS_FLT_CONTEXT_ALREADY_DEFINED (C1 is already set on V1:stream#64; KEEP_IF_EXISTS keeps it)',
      'C2(STREAM of ctx) FltReleaseContext by=FltReleaseContext count=0',
      'C2(STREAM of ctx) ContextCleanupCallback',
      'C2(STREAM of ctx) ContextFreed',
    ]);
    // C1 went 1 → 2 (linked) → 1 → 2 (OldContext) → 1, and lived until the stream's last close.
    expect(contextTrace(sim).filter((l) => l.startsWith('C1')).map((l) => /count=(\d+)/.exec(l)?.[1]).filter(Boolean)).toEqual(['2', '1', '2', '1', '0']);
  });

  it('REPLACE_IF_EXISTS hands the old context to the caller when it asks, else drops the link reference (§15.4)', () => {
    const { sim, log } = system((l, current) => ({
      ContextRegistration: [{ ContextType: FLT_INSTANCE_CONTEXT, Size: 4, PoolTag: 1, ContextCleanupCallback: (c) => void l.push(`cleanup ${c.id}`) }],
      InstanceSetupCallback: function* (FltObjects) {
        const a = FltAllocateContext(FltObjects.Filter, FLT_INSTANCE_CONTEXT, 4, PagedPool).context!;
        yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, a);
        FltReleaseContext(a);
        const b = FltAllocateContext(FltObjects.Filter, FLT_INSTANCE_CONTEXT, 4, PagedPool).context!;
        const old: PFLT_CONTEXT_OUT = { value: null };
        expect(yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, b, old)).toBe(STATUS_SUCCESS);
        const view = current().state().contexts[old.value!.id]!;
        l.push(`replaced ${old.value!.id}: ${view.state}, count ${view.references}`);
        FltReleaseContext(old.value!);
        FltReleaseContext(b);
        const c = FltAllocateContext(FltObjects.Filter, FLT_INSTANCE_CONTEXT, 4, PagedPool).context!;
        expect(yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, c, null)).toBe(STATUS_SUCCESS);
        FltReleaseContext(c);
        const got = yield* FltGetInstanceContext(FltObjects.Instance);
        l.push(`now ${got.context!.id}`);
        FltReleaseContext(got.context!);
        return STATUS_SUCCESS;
      },
    }));
    // C1 handed over (Deleting, the link reference now the caller's), C2 dropped at once by the REPLACE without OldContext.
    expect(log).toEqual(['replaced C1: Deleting, count 1', 'cleanup C1', 'cleanup C2', 'now C3']);
    expect(contextTrace(sim).filter((l) => l.includes('ContextUnlinked'))).toEqual([
      'C1(INSTANCE of ctx) ContextUnlinked by=FltSetInstanceContext handed to caller count=1',
      'C2(INSTANCE of ctx) ContextUnlinked by=FltSetInstanceContext count=0',
    ]);
    expect(sim.state().contexts).toEqual({ C3: { filter: 'F1', contextType: 'FLT_INSTANCE_CONTEXT', size: 4, state: 'Linked', references: 1, target: 'I1', instance: 'I1' } });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});
