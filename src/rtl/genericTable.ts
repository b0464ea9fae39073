/**
 * The run-time library's generic tables (ntddk.h): RtlInitializeGenericTable, RtlInsertElementGenericTable,
 * RtlLookupElementGenericTable, RtlDeleteElementGenericTable, RtlGetElementGenericTable,
 * RtlNumberGenericTableElements, RtlIsGenericTableEmpty, RtlEnumerateGenericTableWithoutSplaying, and
 * their *Avl twins (RTL_AVL_TABLE; a driver that defines RTL_USE_AVL_TABLES, as avscan.h does, gets
 * these under the plain names).
 *
 * What a caller relies on, and the model keeps: elements are the caller's structures copied into
 * nodes the caller's AllocateRoutine gives (ByteSize = the node's links + BufferSize) and its
 * FreeRoutine takes back; the CompareRoutine alone orders them and decides what "equal" means; an
 * insert of an element equal to one present returns that one and copies nothing; RtlGetElement's
 * index counts in insertion order (the documented contract: the indexes of later elements drop by one
 * when an element is deleted); enumeration walks in collation order. The trees (splay or AVL) are not
 * modelled: both kinds are one sorted array, searched by the CompareRoutine, which is deterministic and
 * gives the same answers. The tables are driver memory, not kernel objects: no fact, no scheduling
 * point of their own (the docs leave synchronization to the caller; the locks around them are the
 * scheduling points). The routines run without a simulation; the allocate and free routines may block
 * (ExAllocatePoolZero is a generator here), so insert and delete are generators.
 */
import { callMaybeBlocking, type Blocking, type MaybeBlocking } from '../kernel/effects.js';
import { badArgument, functionArgument, kindOf, objectArgument, recordArgument, sizeArgument, ulongArgument } from '../kernel/arguments.js';

/** RTL_GENERIC_COMPARE_RESULTS, in the C enum's order. */
export const GenericLessThan = 0;
export const GenericGreaterThan = 1;
export const GenericEqual = 2;
export type RTL_GENERIC_COMPARE_RESULTS = typeof GenericLessThan | typeof GenericGreaterThan | typeof GenericEqual;

/** The node header the allocate routine is asked for beside the caller's bytes (x64): RTL_SPLAY_LINKS + LIST_ENTRY, RTL_BALANCED_LINKS. */
const SPLAY_NODE_HEADER = 40;
const AVL_NODE_HEADER = 32;

export type RTL_GENERIC_COMPARE_ROUTINE<T extends object> = (Table: RTL_GENERIC_TABLE<T>, FirstStruct: T, SecondStruct: T) => RTL_GENERIC_COMPARE_RESULTS;
/** Returns the node's memory, or NULL when there is none (the insert then returns NULL). */
export type RTL_GENERIC_ALLOCATE_ROUTINE<T extends object> = (Table: RTL_GENERIC_TABLE<T>, ByteSize: number) => MaybeBlocking<unknown>;
export type RTL_GENERIC_FREE_ROUTINE<T extends object> = (Table: RTL_GENERIC_TABLE<T>, Buffer: unknown) => MaybeBlocking<void>;

interface Node<T> {
  /** What the allocate routine returned: handed back to the free routine. */
  readonly memory: unknown;
  /** The caller's structure, copied in: what the routines return (a pointer into the node in C). */
  readonly element: T;
}

interface Routines<T extends object> {
  readonly compare: RTL_GENERIC_COMPARE_ROUTINE<T>;
  readonly allocate: RTL_GENERIC_ALLOCATE_ROUTINE<T>;
  readonly free: RTL_GENERIC_FREE_ROUTINE<T>;
}

/** RTL_GENERIC_TABLE (splay) and RTL_AVL_TABLE: storage the driver owns, set up by the matching RtlInitializeGenericTable*. */
export class RTL_GENERIC_TABLE<T extends object = object> {
  /** TableContext as RtlInitializeGenericTable was given it: the routines' own data. */
  TableContext: unknown = null;
  /** @internal */ kind: 'splay' | 'avl' | null = null;
  /** @internal */ routines: Routines<T> | null = null;
  /** @internal In collation order. */ readonly sorted: Node<T>[] = [];
  /** @internal In insertion order (RtlGetElementGenericTable's index). */ readonly inserted: Node<T>[] = [];
}

