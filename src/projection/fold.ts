/**
 * Rebuild SimState from the log alone. Machine states are recomputed by feeding each object's
 * facts through the same XState machine definitions, with XState's pure `transition()`, so the fold
 * and the live kernel cannot disagree about what a fact does to a lifecycle; everything else (the
 * stack order, reference counts, thread states) is recomputed here independently of the kernel, so
 * a property test comparing the two catches facts that do not carry what they should.
 */
import { factsArgument } from '../kernel/dataArguments.js';
import { produce, type Draft } from 'immer';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { assertNever, type Fact } from '../kernel/facts.js';
import { filterMachine } from '../machines/filter.js';
import { instanceMachine } from '../machines/instance.js';
import { throwOnReject } from '../machines/machineContext.js';
import { volumeMachine } from '../machines/volume.js';
import { fileObjectMachine } from '../machines/fileObject.js';
import { callbackDataMachine } from '../machines/callbackData.js';
import { keventMachine } from '../machines/kevent.js';
import { LOCK_MACHINES } from '../machines/locks.js';
import { waitForGraph } from './waitFor.js';
import { contextMachine } from '../machines/context.js';
import { processMachine } from '../machines/process.js';
import { ecpListMachine, ecpMachine } from '../machines/ecp.js';
import { mdlMachine } from '../machines/mdl.js';
import { poolBlockMachine } from '../machines/poolBlock.js';
import { SYSTEM_PROCESS } from '../kernel/kernel.js';
import { DEFAULT_APPLICATION_PROCESS, SYSTEM_PID, FIRST_APPLICATION_PID } from '../io/processes.js';
import { initialFileObjectFlags } from '../io/fileObjectLifecycle.js';

const STARTING_PROCESSES: readonly (readonly [string, { readonly name: string; readonly pid: number }])[] = [
  [SYSTEM_PROCESS, { name: 'System', pid: SYSTEM_PID }],
  [DEFAULT_APPLICATION_PROCESS, { name: 'application.exe', pid: FIRST_APPLICATION_PID }],
];
import { contextTypeName } from '../wdk/contextConstants.js';
import { applyPortFact, isPortFact } from './portFold.js';
import { applyFsFact, isFsFact } from './fsFold.js';
import { applySectionFact, isSectionFact } from './sectionFold.js';
import { applyDeviceFact, isDeviceFact } from './deviceFold.js';
import { applyTransactionFact, isTransactionFact } from './transactionFold.js';
import { FO_HANDLE_CREATED } from '../wdk/fileConstants.js';
import { NT_SUCCESS } from '../wdk/ntstatus.js';
import { compareAltitudes } from '../wdk/altitude.js';
import { fileNameInformationMachine } from '../machines/fileNameInformation.js';
import { irpMachine } from '../machines/irp.js';
import { splitStatePath, statePath } from '../machines/stateValue.js';
import { cbdqMachine } from '../machines/cbdq.js';
import { emptySimState, idRecord, type SimState } from './simState.js';


const RECEIVING = new Set(['Attached', 'QueryTeardown', 'TeardownApproved']);

/** Fold `facts` (a whole log, or a prefix of one) into the state they describe. */
export function foldLog(facts: readonly Fact[]): SimState {
  factsArgument('foldLog', 'facts', facts);
  const machines = new Map<string, { machine: AnyStateMachine; snapshot: AnyMachineSnapshot }>();
  const born = (id: string, machine: AnyStateMachine): string => {
    const [snapshot] = initialTransition(machine, throwOnReject);
    machines.set(id, { machine, snapshot });
    return statePath(snapshot.value);
  };
  const advance = (fact: Fact): string | null => {
    const m = machines.get(fact.object);
    if (m === undefined) return null;
    const [snapshot] = transition(m.machine, m.snapshot, fact as never);
    m.snapshot = snapshot;
    return statePath(snapshot.value);
  };
  const sleepers = new Map<string, number>();
  const state = produce(emptySimState(), (draft) => {
    for (const fact of facts) applyFact(draft, fact, born, advance, sleepers);
    draft.seq = facts.length;
    for (const volume of Object.keys(draft.volumes)) restack(draft, volume);
    for (const t of Object.values(draft.threads)) delete (t as { wakeAt?: number }).wakeAt;
  });
  return withWaitCycles(state);
}

