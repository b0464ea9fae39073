/**
 * A kernel object's machine run from a table instead of a live XState actor, for the machine
 * definitions where that provably changes nothing: no entry, exit or transition actions but the
 * root `'*'` rejection, no context but the `reject` every machine gets, no eventless, parallel,
 * history or invoked parts, every guard a plain named guard. In such a machine what a fact does is
 * a function of the current state, the fact's type and what the guards answer for it, and nothing
 * else: no action can read the fact or the context, no guard can see anything the table does not
 * key on.
 *
 * XState still decides every transition. The table starts empty; the first time a state meets a
 * fact type with a given set of guard answers, XState's own pure `transition()` computes the next
 * state from the state's snapshot, and the answer is kept for the machine definition (module-wide,
 * like quietFacts.ts: a definition is shared and never changes). Each state is one XState snapshot,
 * shared by every object in it, so `getSnapshot().matches(…)`, `.can(…)` and `.value` are XState's.
 * A live actor costs a `createActor().start()` per object (about 5 `actor.send`s) and a macrostep
 * per fact; a table object costs a record and, once the table is warm, a map look-up per fact.
 * test/unit/machineTable.test.ts runs every machine both ways on random fact sequences.
 */
import { createActor, initialTransition, transition, type AnyActorRef, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';

/** A plain named guard of the machine (`setup({ guards })`), called as XState calls it. */
type Guard = (args: { readonly context: unknown; readonly event: unknown }, params: undefined) => boolean;

/** The parts of XState's StateNode read here (public in its typings, stable across v5). */
interface Node {
  readonly type: string;
  readonly parent?: Node;
  readonly always?: readonly unknown[];
  readonly entry: readonly unknown[];
  readonly exit: readonly unknown[];
  readonly invoke: readonly unknown[];
  readonly states: Readonly<Record<string, Node>>;
  readonly transitions: ReadonlyMap<string, readonly Transition[]>;
}

interface Transition {
  readonly actions: readonly unknown[];
  readonly guard?: unknown;
}

/** One state of one machine definition: its XState snapshot and where each fact takes it, once known. */
interface TableState {
  readonly snapshot: AnyMachineSnapshot;
  /** What each fact type does here, once met. */
  readonly byType: Map<string, TypeEntry>;
}

interface TypeEntry {
  /** The guards to ask: every candidate transition's, from the atomic state up to the root. */
  readonly guards: readonly Guard[];
  /** By the guards' answers (bit i: guard i passed): the next state, or the root's rejection. */
  readonly next: Map<number, TableState | 'reject'>;
}

interface Table {
  readonly machine: AnyStateMachine;
  readonly initial: TableState;
  /** Every state met so far, by `JSON.stringify(value)`: one TableState (and one snapshot) per state. */
  readonly states: Map<string, TableState>;
}

/** Tables by machine definition; `null` for a definition the table cannot run (it gets live actors). */
const tables = new WeakMap<AnyStateMachine, Table | null>();

/** The context of every shared snapshot: no table state ever runs its `reject` (rejections are the table's). */
const SHARED_CONTEXT = Object.freeze({ reject: () => undefined });

/**
 * Start an object's machine: a table-run object where the definition allows it, a live actor
 * otherwise. Either answers `getSnapshot`, `send` and `stop` as an XState actor does; a rejected
 * fact is reported to `reject` before `send` returns, as the machines' root `'*'` does.
 */
export function startMachine(machine: AnyStateMachine, reject: (event: { type: string }) => void): AnyActorRef {
  const table = tableOf(machine);
  if (table === null) return createActor(machine, { input: { reject } }).start();
  return new TableActor(table, reject) as unknown as AnyActorRef;
}

/** Whether objects of this machine run from a table (for the bench and the tests). */
export function runsFromTable(machine: AnyStateMachine): boolean {
  return tableOf(machine) !== null;
}

export function isTableActor(actor: AnyActorRef): boolean {
  return actor instanceof TableActor;
}

class TableActor {
  private stopped = false;
  constructor(
    private readonly table: Table,
    private readonly reject: (event: { type: string }) => void,
    private state: TableState = table.initial,
  ) {}

  getSnapshot(): AnyMachineSnapshot {
    return this.state.snapshot;
  }

  send(event: { readonly type: string }): void {
    // A finished or stopped actor ignores what it is sent, as XState's does.
    if (this.stopped || this.state.snapshot.status !== 'active') return;
    const state = this.state;
    let entry = state.byType.get(event.type);
    if (entry === undefined) state.byType.set(event.type, (entry = { guards: guardsFor(this.table.machine, state.snapshot, event.type), next: new Map() }));
    let answers = 0;
    const guards = entry.guards;
    for (let i = 0; i < guards.length; i++) if (guards[i]!({ context: state.snapshot.context, event }, undefined)) answers |= 1 << i;
    let next = entry.next.get(answers);
    if (next === undefined) entry.next.set(answers, (next = this.derive(state, event)));
    if (next === 'reject') this.reject(event);
    else this.state = next;
  }

  stop(): void {
    this.stopped = true;
  }

  /** XState's answer for a state, a fact type and guard answers never met before. */
  private derive(state: TableState, event: { readonly type: string }): TableState | 'reject' {
    const [after, actions] = transition(this.table.machine, state.snapshot, event as never);
    if (actions.length > 0) {
      // Only the root '*' has an action in a table machine (tableOf): the fact was rejected.
      if (actions.length === 1 && (actions[0] as { type?: unknown }).type === 'rejectEvent') return 'reject';
      throw new Error(`internal: machine ${this.table.machine.id} ran actions in a table state`);
    }
    const key = JSON.stringify(after.value);
    const known = this.table.states.get(key);
    if (known !== undefined && known.snapshot.status === after.status) return known;
    const fresh: TableState = { snapshot: after, byType: new Map() };
    // A final state's snapshot differs from an active one of the same value only in status; keep the first.
    if (known === undefined) this.table.states.set(key, fresh);
    return fresh;
  }
}

/** At most 30 guarded transitions in a table machine, so any state's guard answers fit a small integer's bits. */
const MAX_GUARDS = 30;

function guardsFor(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, type: string): readonly Guard[] {
  const guards: Guard[] = [];
  const nodes = (snapshot as unknown as { readonly _nodes: readonly Node[] })._nodes;
  for (const atomic of nodes) {
    if (atomic.type !== 'atomic' && atomic.type !== 'final') continue;
    for (let node: Node | undefined = atomic; node !== undefined; node = node.parent) {
      for (const [key, candidates] of node.transitions) {
        if (key !== type && key !== '*') continue;
        for (const t of candidates) if (typeof t.guard === 'string') guards.push(namedGuard(machine, t.guard)!);
      }
    }
  }
  return guards;
}

function tableOf(machine: AnyStateMachine): Table | null {
  let table = tables.get(machine);
  if (table === undefined) tables.set(machine, (table = buildTable(machine)));
  return table;
}

function buildTable(machine: AnyStateMachine): Table | null {
  if (!tabulable(machine, machine.root as unknown as Node, true) || guardedTransitions(machine.root as unknown as Node) > MAX_GUARDS) return null;
  const [snapshot, actions] = initialTransition(machine, { reject: SHARED_CONTEXT.reject } as never);
  if (actions.length > 0 || snapshot.status !== 'active') return null;
  // Only the context every machine gets (machineContext.ts); anything else could be changed or read.
  if (Object.keys(snapshot.context as object).join() !== 'reject') return null;
  const initial: TableState = { snapshot: machine.resolveState({ value: snapshot.value, context: SHARED_CONTEXT }), byType: new Map() };
  return { machine, initial, states: new Map([[JSON.stringify(snapshot.value), initial]]) };
}

/** Whether a node and everything under it is what the table can run (the file comment's list). */
function tabulable(machine: AnyStateMachine, node: Node, root: boolean): boolean {
  if (node.type === 'parallel' || node.type === 'history') return false;
  if ((node.always?.length ?? 0) > 0 || node.entry.length > 0 || node.exit.length > 0 || node.invoke.length > 0) return false;
  for (const [key, candidates] of node.transitions) {
    if (key !== '*' && key.includes('*')) return false;
    for (const t of candidates) {
      if (t.guard !== undefined && namedGuard(machine, t.guard) === undefined) return false;
      const rejection = root && key === '*' && t.guard === undefined && t.actions.length === 1 && t.actions[0] === 'rejectEvent';
      if (t.actions.length > 0 && !rejection) return false;
    }
  }
  return Object.values(node.states).every((child) => tabulable(machine, child, false));
}

function guardedTransitions(node: Node): number {
  let n = 0;
  for (const candidates of node.transitions.values()) for (const t of candidates) if (t.guard !== undefined) n++;
  for (const child of Object.values(node.states)) n += guardedTransitions(child);
  return n;
}

/** A guard given by name and implemented as a plain function; `undefined` for anything else. */
function namedGuard(machine: AnyStateMachine, guard: unknown): Guard | undefined {
  if (typeof guard !== 'string') return undefined;
  const resolved = (machine.implementations.guards as Record<string, unknown>)[guard];
  if (typeof resolved !== 'function' || 'check' in resolved) return undefined;
  return resolved as Guard;
}
