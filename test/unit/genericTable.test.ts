// The run-time library's generic tables (ntddk.h: RtlInitializeGenericTable and its *Avl twins), as
// avscan keeps its file-state cache in one: the CompareRoutine alone orders and matches, inserts copy
// the caller's structure into memory the AllocateRoutine gives, deletes hand it to the FreeRoutine,
// RtlGetElementGenericTable counts in insertion order, enumeration walks in collation order. Then a
// property against a Map, and misuse as typed errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createSimulation,
  ExAllocatePoolZero,
  ExFreePoolWithTag,
  GenericEqual,
  GenericGreaterThan,
  GenericLessThan,
  PagedPool,
  RTL_AVL_TABLE,
  RTL_GENERIC_TABLE,
  RtlDeleteElementGenericTable,
  RtlDeleteElementGenericTableAvl,
  RtlEnumerateGenericTableWithoutSplayingAvl,
  RtlGetElementGenericTableAvl,
  RtlInitializeGenericTable,
  RtlInitializeGenericTableAvl,
  RtlInsertElementGenericTableAvl,
  RtlIsGenericTableEmptyAvl,
  RtlLookupElementGenericTableAvl,
  RtlNumberGenericTableElementsAvl,
  UsageError,
  type Blocking,
  type RTL_GENERIC_COMPARE_RESULTS,
} from '../../src/index.js';
import { budget } from '../support/deep.js';

interface Entry {
  Id: number;
  Value: string;
}

const ENTRY_SIZE = 16;

function compareById(_t: RTL_GENERIC_TABLE<Entry>, a: Entry, b: Entry): RTL_GENERIC_COMPARE_RESULTS {
  return a.Id < b.Id ? GenericLessThan : a.Id > b.Id ? GenericGreaterThan : GenericEqual;
}

/** Drive a routine whose callbacks never block: it finishes without yielding an effect. */
function done<T>(g: Blocking<T>): T {
  const r = g.next();
  if (r.done !== true) throw new Error('the routine yielded an effect');
  return r.value;
}

/** A table whose allocate and free routines record what they were asked. */
function recordingTable(failAllocations = false): { table: RTL_AVL_TABLE<Entry>; calls: string[] } {
  const table = new RTL_AVL_TABLE<Entry>();
  const calls: string[] = [];
  let next = 0;
  RtlInitializeGenericTableAvl(
    table,
    compareById,
    (_t, ByteSize) => {
      calls.push(`allocate ${ByteSize}`);
      return failAllocations ? null : `node${++next}`;
    },
    (_t, Buffer) => {
      calls.push(`free ${String(Buffer)}`);
    },
    'the context',
  );
  return { table, calls };
}

