/**
 * FLT_REGISTRATION and the callback types a filter supplies, with the WDK's field names so a
 * filter ported from C reads the same. Every callback may be a plain function or a generator
 * function (to block: wait on I/O, sleep, take a lock) — see src/kernel/effects.ts.
 */
import type { Blocking, MaybeBlocking } from '../kernel/effects.js';
import type { FLT_POSTOP_CALLBACK_STATUS, FLT_PREOP_CALLBACK_STATUS } from '../wdk/fltConstants.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import type { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';
import type { VolumeObject } from './volumeObject.js';
import type { FLT_CALLBACK_DATA, FLT_IO_PARAMETER_BLOCK } from '../io/ioOperation.js';
import type { FileObject } from '../io/fileObject.js';
import type { ContextObject } from './contextObject.js';
import type { TransactionObject } from './transactionObjects.js';

/** FLT_RELATED_OBJECTS: read-only to filters. FileObject is null outside operation callbacks. */
export interface FLT_RELATED_OBJECTS {
  readonly Filter: FilterObject;
  readonly Volume: VolumeObject;
  readonly Instance: InstanceObject;
  readonly FileObject: FileObject | null;
  /** The KTM transaction of a transacted file object (§22.4), or of the notification; null otherwise. */
  readonly Transaction: TransactionObject | null;
  /** The context the instance enlisted in that transaction with (FltEnlistInTransaction), or null. */
  readonly TransactionContext: ContextObject<object> | null;
}

export type PFLT_FILTER_UNLOAD_CALLBACK = (Flags: number) => MaybeBlocking<NTSTATUS>;

export type PFLT_INSTANCE_SETUP_CALLBACK = (
  FltObjects: FLT_RELATED_OBJECTS,
  Flags: number,
  VolumeDeviceType: string,
  VolumeFilesystemType: string,
) => MaybeBlocking<NTSTATUS>;

export type PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK = (FltObjects: FLT_RELATED_OBJECTS, Flags: number) => MaybeBlocking<NTSTATUS>;

export type PFLT_INSTANCE_TEARDOWN_CALLBACK = (FltObjects: FLT_RELATED_OBJECTS, Reason: number) => MaybeBlocking<void>;

/** Operation callbacks (§8). `Data` is the same object in every callback of one operation. */
export type PFLT_PRE_OPERATION_CALLBACK<Data = FLT_CALLBACK_DATA> = (
  Data: Data,
  FltObjects: FLT_RELATED_OBJECTS,
  CompletionContext: { value: unknown },
) => MaybeBlocking<FLT_PREOP_CALLBACK_STATUS>;

export type PFLT_POST_OPERATION_CALLBACK<Data = FLT_CALLBACK_DATA> = (
  Data: Data,
  FltObjects: FLT_RELATED_OBJECTS,
  CompletionContext: unknown,
  Flags: number,
) => MaybeBlocking<FLT_POSTOP_CALLBACK_STATUS>;

/** PFLT_GET_OPERATION_STATUS_CALLBACK: what FltRequestOperationStatusCallback calls when the send below returns. */
export type PFLT_GET_OPERATION_STATUS_CALLBACK = (
  FltObjects: FLT_RELATED_OBJECTS,
  IopbSnapshot: FLT_IO_PARAMETER_BLOCK,
  OperationStatus: NTSTATUS,
  RequesterContext: unknown,
) => MaybeBlocking<void>;

export interface FLT_OPERATION_REGISTRATION<Data = FLT_CALLBACK_DATA> {
  readonly MajorFunction: number;
  readonly Flags?: number;
  readonly PreOperation?: PFLT_PRE_OPERATION_CALLBACK<Data>;
  readonly PostOperation?: PFLT_POST_OPERATION_CALLBACK<Data>;
}

