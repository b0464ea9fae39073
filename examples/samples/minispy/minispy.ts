/**
 * minispy.c and RegistrationData.c, ported: an activity monitor. Every operation of every major
 * function an attached instance sees gets a log record in its pre-operation callback (the file's
 * name, the requestor, the parameters, the time) completed in its post-operation callback (status,
 * information, time) and queued for user mode, which drains the queue with FilterSendMessage
 * (GetMiniSpyLog) on `\MiniSpyPort`. Past MaxRecordsToAllocate an operation is not logged (one
 * static record says so). INF: three instances, none attached automatically: "Minispy - Top
 * Instance" 385100 (the default), "Minispy - Middle Instance" 370000, "Minispy - Bottom Instance"
 * 361000.
 *
 * Transactions (§22.4): the C finds FltGetTransactionContext & co. with FltGetRoutineAddress and
 * skips them when absent; fltsim has them. A create that succeeds inside a transaction enlists the
 * instance (SpyEnlistInTransaction: a transaction context, KEEP_IF_EXISTS, FltEnlistInTransaction for
 * FLT_MAX_TRANSACTION_NOTIFICATIONS) and logs a BEGIN record; SpyKtmNotificationCallback logs one
 * IRP_MJ_TRANSACTION_NOTIFY record per notification KTM sends.
 */
import {
  FLT_CONTEXT_END,
  FLT_TRANSACTION_CONTEXT,
  FltEnlistInTransaction,
  FltGetTransactionContext,
  FltSetTransactionContext,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_PORT_ALL_ACCESS,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_POST_OPERATION_DRAINING,
  FltBuildDefaultSecurityDescriptor,
  FltCloseClientPort,
  FltCloseCommunicationPort,
  FltCreateCommunicationPort,
  FltFreeSecurityDescriptor,
  FltGetFileNameInformation,
  FltParseFileNameInformation,
  FltRegisterFilter,
  FltReleaseFileNameInformation,
  FltStartFiltering,
  FltUnregisterFilter,
  IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
  IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_CREATE_MAILSLOT,
  IRP_MJ_CREATE_NAMED_PIPE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_INTERNAL_DEVICE_CONTROL,
  IRP_MJ_LOCK_CONTROL,
  IRP_MJ_MDL_READ,
  IRP_MJ_MDL_READ_COMPLETE,
  IRP_MJ_MDL_WRITE_COMPLETE,
  IRP_MJ_NETWORK_QUERY_OPEN,
  IRP_MJ_OPERATION_END,
  IRP_MJ_PNP,
  IRP_MJ_PREPARE_MDL_WRITE,
  IRP_MJ_QUERY_EA,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_QUOTA,
  IRP_MJ_QUERY_SECURITY,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_RELEASE_FOR_CC_FLUSH,
  IRP_MJ_RELEASE_FOR_MOD_WRITE,
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_SET_EA,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_SET_QUOTA,
  IRP_MJ_SET_SECURITY,
  IRP_MJ_SET_VOLUME_INFORMATION,
  IRP_MJ_SHUTDOWN,
  IRP_MJ_VOLUME_DISMOUNT,
  IRP_MJ_VOLUME_MOUNT,
  IRP_MJ_WRITE,
  KeInitializeSpinLock,
  KSPIN_LOCK,
  NT_SUCCESS,
  OBJ_CASE_INSENSITIVE,
  OBJ_KERNEL_HANDLE,
  portVariable,
  STATUS_DATATYPE_MISALIGNMENT,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_CONTEXT_REGISTRATION,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_OPERATION_REGISTRATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type InstancesKey,
  type NTSTATUS,
  type PDRIVER_OBJECT,
  type PFLT_PORT,
  type Simulation,
} from '../../../src/index.js';
import { COMMAND_MESSAGE_SIZE, emptyRecordData, GetMiniSpyLog, GetMiniSpyVersion, MINISPY_MAJ_VERSION, MINISPY_MIN_VERSION, MINISPY_PORT_NAME, MINISPYVER_SIZE } from './minispyUk.js';
import { DEFAULT_MAX_RECORDS_TO_ALLOCATE, DEFAULT_NAME_QUERY_METHOD, MINISPY_TRANSACTION_CONTEXT_SIZE, SPY_DEBUG_PARSE_NAMES, type MINISPY_DATA, type MinispyRegistry, type RECORD_LIST } from './mspyKern.js';
import { mspyLib } from './mspyLib.js';
import { spyTransactions } from './mspyTransactions.js';

