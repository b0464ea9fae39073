/**
 * The wait-for graph of a state (§18.5): for every blocked thread, what it waits on and who is
 * expected to end that wait, and the cycles among them. Computed from SimState alone, so the live
 * state, the fold of the log and a deadlock report all read the same graph.
 *
 * Who ends a wait:
 * - a lock (K…): its owners;
 * - a KEVENT (E…): the threads that have set it before (an event has no owner; a thread that set
 *   it once is the one a waiter expects to set it again). None: the chain stops there;
 * - a join (`join T…`, `exit of T…`): that thread;
 * - an operation's completion (`D… completion`, a post-op handed back): the threads working on it
 *   (a deferred work item, a completion thread, named after the operation);
 * - an unload gate or a drain (`unload gate of F…`, `drain of I…`): the threads working on the
 *   operations the filter or instance still owes;
 * - a synchronous file object busy with another request: the threads whose request holds it.
 * A wait with a timeout ends by itself and takes part in no cycle.
 */
import { badArgument } from '../kernel/arguments.js';
import { arrayOfArgument, shapeArgument, type Shape } from '../kernel/dataArguments.js';
import { simStateArgument } from './stateArguments.js';
import type { SimState, ThreadView } from './simState.js';
import { irpMajorName } from '../wdk/irp.js';

export interface WaitForEdge {
  /** The waiting thread. */
  readonly thread: string;
  /** What it waits on: a lock K…, a KEVENT E…, an operation D…, a filter F… or instance I… gate, a thread T…, a file object O…. */
  readonly on: string;
  /** The threads expected to end the wait (empty: nobody the state can name). */
  readonly holders: readonly string[];
  /** The edge in words: `T1 (worker) waits for K2 'meta' (ERESOURCE, OwnedExclusive), held by T3 (app)`. */
  readonly text: string;
}

export interface WaitForGraph {
  /** One edge per object a blocked thread waits on, in thread order. */
  readonly edges: readonly WaitForEdge[];
  /** Each cycle once, starting at its lowest thread id; each edge's holders include the next edge's thread. */
  readonly cycles: readonly (readonly WaitForEdge[])[];
}

function threadLabel(state: SimState, id: string): string {
  const t = state.threads[id];
  return t === undefined ? id : `${id} (${t.name})`;
}

function list(state: SimState, ids: readonly string[]): string {
  return ids.map((id) => threadLabel(state, id)).join(', ');
}

/**
 * The threads not exited, in the state's order: a long run keeps its exited threads by the ten
 * thousand, and every wait on an operation asks who works on it (a Timeline's stateAt computes the
 * graph each time: a pass over every thread per wait was most of its cost).
 */
type AliveThreads = readonly (readonly [string, ThreadView])[];
/** Threads still alive, other than `except`, whose name refers to `object` (work items and completions are named after their operation). */
function workingOn(alive: AliveThreads, object: string, except: string): string[] {
  const pattern = new RegExp(`\\b${object}\\b`);
  return alive
    .filter(([id, t]) => id !== except && pattern.test(t.name))
    .map(([id]) => id);
}

function operationText(state: SimState, id: string): string {
  const op = state.operations[id];
  if (op === undefined) return id;
  const where = op.pendedBy !== null ? `${op.state} by ${op.pendedBy}` : op.state;
  return `${id} ${irpMajorName(op.major)} (${where})`;
}

/** Operations a filter's (F…) or an instance's (I…) gate still waits for. */
function owedOperations(state: SimState, gate: string): string[] {
  const instances = gate.startsWith('F') ? new Set(state.filters[gate]?.instances ?? []) : new Set([gate]);
  return Object.entries(state.operations)
    .filter(([, op]) => (op.pendedBy !== null && instances.has(op.pendedBy)) || (op.initiator !== null && instances.has(op.initiator) && op.state !== 'Allocated' && op.state !== 'Completed' && op.state !== 'Freed'))
    .map(([id]) => id);
}

