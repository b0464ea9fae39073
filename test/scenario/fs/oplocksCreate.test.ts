// §21.8: what a create meets and asks of oplocks — Batch and Filter broken before the share check
// (a failed check then returns Information FILE_OPBATCH_BREAK_UNDERWAY), Level 1 only after it, the
// Filter oplock broken only by a writable open or one that does not share read; FILE_RESERVE_OPFILTER
// (the three-step Filter oplock procedure) and FILE_OPEN_REQUIRING_OPLOCK (STATUS_CANNOT_BREAK_OPLOCK);
// the exclusive request over the handle's own Level 2 oplocks; FSCTL_OPBATCH_ACK_CLOSE_PENDING for
// Level 1. Each test pins what the applications saw and the oplock facts.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  encodeRequestOplockInputBuffer,
  FILE_COMPLETE_IF_OPLOCKED,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPBATCH_BREAK_UNDERWAY,
  FILE_OPEN_REQUIRING_OPLOCK,
  FILE_OPLOCK_BROKEN_TO_NONE,
  FILE_READ_ATTRIBUTES,
  FILE_READ_DATA,
  FILE_RESERVE_OPFILTER,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  foldLog,
  FSCTL_OPBATCH_ACK_CLOSE_PENDING,
  FSCTL_OPLOCK_BREAK_ACK_NO_2,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_FILTER_OPLOCK,
  FSCTL_REQUEST_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
  FSCTL_REQUEST_OPLOCK_LEVEL_2,
  ntStatusName,
  OPLOCK_LEVEL_CACHE_HANDLE,
  OPLOCK_LEVEL_CACHE_READ,
  REQUEST_OPLOCK_INPUT_FLAG_REQUEST,
  REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE,
  sleep,
  STATUS_PENDING,
  type Blocking,
  type OVERLAPPED,
  type Simulation,
} from '../../../src/index.js';
import { compactTrace } from '../../../src/testing/index.js';
import { system, open, overlapped, finish, OPLOCK_FACTS } from './oplockSupport.js';

const ALL_SHARE = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
const name = ntStatusName;

function* legacy(sim: Simulation, handle: string, code: number, o: OVERLAPPED): Blocking<string> {
  return name(yield* sim.io.DeviceIoControl(handle, code, null, 0, 0, o));
}

function* brokenTo(sim: Simulation, handle: string, o: OVERLAPPED): Blocking<string> {
  const r = yield* sim.io.GetOverlappedResult(handle, o, true);
  return `${name(r.status)} ${r.information === FILE_OPLOCK_BROKEN_TO_NONE ? 'BROKEN_TO_NONE' : r.information === 7 ? 'BROKEN_TO_LEVEL_2' : r.information}`;
}

const info = (n: number): string => (n === FILE_OPBATCH_BREAK_UNDERWAY ? 'FILE_OPBATCH_BREAK_UNDERWAY' : String(n));

