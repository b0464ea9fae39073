// §21.8: Windows 7 oplocks — FSCTL_REQUEST_OPLOCK with a REQUEST_OPLOCK_INPUT_BUFFER asking for R, RH,
// RW or RWH, the granted request parked as the oplock, broken by another handle's create (W; H only on
// a sharing violation), write, rename or delete, completed with a REQUEST_OPLOCK_OUTPUT_BUFFER, and
// acknowledged with FSCTL_REQUEST_OPLOCK + REQUEST_OPLOCK_INPUT_FLAG_ACK. Each test pins the oplock facts
// or what the applications saw.
import { describe, expect, it } from 'vitest';
import {
  CloseHandle,
  decodeRequestOplockOutputBuffer,
  DELETE,
  encodeRequestOplockInputBuffer,
  FILE_COMPLETE_IF_OPLOCKED,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_OPLOCK_BROKEN_TO_LEVEL_2,
  FILE_OPLOCK_BROKEN_TO_NONE,
  FILE_OVERWRITE,
  FILE_READ_ATTRIBUTES,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  foldLog,
  FSCTL_OPLOCK_BREAK_NOTIFY,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_2,
  ntStatusName,
  PAGE_READONLY,
  PAGE_READWRITE,
  OPLOCK_LEVEL_CACHE_HANDLE,
  OPLOCK_LEVEL_CACHE_READ,
  OPLOCK_LEVEL_CACHE_WRITE,
  REQUEST_OPLOCK_INPUT_FLAG_ACK,
  REQUEST_OPLOCK_INPUT_FLAG_REQUEST,
  REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE,
  REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED,
  sleep,
  STATUS_PENDING,
  type Blocking,
  type Fact,
  type OVERLAPPED,
  type Simulation,
} from '../../../src/index.js';
import { checkFsInvariants } from '../../../src/checkers/fsInvariants.js';
import { compactTrace } from '../../../src/testing/index.js';
import { system, type OpenOptions, open as openFile, overlapped, finish, OPLOCK_FACTS } from './oplockSupport.js';

const R = OPLOCK_LEVEL_CACHE_READ;
const H = OPLOCK_LEVEL_CACHE_HANDLE;
const W = OPLOCK_LEVEL_CACHE_WRITE;
const name = ntStatusName;
/** This file's opens share delete too (FILE_SHARE_READ | WRITE | DELETE unless told). */
const open = (sim: Simulation, options: OpenOptions = {}) => openFile(sim, { share: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, ...options });

const levelName = (bits: number): string => (bits === 0 ? 'none' : `${bits & R ? 'R' : ''}${bits & W ? 'W' : ''}${bits & H ? 'H' : ''}`);

/** DeviceIoControl(FSCTL_REQUEST_OPLOCK) asking for `level` (REQUEST) or acknowledging with it (ACK). */
function* request(sim: Simulation, handle: string, level: number, o: OVERLAPPED, flags = REQUEST_OPLOCK_INPUT_FLAG_REQUEST): Blocking<string> {
  return name(yield* sim.io.DeviceIoControl(handle, FSCTL_REQUEST_OPLOCK, encodeRequestOplockInputBuffer(level, flags), 12, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE, o));
}

/** What a completed request returned: status, and its REQUEST_OPLOCK_OUTPUT_BUFFER as `R→none ack`. */
function* outcome(sim: Simulation, handle: string, o: OVERLAPPED): Blocking<string> {
  const r = yield* sim.io.GetOverlappedResult(handle, o, true);
  const out = decodeRequestOplockOutputBuffer(r.output, r.information);
  if (out === null) return name(r.status);
  return `${name(r.status)} ${levelName(out.OriginalOplockLevel)}→${levelName(out.NewOplockLevel)}${out.Flags & REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED ? ' ack required' : ''}`;
}

