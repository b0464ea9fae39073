// §21.10: byte-range locks as the file system keeps them. Each test drives applications through
// sim.io (NtLockFile / NtUnlockFile, LockFileEx / UnlockFileEx) and pins the lock facts and
// statuses a person checks against MS-FSA 2.1.4.10 / 2.1.5.8 / 2.1.5.9 and the FsRtl package.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  foldLog,
  LOCKFILE_EXCLUSIVE_LOCK,
  LOCKFILE_FAIL_IMMEDIATELY,
  ntStatusName,
  sleep,
  STATUS_PENDING,
  type Blocking,
  type OVERLAPPED,
  type Simulation,
} from '../../../src/index.js';
import { compactTrace } from '../../../src/testing/index.js';

const LOCK_FACTS = ['ByteRangeLockWaiting', 'ByteRangeLockGranted', 'ByteRangeLockReleased', 'ByteRangeLockAbandoned'] as const;

function system(): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789abcdef');
  sim.fileSystem('C:').mkdir('\\dir');
  sim.run();
  return sim;
}

function* open(sim: Simulation, options: { readonly synchronous?: boolean; readonly path?: string } = {}): Blocking<string> {
  const r = yield* sim.io.NtCreateFile(options.path ?? 'C:\\f.txt', {
    DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
    ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
    CreateDisposition: FILE_OPEN,
    CreateOptions: options.synchronous === false ? 0 : FILE_SYNCHRONOUS_IO_NONALERT,
  });
  return r.handle!;
}

function overlappedAt(Offset: number): OVERLAPPED {
  return { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0, Offset };
}

const name = (status: number): string => ntStatusName(status);

describe('conflicts (§21.10, MS-FSA 2.1.4.10)', () => {
  it('an exclusive lock blocks other owners\' reads and writes (STATUS_FILE_LOCK_CONFLICT), not the owner\'s; FailImmediately → STATUS_LOCK_NOT_GRANTED', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = yield* open(sim);
      const b = yield* open(sim);
      seen.push(`A lock 4+4 exclusive: ${name((yield* sim.io.NtLockFile(a, 4, 4, 0, true, true)).status)}`);
      seen.push(`A read 0+8: ${name((yield* sim.io.NtReadFile(a, 8, 0)).status)}`);
      seen.push(`B read 0+8: ${name((yield* sim.io.NtReadFile(b, 8, 0)).status)}`);
      seen.push(`B read 8+4: ${name((yield* sim.io.NtReadFile(b, 4, 8)).status)}`);
      seen.push(`B write 7+1: ${name((yield* sim.io.NtWriteFile(b, 'x', 7)).status)}`);
      seen.push(`B lock 6+1 shared, fail immediately: ${name((yield* sim.io.NtLockFile(b, 6, 1, 0, true, false)).status)}`);
      seen.push(`A lock 5+1 exclusive again: ${name((yield* sim.io.NtLockFile(a, 5, 1, 0, true, true)).status)}`);
      seen.push(`A lock 5+1 shared over its own exclusive: ${name((yield* sim.io.NtLockFile(a, 5, 1, 0, true, false)).status)}`);
      seen.push(`A key 7 read 4+1: ${name((yield* sim.io.NtReadFile(a, 1, 4)).status)}`);
      yield* sim.io.NtClose(a);
      yield* sim.io.NtClose(b);
    });
    sim.run();
    expect(seen).toEqual([
      'A lock 4+4 exclusive: STATUS_SUCCESS',
      'A read 0+8: STATUS_SUCCESS',
      'B read 0+8: STATUS_FILE_LOCK_CONFLICT',
      'B read 8+4: STATUS_SUCCESS',
      'B write 7+1: STATUS_FILE_LOCK_CONFLICT',
      'B lock 6+1 shared, fail immediately: STATUS_LOCK_NOT_GRANTED',
      'A lock 5+1 exclusive again: STATUS_LOCK_NOT_GRANTED',
      'A lock 5+1 shared over its own exclusive: STATUS_SUCCESS',
      'A key 7 read 4+1: STATUS_SUCCESS',
    ]);
    // Both of A's locks went at its handle's cleanup (FsRtlFastUnlockAll).
    expect(compactTrace(sim.log, { types: [...LOCK_FACTS] })).toEqual([
      'r1 ByteRangeLockGranted op=D3 fo=O1 range=4+4 exclusive key=0 pid=1000',
      'r2 ByteRangeLockGranted op=D10 fo=O1 range=5+1 shared key=0 pid=1000',
      'r1 ByteRangeLockReleased by=IRP_MJ_CLEANUP op=D12',
      'r2 ByteRangeLockReleased by=IRP_MJ_CLEANUP op=D12',
    ]);
    expect(sim.state().byteRangeLocks).toEqual({});
  });

  it('a shared lock blocks writes, its owner\'s too, and lets every owner read; two shared locks overlap', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = yield* open(sim);
      const b = yield* open(sim);
      seen.push(`A shared 0+4: ${name((yield* sim.io.NtLockFile(a, 0, 4, 0, true, false)).status)}`);
      seen.push(`B shared 2+4: ${name((yield* sim.io.NtLockFile(b, 2, 4, 0, true, false)).status)}`);
      seen.push(`B read 0+6: ${name((yield* sim.io.NtReadFile(b, 6, 0)).status)}`);
      seen.push(`A write 1+1: ${name((yield* sim.io.NtWriteFile(a, 'x', 1)).status)}`);
      seen.push(`A exclusive 3+1: ${name((yield* sim.io.NtLockFile(a, 3, 1, 0, true, true)).status)}`);
      seen.push(`A unlock 0+3 (no such lock): ${name((yield* sim.io.NtUnlockFile(a, 0, 3)).status)}`);
      seen.push(`A unlock 0+4: ${name((yield* sim.io.NtUnlockFile(a, 0, 4)).status)}`);
      seen.push(`A write 1+1: ${name((yield* sim.io.NtWriteFile(a, 'x', 1)).status)}`);
      yield* sim.io.NtClose(a);
      yield* sim.io.NtClose(b);
    });
    sim.run();
    expect(seen).toEqual([
      'A shared 0+4: STATUS_SUCCESS',
      'B shared 2+4: STATUS_SUCCESS',
      'B read 0+6: STATUS_SUCCESS',
      'A write 1+1: STATUS_FILE_LOCK_CONFLICT',
      'A exclusive 3+1: STATUS_LOCK_NOT_GRANTED',
      'A unlock 0+3 (no such lock): STATUS_RANGE_NOT_LOCKED',
      'A unlock 0+4: STATUS_SUCCESS',
      'A write 1+1: STATUS_SUCCESS',
    ]);
  });

  it('a directory or a volume open cannot be locked (STATUS_INVALID_PARAMETER)', () => {
    const sim = system();
    let status = 0;
    sim.spawn('app', function* () {
      const d = yield* open(sim, { path: 'C:\\dir' });
      status = (yield* sim.io.NtLockFile(d, 0, 1, 0, true, true)).status;
      yield* sim.io.NtClose(d);
    });
    sim.run();
    expect(name(status)).toBe('STATUS_INVALID_PARAMETER');
  });
});

