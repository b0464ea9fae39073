// A resource that lives inside a context (the ctx and NameChanger pattern, §15.6, §18.4): it is
// initialized with the context, taken around updates of the context's data, and deleted by the
// context's cleanup callback with ExDeleteResourceLite when FltMgr frees the context. The callback
// returns VOID and may not block; written as a generator it runs to its end inside the call that
// freed the context. A thread that kept the resource past the context's life and acquires it then
// uses a deleted resource: OBJECT_NOT_INITIALIZED.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  ERESOURCE,
  ExDeleteResourceLite,
  ExInitializeResourceLite,
  Executive,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAMHANDLE_CONTEXT,
  FltAcquireResourceExclusive,
  FltAllocateContext,
  FltReleaseContext,
  FltReleaseResource,
  FltSetStreamHandleContext,
  IRP_MJ_CREATE,
  KernelMode,
  KEVENT,
  KeInitializeEvent,
  KeWaitForSingleObject,
  NonPagedPool,
  NotificationEvent,
  NT_SUCCESS,
  type Blocking,
  type PFLT_CONTEXT,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

interface HandleData {
  Resource: ERESOURCE | null;
  Opens: number;
}

/**
 * A filter whose stream-handle context holds an ERESOURCE; `cleanup` is its ContextCleanupCallback.
 * Returns the resources it made, in order, so a test can keep one past its context.
 */
function filterWithResourceContext(sim: Simulation, cleanup: (Context: PFLT_CONTEXT) => void | Blocking<void>): ERESOURCE[] {
  const made: ERESOURCE[] = [];
  installFilter(sim, {
    name: 'ctxres',
    altitude: '370000',
    registration: {
      ContextRegistration: [{ ContextType: FLT_STREAMHANDLE_CONTEXT, Size: 16, PoolTag: 0x73657243, ContextCleanupCallback: (c) => cleanup(c) }],
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PostOperation: function* (Data, FltObjects) {
            if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
            const { context } = FltAllocateContext<HandleData>(FltObjects.Filter, FLT_STREAMHANDLE_CONTEXT, 16, NonPagedPool);
            const Resource = new ERESOURCE(`handle lock ${made.length + 1}`);
            yield* ExInitializeResourceLite(Resource);
            made.push(Resource);
            Object.assign(context!.Data, { Resource, Opens: 0 });
            yield* FltSetStreamHandleContext(FltObjects.Instance, FltObjects.FileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!);
            yield* FltAcquireResourceExclusive(Resource);
            context!.Data.Opens++;
            yield* FltReleaseResource(Resource);
            FltReleaseContext(context!);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    },
  });
  return made;
}

function system(): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\a.txt', 'a');
  return sim;
}

/** Opens and closes C:\a.txt: the stream-handle context goes at the file object's close (§15.8). */
function* openAndClose(sim: Simulation): Blocking<void> {
  const file = yield* sim.io.NtCreateFile('C:\\a.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
  yield* sim.io.NtClose(file.handle!);
}

/** The ctx sample's cleanup: ExDeleteResourceLite of the resource the context holds. */
function* deleteResource(Context: PFLT_CONTEXT): Blocking<void> {
  const data = Context.Data as Partial<HandleData>;
  if (data.Resource != null) yield* ExDeleteResourceLite(data.Resource);
  data.Resource = null;
}

describe('ExDeleteResourceLite in a context\'s cleanup callback (§15.6, §18.4)', () => {
  it('the resource is deleted when FltMgr frees the context at the file object\'s close, inside the cleanup callback, with no scheduling point of its own', () => {
    const sim = system();
    filterWithResourceContext(sim, deleteResource);
    sim.spawn('app', () => openAndClose(sim));
    expect(sim.run().reason).toBe('idle');
    // The close's completion deletes the stream-handle context first, then the file object goes.
    expect(compactTrace(sim.log, { types: ['LockInitialize', 'LockDelete', 'ContextCleanupCallback', 'ContextFreed', 'FileObjectClose'] })).toEqual([
      'K1(handle lock 1 (ERESOURCE)) LockInitialize ExInitializeResourceLite name=handle lock 1 ERESOURCE',
      'C1(STREAMHANDLE of ctxres) ContextCleanupCallback',
      'K1(handle lock 1 (ERESOURCE)) LockDelete ExDeleteResourceLite',
      'C1(STREAMHANDLE of ctxres) ContextFreed',
      'O1(\\a.txt) FileObjectClose',
    ]);
    expect(sim.state().violations).toEqual([]);
  });

  it('a worker that kept the resource and acquires it after the context was freed: OBJECT_NOT_INITIALIZED, naming the resource', () => {
    const sim = system();
    const made = filterWithResourceContext(sim, deleteResource);
    sim.spawn('app', function* () {
      yield* openAndClose(sim);
      // A pointer taken from the context earlier, used after the context's last reference went.
      yield* FltAcquireResourceExclusive(made[0]!);
    });
    sim.run();
    expect(sim.state().violations.map((v) => [v.rule, v.object])).toEqual([['OBJECT_NOT_INITIALIZED', 'K1']]);
  });

  it('a cleanup callback that waits is refused: it returns VOID and may not block (CALLBACK_RETURN_INVALID)', () => {
    const sim = system();
    const never = new KEVENT('never set');
    filterWithResourceContext(sim, function* () {
      yield* KeWaitForSingleObject(never, Executive, KernelMode, false, null);
    });
    sim.spawn('app', function* () {
      yield* KeInitializeEvent(never, NotificationEvent, false);
      yield* openAndClose(sim);
    });
    sim.run();
    expect(sim.state().violations.map((v) => [v.rule, v.object])).toEqual([['CALLBACK_RETURN_INVALID', 'C1']]);
    const finding = sim.log.find((f) => f.type === 'VerifierViolation');
    expect(finding).toMatchObject({ rule: 'CALLBACK_RETURN_INVALID', message: expect.stringMatching(/ContextCleanupCallback of ctxres it waits; it returns VOID and may not block/) });
  });
});