/** Fill in `waitCycles`, which follows from the rest of the state (the same function for live and folded states). */
export function withWaitCycles(state: SimState): SimState {
  return { ...state, waitCycles: waitForGraph(state).cycles };
}

/** Both give the machine's state as `statePath` does: a flat state's name, or `Top.Part` for a state with parts. */
export type Born = (id: string, machine: AnyStateMachine) => string;
export type Advance = (fact: Fact) => string | null;

/** The top-level state of a `statePath`: what a view whose machine has parts it does not show records. */
function topOf(path: string | null): string | null {
  return path === null ? null : splitStatePath(path)[0];
}

/**
 * Objects a fact changes without naming them in any field. Incremental folds (the Timeline's
 * checkpoints, the fold engine's `touched` set) copy and record only the objects a fact names, so
 * every such change must be listed here, computed from the state before the fact.
 */
export function changedUnnamed(state: Pick<SimState, 'instances'>, fact: Fact): string | null {
  // A declined instance leaves its filter's list (InstanceSetupReturned names only the instance).
  if (fact.type === 'InstanceSetupReturned') return state.instances[fact.object]?.filter ?? null;
  return null;
}

export function applyFact(d: Draft<SimState>, fact: Fact, born: Born, advance: Advance, sleepers?: Map<string, number>): void {
  d.time = fact.time;
  const id = fact.object;
  switch (fact.type) {
    case 'SimulationStart':
      d.seed = fact.seed;
      d.frames = fact.frames.map((f) => ({ ...f }));
      // The two processes every simulation starts with (src/io/processes.ts).
      for (const [pid, p] of STARTING_PROCESSES) {
        d.processes[pid] = { ...p, state: born(pid, processMachine) as never };
      }
      return;
    case 'ProcessCreate':
      d.processes[id] = { name: fact.name, pid: fact.pid, state: born(id, processMachine) as never };
      return;
    case 'ProcessExit':
      d.processes[id]!.state = advance(fact) as never;
      return;
    case 'ClockAdvance':
      if (sleepers !== undefined) {
        // An index of sleeping threads keeps long runs linear (scanning every thread is quadratic).
        for (const [thread, until] of sleepers) {
          if (until > fact.to) continue;
          sleepers.delete(thread);
          const t = d.threads[thread]!;
          if (t.state === 'sleeping') t.state = 'ready';
        }
        return;
      }
      for (const t of Object.values(d.threads)) if (t.state === 'sleeping' && (t as { wakeAt?: number }).wakeAt! <= fact.to) t.state = 'ready';
      return;
    case 'Choice':
      return;
    case 'VerifierViolation':
      d.violations.push({ seq: fact.seq, object: id, rule: fact.rule });
      advance(fact);
      return;
    case 'ThreadCreate':
      d.threads[id] = { name: fact.name, process: fact.process ?? SYSTEM_PROCESS, state: 'ready', waitingOn: null, waitReason: null, waitUntil: null, criticalRegion: 0, guardedRegion: 0, result: null, error: null };
      return;
    case 'ThreadWait':
      Object.assign(d.threads[id]!, { state: 'blocked', waitingOn: fact.on, waitReason: fact.reason });
      return;
    case 'ThreadWaitObjects':
      Object.assign(d.threads[id]!, { state: 'blocked', waitingOn: fact.on.join(','), waitReason: fact.reason, waitUntil: fact.until });
      return;
    case 'ThreadWake':
      Object.assign(d.threads[id]!, { state: 'ready', waitingOn: null, waitReason: null, waitUntil: null });
      return;
    case 'KeWait':
    case 'KeWaitReturned':
      return;
    case 'ApcRegion':
      Object.assign(d.threads[id]!, { criticalRegion: fact.criticalRegion, guardedRegion: fact.guardedRegion });
      return;
    case 'KeInitializeEvent': {
      const existing = d.events[id];
      if (existing === undefined) born(id, keventMachine);
      const state = advance(fact) as never;
      if (existing === undefined) d.events[id] = { name: fact.name, eventType: fact.eventType, state, setBy: [] };
      else Object.assign(existing, { name: fact.name, eventType: fact.eventType, state });
      return;
    }
    case 'KeSetEvent': {
      const e = d.events[id]!;
      e.state = advance(fact) as never;
      if (!e.setBy.includes(fact.thread)) e.setBy.push(fact.thread);
      return;
    }
    case 'KeResetEvent':
    case 'KeClearEvent':
    case 'EventAutoReset':
      d.events[id]!.state = advance(fact) as never;
      return;
    case 'LockInitialize': {
      if (d.locks[id] === undefined || d.locks[id]!.state === 'Deleted') born(id, LOCK_MACHINES[fact.lockType]);
      d.locks[id] = { name: fact.name, lockType: fact.lockType, state: advance(fact) as never, owners: idRecord() };
      return;
    }
    case 'LockAcquire': {
      const l = d.locks[id]!;
      l.state = advance(fact) as never;
      l.owners[fact.thread] = (l.owners[fact.thread] ?? 0) + 1;
      return;
    }
    case 'LockRelease': {
      const l = d.locks[id]!;
      l.state = advance(fact) as never;
      const count = (l.owners[fact.thread] ?? 0) - 1;
      if (count > 0) l.owners[fact.thread] = count;
      else delete l.owners[fact.thread];
      return;
    }
    case 'LockDelete':
      d.locks[id]!.state = advance(fact) as never;
      return;
    case 'ThreadSleep':
      // wakeAt is kept only while folding and removed before the state is handed out.
      Object.assign(d.threads[id]!, { state: 'sleeping', wakeAt: fact.until });
      sleepers?.set(id, fact.until);
      return;
    case 'ThreadExit': {
      const t = d.threads[id]!;
      t.state = 'exited';
      t.waitingOn = null;
      t.waitReason = null;
      t.waitUntil = null;
      t.result = fact.result;
      t.error = fact.error;
      return;
    }
    case 'VolumeMount':
      d.volumes[id] = {
        name: fact.name,
        dosName: fact.dosName,
        fsType: fact.fsType,
        state: born(id, volumeMachine) as never,
        references: 0,
        stack: [],
      };
      return;
    case 'VolumeMounted':
    case 'VolumeFirstOperation':
    case 'VolumeDismount':
    case 'VolumeDismounted': {
      // Mounted's part says whether the first operation came (src/machines/volume.ts).
      const [state, part] = splitStatePath(advance(fact)!);
      const volume = d.volumes[id]!;
      volume.state = state as never;
      if (part === 'FirstOperationSeen') volume.firstOperationSeen = true;
      else delete volume.firstOperationSeen;
      return;
    }
    case 'LegacyFilterAttach':
      d.legacyFilters[id] = { name: fact.name, volume: fact.volume, aboveFrame: fact.aboveFrame };
      return;
    case 'FltRegisterFilter':
      d.filters[id] = { name: fact.name, state: born(id, filterMachine) as never, references: 0, instances: [], waitingFor: null };
      return;
    case 'FltStartFiltering':
    case 'FilterUnloadCallback':
    case 'FilterUnloadReturned':
    case 'FltUnregisterFilter':
    case 'DriverUnload':
      d.filters[id]!.state = advance(fact) as never;
      return;
    case 'FltUnregisterFilterReturned':
      Object.assign(d.filters[id]!, { state: advance(fact), waitingFor: null });
      return;
    case 'RundownWait': {
      advance(fact);
      const waiter = d.filters[id] ?? d.instances[id];
      if (waiter !== undefined) waiter.waitingFor = [...fact.holders];
      return;
    }
    case 'InstanceSetup':
      d.instances[id] = {
        filter: fact.filter,
        volume: fact.volume,
        name: fact.name,
        altitude: fact.altitude,
        frame: fact.frame,
        state: born(id, instanceMachine) as never,
        references: 0,
        waitingFor: null,
      };
      d.filters[fact.filter]!.instances.push(id);
      return;
    case 'InstanceSetupReturned': {
      const instance = d.instances[id]!;
      instance.state = advance(fact) as never;
      if (instance.state !== 'Declined') return;
      // A declined instance is freed at once and was never the filter's (§3): gone from the views.
      const list = d.filters[instance.filter]!.instances;
      list.splice(list.indexOf(id), 1);
      delete d.instances[id];
      return;
    }
    case 'InstanceQueryTeardown':
    case 'InstanceQueryTeardownReturned':
    case 'InstanceTeardownStart':
    case 'InstanceTeardownStartReturned':
    case 'InstanceTeardownCompleteReturned':
    case 'InstanceFreed':
      d.instances[id]!.state = advance(fact) as never;
      return;
    case 'InstanceTeardownComplete':
      Object.assign(d.instances[id]!, { state: advance(fact), waitingFor: null });
      return;
    case 'FltRegisterForDataScan':
      advance(fact);
      d.instances[id]!.registeredForDataScan = true;
      return;
    case 'FltObjectReference':
    case 'FltObjectDereference': {
      advance(fact);
      const target = d.filters[id] ?? d.instances[id] ?? d.volumes[id];
      if (target !== undefined) target.references = fact.count;
      return;
    }
    case 'RoutineFailed':
      advance(fact);
      return;
    case 'FileObjectCreate':
      d.fileObjects[id] = {
        volume: fact.volume,
        fileName: fact.fileName,
        state: born(id, fileObjectMachine) as never,
        flags: initialFileObjectFlags(fact.fileName, fact.relatedFileObject),
        currentByteOffset: 0,
        handles: [],
        ...(fact.transaction === undefined ? {} : { transaction: fact.transaction }),
      };
      return;
    case 'IoReplaceFileObjectName':
      advance(fact);
      d.fileObjects[id]!.fileName = fact.fileName;
      return;
    case 'FileObjectOpened': {
      const fo = d.fileObjects[id]!;
      fo.state = advance(fact) as never;
      fo.flags = fact.flags;
      return;
    }
    case 'FileObjectUpdate': {
      const fo = d.fileObjects[id]!;
      advance(fact);
      fo.flags = fact.flags;
      fo.currentByteOffset = fact.currentByteOffset;
      return;
    }
    case 'FileObjectHandleCreated': {
      const fo = d.fileObjects[id]!;
      fo.state = advance(fact) as never;
      fo.flags = (fo.flags | FO_HANDLE_CREATED) >>> 0;
      fo.handles.push(fact.handle);
      return;
    }
    case 'FileObjectHandleClosed': {
      const fo = d.fileObjects[id]!;
      fo.state = advance(fact) as never;
      fo.handles = fo.handles.filter((h) => h !== fact.handle);
      return;
    }
    case 'CcInitializeCacheMap':
      advance(fact);
      d.fileObjects[id]!.cacheInitiated = true;
      return;
    case 'FileObjectOpenCancelled':
    case 'FileObjectCleanup':
      d.fileObjects[id]!.state = advance(fact) as never;
      return;
    case 'FileObjectOpenFailed':
    case 'FileObjectDiscarded':
    case 'FileObjectClose':
      advance(fact);
      delete d.fileObjects[id];
      return;
    case 'FltAllocateCallbackData':
      d.operations[id] = {
        major: 0,
        fileObject: fact.fileObject,
        volume: fact.volume,
        initiator: fact.instance,
        thread: null,
        state: born(id, callbackDataMachine) as never,
        pendedBy: null,
        allocatedBy: fact.instance,
      };
      return;
    case 'IoStart': {
      // FltMgr's own data is born with its IoStart; a filter's allocated data was born earlier.
      const existing = d.operations[id];
      if (existing === undefined) born(id, callbackDataMachine);
      d.operations[id] = {
        major: fact.major,
        fileObject: fact.fileObject,
        volume: fact.volume,
        initiator: fact.initiator,
        thread: fact.thread,
        state: advance(fact) as never,
        pendedBy: null,
        allocatedBy: existing?.allocatedBy ?? null,
      };
      return;
    }
    case 'FltReuseCallbackData':
    case 'AsyncIoCallback':
    case 'AsyncIoCallbackReturned': // may follow a free inside the callback: the view is gone then

    case 'FltReissueSynchronousIo': {
      // Completed's parts (IoCompleted, AsyncIoCallbackCalled) are the engine's; the view names Completed.
      const state = topOf(advance(fact));
      const op = d.operations[id];
      if (op !== undefined) op.state = state as never;
      return;
    }
    case 'FltFreeCallbackData':
      advance(fact);
      delete d.operations[id];
      return;
    case 'FltCancelFileOpen':
      d.fileObjects[id]!.state = advance(fact) as never;
      return;
    // A request lives on the operation until its callback; neither changes an object's state.
    case 'FltRequestOperationStatusCallback':
    case 'OperationStatusCallback':
    case 'OperationStatusCallbackReturned':
      return;
    case 'PreOperationReturned':
    case 'PostOperationReturned': {
      const op = d.operations[id]!;
      op.state = advance(fact) as never;
      op.pendedBy = op.state === 'PrePended' || op.state === 'PostPended' ? fact.instance : null;
      return;
    }
    case 'FltCompletePendedPreOperation':
    case 'FltCompletePendedPostOperation': {
      const op = d.operations[id]!;
      op.state = advance(fact) as never;
      op.pendedBy = null;
      return;
    }
    case 'PreOperation':
    case 'LegacyFilterDispatch':
    case 'LegacyFilterCompletion':
    case 'FsDispatch':
    case 'FsPending':
    case 'FsComplete':
    case 'FsFastIoDeclined':
    case 'PostOperation':
    case 'DrainPostOperation':
      d.operations[id]!.state = advance(fact) as never;
      return;
    case 'DrainPostOperationReturned': {
      // May come after the operation completed and left the state (the drain ran on a copy).
      const state = topOf(advance(fact));
      const op = d.operations[id];
      if (op !== undefined) op.state = state as never;
      return;
    }
    case 'IoComplete': {
      const state = topOf(advance(fact));
      const op = d.operations[id]!;
      if (op.allocatedBy === null) delete d.operations[id];
      else op.state = state as never;
      return;
    }
    case 'PoolAllocate':
      d.poolBlocks[id] = { owner: fact.owner, tag: fact.tag, bytes: fact.bytes, aligned: fact.aligned, alignment: fact.alignment, state: born(id, poolBlockMachine) as never };
      return;
    case 'PoolFree':
      advance(fact);
      delete d.poolBlocks[id];
      return;
    case 'IoAllocateMdl':
      d.mdls[id] = { owner: fact.owner, buffer: fact.buffer, bytes: fact.bytes, operation: fact.operation, state: born(id, mdlMachine) as never };
      return;
    case 'MdlLocked':
    case 'FltRetainSwappedBufferMdlAddress': {
      // Locked's part says whether a swapping post-op retained it (src/machines/mdl.ts).
      const path = advance(fact);
      const mdl = d.mdls[id];
      if (mdl === undefined || path === null) return; // retained after the filter freed it: the view is gone
      const [state, part] = splitStatePath(path);
      mdl.state = state as never;
      if (part === 'Retained') mdl.retained = true;
      return;
    }
    case 'IoFreeMdl':
      advance(fact);
      delete d.mdls[id];
      return;
    case 'BuffersSwapped':
    case 'SwappedOperationCancelled':
      return;
    case 'FltAllocateExtraCreateParameterList':
      d.ecpLists[id] = { filter: fact.filter, state: born(id, ecpListMachine) as never, ecps: [] };
      return;
    case 'FltFreeExtraCreateParameterList':
      advance(fact);
      delete d.ecpLists[id];
      return;
    case 'FltAllocateExtraCreateParameter':
      d.ecps[id] = { filter: fact.filter, guid: fact.guid, size: fact.size, state: born(id, ecpMachine) as never, list: null };
      return;
    case 'FltInsertExtraCreateParameter': {
      const e = d.ecps[id]!;
      e.state = advance(fact) as never;
      e.list = fact.list;
      d.ecpLists[fact.list]!.ecps.push(id);
      return;
    }
    case 'FltRemoveExtraCreateParameter': {
      const e = d.ecps[id]!;
      e.state = advance(fact) as never;
      e.list = null;
      const list = d.ecpLists[fact.list]!;
      list.ecps = list.ecps.filter((x) => x !== id);
      return;
    }
    case 'FltAcknowledgeEcp':
    case 'FltPrepareToReuseEcp':
    case 'EcpTargetAdjusted':
      d.ecps[id]!.state = advance(fact) as never;
      return;
    case 'FltFreeExtraCreateParameter': {
      advance(fact);
      const list = d.ecps[id]!.list;
      if (list !== null && d.ecpLists[list] !== undefined) d.ecpLists[list]!.ecps = d.ecpLists[list]!.ecps.filter((x) => x !== id);
      delete d.ecps[id];
      return;
    }
    case 'FltAllocateContext':
      d.contexts[id] = {
        filter: fact.filter,
        contextType: contextTypeName(fact.contextType),
        size: fact.size,
        state: born(id, contextMachine) as never,
        references: 1,
        target: null,
        instance: null,
      };
      return;
    case 'FltReferenceContext':
    case 'FltReleaseContext': {
      const c = d.contexts[id]!;
      c.state = advance(fact) as never;
      c.references = fact.count;
      return;
    }
    case 'ContextLinked': {
      const c = d.contexts[id]!;
      c.state = advance(fact) as never;
      c.references = fact.count;
      c.target = fact.target;
      c.instance = fact.instance;
      return;
    }
    case 'ContextUnlinked': {
      const c = d.contexts[id]!;
      c.state = advance(fact) as never;
      c.references = fact.count;
      c.target = null;
      c.instance = null;
      return;
    }
    case 'ContextCleanupCallback':
      d.contexts[id]!.state = advance(fact) as never;
      return;
    case 'ContextFreed':
      advance(fact);
      delete d.contexts[id];
      return;
    case 'FileNameQuery':
    case 'NameCacheMiss':
    case 'FileSystemNameQuery':
    case 'GenerateFileName':
    case 'GenerateFileNameReturned':
    case 'NormalizeNameComponent':
    case 'NormalizeNameComponentReturned':
    case 'NormalizeContextCleanup':
    case 'FltParseFileNameInformation':
    case 'FltGetTunneledName':
      advance(fact);
      return;
    case 'FileNameInformationCreate':
      d.fileNames[id] = {
        fileObject: fact.fileObject,
        volume: fact.volume,
        format: fact.format,
        name: fact.name,
        provider: fact.provider,
        state: born(id, fileNameInformationMachine) as never,
        references: [fact.filter],
        cacheKey: null,
      };
      return;
    case 'NameCacheInsert': {
      advance(fact);
      d.fileNames[id]!.cacheKey = fact.key;
      d.nameCache[fact.key] = id;
      return;
    }
    case 'NameCacheHit':
    case 'FltReferenceFileNameInformation': {
      const n = d.fileNames[id]!;
      n.state = advance(fact) as never;
      n.references.push(fact.filter);
      n.references.sort();
      return;
    }
    case 'FltReleaseFileNameInformation': {
      const n = d.fileNames[id]!;
      n.state = advance(fact) as never;
      const at = n.references.indexOf(fact.filter);
      if (at >= 0) n.references.splice(at, 1);
      if (n.state === 'Freed') delete d.fileNames[id];
      return;
    }
    case 'NameCacheInvalidate': {
      const state = advance(fact);
      delete d.nameCache[fact.key];
      const n = d.fileNames[id];
      if (n === undefined) return;
      n.cacheKey = null;
      n.state = state as never;
      if (n.state === 'Freed') delete d.fileNames[id];
      return;
    }
    case 'IoSetCancelRoutine':
    case 'CancelRoutineCleared':
    case 'IoCancelIrp': {
      // An IRP is born with its first cancel fact (src/io/irpCancel.ts).
      if (d.irps[id] === undefined) {
        born(id, irpMachine);
        d.irps[id] = { operation: fact.operation, state: 'NotCancelable', routine: null };
      }
      const irp = d.irps[id]!;
      // Cancelable's part is who armed the routine (src/machines/irp.ts).
      const [state, routine] = splitStatePath(advance(fact)!);
      irp.state = state as never;
      irp.routine = routine as never;
      return;
    }
    case 'IoCompleteRequest':
      advance(fact);
      delete d.irps[id];
      return;
    case 'FltCbdqInitialize':
      if (d.cbdqs[id] === undefined) born(id, cbdqMachine);
      d.cbdqs[id] = { name: fact.name, instance: fact.instance, state: advance(fact) as never, queued: [] };
      return;
    case 'FltCbdqInsertIo': {
      const q = d.cbdqs[id]!;
      q.state = advance(fact) as never;
      if (NT_SUCCESS(fact.status)) q.queued.push(fact.operation);
      return;
    }
    case 'FltCbdqRemoveIo':
    case 'FltCbdqRemoveNextIo':
    case 'CbdqCompleteCanceledIo': {
      const q = d.cbdqs[id]!;
      q.state = advance(fact) as never;
      const at = fact.operation === null ? -1 : q.queued.indexOf(fact.operation);
      if (at >= 0) q.queued.splice(at, 1);
      return;
    }
    case 'FltCbdqDisable':
    case 'FltCbdqEnable':
      d.cbdqs[id]!.state = advance(fact) as never;
      return;
    default:
      if (isPortFact(fact)) return applyPortFact(d, fact, born, advance);
      if (isFsFact(fact)) return applyFsFact(d, fact, born, advance);
      if (isSectionFact(fact)) return applySectionFact(d, fact, born, advance);
      if (isDeviceFact(fact)) return applyDeviceFact(d, fact, born, advance);
      if (isTransactionFact(fact)) return applyTransactionFact(d, fact, born, advance);
      assertNever(fact, 'fact');
  }
}

/** The device stack rule of §6, recomputed from the folded records. */
export function restack(d: Draft<SimState>, volumeId: string): void {
  const instances = Object.entries(d.instances)
    .filter(([, i]) => i.volume === volumeId && RECEIVING.has(i.state))
    .sort(([, a], [, b]) => compareAltitudes(b.altitude, a.altitude));
  const legacy = Object.entries(d.legacyFilters).filter(([, l]) => l.volume === volumeId);
  const stack: string[] = [];
  const legacyAt = (k: number): void => {
    for (let i = legacy.length - 1; i >= 0; i--) if (legacy[i]![1].aboveFrame === k) stack.push(legacy[i]![0]);
  };
  for (let k = d.frames.length - 1; k >= 0; k--) {
    legacyAt(k);
    for (const [iid, i] of instances) if (i.frame === k) stack.push(iid);
  }
  legacyAt(-1);
  d.volumes[volumeId]!.stack = stack;
}
