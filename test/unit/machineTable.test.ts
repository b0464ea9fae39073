// Objects whose machine definition allows it run from a transition table (src/kernel/machineTable.ts)
// instead of a live XState actor: XState's own transition() fills the table, one state, fact type
// and set of guard answers at a time. The machine must still decide: checked against live XState
// actors of every object machine on random fact sequences — the same state, status and rejections
// after every fact.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createActor, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { budget } from '../support/deep.js';
import { runsFromTable, startMachine } from '../../src/kernel/machineTable.js';
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

/** One object both ways: a table-run one and a live actor, their rejections counted as the kernel counts them. */
function both(machine: AnyStateMachine) {
  const rejected = { table: [] as string[], live: [] as string[] };
  const table = startMachine(machine, (e) => rejected.table.push(e.type));
  const live = createActor(machine, { input: { reject: (e: { type: string }) => rejected.live.push(e.type) } }).start();
  return { table, live, rejected, snapshots: () => [table.getSnapshot() as AnyMachineSnapshot, live.getSnapshot() as AnyMachineSnapshot] as const };
}

describe('machines run from a table (src/kernel/machineTable.ts)', () => {
  it('runs every machine without actions or context of its own from a table; the locks and transactions stay live actors', () => {
    expect(machines.length).toBeGreaterThanOrEqual(25);
    const live = machines.filter((m) => !runsFromTable(m.machine)).map((m) => m.name);
    // Their transitions assign owners (the locks) or their guards are not plain named ones: XState runs them.
    expect(live).toEqual(['eresourceMachine', 'fastMutexMachine', 'guardedMutexMachine', 'pushLockMachine', 'spinLockMachine', 'transactionMachine']);
  });

  it('callback data of a read walked through a pended pre-operation: the states XState gives, a rejection reported (§7, §8)', () => {
    const { table, rejected } = both(callbackDataMachine);
    const trace: string[] = [];
    const send = (e: { type: string; result?: number }) => {
      table.send(e);
      trace.push(`${e.type} → ${JSON.stringify(table.getSnapshot().value)}`);
    };
    send({ type: 'IoStart' });
    send({ type: 'PreOperation' });
    send({ type: 'PreOperationReturned', result: FLT_PREOP_PENDING });
    send({ type: 'FltCompletePendedPreOperation' });
    send({ type: 'PreOperationReturned', result: FLT_PREOP_SUCCESS_WITH_CALLBACK });
    send({ type: 'FsDispatch' });
    send({ type: 'FsComplete' });
    send({ type: 'PostOperationReturned', result: FLT_POSTOP_MORE_PROCESSING_REQUIRED });
    send({ type: 'FltFreeCallbackData' });
    expect(trace).toEqual([
      'IoStart → "PreOperation"',
      'PreOperation → "PreOperation"',
      'PreOperationReturned → "PrePended"',
      'FltCompletePendedPreOperation → "PreOperation"',
      'PreOperationReturned → "PreOperation"',
      'FsDispatch → "Dispatched"',
      'FsComplete → "PostOperation"',
      'PostOperationReturned → "PostPended"',
      'FltFreeCallbackData → "PostPended"',
    ]);
    expect(rejected.table).toEqual(['FltFreeCallbackData']);
    expect(table.getSnapshot().matches('PostPended')).toBe(true);
  });

  it('a table-run object is in the state, status and rejections of a live actor after every fact', () => {
    tableMatchesXState(budget(40, 1500));
  });
});

/** Random fact sequences on every table-run machine, each sent to a table-run object and a live actor. */
export function tableMatchesXState(numRuns: number): void {
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
  const tabled = machines.filter((m) => runsFromTable(m.machine));
  let moved = 0;
  fc.assert(
    fc.property(fc.constantFrom(...tabled), fc.array(fc.tuple(fc.nat(), payload), { maxLength: 40 }), ({ machine }, steps) => {
      const types = [...(machine as unknown as { events: string[] }).events.filter((t) => t !== '*'), 'NoSuchFact'];
      const { table, live, rejected, snapshots } = both(machine);
      for (const [pick, fields] of steps) {
        const event = { ...fields, type: types[pick % types.length]! };
        const before = table.getSnapshot() as AnyMachineSnapshot;
        if (before.status !== 'active') break; // a machine in its final state takes nothing more
        table.send(event);
        live.send(event as never);
        const [t, l] = snapshots();
        if (!Object.is(before, t)) moved++;
        expect(t.value, event.type).toEqual(l.value);
        expect(t.status, event.type).toBe(l.status);
        expect(rejected.table, event.type).toEqual(rejected.live);
      }
    }),
    { numRuns },
  );
  expect(moved).toBeGreaterThan(0);
}