export const MINISPY_NAME = 'MiniSpy';

/** What minispy.inf writes under the service's Instances key: three instances, none automatic. */
export const MINISPY_INSTANCES: InstancesKey = {
  DefaultInstance: 'Minispy - Top Instance',
  Instances: {
    'Minispy - Top Instance': { Altitude: '385100', Flags: 0x1 },
    'Minispy - Middle Instance': { Altitude: '370000', Flags: 0x1 },
    'Minispy - Bottom Instance': { Altitude: '361000', Flags: 0x1 },
  },
};

export interface MinispyImage {
  readonly MiniSpyData: MINISPY_DATA;
  readonly FilterRegistration: FLT_REGISTRATION;
  DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS>;
}

/** The minispy driver image; `registry` is the service key's values (SpyReadDriverParameters). */
export function minispy(sim: Simulation, registry: MinispyRegistry = {}): MinispyImage {
  const MiniSpyData: MINISPY_DATA = {
    DriverObject: null,
    Filter: null,
    ServerPort: null,
    ClientPort: portVariable(),
    OutputBufferLock: new KSPIN_LOCK('OutputBufferLock'),
    OutputBufferList: [],
    MaxRecordsToAllocate: 0,
    RecordsAllocated: 0,
    StaticBufferInUse: false,
    OutOfMemoryBuffer: { LogRecord: { Length: 0, SequenceNumber: 0, RecordType: 0, Data: emptyRecordData(), Name: '' } },
    LogSequenceNumber: 0,
    NameQueryMethod: 0,
    DebugFlags: 0,
    PFltGetTransactionContext: null,
    PFltSetTransactionContext: null,
    PFltEnlistInTransaction: null,
  };
  const lib = mspyLib(sim, MiniSpyData);
  const { SpyEnlistInTransaction, SpyKtmNotificationCallback, SpyDeleteTxfContext } = spyTransactions(MiniSpyData, lib);

  // RegistrationData.c: every major function, all to the same pair (IRP_MJ_SHUTDOWN: no post-op).
  const logged = [
    IRP_MJ_CREATE, IRP_MJ_CREATE_NAMED_PIPE, IRP_MJ_CLOSE, IRP_MJ_READ, IRP_MJ_WRITE, IRP_MJ_QUERY_INFORMATION, IRP_MJ_SET_INFORMATION,
    IRP_MJ_QUERY_EA, IRP_MJ_SET_EA, IRP_MJ_FLUSH_BUFFERS, IRP_MJ_QUERY_VOLUME_INFORMATION, IRP_MJ_SET_VOLUME_INFORMATION, IRP_MJ_DIRECTORY_CONTROL,
    IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_DEVICE_CONTROL, IRP_MJ_INTERNAL_DEVICE_CONTROL,
  ];
  const loggedAfterShutdown = [
    IRP_MJ_LOCK_CONTROL, IRP_MJ_CLEANUP, IRP_MJ_CREATE_MAILSLOT, IRP_MJ_QUERY_SECURITY, IRP_MJ_SET_SECURITY, IRP_MJ_QUERY_QUOTA, IRP_MJ_SET_QUOTA, IRP_MJ_PNP,
    IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION, IRP_MJ_ACQUIRE_FOR_MOD_WRITE, IRP_MJ_RELEASE_FOR_MOD_WRITE,
    IRP_MJ_ACQUIRE_FOR_CC_FLUSH, IRP_MJ_RELEASE_FOR_CC_FLUSH, IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE, IRP_MJ_NETWORK_QUERY_OPEN, IRP_MJ_MDL_READ,
    IRP_MJ_MDL_READ_COMPLETE, IRP_MJ_PREPARE_MDL_WRITE, IRP_MJ_MDL_WRITE_COMPLETE, IRP_MJ_VOLUME_MOUNT, IRP_MJ_VOLUME_DISMOUNT,
  ];
  const Callbacks: FLT_OPERATION_REGISTRATION[] = [
    ...logged.map((MajorFunction) => ({ MajorFunction, Flags: 0, PreOperation: SpyPreOperationCallback, PostOperation: SpyPostOperationCallback })),
    { MajorFunction: IRP_MJ_SHUTDOWN, Flags: 0, PreOperation: SpyPreOperationCallback },
    ...loggedAfterShutdown.map((MajorFunction) => ({ MajorFunction, Flags: 0, PreOperation: SpyPreOperationCallback, PostOperation: SpyPostOperationCallback })),
    { MajorFunction: IRP_MJ_OPERATION_END },
  ];

  // FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS (Win8) has nothing to act on: fltsim has no pipe or mailslot volumes.
  const Contexts: FLT_CONTEXT_REGISTRATION[] = [
    { ContextType: FLT_TRANSACTION_CONTEXT, Flags: 0, ContextCleanupCallback: SpyDeleteTxfContext, Size: MINISPY_TRANSACTION_CONTEXT_SIZE, PoolTag: 0x4d737079 /* 'ypsM' */ },
    { ContextType: FLT_CONTEXT_END },
  ];

  const FilterRegistration: FLT_REGISTRATION = {
    Flags: 0,
    ContextRegistration: Contexts,
    OperationRegistration: Callbacks,
    FilterUnloadCallback: SpyFilterUnload,
    InstanceQueryTeardownCallback: SpyQueryTeardown,
    TransactionNotificationCallback: SpyKtmNotificationCallback,
  };

  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    let status: NTSTATUS = STATUS_SUCCESS;
    MiniSpyData.LogSequenceNumber = 0;
    MiniSpyData.MaxRecordsToAllocate = DEFAULT_MAX_RECORDS_TO_ALLOCATE;
    MiniSpyData.RecordsAllocated = 0;
    MiniSpyData.NameQueryMethod = DEFAULT_NAME_QUERY_METHOD;
    MiniSpyData.DriverObject = DriverObject;
    // FltGetRoutineAddress of the transaction routines (the C's down-level guard): present here.
    MiniSpyData.PFltGetTransactionContext = FltGetTransactionContext;
    MiniSpyData.PFltSetTransactionContext = FltSetTransactionContext;
    MiniSpyData.PFltEnlistInTransaction = FltEnlistInTransaction;
    yield* KeInitializeSpinLock(MiniSpyData.OutputBufferLock);
    SpyReadDriverParameters();
    try {
      do {
        const registered = FltRegisterFilter(DriverObject, FilterRegistration);
        status = registered.status;
        if (!NT_SUCCESS(status)) break;
        MiniSpyData.Filter = registered.filter;
        const sd = yield* FltBuildDefaultSecurityDescriptor(FLT_PORT_ALL_ACCESS);
        status = sd.status;
        if (!NT_SUCCESS(status)) break;
        const created = FltCreateCommunicationPort(
          MiniSpyData.Filter!,
          { ObjectName: MINISPY_PORT_NAME, Attributes: OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, SecurityDescriptor: sd.SecurityDescriptor },
          null,
          SpyConnect,
          SpyDisconnect,
          SpyMessage,
          1,
        );
        MiniSpyData.ServerPort = created.ServerPort;
        yield* FltFreeSecurityDescriptor(sd.SecurityDescriptor!);
        status = created.status;
        if (!NT_SUCCESS(status)) break;
        status = yield* FltStartFiltering(MiniSpyData.Filter!);
      } while (false);
    } finally {
      if (!NT_SUCCESS(status)) {
        if (MiniSpyData.ServerPort !== null) FltCloseCommunicationPort(MiniSpyData.ServerPort);
        if (MiniSpyData.Filter !== null) yield* FltUnregisterFilter(MiniSpyData.Filter);
      }
    }
    return status;
  }

  /** SpyReadDriverParameters: MaxRecords and NameQueryMethod from the service key, when present. */
  function SpyReadDriverParameters(): void {
    if (registry.MaxRecords !== undefined) MiniSpyData.MaxRecordsToAllocate = registry.MaxRecords;
    if (registry.NameQueryMethod !== undefined) MiniSpyData.NameQueryMethod = registry.NameQueryMethod;
    if (registry.DebugFlags !== undefined) MiniSpyData.DebugFlags = registry.DebugFlags;
  }

  function SpyConnect(ClientPort: PFLT_PORT, ServerPortCookie: unknown, ConnectionContext: Uint8Array | null, SizeOfContext: number, ConnectionCookie: { value: unknown }): NTSTATUS {
    void ServerPortCookie, ConnectionContext, SizeOfContext, ConnectionCookie;
    // FLT_ASSERT(MiniSpyData.ClientPort == NULL)
    MiniSpyData.ClientPort.value = ClientPort;
    return STATUS_SUCCESS;
  }

  function SpyDisconnect(ConnectionCookie: unknown): void {
    void ConnectionCookie;
    FltCloseClientPort(MiniSpyData.Filter!, MiniSpyData.ClientPort);
  }

  /** Close the server port (no new connections), unregister, then free what was never collected. */
  function* SpyFilterUnload(Flags: number): Blocking<NTSTATUS> {
    void Flags;
    FltCloseCommunicationPort(MiniSpyData.ServerPort!);
    yield* FltUnregisterFilter(MiniSpyData.Filter!);
    yield* lib.SpyEmptyOutputBufferList();
    return STATUS_SUCCESS;
  }

  function SpyQueryTeardown(FltObjects: FLT_RELATED_OBJECTS, Flags: number): NTSTATUS {
    void FltObjects, Flags;
    return STATUS_SUCCESS;
  }

  /**
   * MessageNotify, in the user's thread, with the user's raw buffers: GetMiniSpyLog fills the
   * output with records (it must be pointer-aligned), GetMiniSpyVersion with MINISPYVER.
   */
  function* SpyMessage(
    ConnectionCookie: unknown,
    InputBuffer: Uint8Array | null,
    InputBufferSize: number,
    OutputBuffer: Uint8Array | null,
    OutputBufferSize: number,
    ReturnOutputBufferLength: { value: number },
  ): Blocking<NTSTATUS> {
    void ConnectionCookie;
    let status: NTSTATUS;
    if (InputBuffer === null || InputBufferSize < 4) return STATUS_INVALID_PARAMETER;
    const command = new DataView(InputBuffer.buffer, InputBuffer.byteOffset, 4).getUint32(0, true);
    void COMMAND_MESSAGE_SIZE;
    switch (command) {
      case GetMiniSpyLog:
        if (OutputBuffer === null || OutputBufferSize === 0) {
          status = STATUS_INVALID_PARAMETER;
          break;
        }
        // A 64-bit process: the buffer must be pointer-aligned (IoIs32bitProcess is FALSE).
        if (OutputBuffer.byteOffset % 8 !== 0) {
          status = STATUS_DATATYPE_MISALIGNMENT;
          break;
        }
        status = yield* lib.SpyGetLog(OutputBuffer, OutputBufferSize, ReturnOutputBufferLength);
        break;
      case GetMiniSpyVersion: {
        if (OutputBufferSize < MINISPYVER_SIZE || OutputBuffer === null) {
          status = STATUS_INVALID_PARAMETER;
          break;
        }
        if (OutputBuffer.byteOffset % 4 !== 0) {
          status = STATUS_DATATYPE_MISALIGNMENT;
          break;
        }
        const ver = new DataView(OutputBuffer.buffer, OutputBuffer.byteOffset, MINISPYVER_SIZE);
        ver.setUint16(0, MINISPY_MAJ_VERSION, true);
        ver.setUint16(2, MINISPY_MIN_VERSION, true);
        ReturnOutputBufferLength.value = MINISPYVER_SIZE;
        status = STATUS_SUCCESS;
        break;
      }
      default:
        status = STATUS_INVALID_PARAMETER;
    }
    return status;
  }

  /**
   * Every pre-operation: a record with the file's name — NORMALIZED with NameQueryMethod (by
   * default ALWAYS_ALLOW_CACHE_LOOKUP: minispy copes without a name), else the OPENED name with the
   * failed status before it, else both statuses — and the operation's data, handed to the
   * post-operation. No record to be had: no post-operation.
   */
  function* SpyPreOperationCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    let returnStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let nameInfo: FLT_FILE_NAME_INFORMATION | null = null;
    let nameToUse: string;
    let ecpDataToUse: string | null = null;
    const recordList = lib.SpyNewRecord();
    if (recordList !== null) {
      let status: NTSTATUS;
      if (FltObjects.FileObject !== null) {
        const got = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | MiniSpyData.NameQueryMethod);
        status = got.status;
        nameInfo = got.FileNameInformation;
      } else {
        status = STATUS_UNSUCCESSFUL;
      }
      if (NT_SUCCESS(status)) {
        nameToUse = nameInfo!.Name;
        if ((MiniSpyData.DebugFlags & SPY_DEBUG_PARSE_NAMES) !== 0) FltParseFileNameInformation(nameInfo!);
      } else if (FltObjects.FileObject !== null) {
        const opened = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP);
        if (NT_SUCCESS(opened.status)) {
          nameToUse = `<${hex8(status)}> ${opened.FileNameInformation!.Name}`;
          FltReleaseFileNameInformation(opened.FileNameInformation!);
        } else {
          nameToUse = `<NO NAME: NormalizeStatus=${hex8(status)} OpenedStatus=${hex8(opened.status)}>`;
        }
      } else {
        nameToUse = '<NO NAME>';
      }
      // Creates: the ECPs, after the name (an empty description still adds the separating space).
      if (Data.Iopb.MajorFunction === IRP_MJ_CREATE) ecpDataToUse = lib.SpyParseEcps(Data, recordList);
      lib.SpySetRecordNameAndEcpData(recordList.LogRecord, nameToUse, ecpDataToUse);
      if (nameInfo !== null) FltReleaseFileNameInformation(nameInfo);
      lib.SpyLogPreOperationData(Data, FltObjects, recordList);
      if (Data.Iopb.MajorFunction === IRP_MJ_SHUTDOWN) {
        // No post-operation for a shutdown: complete the record now.
        yield* SpyPostOperationCallback(Data, FltObjects, recordList, 0);
        returnStatus = FLT_PREOP_SUCCESS_NO_CALLBACK;
      } else {
        CompletionContext.value = recordList;
        returnStatus = FLT_PREOP_SUCCESS_WITH_CALLBACK;
      }
    }
    return returnStatus;
  }

  /** Complete the record and queue it for user mode; an instance being torn down drops it. */
  function* SpyPostOperationCallback(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void FltObjects;
    const recordList = CompletionContext as RECORD_LIST;
    if ((Flags & FLTFL_POST_OPERATION_DRAINING) !== 0) {
      lib.SpyFreeRecord(recordList);
      return FLT_POSTOP_FINISHED_PROCESSING;
    }
    lib.SpyLogPostOperationData(Data, recordList);
    // Reparse tag data (RECORD_TYPE_FILETAG records) is not ported: see docs/samples.md.
    yield* lib.SpyLog(recordList);
    // For creates within a transaction enlist in the transaction if we have not already.
    if (FltObjects.Transaction !== null && Data.Iopb.MajorFunction === IRP_MJ_CREATE && Data.IoStatus.Status === STATUS_SUCCESS) {
      yield* SpyEnlistInTransaction(FltObjects);
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  return { MiniSpyData, FilterRegistration, DriverEntry };
}

function hex8(status: NTSTATUS): string {
  return (status >>> 0).toString(16).padStart(8, '0');
}
