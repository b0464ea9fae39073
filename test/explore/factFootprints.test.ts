// Step footprints for partial-order reduction (docs/exploration.md, "Independence"): a fact writes
// every object the fold changes for it, also those it does not name. The fold lists the unnamed ones
// in `changedUnnamed` (a declined instance leaves its filter's list; a delivered, replied or withdrawn
// message leaves its client port's queues); FactFootprints must write each, or DPOR would take two
// steps that touch the same port or filter for independent and skip one of their orders.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budget } from '../support/deep.js';
import { checkFsAgainstBruteForce, fsPrograms, reachFs } from './reducedFsRun.js';
import { FactFootprints } from '../../src/kernel/factFootprint.js';
import { changedUnnamed } from '../../src/projection/fold.js';
import type { Fact } from '../../src/kernel/facts.js';

const fact = (seq: number, object: string, body: Record<string, unknown>): Fact => ({ seq, time: 0, object, ...body }) as unknown as Fact;

function writesOf(footprints: FactFootprints, f: Fact): string[] {
  const writes: string[] = [];
  footprints.record(f, { read: () => {}, write: (id) => writes.push(id) });
  return writes;
}

describe('footprints write what the fold changes without naming it', () => {
  const state = { instances: { I1: { filter: 'F1' } }, messages: { M1: { port: 'Q1' } } } as unknown as Parameters<typeof changedUnnamed>[0];

  it('a declined instance (InstanceSetupReturned) writes its filter', () => {
    const footprints = new FactFootprints();
    footprints.learn(fact(1, 'I1', { type: 'InstanceSetup', filter: 'F1', volume: 'V1' }));
    const returned = fact(2, 'I1', { type: 'InstanceSetupReturned', status: 0 });
    expect(changedUnnamed(state, returned)).toBe('F1');
    expect(writesOf(footprints, returned)).toContain('F1');
  });

  it.each([
    ['FilterMessageDelivered', { get: 'G1' }],
    ['FilterReplyMessage', { length: 0, status: 0 }],
    ['FilterMessageWithdrawn', { reason: 'timeout' }],
  ])('%s of M1 writes its client port Q1 (§17: the port queues the message)', (type, body) => {
    const footprints = new FactFootprints();
    footprints.learn(fact(1, 'M1', { type: 'FltSendMessage', filter: 'F1', port: 'Q1', thread: 'T2', senderLength: 8, replyLength: null, until: null }));
    const f = fact(2, 'M1', { type, ...body });
    expect(changedUnnamed(state, f)).toBe('Q1');
    expect(writesOf(footprints, f)).toContain('Q1');
  });
});

// A request confined to one file (an open of an existing file, a read, a write within its end, a
// cleanup that deletes nothing, a close) touches that file's footprint and reads the volume's own
// part; a create, a delete, an extending write touch the whole volume (src/fs/fileFootprint.ts).
// Reduced search must still reach every final state brute force reaches (§21: contents, names,
// what each thread's requests returned).
describe('the file system is one footprint per file where a request is confined to one file', () => {
  it('random threads opening, reading, writing, extending, creating and deleting files in two directories', () => {
    fc.assert(fc.property(fsPrograms(budget(1, 2)), (p) => void checkFsAgainstBruteForce(p)), { numRuns: budget(2, 60) });
  });

  // 2 of 20 (the whole volume as one footprint ran all 20): whichever thread opens first makes the
  // volume's first operation (VolumeFirstOperation, §3); their files' requests commute.
  it('two threads writing different files in one directory: two orders, one per first opener', () => {
    const r = checkFsAgainstBruteForce([[{ kind: 'write', path: 0 }], [{ kind: 'write', path: 1 }]]);
    expect(r).toEqual({ brute: 20, dpor: 2 });
  });

  it('two threads writing the same file: every order of their requests, and both contents reached', () => {
    const dpor = reachFs([[{ kind: 'write', path: 0 }], [{ kind: 'write', path: 0 }]], 'dpor');
    expect(dpor.schedules).toBe(20);
    expect([...dpor.finals].map((f) => f.split(',')[0]).sort()).toEqual(['a0', 'b0']);
  });
});
