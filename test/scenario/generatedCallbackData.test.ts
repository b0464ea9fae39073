// §11.8–11.12: callback data a filter allocates, performs, reuses and frees; §14 invariants 6, 11–13, 17, 18.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltAllocateCallbackData,
  FltClose,
  FltCreateFileEx,
  FltFreeCallbackData,
  FltObjectDereference,
  FltObjectReference,
  FltPerformAsynchronousIo,
  FltPerformSynchronousIo,
  FltReuseCallbackData,
  FltUnregisterFilter,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  ntStatusName,
  ObDereferenceObject,
  sleep,
  STATUS_ACCESS_DENIED,
  STATUS_FLT_IO_COMPLETE,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type KernelHandle,
  type PFILE_OBJECT,
  type FLT_RELATED_OBJECTS,
  type Simulation,
  type SimulationOptions,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';
import { checkGeneratedInvariants } from '../../src/checkers/generatedInvariants.js';

function world(options: SimulationOptions = {}, lowerDenies = false) {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.bin', 'ABCDEFGH');
  let scanner: FLT_RELATED_OBJECTS | null = null;
  installFilter(sim, { name: 'scanner', altitude: '300000', registration: { InstanceSetupCallback: (o) => ((scanner = o), STATUS_SUCCESS) } });
  installFilter(sim, {
    name: 'lower',
    altitude: '100000',
    registration: {
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: (d) => {
          if (!lowerDenies) return FLT_PREOP_SUCCESS_WITH_CALLBACK;
          d.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
          return FLT_PREOP_COMPLETE;
        },
        PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
      }),
    },
  });
  sim.run();
  return { sim, scanner: () => scanner! };
}

/** Open C:\f.bin from the scanner, run `body` with the file object, then close. */
function* withFile<T>(_sim: Simulation, o: FLT_RELATED_OBJECTS, body: (file: { handle: KernelHandle; fo: PFILE_OBJECT }) => Blocking<T>): Blocking<T> {
  const r = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\f.bin' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
  const file = { handle: r.FileHandle!, fo: r.FileObject! };
  const result = yield* body(file);
  yield* FltClose(file.handle);
  yield* ObDereferenceObject(file.fo);
  return result;
}

function readParams(data: FLT_CALLBACK_DATA, offset: number, length: number): void {
  data.Iopb.MajorFunction = IRP_MJ_READ;
  data.Iopb.Parameters = { Read: { Length: length, Key: 0, ByteOffset: offset } };
}