describe('granting (§21.8, FSCTL_REQUEST_OPLOCK)', () => {
  it('R and RH go to several handles; RW and RWH only to the only open; a second request on the same handle switches; R coexists with Level 2, RH does not', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = (yield* open(sim, { synchronous: false })).handle!;
      const b = (yield* open(sim, { synchronous: false })).handle!;
      seen.push(`RW with two opens: ${yield* request(sim, a, R | W, overlapped())}`);
      const ra = overlapped();
      seen.push(`R for A: ${yield* request(sim, a, R, ra)}`);
      seen.push(`RH for B: ${yield* request(sim, b, R | H, overlapped())}`);
      seen.push(`Level 2 for B beside RH: ${name(yield* sim.io.DeviceIoControl(b, FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0, overlapped()))}`);
      seen.push(`RH for A (upgrade): ${yield* request(sim, a, R | H, overlapped())}`);
      seen.push(`A's R request: ${yield* outcome(sim, a, ra)}`);
      seen.push(...Object.values(sim.state().oplocks).map((x) => `${x.state} ${x.holders.map((h) => `${h.fileObject}:${h.level}`).join(',')}`));
      yield* sim.io.NtClose(b);
      yield* sim.io.NtClose(a);
      const only = (yield* open(sim, { synchronous: false })).handle!;
      seen.push(`RWH on the only open: ${yield* request(sim, only, R | W | H, overlapped())}`);
      yield* sim.io.NtClose(only);
    });
    sim.run();
    expect(seen).toEqual([
      'RW with two opens: STATUS_OPLOCK_NOT_GRANTED',
      'R for A: STATUS_PENDING',
      'RH for B: STATUS_PENDING',
      'Level 2 for B beside RH: STATUS_OPLOCK_NOT_GRANTED',
      'RH for A (upgrade): STATUS_PENDING',
      "A's R request: STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE",
      'Granted O1:RH,O2:RH',
      'RWH on the only open: STATUS_PENDING',
    ]);
    expect(compactTrace(sim.log, { types: ['OplockGranted'] })).toEqual(['o1 OplockGranted R op=D4 fo=O1', 'o1 OplockGranted RH op=D5 fo=O2', 'o1 OplockGranted RH op=D7 fo=O1 switched=D4', 'o2 OplockGranted RWH op=D11 fo=O3']);
    expect(sim.state().oplocks).toEqual({});
    finish(sim);
  });

  it('misuse: a bad buffer is STATUS_INVALID_PARAMETER, a short output buffer STATUS_BUFFER_TOO_SMALL, synchronous I/O is never granted, an acknowledgement with no break owed is STATUS_INVALID_OPLOCK_PROTOCOL', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = (yield* open(sim, { synchronous: false })).handle!;
      const ask = (input: Uint8Array | null, inSize: number, outSize: number): Blocking<number> => sim.io.DeviceIoControl(a, FSCTL_REQUEST_OPLOCK, input, inSize, outSize, overlapped());
      seen.push(`no buffer: ${name(yield* ask(null, 0, 24))}`);
      seen.push(`version 2: ${name(yield* ask(encodeRequestOplockInputBuffer(R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST, 2), 12, 24))}`);
      seen.push(`both flags: ${name(yield* ask(encodeRequestOplockInputBuffer(R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST | REQUEST_OPLOCK_INPUT_FLAG_ACK), 12, 24))}`);
      seen.push(`level H alone: ${name(yield* ask(encodeRequestOplockInputBuffer(H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST), 12, 24))}`);
      seen.push(`short output: ${name(yield* ask(encodeRequestOplockInputBuffer(R, REQUEST_OPLOCK_INPUT_FLAG_REQUEST), 12, 8))}`);
      seen.push(`ack with no break: ${name(yield* ask(encodeRequestOplockInputBuffer(R, REQUEST_OPLOCK_INPUT_FLAG_ACK), 12, 24))}`);
      const s = (yield* open(sim)).handle!;
      seen.push(`synchronous handle: ${yield* request(sim, s, R, overlapped())}`);
      yield* sim.io.NtClose(s);
      yield* sim.io.NtClose(a);
    });
    sim.run();
    expect(seen).toEqual([
      'no buffer: STATUS_INVALID_PARAMETER',
      'version 2: STATUS_INVALID_PARAMETER',
      'both flags: STATUS_INVALID_PARAMETER',
      'level H alone: STATUS_INVALID_PARAMETER',
      'short output: STATUS_BUFFER_TOO_SMALL',
      'ack with no break: STATUS_INVALID_OPLOCK_PROTOCOL',
      'synchronous handle: STATUS_OPLOCK_NOT_GRANTED',
    ]);
    expect(sim.state().oplocks).toEqual({});
    finish(sim);
  });
});

