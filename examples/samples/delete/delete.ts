/**
 * delete.c, ported: the delete detection sample (wdk-samples "10. delete"). It reports when a file
 * or a stream is really deleted — not only marked — whether by FILE_DELETE_ON_CLOSE, by a delete
 * disposition (FileDispositionInformation or FileDispositionInformationEx, including
 * FILE_DISPOSITION_ON_CLOSE), or inside a transaction (reported when the transaction commits,
 * "saved" when it rolls back). Streams that may be deleted carry a stream context; post-cleanup
 * asks the file system whether the stream is gone and, if so, whether the file went with it.
 * INF: "FSFilter Activity Monitor", altitude 370150, "delete Instance", Flags 0x0. Each call of
 * deleteSample() is the driver loaded on one machine, with its own globals.
 */
import {
  FILE_DELETE_ON_CLOSE,
  FILE_DISPOSITION_DELETE,
  FILE_DISPOSITION_ON_CLOSE,
  FILE_INFORMATION_CLASS,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLT_STREAM_CONTEXT,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  FltAcquireResourceExclusive,
  FltGetStreamContext,
  FltIsVolumeWritable,
  FltQueryInformationFile,
  FltRegisterFilter,
  FltReleaseContext,
  FltReleaseResource,
  FltStartFiltering,
  FltUnregisterFilter,
  InterlockedDecrement,
  InterlockedIncrement,
  IRP_MJ_CLEANUP,
  IRP_MJ_CREATE,
  IRP_MJ_OPERATION_END,
  IRP_MJ_SET_INFORMATION,
  NT_SUCCESS,
  STATUS_FILE_DELETED,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_REPARSE,
  STATUS_SUCCESS,
  TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_OPERATION_REGISTRATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_CONTEXT,
} from '../../../src/index.js';
import { deleteContexts, type ContextSlot } from './deleteContext.js';
import { deleteDetect } from './deleteDetect.js';
import { DF_DBG_PRINT, DFDBG_TRACE_ERRORS, DFDBG_TRACE_ROUTINES, type DF_GLOBALS, type PDF_STREAM_CONTEXT, type PDF_TRANSACTION_CONTEXT } from './deleteStruc.js';

export const DELETE_NAME = 'delete';

/** What delete.inf writes under the service's Instances key. */
export const DELETE_INSTANCES: InstancesKey = { DefaultInstance: 'delete Instance', Instances: { 'delete Instance': { Altitude: '370150', Flags: 0x0 } } };

/** sizeof(FILE_STANDARD_INFORMATION). */
const FILE_STANDARD_INFORMATION_SIZE = 24;

export interface DeleteImage {
  readonly Globals: DF_GLOBALS;
  readonly FilterRegistration: FLT_REGISTRATION;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
}