function edgeFor(state: SimState, alive: AliveThreads, id: string, t: ThreadView, on: string): WaitForEdge {
  const who = threadLabel(state, id);
  const lock = state.locks[on];
  if (lock !== undefined) {
    const holders = Object.keys(lock.owners);
    return { thread: id, on, holders, text: `${who} waits for ${on} '${lock.name}' (${lock.lockType}, ${lock.state}), held by ${holders.length === 0 ? 'nobody' : list(state, holders)}` };
  }
  const event = state.events[on];
  if (event !== undefined) {
    const holders = event.setBy.filter((x) => x !== id);
    const by = holders.length === 0 ? 'no other thread has ever set it' : `set before by ${list(state, holders)}`;
    return { thread: id, on, holders, text: `${who} waits for ${on} '${event.name}' (${event.eventType}, ${event.state}); ${by}` };
  }
  const reason = t.waitReason ?? '';
  let m = /^(?:join |exit of )(T\d+)/.exec(reason);
  if (m !== null) return { thread: id, on: m[1]!, holders: [m[1]!], text: `${who} waits for ${threadLabel(state, m[1]!)} to exit` };
  m = /^(D\d+) (?:completion|hands)/.exec(reason);
  if (m !== null) {
    const holders = workingOn(alive, m[1]!, id);
    const by = holders.length === 0 ? 'no thread is working on it' : `worked on by ${list(state, holders)}`;
    return { thread: id, on: m[1]!, holders, text: `${who} waits for ${operationText(state, m[1]!)} to complete; ${by}` };
  }
  m = /^(?:unload gate of|drain of) ([FI]\d+)/.exec(reason);
  if (m !== null) {
    const owed = owedOperations(state, m[1]!);
    const holders = [...new Set(owed.flatMap((op) => workingOn(alive, op, id)))];
    const what = owed.length === 0 ? 'references' : owed.map((op) => operationText(state, op)).join(', ');
    const by = holders.length === 0 ? '' : `; worked on by ${list(state, holders)}`;
    return { thread: id, on: m[1]!, holders, text: `${who} waits for the ${reason} (owed: ${what})${by}` };
  }
  m = /^(O\d+) busy/.exec(reason);
  if (m !== null) {
    const holders = Object.values(state.operations).filter((op) => op.fileObject === m![1] && op.thread !== null && op.thread !== id).map((op) => op.thread!);
    return { thread: id, on: m[1]!, holders: [...new Set(holders)], text: `${who} waits for ${m[1]} (another synchronous request on it)${holders.length === 0 ? '' : `, issued by ${list(state, holders)}`}` };
  }
  return { thread: id, on, holders: [], text: `${who} waits on ${on}${reason === '' ? '' : ` for ${reason}`}` };
}

/** The wait-for graph of `state`. */
export function waitForGraph(state: SimState): WaitForGraph {
  simStateArgument('waitForGraph', 'state', state);
  return graphOf(state, null);
}

/**
 * @internal The wait-for graph of `state`, given the threads that may be alive (every thread not
 * exited is among them; in creation order): a Timeline knows them, and a pass over the thread
 * record of a long run, which keeps every exited thread, was most of the cost of its stateAt.
 */
export function waitForGraphAmong(state: SimState, threads: readonly string[]): WaitForGraph {
  return graphOf(state, threads);
}

function graphOf(state: SimState, candidates: readonly string[] | null): WaitForGraph {
  const edges: WaitForEdge[] = [];
  // The waits are resolved among the live threads.
  const alive: [string, ThreadView][] = [];
  const blocked: [string, ThreadView][] = [];
  const consider = (id: string): void => {
    const t = state.threads[id];
    if (t === undefined || t.state === 'exited') return;
    alive.push([id, t]);
    if (t.state === 'blocked' && t.waitingOn !== null) blocked.push([id, t]);
  };
  if (candidates === null) for (const id in state.threads) consider(id);
  else for (const id of candidates) consider(id);
  for (const [id, t] of blocked) for (const on of t.waitingOn!.split(',')) edges.push(edgeFor(state, alive, id, t, on));
  return { edges, cycles: findCycles(state, edges) };
}

function findCycles(state: SimState, edges: readonly WaitForEdge[]): WaitForEdge[][] {
  const byThread = new Map<string, WaitForEdge[]>();
  for (const e of edges) {
    if (state.threads[e.thread]!.waitUntil !== null) continue;
    const out = byThread.get(e.thread);
    if (out === undefined) byThread.set(e.thread, [e]);
    else out.push(e);
  }
  const found = new Map<string, WaitForEdge[]>();
  const path: WaitForEdge[] = [];
  const onPath = new Set<string>();
  const visit = (thread: string): void => {
    for (const e of byThread.get(thread) ?? []) {
      path.push(e);
      onPath.add(thread);
      for (const next of e.holders) {
        if (onPath.has(next)) {
          const cycle = path.slice(path.findIndex((x) => x.thread === next));
          const start = cycle.reduce((best, x, i) => (Number(x.thread.slice(1)) < Number(cycle[best]!.thread.slice(1)) ? i : best), 0);
          const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
          const key = rotated.map((x) => `${x.thread}>${x.on}`).join(' ');
          if (!found.has(key)) found.set(key, rotated);
        } else if (byThread.has(next) && path.length < byThread.size) {
          visit(next);
        }
      }
      onPath.delete(thread);
      path.pop();
    }
  };
  for (const thread of byThread.keys()) visit(thread);
  return [...found.values()].sort((a, b) => Number(a[0]!.thread.slice(1)) - Number(b[0]!.thread.slice(1)));
}

const EDGE_SHAPE: Shape = { thread: 'string', on: 'string', text: 'string' };

/** A cycle as one line: `T1 → K2 → T3 → E1 → T1`, with each edge's text. */
export function formatCycle(cycle: readonly WaitForEdge[]): string {
  arrayOfArgument('formatCycle', 'cycle', cycle, (e, name) => shapeArgument('formatCycle', name, e, EDGE_SHAPE, 'a WaitForEdge'), 'a cycle (an array of WaitForEdge)');
  if (cycle.length === 0) throw badArgument('formatCycle', 'cycle is empty, not a cycle');
  return `${[...cycle.map((e) => `${e.thread} → ${e.on}`), cycle[0]!.thread].join(' → ')}: ${cycle.map((e) => e.text).join('; ')}`;
}
