/**
 * fltsim's public API, listed by hand: nothing is public by accident.
 * Test helpers live in the separate `fltsim/testing` entry (src/testing/index.ts).
 */

// The simulation
export { createSimulation, Simulation } from './simulation.js';
export type { SimulationOptions, DriverSpec, DriverEntry, ThreadHandle, RunResult } from './simulation.js';
export type { StepResult, BlockedThread } from './kernel/kernel.js';

// Blocking and scheduling
export { preempt, sleep } from './kernel/effects.js';
export type { Blocking, MaybeBlocking } from './kernel/effects.js';
export { inOrderStrategy, randomStrategy, replayStrategy } from './kernel/strategy.js';
export type { Strategy, Choosable, ChoiceContext } from './kernel/strategy.js';
export { Random } from './kernel/random.js';

// Errors
export { FltSimError, VerifierError, UsageError, ReplayDivergenceError } from './kernel/errors.js';
export { FLT_ASSERT } from './kernel/fltAssert.js';
export { SubscriberError } from './kernel/factStream.js';
export { BUILT_IN_ACTIONS } from './host/actions.js';
export type { HostActionFunction, ApplicationIoStep } from './host/actions.js';
export type { PendingFsRequest, RequestCompletion } from './io/heldRequests.js';
export { VERIFIER_RULES, VERIFIER_RULE_IDS } from './kernel/verifierRules.js';
export type { VerifierRule, VerifierRuleSpec } from './kernel/verifierRules.js';

// The log and its views
export type { Fact, FactType, FactOf, FrameSpec } from './kernel/facts.js';
export { foldLog } from './projection/fold.js';
export type { SimState, ProcessView, ThreadView, FilterView, VolumeView, InstanceView, LegacyFilterView, FileObjectView, OperationView, ContextView, EcpListView, EcpView, FileNameInformationView, ServerPortView, ClientPortView, MessageView, ViolationView, EventView, LockView, WorkItemView, IrpView, CbdqView, ByteRangeLockView, DirectoryNotificationView, OplockView, DeviceObjectView } from './projection/simState.js';
export { formatTrace, formatFact } from './trace/textFormat.js';
export { TraceNamer } from './trace/traceNamer.js';
export { formatStacks } from './trace/stackView.js';
export { formatObjects, formatDiff } from './trace/stateView.js';

// Kernel objects and registration
export type { FilterObject as PFLT_FILTER } from './fltmgr/filterObject.js';
export type { InstanceObject as PFLT_INSTANCE } from './fltmgr/instanceObject.js';
export type { VolumeObject as PFLT_VOLUME, VolumeSpec } from './fltmgr/volumeObject.js';
export type { DriverObject as PDRIVER_OBJECT } from './fltmgr/driverObject.js';
// A driver's own device objects and the IRPs sent to them (§23.6)
export { IoCreateDevice, IoDeleteDevice, IoGetCurrentIrpStackLocation, IoCompleteRequest, IRP_MJ_MAXIMUM_FUNCTION, FILE_DEVICE_SECURE_OPEN } from './io/deviceObjects.js';
export type { DEVICE_OBJECT as PDEVICE_OBJECT, IRP as PIRP, IO_STACK_LOCATION as PIO_STACK_LOCATION, DeviceFileObject as PDEVICE_FILE_OBJECT, DRIVER_DISPATCH, FAST_IO_DISPATCH, FAST_IO_DEVICE_CONTROL, IoCreateDeviceResult } from './io/deviceObjects.js';
export type {
  FLT_REGISTRATION,
  FLT_OPERATION_REGISTRATION,
  FLT_RELATED_OBJECTS,
  InstancesKey,
  PFLT_FILTER_UNLOAD_CALLBACK,
  PFLT_INSTANCE_SETUP_CALLBACK,
  PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK,
  PFLT_INSTANCE_TEARDOWN_CALLBACK,
  PFLT_PRE_OPERATION_CALLBACK,
  PFLT_POST_OPERATION_CALLBACK,
  PFLT_GET_OPERATION_STATUS_CALLBACK,
  PFLT_GENERATE_FILE_NAME,
  PFLT_NORMALIZE_NAME_COMPONENT,
  PFLT_NORMALIZE_NAME_COMPONENT_EX,
  PFLT_NORMALIZE_CONTEXT_CLEANUP,
  FLT_NAME_CONTROL,
  FILE_NAMES_INFORMATION_OUT,
} from './fltmgr/registration.js';
export { INSTANCE_FLAG_SUPPRESS_AUTOMATIC_ATTACHMENT } from './fltmgr/registration.js';