export function deleteSample(gTraceFlags = DFDBG_TRACE_ERRORS): DeleteImage {
  const Globals: DF_GLOBALS = { gFilterHandle: null, gTraceFlags, DbgOutput: '' };
  const contexts = deleteContexts(Globals);
  const { Contexts, DfAllocateContext, DfGetOrSetContext } = contexts;
  const { DfGetFileNameInformation, DfProcessDelete, DfNotifyDeleteOnTransactionEnd } = deleteDetect(Globals, contexts);

  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    { MajorFunction: IRP_MJ_CREATE, Flags: 0, PreOperation: DfPreCreateCallback, PostOperation: DfPostCreateCallback },
    { MajorFunction: IRP_MJ_SET_INFORMATION, Flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, PreOperation: DfPreSetInfoCallback, PostOperation: DfPostSetInfoCallback },
    { MajorFunction: IRP_MJ_CLEANUP, Flags: 0, PreOperation: DfPreCleanupCallback, PostOperation: DfPostCleanupCallback },
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration: Contexts,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: DfUnload,
    InstanceSetupCallback: DfInstanceSetup,
    InstanceQueryTeardownCallback: DfInstanceQueryTeardown,
    InstanceTeardownStartCallback: DfInstanceTeardownStart,
    InstanceTeardownCompleteCallback: DfInstanceTeardownComplete,
    TransactionNotificationCallback: DfTransactionNotificationCallback,
  };

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DriverEntry: Entered\n');
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    let status = registered.status;
    if (NT_SUCCESS(status)) {
      Globals.gFilterHandle = registered.filter;
      status = yield* FltStartFiltering(Globals.gFilterHandle!);
      if (!NT_SUCCESS(status)) yield* FltUnregisterFilter(Globals.gFilterHandle!);
    }
    return status;
  }

  function* DfUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfUnload: Entered\n');
    yield* FltUnregisterFilter(Globals.gFilterHandle!);
    return STATUS_SUCCESS;
  }

  /** DfInstanceSetup: only writable NTFS and ReFS volumes (nothing can be deleted on a read-only one). */
  function DfInstanceSetup(FltObjects: FLT_RELATED_OBJECTS, Flags: number, VolumeDeviceType: string, VolumeFilesystemType: string): NTSTATUS {
    void Flags, VolumeDeviceType;
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfInstanceSetup: Entered\n');
    const writable = FltIsVolumeWritable(FltObjects.Volume);
    if (!NT_SUCCESS(writable.status)) return STATUS_FLT_DO_NOT_ATTACH;
    if (!writable.IsWritable) return STATUS_FLT_DO_NOT_ATTACH;
    // FLT_FSTYPE_NTFS and FLT_FSTYPE_REFS: fltsim passes the file-system model's name, and a ReFS
    // volume runs on the NTFS model (FltGetFileSystemType tells the two apart).
    switch (VolumeFilesystemType) {
      case 'NTFS':
        return STATUS_SUCCESS;
      default:
        return STATUS_FLT_DO_NOT_ATTACH;
    }
  }

  function DfInstanceQueryTeardown(): NTSTATUS {
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfInstanceQueryTeardown: Entered\n');
    return STATUS_SUCCESS;
  }

  function DfInstanceTeardownStart(): void {
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfInstanceTeardownStart: Entered\n');
  }

  function DfInstanceTeardownComplete(): void {
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfInstanceTeardownComplete: Entered\n');
  }

  /**
   * DfPreCreateCallback: a FILE_DELETE_ON_CLOSE create gets a fresh stream context, handed to the
   * post-create through the completion context (SYNCHRONIZE); anything else needs no post-create.
   */
  function* DfPreCreateCallback(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfPreCreateCallback: Entered\n');
    if ((createOptions(Data) & FILE_DELETE_ON_CLOSE) !== 0) {
      const streamContext: ContextSlot = { value: null };
      const status = yield* DfAllocateContext(FLT_STREAM_CONTEXT, streamContext);
      if (NT_SUCCESS(status)) {
        CompletionContext.value = streamContext.value;
        return FLT_PREOP_SYNCHRONIZE;
      }
      DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, 'delete!DfPreCreateCallback: An error occurred with DfAllocateStreamContext!\n');
    }
    CompletionContext.value = null;
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  /** DfPostCreateCallback: a successful delete-on-close create flags its stream's context DeleteOnClose. */
  function* DfPostCreateCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void Flags;
    let status: NTSTATUS = STATUS_SUCCESS;
    const streamContext: ContextSlot = { value: CompletionContext as PFLT_CONTEXT<object> };
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfPostCreateCallback: Entered\n');
    // This status check handles the draining case.
    if (NT_SUCCESS(Data.IoStatus.Status) && Data.IoStatus.Status !== STATUS_REPARSE) {
      status = yield* DfGetOrSetContext(FltObjects, Data.Iopb.TargetFileObject, streamContext, FLT_STREAM_CONTEXT);
      if (NT_SUCCESS(status)) {
        (streamContext.value as PDF_STREAM_CONTEXT).Data.DeleteOnClose = (createOptions(Data) & FILE_DELETE_ON_CLOSE) !== 0;
      }
    }
    // DfGetOrSetContext released the context if it failed (the C assumes so; see docs/samples.md).
    if (NT_SUCCESS(status)) FltReleaseContext(streamContext.value!);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /**
   * DfPreSetInfoCallback: a disposition change gets the stream context and counts itself in NumOps;
   * only an operation that is alone in flight goes on to post (SYNCHRONIZE), so a race leaves NumOps
   * above zero for good and the stream is always checked at post-cleanup.
   */
  function* DfPreSetInfoCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    switch (setInfoParameters(Data).FileInformationClass) {
      case FILE_INFORMATION_CLASS.FileDispositionInformation:
      case FILE_INFORMATION_CLASS.FileDispositionInformationEx: {
        const streamContext: ContextSlot = { value: null };
        const status = yield* DfGetOrSetContext(FltObjects, Data.Iopb.TargetFileObject, streamContext, FLT_STREAM_CONTEXT);
        if (!NT_SUCCESS(status)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
        const context = streamContext.value as PDF_STREAM_CONTEXT;
        const race = (yield* InterlockedIncrement(context.Data.NumOps)) > 1;
        if (!race) {
          CompletionContext.value = context;
          return FLT_PREOP_SYNCHRONIZE;
        }
        FltReleaseContext(context);
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
      }
      default:
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
  }

  /**
   * DfPostSetInfoCallback: record the disposition that succeeded — FileDispositionInformationEx
   * with FILE_DISPOSITION_ON_CLOSE sets or clears DeleteOnClose, otherwise SetDisp — and leave NumOps.
   */
  function* DfPostSetInfoCallback(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void Flags;
    const streamContext = CompletionContext as PDF_STREAM_CONTEXT;
    if (NT_SUCCESS(Data.IoStatus.Status)) {
      const params = setInfoParameters(Data);
      if (params.FileInformationClass === FILE_INFORMATION_CLASS.FileDispositionInformationEx) {
        const flags = (params.InfoBuffer as { Flags: number }).Flags;
        if ((flags & FILE_DISPOSITION_ON_CLOSE) !== 0) streamContext.Data.DeleteOnClose = (flags & FILE_DISPOSITION_DELETE) !== 0;
        else streamContext.Data.SetDisp = (flags & FILE_DISPOSITION_DELETE) !== 0;
      } else {
        streamContext.Data.SetDisp = (params.InfoBuffer as { DeleteFile: boolean }).DeleteFile;
      }
    }
    yield* InterlockedDecrement(streamContext.Data.NumOps);
    FltReleaseContext(streamContext);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /** DfPreCleanupCallback: a stream with a context gets its opened name refreshed for the report, and a post-cleanup. */
  function* DfPreCleanupCallback(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfPreCleanupCallback: Entered\n');
    const got = yield* FltGetStreamContext(Data.Iopb.TargetInstance!, Data.Iopb.TargetFileObject!);
    if (NT_SUCCESS(got.status)) {
      const streamContext = got.context as unknown as PDF_STREAM_CONTEXT;
      const status = yield* DfGetFileNameInformation(Data, streamContext.Data);
      if (NT_SUCCESS(status)) {
        CompletionContext.value = streamContext;
        return FLT_PREOP_SYNCHRONIZE;
      }
      FltReleaseContext(streamContext);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  /**
   * DfPostCleanupCallback: a deletion candidate (racing dispositions, SetDisp, DeleteOnClose) not
   * notified yet is checked with FileStandardInformation; STATUS_FILE_DELETED means this cleanup
   * removed the stream, and DfProcessDelete finds out whether the file went too.
   */
  function* DfPostCleanupCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void Flags;
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ROUTINES, 'delete!DfPostCleanupCallback: Entered\n');
    const streamContext = CompletionContext as PDF_STREAM_CONTEXT;
    if (NT_SUCCESS(Data.IoStatus.Status)) {
      const c = streamContext.Data;
      if ((c.NumOps.value > 0 || c.SetDisp || c.DeleteOnClose) && c.IsNotified.value === 0) {
        const r = yield* FltQueryInformationFile(Data.Iopb.TargetInstance!, Data.Iopb.TargetFileObject!, FILE_STANDARD_INFORMATION_SIZE, FILE_INFORMATION_CLASS.FileStandardInformation);
        if (r.status === STATUS_FILE_DELETED) {
          const status = yield* DfProcessDelete(Data, FltObjects, streamContext);
          if (!NT_SUCCESS(status)) {
            DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, `delete!DfPostCleanupCallback: It was not possible to verify deletion due to an error in DfProcessDelete (0x${status.toString(16).padStart(8, '0')})!\n`);
          }
        }
      }
    }
    FltReleaseContext(streamContext);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  /** DfTransactionNotificationCallback: report the transaction's queued deletions as committed or rolled back. */
  function* DfTransactionNotificationCallback(FltObjects: FLT_RELATED_OBJECTS, TransactionContext: PFLT_CONTEXT<object>, NotificationMask: number): Blocking<NTSTATUS> {
    void FltObjects;
    const commit = (NotificationMask & TRANSACTION_NOTIFY_COMMIT_FINALIZE) !== 0;
    DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, commit ? 'delete!DfTransactionNotificationCallback: COMMIT!\n' : 'delete!DfTransactionNotificationCallback: ROLLBACK!\n');
    const transactionContext = (TransactionContext as PDF_TRANSACTION_CONTEXT).Data;
    yield* FltAcquireResourceExclusive(transactionContext.Resource!);
    while (transactionContext.DeleteNotifyList.length > 0) {
      const deleteNotify = transactionContext.DeleteNotifyList.shift()!; // RemoveHeadList
      if (!commit) yield* InterlockedDecrement(deleteNotify.StreamContext.Data.IsNotified);
      DfNotifyDeleteOnTransactionEnd(deleteNotify, commit);
      FltReleaseContext(deleteNotify.StreamContext);
    }
    yield* FltReleaseResource(transactionContext.Resource!);
    return STATUS_SUCCESS;
  }

  return { Globals, FilterRegistration, DriverEntry };
}

/** Data->Iopb->Parameters.Create.Options (the low 24 bits are the create options). */
function createOptions(Data: FLT_CALLBACK_DATA): number {
  return (Data.Iopb.Parameters as { Create: { Options: number } }).Create.Options & 0x00ffffff;
}

/** Data->Iopb->Parameters.SetFileInformation. */
function setInfoParameters(Data: FLT_CALLBACK_DATA): { FileInformationClass: number; InfoBuffer: unknown } {
  return (Data.Iopb.Parameters as { SetFileInformation: { FileInformationClass: number; InfoBuffer: unknown } }).SetFileInformation;
}