describe('a create and the share check (§21.8)', () => {
  it('Batch is broken before the share check: a FILE_COMPLETE_IF_OPLOCKED open that violates sharing fails with Information FILE_OPBATCH_BREAK_UNDERWAY, the break under way', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      // The holder shares read and write, not delete: an open asking DELETE violates sharing.
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      seen.push(`batch: ${yield* legacy(sim, h, FSCTL_REQUEST_BATCH_OPLOCK, o)}`);
      const r = yield* open(sim, { access: FILE_GENERIC_READ | 0x00010000, share: ALL_SHARE, createOptions: FILE_COMPLETE_IF_OPLOCKED });
      seen.push(`open asking DELETE: ${name(r.status)} ${info(r.information)}`);
      seen.push(`batch request: ${yield* brokenTo(sim, h, o)}`);
      seen.push(`ack: ${name((yield* sim.io.NtFsControlFile(h, FSCTL_OPLOCK_BREAK_ACK_NO_2, null, 0, 0)).status)}`);
      const again = yield* open(sim, { access: FILE_GENERIC_READ | 0x00010000, share: ALL_SHARE, createOptions: FILE_COMPLETE_IF_OPLOCKED });
      seen.push(`again, no oplock left: ${name(again.status)} ${info(again.information)}`);
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual([
      'batch: STATUS_PENDING',
      'open asking DELETE: STATUS_SHARING_VIOLATION FILE_OPBATCH_BREAK_UNDERWAY',
      'batch request: STATUS_SUCCESS BROKEN_TO_LEVEL_2',
      'ack: STATUS_SUCCESS',
      'again, no oplock left: STATUS_SHARING_VIOLATION 0',
    ]);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted Batch op=D2 fo=O1',
      'o1 OplockBreak fo=O1 Batch to Level2 by=D3 acknowledgement owed',
      'o1 OplockAcknowledged fo=O1 FSCTL_OPLOCK_BREAK_ACK_NO_2 op=D4 to None',
    ]);
    finish(sim);
  });

  it('Level 1 is looked at after the share check: an open that violates sharing breaks nothing and fails at once', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      seen.push(`level 1: ${yield* legacy(sim, h, FSCTL_REQUEST_OPLOCK_LEVEL_1, o)}`);
      const r = yield* open(sim, { access: FILE_GENERIC_READ | 0x00010000, share: ALL_SHARE });
      seen.push(`open asking DELETE: ${name(r.status)} ${info(r.information)}`);
      seen.push(...Object.values(sim.state().oplocks).map((x) => `${x.state} ${x.holders.map((h2) => `${h2.fileObject}:${h2.level}`).join()}`));
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual(['level 1: STATUS_PENDING', 'open asking DELETE: STATUS_SHARING_VIOLATION 0', 'Granted O1:Level1']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual(['o1 OplockGranted Level1 op=D2 fo=O1', 'o1 OplockReleased fo=O1 cleanup']);
    finish(sim);
  });

  it('a Filter oplock: an open for read that shares read leaves it; one asking write breaks it to none and waits for the acknowledgement', () => {
    const sim = system();
    const seen: string[] = [];
    const o = overlapped();
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false, share: ALL_SHARE })).handle!;
      seen.push(`filter: ${yield* legacy(sim, h, FSCTL_REQUEST_FILTER_OPLOCK, o)}`);
      const reader = yield* open(sim, { access: FILE_GENERIC_READ, share: ALL_SHARE });
      seen.push(`open for read: ${name(reader.status)}; oplocks ${Object.values(sim.state().oplocks).map((x) => x.state).join()}`);
      yield* sim.io.NtClose(reader.handle!);
      seen.push(`filter request: ${yield* brokenTo(sim, h, o)}`);
      yield* sleep(5);
      seen.push('holder closes');
      yield* sim.io.NtClose(h);
    });
    sim.spawn('writer', function* () {
      yield* sleep(1);
      const w = yield* open(sim, { share: ALL_SHARE });
      seen.push(`open for write: ${name(w.status)}`);
      yield* sim.io.NtClose(w.handle!);
    });
    sim.run();
    expect(seen).toEqual(['filter: STATUS_PENDING', 'open for read: STATUS_SUCCESS; oplocks Granted', 'filter request: STATUS_SUCCESS BROKEN_TO_NONE', 'holder closes', 'open for write: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted Filter op=D2 fo=O1',
      'o1 OplockBreak fo=O1 Filter to None by=D6 acknowledgement owed',
      'o1 OplockBreakWait op=D6',
      'o1 OplockReleased fo=O1 cleanup',
      'o1 OplockWaitEnded op=D6 closed',
    ]);
    finish(sim);
  });
});