// Filter Manager routines (WDK names and parameter order; out-parameters become results)
export { FltRegisterFilter, FltStartFiltering, FltUnregisterFilter } from './fltmgr/filterRoutines.js';
export type { RegisterResult } from './fltmgr/filterRoutines.js';
export { FltAttachVolume, FltAttachVolumeAtAltitude, FltDetachVolume } from './fltmgr/instanceRoutines.js';
export type { AttachResult } from './fltmgr/instanceRoutines.js';
export {
  FltGetVolumeFromName,
  FltGetVolumeFromInstance,
  FltGetTopInstance,
  FltGetBottomInstance,
  FltGetUpperInstance,
  FltGetLowerInstance,
  FltCompareInstanceAltitudes,
} from './fltmgr/volumeRoutines.js';
export type { VolumeResult, InstanceResult } from './fltmgr/volumeRoutines.js';
export { FltGetDiskDeviceObject, IoVolumeDeviceToDosName } from './fltmgr/diskDevices.js';
export type { DiskDeviceResult, DosNameResult } from './fltmgr/diskDevices.js';
export { FltObjectReference, FltObjectDereference } from './fltmgr/references.js';
export {
  FltGetVolumeProperties,
  FltGetFileSystemType,
  FltGetVolumeName,
  FltGetVolumeGuidName,
  FltIsVolumeWritable,
  FltGetVolumeFromFileObject,
  FltGetFilterFromInstance,
} from './fltmgr/volumeInformation.js';
export type { FLT_VOLUME_PROPERTIES, VolumePropertiesResult, VolumeNameResult } from './fltmgr/volumeInformation.js';
export { FltEnumerateVolumes, FltEnumerateInstances } from './fltmgr/enumeration.js';
export type { EnumerationResult } from './fltmgr/enumeration.js';

// Processes (§23.1)
export type { ProcessObject as PEPROCESS, ThreadObject as PETHREAD } from './io/processes.js';
export { SYSTEM_PID } from './io/processes.js';
export { IoThreadToProcess, PsGetProcessId, PsGetThreadId } from './io/processRoutines.js';
export { IoReplaceFileObjectName } from './io/fileObjectRoutines.js';
export { FltGetRequestorProcess, FltGetRequestorProcessId, FltGetRequestorProcessIdEx } from './fltmgr/requestorProcess.js';

// Contexts (§15)
export type { PFLT_CONTEXT } from './fltmgr/contextObject.js';
export type {
  FLT_CONTEXT_REGISTRATION,
  PFLT_CONTEXT_CLEANUP_CALLBACK,
  PFLT_CONTEXT_ALLOCATE_CALLBACK,
  PFLT_CONTEXT_FREE_CALLBACK,
} from './fltmgr/registration.js';
export { FltAllocateContext, FltReferenceContext, FltReleaseContext, FltDeleteContext, FltGetContexts, FltReleaseContexts } from './fltmgr/contextRoutines.js';
export type { AllocateContextResult, FLT_RELATED_CONTEXTS } from './fltmgr/contextRoutines.js';
export {
  FltSetVolumeContext,
  FltGetVolumeContext,
  FltDeleteVolumeContext,
  FltSetInstanceContext,
  FltGetInstanceContext,
  FltDeleteInstanceContext,
  FltSetFileContext,
  FltGetFileContext,
  FltDeleteFileContext,
  FltSetStreamContext,
  FltGetStreamContext,
  FltDeleteStreamContext,
  FltSetStreamHandleContext,
  FltGetStreamHandleContext,
  FltDeleteStreamHandleContext,
  FltSupportsStreamContexts,
  FltSupportsStreamHandleContexts,
  FltSupportsFileContexts,
  FltSupportsFileContextsEx,
} from './fltmgr/contextKinds.js';
export type { PFLT_CONTEXT_OUT, GetContextResult } from './fltmgr/contextSetGet.js';
export { MAX_CALLBACK_REENTRY } from './fltmgr/filterManager.js';

