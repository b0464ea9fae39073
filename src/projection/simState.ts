/**
 * The state of a whole simulation as plain data: what a person, a checker or a debugger reads.
 * Built two ways that must agree: live from the kernel (liveState) and from the log alone (foldLog).
 * Records are keyed by object id; keys are inserted in creation order, so serialisation is stable.
 *
 * The views of the objects are in coreViews.ts (the walk's objects) and facilityViews.ts (§15–§24),
 * re-exported here.
 */
import type { FrameSpec } from '../kernel/facts.js';
import type { WaitForEdge } from './waitFor.js';
import type { ThreadView, FilterView, VolumeView, InstanceView, LegacyFilterView, FileObjectView, OperationView, EventView, LockView, ViolationView, WorkItemView } from './coreViews.js';
import type { IrpView, CbdqView, ProcessView, ContextView, EcpListView, EcpView, PoolBlockView, MdlView, FileNameInformationView, ServerPortView, ClientPortView, MessageView, ByteRangeLockView, DirectoryNotificationView, OplockView, TransactionView, SectionView, DeviceObjectView } from './facilityViews.js';

export type { EventView, FileObjectView, FilterView, InstanceView, LegacyFilterView, LockView, OperationView, ThreadView, ViolationView, VolumeView, WorkItemView } from './coreViews.js';
export type { ByteRangeLockView, CbdqView, ClientPortView, ContextView, DeviceObjectView, DirectoryNotificationView, EcpListView, EcpView, FileNameInformationView, IrpView, MdlView, MessageView, OplockView, PoolBlockView, ProcessView, SectionView, ServerPortView, TransactionView } from './facilityViews.js';

export interface SimState {
  /** Number of facts folded: the log position this state is at. */
  readonly seq: number;
  readonly time: number;
  readonly seed: number;
  readonly frames: readonly FrameSpec[];
  readonly processes: Readonly<Record<string, ProcessView>>;
  readonly threads: Readonly<Record<string, ThreadView>>;
  readonly filters: Readonly<Record<string, FilterView>>;
  readonly volumes: Readonly<Record<string, VolumeView>>;
  readonly instances: Readonly<Record<string, InstanceView>>;
  readonly legacyFilters: Readonly<Record<string, LegacyFilterView>>;
  readonly fileObjects: Readonly<Record<string, FileObjectView>>;
  readonly operations: Readonly<Record<string, OperationView>>;
  readonly events: Readonly<Record<string, EventView>>;
  readonly locks: Readonly<Record<string, LockView>>;
  readonly workItems: Readonly<Record<string, WorkItemView>>;
  readonly irps: Readonly<Record<string, IrpView>>;
  readonly cbdqs: Readonly<Record<string, CbdqView>>;
  readonly contexts: Readonly<Record<string, ContextView>>;
  readonly sections: Readonly<Record<string, SectionView>>;
  readonly ecpLists: Readonly<Record<string, EcpListView>>;
  readonly ecps: Readonly<Record<string, EcpView>>;
  readonly poolBlocks: Readonly<Record<string, PoolBlockView>>;
  readonly mdls: Readonly<Record<string, MdlView>>;
  readonly fileNames: Readonly<Record<string, FileNameInformationView>>;
  /** The name cache: entry key (`volume|scope|format|provider`) → the name information it holds. */
  readonly nameCache: Readonly<Record<string, string>>;
  readonly serverPorts: Readonly<Record<string, ServerPortView>>;
  readonly clientPorts: Readonly<Record<string, ClientPortView>>;
  readonly messages: Readonly<Record<string, MessageView>>;
  readonly byteRangeLocks: Readonly<Record<string, ByteRangeLockView>>;
  readonly directoryNotifications: Readonly<Record<string, DirectoryNotificationView>>;
  readonly oplocks: Readonly<Record<string, OplockView>>;
  readonly devices: Readonly<Record<string, DeviceObjectView>>;
  readonly transactions: Readonly<Record<string, TransactionView>>;
  readonly violations: readonly ViolationView[];
  /**
   * Cycles of the wait-for graph now (src/projection/waitFor.ts): threads that wait, each for
   * something only the next one can give. A cycle never resolves by itself.
   */
  readonly waitCycles: readonly (readonly WaitForEdge[])[];
}

/**
 * A record of views keyed by object id, with no prototype: a key read from a trace file (already
 * checked to look like an id) can never reach Object.prototype, whatever it is (docs/security.md).
 */
export function idRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A fresh empty state: its records have no prototype (idRecord), and each fold or timeline gets its own. */
export function emptySimState(): SimState {
  return {
    seq: 0,
    time: 0,
    seed: 0,
    frames: [],
    processes: idRecord(),
    threads: idRecord(),
    filters: idRecord(),
    volumes: idRecord(),
    instances: idRecord(),
    legacyFilters: idRecord(),
    fileObjects: idRecord(),
    operations: idRecord(),
    events: idRecord(),
    locks: idRecord(),
    workItems: idRecord(),
    irps: idRecord(),
    cbdqs: idRecord(),
    contexts: idRecord(),
    sections: idRecord(),
    ecpLists: idRecord(),
    ecps: idRecord(),
    poolBlocks: idRecord(),
    mdls: idRecord(),
    fileNames: idRecord(),
    nameCache: idRecord(),
    serverPorts: idRecord(),
    clientPorts: idRecord(),
    messages: idRecord(),
    byteRangeLocks: idRecord(),
    directoryNotifications: idRecord(),
    oplocks: idRecord(),
    devices: idRecord(),
    transactions: idRecord(),
    violations: [],
    waitCycles: [],
  };
}
