/**
 * The schema of every fact a trace file may hold: for each fact type, each field and what it must
 * be. A trace file is untrusted input (docs/security.md): the reader checks every line against this
 * table before anything is folded or replayed.
 *
 * The table cannot drift from the fact union: its type is derived from `FactBody`, so a fact type
 * or a field missing here, one too many, or a kind that does not fit the field's type is a compile
 * error.
 */
import type { FactBody, FactHeader, FactType } from './facts.js';

/**
 * What a field may hold. `id`: an object id (`sim`, or a kind letter and a number: F1, T12, …) —
 * the only strings that may become keys of the fold's records. `int`: a safe integer. `number`: any
 * finite number. `json`: any JSON value (parameter summaries). A string array is a closed set of
 * literals. `link`: what a context is linked to, an object id or a stream (`V1:stream#64`).
 */
export type FieldKind = RequiredKind | OptionalKind;
type RequiredKind = 'string' | 'id' | 'link' | 'int' | 'number' | 'boolean' | 'string?' | 'id?' | 'int?' | 'ids' | 'strings' | 'frames' | 'json' | readonly string[];
/** A field a fact may leave out (`process?: string`): absent, or present with the kind after `opt ` (`edit`: a dirty pre-op's { fileObject, parameters }). */
export type OptionalKind = 'opt string' | 'opt id' | 'opt boolean' | 'opt int' | 'opt edit';

type KindOf<V> = undefined extends V ? OptionalKindOf<Exclude<V, undefined>> : RequiredKindOf<V>;
type OptionalKindOf<V> = [V] extends [boolean]
  ? 'opt boolean'
  : [V] extends [number]
    ? 'opt int'
  : [V] extends [string]
    ? 'opt string' | 'opt id'
    : [V] extends [{ readonly fileObject: string; readonly parameters: unknown }]
      ? 'opt edit'
      : never;
type RequiredKindOf<V> = [V] extends [boolean]
  ? 'boolean'
  : [V] extends [number]
    ? 'int' | 'number'
    : [V] extends [string]
      ? string extends V
        ? 'string' | 'id' | 'link'
        : readonly V[]
      : [V] extends [number | null]
        ? 'int?'
        : [V] extends [string | null]
          ? 'string?' | 'id?'
          : [V] extends [readonly string[]]
            ? 'ids' | 'strings'
            : [V] extends [readonly { readonly index: number }[]]
              ? 'frames'
              : 'json';

type FieldsOf<T extends FactType> = Omit<Extract<FactBody, { type: T }>, 'type' | keyof FactHeader>;

export type FactSchema = { readonly [T in FactType]: { readonly [K in keyof FieldsOf<T>]-?: KindOf<FieldsOf<T>[K]> } };

const STATUS = 'int';