// File names (§16; docs/routines.md)
export {
  FltGetFileNameInformation,
  FltGetFileNameInformationUnsafe,
  FltGetDestinationFileNameInformation,
  FltGetTunneledName,
  FltParseFileNameInformation,
  FltParseFileName,
  FltReferenceFileNameInformation,
  FltReleaseFileNameInformation,
  FltCheckAndGrowNameControl,
  FltPurgeFileNameInformationCache,
} from './fltmgr/names/nameRoutines.js';
export type { NameResult, TunneledNameResult } from './fltmgr/names/nameRoutines.js';
export type { FLT_FILE_NAME_INFORMATION } from './fltmgr/names/fileNameRecord.js';
export * from './wdk/nameConstants.js';

// The I/O path (§7, §8): callback data, file objects, pending, work items, I/O from above
export type { FLT_CALLBACK_DATA, FLT_IO_PARAMETER_BLOCK, IO_STATUS_BLOCK } from './io/ioOperation.js';
export type { FileObject as PFILE_OBJECT } from './io/fileObject.js';
export {
  FltCompletePendedPreOperation,
  FltCompletePendedPostOperation,
  FltSetCallbackDataDirty,
  FltClearCallbackDataDirty,
  FltIsCallbackDataDirty,
} from './io/pending.js';
export {
  FltAllocateGenericWorkItem,
  FltFreeGenericWorkItem,
  FltQueueGenericWorkItem,
  FltAllocateDeferredIoWorkItem,
  FltFreeDeferredIoWorkItem,
  FltQueueDeferredIoWorkItem,
} from './fltmgr/workItems.js';
export type { WORK_QUEUE_TYPE, PFLT_GENERIC_WORKITEM_ROUTINE, PFLT_DEFERRED_IO_WORKITEM_ROUTINE } from './fltmgr/workItems.js';
export type { FltWorkItem, WorkItemKind } from './fltmgr/workItemObjects.js';
export type { IoManager, CreateFileOptions, CreateFileResult, IoResult, Requestor } from './io/ioManager.js';
export { DEFAULT_USER_SID, SYSTEM_SID, ADMINISTRATORS_SID } from './kernel/sids.js';

// Cancellation and cancel-safe queues (§18.3, §19)
export type { AppRequest } from './io/appRequests.js';
export {
  FltSetCancelCompletion,
  FltClearCancelCompletion,
  FltCancelIo,
  FltIsIoCanceled,
  FltCancellableWaitForSingleObject,
  FltCancellableWaitForMultipleObjects,
} from './fltmgr/cancelRoutines.js';
export type { PFLT_COMPLETE_CANCELED_CALLBACK } from './fltmgr/cancelRoutines.js';
export {
  FLT_CALLBACK_DATA_QUEUE,
  FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT,
  FltCbdqInitialize,
  FltCbdqInsertIo,
  FltCbdqRemoveIo,
  FltCbdqRemoveNextIo,
  FltCbdqDisable,
  FltCbdqEnable,
} from './fltmgr/cbdq.js';
export type {
  PFLT_CALLBACK_DATA_QUEUE_INSERT_IO,
  PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO,
  PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO,
  PFLT_CALLBACK_DATA_QUEUE_ACQUIRE,
  PFLT_CALLBACK_DATA_QUEUE_RELEASE,
  PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO,
} from './fltmgr/cbdq.js';
export type { CancelRoutineKind } from './kernel/facts.js';
export type { LegacyFilterSpec, LegacyIrpHandler } from './fltmgr/volumeObject.js';
export type { FileSystemCompletion, InstanceSetupOnMount } from './fltmgr/filterManager.js';