describe('callback data the filter allocates (§11.8–11.12)', () => {
  it('allocate → perform synchronously → reuse → perform again → free; lower instances see each run flagged GENERATED_IO', () => {
    const { sim, scanner } = world();
    const t = sim.spawn('scan', () =>
      withFile(sim, scanner(), function* (file) {
        const { status, data } = FltAllocateCallbackData(scanner().Instance, file.fo);
        expect(status).toBe(STATUS_SUCCESS);
        readParams(data!, 0, 4);
        yield* FltPerformSynchronousIo(data!);
        const first = [data!.IoStatus.Status, data!.IoStatus.Information];
        FltReuseCallbackData(data!);
        readParams(data!, 4, 4);
        yield* FltPerformSynchronousIo(data!);
        const second = [data!.IoStatus.Status, data!.IoStatus.Information];
        FltFreeCallbackData(data!);
        return [first, second];
      }),
    );
    expect(sim.run().reason).toBe('idle');
    expect(t.result).toEqual([[STATUS_SUCCESS, 4], [STATUS_SUCCESS, 4]]);
    const id = sim.log.find((f) => f.type === 'FltAllocateCallbackData')!.object;
    expect(compactTrace(sim.log, { objects: [id] }).map((l) => l.split(') ')[1]!.split(' ')[0])).toEqual([
      'FltAllocateCallbackData',
      'IoStart', 'PreOperation', 'PreOperationReturned', 'FsDispatch', 'FsComplete', 'PostOperation', 'PostOperationReturned', 'IoComplete',
      'FltReuseCallbackData',
      'IoStart', 'PreOperation', 'PreOperationReturned', 'FsDispatch', 'FsComplete', 'PostOperation', 'PostOperationReturned', 'IoComplete',
      'FltFreeCallbackData',
    ]);
    expect(sim.state().operations).toEqual({});
  });

  it('FltPerformAsynchronousIo: STATUS_SUCCESS with the callback already run when it completes inline; STATUS_FLT_IO_COMPLETE when a lower pre-op completed it', () => {
    for (const [denies, expected] of [[false, STATUS_SUCCESS], [true, STATUS_FLT_IO_COMPLETE]] as const) {
      const { sim, scanner } = world({}, denies);
      const events: string[] = [];
      sim.spawn('scan', () =>
        withFile(sim, scanner(), function* (file) {
          const { data } = FltAllocateCallbackData(scanner().Instance, file.fo);
          readParams(data!, 0, 4);
          const status = yield* FltPerformAsynchronousIo(data!, (d) => events.push(`callback ${d.IoStatus.Status.toString(16)}`), null);
          events.push(`returned ${status.toString(16)}`);
          FltFreeCallbackData(data!);
          return status;
        }),
      );
      sim.run();
      expect(events).toEqual([`callback ${denies ? STATUS_ACCESS_DENIED.toString(16) : '0'}`, `returned ${expected.toString(16)}`]);
    }
  });

  it('with the file system completing later, FltPerformAsynchronousIo returns STATUS_PENDING and the callback runs once on a completion thread', () => {
    const { sim, scanner } = world({ fileSystemCompletion: 'deferred', fileSystemLatency: 5 });
    const events: string[] = [];
    sim.spawn('scan', () =>
      withFile(sim, scanner(), function* (file) {
        const { data } = FltAllocateCallbackData(scanner().Instance, file.fo);
        readParams(data!, 0, 4);
        const status = yield* FltPerformAsynchronousIo(data!, (d) => events.push(`callback at t=${sim.now} on ${sim.currentThread()} info=${d.IoStatus.Information}`), null);
        events.push(`returned ${status === STATUS_PENDING ? 'STATUS_PENDING' : status} at t=${sim.now}`);
        while (sim.state().operations[data!.Iopb.TargetFileObject!.id] !== undefined) yield* sleep(1);
        yield* sleep(10);
        FltFreeCallbackData(data!);
        return 0;
      }),
    );
    expect(sim.run().reason).toBe('idle');
    expect(events[0]).toBe('returned STATUS_PENDING at t=5');
    expect(events[1]).toMatch(/^callback at t=10 on T\d+ info=4$/);
    expect(events).toHaveLength(2);
  });

  it('misuse is refused by the verifier: free of FltMgr\'s data, free before the async callback, double free, asynchronous create', () => {
    const { sim, scanner } = world({ fileSystemCompletion: 'deferred', fileSystemLatency: 5 });
    let fltMgrData: FLT_CALLBACK_DATA | null = null;
    installFilter(sim, { name: 'grabber', altitude: '200000', registration: { OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: (d) => ((fltMgrData = d), FLT_PREOP_SUCCESS_WITH_CALLBACK), PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }) } });
    sim.run();
    sim.spawn('app', () => sim.io.NtCreateFile('C:\\f.bin', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    const rules = (body: () => Blocking<unknown>): string[] => {
      const before = sim.state().violations.length;
      sim.spawn('misuse', body);
      sim.run();
      return sim.state().violations.slice(before).map((v) => v.rule);
    };
    expect(rules(function* () { FltFreeCallbackData(fltMgrData!); })).toEqual(['FREE_NOT_OWNED']);
    expect(
      rules(() =>
        withFile(sim, scanner(), function* (file) {
          const { data } = FltAllocateCallbackData(scanner().Instance, file.fo);
          readParams(data!, 0, 4);
          yield* FltPerformAsynchronousIo(data!, () => undefined, null);
          FltFreeCallbackData(data!);
        }),
      ),
    ).toEqual(['FREE_BEFORE_CALLBACK']);
    expect(
      rules(function* () {
        const { data } = FltAllocateCallbackData(scanner().Instance, null);
        FltFreeCallbackData(data!);
        FltFreeCallbackData(data!);
      }),
    ).toEqual(['USE_AFTER_FREE']);
    // The old reading of an asynchronous create, kept as an option: a verifier stop.
    const strict = world({ semantics: { asyncCreate: 'verifier' } });
    strict.sim.spawn('misuse', function* () {
      const { data } = FltAllocateCallbackData(strict.scanner().Instance, null);
      data!.Iopb.MajorFunction = IRP_MJ_CREATE;
      yield* FltPerformAsynchronousIo(data!, () => undefined, null);
    });
    strict.sim.run();
    expect(strict.sim.state().violations.map((v) => v.rule)).toEqual(['ASYNC_CREATE']);
  });

  it('an asynchronous create returns STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST and calls back exactly once with it, before returning (§11.10, §14 invariants 6, 11)', () => {
    const { sim, scanner } = world();
    const events: string[] = [];
    sim.spawn('scan', function* () {
      const { data } = FltAllocateCallbackData(scanner().Instance, null);
      data!.Iopb.MajorFunction = IRP_MJ_CREATE;
      const status = yield* FltPerformAsynchronousIo(data!, (d, context) => void events.push(`callback ${ntStatusName(d.IoStatus.Status)} context=${String(context)}`), 'ctx');
      events.push(`returned ${ntStatusName(status)}`);
      FltFreeCallbackData(data!);
    });
    expect(sim.run().reason).toBe('idle');
    expect(events).toEqual(['callback STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST context=ctx', 'returned STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST']);
    expect(compactTrace(sim.log, { objects: ['D1'] })).toEqual([
      'D1(allocated by scanner@300000 on C:) FltAllocateCallbackData instance=I1:scanner@300000 on C:',
      'D1(allocated by scanner@300000 on C:) RoutineFailed routine=FltPerformAsynchronousIo status=STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST (D1: IRP_MJ_CREATE is never asynchronous (§11.10))',
      'D1(allocated by scanner@300000 on C:) AsyncIoCallback instance=I1:scanner@300000 on C:',
      'D1(allocated by scanner@300000 on C:) AsyncIoCallbackReturned instance=I1:scanner@300000 on C:',
      'D1(allocated by scanner@300000 on C:) FltFreeCallbackData',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(checkGeneratedInvariants(sim.log)).toEqual([]);
  });
});

describe('unload with asynchronous generated I/O outstanding (§2, §4, §14 invariants 6, 17, 18)', () => {
  it('in every random interleaving: the callback runs before TeardownComplete, which comes before FltUnregisterFilter returns', () => {
    let outstandingAtUnload = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const sim = createSimulation({ seed, strategy: 'random', fileSystemCompletion: 'deferred', fileSystemLatency: 1 + (seed % 4) });
      sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
      sim.fileSystem('C:').writeFile('\\f.bin', 'ABCDEFGH');
      let objects: FLT_RELATED_OBJECTS | null = null;
      const f = installFilter(sim, {
        name: 'prefetcher',
        altitude: '300000',
        registration: {
          InstanceSetupCallback: (o) => ((objects = o), STATUS_SUCCESS),
          FilterUnloadCallback: function* () {
            yield* FltUnregisterFilter(f.filter());
            return STATUS_SUCCESS;
          },
        },
      });
      installFilter(sim, { name: 'lower', altitude: '100000', registration: { OperationRegistration: operations([IRP_MJ_READ], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }) } });
      sim.run();
      // The prefetcher's own thread holds a rundown reference on its instance while it issues I/O,
      // as a real filter must: without it, the unload can free the instance under the thread.
      sim.spawn('prefetch', function* () {
        const instance = objects!.Instance;
        if (FltObjectReference(instance) !== STATUS_SUCCESS) return 'instance already tearing down';
        try {
          const r = yield* FltCreateFileEx(objects!.Filter, instance, FILE_GENERIC_READ, { ObjectName: 'C:\\f.bin' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
          if (r.FileObject === null) return `open failed ${r.status.toString(16)}`;
          // The file is closed on every path, as a filter must (an open kept past unload is FILE_HANDLE_LEAKED).
          try {
            const { data } = FltAllocateCallbackData(instance, r.FileObject);
            if (data === null) return 'no data';
            readParams(data, 0, 4);
            // The callback frees the data: allowed inside it (§11.12), and the unload reports a leak otherwise.
            let done = false;
            const status = yield* FltPerformAsynchronousIo(data, (d) => ((done = true), FltFreeCallbackData(d)), null);
            while (!done) yield* sleep(1);
            return status === STATUS_PENDING ? 'issued' : 'completed inline';
          } finally {
            yield* FltClose(r.FileHandle!);
            yield* ObDereferenceObject(r.FileObject);
          }
        } finally {
          FltObjectDereference(instance);
        }
      });
      sim.spawn('fltmc unload', () => sim.FilterUnload('prefetcher'));
      expect(sim.run().reason, `seed ${seed}`).toBe('idle');
      const at = (type: string) => sim.log.findIndex((x) => x.type === type);
      const callback = at('AsyncIoCallbackReturned');
      if (callback >= 0) {
        outstandingAtUnload += at('FilterUnloadCallback') < callback ? 1 : 0;
        expect(callback, `seed ${seed}`).toBeLessThan(at('InstanceTeardownComplete'));
      }
      expect(at('InstanceTeardownComplete'), `seed ${seed}`).toBeLessThan(at('FltUnregisterFilterReturned'));
      expect(sim.state().violations, `seed ${seed}`).toEqual([]);
    }
    // The race was really there: in many schedules the read was still owed its callback when the unload began.
    expect(outstandingAtUnload).toBeGreaterThan(10);
  });
});
