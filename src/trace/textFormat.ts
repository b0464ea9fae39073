/**
 * The one-line-per-event text format (docs/trace-format.md): enough to read a failing run
 * without a debugger. Each line is
 *
 *     #<seq> t=<time> <object> <Type> <payload as key=value, statuses and flags by name>
 *
 * Object ids are followed by a name once known from the log itself (a fold of the creation facts),
 * so the format needs nothing but the facts.
 */
import { objectArgument } from '../kernel/arguments.js';
import { factArgument, factsArgument } from '../kernel/dataArguments.js';
import { assertNever, type Fact } from '../kernel/facts.js';
import { TraceNamer } from './traceNamer.js';
import {
  CALLBACK_DATA_FLAG_NAMES,
  FLT_POSTOP_NAMES,
  FLT_PREOP_NAMES,
  FILTER_UNLOAD_FLAG_NAMES,
  flagNames,
  INSTANCE_SETUP_FLAG_NAMES,
  INSTANCE_TEARDOWN_FLAG_NAMES,
} from '../wdk/fltConstants.js';
import { ntStatusName } from '../wdk/ntstatus.js';
import { irpMajorName } from '../wdk/irp.js';
import { contextTypeName } from '../wdk/contextConstants.js';
import { transactionNotifyName } from '../wdk/transactionConstants.js';
import { isPortFact } from '../projection/portFold.js';
import { portPayload } from './portFormat.js';
import { fsBehaviourPayload, isFsBehaviourFact } from './fsBehaviourFormat.js';
import { bitNames, FO_FLAG_NAMES } from '../wdk/fileConstants.js';
import { printableLine } from './escape.js';
import { parametersText } from './parameterText.js';
import { fileNameOptionsText } from '../wdk/nameConstants.js';