// Generated I/O (§10, §11): the routines a minifilter uses to issue I/O itself
export { FltCreateFile, FltCreateFileEx, FltClose, ObDereferenceObject, KernelHandle } from './issuedIo/createFile.js';
export type { OBJECT_ATTRIBUTES, CreateFileResult as FltCreateFileResult, CreateFileExResult as FltCreateFileExResult } from './issuedIo/createFile.js';
export { FltReadFile, FltWriteFile } from './issuedIo/readWrite.js';
export type { ReadResult, WriteResult } from './issuedIo/readWrite.js';
export {
  FltAllocateCallbackData,
  FltAllocateCallbackDataEx,
  FltFreeCallbackData,
  FltReuseCallbackData,
  FltPerformSynchronousIo,
  FltPerformAsynchronousIo,
} from './issuedIo/callbackDataRoutines.js';
export type { AllocateResult, PFLT_COMPLETED_ASYNC_IO_CALLBACK } from './issuedIo/callbackDataRoutines.js';
export {
  FltQueryInformationFile,
  FltSetInformationFile,
  FltQueryVolumeInformationFile,
  FltQuerySecurityObject,
  FltSetSecurityObject,
  FltFsControlFile,
  FltDeviceIoControlFile,
  FltFlushBuffers,
  FltTagFile,
  FltUntagFile,
} from './issuedIo/fileRoutines.js';
export type { GeneratedResult } from './issuedIo/fileRoutines.js';
export { FltCancelFileOpen } from './issuedIo/cancelFileOpen.js';
export { FltRequestOperationStatusCallback } from './io/operationStatus.js';
export { FltQueryDirectoryFile } from './issuedIo/queryDirectory.js';
export type { QueryDirectoryResult } from './issuedIo/queryDirectory.js';

// Buffers (§20): the data in FLT_PARAMETERS, MDLs, buffer swapping, pool
export {
  FltLockUserBuffer,
  MmGetSystemAddressForMdlSafe,
  FltDecodeParameters,
  IoAllocateMdl,
  MmBuildMdlForNonPagedPool,
  IoFreeMdl,
  FltGetSwappedBufferMdlAddress,
  FltRetainSwappedBufferMdlAddress,
  FltDoCompletionProcessingWhenSafe,
} from './fltmgr/bufferRoutines.js';
export type { DecodedParameters, FieldPointer, WhenSafeResult } from './fltmgr/bufferRoutines.js';
export { ExAllocatePoolWithTag, ExAllocatePoolZero, ExFreePoolWithTag, ExFreePool, FltAllocatePoolAlignedWithTag, FltFreePoolAlignedWithTag } from './fltmgr/poolRoutines.js';
export * from './wdk/buffers.js';
export { encodeDirectoryEntries, decodeDirectoryEntries } from './wdk/directoryBytes.js';
export { FltCreateFileEx2 } from './issuedIo/createFile.js';
export type { IO_DRIVER_CREATE_CONTEXT } from './issuedIo/createFile.js';
export { FLT_CREATEFILE_TARGET_ECP_CONTEXT_SIZE } from './issuedIo/createTarget.js';
export type { FLT_CREATEFILE_TARGET_ECP_CONTEXT } from './issuedIo/createTarget.js';
export {
  FltAllocateExtraCreateParameterList,
  FltFreeExtraCreateParameterList,
  FltAllocateExtraCreateParameter,
  FltFreeExtraCreateParameter,
  FltInsertExtraCreateParameter,
  FltFindExtraCreateParameter,
  FltRemoveExtraCreateParameter,
  FltGetNextExtraCreateParameter,
  FltGetEcpListFromCallbackData,
  FltSetEcpListIntoCallbackData,
  FltAcknowledgeEcp,
  FltIsEcpAcknowledged,
  FltIsEcpFromUserMode,
  FltPrepareToReuseEcp,
} from './fltmgr/ecpRoutines.js';
export type { FindEcpResult } from './fltmgr/ecpRoutines.js';
export type { EcpListObject as PECP_LIST, EcpObject as PECP_CONTEXT } from './fltmgr/ecpObjects.js';
export { ObReferenceObject, ObReferenceObjectByHandle, IoFileObjectType } from './issuedIo/objectReferences.js';

