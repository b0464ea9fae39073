// §11.10, §13 A17: the IRQL a FltPerformAsynchronousIo completion callback runs at. By default
// DISPATCH_LEVEL (the DDI's "IRQL <= DISPATCH_LEVEL", its worst case); with
// semantics.asyncIoCallbackIrql 'completer', the IRQL of whoever completed the request: the thread
// whose change let a parked notification go, the canceller. And a callback may reuse its data and
// have another thread issue it again before the callback returns (§11.10: reuse "inside the callback").
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_CREATE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_WRITE,
  FILE_LIST_DIRECTORY,
  FILE_NOTIFY_CHANGE_FILE_NAME,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FltAllocateCallbackData,
  FltAllocateGenericWorkItem,
  FltCancelIo,
  FltCreateFileEx,
  FltPerformAsynchronousIo,
  FltQueueGenericWorkItem,
  FltReuseCallbackData,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MN_NOTIFY_CHANGE_DIRECTORY,
  KeGetCurrentIrql,
  ntStatusName,
  sleep,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

interface Watch {
  readonly sim: Simulation;
  /** "IRQL status" per callback. */
  readonly seen: string[];
}

/**
 * A filter watches C:\dir with its own notify request (FltPerformAsynchronousIo); `then` runs on
 * the issuing thread after the request is parked. The callback records its IRQL and the status.
 */
function watch(irql: 'dispatch' | 'completer' | undefined, then: (data: FLT_CALLBACK_DATA, sim: Simulation) => Blocking<void>, onCallback?: (data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS) => Blocking<void>): Watch {
  const sim = createSimulation({ onViolation: 'record', ...(irql === undefined ? {} : { semantics: { asyncIoCallbackIrql: irql } }) });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').mkdir('\\dir');
  let o: FLT_RELATED_OBJECTS | null = null;
  installFilter(sim, { name: 'watcher', altitude: '300000', registration: { InstanceSetupCallback: (objects) => ((o = objects), STATUS_SUCCESS) } });
  sim.run();
  const seen: string[] = [];
  sim.spawn('filter thread', function* () {
    const r = yield* FltCreateFileEx(o!.Filter, o!.Instance, FILE_LIST_DIRECTORY, { ObjectName: 'C:\\dir' }, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_DIRECTORY_FILE);
    const data = FltAllocateCallbackData(o!.Instance, r.FileObject!).data!;
    data.Iopb.MajorFunction = IRP_MJ_DIRECTORY_CONTROL;
    data.Iopb.MinorFunction = IRP_MN_NOTIFY_CHANGE_DIRECTORY;
    data.Iopb.Parameters = { DirectoryControl: { NotifyDirectory: { Length: 128, CompletionFilter: FILE_NOTIFY_CHANGE_FILE_NAME, DirectoryBuffer: new Uint8Array(128), MdlAddress: null } } };
    yield* FltPerformAsynchronousIo(
      data,
      function* (d: FLT_CALLBACK_DATA) {
        seen.push(`${yield* KeGetCurrentIrql()} ${ntStatusName(d.IoStatus.Status)}`);
        if (onCallback !== undefined) yield* onCallback(d, o!);
      },
      null,
    );
    yield* then(data, sim);
  });
  return { sim, seen };
}

function* createFileIn(sim: Simulation, name: string): Blocking<void> {
  const r = yield* sim.io.NtCreateFile(`C:\\dir\\${name}`, { DesiredAccess: FILE_GENERIC_WRITE, ShareAccess: 0, CreateDisposition: FILE_CREATE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  yield* sim.io.NtClose(r.handle!);
}

describe('the IRQL of a FltPerformAsynchronousIo callback (§11.10, §13 A17)', () => {
  it('by default DISPATCH_LEVEL, even for a notification an application thread at PASSIVE_LEVEL completed', () => {
    const { sim, seen } = watch(undefined, function* (_d, s) {
      yield* createFileIn(s, 'a.txt');
    });
    sim.run();
    expect(seen).toEqual(['2 STATUS_SUCCESS']);
    expect(sim.state().violations).toEqual([]);
  });

  it("with 'completer': PASSIVE_LEVEL for the change an application made; the canceller's IRQL for FltCancelIo", () => {
    const changed = watch('completer', function* (_d, s) {
      yield* createFileIn(s, 'a.txt');
    });
    changed.sim.run();
    expect(changed.seen).toEqual(['0 STATUS_SUCCESS']);
    const cancelled = watch('completer', function* (d) {
      yield* FltCancelIo(d);
    });
    cancelled.sim.run();
    expect(cancelled.seen).toEqual(['0 STATUS_CANCELLED']);
    expect([...changed.sim.state().violations, ...cancelled.sim.state().violations]).toEqual([]);
  });

  it('a callback that reuses its data and queues a work item that issues it again before the callback returns: the callback returns after the new run started, no error (§11.10)', () => {
    const { sim, seen } = watch(
      'completer',
      function* (_d, s) {
        yield* createFileIn(s, 'a.txt');
        yield* sleep(2);
        yield* createFileIn(s, 'b.txt');
      },
      function* (d, o) {
        if (seen.length > 1) return;
        FltReuseCallbackData(d);
        d.Iopb.MajorFunction = IRP_MJ_DIRECTORY_CONTROL;
        d.Iopb.MinorFunction = IRP_MN_NOTIFY_CHANGE_DIRECTORY;
        d.Iopb.Parameters = { DirectoryControl: { NotifyDirectory: { Length: 128, CompletionFilter: FILE_NOTIFY_CHANGE_FILE_NAME, DirectoryBuffer: new Uint8Array(128), MdlAddress: null } } };
        const callback = function* (again: FLT_CALLBACK_DATA): Blocking<void> {
          seen.push(`${yield* KeGetCurrentIrql()} ${ntStatusName(again.IoStatus.Status)} (reissued)`);
        };
        FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), o.Filter, function* () {
          yield* FltPerformAsynchronousIo(d, callback, null);
        }, 'DelayedWorkQueue', null);
        // Let the work item run first: the reissued request is in the file system before this returns.
        yield* sleep(1);
      },
    );
    sim.run();
    expect(seen).toEqual(['0 STATUS_SUCCESS', '0 STATUS_SUCCESS (reissued)']);
    const trace = compactTrace(sim.log, { types: ['IoStart', 'AsyncIoCallback', 'AsyncIoCallbackReturned', 'FltReuseCallbackData'] }).filter((l) => /DIRECTORY_CONTROL|^D\d+\(allocated/.test(l));
    expect(trace.indexOf(trace.find((l) => /AsyncIoCallbackReturned/.test(l))!)).toBeGreaterThan(trace.findIndex((l, i) => i > 0 && /IoStart/.test(l)));
    expect(sim.state().violations).toEqual([]);
  });
});