export const FACT_SCHEMA: FactSchema = {
  SimulationStart: { seed: 'int', frames: 'frames', version: 'string' },
  ClockAdvance: { to: 'int' },
  Choice: { task: 'id', of: 'int' },
  VerifierViolation: { rule: 'string', message: 'string' },
  ThreadCreate: { name: 'string', parent: 'id?', process: 'opt id' },
  ThreadWait: { on: 'id', reason: 'string' },
  ThreadWaitObjects: { on: 'ids', waitType: ['WaitAny', 'WaitAll'], until: 'int?', reason: 'string' },
  ThreadWake: { by: 'string' },
  ThreadSleep: { until: 'int' },
  ThreadExit: { result: 'int?', error: 'string?' },
  KeWait: { routine: 'string', on: 'ids', waitType: ['WaitAny', 'WaitAll'], timeout: 'int?' },
  KeWaitReturned: { routine: 'string', status: STATUS },
  ApcRegion: { routine: 'string', criticalRegion: 'int', guardedRegion: 'int' },
  KeInitializeEvent: { name: 'string', eventType: ['NotificationEvent', 'SynchronizationEvent'], signaled: 'boolean' },
  KeSetEvent: { thread: 'id', previous: 'boolean' },
  KeResetEvent: { thread: 'id', previous: 'boolean' },
  KeClearEvent: { thread: 'id' },
  EventAutoReset: { thread: 'id' },
  LockInitialize: { routine: 'string', lockType: ['ERESOURCE', 'FAST_MUTEX', 'KGUARDED_MUTEX', 'EX_PUSH_LOCK', 'KSPIN_LOCK'], name: 'string' },
  LockAcquire: { routine: 'string', thread: 'id', mode: ['Exclusive', 'Shared'] },
  LockRelease: { routine: 'string', thread: 'id' },
  LockDelete: { routine: 'string' },
  VolumeMount: { name: 'string', dosName: 'string?', fsType: 'string', deviceType: 'string', sectorSize: 'int', readOnly: 'opt boolean', shortNames: 'opt boolean', remountOf: 'opt id' },
  VolumeMounted: {},
  VolumeFirstOperation: {},
  VolumeDismount: {},
  VolumeDismounted: {},
  LegacyFilterAttach: { name: 'string', volume: 'id', aboveFrame: 'int' },
  FltRegisterFilter: { name: 'string', flags: 'int' },
  FltStartFiltering: {},
  FilterUnloadCallback: { flags: 'int' },
  FilterUnloadReturned: { status: STATUS },
  FltUnregisterFilter: {},
  FltUnregisterFilterReturned: {},
  DriverUnload: {},
  InstanceSetup: { filter: 'id', volume: 'id', name: 'string', altitude: 'string', frame: 'int', flags: 'int' },
  InstanceSetupReturned: { status: STATUS },
  InstanceQueryTeardown: { flags: 'int' },
  InstanceQueryTeardownReturned: { status: STATUS },
  InstanceTeardownStart: { reason: 'int' },
  InstanceTeardownStartReturned: {},
  InstanceTeardownComplete: { reason: 'int' },
  InstanceTeardownCompleteReturned: {},
  InstanceFreed: {},
  FltObjectReference: { count: 'int' },
  FltObjectDereference: { count: 'int' },
  FltAllocateGenericWorkItem: { owner: 'id?' },
  FltAllocateDeferredIoWorkItem: { owner: 'id?' },
  FltQueueGenericWorkItem: { filter: 'id', target: 'id', queueType: ['CriticalWorkQueue', 'DelayedWorkQueue'] },
  FltQueueDeferredIoWorkItem: { filter: 'id', operation: 'id', instance: 'id', queueType: ['CriticalWorkQueue', 'DelayedWorkQueue'] },
  WorkItemRoutine: { thread: 'id' },
  WorkItemRoutineReturned: { thread: 'id' },
  FltFreeGenericWorkItem: {},
  FltFreeDeferredIoWorkItem: {},
  FileObjectCreate: { volume: 'id', fileName: 'string', relatedFileObject: 'id?', targetedInstance: 'id?', transaction: 'opt id' },
  FileObjectOpened: { flags: 'int' },
  IoReplaceFileObjectName: { fileName: 'string' },
  FileObjectOpenFailed: { status: STATUS },
  FileObjectHandleCreated: { handle: 'id' },
  FileObjectHandleClosed: { handle: 'id' },
  FileObjectUpdate: { currentByteOffset: 'int', flags: 'int' },
  FileObjectOpenCancelled: {},
  CcInitializeCacheMap: {},
  FileObjectDiscarded: {},
  FileObjectCleanup: {},
  FileObjectClose: {},
  IoStart: {
    major: 'int',
    minor: 'int',
    fileObject: 'id?',
    volume: 'id',
    thread: 'id?',
    initiator: 'id?',
    flags: 'int',
    irpFlags: 'int',
    operationFlags: 'int',
    requestorMode: ['KernelMode', 'UserMode'],
    parameters: 'json',
    ecpList: 'opt id',
  },
  PreOperation: { instance: 'id', parameters: 'string' },
  PreOperationReturned: { instance: 'id', result: 'int', dirty: 'boolean', status: 'int?', edit: 'opt edit' },
  FltCompletePendedPreOperation: { instance: 'id', result: 'int', status: 'int?', early: 'boolean' },
  LegacyFilterDispatch: { legacy: 'id' },
  LegacyFilterCompletion: { legacy: 'id', status: STATUS },
  FsDispatch: { parameters: 'string' },
  FsPending: { completesAt: 'int?' },
  FsComplete: { status: STATUS, information: 'int' },
  FsFastIoDeclined: {},
  PostOperation: { instance: 'id', flags: 'int', parameters: 'string' },
  PostOperationReturned: { instance: 'id', result: 'int', status: STATUS },
  FltCompletePendedPostOperation: { instance: 'id', early: 'boolean' },
  DrainPostOperation: { instance: 'id', parameters: 'string' },
  DrainPostOperationReturned: { instance: 'id', result: 'int' },
  IoComplete: { status: STATUS, information: 'int' },
  FltAllocateCallbackData: { instance: 'id', volume: 'id', fileObject: 'id?', flags: 'int' },
  FltReuseCallbackData: {},
  FltFreeCallbackData: {},
  AsyncIoCallback: { instance: 'id' },
  AsyncIoCallbackReturned: { instance: 'id' },
  FltReissueSynchronousIo: { instance: 'id', reissue: 'id' },
  FltCancelFileOpen: { instance: 'id' },
  FltRequestOperationStatusCallback: { instance: 'id' },
  OperationStatusCallback: { instance: 'id', status: STATUS },
  OperationStatusCallbackReturned: { instance: 'id' },
  ProcessCreate: { name: 'string', pid: 'int', parent: 'id?', token: 'string' },
  ProcessExit: { status: STATUS },
  FltAllocateExtraCreateParameterList: { filter: 'id' },
  FltFreeExtraCreateParameterList: {},
  FltAllocateExtraCreateParameter: { filter: 'id', guid: 'string', size: 'int' },
  FltInsertExtraCreateParameter: { list: 'id' },
  FltRemoveExtraCreateParameter: { list: 'id' },
  FltAcknowledgeEcp: { filter: 'id' },
  FltPrepareToReuseEcp: {},
  EcpTargetAdjusted: { instance: 'id?', volume: 'id?', name: 'id', retried: 'boolean' },
  FltFreeExtraCreateParameter: { withList: 'boolean' },
  PoolAllocate: { routine: 'string', owner: 'id?', tag: 'string', bytes: 'int', aligned: 'boolean', alignment: 'int' },
  PoolFree: { routine: 'string' },
  IoAllocateMdl: { routine: 'string', owner: 'id?', buffer: 'id?', bytes: 'int', operation: 'id?' },
  MdlLocked: { routine: 'string' },
  IoFreeMdl: { by: ['FltMgr', 'filter'] },
  FltRetainSwappedBufferMdlAddress: { operation: 'id', instance: 'id' },
  BuffersSwapped: { instance: 'id', fields: 'strings', mdl: 'id?' },
  SwappedOperationCancelled: { instance: 'id' },
  FltRegisterForDataScan: {},
  SectionCreate: { kind: ['dataScan', 'mapping'], fileObject: 'id', handle: 'id', process: 'id', kernelHandle: 'boolean', size: 'int', writable: 'boolean', count: 'int' },
  SectionContextAttached: { context: 'id', instance: 'id', count: 'int' },
  SectionReferenced: { by: 'string', count: 'int' },
  SectionDereferenced: { by: 'string', handle: 'id?', count: 'int' },
  SectionViewMapped: { view: 'id', process: 'id', bytes: 'int', writable: 'boolean', count: 'int' },
  SectionViewUnmapped: { view: 'id', count: 'int' },
  SectionPagesDirtied: { view: 'id', offset: 'int', length: 'int' },
  SectionPagesWriting: { offset: 'int', length: 'int' },
  SectionConflict: { context: 'id', operation: 'id' },
  FltCloseSectionForDataScan: { context: 'id', by: 'string', count: 'int' },
  SectionDeleted: {},
  NtCreateTransaction: { process: 'id', handle: 'id', count: 'int' },
  TransactionReferenced: { by: 'string', handle: 'id?', count: 'int' },
  TransactionDereferenced: { by: 'string', handle: 'id?', count: 'int' },
  FltEnlistInTransaction: { instance: 'id', context: 'id', mask: 'int' },
  NtCommitTransaction: { thread: 'id', worker: 'id' },
  NtRollbackTransaction: { thread: 'id', by: 'string', worker: 'id' },
  TransactionPrepare: {},
  TransactionCommit: {},
  TransactionOutcome: { outcome: ['Committed', 'Aborted'] },
  TransactionNotification: { instance: 'id', notification: 'int' },
  TransactionNotificationReturned: { instance: 'id', notification: 'int', status: STATUS },
  TransactionNotificationComplete: { instance: 'id', notification: 'int', routine: 'string' },
  TransactionEnlistmentEnded: { instance: 'id', by: ['outcome', 'teardown'] },
  TransactionDeleted: {},
  FltAllocateContext: { filter: 'id', contextType: 'int', size: 'int', poolType: 'int' },
  FltReferenceContext: { by: 'string', count: 'int' },
  FltReleaseContext: { by: 'string', count: 'int' },
  ContextLinked: { by: 'string', instance: 'id?', target: 'link', count: 'int' },
  ContextUnlinked: { by: 'string', handedToCaller: 'boolean', count: 'int' },
  ContextCleanupCallback: {},
  ContextFreed: {},
  FileNameQuery: { routine: 'string', instance: 'id?', operation: 'id?', options: 'int', provider: 'id?' },
  NameCacheMiss: { key: 'string' },
  FileSystemNameQuery: { format: 'int', status: STATUS, name: 'string' },
  GenerateFileName: { instance: 'id', options: 'int' },
  GenerateFileNameReturned: { instance: 'id', status: STATUS, name: 'string', cache: 'boolean' },
  NormalizeNameComponent: { instance: 'id', parent: 'string', component: 'string', flags: 'int' },
  NormalizeNameComponentReturned: { instance: 'id', status: STATUS, expanded: 'string' },
  NormalizeContextCleanup: { instance: 'id' },
  FileNameInformationCreate: { fileObject: 'id', volume: 'id', filter: 'id', routine: 'string', format: 'int', name: 'string', provider: 'id?' },
  NameCacheInsert: { key: 'string', fileId: 'int?' },
  NameCacheHit: { key: 'string', fileObject: 'id', filter: 'id', count: 'int' },
  NameCacheInvalidate: { key: 'string', reason: ['rename', 'link', 'close', 'purge'] },
  FltReferenceFileNameInformation: { filter: 'id', count: 'int' },
  FltReleaseFileNameInformation: { filter: 'id', count: 'int', cached: 'boolean' },
  FltParseFileNameInformation: { filter: 'id', namesParsed: 'int' },
  FltGetTunneledName: { filter: 'id', operation: 'id', major: 'int', post: 'boolean', tunneled: 'id?' },
  FltCreateCommunicationPort: { filter: 'id', name: 'string', maxConnections: 'int', messageNotify: 'boolean' },
  FltCloseCommunicationPort: {},
  ConnectNotify: { serverPort: 'id', filter: 'id', thread: 'id', contextLength: 'int' },
  ConnectNotifyReturned: { status: STATUS, handle: 'id?' },
  DisconnectNotify: { reason: ['CloseHandle', 'FltUnregisterFilter'] },
  DisconnectNotifyReturned: {},
  FltCloseClientPort: {},
  PortHandleClosed: { handle: 'id' },
  FilterGetMessage: { get: 'id', size: 'int', overlapped: 'boolean' },
  FilterGetMessageAborted: { get: 'id', status: STATUS },
  MessageNotify: { inputLength: 'int', outputLength: 'int' },
  MessageNotifyReturned: { status: STATUS, returnOutputBufferLength: 'int' },
  FltSendMessage: { filter: 'id', port: 'id', thread: 'id', senderLength: 'int', replyLength: 'int?', until: 'int?' },
  FilterMessageDelivered: { get: 'id' },
  FilterReplyMessage: { length: 'int', status: STATUS },
  FilterMessageWithdrawn: { reason: ['timeout', 'disconnected'] },
  FltSendMessageReturned: { status: STATUS, replyLength: 'int' },
  RundownWait: { gate: 'string', holders: 'strings' },
  IoSetCancelRoutine: { operation: 'id', routine: ['FltSetCancelCompletion', 'FltCbdq', 'FileSystem'], instance: 'id?' },
  CancelRoutineCleared: { operation: 'id', routine: ['FltSetCancelCompletion', 'FltCbdq', 'FileSystem'], by: 'string' },
  IoCancelIrp: { operation: 'id', thread: 'id?', by: 'string', routineCalled: 'boolean' },
  IoCompleteRequest: { operation: 'id?', status: STATUS, information: 'opt int' },
  IoCreateDevice: { driver: 'string', name: 'string?', deviceType: 'int', characteristics: 'int', exclusive: 'boolean' },
  IoDeleteDevice: { references: 'int' },
  DeviceReferenced: { fileObject: 'opt id', routine: 'opt string', count: 'int' },
  DeviceDereferenced: { fileObject: 'opt id', routine: 'opt string', count: 'int' },
  IoCallDriver: { device: 'id', fileObject: 'id', major: 'int', minor: 'int', thread: 'id?' },
  FastIoCall: { routine: 'string', fileObject: 'id', handled: 'boolean', status: 'int?' },
  FltCbdqInitialize: { instance: 'id', name: 'string' },
  FltCbdqInsertIo: { operation: 'id', status: STATUS, thread: 'id' },
  FltCbdqRemoveIo: { operation: 'id?', thread: 'id' },
  FltCbdqRemoveNextIo: { operation: 'id?', thread: 'id' },
  CbdqCompleteCanceledIo: { operation: 'id', thread: 'id' },
  FltCbdqDisable: { thread: 'id' },
  FltCbdqEnable: { thread: 'id' },
  ByteRangeLockWaiting: { operation: 'id', fileObject: 'id', fileId: 'int', byteOffset: 'int', length: 'int', key: 'int', processId: 'int', exclusive: 'boolean' },
  ByteRangeLockGranted: { operation: 'id', fileObject: 'id', fileId: 'int', byteOffset: 'int', length: 'int', key: 'int', processId: 'int', exclusive: 'boolean' },
  ByteRangeLockReleased: { by: 'string', operation: 'string' },
  ByteRangeLockAbandoned: { status: STATUS },
  FsRtlNotifyFullChangeDirectory: { operation: 'string', fileObject: 'id', fileId: 'int', completionFilter: 'int', watchTree: 'boolean', bufferLength: 'int' },
  FsRtlNotifyFullReportChange: { action: 'int', fileName: 'string', overflow: 'boolean' },
  NotifyChangeCompleted: { operation: 'string', status: STATUS, changes: 'int' },
  FsRtlNotifyCleanup: {},
  OplockGranted: { operation: 'string', fileObject: 'id', fileId: 'int', level: ['Level1', 'Batch', 'Filter', 'Level2', 'R', 'RH', 'RW', 'RWH'], switched: 'opt string' },
  OplockBreak: { fileObject: 'id', level: ['Level1', 'Batch', 'Filter', 'Level2', 'R', 'RH', 'RW', 'RWH'], toLevel: ['Level2', 'None', 'R', 'RH', 'RW'], by: 'string', acknowledgementOwed: 'boolean', remaining: 'int', owed: 'opt int' },
  OplockBreakWait: { operation: 'string' },
  OplockAcknowledged: { fileObject: 'id', operation: 'string', routine: 'string', newLevel: ['Level2', 'None', 'R', 'RH', 'RW', 'ClosePending'], remaining: 'int', owed: 'opt int' },
  OplockReleased: { fileObject: 'id', reason: ['cleanup', 'cancel'], remaining: 'int', owed: 'opt int' },
  OplockWaitEnded: { operation: 'string', reason: ['acknowledged', 'closed', 'cancelled', 'granted'] },
  OplockAtomicRequest: { operation: 'string', fileObject: 'id', fileId: 'int' },
  OplockAtomicRequestEnded: { fileObject: 'id', reason: ['granted', 'cleanup'] },
  RoutineFailed: { routine: 'string', status: STATUS, detail: 'string' },
};
