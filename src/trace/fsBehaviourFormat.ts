/**
 * The text-format payload of the file system's own behaviours that filters race against (§21):
 * byte-range locks, directory change notification and oplocks, one line each. Their ids are the
 * log's own (operations D…, file objects O…), printed as they stand.
 */
import type { Fact, FactOf } from '../kernel/facts.js';
import { ntStatusName } from '../wdk/ntstatus.js';
import { FILE_ACTION_NAMES } from '../wdk/directoryNotify.js';

const FS_BEHAVIOUR_FACTS = [
  'ByteRangeLockWaiting',
  'ByteRangeLockGranted',
  'ByteRangeLockReleased',
  'ByteRangeLockAbandoned',
  'FsRtlNotifyFullChangeDirectory',
  'FsRtlNotifyFullReportChange',
  'NotifyChangeCompleted',
  'FsRtlNotifyCleanup',
  'OplockGranted',
  'OplockBreak',
  'OplockBreakWait',
  'OplockWaitEnded',
  'OplockAcknowledged',
  'OplockReleased',
  'OplockAtomicRequestEnded',
  'OplockAtomicRequest',
] as const;

export type FsBehaviourFact = FactOf<(typeof FS_BEHAVIOUR_FACTS)[number]>;

const FS_BEHAVIOUR_TYPES: ReadonlySet<string> = new Set(FS_BEHAVIOUR_FACTS);

export function isFsBehaviourFact(fact: Fact): fact is FsBehaviourFact {
  return FS_BEHAVIOUR_TYPES.has(fact.type);
}

export function fsBehaviourPayload(fact: FsBehaviourFact): string {
  switch (fact.type) {
    case 'ByteRangeLockWaiting':
    case 'ByteRangeLockGranted':
      return `op=${fact.operation} fo=${fact.fileObject} range=${fact.byteOffset}+${fact.length} ${fact.exclusive ? 'exclusive' : 'shared'} key=${fact.key} pid=${fact.processId}`;
    case 'ByteRangeLockReleased':
      return `by=${fact.by}${fact.operation === '' ? '' : ` op=${fact.operation}`}`;
    case 'ByteRangeLockAbandoned':
      return `status=${ntStatusName(fact.status)}`;
    case 'FsRtlNotifyFullChangeDirectory':
      return `op=${fact.operation} fo=${fact.fileObject} filter=0x${fact.completionFilter.toString(16)}${fact.watchTree ? ' tree' : ''} buffer=${fact.bufferLength}`;
    case 'FsRtlNotifyFullReportChange':
      return `${FILE_ACTION_NAMES[fact.action] ?? fact.action} ${fact.fileName}${fact.overflow ? ' overflow' : ''}`;
    case 'NotifyChangeCompleted':
      return `op=${fact.operation} ${ntStatusName(fact.status)} changes=${fact.changes}`;
    case 'FsRtlNotifyCleanup':
      return '';
    case 'OplockGranted':
      return `${fact.level} op=${fact.operation} fo=${fact.fileObject}${fact.switched === undefined ? '' : ` switched=${fact.switched}`}`;
    case 'OplockBreak':
      return `fo=${fact.fileObject} ${fact.level} to ${fact.toLevel} by=${fact.by}${fact.acknowledgementOwed ? ' acknowledgement owed' : ''}`;
    case 'OplockBreakWait':
    case 'OplockWaitEnded':
      return `op=${fact.operation}${fact.type === 'OplockWaitEnded' ? ` ${fact.reason}` : ''}`;
    case 'OplockAcknowledged':
      return `fo=${fact.fileObject} ${fact.routine} op=${fact.operation} to ${fact.newLevel}`;
    case 'OplockReleased':
    case 'OplockAtomicRequestEnded':
      return `fo=${fact.fileObject} ${fact.reason}`;
    case 'OplockAtomicRequest':
      return `op=${fact.operation} fo=${fact.fileObject}`;
  }
}
