/**
 * The `!fltkd`-style picture of the stack at a cursor: each volume top to bottom (instances by
 * altitude in their frames, legacy filters between frames, the file system at the bottom), each
 * level with the operations now in its pre-operation, pended there, in the file system below it, or
 * in its post-operation; the file objects with their states and handles; the threads with the
 * callback they run or what they wait on (and the wait-for cycles, a deadlock); the contexts at the
 * instance that set them and the volume they are on; and every other object with a lifecycle the
 * fold keeps (locks with their owners, events, contexts, ports and messages, queues, IRPs, byte-range
 * * locks, oplocks, change notifications, sections, ECPs, pool, MDLs, device objects, name information).
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
  /** The frame a legacy filter sits above (-1: below every frame, on the file system); null otherwise. */
  readonly aboveFrame: number | null;
  readonly state: string | null;
  readonly operations: readonly OperationAtLevel[];
  /** The contexts an instance has set (any type), as `C3 FLT_STREAM_CONTEXT refs=2 on O4`. */
  readonly contexts: readonly string[];
}

/** A frame of the Filter Manager in a volume's stack (§6): its altitude interval and how many of its instances are attached there. */
export interface FrameBand {
  readonly index: number;
  /** `[low, high)`: the instances whose altitude is in it are in this frame. */
  readonly low: string;
  readonly high: string | null;
  readonly instances: number;
}

/** The volume's stack as drawn, top to bottom: each frame's band, then its instances; legacy filters between frames; the file system. */
export type StackRow = { readonly kind: 'frame'; readonly frame: FrameBand } | { readonly kind: 'level'; readonly level: StackLevel };

export interface VolumeStack {
  readonly id: string;
  readonly name: string;
  readonly fsType: string;
  readonly state: string;
  /** Top to bottom; the last is the file system. */
  readonly levels: readonly StackLevel[];
  /** The levels with every frame's band among them (frames without an instance here too), top to bottom. */
  readonly rows: readonly StackRow[];
  /** Volume contexts on it. */
  readonly contexts: readonly string[];
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
  /**
   * The contexts on it (§15): its stream handle contexts, and the stream and file contexts of its
   * stream, as `C3 FLT_STREAM_CONTEXT refs=2`.
   */
  readonly contexts: readonly string[];
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
  /** Wait-for cycles now (a deadlock), each edge in words. */
  readonly waitCycles: readonly (readonly string[])[];
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
  FsFastIoDeclined: 'fileSystem',
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
  const contextsOf = new Map<string, string[]>();
  for (const [id, c] of Object.entries(state.contexts)) {
    const at = c.instance ?? (c.target !== null && c.target.startsWith('V') && !c.target.includes(':') ? c.target : null);
    if (at !== null) push(contextsOf, at, `${id} ${c.contextType} refs=${c.references}${c.target === null || c.target === at ? '' : ` on ${c.target}`}`);
  }
  const volumes: VolumeStack[] = Object.entries(state.volumes).map(([vid, v]) => {
    const levels: StackLevel[] = v.stack.map((node) => {
      const inst = state.instances[node];
      if (inst !== undefined) {
        return { id: node, kind: 'instance', name: `${state.filters[inst.filter]?.name ?? inst.filter} "${inst.name}"`, altitude: inst.altitude, frame: inst.frame, aboveFrame: null, state: inst.state, operations: atLevel.get(node) ?? [], contexts: contextsOf.get(node) ?? [] };
      }
      const legacy = state.legacyFilters[node];
      return { id: node, kind: 'legacy', name: legacy?.name ?? node, altitude: null, frame: null, aboveFrame: legacy?.aboveFrame ?? null, state: null, operations: atLevel.get(node) ?? [], contexts: [] };
    });
    levels.push({ id: `${vid}:fs`, kind: 'fileSystem', name: `${v.fsType} file system`, altitude: null, frame: null, aboveFrame: null, state: null, operations: atLevel.get(`${vid}:fs`) ?? [], contexts: [] });
    return { id: vid, name: v.dosName === null ? v.name : `${v.dosName} ${v.name}`, fsType: v.fsType, state: v.state, levels, rows: stackRows(state, levels), contexts: contextsOf.get(vid) ?? [], idle: idle.get(vid) ?? [] };
  });
  const contextsOn = new Map<string, string[]>();
  for (const [id, c] of Object.entries(state.contexts)) if (c.target !== null) push(contextsOn, c.target, `${id} ${c.contextType} refs=${c.references}`);
  const fileObjects = Object.entries(state.fileObjects).map(([id, fo]) => ({
    id,
    fileName: fo.fileName,
    volume: fo.volume,
    state: fo.state,
    handles: fo.handles,
    currentByteOffset: fo.currentByteOffset,
    contexts: [id, ...index.streamsOf(id)].flatMap((target) => contextsOn.get(target) ?? []),
  }));
  const threads: ThreadRow[] = [];
  // A long run keeps every exited thread in its state: the index names the live ones.
  for (const id of index.liveThreadsAt(position)) {
    const t = state.threads[id];
    if (t === undefined || t.state === 'exited') continue;
    const waiting = t.state === 'blocked' ? `${t.waitingOn ?? '?'}${t.waitReason === null ? '' : ` (${t.waitReason})`}` : null;
    threads.push({ id, name: t.name, state: t.state, running: runningCallback(index, id, position), waiting });
  }
  const waitCycles = state.waitCycles.map((cycle) => cycle.map((edge) => edge.text));
  const exitedThreads = index.threadsCreatedBefore(position) - threads.length;
  return { position, volumes, fileObjects, threads, exitedThreads, others: otherObjects(state, names.label.bind(names)), waitCycles };
}