describe('breaking and acknowledging (§21.8)', () => {
  it('RWH: another handle\'s open breaks W (to RH, acknowledgement required) and waits; the holder acknowledges with REQUEST_OPLOCK_INPUT_FLAG_ACK keeping RH, which parks as the new oplock', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      seen.push(`RWH: ${yield* request(sim, h, R | W | H, o)}`);
      seen.push(`broken: ${yield* outcome(sim, h, o)}`);
      yield* sleep(10);
      const ack = overlapped();
      seen.push(`ack keeping RH: ${yield* request(sim, h, R | H, ack, REQUEST_OPLOCK_INPUT_FLAG_ACK)}`);
      yield* sleep(10);
      yield* sim.io.NtClose(h);
      seen.push(`RH at the holder's cleanup: ${yield* outcome(sim, h, ack)}`);
    });
    sim.spawn('opener', function* () {
      yield* sleep(1);
      const r = yield* open(sim);
      seen.push(`second open: ${name(r.status)}`);
      yield* sim.io.NtClose(r.handle!);
    });
    sim.runUntil(5);
    expect(Object.values(sim.state().oplocks).map((x) => `${x.state} ${x.holders[0]!.level} breakingTo=${x.holders[0]!.breakingTo} waiters=${x.waiters.length}`)).toEqual(['Breaking RWH breakingTo=RH waiters=1']);
    expect(foldLog(sim.log)).toEqual(sim.state());
    sim.run();
    expect(seen).toEqual(['RWH: STATUS_PENDING', 'broken: STATUS_SUCCESS RWH→RH ack required', 'ack keeping RH: STATUS_PENDING', 'second open: STATUS_SUCCESS', "RH at the holder's cleanup: STATUS_SUCCESS RH→none"]);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted RWH op=D2 fo=O1',
      'o1 OplockBreak fo=O1 RWH to RH by=D3 acknowledgement owed',
      'o1 OplockBreakWait op=D3',
      'o1 OplockAcknowledged fo=O1 FSCTL_REQUEST_OPLOCK op=D4 to RH',
      'o1 OplockWaitEnded op=D3 acknowledged',
      'o1 OplockReleased fo=O1 cleanup',
    ]);
    finish(sim);
  });

  it('RH and a sharing violation: the open breaks H (to R) and waits; the holder closes, the open checks sharing again and succeeds', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false, share: FILE_SHARE_READ })).handle!;
      const o = overlapped();
      seen.push(`RH: ${yield* request(sim, h, R | H, o)}`);
      seen.push(`broken: ${yield* outcome(sim, h, o)}`);
      yield* sleep(10);
      seen.push('holder closes');
      yield* sim.io.NtClose(h);
    });
    sim.spawn('writer', function* () {
      yield* sleep(1);
      const r = yield* open(sim);
      seen.push(`open for write: ${name(r.status)}`);
      yield* sim.io.NtClose(r.handle!);
    });
    sim.run();
    expect(seen).toEqual(['RH: STATUS_PENDING', 'broken: STATUS_SUCCESS RH→R ack required', 'holder closes', 'open for write: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted RH op=D2 fo=O1',
      'o1 OplockBreak fo=O1 RH to R by=D3 acknowledgement owed',
      'o1 OplockBreakWait op=D3',
      'o1 OplockReleased fo=O1 cleanup',
      'o1 OplockWaitEnded op=D3 closed',
    ]);
    finish(sim);
  });

  it('RH and a sharing violation, the holder keeps its handle: it acknowledges to R, the open checks sharing again and fails; an open that shares breaks nothing', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false, share: FILE_SHARE_READ })).handle!;
      const o = overlapped();
      yield* request(sim, h, R | H, o);
      seen.push(`broken: ${yield* outcome(sim, h, o)}`);
      const ack = overlapped();
      seen.push(`ack keeping R: ${yield* request(sim, h, R, ack, REQUEST_OPLOCK_INPUT_FLAG_ACK)}`);
      yield* sleep(10);
      yield* sim.io.NtClose(h);
    });
    sim.spawn('others', function* () {
      yield* sleep(1);
      seen.push(`open for write: ${name((yield* open(sim)).status)}`);
      const reader = yield* open(sim, { access: FILE_GENERIC_READ });
      seen.push(`open for read: ${name(reader.status)} ${Object.values(sim.state().oplocks).map((x) => x.holders.map((h) => h.level).join())}`);
      yield* sim.io.NtClose(reader.handle!);
    });
    sim.run();
    expect(seen).toEqual(['broken: STATUS_SUCCESS RH→R ack required', 'ack keeping R: STATUS_PENDING', 'open for write: STATUS_SHARING_VIOLATION', 'open for read: STATUS_SUCCESS R']);
    finish(sim);
  });

  it('a write by another handle: R breaks to none with no acknowledgement; RH breaks to none, acknowledgement required, and the write goes on at once; RW breaks to none and the write waits for the acknowledgement', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = (yield* open(sim, { synchronous: false })).handle!;
      const b = (yield* open(sim, { synchronous: false })).handle!;
      const writer = (yield* open(sim)).handle!;
      const ra = overlapped();
      const rhb = overlapped();
      yield* request(sim, a, R, ra);
      yield* request(sim, b, R | H, rhb);
      seen.push(`write: ${name((yield* sim.io.NtWriteFile(writer, 'x', 0)).status)}`);
      seen.push(`R: ${yield* outcome(sim, a, ra)}`);
      seen.push(`RH: ${yield* outcome(sim, b, rhb)}`);
      seen.push(`ack to none: ${yield* request(sim, b, 0, overlapped(), REQUEST_OPLOCK_INPUT_FLAG_ACK)}`);
      yield* sim.io.NtClose(a);
      yield* sim.io.NtClose(b);
      yield* sim.io.NtClose(writer);
    });
    sim.run();
    expect(seen).toEqual(['write: STATUS_SUCCESS', 'R: STATUS_SUCCESS R→none', 'RH: STATUS_SUCCESS RH→none ack required', 'ack to none: STATUS_SUCCESS']);
    expect(sim.state().oplocks).toEqual({});
    finish(sim);
  });

  it('RW and a write through another handle (opened with FILE_COMPLETE_IF_OPLOCKED, STATUS_OPLOCK_BREAK_IN_PROGRESS): the write waits until the holder acknowledges', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      seen.push(`RW: ${yield* request(sim, h, R | W, o)}`);
      seen.push(`broken: ${yield* outcome(sim, h, o)}`);
      yield* sleep(10);
      seen.push(`ack to none: ${yield* request(sim, h, 0, overlapped(), REQUEST_OPLOCK_INPUT_FLAG_ACK)}`);
      yield* sim.io.NtClose(h);
    });
    sim.spawn('writer', function* () {
      yield* sleep(1);
      const r = yield* open(sim, { createOptions: FILE_COMPLETE_IF_OPLOCKED });
      seen.push(`open: ${name(r.status)}`);
      seen.push(`write: ${name((yield* sim.io.NtWriteFile(r.handle!, 'x', 0)).status)}`);
      yield* sim.io.NtClose(r.handle!);
    });
    sim.run();
    expect(seen).toEqual(['RW: STATUS_PENDING', 'open: STATUS_OPLOCK_BREAK_IN_PROGRESS', 'broken: STATUS_SUCCESS RW→R ack required', 'ack to none: STATUS_SUCCESS', 'write: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: ['OplockBreak', 'OplockBreakWait', 'OplockAcknowledged', 'OplockWaitEnded'] })).toEqual([
      'o1 OplockBreak fo=O1 RW to R by=D3 acknowledgement owed',
      'o1 OplockBreak fo=O1 RW to None by=D4 acknowledgement owed',
      'o1 OplockBreakWait op=D4',
      'o1 OplockAcknowledged fo=O1 FSCTL_REQUEST_OPLOCK op=D5 to None',
      'o1 OplockWaitEnded op=D4 acknowledged',
    ]);
    finish(sim);
  });

  it('a rename through another handle breaks H (RH → R) and wait for the acknowledgement; FSCTL_OPLOCK_BREAK_NOTIFY waits for the break too', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* request(sim, h, R | H, o);
      seen.push(`broken: ${yield* outcome(sim, h, o)}`);
      yield* sleep(10);
      const ack = overlapped();
      seen.push(`a new request while the break is owed: ${yield* request(sim, h, R, overlapped())}`);
      seen.push(`ack keeping R: ${yield* request(sim, h, R, ack, REQUEST_OPLOCK_INPUT_FLAG_ACK)}`);
      yield* sleep(10);
      yield* sim.io.NtClose(h);
    });
    sim.spawn('renamer', function* () {
      yield* sleep(1);
      const r = yield* open(sim, { access: FILE_GENERIC_READ | DELETE });
      const set = yield* sim.io.NtSetInformationFile(r.handle!, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\g.txt' });
      seen.push(`rename: ${name(set.status)}`);
      yield* sim.io.NtClose(r.handle!);
    });
    sim.spawn('watcher', function* () {
      yield* sleep(2);
      const w = (yield* open(sim, { access: FILE_GENERIC_READ })).handle!;
      seen.push(`break notify: ${name((yield* sim.io.NtFsControlFile(w, FSCTL_OPLOCK_BREAK_NOTIFY, null, 0, 0)).status)}`);
      yield* sim.io.NtClose(w);
    });
    sim.run();
    expect(seen).toEqual([
      'broken: STATUS_SUCCESS RH→R ack required',
      'a new request while the break is owed: STATUS_OPLOCK_NOT_GRANTED',
      'ack keeping R: STATUS_PENDING',
      'rename: STATUS_SUCCESS',
      'break notify: STATUS_SUCCESS',
    ]);
    expect(compactTrace(sim.log, { types: ['OplockBreak', 'OplockBreakWait', 'OplockWaitEnded'] })).toEqual([
      'o1 OplockBreak fo=O1 RH to R by=D5 acknowledgement owed',
      'o1 OplockBreakWait op=D5',
      'o1 OplockBreakWait op=D7',
      'o1 OplockWaitEnded op=D5 acknowledged',
      'o1 OplockWaitEnded op=D7 acknowledged',
    ]);
    finish(sim);
  });

  it("cancel: CancelIoEx on a granted RWH request completes it with STATUS_CANCELLED and the oplock is gone; the holder's cleanup completes a granted R with NewOplockLevel none", () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* request(sim, h, R | W | H, o);
      seen.push(`cancel: ${name(yield* sim.io.CancelIoEx(h, o))}`);
      seen.push(`request: ${yield* outcome(sim, h, o)}`);
      seen.push(`oplocks: ${Object.keys(sim.state().oplocks).length}`);
      const r = overlapped();
      yield* request(sim, h, R, r);
      yield* sim.io.NtClose(h);
      seen.push(`R at cleanup: ${yield* outcome(sim, h, r)}`);
    });
    sim.run();
    expect(seen).toEqual(['cancel: STATUS_SUCCESS', 'request: STATUS_CANCELLED', 'oplocks: 0', 'R at cleanup: STATUS_SUCCESS R→none']);
    finish(sim);
  });
});