/** Runs just before FltMgr frees a context: free what the context points to, never the context (§15.2). */
/**
 * VOID, and it may not block; a generator runs to its end inside the call that freed the context
 * (its kernel calls, such as ExDeleteResourceLite, go through; a wait is CALLBACK_RETURN_INVALID).
 */
export type PFLT_CONTEXT_CLEANUP_CALLBACK = (Context: ContextObject, ContextType: number) => void | Blocking<void>;
/** Supplies the memory of a context instead of FltMgr's pool; null fails the allocation. */
export type PFLT_CONTEXT_ALLOCATE_CALLBACK = (PoolType: number, Size: number, ContextType: number) => unknown;
export type PFLT_CONTEXT_FREE_CALLBACK = (Pool: unknown, ContextType: number) => void;

/** One entry of FLT_REGISTRATION.ContextRegistration (§15.2); the array may end with `{ ContextType: FLT_CONTEXT_END }`. */
export interface FLT_CONTEXT_REGISTRATION {
  readonly ContextType: number;
  readonly Flags?: number;
  readonly ContextCleanupCallback?: PFLT_CONTEXT_CLEANUP_CALLBACK | null;
  /** Bytes of the filter-defined part; FLT_VARIABLE_SIZED_CONTEXTS for any size. */
  readonly Size?: number;
  /** Required (non-zero) unless ContextAllocateCallback is supplied. */
  readonly PoolTag?: number;
  readonly ContextAllocateCallback?: PFLT_CONTEXT_ALLOCATE_CALLBACK | null;
  readonly ContextFreeCallback?: PFLT_CONTEXT_FREE_CALLBACK | null;
}

export interface FLT_REGISTRATION<Data = FLT_CALLBACK_DATA> {
  /** Only the major byte must match FLT_REGISTRATION_VERSION (§2). Defaults to the current version. */
  readonly Version?: number;
  readonly Flags?: number;
  /** The context types the filter allocates (§15.2); ends at the first FLT_CONTEXT_END entry if one is present. */
  readonly ContextRegistration?: readonly FLT_CONTEXT_REGISTRATION[];
  /** Ends at the first IRP_MJ_OPERATION_END entry if one is present, as in C. */
  readonly OperationRegistration?: readonly FLT_OPERATION_REGISTRATION<Data>[];
  readonly FilterUnloadCallback?: PFLT_FILTER_UNLOAD_CALLBACK;
  readonly InstanceSetupCallback?: PFLT_INSTANCE_SETUP_CALLBACK;
  readonly InstanceQueryTeardownCallback?: PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK;
  readonly InstanceTeardownStartCallback?: PFLT_INSTANCE_TEARDOWN_CALLBACK;
  readonly InstanceTeardownCompleteCallback?: PFLT_INSTANCE_TEARDOWN_CALLBACK;
  /** Name provider (§16.6): with it, NormalizeNameComponentCallback or NormalizeNameComponentExCallback is required. */
  readonly GenerateFileNameCallback?: PFLT_GENERATE_FILE_NAME;
  readonly NormalizeNameComponentCallback?: PFLT_NORMALIZE_NAME_COMPONENT;
  readonly NormalizeNameComponentExCallback?: PFLT_NORMALIZE_NAME_COMPONENT_EX;
  readonly NormalizeContextCleanupCallback?: PFLT_NORMALIZE_CONTEXT_CLEANUP;
  /** Called for I/O that conflicts with one of the filter's open data-scan sections (§24.4). */
  readonly SectionNotificationCallback?: PFLT_SECTION_CONFLICT_NOTIFICATION_CALLBACK;
  /** KTM notifications of transactions the filter enlisted in (FltEnlistInTransaction, §22.4). */
  readonly TransactionNotificationCallback?: PFLT_TRANSACTION_NOTIFICATION_CALLBACK;
}

/**
 * PFLT_TRANSACTION_NOTIFICATION_CALLBACK(FltObjects, TransactionContext, NotificationMask): one
 * notification bit per call, on the KTM worker thread at PASSIVE_LEVEL. Returns STATUS_SUCCESS, or
 * STATUS_PENDING and later FltCommitComplete / FltPrepareComplete / FltPrePrepareComplete /
 * FltRollbackComplete / FltCommitFinalizeComplete.
 */