/**
 * The frames' bands among the levels, in the order the device stack rule of §6 stacks them (the
 * fold's restack): for each frame from the top, the legacy filters above it, its band, its
 * instances; then the legacy filters below every frame and the file system.
 */
function stackRows(state: SimState, levels: readonly StackLevel[]): StackRow[] {
  const rows: StackRow[] = [];
  let i = 0;
  for (let k = state.frames.length - 1; k >= 0; k--) {
    while (i < levels.length && levels[i]!.kind === 'legacy' && levels[i]!.aboveFrame === k) rows.push({ kind: 'level', level: levels[i++]! });
    const first = rows.length;
    while (i < levels.length && levels[i]!.kind === 'instance' && levels[i]!.frame === k) rows.push({ kind: 'level', level: levels[i++]! });
    const f = state.frames[k]!;
    rows.splice(first, 0, { kind: 'frame', frame: { index: f.index, low: f.low, high: f.high, instances: rows.length - first } });
  }
  while (i < levels.length) rows.push({ kind: 'level', level: levels[i++]! });
  return rows;
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

/** Objects panel rows per record, at most this many each (a long run keeps thousands of some). */
const ROWS_PER_RECORD = 200;

/** Every other object with a lifecycle the fold keeps, one row each: locks with their owners, events, contexts, ports, messages, queues, IRPs, file-system and memory objects. */
function otherObjects(state: SimState, label: (id: string) => string): ObjectRow[] {
  const rows: ObjectRow[] = [];
  const each = <T,>(record: string, views: Readonly<Record<string, T>>, row: (view: T) => { state: string; summary: string }): void => {
    let n = 0;
    for (const id in views) {
      if (n++ === ROWS_PER_RECORD) {
        rows.push({ id: `${record}…`, record, state: '', summary: `and ${Object.keys(views).length - ROWS_PER_RECORD} more ${record}` });
        return;
      }
      rows.push({ id, record, ...row(views[id]!) });
    }
  };
  const ownersOf = (owners: Readonly<Record<string, number>>): string => Object.entries(owners).map(([t, n]) => (n > 1 ? `${label(t)}×${n}` : label(t))).join(', ');
  each('locks', state.locks, (l) => ({ state: String(l.state), summary: `${l.name} (${l.lockType})${Object.keys(l.owners).length === 0 ? '' : ` owned by ${ownersOf(l.owners)}`}` }));
  each('events', state.events, (e) => ({ state: e.state, summary: `${e.name} (${e.eventType})` }));
  each('workItems', state.workItems, (w) => ({ state: w.state, summary: `${w.kind === 'generic' ? 'generic' : 'deferred I/O'} work item${w.owner === null ? '' : ` of ${label(w.owner)}`}` }));
  each('contexts', state.contexts, (c) => ({ state: c.state, summary: `${c.contextType} of ${label(c.filter)} refs=${c.references}${c.target === null ? '' : ` on ${c.target}`}${c.instance === null ? '' : ` set by ${c.instance}`}` }));
  each('serverPorts', state.serverPorts, (p) => ({ state: p.state, summary: `server port ${p.name} of ${label(p.filter)} connections=${p.connections.length}/${p.maxConnections}` }));
  each('clientPorts', state.clientPorts, (p) => ({ state: p.state, summary: `client of ${p.serverPort}${p.handle === null ? '' : ` handle ${p.handle}`} queued=${p.queued.length} gets=${p.pendingGets.length} awaiting reply=${p.awaitingReply.length}` }));
  each('messages', state.messages, (m) => ({ state: m.state, summary: `FltSendMessage on ${m.port} by ${label(m.sender)}${m.replyExpected ? ', reply expected' : ''}` }));
  each('cbdqs', state.cbdqs, (q) => ({ state: q.state, summary: `${q.name} of ${q.instance} queued=${q.queued.join(',') || 'none'}` }));
  each('irps', state.irps, (irp) => ({ state: irp.state, summary: `IRP of ${irp.operation}${irp.routine === null ? '' : ` routine=${irp.routine}`}` }));
  each('byteRangeLocks', state.byteRangeLocks, (l) => ({ state: l.state, summary: `${l.exclusive ? 'exclusive' : 'shared'} lock [${l.byteOffset}, +${l.length}) of ${l.fileObject} (pid ${l.processId}, key ${l.key}) by ${l.operation}` }));
  each('oplocks', state.oplocks, (o) => ({ state: o.state, summary: `oplock of file ${o.fileId}: ${o.holders.map((h) => `${h.fileObject} ${h.level}${h.breakingTo === null ? '' : ` breaking to ${h.breakingTo}`}`).join(', ') || 'no holder'}${o.waiters.length === 0 ? '' : `; waiting ${o.waiters.join(',')}`}${o.atomicRequest === undefined ? '' : `; ${o.atomicRequest} opened requiring an oplock`}` }));
  each('directoryNotifications', state.directoryNotifications, (n) => ({ state: n.state, summary: `change notify on ${n.fileObject}${n.watchTree ? ' (tree)' : ''} pending=${n.pending.join(',') || 'none'} queued=${n.queued}` }));
  each('sections', state.sections, (x) => ({ state: x.state, summary: `${x.kind === 'dataScan' ? 'data-scan section' : 'mapping'} of ${x.fileObject} refs=${x.references} views=${x.views.length}${x.dirty.length === 0 ? '' : ` dirty=${x.dirty.length}`}` }));
  each('ecpLists', state.ecpLists, (l) => ({ state: l.state, summary: `ECP list of ${label(l.filter)}: ${l.ecps.join(',') || 'empty'}` }));
  each('ecps', state.ecps, (e) => ({ state: e.state, summary: `ECP ${e.guid} (${e.size} bytes)${e.list === null ? '' : ` in ${e.list}`}` }));
  each('poolBlocks', state.poolBlocks, (b) => ({ state: b.state, summary: `pool '${b.tag}' ${b.bytes} bytes${b.owner === null ? '' : ` of ${label(b.owner)}`}` }));
  each('mdls', state.mdls, (m) => ({ state: m.state, summary: `MDL ${m.bytes} bytes${m.operation === null ? '' : ` for ${m.operation}`}${m.buffer === null ? '' : ` of ${m.buffer}`}` }));
  each('transactions', state.transactions, (t) => ({ state: t.state, summary: `transaction refs=${t.references}${t.handles.length === 0 ? '' : ` handles ${t.handles.join(',')}`}${t.enlistments.length === 0 ? '' : ` enlisted ${t.enlistments.map((e) => `${e.instance}${e.pending === null ? '' : ' (pending)'}`).join(', ')}`}` }));
  each('devices', state.devices, (d) => ({ state: d.state, summary: `device ${d.name ?? '(unnamed)'} of ${d.driver} refs=${d.references}` }));
  each('fileNames', state.fileNames, (n) => ({ state: n.state, summary: `name of ${n.fileObject}: ${n.name}${n.references.length === 0 ? '' : ` refs ${n.references.join(',')}`}${n.cacheKey === null ? '' : ' (cached)'}` }));
  return rows;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