describe('waiting lock requests (§21.10: parked in the file system, cancellable)', () => {
  it('a conflicting lock waits until the owner unlocks, then is granted; fold equals live while it waits', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('owner', function* () {
      const a = yield* open(sim);
      seen.push(`owner lock: ${name((yield* sim.io.NtLockFile(a, 0, 8)).status)}`);
      yield* sleep(10);
      seen.push(`owner unlock: ${name((yield* sim.io.NtUnlockFile(a, 0, 8)).status)}`);
      yield* sim.io.NtClose(a);
    });
    sim.spawn('waiter', function* () {
      yield* sleep(1);
      const b = yield* open(sim);
      seen.push(`waiter lock: ${name((yield* sim.io.NtLockFile(b, 4, 2)).status)}`);
      yield* sim.io.NtClose(b);
    });
    sim.runUntil(5);
    const waiting = sim.state();
    expect(Object.values(waiting.byteRangeLocks).map((l) => `${l.byteOffset}+${l.length} ${l.state}`)).toEqual(['0+8 Granted', '4+2 Waiting']);
    expect(foldLog(sim.log)).toEqual(waiting);
    sim.run();
    expect(seen).toEqual(['owner lock: STATUS_SUCCESS', 'owner unlock: STATUS_SUCCESS', 'waiter lock: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...LOCK_FACTS, 'FsPending', 'FsComplete'] }).filter((l) => l.startsWith('r') || l.includes('LOCK_CONTROL'))).toEqual([
      'r1 ByteRangeLockGranted op=D2 fo=O1 range=0+8 exclusive key=0 pid=1000',
      'D2(LOCK_CONTROL \\f.txt) FsComplete status=STATUS_SUCCESS information=0',
      'r2 ByteRangeLockWaiting op=D4 fo=O2 range=4+2 exclusive key=0 pid=1000',
      'D4(LOCK_CONTROL \\f.txt) FsPending held',
      'r1 ByteRangeLockReleased by=IRP_MN_UNLOCK_SINGLE op=D5',
      'r2 ByteRangeLockGranted op=D4 fo=O2 range=4+2 exclusive key=0 pid=1000',
      'D5(LOCK_CONTROL \\f.txt) FsComplete status=STATUS_SUCCESS information=0',
      'D4(LOCK_CONTROL \\f.txt) FsComplete status=STATUS_SUCCESS information=0',
      'r2 ByteRangeLockReleased by=IRP_MJ_CLEANUP op=D8',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('CancelIoEx on an overlapped waiting LockFileEx: STATUS_CANCELLED, the request is abandoned, the owner keeps its lock', () => {
    const sim = system();
    let issued = 0;
    let result = 0;
    sim.spawn('app', function* () {
      const a = yield* open(sim);
      yield* sim.io.NtLockFile(a, 0, 8);
      const b = yield* open(sim, { synchronous: false });
      const overlapped = overlappedAt(2);
      issued = yield* sim.io.LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 2, overlapped);
      yield* sim.io.CancelIoEx(b, overlapped);
      result = (yield* sim.io.GetOverlappedResult(b, overlapped, true)).status;
      expect(Object.keys(sim.state().byteRangeLocks)).toEqual(['r1']);
      expect(name(yield* sim.io.LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 2, overlappedAt(2)))).toBe('STATUS_LOCK_NOT_GRANTED');
      yield* sim.io.NtClose(b);
      yield* sim.io.NtClose(a);
    });
    sim.run();
    expect(name(issued)).toBe('STATUS_PENDING');
    expect(name(result)).toBe('STATUS_CANCELLED');
    expect(compactTrace(sim.log, { types: [...LOCK_FACTS, 'IoSetCancelRoutine', 'IoCancelIrp', 'IoCompleteRequest'] })).toEqual([
      'r1 ByteRangeLockGranted op=D2 fo=O1 range=0+8 exclusive key=0 pid=1000',
      'r2 ByteRangeLockWaiting op=D4 fo=O2 range=2+2 exclusive key=0 pid=1000',
      'J1 IoSetCancelRoutine op=D4 routine=FileSystem',
      `J1 IoCancelIrp op=D4 by=CancelIoEx thread=T1 routine called`,
      'r2 ByteRangeLockAbandoned status=STATUS_CANCELLED',
      'J1 IoCompleteRequest op=D4 status=STATUS_CANCELLED',
      'r1 ByteRangeLockReleased by=IRP_MJ_CLEANUP op=D8',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('CancelSynchronousIo ends a thread blocked in NtLockFile', () => {
    const sim = system();
    let result = 0;
    sim.spawn('owner', function* () {
      const a = yield* open(sim);
      yield* sim.io.NtLockFile(a, 0, 8);
      yield* sleep(20);
      yield* sim.io.NtClose(a);
    });
    const waiter = sim.spawn('waiter', function* () {
      yield* sleep(1);
      const b = yield* open(sim);
      result = (yield* sim.io.NtLockFile(b, 0, 1)).status;
      yield* sim.io.NtClose(b);
    });
    sim.spawn('canceller', function* () {
      yield* sleep(5);
      yield* sim.io.CancelSynchronousIo(waiter.id);
    });
    sim.run();
    expect(name(result)).toBe('STATUS_CANCELLED');
  });

  it('the owner\'s cleanup releases its locks and grants the waiter; a waiter\'s own cleanup ends its request with STATUS_RANGE_NOT_LOCKED', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = yield* open(sim);
      yield* sim.io.NtLockFile(a, 0, 8);
      const b = yield* open(sim, { synchronous: false });
      const c = yield* open(sim, { synchronous: false });
      const ob = overlappedAt(0);
      const oc = overlappedAt(4);
      seen.push(`B waits: ${name(yield* sim.io.LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 4, ob))}`);
      seen.push(`C waits: ${name(yield* sim.io.LockFileEx(c, 0, 4, oc))}`);
      yield* sim.io.NtClose(c);
      seen.push(`C: ${name((yield* sim.io.GetOverlappedResult(c, oc, true)).status)}`);
      yield* sim.io.NtClose(a);
      seen.push(`B: ${name((yield* sim.io.GetOverlappedResult(b, ob, true)).status)}`);
      yield* sim.io.NtClose(b);
    });
    sim.run();
    expect(seen).toEqual(['B waits: STATUS_PENDING', 'C waits: STATUS_PENDING', 'C: STATUS_RANGE_NOT_LOCKED', 'B: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...LOCK_FACTS] })).toEqual([
      'r1 ByteRangeLockGranted op=D2 fo=O1 range=0+8 exclusive key=0 pid=1000',
      'r2 ByteRangeLockWaiting op=D5 fo=O2 range=0+4 exclusive key=0 pid=1000',
      'r3 ByteRangeLockWaiting op=D6 fo=O3 range=4+4 shared key=0 pid=1000',
      'r3 ByteRangeLockAbandoned status=STATUS_RANGE_NOT_LOCKED',
      'r1 ByteRangeLockReleased by=IRP_MJ_CLEANUP op=D8',
      'r2 ByteRangeLockGranted op=D5 fo=O2 range=0+4 exclusive key=0 pid=1000',
      'r2 ByteRangeLockReleased by=IRP_MJ_CLEANUP op=D11',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});
