/**
 * The fold of the facts about objects the file systems keep for waiting requests: byte-range locks
 * (§21.10) and directory change notification structures (§21.9). Lifecycle states come from the same machines the live objects use; released and
 * abandoned locks leave the state (their facts stay in the log).
 */
import type { Draft } from 'immer';
import type { Fact, FactOf } from '../kernel/facts.js';
import { byteRangeLockMachine } from '../machines/byteRangeLock.js';
import { notifyChangeMachine } from '../machines/notifyChange.js';
import { oplockMachine } from '../machines/oplock.js';
import { splitStatePath } from '../machines/stateValue.js';
import { STATUS_NOTIFY_ENUM_DIR, STATUS_SUCCESS } from '../wdk/ntstatus.js';
import type { Advance, Born } from './fold.js';
import type { SimState } from './simState.js';

export type FsFact =
  | FactOf<'ByteRangeLockWaiting'>
  | FactOf<'ByteRangeLockGranted'>
  | FactOf<'ByteRangeLockReleased'>
  | FactOf<'ByteRangeLockAbandoned'>
  | FactOf<'FsRtlNotifyFullChangeDirectory'>
  | FactOf<'FsRtlNotifyFullReportChange'>
  | FactOf<'NotifyChangeCompleted'>
  | FactOf<'FsRtlNotifyCleanup'>
  | FactOf<'OplockGranted'>
  | FactOf<'OplockBreak'>
  | FactOf<'OplockBreakWait'>
  | FactOf<'OplockAcknowledged'>
  | FactOf<'OplockReleased'>
  | FactOf<'OplockWaitEnded'>
  | FactOf<'OplockAtomicRequest'>
  | FactOf<'OplockAtomicRequestEnded'>;

const FS_FACTS = new Set<string>([
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
  'OplockAcknowledged',
  'OplockReleased',
  'OplockWaitEnded',
  'OplockAtomicRequest',
  'OplockAtomicRequestEnded',
]);

export function isFsFact(fact: Fact): fact is FsFact {
  return FS_FACTS.has(fact.type);
}

export function applyFsFact(d: Draft<SimState>, fact: FsFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'ByteRangeLockWaiting':
    case 'ByteRangeLockGranted': {
      const existing = d.byteRangeLocks[id];
      if (existing === undefined) born(id, byteRangeLockMachine);
      const state = advance(fact) as never;
      const { operation, fileObject, fileId, byteOffset, length, key, processId, exclusive } = fact;
      d.byteRangeLocks[id] = { operation, fileObject, fileId, byteOffset, length, key, processId, exclusive, state };
      return;
    }
    case 'ByteRangeLockReleased':
    case 'ByteRangeLockAbandoned':
      advance(fact);
      delete d.byteRangeLocks[id];
      return;
    case 'FsRtlNotifyFullChangeDirectory': {
      const existing = d.directoryNotifications[id];
      if (existing === undefined) born(id, notifyChangeMachine);
      const state = advance(fact) as never;
      if (existing === undefined) {
        const { fileObject, fileId, completionFilter, watchTree, bufferLength } = fact;
        d.directoryNotifications[id] = { fileObject, fileId, completionFilter, watchTree, bufferLength, pending: [fact.operation], queued: 0, state };
      } else {
        existing.pending.push(fact.operation);
        existing.state = state;
      }
      return;
    }
    case 'FsRtlNotifyFullReportChange': {
      const n = d.directoryNotifications[id]!;
      n.state = advance(fact) as never;
      n.queued = fact.overflow ? 0 : n.queued + 1;
      return;
    }
    case 'NotifyChangeCompleted': {
      const n = d.directoryNotifications[id]!;
      n.state = advance(fact) as never;
      const at = n.pending.indexOf(fact.operation);
      if (at >= 0) n.pending.splice(at, 1);
      if (fact.status === STATUS_SUCCESS || fact.status === STATUS_NOTIFY_ENUM_DIR) n.queued = 0;
      return;
    }
    case 'FsRtlNotifyCleanup':
      advance(fact);
      delete d.directoryNotifications[id];
      return;
    default:
      return applyOplockFact(d, fact, born, advance);
  }
}

function applyOplockFact(d: Draft<SimState>, fact: FsFact, born: Born, advance: Advance): void {
  const id = fact.object;
  if ((fact.type === 'OplockGranted' || fact.type === 'OplockAtomicRequest') && d.oplocks[id] === undefined) {
    born(id, oplockMachine);
    d.oplocks[id] = { fileId: fact.fileId, holders: [], waiters: [], state: 'NoOplock' };
  }
  const o = d.oplocks[id]!;
  // The view takes the machine's top-level state; its AtomicRequestPending part is `atomicRequest` (src/machines/oplock.ts).
  const [state] = splitStatePath(advance(fact)!);
  o.state = state as never;
  const holder = (fileObject: string): number => o.holders.findIndex((h) => h.fileObject === fileObject);
  switch (fact.type) {
    case 'OplockGranted':
      // A switch (same oplock key) replaces the holder's earlier request.
      if (fact.switched !== undefined) Object.assign(o.holders[holder(fact.fileObject)]!, { level: fact.level, operation: fact.operation });
      else o.holders.push({ fileObject: fact.fileObject, level: fact.level, operation: fact.operation, breakingTo: null });
      break;
    case 'OplockBreak': {
      const at = holder(fact.fileObject);
      if (fact.acknowledgementOwed) Object.assign(o.holders[at]!, { operation: null, breakingTo: fact.toLevel });
      else o.holders.splice(at, 1);
      break;
    }
    case 'OplockBreakWait':
      o.waiters.push(fact.operation);
      break;
    case 'OplockAcknowledged': {
      const at = holder(fact.fileObject);
      // ClosePending is the machine's state (o.state); the holder stays as it was until its cleanup.
      if (fact.newLevel === 'ClosePending') break;
      if (fact.newLevel === 'None') o.holders.splice(at, 1);
      else Object.assign(o.holders[at]!, { level: fact.newLevel, operation: fact.operation, breakingTo: null });
      break;
    }
    case 'OplockReleased':
      o.holders.splice(holder(fact.fileObject), 1);
      break;
    case 'OplockWaitEnded':
      o.waiters.splice(o.waiters.indexOf(fact.operation), 1);
      break;
    case 'OplockAtomicRequest':
      o.atomicRequest = fact.fileObject;
      break;
    case 'OplockAtomicRequestEnded':
      delete o.atomicRequest;
      break;
    default:
      break;
  }
  if (o.holders.length === 0 && o.waiters.length === 0 && o.atomicRequest === undefined) delete d.oplocks[id];
}
