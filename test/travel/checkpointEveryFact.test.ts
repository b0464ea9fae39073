// Time travel with a checkpoint at every fact or every few (docs/time-travel.md "The state at any
// position"): over every kind of scenario — the demo, the random kernel and I/O workloads, io-soak,
// the races (buggy and fixed), the scanner and the module that keeps every facility in flight —
// `Timeline.stateAt(p)` equals `foldLog` of the first p facts at positions visited out of order
// (jumping forward and back, and one step back from each, as the viewer's cursor does).
//
// A checkpoint keeps a frozen version of each changed view, and a jump folds its tail into copies
// of those versions; a fold changes a view at any depth (an array, a record in it, a nested
// record). A copy that shared a nested record with a frozen version made a fold's assignment a
// JavaScript TypeError ("Cannot assign to read only property"): so it was for a transaction's
// pended enlistment (§22.4, pinned in test/scenario/transactions.test.ts), a lock's owners (§18.4)
// and an oplock's holder (§21.8), pinned below as traces; and a checkpoint keeps a new version only
// of the views a fact names or changes unnamed (a delivered message's client port, §17). The long sweep is checkpointEveryFact.deep.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FILE_OPLOCK_BROKEN_TO_LEVEL_2,
  foldLog,
  FSCTL_OPLOCK_BREAK_ACK_NO_2,
  FSCTL_REQUEST_BATCH_OPLOCK,
  ntStatusName,
  sleep,
} from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { Timeline } from '../../src/travel/index.js';
import { startRun } from '../../src/travel/recording.js';
import { budget } from '../support/deep.js';
import { system, open, overlapped, OPLOCK_FACTS } from '../scenario/fs/oplockSupport.js';
import { kinds, registry } from './everyScenario.js';

const json = (x: unknown): string => JSON.stringify(x);

/** The state at each of `positions`, in that order, from one timeline, against a fresh fold of the prefix. */
function expectEveryJumpFolds(timeline: Timeline, positions: readonly number[], where: string): void {
  for (const p of positions) expect(json(timeline.stateAt(p)), `${where}: interval ${timeline.interval}, position ${p}`).toBe(json(foldLog(timeline.log.slice(0, p))));
}

/** Positions jumped to in the given order, each followed by one step back. */
function jumps(length: number, fractions: readonly number[]): number[] {
  return fractions.flatMap((f) => {
    const p = Math.min(length, Math.floor(f * (length + 1)));
    return p > 0 ? [p, p - 1] : [p];
  });
}

