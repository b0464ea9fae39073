// The kernel skips sending a fact whose transition, in the object's machine definition, has no
// target and no actions (src/kernel/quietFacts.ts). The machine must still decide: a skipped fact
// must be one XState itself would have taken without changing the state or running anything, and a
// fact a guard or a target makes matter must reach the actor. Checked against live XState actors of
// every object machine, on random fact sequences.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createActor, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { budget } from '../support/deep.js';
import { isQuietFact } from '../../src/kernel/quietFacts.js';
import { callbackDataMachine } from '../../src/machines/callbackData.js';
import { FLT_POSTOP_MORE_PROCESSING_REQUIRED, FLT_PREOP_PENDING, FLT_PREOP_SUCCESS_WITH_CALLBACK } from '../../src/index.js';

const dir = join(import.meta.dirname, '../../src/machines');
const machines: { readonly name: string; readonly machine: AnyStateMachine }[] = [];
for (const file of readdirSync(dir).sort()) {
  const exports = (await import(join(dir, file))) as Record<string, unknown>;
  for (const [name, value] of Object.entries(exports)) {
    if (name.endsWith('Machine') && typeof value === 'object' && value !== null && 'root' in value) machines.push({ name, machine: value as AnyStateMachine });
  }
}

/** A live actor whose rejections are counted, as the kernel's are. */
function live(machine: AnyStateMachine) {
  const rejected: string[] = [];
  const actor = createActor(machine, { input: { reject: (e: { type: string }) => rejected.push(e.type) } }).start();
  return { actor, rejected, snapshot: () => actor.getSnapshot() as AnyMachineSnapshot };
}

describe('quiet facts (src/kernel/quietFacts.ts)', () => {
  it('finds every object machine', () => {
    expect(machines.length).toBeGreaterThanOrEqual(25);
  });

  it('callback data: bookkeeping is quiet, a transition or a passing guard is not (§7, §8)', () => {
    const { actor, snapshot } = live(callbackDataMachine);
    const quiet = (e: { type: string }) => isQuietFact(snapshot(), e);
    expect(quiet({ type: 'IoStart' })).toBe(false); // Allocated → PreOperation
    actor.send({ type: 'IoStart' } as never);
    expect(quiet({ type: 'PreOperation' })).toBe(true);
    expect(quiet({ type: 'DrainPostOperation' })).toBe(true);
    expect(quiet({ type: 'PreOperationReturned', result: FLT_PREOP_SUCCESS_WITH_CALLBACK } as never)).toBe(true);
    expect(quiet({ type: 'PreOperationReturned', result: FLT_PREOP_PENDING } as never)).toBe(false); // → PrePended
    expect(quiet({ type: 'FsDispatch' })).toBe(false);
    expect(quiet({ type: 'FltFreeCallbackData' })).toBe(false); // no state here takes it: the root '*' rejects it
    expect(quiet({ type: 'NoSuchFact' })).toBe(false);
    actor.send({ type: 'FsDispatch' } as never);
    actor.send({ type: 'FsComplete' } as never);
    expect(quiet({ type: 'PostOperationReturned', result: 0 } as never)).toBe(true);
    expect(quiet({ type: 'PostOperationReturned', result: FLT_POSTOP_MORE_PROCESSING_REQUIRED } as never)).toBe(false);
  });

  it('a fact judged quiet leaves every machine exactly where XState takes it, and rejects nothing', () => {
    quietMatchesXState(budget(60, 1500));
  });
});

/** Random fact sequences on every object machine: each fact judged quiet is one XState takes without a change. */
export function quietMatchesXState(numRuns: number): void {
  // Payload fields the machines' guards read, over small domains that make each guard go both ways.
  const payload = fc.record({
    result: fc.constantFrom(0, 1, FLT_PREOP_PENDING, FLT_POSTOP_MORE_PROCESSING_REQUIRED),
    count: fc.integer({ min: -1, max: 3 }),
    references: fc.integer({ min: 0, max: 2 }),
    status: fc.constantFrom(0, 0x103, 0xc0000001, 0xc01c0010),
    acknowledgementOwed: fc.boolean(),
    newLevel: fc.constantFrom('None', 'ClosePending', 'Read'),
    overflow: fc.boolean(),
    routineCalled: fc.boolean(),
    routine: fc.constantFrom('FltSetCancelCompletion', 'FltCbdq', 'Other'),
    cached: fc.boolean(),
    signaled: fc.boolean(),
    withList: fc.boolean(),
    reason: fc.constantFrom('timeout', 'reply'),
    outcome: fc.constantFrom('Committed', 'Aborted'),
  });
  let quietSeen = 0;
  let sentSeen = 0;
  fc.assert(
    fc.property(fc.constantFrom(...machines), fc.array(fc.tuple(fc.nat(), payload), { maxLength: 40 }), ({ machine }, steps) => {
      const types = [...(machine as unknown as { events: string[] }).events.filter((t) => t !== '*'), 'NoSuchFact'];
      const { actor, rejected, snapshot } = live(machine);
      for (const [pick, fields] of steps) {
        const event = { ...fields, type: types[pick % types.length]! };
        const before = snapshot();
        if (before.status !== 'active') break; // a machine in its final state takes nothing more
        const quiet = isQuietFact(before, event);
        const rejections = rejected.length;
        actor.send(event as never);
        const after = snapshot();
        if (quiet) {
          quietSeen++;
          expect(rejected.length, event.type).toBe(rejections);
          expect(after.value, event.type).toEqual(before.value);
          expect(after.context).toEqual(before.context);
          expect(after.status).toBe(before.status);
        } else sentSeen++;
      }
    }),
    { numRuns },
  );
  expect(quietSeen).toBeGreaterThan(0);
  expect(sentSeen).toBeGreaterThan(0);
}