describe('semantics.filterOplockCreateBreak (§21.8, §13 A18)', () => {
  it("'writableAndNoShareRead': an open asking write but sharing read leaves the Filter oplock; one that also shares no read breaks it", () => {
    const sim = createSimulation({ onViolation: 'record', semantics: { filterOplockCreateBreak: 'writableAndNoShareRead' } });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
    sim.run();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const h = (yield* open(sim, { synchronous: false, access: FILE_READ_ATTRIBUTES, share: ALL_SHARE })).handle!;
      const o = overlapped();
      seen.push(`filter: ${yield* legacy(sim, h, FSCTL_REQUEST_FILTER_OPLOCK, o)}`);
      const w = yield* open(sim, { access: FILE_GENERIC_WRITE, share: ALL_SHARE });
      seen.push(`write sharing read: ${name(w.status)}; oplocks ${Object.values(sim.state().oplocks).map((x) => x.state).join()}`);
      yield* sim.io.NtClose(w.handle!);
      const x = yield* open(sim, { access: FILE_GENERIC_WRITE, share: FILE_SHARE_WRITE | FILE_SHARE_DELETE, createOptions: FILE_COMPLETE_IF_OPLOCKED });
      seen.push(`write sharing no read: ${name(x.status)}`);
      seen.push(`filter request: ${yield* brokenTo(sim, h, o)}`);
      yield* sim.io.NtClose(x.handle!);
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual(['filter: STATUS_PENDING', 'write sharing read: STATUS_SUCCESS; oplocks Granted', 'write sharing no read: STATUS_OPLOCK_BREAK_IN_PROGRESS', 'filter request: STATUS_SUCCESS BROKEN_TO_NONE']);
    finish(sim);
  });
});

describe('FILE_RESERVE_OPFILTER (§21.8)', () => {
  it('the three steps: an attributes-only open sharing everything, the Filter oplock on it, a second open to read; a writer breaks the oplock and gets in once the holder closes', () => {
    const sim = system();
    const seen: string[] = [];
    const o = overlapped();
    sim.spawn('holder', function* () {
      const step1 = yield* open(sim, { synchronous: false, access: FILE_READ_ATTRIBUTES, share: ALL_SHARE, createOptions: FILE_RESERVE_OPFILTER });
      seen.push(`step 1: ${name(step1.status)}`);
      seen.push(`step 2: ${yield* legacy(sim, step1.handle!, FSCTL_REQUEST_FILTER_OPLOCK, o)}`);
      const step3 = yield* open(sim, { access: FILE_GENERIC_READ, share: ALL_SHARE });
      seen.push(`step 3: ${name(step3.status)}`);
      seen.push(`read: ${name((yield* sim.io.NtReadFile(step3.handle!, 4, 0)).status)}`);
      seen.push(`filter request: ${yield* brokenTo(sim, step1.handle!, o)}`);
      seen.push('holder backs out');
      yield* sim.io.NtClose(step3.handle!);
      yield* sim.io.NtClose(step1.handle!);
    });
    sim.spawn('writer', function* () {
      yield* sleep(1);
      const w = yield* open(sim, { access: FILE_GENERIC_WRITE, share: FILE_SHARE_READ });
      seen.push(`writer: ${name(w.status)}`);
      yield* sim.io.NtClose(w.handle!);
    });
    sim.run();
    expect(seen).toEqual(['step 1: STATUS_SUCCESS', 'step 2: STATUS_PENDING', 'step 3: STATUS_SUCCESS', 'read: STATUS_SUCCESS', 'filter request: STATUS_SUCCESS BROKEN_TO_NONE', 'holder backs out', 'writer: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted Filter op=D2 fo=O1',
      'o1 OplockBreak fo=O1 Filter to None by=D5 acknowledgement owed',
      'o1 OplockBreakWait op=D5',
      'o1 OplockReleased fo=O1 cleanup',
      'o1 OplockWaitEnded op=D5 closed',
    ]);
    finish(sim);
  });

  it('STATUS_OPLOCK_NOT_GRANTED for an open asking more than FILE_READ_ATTRIBUTES, sharing less than everything, or while another handle is open; the file is not opened', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const reserve = (access: number, share: number): Blocking<{ handle: string | null; status: number; information: number }> => open(sim, { synchronous: false, access, share, createOptions: FILE_RESERVE_OPFILTER });
      seen.push(`asking read data too: ${name((yield* reserve(FILE_READ_ATTRIBUTES | FILE_READ_DATA, ALL_SHARE)).status)}`);
      seen.push(`not sharing delete: ${name((yield* reserve(FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE)).status)}`);
      const other = (yield* open(sim, { access: FILE_GENERIC_READ, share: ALL_SHARE })).handle!;
      seen.push(`another handle open: ${name((yield* reserve(FILE_READ_ATTRIBUTES, ALL_SHARE)).status)}`);
      seen.push(`handles on the file: ${Object.values(sim.state().fileObjects).filter((f) => f.state !== 'Closed').length}`);
      yield* sim.io.NtClose(other);
    });
    sim.run();
    expect(seen).toEqual([
      'asking read data too: STATUS_OPLOCK_NOT_GRANTED',
      'not sharing delete: STATUS_OPLOCK_NOT_GRANTED',
      'another handle open: STATUS_OPLOCK_NOT_GRANTED',
      'handles on the file: 1',
    ]);
    finish(sim);
  });
});

