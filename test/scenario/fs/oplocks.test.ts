// §21.8: legacy oplocks as the file system grants and breaks them. A granted oplock is its FSCTL
// request, parked; a conflicting create breaks it and waits for the acknowledgement (or goes on with
// FILE_COMPLETE_IF_OPLOCKED → STATUS_OPLOCK_BREAK_IN_PROGRESS); a write by another handle breaks
// Level 2; the holder's cleanup ends it. Each test pins the oplock facts.
import { describe, expect, it } from 'vitest';
import {
  FILE_COMPLETE_IF_OPLOCKED,
  FILE_OPLOCK_BROKEN_TO_LEVEL_2,
  FILE_OPLOCK_BROKEN_TO_NONE,
  foldLog,
  FSCTL_OPBATCH_ACK_CLOSE_PENDING,
  FSCTL_OPLOCK_BREAK_ACK_NO_2,
  FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_FILTER_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_2,
  ntStatusName,
  sleep,
  STATUS_PENDING,
} from '../../../src/index.js';
import { compactTrace } from '../../../src/testing/index.js';
import { system, open, overlapped, OPLOCK_FACTS } from './oplockSupport.js';

const name = ntStatusName;

describe('granting (§21.8)', () => {
  it('an exclusive oplock goes only to the only open handle; Level 2 to several; an acknowledgement with no break owed is STATUS_INVALID_OPLOCK_PROTOCOL', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const a = (yield* open(sim, { synchronous: false })).handle!;
      const b = (yield* open(sim, { synchronous: false })).handle!;
      seen.push(`batch with two handles: ${name(yield* sim.io.DeviceIoControl(a, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0, overlapped()))}`);
      const oa = overlapped();
      const ob = overlapped();
      seen.push(`level 2 for A: ${name(yield* sim.io.DeviceIoControl(a, FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0, oa))}`);
      seen.push(`level 2 for B: ${name(yield* sim.io.DeviceIoControl(b, FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0, ob))}`);
      seen.push(`ack without a break: ${name((yield* sim.io.NtFsControlFile(a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE, null, 0, 0)).status)}`);
      const holders = Object.values(sim.state().oplocks).map((o) => `${o.state} ${o.holders.map((h) => `${h.fileObject}:${h.level}`).join(',')}`);
      seen.push(...holders);
      yield* sim.io.NtClose(a);
      yield* sim.io.NtClose(b);
      seen.push(`A's request at its cleanup: ${name((yield* sim.io.GetOverlappedResult(a, oa, true)).status)} ${oa.InternalHigh === FILE_OPLOCK_BROKEN_TO_NONE ? 'BROKEN_TO_NONE' : oa.InternalHigh}`);
    });
    sim.run();
    expect(seen).toEqual([
      'batch with two handles: STATUS_OPLOCK_NOT_GRANTED',
      'level 2 for A: STATUS_PENDING',
      'level 2 for B: STATUS_PENDING',
      'ack without a break: STATUS_INVALID_OPLOCK_PROTOCOL',
      'Granted O1:Level2,O2:Level2',
      "A's request at its cleanup: STATUS_SUCCESS BROKEN_TO_NONE",
    ]);
    expect(sim.state().oplocks).toEqual({});
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});

