// §15.2–§15.7, §19.9 inv. 1, 2, 7: the documented statuses of each context routine, and the misuse
// Filter Verifier names (a double release, a context used after free, the wrong kind, DISPATCH_LEVEL).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_INSTANCE_CONTEXT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_VARIABLE_SIZED_CONTEXTS,
  FLT_VOLUME_CONTEXT,
  FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH,
  FltAllocateContext,
  FltDeleteContext,
  FltDeleteStreamContext,
  FltGetContexts,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltReferenceContext,
  FltReleaseContext,
  FltReleaseContexts,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  FLT_ALL_CONTEXTS,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  NonPagedPool,
  PagedPool,
  STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND,
  STATUS_FLT_CONTEXT_ALREADY_LINKED,
  STATUS_FLT_INVALID_CONTEXT_REGISTRATION,
  STATUS_INVALID_BUFFER_SIZE,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_FOUND,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  UsageError,
  type FLT_REGISTRATION,
  type PFLT_CONTEXT,
  type Simulation,
  type SimulationOptions,
  type Blocking,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

const registrationOfEveryKind = [FLT_VOLUME_CONTEXT, FLT_INSTANCE_CONTEXT, FLT_STREAM_CONTEXT, FLT_STREAMHANDLE_CONTEXT].map((ContextType) => ({ ContextType, Size: 8, PoolTag: 1 }));

/** Run `body` inside the filter's InstanceSetup (PASSIVE_LEVEL, an instance at hand) and return what it logged. */
function inSetup(body: (objects: Parameters<NonNullable<FLT_REGISTRATION['InstanceSetupCallback']>>[0], log: string[]) => Blocking<void>, registration: Partial<FLT_REGISTRATION> = {}) {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const log: string[] = [];
  installFilter(sim, {
    name: 'ctx',
    altitude: '320000',
    registration: {
      ContextRegistration: registrationOfEveryKind,
      InstanceSetupCallback: function* (objects) {
        yield* body(objects, log);
        return STATUS_SUCCESS;
      },
      ...registration,
    },
  });
  sim.run();
  return { sim, log, rules: sim.state().violations.map((v) => v.rule) };
}

describe('FltAllocateContext (§15.2, §15.3)', () => {
  it('answers a type or size no registration entry serves with STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND, and bad arguments as documented', () => {
    const { log } = inSetup(
      function* ({ Filter }, l) {
        const status = (type: number, size: number, pool: number = NonPagedPool) => FltAllocateContext(Filter, type, size, pool).status;
        l.push(
          ...[
            status(FLT_STREAMHANDLE_CONTEXT, 8), // not registered
            status(FLT_STREAM_CONTEXT, 24), // fixed 16: exact match only
            status(FLT_STREAM_CONTEXT, 16),
            status(FLT_INSTANCE_CONTEXT, 100), // NO_EXACT_SIZE_MATCH up to 128
            status(FLT_INSTANCE_CONTEXT, 129),
            status(FLT_VOLUME_CONTEXT, 40_000), // variable-sized
            status(FLT_VOLUME_CONTEXT, 0x10000),
            status(FLT_VOLUME_CONTEXT, 0),
            status(0x3, 8), // two types at once
            status(FLT_VOLUME_CONTEXT, 8, PagedPool), // volume contexts are nonpaged
          ].map(String),
        );
      },
      {
        ContextRegistration: [
          { ContextType: FLT_STREAM_CONTEXT, Size: 16, PoolTag: 1 },
          { ContextType: FLT_INSTANCE_CONTEXT, Size: 128, PoolTag: 1, Flags: FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH },
          { ContextType: FLT_VOLUME_CONTEXT, Size: FLT_VARIABLE_SIZED_CONTEXTS, PoolTag: 1 },
        ],
      },
    );
    const N = STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND;
    expect(log).toEqual([N, N, STATUS_SUCCESS, STATUS_SUCCESS, N, STATUS_SUCCESS, STATUS_INVALID_BUFFER_SIZE, STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER].map(String));
  });

  it('FltRegisterFilter refuses a malformed ContextRegistration: four fixed sizes, a PoolTag of 0 (§15.2; semantics: the alternative status)', () => {
    for (const [semantics, expected] of [
      [{}, STATUS_FLT_INVALID_CONTEXT_REGISTRATION],
      [{ invalidContextRegistration: 'STATUS_INVALID_PARAMETER' }, STATUS_INVALID_PARAMETER],
    ] as const) {
      for (const ContextRegistration of [
        [8, 16, 24, 32].map((Size) => ({ ContextType: FLT_STREAM_CONTEXT, Size, PoolTag: 1 })),
        [{ ContextType: FLT_STREAM_CONTEXT, Size: 8, PoolTag: 0 }],
      ]) {
        const sim = createSimulation({ semantics } as SimulationOptions);
        const filter = installFilter(sim, { name: 'bad', altitude: '320000', registration: { ContextRegistration } });
        sim.run();
        expect(filter.entry.result).toBe(expected);
      }
    }
  });
});