/** RTL_AVL_TABLE: the same storage; RtlInitializeGenericTableAvl makes it an AVL table. */
export class RTL_AVL_TABLE<T extends object = object> extends RTL_GENERIC_TABLE<T> {}

function initialize<T extends object>(routine: string, kind: 'splay' | 'avl', Table: RTL_GENERIC_TABLE<T>, CompareRoutine: unknown, AllocateRoutine: unknown, FreeRoutine: unknown, TableContext: unknown): void {
  const table = objectArgument(routine, 'Table', Table, RTL_GENERIC_TABLE, kind === 'avl' ? 'an RTL_AVL_TABLE' : 'an RTL_GENERIC_TABLE') as unknown as RTL_GENERIC_TABLE<T>;
  const compare = functionArgument<RTL_GENERIC_COMPARE_ROUTINE<T>>(routine, 'CompareRoutine', CompareRoutine, false)!;
  const allocate = functionArgument<RTL_GENERIC_ALLOCATE_ROUTINE<T>>(routine, 'AllocateRoutine', AllocateRoutine, false)!;
  const free = functionArgument<RTL_GENERIC_FREE_ROUTINE<T>>(routine, 'FreeRoutine', FreeRoutine, false)!;
  // Initializing throws away whatever the table held (the C zeroes the header; the nodes leak).
  table.kind = kind;
  table.routines = { compare, allocate, free };
  table.TableContext = TableContext;
  table.sorted.length = 0;
  table.inserted.length = 0;
}

/** The table, initialized as the routine's family expects. */
function tableArgument<T extends object>(routine: string, kind: 'splay' | 'avl', Table: unknown): RTL_GENERIC_TABLE<T> & { routines: Routines<T> } {
  const table = objectArgument(routine, 'Table', Table, RTL_GENERIC_TABLE, kind === 'avl' ? 'an RTL_AVL_TABLE' : 'an RTL_GENERIC_TABLE') as unknown as RTL_GENERIC_TABLE<T>;
  if (table.kind === null || table.routines === null) throw badArgument(routine, `Table was never initialized (${kind === 'avl' ? 'RtlInitializeGenericTableAvl' : 'RtlInitializeGenericTable'})`);
  if (table.kind !== kind) throw badArgument(routine, `Table is ${table.kind === 'avl' ? 'an AVL table (use the *Avl routines)' : 'a splay table (use the routines without Avl)'}`);
  return table as RTL_GENERIC_TABLE<T> & { routines: Routines<T> };
}

function compared<T extends object>(routine: string, table: RTL_GENERIC_TABLE<T> & { routines: Routines<T> }, first: T, second: T): RTL_GENERIC_COMPARE_RESULTS {
  const r = table.routines.compare(table, first, second) as unknown;
  if (r !== GenericLessThan && r !== GenericGreaterThan && r !== GenericEqual) throw badArgument(routine, `the CompareRoutine returned ${kindOf(r)}, not GenericLessThan, GenericGreaterThan or GenericEqual`);
  return r;
}

/** Binary search by the CompareRoutine: the node equal to `key`, or where it would go. */
function search<T extends object>(routine: string, table: RTL_GENERIC_TABLE<T> & { routines: Routines<T> }, key: T): { readonly found: Node<T> | null; readonly at: number } {
  let lo = 0;
  let hi = table.sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = compared(routine, table, key, table.sorted[mid]!.element);
    if (r === GenericEqual) return { found: table.sorted[mid]!, at: mid };
    if (r === GenericLessThan) hi = mid;
    else lo = mid + 1;
  }
  return { found: null, at: lo };
}

function* insert<T extends object>(routine: string, kind: 'splay' | 'avl', Table: RTL_GENERIC_TABLE<T>, Buffer: T, BufferSize: number, NewElement: { value: boolean } | null): Blocking<T | null> {
  const table = tableArgument<T>(routine, kind, Table);
  const buffer = recordArgument<T>(routine, 'Buffer', Buffer);
  const size = sizeArgument(routine, 'BufferSize', BufferSize);
  const found = search(routine, table, buffer).found;
  if (found !== null) {
    if (NewElement !== null) NewElement.value = false;
    return found.element;
  }
  const memory = yield* callMaybeBlocking(table.routines.allocate(table, (kind === 'avl' ? AVL_NODE_HEADER : SPLAY_NODE_HEADER) + size));
  if (memory === null || memory === undefined) return null;
  // RtlCopyMemory of the caller's BufferSize bytes: a shallow copy of its structure.
  const node: Node<T> = { memory, element: { ...buffer } };
  // The allocate routine may have blocked: search again before placing the node.
  const again = search(routine, table, buffer);
  if (again.found !== null) {
    yield* callMaybeBlocking(table.routines.free(table, memory));
    if (NewElement !== null) NewElement.value = false;
    return again.found.element;
  }
  table.sorted.splice(again.at, 0, node);
  table.inserted.push(node);
  if (NewElement !== null) NewElement.value = true;
  return node.element;
}