// Sections backed by files (§24): data-scan sections, mapped views, file mappings and the modified page writer
export {
  FltRegisterForDataScan,
  FltCreateSectionForDataScan,
  FltCloseSectionForDataScan,
  ZwClose,
  NtClose,
  ZwMapViewOfSection,
  ZwUnmapViewOfSection,
  NtCurrentProcess,
  viewBytes,
} from './fltmgr/sectionRoutines.js';
export type { CreateSectionResult, MapViewResult, SECTION_OBJECT_ATTRIBUTES } from './fltmgr/sectionRoutines.js';
export type { SectionObject as PSECTION_OBJECT, SectionHandle as SECTION_HANDLE, SectionView as PVIEW } from './fltmgr/sectionObjects.js';
export { PAGE_SIZE } from './fltmgr/sectionObjects.js';
export { FlushViewOfFile, MapViewOfFile, UnmapViewOfFile, writeMappedView } from './issuedIo/mappedFiles.js';
export type { PFLT_SECTION_CONFLICT_NOTIFICATION_CALLBACK } from './fltmgr/registration.js';
export {
  FltEnlistInTransaction,
  FltCommitComplete,
  FltCommitFinalizeComplete,
  FltPrepareComplete,
  FltPrePrepareComplete,
  FltRollbackComplete,
  FltSetTransactionContext,
  FltGetTransactionContext,
  FltDeleteTransactionContext,
  IoGetTransactionParameterBlock,
  ObOpenObjectByPointer,
  ObfDereferenceObject,
  OBJ_KERNEL_HANDLE,
  TmTransactionObjectType,
  ZwQueryInformationTransaction,
} from './fltmgr/transactionRoutines.js';
export type { TXN_PARAMETER_BLOCK, TRANSACTION_BASIC_INFORMATION } from './fltmgr/transactionRoutines.js';
export type { TransactionObject, TransactionHandle, TransactionObject as PKTRANSACTION } from './fltmgr/transactionObjects.js';
export type { PFLT_TRANSACTION_NOTIFICATION_CALLBACK } from './fltmgr/registration.js';
export type { TransactionState } from './machines/transaction.js';
export * from './wdk/transactionConstants.js';
export * from './wdk/sectionConstants.js';
export { FltCreateSystemVolumeInformationFolder } from './issuedIo/systemVolumeInformation.js';
export { FltReissueSynchronousIo } from './issuedIo/reissue.js';
export { DEFAULT_SEMANTICS } from './fltmgr/semantics.js';

// Communication ports (§17): the kernel side, and the user-mode side run by application threads
export { FltBuildDefaultSecurityDescriptor, FltFreeSecurityDescriptor, FltCreateCommunicationPort, FltCloseCommunicationPort, FltCloseClientPort } from './fltmgr/portRoutines.js';
export type { BuildSecurityDescriptorResult, CreatePortResult } from './fltmgr/portRoutines.js';
export { FltSendMessage } from './fltmgr/sendMessage.js';
export { FilterGetMessage, FilterReplyMessage, FilterSendMessage, CloseHandle } from './fltmgr/filterPortUser.js';
export type { ConnectResult, SendMessageResult } from './fltmgr/filterPortUser.js';
export { WaitForSingleObject, SetEvent, ResetEvent, GetOverlappedResult } from './fltmgr/win32Events.js';
export type { OverlappedResult } from './fltmgr/win32Events.js';
export { CreateIoCompletionPort, GetQueuedCompletionStatus } from './fltmgr/win32CompletionPorts.js';
export type { CreateIoCompletionPortResult, QueuedCompletionStatus } from './fltmgr/win32CompletionPorts.js';
export { portVariable } from './fltmgr/portObjects.js';
export type {
  ServerPort as PFLT_SERVER_PORT,
  ClientPort as PFLT_PORT,
  PortVariable,
  SecurityDescriptor as PSECURITY_DESCRIPTOR,
  PORT_OBJECT_ATTRIBUTES,
  PFLT_CONNECT_NOTIFY,
  PFLT_DISCONNECT_NOTIFY,
  PFLT_MESSAGE_NOTIFY,
  FilterPortHandle,
  EventHandle,
  IoCompletionPortHandle,
  OVERLAPPED,
} from './fltmgr/portObjects.js';
export type { Semantics } from './fltmgr/semantics.js';

