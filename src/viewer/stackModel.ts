/**
 * The `!fltkd`-style picture of the stack at a cursor: each volume top to bottom (instances by
 * altitude in their frames, legacy filters between frames, the file system at the bottom), each
 * level with the operations now in its pre-operation, pended there, in the file system below it, or
 * in its post-operation; the file objects with their states and handles; the threads with the
 * callback they run or what they wait on; and the other objects with a lifecycle (locks with their
 * owners, contexts, ports, queues).
 *
 * Everything comes from the folded state at the position (Timeline.stateAt, equal to foldLog of the
 * log up to there) except one thing the state does not record: the level an operation is at. That
 * is the level named by the operation's last positional fact before the position (its last
 * PreOperation, PostOperation, LegacyFilterDispatch, FsDispatch, …), read off the trace index.
 */
import type { Fact } from '../kernel/facts.js';
import type { SimState } from '../projection/simState.js';
import { irpMajorName } from '../wdk/irp.js';
import { CALLBACK_RETURNS } from '../travel/threadActivity.js';
import { lastBefore, type TraceIndex } from './traceIndex.js';

/** Where an operation is at its level: in the pre-op, pended in it, dispatched below (FS or legacy filter), in the post-op, pended in it. */
export type OperationPhase = 'pre' | 'prePended' | 'below' | 'post' | 'postPended';

export interface OperationAtLevel {
  readonly id: string;
  /** `READ \dir\file.txt` */
  readonly label: string;
  readonly state: string;
  readonly phase: OperationPhase;
  readonly thread: string | null;
}

export interface StackLevel {
  /** Instance (I…), legacy filter (L…) or `V1:fs` for the file system. */
  readonly id: string;
  readonly kind: 'instance' | 'legacy' | 'fileSystem';
  readonly name: string;
  readonly altitude: string | null;
  /** The frame an instance is in; null for legacy filters and the file system. */
  readonly frame: number | null;
  readonly state: string | null;
  readonly operations: readonly OperationAtLevel[];
}

export interface VolumeStack {
  readonly id: string;
  readonly name: string;
  readonly fsType: string;
  readonly state: string;
  /** Top to bottom; the last is the file system. */
  readonly levels: readonly StackLevel[];
  /** Callback data of this volume at no level: issued and not yet at one, or allocated and idle. */
  readonly idle: readonly OperationAtLevel[];
}

export interface FileObjectRow {
  readonly id: string;
  readonly fileName: string;
  readonly volume: string;
  readonly state: string;
  readonly handles: readonly string[];
  readonly currentByteOffset: number;
}

export interface ThreadRow {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  /** The innermost callback it runs (`PostOperation D3 at I2`), or null. */
  readonly running: string | null;
  /** What it waits on and why, while blocked. */
  readonly waiting: string | null;
}

export interface ObjectRow {
  readonly id: string;
  readonly record: string;
  readonly state: string;
  readonly summary: string;
}

export interface StackPicture {
  readonly position: number;
  readonly volumes: readonly VolumeStack[];
  readonly fileObjects: readonly FileObjectRow[];
  /** Threads not yet exited (exited ones stay in the state of a long run by the thousand). */
  readonly threads: readonly ThreadRow[];
  readonly exitedThreads: number;
  readonly others: readonly ObjectRow[];
}

const LEVEL_OF_FACT: Readonly<Record<string, 'instance' | 'legacy' | 'fileSystem'>> = {
  PreOperation: 'instance',
  PreOperationReturned: 'instance',
  FltCompletePendedPreOperation: 'instance',
  PostOperation: 'instance',
  PostOperationReturned: 'instance',
  FltCompletePendedPostOperation: 'instance',
  LegacyFilterDispatch: 'legacy',
  LegacyFilterCompletion: 'legacy',
  FsDispatch: 'fileSystem',
  FsPending: 'fileSystem',
  FsComplete: 'fileSystem',
};

const PHASE_OF_STATE: Readonly<Record<string, OperationPhase>> = {
  PreOperation: 'pre',
  PrePended: 'prePended',
  Dispatched: 'below',
  FsPending: 'below',
  PostOperation: 'post',
  PostPended: 'postPended',
};

/** The level an operation is at just before `position`: an instance or legacy filter id, `fs`, or null. */
export function levelOf(index: TraceIndex, operation: string, position: number): string | null {
  const seqs = index.factsOf(operation);
  for (let seq = lastBefore(seqs, position); seq !== null; seq = lastBefore(seqs, seq)) {
    const f = index.facts[seq]!;
    if (f.type === 'IoStart') return null;
    const kind = LEVEL_OF_FACT[f.type];
    if (kind === 'instance') return (f as Fact & { instance: string }).instance;
    if (kind === 'legacy') return (f as Fact & { legacy: string }).legacy;
    if (kind === 'fileSystem') return 'fs';
  }
  return null;
}