function lookup<T extends object>(routine: string, kind: 'splay' | 'avl', Table: RTL_GENERIC_TABLE<T>, Buffer: T): T | null {
  const table = tableArgument<T>(routine, kind, Table);
  return search(routine, table, recordArgument<T>(routine, 'Buffer', Buffer)).found?.element ?? null;
}

function* remove<T extends object>(routine: string, kind: 'splay' | 'avl', Table: RTL_GENERIC_TABLE<T>, Buffer: T): Blocking<boolean> {
  const table = tableArgument<T>(routine, kind, Table);
  const { found, at } = search(routine, table, recordArgument<T>(routine, 'Buffer', Buffer));
  if (found === null) return false;
  table.sorted.splice(at, 1);
  table.inserted.splice(table.inserted.indexOf(found), 1);
  yield* callMaybeBlocking(table.routines.free(table, found.memory));
  return true;
}

function getElement<T extends object>(routine: string, kind: 'splay' | 'avl', Table: RTL_GENERIC_TABLE<T>, I: number): T | null {
  const table = tableArgument<T>(routine, kind, Table);
  return table.inserted[ulongArgument(routine, 'I', I)]?.element ?? null;
}

/**
 * The walk RtlEnumerateGenericTableWithoutSplaying makes: RestartKey NULL starts at the first element
 * in collation order; each call returns the next and moves RestartKey to it; NULL at the end.
 */
function enumerate<T extends object>(routine: string, kind: 'splay' | 'avl', Table: RTL_GENERIC_TABLE<T>, RestartKey: { value: unknown }): T | null {
  const table = tableArgument<T>(routine, kind, Table);
  const key = recordArgument<{ value: unknown }>(routine, 'RestartKey', RestartKey);
  let next = 0;
  if (key.value !== null && key.value !== undefined) {
    const at = table.sorted.findIndex((n) => n === key.value);
    if (at < 0) throw badArgument(routine, 'RestartKey does not hold an element of this table (it was deleted, or came from another table)');
    next = at + 1;
  }
  const node = table.sorted[next] ?? null;
  key.value = node;
  return node?.element ?? null;
}

/** RtlInitializeGenericTable(Table, CompareRoutine, AllocateRoutine, FreeRoutine, TableContext): an empty splay table. */
export function RtlInitializeGenericTable<T extends object>(Table: RTL_GENERIC_TABLE<T>, CompareRoutine: RTL_GENERIC_COMPARE_ROUTINE<T>, AllocateRoutine: RTL_GENERIC_ALLOCATE_ROUTINE<T>, FreeRoutine: RTL_GENERIC_FREE_ROUTINE<T>, TableContext: unknown): void {
  initialize('RtlInitializeGenericTable', 'splay', Table, CompareRoutine, AllocateRoutine, FreeRoutine, TableContext);
}

/** RtlInitializeGenericTableAvl(Table, CompareRoutine, AllocateRoutine, FreeRoutine, TableContext): an empty AVL table. */
export function RtlInitializeGenericTableAvl<T extends object>(Table: RTL_AVL_TABLE<T>, CompareRoutine: RTL_GENERIC_COMPARE_ROUTINE<T>, AllocateRoutine: RTL_GENERIC_ALLOCATE_ROUTINE<T>, FreeRoutine: RTL_GENERIC_FREE_ROUTINE<T>, TableContext: unknown): void {
  initialize('RtlInitializeGenericTableAvl', 'avl', Table, CompareRoutine, AllocateRoutine, FreeRoutine, TableContext);
}

/**
 * RtlInsertElementGenericTable(Table, Buffer, BufferSize, NewElement): the element equal to Buffer
 * (NewElement FALSE, nothing copied), or a new node holding a copy of Buffer (TRUE); NULL when the
 * allocate routine returns NULL.
 */