describe('RTL generic tables (ntddk.h)', () => {
  it('an insert copies the caller\'s structure into a node of 32 + BufferSize bytes (RTL_BALANCED_LINKS); an equal element is returned as it is, NewElement FALSE, nothing allocated', () => {
    const { table, calls } = recordingTable();
    const buffer: Entry = { Id: 7, Value: 'first' };
    const isNew = { value: false };
    const element = done(RtlInsertElementGenericTableAvl(table, buffer, ENTRY_SIZE, isNew));
    expect([element, isNew.value]).toEqual([{ Id: 7, Value: 'first' }, true]);
    buffer.Value = 'changed by the caller';
    expect(RtlLookupElementGenericTableAvl(table, { Id: 7, Value: '' })).toEqual({ Id: 7, Value: 'first' });
    const again = done(RtlInsertElementGenericTableAvl(table, { Id: 7, Value: 'second' }, ENTRY_SIZE, isNew));
    expect([again === element, again?.Value, isNew.value]).toEqual([true, 'first', false]);
    // The pointer returned is into the table: a write through it is what the next lookup reads (avscan's AvSyncCache).
    element!.Value = 'updated in place';
    expect(RtlLookupElementGenericTableAvl(table, { Id: 7, Value: '' })?.Value).toBe('updated in place');
    expect(calls).toEqual(['allocate 48']);
    expect(table.TableContext).toBe('the context');
  });

  it('the CompareRoutine orders enumeration; RtlGetElementGenericTable counts in insertion order, and a delete moves the later ones down by one', () => {
    const { table, calls } = recordingTable();
    for (const Id of [30, 10, 20]) done(RtlInsertElementGenericTableAvl(table, { Id, Value: `v${Id}` }, ENTRY_SIZE, null));
    const key = { value: null as unknown };
    const walked: number[] = [];
    for (let e = RtlEnumerateGenericTableWithoutSplayingAvl(table, key); e !== null; e = RtlEnumerateGenericTableWithoutSplayingAvl(table, key)) walked.push(e.Id);
    expect(walked).toEqual([10, 20, 30]);
    expect([0, 1, 2, 3].map((i) => RtlGetElementGenericTableAvl(table, i)?.Id ?? null)).toEqual([30, 10, 20, null]);
    expect(done(RtlDeleteElementGenericTableAvl(table, { Id: 10, Value: '' }))).toBe(true);
    expect(done(RtlDeleteElementGenericTableAvl(table, { Id: 10, Value: '' }))).toBe(false);
    expect([0, 1, 2].map((i) => RtlGetElementGenericTableAvl(table, i)?.Id ?? null)).toEqual([30, 20, null]);
    expect(RtlNumberGenericTableElementsAvl(table)).toBe(2);
    // avscan's teardown: take element 0 and delete it until the table is empty; each node goes back to the FreeRoutine.
    while (!RtlIsGenericTableEmptyAvl(table)) done(RtlDeleteElementGenericTableAvl(table, RtlGetElementGenericTableAvl(table, 0)!));
    expect(calls).toEqual(['allocate 48', 'allocate 48', 'allocate 48', 'free node2', 'free node1', 'free node3']);
  });

  it('an AllocateRoutine that returns NULL makes the insert return NULL and leaves the table as it was', () => {
    const { table } = recordingTable(true);
    const isNew = { value: true };
    expect(done(RtlInsertElementGenericTableAvl(table, { Id: 1, Value: 'x' }, ENTRY_SIZE, isNew))).toBeNull();
    expect(RtlIsGenericTableEmptyAvl(table)).toBe(true);
  });

  it('allocate and free routines that block (ExAllocatePoolZero, ExFreePoolWithTag, as avscan\'s AvAllocateGenericTableEntry) run on a simulated thread', () => {
    const sim = createSimulation();
    const table = new RTL_AVL_TABLE<Entry>();
    const seen: string[] = [];
    sim.spawn('driver', function* () {
      RtlInitializeGenericTableAvl(table, compareById, (_t, ByteSize) => ExAllocatePoolZero(PagedPool, ByteSize, 'eTvA'), (_t, Buffer) => ExFreePoolWithTag(Buffer as Uint8Array, 'eTvA'), null);
      const e = yield* RtlInsertElementGenericTableAvl(table, { Id: 1, Value: 'clean' }, ENTRY_SIZE, null);
      seen.push(`inserted ${e?.Value}`);
      seen.push(`deleted ${String(yield* RtlDeleteElementGenericTableAvl(table, { Id: 1, Value: '' }))}`);
    });
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual(['inserted clean', 'deleted true']);
    expect(sim.state().violations).toEqual([]);
  });

  it('matches a Map under any sequence of inserts and deletes (collation order, insertion order, one allocation per element, one free per delete)', () => {
    const op = fc.record({ insert: fc.boolean(), Id: fc.integer({ min: 0, max: 12 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { table, calls } = recordingTable();
        const model = new Map<number, string>();
        for (const [i, o] of ops.entries()) {
          if (o.insert) {
            done(RtlInsertElementGenericTableAvl(table, { Id: o.Id, Value: `#${i}` }, ENTRY_SIZE, null));
            if (!model.has(o.Id)) model.set(o.Id, `#${i}`);
          } else {
            expect(done(RtlDeleteElementGenericTableAvl(table, { Id: o.Id, Value: '' }))).toBe(model.delete(o.Id));
          }
        }
        const key = { value: null as unknown };
        const walked: Entry[] = [];
        for (let e = RtlEnumerateGenericTableWithoutSplayingAvl(table, key); e !== null; e = RtlEnumerateGenericTableWithoutSplayingAvl(table, key)) walked.push(e);
        expect(walked).toEqual([...model].sort((a, b) => a[0] - b[0]).map(([Id, Value]) => ({ Id, Value })));
        expect(Array.from({ length: model.size }, (_, i) => RtlGetElementGenericTableAvl(table, i)?.Id)).toEqual([...model.keys()]);
        expect(calls.filter((c) => c.startsWith('allocate')).length - calls.filter((c) => c.startsWith('free')).length).toBe(model.size);
      }),
      { numRuns: budget(30, 500) },
    );
  });

  it('misuse is a typed error: a table never initialized, an AVL table given to the splay routines, a CompareRoutine answering something else', () => {
    expect(() => RtlLookupElementGenericTableAvl(new RTL_AVL_TABLE<Entry>(), { Id: 1, Value: '' })).toThrow(UsageError);
    expect(() => RtlLookupElementGenericTableAvl(new RTL_AVL_TABLE<Entry>(), { Id: 1, Value: '' })).toThrow(/never initialized \(RtlInitializeGenericTableAvl\)/);
    const { table } = recordingTable();
    expect(() => done(RtlDeleteElementGenericTable(table, { Id: 1, Value: '' }))).toThrow(/an AVL table \(use the \*Avl routines\)/);
    expect(() => RtlInitializeGenericTable(new RTL_GENERIC_TABLE<Entry>(), compareById, null as never, () => undefined, null)).toThrow(/AllocateRoutine is NULL, not a function/);
    // The first insert into an empty table compares nothing; the lookup after it does.
    const odd = new RTL_AVL_TABLE<Entry>();
    RtlInitializeGenericTableAvl(odd, () => 5 as RTL_GENERIC_COMPARE_RESULTS, () => 'node', () => undefined, null);
    done(RtlInsertElementGenericTableAvl(odd, { Id: 1, Value: '' }, ENTRY_SIZE, null));
    expect(() => RtlLookupElementGenericTableAvl(odd, { Id: 1, Value: '' })).toThrow(/the CompareRoutine returned number 5, not GenericLessThan/);
    expect(() => done(RtlInsertElementGenericTableAvl(table, null as unknown as Entry, ENTRY_SIZE, null))).toThrow(UsageError);
  });
});