describe('more breakers (§21.8): a delete through another handle, and LOCK_CONTROL and SET_INFORMATION for the legacy levels', () => {
  it('a delete disposition through another handle breaks RH to R and waits (the open itself, sharing, broke nothing); the holder acknowledges keeping R', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* request(sim, h, R | H, o);
      seen.push(`broken: ${yield* outcome(sim, h, o)}`);
      yield* sleep(5);
      const ack = overlapped();
      seen.push(`ack keeping RW: ${yield* request(sim, h, R | W, ack, REQUEST_OPLOCK_INPUT_FLAG_ACK)}`);
      seen.push(`ack keeping R: ${yield* request(sim, h, R, ack, REQUEST_OPLOCK_INPUT_FLAG_ACK)}`);
      yield* sleep(5);
      yield* sim.io.NtClose(h);
      seen.push(`R at cleanup: ${yield* outcome(sim, h, ack)}`);
    });
    sim.spawn('deleter', function* () {
      yield* sleep(1);
      const d = (yield* open(sim, { access: DELETE })).handle!;
      seen.push(`open for DELETE: ${Object.values(sim.state().oplocks).map((x) => `${x.state} ${x.holders[0]!.level}`)}`);
      const set = yield* sim.io.NtSetInformationFile(d, FILE_INFORMATION_CLASS.FileDispositionInformation, { DeleteFile: true }, 1);
      seen.push(`delete: ${name(set.status)}`);
      yield* sim.io.NtClose(d);
    });
    sim.run();
    expect(seen).toEqual(['open for DELETE: Granted RH', 'broken: STATUS_SUCCESS RH→R ack required', 'ack keeping RW: STATUS_INVALID_PARAMETER', 'ack keeping R: STATUS_PENDING', 'delete: STATUS_SUCCESS', 'R at cleanup: STATUS_SUCCESS R→none']);
    finish(sim);
  });

  it('legacy: a byte-range lock by another handle breaks Level 2 to none (no acknowledgement); an end-of-file change breaks Batch (acknowledgement, the change waits); an open for attributes only breaks nothing; an overwrite breaks Level 2', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = (yield* open(sim, { synchronous: false })).handle!;
      const other = (yield* open(sim)).handle!;
      const l2 = overlapped();
      yield* sim.io.DeviceIoControl(a, FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0, l2);
      seen.push(`lock: ${name((yield* sim.io.NtLockFile(other, 0, 1, 0, true, true)).status)}`);
      yield* sim.io.GetOverlappedResult(a, l2, true);
      seen.push(`Level 2: ${name(l2.Internal)} ${l2.InternalHigh === FILE_OPLOCK_BROKEN_TO_NONE ? 'BROKEN_TO_NONE' : l2.InternalHigh}`);
      yield* sim.io.NtUnlockFile(other, 0, 1);
      const again = overlapped();
      yield* sim.io.DeviceIoControl(a, FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0, again);
      const over = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, CreateDisposition: FILE_OVERWRITE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      seen.push(`overwrite: ${name(over.status)} Level 2 ${name((yield* sim.io.GetOverlappedResult(a, again, true)).status)}`);
      yield* sim.io.NtClose(over.handle!);
      yield* sim.io.NtClose(other);
      yield* sim.io.NtClose(a);
    });
    sim.run();
    sim.spawn('batch', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* sim.io.DeviceIoControl(h, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0, o);
      const attrs = yield* open(sim, { access: FILE_READ_ATTRIBUTES });
      seen.push(`attributes-only open: ${name(attrs.status)} batch ${name(o.Internal)}`);
      const sizer = (yield* open(sim, { createOptions: FILE_COMPLETE_IF_OPLOCKED })).handle!;
      yield* sim.io.GetOverlappedResult(h, o, true);
      seen.push(`batch after an open with FILE_COMPLETE_IF_OPLOCKED: ${o.InternalHigh === FILE_OPLOCK_BROKEN_TO_LEVEL_2 ? 'BROKEN_TO_LEVEL_2' : o.InternalHigh}`);
      sim.spawn('sizer', function* () {
        const set = yield* sim.io.NtSetInformationFile(sizer, FILE_INFORMATION_CLASS.FileEndOfFileInformation, { EndOfFile: 4 }, 8);
        seen.push(`end of file: ${name(set.status)}`);
        yield* sim.io.NtClose(sizer);
      });
      yield* sleep(3);
      seen.push('holder closes');
      yield* sim.io.NtClose(attrs.handle!);
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual([
      'lock: STATUS_SUCCESS',
      'Level 2: STATUS_SUCCESS BROKEN_TO_NONE',
      'overwrite: STATUS_SUCCESS Level 2 STATUS_SUCCESS',
      'attributes-only open: STATUS_SUCCESS batch STATUS_PENDING',
      'batch after an open with FILE_COMPLETE_IF_OPLOCKED: BROKEN_TO_LEVEL_2',
      'holder closes',
      'end of file: STATUS_SUCCESS',
    ]);
    expect(compactTrace(sim.log, { types: ['OplockBreak', 'OplockBreakWait', 'OplockWaitEnded'] }).slice(-4)).toEqual([
      'o3 OplockBreak fo=O4 Batch to Level2 by=D17 acknowledgement owed',
      'o3 OplockBreak fo=O4 Batch to None by=D18 acknowledgement owed',
      'o3 OplockBreakWait op=D18',
      'o3 OplockWaitEnded op=D18 closed',
    ]);
    finish(sim);
  });
});