export function RtlInsertElementGenericTable<T extends object>(Table: RTL_GENERIC_TABLE<T>, Buffer: T, BufferSize: number, NewElement: { value: boolean } | null): Blocking<T | null> {
  return insert('RtlInsertElementGenericTable', 'splay', Table, Buffer, BufferSize, NewElement);
}

export function RtlInsertElementGenericTableAvl<T extends object>(Table: RTL_AVL_TABLE<T>, Buffer: T, BufferSize: number, NewElement: { value: boolean } | null): Blocking<T | null> {
  return insert('RtlInsertElementGenericTableAvl', 'avl', Table, Buffer, BufferSize, NewElement);
}

/** RtlLookupElementGenericTable(Table, Buffer): the element the CompareRoutine finds equal to Buffer, or NULL. */
export function RtlLookupElementGenericTable<T extends object>(Table: RTL_GENERIC_TABLE<T>, Buffer: T): T | null {
  return lookup('RtlLookupElementGenericTable', 'splay', Table, Buffer);
}

export function RtlLookupElementGenericTableAvl<T extends object>(Table: RTL_AVL_TABLE<T>, Buffer: T): T | null {
  return lookup('RtlLookupElementGenericTableAvl', 'avl', Table, Buffer);
}

/** RtlDeleteElementGenericTable(Table, Buffer): TRUE when an element equal to Buffer was removed (its node goes to the FreeRoutine), else FALSE. */
export function RtlDeleteElementGenericTable<T extends object>(Table: RTL_GENERIC_TABLE<T>, Buffer: T): Blocking<boolean> {
  return remove('RtlDeleteElementGenericTable', 'splay', Table, Buffer);
}

export function RtlDeleteElementGenericTableAvl<T extends object>(Table: RTL_AVL_TABLE<T>, Buffer: T): Blocking<boolean> {
  return remove('RtlDeleteElementGenericTableAvl', 'avl', Table, Buffer);
}

/** RtlGetElementGenericTable(Table, I): the I-th element inserted (zero-based, among those still present), or NULL past the end. */
export function RtlGetElementGenericTable<T extends object>(Table: RTL_GENERIC_TABLE<T>, I: number): T | null {
  return getElement('RtlGetElementGenericTable', 'splay', Table, I);
}

export function RtlGetElementGenericTableAvl<T extends object>(Table: RTL_AVL_TABLE<T>, I: number): T | null {
  return getElement('RtlGetElementGenericTableAvl', 'avl', Table, I);
}

/** RtlNumberGenericTableElements(Table). */
export function RtlNumberGenericTableElements<T extends object>(Table: RTL_GENERIC_TABLE<T>): number {
  return tableArgument<T>('RtlNumberGenericTableElements', 'splay', Table).sorted.length;
}

export function RtlNumberGenericTableElementsAvl<T extends object>(Table: RTL_AVL_TABLE<T>): number {
  return tableArgument<T>('RtlNumberGenericTableElementsAvl', 'avl', Table).sorted.length;
}

/** RtlIsGenericTableEmpty(Table). */
export function RtlIsGenericTableEmpty<T extends object>(Table: RTL_GENERIC_TABLE<T>): boolean {
  return tableArgument<T>('RtlIsGenericTableEmpty', 'splay', Table).sorted.length === 0;
}

export function RtlIsGenericTableEmptyAvl<T extends object>(Table: RTL_AVL_TABLE<T>): boolean {
  return tableArgument<T>('RtlIsGenericTableEmptyAvl', 'avl', Table).sorted.length === 0;
}

/** RtlEnumerateGenericTableWithoutSplaying(Table, &RestartKey): the next element in collation order (RestartKey NULL: the first), or NULL. */
export function RtlEnumerateGenericTableWithoutSplaying<T extends object>(Table: RTL_GENERIC_TABLE<T>, RestartKey: { value: unknown }): T | null {
  return enumerate('RtlEnumerateGenericTableWithoutSplaying', 'splay', Table, RestartKey);
}

export function RtlEnumerateGenericTableWithoutSplayingAvl<T extends object>(Table: RTL_AVL_TABLE<T>, RestartKey: { value: unknown }): T | null {
  return enumerate('RtlEnumerateGenericTableWithoutSplayingAvl', 'avl', Table, RestartKey);
}