describe('misuse Filter Verifier names (§15.6, §19.9 inv. 1)', () => {
  it('a second release of an unlinked context is CONTEXT_DOUBLE_RELEASE; touching its Data afterwards is CONTEXT_USED_AFTER_FREE', () => {
    const { rules } = inSetup(function* ({ Filter }) {
      const { context } = FltAllocateContext(Filter, FLT_INSTANCE_CONTEXT, 8, PagedPool);
      FltReleaseContext(context!);
      FltReleaseContext(context!);
    });
    expect(rules).toEqual(['CONTEXT_DOUBLE_RELEASE']);
    const after = inSetup(function* ({ Filter }) {
      const { context } = FltAllocateContext(Filter, FLT_INSTANCE_CONTEXT, 8, PagedPool);
      FltReleaseContext(context!);
      void context!.Data;
    });
    expect(after.rules).toEqual(['CONTEXT_USED_AFTER_FREE']);
    const reference = inSetup(function* ({ Filter }) {
      const { context } = FltAllocateContext(Filter, FLT_INSTANCE_CONTEXT, 8, PagedPool);
      FltReleaseContext(context!);
      FltReferenceContext(context!);
    });
    expect(reference.rules).toEqual(['CONTEXT_USED_AFTER_FREE']);
  });

  it('releasing the reference a linked context’s object holds is CONTEXT_DOUBLE_RELEASE, before anything is freed', () => {
    const { sim, rules } = inSetup(function* ({ Filter, Instance }) {
      const { context } = FltAllocateContext(Filter, FLT_INSTANCE_CONTEXT, 8, PagedPool);
      yield* FltSetInstanceContext(Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!);
      FltReleaseContext(context!);
      FltReleaseContext(context!);
    });
    expect(rules).toEqual(['CONTEXT_DOUBLE_RELEASE']);
    expect(sim.state().contexts['C1']).toMatchObject({ state: 'Linked', references: 1 });
  });

  it('a context of the wrong kind: STATUS_INVALID_PARAMETER, and the verifier names it (CONTEXT_WRONG_TYPE)', () => {
    const { log, rules } = inSetup(function* ({ Filter, Instance }, l) {
      const { context } = FltAllocateContext(Filter, FLT_STREAM_CONTEXT, 8, PagedPool);
      l.push(String(yield* FltSetInstanceContext(Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!)));
      FltReleaseContext(context!);
    });
    expect(log).toEqual([String(STATUS_INVALID_PARAMETER)]);
    expect(rules).toEqual(['CONTEXT_WRONG_TYPE']);
  });

  it('a context set twice is STATUS_FLT_CONTEXT_ALREADY_LINKED; a bad Operation STATUS_INVALID_PARAMETER; a non-context a UsageError', () => {
    const { log } = inSetup(function* ({ Filter, Instance }, l) {
      const { context } = FltAllocateContext(Filter, FLT_INSTANCE_CONTEXT, 8, PagedPool);
      l.push(String(yield* FltSetInstanceContext(Instance, 7, context!)));
      l.push(String(yield* FltSetInstanceContext(Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!)));
      l.push(String(yield* FltSetInstanceContext(Instance, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, context!)));
      FltReleaseContext(context!);
      try {
        FltReleaseContext({} as PFLT_CONTEXT);
      } catch (error) {
        l.push(error instanceof UsageError ? error.code : 'other');
      }
    });
    expect(log).toEqual([STATUS_INVALID_PARAMETER, STATUS_SUCCESS, STATUS_FLT_CONTEXT_ALREADY_LINKED].map(String).concat('BAD_ARGUMENT'));
  });

  it('after a delete, the get routine answers STATUS_NOT_FOUND while the caller’s reference keeps the memory (§15.7, §19.9 inv. 7)', () => {
    const { log, sim } = inSetup(function* ({ Filter, Instance }, l) {
      const { context } = FltAllocateContext(Filter, FLT_INSTANCE_CONTEXT, 8, PagedPool);
      yield* FltSetInstanceContext(Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!);
      FltDeleteContext(context!);
      l.push(String((yield* FltGetInstanceContext(Instance)).status), context!.state);
      context!.Data['still'] = 'valid';
      FltReleaseContext(context!);
      l.push(context!.state);
    });
    expect(log).toEqual([String(STATUS_NOT_FOUND), 'Deleting', 'Freed']);
    expect(compactTrace(sim.log, { objects: ['C1'] })).toEqual([
      'C1(INSTANCE of ctx) FltAllocateContext filter=F1:ctx FLT_INSTANCE_CONTEXT size=8 pool=1',
      'C1(INSTANCE of ctx) ContextLinked by=FltSetInstanceContext to=I1:ctx@320000 on C: instance=I1:ctx@320000 on C: count=2',
      'C1(INSTANCE of ctx) ContextUnlinked by=FltDeleteContext count=1',
      'C1(INSTANCE of ctx) FltReleaseContext by=FltReleaseContext count=0',
      'C1(INSTANCE of ctx) ContextFreed',
    ]);
  });

  it('FltGetContexts references each context it finds; FltReleaseContexts releases them and NULLs the members (§15.5)', () => {
    const { log, sim } = inSetup(function* (objects, l) {
      const { context } = FltAllocateContext(objects.Filter, FLT_INSTANCE_CONTEXT, 8, PagedPool);
      yield* FltSetInstanceContext(objects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!);
      FltReleaseContext(context!);
      const contexts = FltGetContexts(objects, FLT_ALL_CONTEXTS);
      l.push(`${contexts.InstanceContext?.id} ${String(contexts.VolumeContext)} ${String(contexts.StreamContext)}`);
      FltReleaseContexts(contexts);
      l.push(String(contexts.InstanceContext));
    });
    expect(log).toEqual(['C1 null null', 'null']);
    expect(sim.state().contexts['C1']).toMatchObject({ references: 1, state: 'Linked' });
  });
});

