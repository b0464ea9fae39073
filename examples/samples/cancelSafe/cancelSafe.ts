/**
 * The cancelSafe minifilter of the WDK samples (filesys/miniFilter/cancelSafe/cancelSafe.c),
 * ported routine by routine: every C function has a function of the same name here, in the same
 * order, doing the same steps. Reads of files under MappingPath are pended in a cancel-safe queue
 * (FltCbdq*) and completed by a generic work item after TimeDelay, or cancelled, or drained by
 * InstanceTeardownStart.
 *
 * What differs, and why:
 * - Globals live in the object `createCancelSafe` returns, one per simulation (C's globals would be
 *   shared by every simulation in the process).
 * - The registry is not modelled: SetConfiguration takes the values OperatingDelay and
 *   OperatingPath would hold (GetIoOpenDriverRegistryKey / OpenServiceParametersKey go away).
 * - DebugTrace lines are kept as `trace(...)`, recorded into `Globals.trace` when DebugLevel asks.
 * - The lookaside list of QUEUE_CONTEXTs is plain allocation; LIST_ENTRY QueueHead is an array in
 *   insertion order, which InsertTailList / RemoveEntryList / Flink walking map onto.
 * - IoGetTopLevelIrp() is always NULL here (no file system recursion reaches a filter with a top
 *   level IRP in this model).
 */
import {
  ExAcquireFastMutex,
  ExInitializeFastMutex,
  ExReleaseFastMutex,
  Executive,
  FAST_MUTEX,
  FLT_CALLBACK_DATA_QUEUE,
  FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT,
  FLT_CONTEXT_END,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_INSTANCE_CONTEXT,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
  FLTFL_CALLBACK_DATA_SYSTEM_BUFFER,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  FltAllocateContext,
  FltAllocateGenericWorkItem,
  FltCbdqDisable,
  FltCbdqInitialize,
  FltCbdqInsertIo,
  FltCbdqRemoveNextIo,
  FltCompletePendedPreOperation,
  FltFreeGenericWorkItem,
  FltGetFileNameInformation,
  FltGetInstanceContext,
  FltLockUserBuffer,
  FltParseFileNameInformation,
  FltQueueGenericWorkItem,
  FltRegisterFilter,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltSetInstanceContext,
  FltStartFiltering,
  FltUnregisterFilter,
  InterlockedDecrement,
  InterlockedExchange,
  InterlockedIncrement,
  IRP_MJ_READ,
  IRP_PAGING_IO,
  IRP_SYNCHRONOUS_PAGING_IO,
  KeInitializeEvent,
  KernelMode,
  KeSetEvent,
  KeWaitForSingleObject,
  KEVENT,
  NonPagedPool,
  NotificationEvent,
  NT_SUCCESS,
  STATUS_CANCELLED,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FltWorkItem,
  type KIRQL,
  type LONG,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_CONTEXT,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
} from '../../../src/index.js';

//  Debug flags
export const CSQ_TRACE_ERROR = 0x00000001;
export const CSQ_TRACE_LOAD_UNLOAD = 0x00000002;
export const CSQ_TRACE_INSTANCE_CALLBACK = 0x00000004;
export const CSQ_TRACE_CONTEXT_CALLBACK = 0x00000008;
export const CSQ_TRACE_CBDQ_CALLBACK = 0x00000010;
export const CSQ_TRACE_PRE_READ = 0x00000020;
export const CSQ_TRACE_ALL = 0xffffffff;

//  Registry defaults: 15 s in 100-ns units, and every path.
export const CSQ_DEFAULT_TIME_DELAY = 150000000;
export const CSQ_DEFAULT_MAPPING_PATH = '\\';

/** QUEUE_CONTEXT: what each queued read carries (Data->QueueContext[0]). */
interface QUEUE_CONTEXT {
  CbdqIoContext: FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT;
}

/** INSTANCE_CONTEXT: the queue, its list and lock, the worker flag and the teardown event. */
export interface INSTANCE_CONTEXT {
  Instance: PFLT_INSTANCE;
  Cbdq: FLT_CALLBACK_DATA_QUEUE;
  QueueHead: FLT_CALLBACK_DATA[];
  Lock: FAST_MUTEX;
  WorkerThreadFlag: LONG;
  TeardownEvent: KEVENT;
}

