// Fast I/O (§8, §20.2, §24.2): with `semantics.fastIo: 'whereWindows'` the I/O manager tries the file
// system's fast routine before building an IRP — a cached read or write on a synchronous file object
// once caching is initiated, a FileBasicInformation / FileStandardInformation / FileNetworkOpenInformation
// query — and minifilters see it with FLTFL_CALLBACK_DATA_FAST_IO_OPERATION, walked whole on the
// issuing thread, post-ops at PASSIVE. FLT_PREOP_DISALLOW_FASTIO or the file system's FALSE ends the
// fast operation with STATUS_FLT_DISALLOW_FAST_IO and the request comes again from the top as an IRP;
// a fast operation cannot be pended. The default, 'never', keeps every operation an IRP.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_CREATE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_CALLBACK_DATA_FAST_IO_OPERATION,
  FltReissueSynchronousIo,
  foldLog,
  FltAllocateDeferredIoWorkItem,
  FltFreeDeferredIoWorkItem,
  FltQueueDeferredIoWorkItem,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  KeGetCurrentIrql,
  STATUS_FILE_LOCK_CONFLICT,
  STATUS_FLT_NOT_SAFE_TO_POST_OPERATION,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type Simulation,
} from '../../src/index.js';
import { checkIoInvariants, checkIoLiveness, compactTrace, installFilter, operations } from '../../src/testing/index.js';

const SHARE = FILE_SHARE_READ | FILE_SHARE_WRITE;
const WALK = ['IoStart', 'PreOperationReturned', 'FsFastIoDeclined', 'FsComplete', 'PostOperationReturned', 'IoComplete', 'CcInitializeCacheMap'] as const;

function volume(fastIo: 'never' | 'whereWindows'): Simulation {
  const sim = createSimulation({ onViolation: 'record', semantics: { fastIo } });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  return sim;
}

/** An application on a synchronous handle: write (caching starts there), read it back, ask basic and position information. */
function* writeThenRead(sim: Simulation, keepOpen = false): Blocking<string> {
  const c = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: SHARE, CreateDisposition: FILE_CREATE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  yield* sim.io.NtWriteFile(c.handle!, 'hello', 0);
  const r = yield* sim.io.NtReadFile(c.handle!, 5, 0);
  yield* sim.io.NtQueryInformationFile(c.handle!, FILE_INFORMATION_CLASS.FileBasicInformation, 40);
  yield* sim.io.NtQueryInformationFile(c.handle!, FILE_INFORMATION_CLASS.FilePositionInformation, 8);
  if (!keepOpen) yield* sim.io.NtClose(c.handle!);
  return new TextDecoder().decode(r.output!);
}