describe('where contexts cannot hang (§15.1, §19.9 inv. 2)', () => {
  function ioSystem(registration: FLT_REGISTRATION, options: SimulationOptions = {}) {
    const sim = createSimulation({ onViolation: 'record', ...options });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
    installFilter(sim, { name: 'ctx', altitude: '320000', registration: { ContextRegistration: registrationOfEveryKind, ...registration } });
    sim.run();
    return sim;
  }
  function* readOnce(sim: Simulation) {
    const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
    yield* sim.io.NtReadFile(open.handle!, 4, 0);
    yield* sim.io.NtClose(open.handle!);
  }

  it('in pre-create (not opened yet) and in post-close (closed) stream and stream-handle contexts are STATUS_NOT_SUPPORTED', () => {
    const log: string[] = [];
    const attempt = function* (where: string, Instance: Parameters<typeof FltSetStreamContext>[0], fo: Parameters<typeof FltSetStreamContext>[1]) {
      const { context } = FltAllocateContext(Instance.filter, FLT_STREAM_CONTEXT, 8, NonPagedPool);
      const handle = FltAllocateContext(Instance.filter, FLT_STREAMHANDLE_CONTEXT, 8, NonPagedPool).context!;
      log.push(`${where}: set ${yield* FltSetStreamContext(Instance, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!)} handle ${yield* FltSetStreamHandleContext(Instance, fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, handle)} get ${(yield* FltGetStreamContext(Instance, fo)).status} delete ${yield* FltDeleteStreamContext(Instance, fo)}`);
      FltReleaseContext(context!);
      FltReleaseContext(handle);
    };
    const sim = ioSystem({
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PreOperation: function* (_d, o) {
            yield* attempt('pre-create', o.Instance, o.FileObject!);
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        },
        // SYNCHRONIZE keeps post-close at PASSIVE_LEVEL; by then the FS no longer holds the file object.
        {
          MajorFunction: IRP_MJ_CLOSE,
          PreOperation: () => FLT_PREOP_SYNCHRONIZE,
          PostOperation: function* (_d, o) {
            yield* attempt('post-close', o.Instance, o.FileObject!);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    });
    sim.spawn('app', () => readOnce(sim));
    expect(sim.run().reason).toBe('idle');
    const S = STATUS_NOT_SUPPORTED;
    expect(log).toEqual([`pre-create: set ${S} handle ${S} get ${S} delete ${S}`, `post-close: set ${S} handle ${S} get ${S} delete ${S}`]);
    expect(sim.state().violations).toEqual([]);
  });

  it('a get in a post-read at DISPATCH_LEVEL is CONTEXT_ROUTINE_AT_DISPATCH; a release there that frees defers the cleanup to a worker thread', () => {
    const cleanedOn: string[] = [];
    let simRef: Simulation | null = null;
    const sim = ioSystem({
      ContextRegistration: [
        { ContextType: FLT_STREAMHANDLE_CONTEXT, Size: 8, PoolTag: 1, ContextCleanupCallback: () => void cleanedOn.push(simRef!.currentThread()!) },
        { ContextType: FLT_STREAM_CONTEXT, Size: 8, PoolTag: 1 },
      ],
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: (_d, o, completion) => {
          completion.value = FltAllocateContext(o.Filter, FLT_STREAMHANDLE_CONTEXT, 8, NonPagedPool).context;
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: function* (_d, o, completion) {
          FltReleaseContext(completion as PFLT_CONTEXT); // allowed at DISPATCH for nonpaged contexts
          yield* FltGetStreamContext(o.Instance, o.FileObject!); // not allowed
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    simRef = sim;
    const app = sim.spawn('app', () => readOnce(sim));
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['CONTEXT_ROUTINE_AT_DISPATCH']);
    expect(cleanedOn).toHaveLength(1);
    expect(cleanedOn[0]).not.toBe(app.id);
    expect(sim.state().threads[cleanedOn[0]!]!.name).toBe('ContextFree(C1)');
  });
});