/** CSQ_GLOBAL_DATA. */
export interface CSQ_GLOBAL_DATA {
  DebugLevel: number;
  FilterHandle: PFLT_FILTER | null;
  MappingPath: string;
  TimeDelay: number;
  /** The DebugTrace lines printed (DbgPrint), in order. */
  readonly trace: string[];
}

/** What SetConfiguration reads from the service's Parameters key in C. */
export interface CancelSafeConfiguration {
  readonly DebugLevel?: number;
  readonly OperatingDelay?: number;
  readonly OperatingPath?: string;
}

export interface CancelSafe {
  readonly Globals: CSQ_GLOBAL_DATA;
  readonly DriverEntry: (DriverObject: PDRIVER_OBJECT) => Blocking<NTSTATUS>;
}

type InstCtxRef = PFLT_CONTEXT<INSTANCE_CONTEXT>;

/** The sample's module: its globals and routines, for one simulation. */
export function createCancelSafe(configuration: CancelSafeConfiguration = {}): CancelSafe {
  const Globals: CSQ_GLOBAL_DATA = { DebugLevel: CSQ_TRACE_ERROR, FilterHandle: null, MappingPath: CSQ_DEFAULT_MAPPING_PATH, TimeDelay: CSQ_DEFAULT_TIME_DELAY, trace: [] };

  function DebugTrace(Level: number, text: string): void {
    if ((Level & Globals.DebugLevel) !== 0) Globals.trace.push(text);
  }

  const Callbacks = [{ MajorFunction: IRP_MJ_READ, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: PreRead }];

  const ContextRegistration = [
    { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: ContextCleanup, Size: 64, PoolTag: 0x43737149 /* 'IqsC' */ },
    { ContextType: FLT_CONTEXT_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: Unload,
    InstanceSetupCallback: InstanceSetup,
    InstanceQueryTeardownCallback: InstanceQueryTeardown,
    InstanceTeardownStartCallback: InstanceTeardownStart,
    InstanceTeardownCompleteCallback: InstanceTeardownComplete,
  };

  //  Filter driver initialization and unload routines

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    Globals.DebugLevel = CSQ_TRACE_ERROR;
    Globals.TimeDelay = CSQ_DEFAULT_TIME_DELAY;
    Globals.MappingPath = CSQ_DEFAULT_MAPPING_PATH;
    let Status = SetConfiguration();
    if (NT_SUCCESS(Status)) {
      DebugTrace(CSQ_TRACE_LOAD_UNLOAD, '[Csq]: CancelSafe!DriverEntry');
      const registered = FltRegisterFilter(DriverObject, FilterRegistration);
      Status = registered.status;
      if (!NT_SUCCESS(Status)) {
        DebugTrace(CSQ_TRACE_LOAD_UNLOAD | CSQ_TRACE_ERROR, `[Csq]: Failed to register filter (Status = 0x${Status.toString(16)})`);
      } else {
        Globals.FilterHandle = registered.filter;
        Status = yield* FltStartFiltering(Globals.FilterHandle!);
        if (!NT_SUCCESS(Status)) {
          DebugTrace(CSQ_TRACE_LOAD_UNLOAD | CSQ_TRACE_ERROR, `[Csq]: Failed to start filtering (Status = 0x${Status.toString(16)})`);
          yield* FltUnregisterFilter(Globals.FilterHandle!);
        } else {
          DebugTrace(CSQ_TRACE_LOAD_UNLOAD, '[Csq]: Driver loaded complete');
        }
      }
    }
    // DriverEntryCleanup:
    if (!NT_SUCCESS(Status)) FreeGlobals();
    return Status;
  }

  /** The registry values, as the INF would set them (the key itself is not modelled). */
  function SetConfiguration(): NTSTATUS {
    if (configuration.DebugLevel !== undefined) Globals.DebugLevel = configuration.DebugLevel;
    if (configuration.OperatingDelay !== undefined) Globals.TimeDelay = configuration.OperatingDelay;
    if (configuration.OperatingPath !== undefined) {
      // The mapping path must begin with '\'; a missing trailing '\' is added.
      if (!configuration.OperatingPath.startsWith('\\')) return 0xc000000d; // STATUS_INVALID_PARAMETER
      Globals.MappingPath = configuration.OperatingPath.endsWith('\\') ? configuration.OperatingPath : `${configuration.OperatingPath}\\`;
    }
    return STATUS_SUCCESS;
  }

  function FreeGlobals(): void {
    Globals.FilterHandle = null;
    Globals.MappingPath = '';
  }

  function* Unload(_Flags: number): Blocking<NTSTATUS> {
    DebugTrace(CSQ_TRACE_LOAD_UNLOAD, '[Csq]: CancelSafe!Unload');
    yield* FltUnregisterFilter(Globals.FilterHandle!);
    FreeGlobals();
    return STATUS_SUCCESS;
  }

  //  Context cleanup routine.

  function ContextCleanup(_Context: unknown, _ContextType: number): void {
    DebugTrace(CSQ_TRACE_CONTEXT_CALLBACK, '[Csq]: CancelSafe!ContextCleanup');
  }

  //  Instance setup/teardown routines.

  function* InstanceSetup(FltObjects: FLT_RELATED_OBJECTS, _Flags: number, _VolumeDeviceType: string, _VolumeFilesystemType: unknown): Blocking<NTSTATUS> {
    DebugTrace(CSQ_TRACE_INSTANCE_CALLBACK, '[Csq]: CancelSafe!InstanceSetup');
    const allocated = FltAllocateContext<INSTANCE_CONTEXT>(FltObjects.Filter, FLT_INSTANCE_CONTEXT, 64, NonPagedPool);
    let Status = allocated.status;
    const InstCtx = allocated.context;
    if (InstCtx !== null) {
      const ctx = InstCtx.Data;
      ctx.Cbdq = new FLT_CALLBACK_DATA_QUEUE('cancelSafe queue');
      containing.set(ctx.Cbdq, ctx);
      Status = FltCbdqInitialize(FltObjects.Instance, ctx.Cbdq, CsqInsertIo, CsqRemoveIo, CsqPeekNextIo, CsqAcquire, CsqRelease, CsqCompleteCanceledIo);
      if (NT_SUCCESS(Status)) {
        //  Initialize the internal queue head and lock of the cancel safe queue.
        ctx.QueueHead = [];
        ctx.Lock = new FAST_MUTEX('cancelSafe queue lock');
        yield* ExInitializeFastMutex(ctx.Lock);
        ctx.Instance = FltObjects.Instance;
        ctx.WorkerThreadFlag = { value: 0 };
        ctx.TeardownEvent = new KEVENT('cancelSafe teardown');
        yield* KeInitializeEvent(ctx.TeardownEvent, NotificationEvent, false);
        Status = yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, InstCtx, null);
        if (!NT_SUCCESS(Status)) DebugTrace(CSQ_TRACE_INSTANCE_CALLBACK | CSQ_TRACE_ERROR, `[Csq]: Failed to set instance context (Status = 0x${Status.toString(16)})`);
      }
    }
    // InstanceSetupCleanup:
    if (InstCtx !== null) FltReleaseContext(InstCtx);
    return Status;
  }

  function InstanceQueryTeardown(_FltObjects: FLT_RELATED_OBJECTS, _Flags: number): NTSTATUS {
    DebugTrace(CSQ_TRACE_INSTANCE_CALLBACK, '[Csq]: CancelSafe!InstanceQueryTeardown');
    return STATUS_SUCCESS;
  }

  function* InstanceTeardownStart(FltObjects: FLT_RELATED_OBJECTS, _Flags: number): Blocking<void> {
    DebugTrace(CSQ_TRACE_INSTANCE_CALLBACK, '[Csq]: CancelSafe!InstanceTeardownStart');
    const got = yield* FltGetInstanceContext<INSTANCE_CONTEXT>(FltObjects.Instance);
    if (!NT_SUCCESS(got.status)) {
      DebugTrace(CSQ_TRACE_ERROR, 'FLT_ASSERT: Instance Context is missing');
      return;
    }
    const InstCtx = got.context!;
    //  Disable the insert to the cancel safe queue.
    FltCbdqDisable(InstCtx.Data.Cbdq);
    //  Remove all callback data from the queue and complete them.
    yield* PreReadEmptyQueueAndComplete(InstCtx);
    //  Signal the worker thread if it is pended.
    yield* KeSetEvent(InstCtx.Data.TeardownEvent, 0, false);
    FltReleaseContext(InstCtx);
  }

  function InstanceTeardownComplete(_FltObjects: FLT_RELATED_OBJECTS, _Flags: number): void {
    DebugTrace(CSQ_TRACE_INSTANCE_CALLBACK, '[Csq]: CancelSafe!InstanceTeardownComplete');
  }

  //  Cbdq callback routines. The INSTANCE_CONTEXT is CONTAINING_RECORD(DataQueue, INSTANCE_CONTEXT, Cbdq).

  const containing = new Map<FLT_CALLBACK_DATA_QUEUE, INSTANCE_CONTEXT>();
  function CONTAINING_RECORD(DataQueue: FLT_CALLBACK_DATA_QUEUE): INSTANCE_CONTEXT {
    return containing.get(DataQueue)!;
  }

  function* CsqAcquire(DataQueue: FLT_CALLBACK_DATA_QUEUE): Blocking<KIRQL> {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqAcquire');
    yield* ExAcquireFastMutex(CONTAINING_RECORD(DataQueue).Lock);
    return 0;
  }

  function* CsqRelease(DataQueue: FLT_CALLBACK_DATA_QUEUE, _Irql: KIRQL): Blocking<void> {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqRelease');
    yield* ExReleaseFastMutex(CONTAINING_RECORD(DataQueue).Lock);
  }

  function* CsqInsertIo(DataQueue: FLT_CALLBACK_DATA_QUEUE, Data: FLT_CALLBACK_DATA, _Context: unknown): Blocking<NTSTATUS> {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqInsertIo');
    const InstCtx = CONTAINING_RECORD(DataQueue);
    let Status: NTSTATUS = STATUS_SUCCESS;
    //  Save the queue state before inserting to it.
    const WasQueueEmpty = InstCtx.QueueHead.length === 0;
    InstCtx.QueueHead.push(Data);
    //  Queue a work item if no worker thread present.
    if (WasQueueEmpty && (yield* InterlockedIncrement(InstCtx.WorkerThreadFlag)) === 1) {
      const WorkItem = yield* FltAllocateGenericWorkItem();
      Status = FltQueueGenericWorkItem(WorkItem, InstCtx.Instance, PreReadWorkItemRoutine, 'DelayedWorkQueue', InstCtx.Instance);
      if (!NT_SUCCESS(Status)) {
        DebugTrace(CSQ_TRACE_CBDQ_CALLBACK | CSQ_TRACE_ERROR, `[Csq]: Failed to queue the work item (Status = 0x${Status.toString(16)})`);
        FltFreeGenericWorkItem(WorkItem);
      }
      if (!NT_SUCCESS(Status)) {
        //  No worker will run: undo the flag and the insertion (the queue is locked, no worker runs).
        yield* InterlockedDecrement(InstCtx.WorkerThreadFlag);
        InstCtx.QueueHead.pop();
      }
    }
    return Status;
  }

  function CsqRemoveIo(DataQueue: FLT_CALLBACK_DATA_QUEUE, Data: FLT_CALLBACK_DATA): void {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqRemoveIo');
    const queue = CONTAINING_RECORD(DataQueue).QueueHead;
    queue.splice(queue.indexOf(Data), 1);
  }

  function CsqPeekNextIo(DataQueue: FLT_CALLBACK_DATA_QUEUE, Data: FLT_CALLBACK_DATA | null, _PeekContext: unknown): FLT_CALLBACK_DATA | null {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqPeekNextIo');
    const queue = CONTAINING_RECORD(DataQueue).QueueHead;
    //  The first entry if Data is NULL, else the entry after Data; NULL at the end of the list.
    const NextEntry = Data === null ? 0 : queue.indexOf(Data) + 1;
    return queue[NextEntry] ?? null;
  }

  function* CsqCompleteCanceledIo(_DataQueue: FLT_CALLBACK_DATA_QUEUE, Data: FLT_CALLBACK_DATA): Blocking<void> {
    DebugTrace(CSQ_TRACE_CBDQ_CALLBACK, '[Csq]: CancelSafe!CsqCompleteCanceledIo');
    //  Just complete the operation as canceled.
    Data.IoStatus = { Status: STATUS_CANCELLED, Information: 0 };
    yield* FltCompletePendedPreOperation(Data, FLT_PREOP_COMPLETE, null);
    //  Free the extra storage that was allocated for this canceled I/O (ExFreeToNPagedLookasideList).
    Data.QueueContext[0] = null;
  }

  function* PreRead(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, _CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    let InstCtx: InstCtxRef | null = null;
    let QueueCtx: QUEUE_CONTEXT | null = null;
    let NameInfo = null;
    let CbStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    DebugTrace(CSQ_TRACE_PRE_READ, '[Csq]: CancelSafe!PreRead');
    //  Skip IRP_PAGING_IO, IRP_SYNCHRONOUS_PAGING_IO and TopLevelIrp (never set in the model).
    if ((Data.Iopb.IrpFlags & IRP_PAGING_IO) !== 0 || (Data.Iopb.IrpFlags & IRP_SYNCHRONOUS_PAGING_IO) !== 0) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    PreReadCleanup: {
      //  Get and parse the file name
      const named = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT);
      if (!NT_SUCCESS(named.status)) {
        DebugTrace(CSQ_TRACE_PRE_READ | CSQ_TRACE_ERROR, `[Csq]: Failed to get filename (Status = 0x${named.status.toString(16)})`);
        break PreReadCleanup;
      }
      NameInfo = named.FileNameInformation!;
      const parsed = FltParseFileNameInformation(NameInfo);
      if (!NT_SUCCESS(parsed)) break PreReadCleanup;
      //  Compare to see if this file I/O is to be pended (RtlPrefixUnicodeString, case-insensitive).
      if (!NameInfo.ParentDir.toLowerCase().startsWith(Globals.MappingPath.toLowerCase())) break PreReadCleanup;
      //  Fast I/O cannot be queued: disallow it, so the read comes back as an IRP.
      if ((Data.Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) === 0) {
        CbStatus = FLT_PREOP_DISALLOW_FASTIO;
        break PreReadCleanup;
      }
      //  Allocate a context for each I/O to be inserted into the queue (ExAllocateFromNPagedLookasideList).
      QueueCtx = { CbdqIoContext: new FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT() };
      const got = yield* FltGetInstanceContext<INSTANCE_CONTEXT>(FltObjects.Instance);
      if (!NT_SUCCESS(got.status)) {
        DebugTrace(CSQ_TRACE_ERROR, 'FLT_ASSERT: Instance context is missing');
        break PreReadCleanup;
      }
      InstCtx = got.context!;
      //  Set the queue context
      Data.QueueContext[0] = QueueCtx;
      Data.QueueContext[1] = null;
      //  Insert the callback data into the cancel safe queue
      const Status = yield* FltCbdqInsertIo(InstCtx.Data.Cbdq, Data, QueueCtx.CbdqIoContext, null);
      if (Status === STATUS_SUCCESS) {
        //  The worker thread is created in CsqInsertIo, which is atomic with the other Csq routines.
        CbStatus = FLT_PREOP_PENDING;
      } else {
        DebugTrace(CSQ_TRACE_PRE_READ | CSQ_TRACE_ERROR, `[Csq]: Failed to insert into cbdq (Status = 0x${Status.toString(16)})`);
      }
    }
    // PreReadCleanup:
    if (QueueCtx !== null && CbStatus !== FLT_PREOP_PENDING) QueueCtx = null; // ExFreeToNPagedLookasideList
    if (NameInfo !== null) FltReleaseFileNameInformation(NameInfo);
    if (InstCtx !== null) FltReleaseContext(InstCtx);
    return CbStatus;
  }

  function* PreReadWorkItemRoutine(WorkItem: FltWorkItem, _Filter: unknown, Context: unknown): Blocking<void> {
    const Instance = Context as PFLT_INSTANCE;
    DebugTrace(CSQ_TRACE_PRE_READ, '[Csq]: CancelSafe!PreReadWorkItemRoutine');
    const got = yield* FltGetInstanceContext<INSTANCE_CONTEXT>(Instance);
    if (!NT_SUCCESS(got.status)) {
      DebugTrace(CSQ_TRACE_ERROR, 'FLT_ASSERT: Instance Context is missing');
      return;
    }
    const InstCtx = got.context!;
    //  Process all the pended I/O in the cancel safe queue
    for (;;) {
      let callbackStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
      yield* PreReadPendIo(InstCtx);
      //  WorkerThreadFlag >= 1; here we reduce it to 1.
      yield* InterlockedExchange(InstCtx.Data.WorkerThreadFlag, 1);
      //  Remove an I/O from the cancel safe queue.
      const Data = yield* FltCbdqRemoveNextIo(InstCtx.Data.Cbdq, null);
      if (Data !== null) {
        PreReadProcessIo(Data);
        //  Lock a user buffer the worker cannot otherwise reach.
        if ((Data.Flags & FLTFL_CALLBACK_DATA_SYSTEM_BUFFER) === 0 && (Data.Iopb.Parameters as { Read: { Length: number } }).Read.Length > 0) {
          const Status = FltLockUserBuffer(Data);
          if (!NT_SUCCESS(Status)) {
            DebugTrace(CSQ_TRACE_PRE_READ | CSQ_TRACE_ERROR, `[Csq]: Failed to lock user buffer (Status = 0x${Status.toString(16)})`);
            callbackStatus = FLT_PREOP_COMPLETE;
            Data.IoStatus = { Status, Information: 0 };
          }
        }
        //  Complete the I/O
        yield* FltCompletePendedPreOperation(Data, callbackStatus, null);
        Data.QueueContext[0] = null; // ExFreeToNPagedLookasideList
      } else {
        //  The queue is empty: the InterlockedIncrement in CsqInsertIo and this decrement settle
        //  whether this worker goes on (the flag was raised to 2) or a new one is queued (it reached 0).
        if ((yield* InterlockedDecrement(InstCtx.Data.WorkerThreadFlag)) === 0) break;
      }
    }
    FltReleaseContext(InstCtx);
    FltFreeGenericWorkItem(WorkItem);
  }

  /** Wait TimeDelay, or until the instance is torn down. */
  function* PreReadPendIo(InstanceContext: InstCtxRef): Blocking<NTSTATUS> {
    return yield* KeWaitForSingleObject(InstanceContext.Data.TeardownEvent, Executive, KernelMode, false, -Globals.TimeDelay);
  }

  function PreReadProcessIo(_Data: FLT_CALLBACK_DATA): NTSTATUS {
    return STATUS_SUCCESS;
  }

  /** Empty the queue, completing every pended read (they go on down: SUCCESS_NO_CALLBACK). */
  function* PreReadEmptyQueueAndComplete(InstanceContext: InstCtxRef): Blocking<void> {
    let Data: FLT_CALLBACK_DATA | null;
    do {
      let callbackStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
      Data = yield* FltCbdqRemoveNextIo(InstanceContext.Data.Cbdq, null);
      if (Data !== null) {
        if ((Data.Flags & FLTFL_CALLBACK_DATA_SYSTEM_BUFFER) === 0 && (Data.Iopb.Parameters as { Read: { Length: number } }).Read.Length > 0) {
          const Status = FltLockUserBuffer(Data);
          if (!NT_SUCCESS(Status)) {
            callbackStatus = FLT_PREOP_COMPLETE;
            Data.IoStatus = { Status, Information: 0 };
          }
        }
        yield* FltCompletePendedPreOperation(Data, callbackStatus, null);
        Data.QueueContext[0] = null; // ExFreeToNPagedLookasideList
      }
    } while (Data !== null);
  }

  return { Globals, DriverEntry };
}
