/**
 * The views of the walk's objects in SimState (src/projection/simState.ts): threads, filters, volumes,
 * instances, legacy filters, file objects, operations, KEVENTs and locks, and verifier violations.
 * Plain data, as a person or a checker reads it; the facilities' views (§15–§24) are facilityViews.ts.
 */
import type { ThreadState } from '../kernel/thread.js';
import type { FilterState } from '../machines/filter.js';
import type { InstanceState } from '../machines/instance.js';
import type { VolumeState } from '../machines/volume.js';
import type { FileObjectState } from '../machines/fileObject.js';
import type { CallbackDataState } from '../machines/callbackData.js';
import type { EventType, LockType } from '../kernel/facts.js';
import type { KeventState } from '../machines/kevent.js';
import type { EresourceState } from '../machines/eresource.js';
import type { PushLockState } from '../machines/pushLock.js';
import type { ExclusiveLockState } from '../machines/exclusiveLock.js';
import type { WorkItemState } from '../machines/workItem.js';

export interface ThreadView {
  readonly name: string;
  /** The owning process (P0 System, P1 the default application process). */
  readonly process: string;
  readonly state: ThreadState;
  readonly waitingOn: string | null;
  /** Why it waits, as the wait was logged (`D3 completion`, `unload gate of F1`, `FltAcquireResourceExclusive K2 Exclusive`). */
  readonly waitReason: string | null;
  /** The deadline of a wait with a timeout: such a wait ends by itself, so it is never part of a deadlock. */
  readonly waitUntil: number | null;
  /** KeEnterCriticalRegion / FsRtlEnterFileSystem depth and KeEnterGuardedRegion depth (§18.1). */
  readonly criticalRegion: number;
  readonly guardedRegion: number;
  readonly result: number | null;
  readonly error: string | null;
}

export interface FilterView {
  readonly name: string;
  readonly state: FilterState;
  readonly references: number;
  readonly instances: readonly string[];
  /** While its unload waits on the unload gate: what held the gate when the wait began (RundownWait). */
  readonly waitingFor: readonly string[] | null;
}

export interface VolumeView {
  readonly name: string;
  readonly dosName: string | null;
  readonly fsType: string;
  readonly state: VolumeState;
  readonly references: number;
  /** Device stack top to bottom: instance ids (I…) and legacy filter ids (L…); the FS is below the last. */
  readonly stack: readonly string[];
  /** Mounted, and the first operation has reached it: FltMgr's automatic attachment came then (§13 A7). */
  readonly firstOperationSeen?: true;
}

export interface InstanceView {
  readonly filter: string;
  readonly volume: string;
  readonly name: string;
  readonly altitude: string;
  readonly frame: number;
  readonly state: InstanceState;
  readonly references: number;
  /** While TeardownComplete waits for the drain: what held it when the wait began (RundownWait). */
  readonly waitingFor: readonly string[] | null;
  /** Present once FltRegisterForDataScan succeeded (§24.4). */
  readonly registeredForDataScan?: true;
}

export interface LegacyFilterView {
  readonly name: string;
  readonly volume: string;
  readonly aboveFrame: number;
}

export interface FileObjectView {
  readonly volume: string;
  readonly fileName: string;
  readonly state: FileObjectState;
  readonly flags: number;
  readonly currentByteOffset: number;
  /** Handles open on it now. */
  readonly handles: readonly string[];
  /** The KTM transaction of a transacted open (§22.4); absent otherwise. */
  readonly transaction?: string;
  /** Caching initiated on it (CcInitializeCacheMap, §24.2; only under `semantics.fastIo: 'whereWindows'`); absent otherwise. */
  readonly cacheInitiated?: true;
}

/** An operation in flight, or callback data a filter allocated and has not freed (other completed operations leave the state; their facts stay in the log). */
export interface OperationView {
  readonly major: number;
  readonly fileObject: string | null;
  readonly volume: string;
  readonly initiator: string | null;
  readonly thread: string | null;
  readonly state: CallbackDataState;
  /** The instance holding it pended (pre or post), if any. */
  readonly pendedBy: string | null;
  /** For callback data a filter allocated: the instance; it stays here until FltFreeCallbackData. */
  readonly allocatedBy: string | null;
}

/** A KEVENT (§18.2). */
export interface EventView {
  readonly name: string;
  readonly eventType: EventType;
  readonly state: KeventState;
  /** Threads that have called KeSetEvent on it, in the order they first did: who a waiter expects to signal it. */
  readonly setBy: readonly string[];
}

/** An ERESOURCE, mutex, push lock or spin lock (§18.4). */
export interface LockView {
  readonly name: string;
  readonly lockType: LockType;
  readonly state: EresourceState | PushLockState | ExclusiveLockState;
  /** Owning thread → how many times it holds the lock (recursion), in the order they were granted it. */
  readonly owners: Readonly<Record<string, number>>;
}

/** A work item not yet freed (§12.1): FltAllocateGenericWorkItem or FltAllocateDeferredIoWorkItem. */
export interface WorkItemView {
  readonly kind: 'generic' | 'deferredIo';
  /** The filter whose code allocated it, or null. */
  readonly owner: string | null;
  readonly state: WorkItemState;
}

export interface ViolationView {
  readonly seq: number;
  readonly object: string;
  readonly rule: string;
}