describe('FILE_OPEN_REQUIRING_OPLOCK (§21.8)', () => {
  it('an open that would break an oplock fails with STATUS_CANNOT_BREAK_OPLOCK and breaks nothing; one that breaks nothing opens and gets its oplock', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = (yield* open(sim, { synchronous: false, access: FILE_GENERIC_READ, share: ALL_SHARE })).handle!;
      const ra = overlapped();
      const requestR = encodeRequestOplockInputBuffer(OPLOCK_LEVEL_CACHE_READ, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
      seen.push(`R for A: ${name(yield* sim.io.DeviceIoControl(a, FSCTL_REQUEST_OPLOCK, requestR, 12, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE, ra))}`);
      const overwrite = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_WRITE, ShareAccess: ALL_SHARE, CreateDisposition: 4 /* FILE_OVERWRITE */, CreateOptions: FILE_OPEN_REQUIRING_OPLOCK });
      seen.push(`overwrite requiring an oplock: ${name(overwrite.status)}`);
      const b = yield* open(sim, { synchronous: false, access: FILE_GENERIC_READ, share: ALL_SHARE, createOptions: FILE_OPEN_REQUIRING_OPLOCK });
      seen.push(`read open requiring an oplock: ${name(b.status)}`);
      seen.push(`R for B: ${name(yield* sim.io.DeviceIoControl(b.handle!, FSCTL_REQUEST_OPLOCK, requestR, 12, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE, overlapped()))}`);
      seen.push(...Object.values(sim.state().oplocks).map((x) => `${x.state} ${x.holders.map((h) => `${h.fileObject}:${h.level}`).join()}`));
      yield* sim.io.NtClose(b.handle!);
      yield* sim.io.NtClose(a);
    });
    sim.run();
    expect(seen).toEqual([
      'R for A: STATUS_PENDING',
      'overwrite requiring an oplock: STATUS_CANNOT_BREAK_OPLOCK',
      'read open requiring an oplock: STATUS_SUCCESS',
      'R for B: STATUS_PENDING',
      'Granted O1:R,O3:R',
    ]);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted R op=D2 fo=O1',
      'o1 OplockGranted R op=D5 fo=O3',
      'o1 OplockReleased fo=O3 cleanup',
      'o1 OplockReleased fo=O1 cleanup',
    ]);
    finish(sim);
  });
});