// Synchronization and waits a minifilter uses (§18): KEVENT, KeWaitFor*, locks, IRQL and APC regions
export { KEVENT, KeInitializeEvent, KeSetEvent, KeResetEvent, KeClearEvent, KeReadStateEvent, NotificationEvent, SynchronizationEvent, IO_NO_INCREMENT } from './sync/kevent.js';
export type { EVENT_TYPE } from './sync/kevent.js';
export { KeWaitForSingleObject, KeWaitForMultipleObjects, Executive, UserRequest, KernelMode, UserMode, WaitAll, WaitAny, THREAD_WAIT_OBJECTS, MAXIMUM_WAIT_OBJECTS } from './sync/waits.js';
export type { KWAIT_REASON, KPROCESSOR_MODE, DispatcherObject } from './sync/waits.js';
export { HUNDRED_NANOSECONDS_PER_TICK, timeoutToTicks, relativeTicks } from './kernel/time.js';
export type { LargeInteger } from './kernel/time.js';
export {
  ERESOURCE,
  ExInitializeResourceLite,
  ExDeleteResourceLite,
  ExAcquireResourceExclusiveLite,
  ExAcquireResourceSharedLite,
  ExIsResourceAcquiredExclusiveLite,
  ExIsResourceAcquiredSharedLite,
  ExReleaseResourceLite,
  FltAcquireResourceExclusive,
  FltAcquireResourceShared,
  FltReleaseResource,
} from './sync/eresource.js';
export { FAST_MUTEX, KGUARDED_MUTEX, ExInitializeFastMutex, ExAcquireFastMutex, ExReleaseFastMutex, KeInitializeGuardedMutex, KeAcquireGuardedMutex, KeReleaseGuardedMutex } from './sync/fastMutex.js';
export { EX_PUSH_LOCK, FltInitializePushLock, FltAcquirePushLockExclusive, FltAcquirePushLockShared, FltReleasePushLock, FltDeletePushLock } from './sync/pushLock.js';
export { KSPIN_LOCK, KeInitializeSpinLock, KeAcquireSpinLock, KeReleaseSpinLock } from './sync/spinLock.js';
export {
  RTL_GENERIC_TABLE,
  RTL_AVL_TABLE,
  GenericLessThan,
  GenericGreaterThan,
  GenericEqual,
  RtlInitializeGenericTable,
  RtlInitializeGenericTableAvl,
  RtlInsertElementGenericTable,
  RtlInsertElementGenericTableAvl,
  RtlLookupElementGenericTable,
  RtlLookupElementGenericTableAvl,
  RtlDeleteElementGenericTable,
  RtlDeleteElementGenericTableAvl,
  RtlGetElementGenericTable,
  RtlGetElementGenericTableAvl,
  RtlNumberGenericTableElements,
  RtlNumberGenericTableElementsAvl,
  RtlIsGenericTableEmpty,
  RtlIsGenericTableEmptyAvl,
  RtlEnumerateGenericTableWithoutSplaying,
  RtlEnumerateGenericTableWithoutSplayingAvl,
} from './rtl/genericTable.js';
export type { RTL_GENERIC_COMPARE_RESULTS, RTL_GENERIC_COMPARE_ROUTINE, RTL_GENERIC_ALLOCATE_ROUTINE, RTL_GENERIC_FREE_ROUTINE } from './rtl/genericTable.js';
export { InterlockedIncrement, InterlockedDecrement, InterlockedExchange, InterlockedCompareExchange, InterlockedExchangeAdd, InterlockedExchangePointer, InterlockedCompareExchangePointer, KeMemoryBarrier } from './sync/interlocked.js';
export type { LONG } from './sync/interlocked.js';
export {
  KeGetCurrentIrql,
  KeAreAllApcsDisabled,
  KeAreApcsDisabled,
  KeEnterCriticalRegion,
  KeLeaveCriticalRegion,
  FsRtlEnterFileSystem,
  FsRtlExitFileSystem,
  KeEnterGuardedRegion,
  KeLeaveGuardedRegion,
  PASSIVE_LEVEL,
  APC_LEVEL,
  DISPATCH_LEVEL,
  ROUTINE_IRQL_LIMITS,
} from './sync/irql.js';
export type { KIRQL } from './sync/irql.js';
export type { EventType, LockType, LockMode } from './kernel/facts.js';
export { waitForGraph, formatCycle } from './projection/waitFor.js';
export type { WaitForEdge, WaitForGraph } from './projection/waitFor.js';

