// The §19.9 context invariant checkers (src/checkers/contextInvariants.ts): each passes a real run
// built through the public API, and reports the right invariant at the right seq on the same log
// edited by hand to break it. Emptying any check fails a test here.
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
  FltAllocateContext,
  FltGetStreamContext,
  FltReleaseContext,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  IRP_MJ_CREATE,
  NonPagedPool,
  NT_SUCCESS,
  STATUS_SUCCESS,
  type Fact,
} from '../../src/index.js';
import { CONTEXT_INVARIANTS, checkContextInvariants, installFilter } from '../../src/testing/index.js';

/** Open a file twice and unload: every kind of link, get, release, teardown and unregister deletion. */
function realRun(): readonly Fact[] {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', 'x');
  installFilter(sim, {
    name: 'ctx',
    altitude: '320000',
    registration: {
      ContextRegistration: [FLT_INSTANCE_CONTEXT, FLT_STREAM_CONTEXT, FLT_STREAMHANDLE_CONTEXT].map((ContextType) => ({ ContextType, Size: 8, PoolTag: 1, ContextCleanupCallback: () => undefined })),
      InstanceSetupCallback: function* (o) {
        const c = FltAllocateContext(o.Filter, FLT_INSTANCE_CONTEXT, 8, NonPagedPool).context!;
        yield* FltSetInstanceContext(o.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c);
        FltReleaseContext(c);
        return STATUS_SUCCESS;
      },
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PostOperation: function* (Data, o) {
            if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
            for (const [type, set] of [
              [FLT_STREAM_CONTEXT, FltSetStreamContext],
              [FLT_STREAMHANDLE_CONTEXT, FltSetStreamHandleContext],
            ] as const) {
              const c = FltAllocateContext(o.Filter, type, 8, NonPagedPool).context!;
              yield* set(o.Instance, o.FileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c);
              FltReleaseContext(c);
            }
            const got = yield* FltGetStreamContext(o.Instance, o.FileObject!);
            FltReleaseContext(got.context!);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    },
  });
  sim.spawn('app', function* () {
    const a = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
    yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
    yield* sim.io.NtClose(a.handle!);
    yield* sim.FilterUnload('ctx');
  });
  expect(sim.run().reason).toBe('idle');
  return sim.log;
}

/** The log with fact `index` replaced by `edit(fact)` (or removed when it returns null). */
function edited(log: readonly Fact[], find: (f: Fact) => boolean, edit: (f: Fact) => Fact | null): Fact[] {
  const i = log.findIndex(find);
  expect(i).toBeGreaterThanOrEqual(0);
  const out = log.slice();
  const replaced = edit(log[i]!);
  if (replaced === null) out.splice(i, 1);
  else out[i] = replaced;
  return out;
}

const names = (log: readonly Fact[]) => checkContextInvariants(log).map((v) => v.invariant);

describe('§19.9 context invariants over a log', () => {
  const log = realRun();

  it('a correct run satisfies every one', () => {
    expect(checkContextInvariants(log)).toEqual([]);
    expect(Object.keys(CONTEXT_INVARIANTS)).toHaveLength(7);
  });

  it('1: a count that moves by two', () => {
    const bad = edited(log, (f) => f.type === 'FltReferenceContext', (f) => ({ ...f, count: (f as { count: number }).count + 1 }) as Fact);
    expect(names(bad)).toContain('19.9 1');
  });

  it('2: a stream-handle context linked to a file object before it is open', () => {
    const opened = log.findIndex((f) => f.type === 'FileObjectOpened');
    const linkToFo = log.findIndex((f) => f.type === 'ContextLinked' && f.target.startsWith('O'));
    const bad = log.filter((_, i) => i !== opened);
    expect(names(bad)).toContain('19.9 2');
    expect(linkToFo).toBeGreaterThan(opened);
  });

  it('3: a second context linked to a key that has one', () => {
    const second = log.findIndex((f, i) => f.type === 'ContextLinked' && f.target.includes('stream#') && i > 0);
    const link = log[second]!;
    const bad = [...log.slice(0, second + 1), { ...link, object: 'C99' } as Fact, ...log.slice(second + 1)];
    expect(names(bad)).toContain('19.9 3');
  });

  it('4: a cleanup callback while references remain, or twice', () => {
    const cleanup = log.findIndex((f) => f.type === 'ContextCleanupCallback');
    const bad = [...log.slice(0, cleanup + 1), log[cleanup]!, ...log.slice(cleanup + 1)];
    expect(names(bad)).toContain('19.9 4');
  });

  it('5: a file object closed while a context is still linked to it', () => {
    const bad = edited(log, (f) => f.type === 'ContextUnlinked' && f.by.startsWith('close of'), () => null);
    expect(names(bad)).toContain('19.9 5');
  });

  it('6: FltUnregisterFilter returning while a context of the filter is alive', () => {
    const bad = edited(log, (f) => f.type === 'ContextFreed', () => null);
    expect(names(bad)).toContain('19.9 6');
  });

  it('7: a get that returns a deleted context', () => {
    const unlinked = log.findIndex((f) => f.type === 'ContextUnlinked');
    const id = log[unlinked]!.object;
    const get: Fact = { seq: 0, time: 0, object: id, type: 'FltReferenceContext', by: 'FltGetStreamContext', count: 1 };
    const bad = [...log.slice(0, unlinked + 1), get, ...log.slice(unlinked + 1)];
    expect(names(bad)).toContain('19.9 7');
  });
});