describe('FILE_OPEN_REQUIRING_OPLOCK: the open and its oplock are one request (§21.8)', () => {
  it('other opens wait until the handle is granted its oplock, then meet it: an open that would violate sharing breaks RH to R and waits for the holder', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const a = yield* open(sim, { synchronous: false, access: FILE_GENERIC_READ, share: FILE_SHARE_READ, createOptions: FILE_OPEN_REQUIRING_OPLOCK });
      seen.push(`open requiring an oplock: ${name(a.status)}`);
      yield* sleep(5);
      const o = overlapped();
      const rh = encodeRequestOplockInputBuffer(OPLOCK_LEVEL_CACHE_READ | OPLOCK_LEVEL_CACHE_HANDLE, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
      seen.push(`RH: ${name(yield* sim.io.DeviceIoControl(a.handle!, FSCTL_REQUEST_OPLOCK, rh, 12, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE, o))}`);
      yield* sim.io.GetOverlappedResult(a.handle!, o, true);
      seen.push('RH broken; holder closes');
      yield* sim.io.NtClose(a.handle!);
    });
    sim.spawn('writer', function* () {
      yield* sleep(1);
      const w = yield* open(sim, { access: FILE_GENERIC_WRITE, share: ALL_SHARE });
      seen.push(`writer: ${name(w.status)}`);
      if (w.handle !== null) yield* sim.io.NtClose(w.handle);
    });
    sim.runUntil(3);
    const waiting = sim.state();
    expect(Object.values(waiting.oplocks).map((x) => `${x.state} atomicRequest=${x.atomicRequest} waiters=${x.waiters.join()}`)).toEqual(['NoOplock atomicRequest=O1 waiters=D2']);
    expect(foldLog(sim.log)).toEqual(waiting);
    sim.run();
    expect(seen).toEqual(['open requiring an oplock: STATUS_SUCCESS', 'RH: STATUS_PENDING', 'RH broken; holder closes', 'writer: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS, 'OplockAtomicRequest', 'OplockAtomicRequestEnded'] })).toEqual([
      'o1 OplockAtomicRequest op=D1 fo=O1',
      'o1 OplockBreakWait op=D2',
      'o1 OplockGranted RH op=D3 fo=O1',
      'o1 OplockAtomicRequestEnded fo=O1 granted',
      'o1 OplockWaitEnded op=D2 granted',
      'o1 OplockBreak fo=O1 RH to R by=D2 acknowledgement owed',
      'o1 OplockBreakWait op=D2',
      'o1 OplockReleased fo=O1 cleanup',
      'o1 OplockWaitEnded op=D2 closed',
    ]);
    finish(sim);
  });

  it('a handle that gets no oplock (a synchronous one) keeps the others waiting until it closes', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const a = yield* open(sim, { access: FILE_GENERIC_READ, share: ALL_SHARE, createOptions: FILE_OPEN_REQUIRING_OPLOCK });
      seen.push(`open requiring an oplock: ${name(a.status)}`);
      yield* sleep(5);
      seen.push(`level 2 on a synchronous handle: ${name((yield* sim.io.NtFsControlFile(a.handle!, FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0)).status)}`);
      yield* sleep(5);
      seen.push('holder closes');
      yield* sim.io.NtClose(a.handle!);
    });
    sim.spawn('reader', function* () {
      yield* sleep(1);
      const r = yield* open(sim, { access: FILE_GENERIC_READ, share: ALL_SHARE });
      seen.push(`reader: ${name(r.status)}`);
      if (r.handle !== null) yield* sim.io.NtClose(r.handle);
    });
    sim.run();
    expect(seen).toEqual(['open requiring an oplock: STATUS_SUCCESS', 'level 2 on a synchronous handle: STATUS_OPLOCK_NOT_GRANTED', 'holder closes', 'reader: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS, 'OplockAtomicRequest', 'OplockAtomicRequestEnded'] })).toEqual([
      'o1 OplockAtomicRequest op=D1 fo=O1',
      'o1 OplockBreakWait op=D2',
      'o1 OplockAtomicRequestEnded fo=O1 cleanup',
      'o1 OplockWaitEnded op=D2 closed',
    ]);
    finish(sim);
  });
});

