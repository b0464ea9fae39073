/**
 * Not part of the WDK sample: the lower filter the sample's comments have in mind when they drop the
 * resource around FltCreateFile ("an underlying filter sends an IO to the top of the filter stack
 * while we are holding the resource"). It sits below fmm (altitude 360000) and works as an HSM or
 * replication filter might:
 *
 * - its pre-create pends every create under `\System Volume Information` to a deferred work item,
 *   which takes the filter's queue lock (an ERESOURCE) before it completes the create;
 * - its own system thread (`fmmQueue flusher`) opens the volume from the top of the stack
 *   (FltCreateFile with Instance = NULL, sharing read and write), then takes the queue lock and,
 *   holding it, closes the handle: the cleanup starts at the top too, and MetadataManager's
 *   post-cleanup of a volume handle takes its resource (FmmReacquireMetadataFileReferences).
 *
 * With the shipped MetadataManager that post-cleanup meets the TRANSITION flag and gives up
 * (STATUS_FILE_LOCK_CONFLICT) or finds nothing to re-open; with the 'keepsResource' variant the
 * three threads can wait for each other. Closing a handle under a lock of one's own is legal, so the
 * flusher records no verifier finding: it is only the third party of the cycle.
 */
import {
  ERESOURCE,
  ExInitializeResourceLite,
  FILE_OPEN,
  FILE_READ_DATA,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltAcquireResourceExclusive,
  FltAllocateDeferredIoWorkItem,
  FltClose,
  FltCompletePendedPreOperation,
  FltCreateFile,
  FltFreeDeferredIoWorkItem,
  FltQueueDeferredIoWorkItem,
  FltRegisterFilter,
  FltReleaseResource,
  FltStartFiltering,
  IRP_MJ_CREATE,
  IRP_MJ_OPERATION_END,
  NT_SUCCESS,
  SYSTEM_SID,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_PREOP_CALLBACK_STATUS,
  type FltWorkItem,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_FILTER,
  type Simulation,
  type ThreadHandle,
} from '../../../src/index.js';

export const QUEUE_FILTER_NAME = 'fmmQueue';
export const QUEUE_FILTER_INSTANCES: InstancesKey = { DefaultInstance: 'Queue', Instances: { Queue: { Altitude: '360000', Flags: 0x0 } } };

const SYSTEM_VOLUME_INFORMATION = '\\System Volume Information';

export interface QueueFilter {
  readonly QueueLock: ERESOURCE;
  Filter: PFLT_FILTER | null;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
  /** The flusher's body: open `volumeName` from the top of the stack, and close it under the queue lock. */
  Flusher(volumeName: string): Blocking<NTSTATUS>;
}

export function queueFilter(): QueueFilter {
  const QueueLock = new ERESOURCE('fmmQueue QueueLock');
  const self: QueueFilter = { QueueLock, Filter: null, DriverEntry, Flusher };

  function* QueuePreCreate(Data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    if (!Data.Iopb.TargetFileObject!.FileName.startsWith(SYSTEM_VOLUME_INFORMATION)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    const item = yield* FltAllocateDeferredIoWorkItem();
    FltQueueDeferredIoWorkItem(item, Data, QueueWorker, 'DelayedWorkQueue', null);
    return FLT_PREOP_PENDING;
  }

  function* QueueWorker(FltWorkItem: FltWorkItem, Data: FLT_CALLBACK_DATA): Blocking<void> {
    yield* FltAcquireResourceExclusive(QueueLock);
    yield* FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
    yield* FltReleaseResource(QueueLock);
    FltFreeDeferredIoWorkItem(FltWorkItem);
  }

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    yield* ExInitializeResourceLite(QueueLock);
    const registered = FltRegisterFilter(DriverObject, {
      OperationRegistration: [{ MajorFunction: IRP_MJ_CREATE, PreOperation: QueuePreCreate }, { MajorFunction: IRP_MJ_OPERATION_END }],
    });
    if (!NT_SUCCESS(registered.status)) return registered.status;
    self.Filter = registered.filter;
    return yield* FltStartFiltering(registered.filter!);
  }

  function* Flusher(volumeName: string): Blocking<NTSTATUS> {
    const opened = yield* FltCreateFile(self.Filter!, null, FILE_READ_DATA, { ObjectName: volumeName }, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, null, 0, 0);
    if (opened.FileHandle === null) return opened.status;
    yield* FltAcquireResourceExclusive(QueueLock);
    const closed = yield* FltClose(opened.FileHandle);
    yield* FltReleaseResource(QueueLock);
    return closed;
  }

  return self;
}

/** Load the queue filter and start its flusher once both drivers are loaded. */
export function loadQueueFilter(sim: Simulation, volumeName: string): { readonly filter: QueueFilter; readonly flusher: (done: (status: NTSTATUS) => void) => ThreadHandle } {
  const filter = queueFilter();
  sim.loadDriver({ name: QUEUE_FILTER_NAME, instances: QUEUE_FILTER_INSTANCES }, filter.DriverEntry);
  const flusher = (done: (status: NTSTATUS) => void): ThreadHandle =>
    sim.spawn(
      'fmmQueue flusher',
      function* () {
        done(yield* filter.Flusher(volumeName));
      },
      { token: SYSTEM_SID },
    );
  return { filter, flusher };
}