describe('breaking (§21.8)', () => {
  it('a batch oplock: a second open breaks it to Level 2 and waits; FSCTL_OPLOCK_BREAK_ACK_NO_2 lets the open go on; fold equals live while it waits', () => {
    const sim = system();
    const seen: string[] = [];
    const o = overlapped();
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      seen.push(`granted: ${name(yield* sim.io.DeviceIoControl(h, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0, o))}`);
      yield* sim.io.GetOverlappedResult(h, o, true);
      seen.push(`broken: ${name(o.Internal)} ${o.InternalHigh === FILE_OPLOCK_BROKEN_TO_LEVEL_2 ? 'BROKEN_TO_LEVEL_2' : o.InternalHigh}`);
      yield* sleep(10);
      seen.push(`ack: ${name((yield* sim.io.NtFsControlFile(h, FSCTL_OPLOCK_BREAK_ACK_NO_2, null, 0, 0)).status)}`);
      yield* sim.io.NtClose(h);
    });
    sim.spawn('opener', function* () {
      yield* sleep(1);
      const r = yield* open(sim);
      seen.push(`second open: ${name(r.status)}`);
      yield* sim.io.NtClose(r.handle!);
    });
    sim.runUntil(5);
    const waiting = sim.state();
    expect(Object.values(waiting.oplocks).map((x) => `${x.state} breakingTo=${x.holders[0]!.breakingTo} waiters=${x.waiters.length}`)).toEqual(['Breaking breakingTo=Level2 waiters=1']);
    expect(foldLog(sim.log)).toEqual(waiting);
    sim.run();
    expect(seen).toEqual(['granted: STATUS_PENDING', 'broken: STATUS_SUCCESS BROKEN_TO_LEVEL_2', 'ack: STATUS_SUCCESS', 'second open: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted Batch op=D2 fo=O1',
      'o1 OplockBreak fo=O1 Batch to Level2 by=D3 acknowledgement owed',
      'o1 OplockBreakWait op=D3',
      'o1 OplockAcknowledged fo=O1 FSCTL_OPLOCK_BREAK_ACK_NO_2 op=D4 to None',
      'o1 OplockWaitEnded op=D3 acknowledged',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('FILE_COMPLETE_IF_OPLOCKED: the open breaks the oplock and succeeds at once with STATUS_OPLOCK_BREAK_IN_PROGRESS', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* sim.io.DeviceIoControl(h, FSCTL_REQUEST_FILTER_OPLOCK, null, 0, 0, o);
      const r = yield* open(sim, { createOptions: FILE_COMPLETE_IF_OPLOCKED });
      seen.push(`open: ${name(r.status)}`);
      seen.push(`oplock request: ${name((yield* sim.io.GetOverlappedResult(h, o, true)).status)} ${o.InternalHigh === FILE_OPLOCK_BROKEN_TO_NONE ? 'BROKEN_TO_NONE' : o.InternalHigh}`);
      yield* sim.io.NtClose(r.handle!);
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual(['open: STATUS_OPLOCK_BREAK_IN_PROGRESS', 'oplock request: STATUS_SUCCESS BROKEN_TO_NONE']);
  });

  it('FSCTL_OPBATCH_ACK_CLOSE_PENDING on a Batch break: the waiting open goes on only at the holder\'s cleanup', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* sim.io.DeviceIoControl(h, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0, o);
      yield* sim.io.GetOverlappedResult(h, o, true);
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
    expect(seen).toEqual(['close pending: STATUS_SUCCESS', 'holder closes', 'second open: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] }).slice(-3)).toEqual([
      'o1 OplockAcknowledged fo=O1 FSCTL_OPBATCH_ACK_CLOSE_PENDING op=D4 to ClosePending',
      'o1 OplockReleased fo=O1 cleanup',
      'o1 OplockWaitEnded op=D3 closed',
    ]);
  });

  it('a close-pending Batch oplock takes no further acknowledgement (STATUS_INVALID_OPLOCK_PROTOCOL) and sends no further break: a write by another handle waits for the close', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* sim.io.DeviceIoControl(h, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0, o);
      yield* sim.io.GetOverlappedResult(h, o, true);
      seen.push(`broken: ${o.InternalHigh === FILE_OPLOCK_BROKEN_TO_LEVEL_2 ? 'BROKEN_TO_LEVEL_2' : o.InternalHigh}`);
      seen.push(`close pending: ${name((yield* sim.io.NtFsControlFile(h, FSCTL_OPBATCH_ACK_CLOSE_PENDING, null, 0, 0)).status)}`);
      seen.push(`oplock: ${Object.values(sim.state().oplocks).map((v) => v.state).join(',')}`);
      seen.push(`ack again: ${name((yield* sim.io.NtFsControlFile(h, FSCTL_OPLOCK_BREAK_ACK_NO_2, null, 0, 0)).status)}`);
      yield* sleep(10);
      seen.push('holder closes');
      yield* sim.io.NtClose(h);
    });
    sim.spawn('writer', function* () {
      yield* sleep(1);
      const r = yield* open(sim, { createOptions: FILE_COMPLETE_IF_OPLOCKED });
      seen.push(`open: ${name(r.status)}`);
      yield* sleep(2);
      seen.push(`write: ${name((yield* sim.io.NtWriteFile(r.handle!, 'x', 0)).status)}`);
      yield* sim.io.NtClose(r.handle!);
    });
    sim.run();
    expect(seen).toEqual([
      'open: STATUS_OPLOCK_BREAK_IN_PROGRESS',
      'broken: BROKEN_TO_LEVEL_2',
      'close pending: STATUS_SUCCESS',
      'oplock: ClosePending',
      'ack again: STATUS_INVALID_OPLOCK_PROTOCOL',
      'holder closes',
      'write: STATUS_SUCCESS',
    ]);
    // No OplockBreak to none for the write: the holder's break was over; the write waits for its cleanup.
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted Batch op=D2 fo=O1',
      'o1 OplockBreak fo=O1 Batch to Level2 by=D3 acknowledgement owed',
      'o1 OplockAcknowledged fo=O1 FSCTL_OPBATCH_ACK_CLOSE_PENDING op=D4 to ClosePending',
      'o1 OplockBreakWait op=D6',
      'o1 OplockReleased fo=O1 cleanup',
      'o1 OplockWaitEnded op=D6 closed',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('FSCTL_OPLOCK_BREAK_ACKNOWLEDGE to Level 2 parks the acknowledgement as the Level 2 oplock; a write by another handle breaks it to none', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* sim.io.DeviceIoControl(h, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0, o);
      const second = (yield* open(sim, { createOptions: FILE_COMPLETE_IF_OPLOCKED })).handle!;
      yield* sim.io.GetOverlappedResult(h, o, true);
      const ack = overlapped();
      seen.push(`ack: ${name(yield* sim.io.DeviceIoControl(h, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE, null, 0, 0, ack))}`);
      seen.push(...Object.values(sim.state().oplocks).map((x) => `${x.state} ${x.holders.map((h2) => h2.level).join()}`));
      seen.push(`write: ${name((yield* sim.io.NtWriteFile(second, 'x', 0)).status)}`);
      seen.push(`level 2 broken: ${name((yield* sim.io.GetOverlappedResult(h, ack, true)).status)} ${ack.InternalHigh === FILE_OPLOCK_BROKEN_TO_NONE ? 'BROKEN_TO_NONE' : ack.InternalHigh}`);
      yield* sim.io.NtClose(second);
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual(['ack: STATUS_PENDING', 'Granted Level2', 'write: STATUS_SUCCESS', 'level 2 broken: STATUS_SUCCESS BROKEN_TO_NONE']);
    expect(sim.state().oplocks).toEqual({});
  });

  it('CancelIoEx on a granted oplock request: STATUS_CANCELLED, the oplock is gone', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      const o = overlapped();
      yield* sim.io.DeviceIoControl(h, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0, o);
      yield* sim.io.CancelIoEx(h, o);
      seen.push(name((yield* sim.io.GetOverlappedResult(h, o, true)).status));
      seen.push(`oplocks: ${Object.keys(sim.state().oplocks).length}`);
      const r = yield* open(sim);
      seen.push(`open: ${name(r.status)}`);
      yield* sim.io.NtClose(r.handle!);
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual(['STATUS_CANCELLED', 'oplocks: 0', 'open: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual(['o1 OplockGranted Batch op=D2 fo=O1', 'o1 OplockReleased fo=O1 cancel']);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});