describe('legacy requests and acknowledgements (§21.8)', () => {
  it('an exclusive request on the only handle holding Level 2 oplocks: they are broken to none, then the exclusive one is granted; with another handle open it is not granted', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const l2a = overlapped();
      const l2b = overlapped();
      seen.push(`level 2: ${yield* legacy(sim, h, FSCTL_REQUEST_OPLOCK_LEVEL_2, l2a)}`);
      seen.push(`level 2 again: ${yield* legacy(sim, h, FSCTL_REQUEST_OPLOCK_LEVEL_2, l2b)}`);
      const batch = overlapped();
      seen.push(`batch: ${yield* legacy(sim, h, FSCTL_REQUEST_BATCH_OPLOCK, batch)}`);
      seen.push(`level 2 requests: ${yield* brokenTo(sim, h, l2a)}, ${yield* brokenTo(sim, h, l2b)}`);
      seen.push(...Object.values(sim.state().oplocks).map((x) => `${x.state} ${x.holders.map((h2) => `${h2.fileObject}:${h2.level}`).join()}`));
      yield* sim.io.NtClose(h);
      const a = (yield* open(sim, { synchronous: false })).handle!;
      const b = (yield* open(sim, { synchronous: false })).handle!;
      yield* legacy(sim, b, FSCTL_REQUEST_OPLOCK_LEVEL_2, overlapped());
      seen.push(`level 1 with Level 2 on another handle: ${yield* legacy(sim, a, FSCTL_REQUEST_OPLOCK_LEVEL_1, overlapped())}`);
      yield* sim.io.NtClose(a);
      yield* sim.io.NtClose(b);
    });
    sim.run();
    expect(seen).toEqual([
      'level 2: STATUS_PENDING',
      'level 2 again: STATUS_PENDING',
      'batch: STATUS_PENDING',
      'level 2 requests: STATUS_SUCCESS BROKEN_TO_NONE, STATUS_SUCCESS BROKEN_TO_NONE',
      'Granted O1:Batch',
      'level 1 with Level 2 on another handle: STATUS_OPLOCK_NOT_GRANTED',
    ]);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] }).slice(0, 5)).toEqual([
      'o1 OplockGranted Level2 op=D2 fo=O1',
      'o1 OplockGranted Level2 op=D3 fo=O1',
      'o1 OplockBreak fo=O1 Level2 to None by=D4',
      'o1 OplockBreak fo=O1 Level2 to None by=D4',
      'o2 OplockGranted Batch op=D4 fo=O1',
    ]);
    finish(sim);
  });

  it('FSCTL_OPBATCH_ACK_CLOSE_PENDING on a Level 1 break is a complete acknowledgement: the oplock is given up and the waiting open goes on at once', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* legacy(sim, h, FSCTL_REQUEST_OPLOCK_LEVEL_1, o);
      seen.push(`level 1 request: ${yield* brokenTo(sim, h, o)}`);
      seen.push(`close pending: ${name((yield* sim.io.NtFsControlFile(h, FSCTL_OPBATCH_ACK_CLOSE_PENDING, null, 0, 0)).status)}`);
      yield* sleep(10);
      seen.push('holder closes');
      yield* sim.io.NtClose(h);
    });
    sim.spawn('opener', function* () {
      yield* sleep(1);
      const r = yield* open(sim);
      seen.push(`second open: ${name(r.status)}`);
      yield* sim.io.NtClose(r.handle!);
    });
    sim.run();
    expect(seen).toEqual(['level 1 request: STATUS_SUCCESS BROKEN_TO_LEVEL_2', 'close pending: STATUS_SUCCESS', 'second open: STATUS_SUCCESS', 'holder closes']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted Level1 op=D2 fo=O1',
      'o1 OplockBreak fo=O1 Level1 to Level2 by=D3 acknowledgement owed',
      'o1 OplockBreakWait op=D3',
      'o1 OplockAcknowledged fo=O1 FSCTL_OPBATCH_ACK_CLOSE_PENDING op=D4 to None',
      'o1 OplockWaitEnded op=D3 acknowledged',
    ]);
    finish(sim);
  });
});