describe('fast I/O (§8, §24.2)', () => {
  it("default 'never': every read, write and query is an IRP and nothing tracks caching (logs as before fast I/O was modelled)", () => {
    const sim = volume('never');
    const app = sim.spawn('app', () => writeThenRead(sim));
    sim.run();
    expect(app.result).toBe('hello');
    expect(compactTrace(sim.log, { types: ['IoStart'] }).map((l) => l.replace(/ file=.*flags=/, ' flags=').replace(/ (User|Kernel)Mode.*/, ''))).toEqual([
      'D1(CREATE \\f.txt) IoStart IRP_MJ_CREATE flags=IRP_OPERATION',
      'D2(WRITE \\f.txt) IoStart IRP_MJ_WRITE flags=IRP_OPERATION',
      'D3(READ \\f.txt) IoStart IRP_MJ_READ flags=IRP_OPERATION',
      'D4(QUERY_INFORMATION \\f.txt) IoStart IRP_MJ_QUERY_INFORMATION flags=IRP_OPERATION',
      'D5(QUERY_INFORMATION \\f.txt) IoStart IRP_MJ_QUERY_INFORMATION flags=IRP_OPERATION',
      'D6(CLEANUP \\f.txt) IoStart IRP_MJ_CLEANUP flags=IRP_OPERATION',
      'D7(CLOSE \\f.txt) IoStart IRP_MJ_CLOSE flags=IRP_OPERATION',
    ]);
    expect(sim.log.some((f) => f.type === 'CcInitializeCacheMap')).toBe(false);
  });

  it("'whereWindows': the write initiates caching, the read after it and the basic-information query go fast; the filter sees FAST_IO_OPERATION and its post-op runs on the issuing thread at PASSIVE_LEVEL; FilePositionInformation stays an IRP", () => {
    const sim = volume('whereWindows');
    const seen: string[] = [];
    installFilter(sim, {
      name: 'watcher',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ, IRP_MJ_WRITE, IRP_MJ_QUERY_INFORMATION], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: function* (data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
            const irql = yield* KeGetCurrentIrql();
            seen.push(`${data.Iopb.MajorFunction === IRP_MJ_READ ? 'read' : data.Iopb.MajorFunction === IRP_MJ_WRITE ? 'write' : 'query'} ${(data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0 ? 'fast' : 'irp'} irql=${irql} on ${sim.currentThread()}`);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      },
    });
    sim.run();
    const app = sim.spawn('app', () => writeThenRead(sim));
    sim.run();
    expect(app.result).toBe('hello');
    // The IRPs' post-ops run as if at DISPATCH_LEVEL (any thread); the fast ones at PASSIVE on the issuer.
    expect(seen).toEqual([`write irp irql=2 on ${app.id}`, `read fast irql=0 on ${app.id}`, `query fast irql=0 on ${app.id}`, `query irp irql=2 on ${app.id}`]);
    expect(compactTrace(sim.log, { types: [...WALK] }).filter((l) => !l.includes('CLEANUP') && !l.includes('CLOSE') && !l.includes('CREATE')).map((l) => l.replace(/ file=O1:\\f.txt/, '').replace(/ instance=I\d+:watcher@370000 on C:/, ''))).toEqual([
      'D2(WRITE \\f.txt) IoStart IRP_MJ_WRITE flags=IRP_OPERATION UserMode {Offset: 0, Length: 5, Buffer: 5 bytes}',
      'D2(WRITE \\f.txt) PreOperationReturned FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D2(WRITE \\f.txt) FsComplete status=STATUS_SUCCESS information=5',
      'O1(\\f.txt) CcInitializeCacheMap',
      'D2(WRITE \\f.txt) PostOperationReturned FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'D2(WRITE \\f.txt) IoComplete status=STATUS_SUCCESS information=5',
      'D3(READ \\f.txt) IoStart IRP_MJ_READ flags=FAST_IO_OPERATION UserMode {Offset: 0, Length: 5}',
      'D3(READ \\f.txt) PreOperationReturned FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D3(READ \\f.txt) FsComplete status=STATUS_SUCCESS information=5',
      'D3(READ \\f.txt) PostOperationReturned FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'D3(READ \\f.txt) IoComplete status=STATUS_SUCCESS information=5',
      'D4(QUERY_INFORMATION \\f.txt) IoStart IRP_MJ_QUERY_INFORMATION flags=FAST_IO_OPERATION UserMode {Class: FileBasicInformation, Length: 40}',
      'D4(QUERY_INFORMATION \\f.txt) PreOperationReturned FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D4(QUERY_INFORMATION \\f.txt) FsComplete status=STATUS_SUCCESS information=40',
      'D4(QUERY_INFORMATION \\f.txt) PostOperationReturned FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'D4(QUERY_INFORMATION \\f.txt) IoComplete status=STATUS_SUCCESS information=40',
      'D5(QUERY_INFORMATION \\f.txt) IoStart IRP_MJ_QUERY_INFORMATION flags=IRP_OPERATION UserMode {Class: FilePositionInformation, Length: 8}',
      'D5(QUERY_INFORMATION \\f.txt) PreOperationReturned FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D5(QUERY_INFORMATION \\f.txt) FsComplete status=STATUS_SUCCESS information=8',
      'D5(QUERY_INFORMATION \\f.txt) PostOperationReturned FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'D5(QUERY_INFORMATION \\f.txt) IoComplete status=STATUS_SUCCESS information=8',
    ]);
    expect(sim.state().violations).toEqual([]);
  });

  it('FLT_PREOP_DISALLOW_FASTIO: nothing below sees the fast read, the post-op above gets STATUS_FLT_DISALLOW_FAST_IO, and the read comes again from the top as an IRP that both filters see (§8)', () => {
    const sim = volume('whereWindows');
    const above: string[] = [];
    installFilter(sim, {
      name: 'above',
      altitude: '380000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: (data) => (above.push(`${data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION ? 'fast' : 'irp'} 0x${(data.IoStatus.Status >>> 0).toString(16)}`), FLT_POSTOP_FINISHED_PROCESSING),
        }),
      },
    });
    installFilter(sim, {
      name: 'refuser',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: (data) => ((data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0 ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_NO_CALLBACK),
        }),
      },
    });
    sim.run();
    const app = sim.spawn('app', () => writeThenRead(sim));
    sim.run();
    expect(app.result).toBe('hello');
    expect(above).toEqual(['fast 0xc01c0004', 'irp 0x0']);
    expect(compactTrace(sim.log, { types: ['IoStart', 'PreOperationReturned', 'FsComplete', 'IoComplete'], objects: ['D3', 'D4'] }).map((l) => l.replace(/ file=O1:\\f.txt/, '').replace(/ UserMode.*/, ''))).toEqual([
      'D3(READ \\f.txt) IoStart IRP_MJ_READ flags=FAST_IO_OPERATION',
      'D3(READ \\f.txt) PreOperationReturned instance=I1:above@380000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D3(READ \\f.txt) PreOperationReturned instance=I2:refuser@370000 on C: FLT_PREOP_DISALLOW_FASTIO',
      'D3(READ \\f.txt) IoComplete status=STATUS_FLT_DISALLOW_FAST_IO information=0',
      'D4(READ \\f.txt) IoStart IRP_MJ_READ flags=IRP_OPERATION',
      'D4(READ \\f.txt) PreOperationReturned instance=I1:above@380000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D4(READ \\f.txt) PreOperationReturned instance=I2:refuser@370000 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'D4(READ \\f.txt) FsComplete status=STATUS_SUCCESS information=5',
      'D4(READ \\f.txt) IoComplete status=STATUS_SUCCESS information=5',
    ]);
    expect(sim.state().violations).toEqual([]);
    // §14 invariants 3 and 10 hold over the log: the walk stopped at the refuser, the IRP ended in a final status.
    expect([...checkIoInvariants(sim.log), ...checkIoLiveness(sim.log)]).toEqual([]);
  });

  it("the file system's fast routine returns FALSE on a byte-range lock conflict (FsFastIoDeclined): the IRP that follows reports STATUS_FILE_LOCK_CONFLICT (§21.10)", () => {
    const sim = volume('whereWindows');
    const app = sim.spawn('app', function* () {
      const c = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: SHARE, CreateDisposition: FILE_CREATE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      yield* sim.io.NtWriteFile(c.handle!, 'hello', 0);
      const other = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: SHARE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      const locked = yield* sim.io.NtLockFile(other.handle!, 0, 5, 0, true, true);
      const r = yield* sim.io.NtReadFile(c.handle!, 5, 0);
      return [locked.status, r.status];
    });
    sim.run();
    expect(app.result).toEqual([STATUS_SUCCESS, STATUS_FILE_LOCK_CONFLICT]);
    const read = sim.log.filter((f) => f.type === 'IoStart' && f.major === IRP_MJ_READ).map((f) => f.object);
    expect(compactTrace(sim.log, { types: ['IoStart', 'FsFastIoDeclined', 'FsComplete', 'IoComplete'], objects: read }).map((l) => l.replace(/ file=O1:\\f.txt/, '').replace(/ UserMode.*/, ''))).toEqual([
      'D5(READ \\f.txt) IoStart IRP_MJ_READ flags=FAST_IO_OPERATION',
      'D5(READ \\f.txt) FsFastIoDeclined',
      'D5(READ \\f.txt) IoComplete status=STATUS_FLT_DISALLOW_FAST_IO information=0',
      'D6(READ \\f.txt) IoStart IRP_MJ_READ flags=IRP_OPERATION',
      'D6(READ \\f.txt) FsComplete status=STATUS_FILE_LOCK_CONFLICT information=0',
      'D6(READ \\f.txt) IoComplete status=STATUS_FILE_LOCK_CONFLICT information=0',
    ]);
    expect([...checkIoInvariants(sim.log), ...checkIoLiveness(sim.log)]).toEqual([]);
  });

  it('a fast operation cannot be pended: FLT_PREOP_PENDING is the verifier rule PEND_FAST_IO, and FltQueueDeferredIoWorkItem refuses it with STATUS_FLT_NOT_SAFE_TO_POST_OPERATION (§8)', () => {
    const sim = volume('whereWindows');
    const queued: number[] = [];
    installFilter(sim, {
      name: 'pender',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            if ((data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) === 0) return FLT_PREOP_SUCCESS_NO_CALLBACK;
            const item = yield* FltAllocateDeferredIoWorkItem();
            queued.push(FltQueueDeferredIoWorkItem(item, data, () => undefined, 'DelayedWorkQueue', null));
            FltFreeDeferredIoWorkItem(item);
            return FLT_PREOP_PENDING;
          },
        }),
      },
    });
    sim.run();
    sim.spawn('app', () => writeThenRead(sim));
    sim.run();
    expect(queued).toEqual([STATUS_FLT_NOT_SAFE_TO_POST_OPERATION]);
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['PEND_FAST_IO']);
  });

  it('a fast operation cannot be reissued: FltReissueSynchronousIo from its post-op is REISSUE_NOT_SYNCHRONIZED, though the post-op runs on the issuing thread (§8, §11.14)', () => {
    const sim = volume('whereWindows');
    installFilter(sim, {
      name: 'reissuer',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: () => FLT_PREOP_SYNCHRONIZE,
          PostOperation: function* (data: FLT_CALLBACK_DATA, objects): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
            if ((data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0) yield* FltReissueSynchronousIo(objects.Instance, data);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      },
    });
    sim.run();
    sim.spawn('app', () => writeThenRead(sim));
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['REISSUE_NOT_SYNCHRONIZED']);
  });

  it('caching initiated is a part of the file object machine: the first cached write logs CcInitializeCacheMap, the second none, and PrivateCacheMap reads the part (§24.2)', () => {
    const sim = volume('whereWindows');
    const seen: string[] = [];
    installFilter(sim, {
      name: 'watcher',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_READ, IRP_MJ_WRITE], {
          PreOperation: (data: FLT_CALLBACK_DATA) => {
            seen.push(`${data.Iopb.MajorFunction === IRP_MJ_READ ? 'read' : 'write'} PrivateCacheMap=${data.Iopb.TargetFileObject!.PrivateCacheMap}`);
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        }),
      },
    });
    sim.run();
    sim.spawn('app', function* () {
      const c = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: SHARE, CreateDisposition: FILE_CREATE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      yield* sim.io.NtWriteFile(c.handle!, 'hello', 0);
      yield* sim.io.NtWriteFile(c.handle!, 'world', 5);
      yield* sim.io.NtReadFile(c.handle!, 10, 0);
    });
    sim.run();
    expect(seen).toEqual(['write PrivateCacheMap=false', 'write PrivateCacheMap=true', 'read PrivateCacheMap=true']);
    expect(compactTrace(sim.log, { types: ['CcInitializeCacheMap'] })).toEqual(['O1(\\f.txt) CcInitializeCacheMap']);
    expect(sim.state().fileObjects['O1']).toMatchObject({ state: 'HandleCreated', cacheInitiated: true });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('the fold of the log equals the live state, caching initiated on an open file object included', () => {
    const sim = volume('whereWindows');
    sim.spawn('app', () => writeThenRead(sim, true));
    sim.run();
    const state = sim.state();
    expect(state.fileObjects['O1']).toMatchObject({ state: 'HandleCreated', cacheInitiated: true });
    expect(foldLog(sim.log)).toEqual(state);
  });
});