describe('Timeline.stateAt with a checkpoint at every fact or every few', () => {
  it('equals foldLog of the prefix at positions visited out of order, over every kind of scenario', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(1, 3),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: budget(5, 30), maxLength: budget(5, 30) }),
        (kind, seed, interval, fractions) => {
          const sim = startRun({ scenario: kind.scenario, args: kind.args, options: { seed, strategy: 'random' } }, registry);
          sim.run();
          expectEveryJumpFolds(Timeline.of(sim.log, interval), [...jumps(sim.log.length, fractions), sim.log.length], `${kind.scenario} ${json(kind.args)} seed ${seed}`);
        },
      ),
      { numRuns: budget(3, 300) },
    );
  });

  it('§18.4: a lock acquired after a checkpoint keeps its owners in the folded view — facilities seed 1, K2 acquired by T5 at #114', () => {
    // Found by the property above: the copy of K2's view shared its `owners` record with the frozen
    // version, so Timeline.of itself stopped at LockAcquire with "Cannot add property T5, object is not extensible".
    const sim = startRun({ scenario: 'facilities', options: { seed: 1, strategy: 'random' } }, registry);
    sim.run();
    const acquire = sim.log[114]!;
    expect(acquire).toMatchObject({ type: 'LockAcquire', object: 'K2', thread: 'T5' });
    const timeline = Timeline.of(sim.log, 1);
    expect(Object.keys(timeline.stateAt(114).locks['K2']!.owners)).not.toContain('T5');
    expect(Object.keys(timeline.stateAt(115).locks['K2']!.owners)).toContain('T5');
    expectEveryJumpFolds(timeline, [115, 0, 114, 200, 115, sim.log.length], 'facilities seed 1');
  });

  it('§17: a message delivered, replied to and returned leaves its client port\'s queues in the checkpoint after it — facilities seed 410260425, M1 on Q1 (#121–#233)', () => {
    // Found by the property above in test:deep: FilterMessageDelivered names only the message (and
    // the get), so the checkpoint after it kept Q1's version from before, with M1 queued and U1
    // pending, at every later position (the fold's changedUnnamed now names the port).
    const sim = startRun({ scenario: 'facilities', options: { seed: 410260425, strategy: 'random' } }, registry);
    sim.run();
    expect(sim.log.filter((f) => f.object === 'M1' || f.type === 'FilterGetMessage').map((f) => `#${f.seq} ${f.object} ${f.type}`)).toEqual([
      '#121 M1 FltSendMessage',
      '#228 Q1 FilterGetMessage',
      '#229 M1 FilterMessageDelivered',
      '#230 M1 FilterReplyMessage',
      '#233 M1 FltSendMessageReturned',
    ]);
    const timeline = Timeline.of(sim.log, 1);
    expect(timeline.stateAt(229).clientPorts['Q1']).toMatchObject({ queued: ['M1'], pendingGets: ['U1'], awaitingReply: [] });
    expect(timeline.stateAt(230).clientPorts['Q1']).toMatchObject({ queued: [], pendingGets: [], awaitingReply: ['M1'] });
    expect(timeline.stateAt(sim.log.length).clientPorts['Q1']).toMatchObject({ queued: [], pendingGets: [], awaitingReply: [] });
    expectEveryJumpFolds(timeline, [sim.log.length, 229, 231, 230, 122, 300], 'facilities seed 410260425');
  });

  it('§21.8: a batch oplock broken to Level 2 with its acknowledgement owed, then acknowledged — the holder record at every position', () => {
    // Found by reading src/projection/fsFold.ts: OplockBreak (acknowledgement owed), OplockAcknowledged
    // and a switching OplockGranted change the holder record in the oplock's `holders` in place.
    const sim = system();
    const seen: string[] = [];
    const o = overlapped();
    sim.spawn('holder', function* () {
      const h = (yield* open(sim, { synchronous: false })).handle!;
      seen.push(`granted: ${ntStatusName(yield* sim.io.DeviceIoControl(h, FSCTL_REQUEST_BATCH_OPLOCK, null, 0, 0, o))}`);
      yield* sim.io.GetOverlappedResult(h, o, true);
      seen.push(`broken: ${o.InternalHigh === FILE_OPLOCK_BROKEN_TO_LEVEL_2 ? 'BROKEN_TO_LEVEL_2' : o.InternalHigh}`);
      yield* sleep(10);
      seen.push(`ack: ${ntStatusName((yield* sim.io.NtFsControlFile(h, FSCTL_OPLOCK_BREAK_ACK_NO_2, null, 0, 0)).status)}`);
      yield* sim.io.NtClose(h);
    });
    sim.spawn('opener', function* () {
      yield* sleep(1);
      yield* sim.io.NtClose((yield* open(sim)).handle!);
    });
    sim.run();
    expect(seen).toEqual(['granted: STATUS_PENDING', 'broken: BROKEN_TO_LEVEL_2', 'ack: STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { types: [...OPLOCK_FACTS] })).toEqual([
      'o1 OplockGranted Batch op=D2 fo=O1',
      'o1 OplockBreak fo=O1 Batch to Level2 by=D3 acknowledgement owed',
      'o1 OplockBreakWait op=D3',
      'o1 OplockAcknowledged fo=O1 FSCTL_OPLOCK_BREAK_ACK_NO_2 op=D4 to None',
      'o1 OplockWaitEnded op=D3 acknowledged',
    ]);
    const broken = sim.log.findIndex((f) => f.type === 'OplockBreak');
    const timeline = Timeline.of(sim.log, 1);
    expect(timeline.stateAt(broken).oplocks['o1']!.holders).toEqual([{ fileObject: 'O1', level: 'Batch', operation: 'D2', breakingTo: null }]);
    expect(timeline.stateAt(broken + 1).oplocks['o1']!.holders).toEqual([{ fileObject: 'O1', level: 'Batch', operation: null, breakingTo: 'Level2' }]);
    // Every position, from the end back to the start.
    expectEveryJumpFolds(timeline, Array.from({ length: sim.log.length + 1 }, (_, k) => sim.log.length - k), 'batch oplock broken to Level 2');
  });
});