export type PFLT_TRANSACTION_NOTIFICATION_CALLBACK = (FltObjects: FLT_RELATED_OBJECTS, TransactionContext: ContextObject<object>, NotificationMask: number) => MaybeBlocking<NTSTATUS>;

/**
 * PFLT_SECTION_CONFLICT_NOTIFICATION_CALLBACK(Instance, SectionContext, Data): PASSIVE_LEVEL, on the
 * thread of the conflicting operation, possibly before FltCreateSectionForDataScan has returned.
 */
export type PFLT_SECTION_CONFLICT_NOTIFICATION_CALLBACK = (Instance: InstanceObject, SectionContext: ContextObject<object>, Data: FLT_CALLBACK_DATA) => MaybeBlocking<NTSTATUS>;

/** FLT_NAME_CONTROL: the buffer a provider fills (FltCheckAndGrowNameControl, then copy into Name). */
export interface FLT_NAME_CONTROL {
  Name: string;
}

/** FILE_NAMES_INFORMATION as a NormalizeNameComponent(Ex) callback fills it: the component's long name. */
export interface FILE_NAMES_INFORMATION_OUT {
  FileNameLength: number;
  FileName: string;
}

/**
 * GenerateFileNameCallback(Instance, FileObject, CallbackData, NameOptions, &CacheFileNameInformation,
 * FileName): the provider builds the name a filter above it asked for. CallbackData is null for
 * FltGetFileNameInformationUnsafe queries. PASSIVE_LEVEL; may block.
 */
export type PFLT_GENERATE_FILE_NAME = (
  Instance: InstanceObject,
  FileObject: FileObject,
  CallbackData: FLT_CALLBACK_DATA | null,
  NameOptions: number,
  CacheFileNameInformation: { value: boolean },
  FileName: FLT_NAME_CONTROL,
) => MaybeBlocking<NTSTATUS>;

/** NormalizeNameComponentCallback: the long name of `Component` in `ParentDirectory` (both full names). */
export type PFLT_NORMALIZE_NAME_COMPONENT = (
  Instance: InstanceObject,
  ParentDirectory: string,
  VolumeNameLength: number,
  Component: string,
  ExpandComponentName: FILE_NAMES_INFORMATION_OUT,
  ExpandComponentNameLength: number,
  Flags: number,
  NormalizationContext: { value: unknown },
) => MaybeBlocking<NTSTATUS>;

/** NormalizeNameComponentExCallback: as above with the file object the name is for (Vista+; preferred when both are given). */
export type PFLT_NORMALIZE_NAME_COMPONENT_EX = (
  Instance: InstanceObject,
  FileObject: FileObject,
  ParentDirectory: string,
  VolumeNameLength: number,
  Component: string,
  ExpandComponentName: FILE_NAMES_INFORMATION_OUT,
  ExpandComponentNameLength: number,
  Flags: number,
  NormalizationContext: { value: unknown },
) => MaybeBlocking<NTSTATUS>;

/** NormalizeContextCleanupCallback: free what the component calls of one name kept in NormalizationContext. */
export type PFLT_NORMALIZE_CONTEXT_CLEANUP = (NormalizationContext: { value: unknown }) => MaybeBlocking<void>;

/**
 * What the INF puts in the registry under the service's `Instances` key, which FltRegisterFilter
 * and automatic attachment read. Instance `Flags`: 0x1 suppresses automatic attachment.
 */
export interface InstancesKey {
  readonly DefaultInstance: string;
  readonly Instances: Readonly<Record<string, { readonly Altitude: string; readonly Flags?: number }>>;
}

export const INSTANCE_FLAG_SUPPRESS_AUTOMATIC_ATTACHMENT = 0x1;