/** The payload part of a fact's line (after its type), as formatFact writes it; `namer` must have learned every earlier fact of the run. */
export function factPayload(fact: Fact, namer: TraceNamer): string {
  switch (fact.type) {
    case 'SimulationStart':
      return `seed=${fact.seed} frames=${fact.frames.map((f) => `[${f.low},${f.high ?? '∞'})`).join('')} version=${fact.version}`;
    case 'ClockAdvance':
      return `to=${fact.to}`;
    case 'Choice':
      return `of=${fact.of}`;
    case 'VerifierViolation':
      return `rule=${fact.rule} ${fact.message}`;
    case 'ThreadCreate':
      // The default application process is left out, so traces read as they did before processes.
      return `name="${fact.name}"${fact.parent === null ? '' : ` parent=${fact.parent}`}${fact.process === undefined || fact.process === 'P1' ? '' : ` process=${namer.short(fact.process)}`}`;
    case 'ProcessCreate':
      return `name=${fact.name} pid=${fact.pid}${fact.parent === null ? '' : ` parent=${namer.short(fact.parent)}`} token=${fact.token}`;
    case 'ProcessExit':
      return `status=${ntStatusName(fact.status)}`;
    case 'ThreadWait':
      return `on=${fact.on} (${fact.reason})`;
    case 'ThreadWaitObjects':
      return `on=${fact.on.join(',')} ${fact.waitType}${fact.until === null ? '' : ` until=${fact.until}`} (${fact.reason})`;
    case 'ThreadWake':
      return `by=${fact.by}`;
    case 'ThreadSleep':
      return `until=${fact.until}`;
    case 'ThreadExit':
      return [fact.result === null ? '' : `result=${ntStatusName(fact.result)}`, fact.error === null ? '' : `error=${fact.error}`].filter(Boolean).join(' ');
    case 'KeWait':
      return `${fact.routine} on=${fact.on.join(',')}${fact.on.length > 1 ? ` ${fact.waitType}` : ''} timeout=${fact.timeout === null ? 'none' : fact.timeout}`;
    case 'KeWaitReturned':
      return `${fact.routine} status=${ntStatusName(fact.status)}`;
    case 'ApcRegion':
      return `${fact.routine} critical=${fact.criticalRegion} guarded=${fact.guardedRegion}`;
    case 'KeInitializeEvent':
      return `name=${fact.name} ${fact.eventType} ${fact.signaled ? 'signaled' : 'not-signaled'}`;
    case 'KeSetEvent':
    case 'KeResetEvent':
      return `by=${namer.short(fact.thread)} previous=${fact.previous ? 1 : 0}`;
    case 'KeClearEvent':
    case 'EventAutoReset':
      return `by=${namer.short(fact.thread)}`;
    case 'LockInitialize':
      return `${fact.routine} name=${fact.name} ${fact.lockType}`;
    case 'LockAcquire':
      return `${fact.routine} by=${namer.short(fact.thread)} ${fact.mode}`;
    case 'LockRelease':
      return `${fact.routine} by=${namer.short(fact.thread)}`;
    case 'LockDelete':
      return fact.routine;
    case 'VolumeMount':
      return `name=${fact.name}${fact.dosName === null ? '' : ` dos=${fact.dosName}`} fs=${fact.fsType} sector=${fact.sectorSize}${fact.remountOf === undefined ? '' : ` remountOf=${fact.remountOf}`}`;
    case 'VolumeMounted':
    case 'VolumeFirstOperation':
    case 'VolumeDismount':
    case 'VolumeDismounted':
    case 'FltStartFiltering':
    case 'FltUnregisterFilter':
    case 'FltUnregisterFilterReturned':
    case 'DriverUnload':
    case 'InstanceTeardownStartReturned':
    case 'InstanceTeardownCompleteReturned':
    case 'InstanceFreed':
      return '';
    case 'LegacyFilterAttach':
      return `name=${fact.name} volume=${namer.short(fact.volume)} aboveFrame=${fact.aboveFrame}`;
    case 'FltRegisterFilter':
      return `name=${fact.name} flags=0x${fact.flags.toString(16)}`;
    case 'FilterUnloadCallback':
      return `flags=${flagNames(fact.flags, FILTER_UNLOAD_FLAG_NAMES)}`;
    case 'FilterUnloadReturned':
    case 'InstanceSetupReturned':
    case 'InstanceQueryTeardownReturned':
      return `status=${ntStatusName(fact.status)}`;
    case 'InstanceSetup':
      return `filter=${namer.short(fact.filter)} volume=${namer.short(fact.volume)} name="${fact.name}" altitude=${fact.altitude} frame=${fact.frame} flags=${flagNames(fact.flags, INSTANCE_SETUP_FLAG_NAMES)}`;
    case 'InstanceQueryTeardown':
      return `flags=${fact.flags}`;
    case 'InstanceTeardownStart':
    case 'InstanceTeardownComplete':
      return `reason=${flagNames(fact.reason, INSTANCE_TEARDOWN_FLAG_NAMES)}`;
    case 'FltObjectReference':
    case 'FltObjectDereference':
      return `count=${fact.count}`;
    case 'RundownWait':
      return `${fact.gate} held by: ${fact.holders.join('; ')}`;
    case 'FltAllocateGenericWorkItem':
    case 'FltAllocateDeferredIoWorkItem':
      return fact.owner === null ? '' : `owner=${namer.short(fact.owner)}`;
    case 'FltQueueGenericWorkItem':
      return `filter=${namer.short(fact.filter)} object=${namer.short(fact.target)} ${fact.queueType}`;
    case 'FltQueueDeferredIoWorkItem':
      return `filter=${namer.short(fact.filter)} op=${fact.operation} instance=${namer.short(fact.instance)} ${fact.queueType}`;
    case 'WorkItemRoutine':
    case 'WorkItemRoutineReturned':
      return `thread=${namer.short(fact.thread)}`;
    case 'FltFreeGenericWorkItem':
    case 'FltFreeDeferredIoWorkItem':
      return '';
    case 'RoutineFailed':
      return `routine=${fact.routine} status=${ntStatusName(fact.status)} (${fact.detail})`;
    case 'FileObjectCreate':
      return `${fact.volume.startsWith('d') ? 'device' : 'volume'}=${namer.short(fact.volume)} name=${fact.fileName === '' ? (fact.volume.startsWith('d') ? '<device>' : '<volume>') : fact.fileName}${fact.relatedFileObject === null ? '' : ` related=${fact.relatedFileObject}`}${fact.targetedInstance === null ? '' : ` below=${namer.short(fact.targetedInstance)}`}${fact.transaction === undefined ? '' : ` transaction=${fact.transaction}`}`;
    case 'FileObjectOpened':
      return `flags=${bitNames(fact.flags, FO_FLAG_NAMES)}`;
    case 'FileObjectOpenFailed':
      return `status=${ntStatusName(fact.status)}`;
    case 'IoReplaceFileObjectName':
      return `name=${fact.fileName}`;
    case 'FileObjectHandleCreated':
    case 'FileObjectHandleClosed':
      return `handle=${fact.handle}`;
    case 'FileObjectUpdate':
      return `offset=${fact.currentByteOffset} flags=${bitNames(fact.flags, FO_FLAG_NAMES)}`;
    case 'FileObjectOpenCancelled':
    case 'FileObjectCleanup':
    case 'FileObjectClose':
    case 'CcInitializeCacheMap':
    case 'FileObjectDiscarded':
    case 'FsFastIoDeclined':
      return '';
    case 'FsDispatch':
      return `params=${namer.parameters(fact.object, fact.parameters)}`;
    case 'IoStart':
      return [
        irpMajorName(fact.major),
        fact.fileObject === null ? `volume=${namer.short(fact.volume)}` : `file=${namer.short(fact.fileObject)}`,
        fact.initiator === null ? '' : `from=${namer.short(fact.initiator)}`,
        `flags=${flagNames(fact.flags, CALLBACK_DATA_FLAG_NAMES)}`,
        fact.irpFlags === 0 ? '' : `irpFlags=0x${fact.irpFlags.toString(16)}`,
        fact.operationFlags === 0 ? '' : `slFlags=0x${fact.operationFlags.toString(16)}`,
        fact.requestorMode,
        `{${parametersText(fact.parameters)}}`,
        fact.ecpList === undefined ? '' : `ecps=${fact.ecpList}`,
      ].filter(Boolean).join(' ');
    case 'PreOperation':
    case 'DrainPostOperation':
      return `instance=${namer.short(fact.instance)} params=${namer.parameters(fact.object, fact.parameters)}`;
    case 'PreOperationReturned':
      return `instance=${namer.short(fact.instance)} ${FLT_PREOP_NAMES[fact.result] ?? fact.result}${fact.dirty ? ' dirty' : ''}${fact.status === null ? '' : ` status=${ntStatusName(fact.status)}`}${fact.edit === undefined ? '' : ` → file=${namer.short(fact.edit.fileObject)} {${parametersText(fact.edit.parameters)}}`}`;
    case 'FltCompletePendedPreOperation':
      return `instance=${namer.short(fact.instance)} ${FLT_PREOP_NAMES[fact.result] ?? fact.result}${fact.status === null ? '' : ` status=${ntStatusName(fact.status)}`}${fact.early ? ' early' : ''}`;
    case 'LegacyFilterDispatch':
      return `legacy=${namer.short(fact.legacy)}`;
    case 'LegacyFilterCompletion':
      return `legacy=${namer.short(fact.legacy)} status=${ntStatusName(fact.status)}`;
    case 'FsPending':
      return fact.completesAt === null ? 'held' : `completesAt=${fact.completesAt}`;
    case 'FsComplete':
    case 'IoComplete':
      return `status=${ntStatusName(fact.status)} information=${namer.information(fact.object, fact.status, fact.information)}`;
    case 'PostOperation':
      return `instance=${namer.short(fact.instance)}${fact.flags === 0 ? '' : ` flags=0x${fact.flags.toString(16)}`} params=${namer.parameters(fact.object, fact.parameters)}`;
    case 'PostOperationReturned':
      return `instance=${namer.short(fact.instance)} ${FLT_POSTOP_NAMES[fact.result] ?? fact.result} status=${ntStatusName(fact.status)}`;
    case 'DrainPostOperationReturned':
      return `instance=${namer.short(fact.instance)} ${FLT_POSTOP_NAMES[fact.result] ?? fact.result}`;
    case 'FltCompletePendedPostOperation':
      return `instance=${namer.short(fact.instance)}${fact.early ? ' early' : ''}`;
    case 'FltAllocateCallbackData':
      return `instance=${namer.short(fact.instance)}${fact.fileObject === null ? '' : ` file=${namer.short(fact.fileObject)}`}${fact.flags === 0 ? '' : ` flags=0x${fact.flags.toString(16)}`}`;
    case 'FltReuseCallbackData':
    case 'FltFreeCallbackData':
      return '';
    case 'AsyncIoCallback':
    case 'AsyncIoCallbackReturned':
    case 'FltCancelFileOpen':
    case 'FltRequestOperationStatusCallback':
    case 'OperationStatusCallbackReturned':
      return `instance=${namer.short(fact.instance)}`;
    case 'OperationStatusCallback':
      return `instance=${namer.short(fact.instance)} status=${ntStatusName(fact.status)}`;
    case 'FltReissueSynchronousIo':
      return `instance=${namer.short(fact.instance)} as=${fact.reissue}`;
    case 'PoolAllocate':
      return `${fact.routine} tag='${fact.tag}' bytes=${fact.bytes}${fact.aligned ? ` aligned=${fact.alignment}` : ''}${fact.owner === null ? '' : ` owner=${namer.short(fact.owner)}`}`;
    case 'PoolFree':
    case 'MdlLocked':
      return fact.routine;
    case 'IoAllocateMdl':
      return `${fact.routine} bytes=${fact.bytes}${fact.buffer === null ? '' : ` buffer=${fact.buffer}`}${fact.operation === null ? '' : ` for=${fact.operation}`}`;
    case 'IoFreeMdl':
      return `by=${fact.by}`;
    case 'FltRetainSwappedBufferMdlAddress':
      return `operation=${fact.operation} instance=${namer.short(fact.instance)}`;
    case 'BuffersSwapped':
      return `instance=${namer.short(fact.instance)} ${fact.fields.join(',')}${fact.mdl === null ? '' : ` mdl=${fact.mdl}`}`;
    case 'SwappedOperationCancelled':
      return `instance=${namer.short(fact.instance)}`;
    case 'FltRegisterForDataScan':
    case 'SectionDeleted':
    case 'TransactionPrepare':
    case 'TransactionCommit':
    case 'TransactionDeleted':
      return '';
    case 'NtCreateTransaction':
      return `process=${fact.process} handle=${fact.handle} refs=${fact.count}`;
    case 'TransactionReferenced':
    case 'TransactionDereferenced':
      return `by=${fact.by}${fact.handle === null ? '' : ` handle=${fact.handle}`} refs=${fact.count}`;
    case 'FltEnlistInTransaction':
      return `instance=${namer.short(fact.instance)} context=${fact.context} mask=${transactionNotifyName(fact.mask)}`;
    case 'NtCommitTransaction':
      return `by=${fact.thread} worker=${fact.worker}`;
    case 'NtRollbackTransaction':
      return `by=${fact.thread} (${fact.by}) worker=${fact.worker}`;
    case 'TransactionOutcome':
      return fact.outcome;
    case 'TransactionNotification':
      return `instance=${namer.short(fact.instance)} ${transactionNotifyName(fact.notification)}`;
    case 'TransactionNotificationReturned':
      return `instance=${namer.short(fact.instance)} ${transactionNotifyName(fact.notification)} status=${ntStatusName(fact.status)}`;
    case 'TransactionNotificationComplete':
      return `instance=${namer.short(fact.instance)} ${transactionNotifyName(fact.notification)} by=${fact.routine}`;
    case 'TransactionEnlistmentEnded':
      return `instance=${namer.short(fact.instance)} at=${fact.by}`;
    case 'SectionCreate':
      return `${fact.kind} file=${fact.fileObject} handle=${fact.handle} process=${fact.process}${fact.kernelHandle ? ' kernel' : ''} size=${fact.size}${fact.writable ? ' writable' : ''} refs=${fact.count}`;
    case 'SectionContextAttached':
      return `context=${fact.context} instance=${namer.short(fact.instance)} refs=${fact.count}`;
    case 'SectionReferenced':
    case 'SectionDereferenced':
      return `by=${fact.by} refs=${fact.count}`;
    case 'SectionViewMapped':
      return `view=${fact.view} process=${fact.process} bytes=${fact.bytes}${fact.writable ? ' writable' : ''} refs=${fact.count}`;
    case 'SectionViewUnmapped':
      return `view=${fact.view} refs=${fact.count}`;
    case 'SectionPagesDirtied':
      return `view=${fact.view} offset=${fact.offset} length=${fact.length}`;
    case 'SectionPagesWriting':
      return `offset=${fact.offset} length=${fact.length}`;
    case 'SectionConflict':
      return `context=${fact.context} op=${fact.operation}`;
    case 'FltCloseSectionForDataScan':
      return `context=${fact.context} by=${fact.by} refs=${fact.count}`;
    case 'FltAllocateExtraCreateParameterList':
      return `filter=${namer.short(fact.filter)}`;
    case 'FltAllocateExtraCreateParameter':
      return `filter=${namer.short(fact.filter)} {${fact.guid}} size=${fact.size}`;
    case 'FltInsertExtraCreateParameter':
    case 'FltRemoveExtraCreateParameter':
      return `list=${fact.list}`;
    case 'FltAcknowledgeEcp':
      return `by=${namer.short(fact.filter)}`;
    case 'EcpTargetAdjusted':
      return `instance=${fact.instance === null ? 'NULL' : namer.short(fact.instance)} volume=${fact.volume === null ? 'NULL' : namer.short(fact.volume)} name=${fact.name}${fact.retried ? ' retried there' : ''}`;
    case 'FltFreeExtraCreateParameter':
      return fact.withList ? 'with its list' : '';
    case 'FltFreeExtraCreateParameterList':
    case 'FltPrepareToReuseEcp':
      return '';
    case 'FltAllocateContext':
      return `filter=${namer.short(fact.filter)} ${contextTypeName(fact.contextType)} size=${fact.size} pool=${fact.poolType}`;
    case 'FltReferenceContext':
    case 'FltReleaseContext':
      return `by=${fact.by} count=${fact.count}`;
    case 'ContextLinked':
      return `by=${fact.by} to=${namer.short(fact.target)}${fact.instance === null ? '' : ` instance=${namer.short(fact.instance)}`} count=${fact.count}`;
    case 'ContextUnlinked':
      return `by=${fact.by}${fact.handedToCaller ? ' handed to caller' : ''} count=${fact.count}`;
    case 'ContextCleanupCallback':
    case 'ContextFreed':
      return '';
    case 'FileNameQuery':
      return `${fact.routine} ${fileNameOptionsText(fact.options)}${fact.instance === null ? '' : ` instance=${namer.short(fact.instance)}`}${fact.operation === null ? '' : ` op=${fact.operation}`}${fact.provider === null ? '' : ` provider=${namer.short(fact.provider)}`}`;
    case 'NameCacheMiss':
    case 'NameCacheInsert':
      return `key=${fact.key}`;
    case 'NameCacheHit':
      return `key=${fact.key} filter=${namer.short(fact.filter)} count=${fact.count}`;
    case 'NameCacheInvalidate':
      return `key=${fact.key} reason=${fact.reason}`;
    case 'FileSystemNameQuery':
      return `${fileNameOptionsText(fact.format).split('|')[0]} status=${ntStatusName(fact.status)}${fact.name === '' ? '' : ` name=${fact.name}`}`;
    case 'GenerateFileName':
      return `instance=${namer.short(fact.instance)} ${fileNameOptionsText(fact.options)}`;
    case 'GenerateFileNameReturned':
      return `instance=${namer.short(fact.instance)} status=${ntStatusName(fact.status)}${fact.name === '' ? '' : ` name=${fact.name}`}${fact.cache ? ' cache' : ''}`;
    case 'NormalizeNameComponent':
      return `instance=${namer.short(fact.instance)} parent=${fact.parent} component=${fact.component}${fact.flags === 0 ? '' : ` flags=0x${fact.flags.toString(16)}`}`;
    case 'NormalizeNameComponentReturned':
      return `instance=${namer.short(fact.instance)} status=${ntStatusName(fact.status)}${fact.expanded === '' ? '' : ` expanded=${fact.expanded}`}`;
    case 'NormalizeContextCleanup':
      return `instance=${namer.short(fact.instance)}`;
    case 'FileNameInformationCreate':
      return `${fileNameOptionsText(fact.format).split('|')[0]} name=${fact.name} file=${namer.short(fact.fileObject)} filter=${namer.short(fact.filter)}${fact.provider === null ? '' : ` provider=${namer.short(fact.provider)}`}`;
    case 'FltReferenceFileNameInformation':
      return `filter=${namer.short(fact.filter)} count=${fact.count}`;
    case 'FltReleaseFileNameInformation':
      return `filter=${namer.short(fact.filter)} count=${fact.count}${fact.cached ? ' cached' : ''}`;
    case 'FltParseFileNameInformation':
      return `filter=${namer.short(fact.filter)} namesParsed=0x${fact.namesParsed.toString(16)}`;
    case 'FltGetTunneledName':
      return `filter=${namer.short(fact.filter)} op=${fact.operation} ${irpMajorName(fact.major)}${fact.post ? ' post' : ' not in a post-operation'} tunneled=${fact.tunneled ?? 'none'}`;
    case 'IoSetCancelRoutine':
      return `op=${fact.operation} routine=${fact.routine}${fact.instance === null ? '' : ` instance=${namer.short(fact.instance)}`}`;
    case 'CancelRoutineCleared':
      return `op=${fact.operation} routine=${fact.routine} by=${fact.by}`;
    case 'IoCancelIrp':
      return `op=${fact.operation} by=${fact.by}${fact.thread === null ? '' : ` thread=${fact.thread}`}${fact.routineCalled ? ' routine called' : ''}`;
    case 'IoCompleteRequest':
      return fact.operation === null
        ? `status=${ntStatusName(fact.status)} information=${fact.information ?? 0}`
        : `op=${fact.operation} status=${ntStatusName(fact.status)}`;
    case 'IoCreateDevice':
      return `driver=${fact.driver} name=${fact.name ?? '<unnamed>'} type=0x${fact.deviceType.toString(16)} characteristics=0x${fact.characteristics.toString(16)}${fact.exclusive ? ' exclusive' : ''}`;
    case 'IoDeleteDevice':
      return `references=${fact.references}`;
    case 'DeviceReferenced':
    case 'DeviceDereferenced':
      return `${fact.fileObject !== undefined ? `fo=${fact.fileObject}` : `by=${fact.routine ?? '?'}`} count=${fact.count}`;
    case 'IoCallDriver':
      return `device=${fact.device} fo=${fact.fileObject} ${irpMajorName(fact.major)}${fact.minor === 0 ? '' : ` minor=${fact.minor}`}${fact.thread === null ? '' : ` thread=${fact.thread}`}`;
    case 'FastIoCall':
      return `${fact.routine} fo=${fact.fileObject} ${fact.handled ? `TRUE status=${ntStatusName(fact.status ?? 0)}` : 'FALSE'}`;
    case 'FltCbdqInitialize':
      return `instance=${namer.short(fact.instance)} name=${fact.name}`;
    case 'FltCbdqInsertIo':
      return `op=${fact.operation} status=${ntStatusName(fact.status)} thread=${fact.thread}`;
    case 'FltCbdqRemoveIo':
    case 'FltCbdqRemoveNextIo':
      return `op=${fact.operation ?? 'NULL'} thread=${fact.thread}`;
    case 'CbdqCompleteCanceledIo':
      return `op=${fact.operation} thread=${fact.thread}`;
    case 'FltCbdqDisable':
    case 'FltCbdqEnable':
      return `thread=${fact.thread}`;
    default:
      if (isPortFact(fact)) return portPayload(fact, (id) => namer.short(id));
      if (isFsBehaviourFact(fact)) return fsBehaviourPayload(fact);
      return assertNever(fact, 'fact');
  }
}

/** Format one fact; `namer` must have learned every earlier fact. */
export function formatFact(fact: Fact, namer: TraceNamer): string {
  factArgument('formatFact', 'fact', fact);
  return formatChecked(fact, objectArgument('formatFact', 'namer', namer, TraceNamer, 'a TraceNamer'));
}

function formatChecked(fact: Fact, namer: TraceNamer): string {
  namer.learn(fact);
  const rest = factPayload(fact, namer);
  // Names and messages come from the run (or a shared trace file): one fact is always one line.
  return printableLine(`#${fact.seq} t=${fact.time} ${namer.label(fact.object)} ${fact.type}${rest === '' ? '' : ' ' + rest}`);
}

/** Format a whole log (or a slice that starts at seq 0). */
export function formatTrace(facts: readonly Fact[]): string[] {
  const namer = new TraceNamer();
  return factsArgument('formatTrace', 'facts', facts).map((f) => formatChecked(f, namer));
}
