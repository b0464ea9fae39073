/**
 * The facts of the walk and the Filter Manager's own objects: the simulation and its threads, the
 * dispatcher objects and locks a filter waits on (§18), volumes, filters, instances, their rundown
 * references, file objects, callback data, generated I/O, and a routine's failure. One part of the
 * union in facts.ts; the facilities a minifilter uses beside the walk (§15–§24) are facilityFacts.ts.
 * Split by that line so the two halves stay readable; nothing but facts.ts needs to import this file.
 */
import type { NTSTATUS } from '../wdk/ntstatus.js';

export type CoreFact =
  // --- the simulation ---
  | { type: 'SimulationStart'; seed: number; frames: readonly FrameSpec[]; version: string }
  | { type: 'ClockAdvance'; to: number }
  | { type: 'Choice'; task: string; of: number }
  | { type: 'VerifierViolation'; rule: string; message: string }
  // --- simulated threads ---
  /** `process`: absent for the System process (kernel threads), else the process id (P1 is the default application process). */
  | { type: 'ThreadCreate'; name: string; parent: string | null; process?: string }
  | { type: 'ThreadWait'; on: string; reason: string }
  /** A wait on several objects, or with a timeout (KeWaitForMultipleObjects and friends); `until` is the deadline. */
  | { type: 'ThreadWaitObjects'; on: readonly string[]; waitType: 'WaitAny' | 'WaitAll'; until: number | null; reason: string }
  /** `by`: the waitable whose signal released the thread, or `timeout`. */
  | { type: 'ThreadWake'; by: string }
  | { type: 'ThreadSleep'; until: number }
  | { type: 'ThreadExit'; result: number | null; error: string | null }
  /** A KeWaitForSingleObject / KeWaitForMultipleObjects / FltCancellableWaitFor… call on `on` (E…, K…, W…); `timeout` in ticks, null for none (§18.2). */
  | { type: 'KeWait'; routine: string; on: readonly string[]; waitType: 'WaitAny' | 'WaitAll'; timeout: number | null }
  | { type: 'KeWaitReturned'; routine: string; status: NTSTATUS }
  /** KeEnter/LeaveCriticalRegion, FsRtlEnter/ExitFileSystem, KeEnter/LeaveGuardedRegion and the lock wrappers that do the same: the depths after the call (§18.1). */
  | { type: 'ApcRegion'; routine: string; criticalRegion: number; guardedRegion: number }
  // --- dispatcher objects and locks a filter uses (§18): KEVENT E…, locks K… ---
  | { type: 'KeInitializeEvent'; name: string; eventType: EventType; signaled: boolean }
  | { type: 'KeSetEvent'; thread: string; previous: boolean }
  | { type: 'KeResetEvent'; thread: string; previous: boolean }
  | { type: 'KeClearEvent'; thread: string }
  /** A wait by `thread` was satisfied by this SynchronizationEvent, which so reset itself. */
  | { type: 'EventAutoReset'; thread: string }
  | { type: 'LockInitialize'; routine: string; lockType: LockType; name: string }
  /** `thread` was granted the lock in `mode` (a recursive acquire by an owner too). */
  | { type: 'LockAcquire'; routine: string; thread: string; mode: LockMode }
  | { type: 'LockRelease'; routine: string; thread: string }
  | { type: 'LockDelete'; routine: string }
  // --- volumes and the devices on them ---
  /** `remountOf`: the dismounted volume (same device) this mount follows (§21.7). */
  | { type: 'VolumeMount'; name: string; dosName: string | null; fsType: string; deviceType: string; sectorSize: number; readOnly?: boolean; shortNames?: boolean; remountOf?: string }
  | { type: 'VolumeMounted' }
  /**
   * The first operation reached the volume, and FltMgr offers it to the started filters first
   * (instanceSetupOnMount 'firstOperation', §13 A7). Logged only in that mode: with 'mount' the offer
   * came at mount and the first operation decides nothing.
   */
  | { type: 'VolumeFirstOperation' }
  | { type: 'VolumeDismount' }
  | { type: 'VolumeDismounted' }
  | { type: 'LegacyFilterAttach'; name: string; volume: string; aboveFrame: number }
  // --- filters ---
  | { type: 'FltRegisterFilter'; name: string; flags: number }
  | { type: 'FltStartFiltering' }
  | { type: 'FilterUnloadCallback'; flags: number }
  | { type: 'FilterUnloadReturned'; status: NTSTATUS }
  | { type: 'FltUnregisterFilter' }
  | { type: 'FltUnregisterFilterReturned' }
  | { type: 'DriverUnload' }
  // --- instances ---
  | {
      type: 'InstanceSetup';
      filter: string;
      volume: string;
      name: string;
      altitude: string;
      frame: number;
      flags: number;
    }
  | { type: 'InstanceSetupReturned'; status: NTSTATUS }
  | { type: 'InstanceQueryTeardown'; flags: number }
  | { type: 'InstanceQueryTeardownReturned'; status: NTSTATUS }
  | { type: 'InstanceTeardownStart'; reason: number }
  | { type: 'InstanceTeardownStartReturned' }
  | { type: 'InstanceTeardownComplete'; reason: number }
  | { type: 'InstanceTeardownCompleteReturned' }
  | { type: 'InstanceFreed' }
  // --- rundown references on filters, instances and volumes (§12) ---
  | { type: 'FltObjectReference'; count: number }
  | { type: 'FltObjectDereference'; count: number }
  /** An unload (on a filter) or a teardown (on an instance) starts waiting for its rundown: what holds it, one line each. */
  | { type: 'RundownWait'; gate: string; holders: readonly string[] }
  // --- work items (q…, a WORK_QUEUE_ITEM), §12: `owner` the filter whose code allocated it, when a filter's did ---
  | { type: 'FltAllocateGenericWorkItem'; owner: string | null }
  | { type: 'FltAllocateDeferredIoWorkItem'; owner: string | null }
  /** Queued for `filter`'s routine on FltObject `target` (the filter or an instance, referenced until the routine returns). */
  | { type: 'FltQueueGenericWorkItem'; filter: string; target: string; queueType: WorkQueueType }
  /** Queued to finish operation `operation` (D…) pended at `instance` of `filter`. */
  | { type: 'FltQueueDeferredIoWorkItem'; filter: string; operation: string; instance: string; queueType: WorkQueueType }
  /** A system worker thread took it off its queue and calls its routine (at PASSIVE_LEVEL); FltMgr holds the item no more. */
  | { type: 'WorkItemRoutine'; thread: string }
  | { type: 'WorkItemRoutineReturned'; thread: string }
  | { type: 'FltFreeGenericWorkItem' }
  | { type: 'FltFreeDeferredIoWorkItem' }
  // --- file objects (O…) ---
  /** `transaction`: the KTM transaction (t…) a transacted open joins; absent for an open outside one. */
  | { type: 'FileObjectCreate'; volume: string; fileName: string; relatedFileObject: string | null; targetedInstance: string | null; transaction?: string }
  | { type: 'FileObjectOpened'; flags: number }
  | { type: 'FileObjectOpenFailed'; status: NTSTATUS }
  /** IoReplaceFileObjectName: a filter gives an unopened file object a new name (the name an IO_REPARSE reparses, §11.1). */
  | { type: 'IoReplaceFileObjectName'; fileName: string }
  | { type: 'FileObjectHandleCreated'; handle: string }
  | { type: 'FileObjectHandleClosed'; handle: string }
  | { type: 'FileObjectUpdate'; currentByteOffset: number; flags: number }
  | { type: 'FileObjectOpenCancelled' }
  | { type: 'FileObjectCleanup' }
  | { type: 'FileObjectClose' }
  /**
   * The file system initiated caching on the file object (FILE_OBJECT.PrivateCacheMap set) at the first
   * cached read or write it served: from now on the I/O manager may try the fast path (§24.2).
   * Logged only under `semantics.fastIo: 'whereWindows'`, the one reader of it.
   */
  | { type: 'CcInitializeCacheMap' }
  /** The stack-based file object of a fast query open (IRP_MJ_NETWORK_QUERY_OPEN) goes when the query returns: never opened, no cleanup, no close. */
  | { type: 'FileObjectDiscarded' }
  // --- callback data: one per operation (D…) ---
  | {
      type: 'IoStart';
      major: number;
      minor: number;
      /** null for IRP_MJ_PNP and IRP_MJ_SHUTDOWN, which reach the volume with no file object. */
      fileObject: string | null;
      volume: string;
      thread: string | null;
      /** Instance that generated it, or null for I/O from above the stack. */
      initiator: string | null;
      flags: number;
      irpFlags: number;
      operationFlags: number;
      requestorMode: 'KernelMode' | 'UserMode';
      parameters: ParametersSummary;
      /** A create's ECP list (FltCreateFileEx2, §22), when it carries one. */
      ecpList?: string;
    }
  /** `parameters`: fingerprint of the Iopb parameters the callback saw (src/io/parametersSummary.ts). */
  | { type: 'PreOperation'; instance: string; parameters: string }
  /**
   * `edit`: when the callback called FltSetCallbackDataDirty, the target file object and parameters it
   * passes down (§7), so a reader sees what changed, not only a new fingerprint below.
   */
  | { type: 'PreOperationReturned'; instance: string; result: number; dirty: boolean; status: NTSTATUS | null; edit?: { fileObject: string; parameters: ParametersSummary } }
  /** `early`: called before the pre-op had returned PENDING (§8); logged when it takes effect. */
  | { type: 'FltCompletePendedPreOperation'; instance: string; result: number; status: NTSTATUS | null; early: boolean }
  | { type: 'LegacyFilterDispatch'; legacy: string }
  | { type: 'LegacyFilterCompletion'; legacy: string; status: NTSTATUS }
  | { type: 'FsDispatch'; parameters: string }
  /** `completesAt`: the virtual time the file system completes it, or null while a hold keeps it (until released or cancelled) or the host has not said (`fileSystemCompletion: 'host'`). */
  | { type: 'FsPending'; completesAt: number | null }
  | { type: 'FsComplete'; status: NTSTATUS; information: number }
  /** The file system's fast-I/O routine returned FALSE (§24.2): FltMgr completes the fast operation with STATUS_FLT_DISALLOW_FAST_IO and the I/O manager sends an IRP. */
  | { type: 'FsFastIoDeclined' }
  | { type: 'PostOperation'; instance: string; flags: number; parameters: string }
  | { type: 'PostOperationReturned'; instance: string; result: number; status: NTSTATUS }
  | { type: 'FltCompletePendedPostOperation'; instance: string; early: boolean }
  | { type: 'DrainPostOperation'; instance: string; parameters: string }
  | { type: 'DrainPostOperationReturned'; instance: string; result: number }
  | { type: 'IoComplete'; status: NTSTATUS; information: number }
  // --- generated I/O (§10, §11) ---
  /** Callback data a filter allocated (§11.8); the operation starts with IoStart at FltPerform*. */
  | { type: 'FltAllocateCallbackData'; instance: string; volume: string; fileObject: string | null; flags: number }
  | { type: 'FltReuseCallbackData' }
  | { type: 'FltFreeCallbackData' }
  /** The PFLT_COMPLETED_ASYNC_IO_CALLBACK of an asynchronous generated operation (§11.10). */
  | { type: 'AsyncIoCallback'; instance: string }
  | { type: 'AsyncIoCallbackReturned'; instance: string }
  /** A post-op sent the operation again below `instance`, as operation `reissue` (§11.14). */
  | { type: 'FltReissueSynchronousIo'; instance: string; reissue: string }
  | { type: 'FltCancelFileOpen'; instance: string }
  /** A pre-op asked for the status of the send below (FltRequestOperationStatusCallback); its callback, when the send returned. */
  | { type: 'FltRequestOperationStatusCallback'; instance: string }
  | { type: 'OperationStatusCallback'; instance: string; status: NTSTATUS }
  | { type: 'OperationStatusCallbackReturned'; instance: string }
  // --- a routine returned a failure status (success shows in the facts it caused) ---
  | { type: 'RoutineFailed'; routine: string; status: NTSTATUS; detail: string };

/** WORK_QUEUE_TYPE: the system work queue a work item goes to. */
export type WorkQueueType = 'CriticalWorkQueue' | 'DelayedWorkQueue';
/** KeInitializeEvent's EVENT_TYPE. */
export type EventType = 'NotificationEvent' | 'SynchronizationEvent';
/** The lock objects a minifilter uses (§18.4). */
export type LockType = 'ERESOURCE' | 'FAST_MUTEX' | 'KGUARDED_MUTEX' | 'EX_PUSH_LOCK' | 'KSPIN_LOCK';
export type LockMode = 'Exclusive' | 'Shared';

/** Operation parameters as JSON: buffers become their length, structures stay as they are. */
export type ParametersSummary = { readonly [key: string]: unknown };

export interface FrameSpec {
  readonly index: number;
  /** Inclusive lower altitude bound (normalised decimal string). */
  readonly low: string;
  /** Exclusive upper bound, or null for the top frame (no upper bound). */
  readonly high: string | null;
}