// The file system at the bottom
export { MemoryFileSystem } from './fs/memoryFileSystem.js';
export type { FsSnapshot, FsStat, SeedFileOptions } from './fs/seed.js';
export type { FsTagData, FsOutput } from './fs/types.js';
export { FsHold } from './fs/holds.js';
export type { FsHoldSpec, HeldRequest, HeldRequestInfo } from './fs/holds.js';
// Byte-range locks from an application (§21.10): sim.io.NtLockFile / NtUnlockFile / LockFileEx / UnlockFileEx
export { LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY } from './io/lockFile.js';
export type { ByteRangeLockState } from './machines/byteRangeLock.js';
export type { ByteRangeLockFields } from './kernel/facts.js';
// Directory change notification (§21.9): sim.io.NtNotifyChangeDirectoryFile / ReadDirectoryChangesW
export * from './wdk/directoryNotify.js';
export type { NotifyChangeState } from './machines/notifyChange.js';
// Oplocks (§21.8): legacy levels and Windows 7 FSCTL_REQUEST_OPLOCK through sim.io.DeviceIoControl / NtFsControlFile
export { FILE_OPLOCK_BROKEN_TO_LEVEL_2, FILE_OPLOCK_BROKEN_TO_NONE } from './fs/oplocks.js';
export {
  OPLOCK_LEVEL_CACHE_READ,
  OPLOCK_LEVEL_CACHE_HANDLE,
  OPLOCK_LEVEL_CACHE_WRITE,
  REQUEST_OPLOCK_INPUT_FLAG_REQUEST,
  REQUEST_OPLOCK_INPUT_FLAG_ACK,
  REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED,
  REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED,
  REQUEST_OPLOCK_CURRENT_VERSION,
  REQUEST_OPLOCK_INPUT_BUFFER_SIZE,
  REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE,
  encodeRequestOplockInputBuffer,
  decodeRequestOplockOutputBuffer,
} from './wdk/requestOplock.js';
export type { REQUEST_OPLOCK_INPUT_BUFFER, REQUEST_OPLOCK_OUTPUT_BUFFER } from './wdk/requestOplock.js';
export type { OplockState } from './machines/oplock.js';
export type { OplockLevel, OplockBreakTarget } from './kernel/facts.js';

// Streams
export { unloadGate } from './streams/unloadGate.js';
export { asyncCompletions } from './streams/asyncCompletions.js';
export type { CompletedRun } from './streams/asyncCompletions.js';
export { fileOpenCancellation } from './streams/fileOpenCancellation.js';
export type { CancellationRequest } from './streams/fileOpenCancellation.js';
export type { Outstanding } from './streams/outstanding.js';