describe('the §24.9 10 checker (oplockDiscipline) on logs edited by hand', () => {
  function brokenAndAcknowledged(): readonly Fact[] {
    const sim = system();
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* request(sim, h, R | W | H, o);
      yield* request(sim, h, R | W | H, overlapped());
      yield* outcome(sim, h, o);
      const current = Object.values(sim.state().oplocks)[0]!.holders[0]!.operation;
      yield* sleep(10);
      yield* request(sim, h, R | H, overlapped(), REQUEST_OPLOCK_INPUT_FLAG_ACK);
      yield* sim.io.NtClose(h);
      expect(current).not.toBeNull();
    });
    sim.spawn('opener', function* () {
      yield* sleep(1);
      const r = yield* open(sim);
      yield* sim.io.NtClose(r.handle!);
    });
    sim.run();
    expect(checkFsInvariants(sim.log)).toEqual([]);
    return sim.log;
  }

  it('names an acknowledgement with no break owed, a waiting open completed before the break was over, and a granted request completed without a break or a switch', () => {
    const log = brokenAndAcknowledged();
    const without = (type: string): Fact[] => log.filter((f) => !(f.type === type && f.type.startsWith('Oplock')));
    const messages = (facts: readonly Fact[]): string[] => checkFsInvariants(facts).map((v) => `${v.invariant}: ${v.message}`);
    expect(messages(without('OplockBreak'))).toContain('24.9 10: O1: FSCTL_REQUEST_OPLOCK acknowledged a break it did not owe');
    expect(messages(without('OplockWaitEnded')).some((m) => /an operation waiting for an oplock break completed before the break was over/.test(m))).toBe(true);
    const unswitched = log.map((f) => (f.type === 'OplockGranted' && f.switched !== undefined ? { ...f, switched: 'D999' } : f));
    expect(messages(unswitched).some((m) => /a granted oplock request completed \(215\) without a break, a cleanup, a cancel or a switch/.test(m))).toBe(true);
  });
});

describe('section creation (§21.8, §24.1)', () => {
  it('a writable section created through another handle breaks RH to none with no acknowledgement (IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION); a read-only one breaks nothing', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const mapper = (yield* open(sim)).handle!;
      const o = overlapped();
      yield* request(sim, h, R | H, o);
      const readOnly = yield* sim.io.CreateFileMappingW(mapper, null, PAGE_READONLY, 0, 0, null);
      seen.push(`read-only section: ${Object.values(sim.state().oplocks).map((x) => `${x.state} ${x.holders[0]!.level}`)}`);
      const writable = yield* sim.io.CreateFileMappingW(mapper, null, PAGE_READWRITE, 0, 0, null);
      seen.push(`writable section: ${yield* outcome(sim, h, o)}`);
      yield* CloseHandle(readOnly!);
      yield* CloseHandle(writable!);
      yield* sim.io.NtClose(mapper);
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual(['read-only section: Granted RH', 'writable section: STATUS_SUCCESS RH→none']);
    expect(sim.state().oplocks).toEqual({});
    finish(sim);
  });
});
