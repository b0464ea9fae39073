// Step footprints for partial-order reduction (docs/exploration.md, "Independence"): a fact writes
// every object the fold changes for it, also those it does not name. The fold lists the unnamed ones
// in `changedUnnamed` (a declined instance leaves its filter's list; a delivered, replied or withdrawn
// message leaves its client port's queues); FactFootprints must write each, or DPOR would take two
// steps that touch the same port or filter for independent and skip one of their orders.
import { describe, expect, it } from 'vitest';
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