/** The picture at `position` of the trace `index` describes; `state` is the folded state there. */
export function stackPicture(state: SimState, index: TraceIndex, position: number): StackPicture {
  const names = index.namer;
  const atLevel = new Map<string, OperationAtLevel[]>();
  const idle = new Map<string, OperationAtLevel[]>();
  for (const [id, op] of Object.entries(state.operations)) {
    const phase = PHASE_OF_STATE[op.state];
    const level = phase === undefined ? null : phase === 'prePended' || phase === 'postPended' ? (op.pendedBy ?? levelOf(index, id, position)) : levelOf(index, id, position);
    const fileName = op.fileObject === null ? '' : (state.fileObjects[op.fileObject]?.fileName ?? op.fileObject);
    const row: OperationAtLevel = { id, label: `${irpMajorName(op.major).replace('IRP_MJ_', '')} ${fileName}`.trim(), state: op.state, phase: phase ?? 'pre', thread: op.thread };
    if (phase === undefined || level === null) push(idle, op.volume, row);
    else push(atLevel, level === 'fs' ? `${op.volume}:fs` : level, row);
  }
  const volumes: VolumeStack[] = Object.entries(state.volumes).map(([vid, v]) => {
    const levels: StackLevel[] = v.stack.map((node) => {
      const inst = state.instances[node];
      if (inst !== undefined) {
        return { id: node, kind: 'instance', name: `${state.filters[inst.filter]?.name ?? inst.filter} "${inst.name}"`, altitude: inst.altitude, frame: inst.frame, state: inst.state, operations: atLevel.get(node) ?? [] };
      }
      const legacy = state.legacyFilters[node];
      return { id: node, kind: 'legacy', name: legacy?.name ?? node, altitude: null, frame: null, state: null, operations: atLevel.get(node) ?? [] };
    });
    levels.push({ id: `${vid}:fs`, kind: 'fileSystem', name: `${v.fsType} file system`, altitude: null, frame: null, state: null, operations: atLevel.get(`${vid}:fs`) ?? [] });
    return { id: vid, name: v.dosName === null ? v.name : `${v.dosName} ${v.name}`, fsType: v.fsType, state: v.state, levels, idle: idle.get(vid) ?? [] };
  });
  const fileObjects = Object.entries(state.fileObjects).map(([id, fo]) => ({ id, fileName: fo.fileName, volume: fo.volume, state: fo.state, handles: fo.handles, currentByteOffset: fo.currentByteOffset }));
  const threads: ThreadRow[] = [];
  let exitedThreads = 0;
  // A long run keeps every exited thread in its state: a plain loop, no entry arrays.
  for (const id in state.threads) {
    const t = state.threads[id]!;
    if (t.state === 'exited') {
      exitedThreads++;
      continue;
    }
    const waiting = t.state === 'blocked' ? `${t.waitingOn ?? '?'}${t.waitReason === null ? '' : ` (${t.waitReason})`}` : null;
    threads.push({ id, name: t.name, state: t.state, running: runningCallback(index, id, position), waiting });
  }
  return { position, volumes, fileObjects, threads, exitedThreads, others: otherObjects(state, names.label.bind(names)) };
}

/** The innermost callback open on `thread` just before `position`, as `PostOperation D3 at I2`. */
function runningCallback(index: TraceIndex, thread: string, position: number): string | null {
  const last = lastBefore(index.factsOnThread(thread), position);
  if (last === null) return null;
  const own = index.facts[last]!;
  let open = own.type in CALLBACK_RETURNS ? last : index.activity.callbackOf[last]!;
  // A callback whose return came before the position has closed: the one around it may still be open.
  while (open >= 0) {
    const span = index.activity.callbacks.get(open);
    if (span === undefined || span.close === null || span.close >= position) break;
    open = span.parent ?? -1;
  }
  if (open < 0) return null;
  const f = index.facts[open]!;
  const instance = (f as Fact & { instance?: unknown }).instance;
  return `${f.type} ${f.object}${typeof instance === 'string' ? ` at ${instance}` : ''}`;
}

/** Locks with their owners, contexts, events, ports, queues: one row each, for the objects panel. */
function otherObjects(state: SimState, label: (id: string) => string): ObjectRow[] {
  const rows: ObjectRow[] = [];
  for (const [id, l] of Object.entries(state.locks)) {
    const owners = Object.entries(l.owners).map(([t, n]) => (n > 1 ? `${t}×${n}` : t));
    rows.push({ id, record: 'locks', state: String(l.state), summary: `${l.name} (${l.lockType})${owners.length === 0 ? '' : ` owned by ${owners.join(', ')}`}` });
  }
  for (const [id, e] of Object.entries(state.events)) rows.push({ id, record: 'events', state: e.state, summary: `${e.name} (${e.eventType})` });
  for (const [id, c] of Object.entries(state.contexts)) rows.push({ id, record: 'contexts', state: c.state, summary: `${c.contextType} of ${label(c.filter)} refs=${c.references}${c.target === null ? '' : ` on ${c.target}`}` });
  for (const [id, p] of Object.entries(state.serverPorts)) rows.push({ id, record: 'serverPorts', state: p.state, summary: `${p.name} connections=${p.connections.length}/${p.maxConnections}` });
  for (const [id, p] of Object.entries(state.clientPorts)) rows.push({ id, record: 'clientPorts', state: p.state, summary: `client of ${p.serverPort} queued=${p.queued.length}` });
  for (const [id, q] of Object.entries(state.cbdqs)) rows.push({ id, record: 'cbdqs', state: q.state, summary: `${q.name} queued=${q.queued.join(',') || 'none'}` });
  for (const [id, irp] of Object.entries(state.irps)) rows.push({ id, record: 'irps', state: irp.state, summary: `IRP of ${irp.operation}${irp.routine === null ? '' : ` routine=${irp.routine}`}` });
  return rows;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