// WDK constants
export * from './wdk/ntstatus.js';
export * from './wdk/fltConstants.js';
export * from './wdk/contextConstants.js';
export * from './wdk/volumeConstants.js';
export * from './wdk/irp.js';
export * from './wdk/fileConstants.js';
export * from './wdk/parameters.js';
export { symbolicLinkReparseData, mountPointReparseData, parseNameSurrogate, SYMLINK_FLAG_RELATIVE } from './wdk/reparseData.js';
export type { NameSurrogate } from './wdk/reparseData.js';
export * from './wdk/portConstants.js';
export * from './wdk/hresult.js';
export { compareAltitudes, isAltitude, normalizeAltitude } from './wdk/altitude.js';

export { FLTSIM_VERSION } from './version.js';

// Embedding: a host drives the simulation step by step, on its clock, and saves/restores it (docs/embedding.md)
export { createScenarioSimulation, restoreSimulation } from './host/scenarios.js';
export type { RestoreOptions } from './host/scenarios.js';
export type { ScenarioRunOptions, ScenarioSimulationOptions } from './host/scenarios.js';
export type { Scenario, ScenarioArgs, ScenarioOptions, ScenarioArgument, JsonValue } from './scenarios/scenario.js';
export { checkScenarioArgs } from './scenarios/scenario.js';
export { SNAPSHOT_FORMAT, logDigest } from './host/snapshot.js';
export { SNAPSHOT_FORMAT_VERSION, SnapshotVersionError } from './host/snapshotFormat.js';
export type { SimulationSnapshot, SnapshotOptions } from './host/snapshot.js';
export type { EnabledChoice, HostStep, DriveEntry, RunUntilTimeResult, RunUntilFactResult } from './host/types.js';

// Time travel, scenarios, trace files and exports (docs/time-travel.md, docs/trace-format.md)
export { builtInScenarios, findScenario, isScenario, ioSoakScenario, randomScenario, randomIoScenario } from './scenarios/index.js';
export { Timeline, DEFAULT_CHECKPOINT_INTERVAL, Cursor, diffStates, startRun, rebuild, fork, replayChecked, firstDifference, FactRejectedError, TraceFileError, DeterminismError, BudgetExceededError, DEFAULT_REPLAY_BUDGET } from './travel/index.js';
export type { StateDiff, ObjectChange, ObjectRef, RunSpec, Recording, ReplayBudget, BudgetName } from './travel/index.js';
export { threadActivity, whyFact } from './travel/index.js';
export type { ThreadActivity, CallbackSpan, CausalLink, CauseRelation, WhyOrigins } from './travel/index.js';
export { TRACE_FORMAT, TRACE_FORMAT_VERSION, traceHeader, recordingOf, traceFileLines, traceFileChunks, traceFileText, readTraceFile, DEFAULT_MAX_FACTS, DEFAULT_MAX_LINE } from './tracefile/index.js';
export type { TraceHeader, TraceFile, ScenarioModuleRef, TraceHeaderExtras, TraceViolation, TraceReadLimits } from './tracefile/index.js';
export { toChromeTrace } from './trace/perfetto.js';
export type { ChromeTrace, TraceEvent } from './trace/perfetto.js';
export { toMermaid } from './trace/mermaid.js';

// Race exploration (docs/exploration.md)
export { explore, replaySchedule, pctStrategy, pctBound, formatPctBound, exhaustiveSearch, shrinkSchedule, lenientReplayStrategy, preemptionsOf, withoutPreemptions, replayLeniently, runSchedule } from './explore/index.js';
export type { ExploreOptions, ExploreResult, ExplorationViolation, Explorable, Monitor, MonitorViolation, PctBound, ChoicePoint, ReplayOptions } from './explore/index.js';
export { formatCoverage, windowHits } from './explore/index.js';
export { reducedSearch } from './explore/index.js';
export type { Reduction } from './explore/index.js';
export { SharedCell } from './kernel/sharedCell.js';
export { FootprintRecorder, dependent } from './kernel/footprint.js';
export type { StepFootprint, StepRecord } from './kernel/footprint.js';
export type { RaceWindow, WindowCoverage } from './explore/index.js';
