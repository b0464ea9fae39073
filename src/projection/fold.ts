/**
 * Rebuild SimState from the log alone. Machine states are recomputed by feeding each object's
 * facts through the same XState machine definitions, with XState's pure `transition()`, so the fold
 * and the live kernel cannot disagree about what a fact does to a lifecycle; everything else (the
 * stack order, reference counts, thread states) is recomputed here independently of the kernel, so
 * a property test comparing the two catches facts that do not carry what they should.
 *
 * This file folds the simulation, processes, volumes, filters and instances; each other kind of
 * object has a part of its own beside it (threadFold.ts, operationFold.ts, fileObjectFold.ts, …),
 * which `applyFact` hands the facts that part accepts.
 */
import { factsArgument } from '../kernel/dataArguments.js';
import { produce, type Draft } from 'immer';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { assertNever, type Fact } from '../kernel/facts.js';
import { filterMachine } from '../machines/filter.js';
import { instanceMachine } from '../machines/instance.js';
import { throwOnReject } from '../machines/machineContext.js';
import { volumeMachine } from '../machines/volume.js';
import { processMachine } from '../machines/process.js';
import { splitStatePath, statePath } from '../machines/stateValue.js';
import { SYSTEM_PROCESS } from '../kernel/kernel.js';
import { DEFAULT_APPLICATION_PROCESS, SYSTEM_PID, FIRST_APPLICATION_PID } from '../io/processes.js';
import { compareAltitudes } from '../wdk/altitude.js';
import { waitForGraph } from './waitFor.js';
import { emptySimState, type SimState } from './simState.js';
import { applyThreadFact, isThreadFact } from './threadFold.js';
import { applyFileObjectFact, isFileObjectFact } from './fileObjectFold.js';
import { applyOperationFact, isOperationFact } from './operationFold.js';
import { applyMemoryFact, isMemoryFact } from './memoryFold.js';
import { applyWorkItemFact, isWorkItemFact } from './workItemFold.js';
import { applyEcpFact, isEcpFact } from './ecpFold.js';
import { applyContextFact, isContextFact } from './contextFold.js';
import { applyNameFact, isNameFact } from './nameFold.js';
import { applyCancelFact, isCancelFact } from './cancelFold.js';
import { applyPortFact, isPortFact } from './portFold.js';
import { applyFsFact, isFsFact } from './fsFold.js';
import { applySectionFact, isSectionFact } from './sectionFold.js';
import { applyDeviceFact, isDeviceFact } from './deviceFold.js';
import { applyTransactionFact, isTransactionFact } from './transactionFold.js';

// The two processes every simulation starts with (src/io/processes.ts).
const STARTING_PROCESSES: readonly (readonly [string, { readonly name: string; readonly pid: number }])[] = [
  [SYSTEM_PROCESS, { name: 'System', pid: SYSTEM_PID }],
  [DEFAULT_APPLICATION_PROCESS, { name: 'application.exe', pid: FIRST_APPLICATION_PID }],
];

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

/**
 * Objects a fact changes without naming them in any field. Incremental folds (the Timeline's
 * checkpoints, the fold engine's `touched` set) copy and record only the objects a fact names, so
 * every such change must be listed here, computed from the state before the fact.
 */
export function changedUnnamed(state: Pick<SimState, 'instances' | 'messages' | 'clientPorts'>, fact: Fact): string | null {
  // A declined instance leaves its filter's list (InstanceSetupReturned names only the instance).
  if (fact.type === 'InstanceSetupReturned') return state.instances[fact.object]?.filter ?? null;
  // A client port rejected by the connect callback, or disconnected, leaves its server port's
  // connections (the facts name only the client port).
  if (fact.type === 'ConnectNotifyReturned' || fact.type === 'DisconnectNotifyReturned') return state.clientPorts[fact.object]?.serverPort ?? null;
  // A message delivered, replied to or withdrawn leaves its client port's queues (the facts name only the message).
  if (fact.type === 'FilterMessageDelivered' || fact.type === 'FilterReplyMessage' || fact.type === 'FilterMessageWithdrawn') return state.messages[fact.object]?.port ?? null;
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
    case 'Choice':
      return;
    case 'VerifierViolation':
      d.violations.push({ seq: fact.seq, object: id, rule: fact.rule });
      advance(fact);
      return;
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
        state: topOf(born(id, instanceMachine)) as never,
        references: 0,
        waitingFor: null,
      };
      d.filters[fact.filter]!.instances.push(id);
      return;
    case 'InstanceSetupReturned': {
      const instance = d.instances[id]!;
      advanceInstance(d, fact, advance);
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
    case 'FltRegisterForDataScan':
      advanceInstance(d, fact, advance);
      return;
    case 'InstanceTeardownComplete':
      advanceInstance(d, fact, advance);
      d.instances[id]!.waitingFor = null;
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
    default:
      if (isOperationFact(fact)) return applyOperationFact(d, fact, born, advance);
      if (isFileObjectFact(fact)) return applyFileObjectFact(d, fact, born, advance);
      if (isThreadFact(fact)) return applyThreadFact(d, fact, born, advance, sleepers);
      if (isMemoryFact(fact)) return applyMemoryFact(d, fact, born, advance);
      if (isWorkItemFact(fact)) return applyWorkItemFact(d, fact, born, advance);
      if (isEcpFact(fact)) return applyEcpFact(d, fact, born, advance);
      if (isContextFact(fact)) return applyContextFact(d, fact, born, advance);
      if (isNameFact(fact)) return applyNameFact(d, fact, born, advance);
      if (isCancelFact(fact)) return applyCancelFact(d, fact, born, advance);
      if (isPortFact(fact)) return applyPortFact(d, fact, born, advance);
      if (isFsFact(fact)) return applyFsFact(d, fact, born, advance);
      if (isSectionFact(fact)) return applySectionFact(d, fact, born, advance);
      if (isDeviceFact(fact)) return applyDeviceFact(d, fact, born, advance);
      if (isTransactionFact(fact)) return applyTransactionFact(d, fact, born, advance);
      assertNever(fact, 'fact');
  }
}

/** The top-level state of a `statePath`. */
function topOf(path: string): string {
  return splitStatePath(path)[0];
}

/** An instance fact: the view takes the machine's top-level state, and its data-scan part (src/machines/instance.ts). */
function advanceInstance(d: Draft<SimState>, fact: Fact, advance: Advance): void {
  const [state, part] = splitStatePath(advance(fact)!);
  const instance = d.instances[fact.object]!;
  instance.state = state as never;
  if (part === 'RegisteredForDataScan') instance.registeredForDataScan = true;
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
