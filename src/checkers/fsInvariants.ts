/**
 * §24.9 invariants of the file-system behaviours minifilters depend on (§21), checked over a log
 * alone. Each returns `{ invariant, seq, message }` at the fact where the violation shows.
 *
 * Byte-range locks (§21.10, invariant 11): the granted locks of a stream never conflict with each
 * other (MS-FSA 2.1.4.10 with the owner (file object, process, key)); a READ or WRITE the file
 * system refuses with STATUS_FILE_LOCK_CONFLICT overlapped a conflicting granted lock; a file
 * object holds no lock once its cleanup completed.
 * Directory change notification (§21.9, invariant 9): see notifyCompletesOnce.
 */
import type { ByteRangeLockFields, Fact } from '../kernel/facts.js';
import { IRP_MJ_CLEANUP, IRP_MJ_READ, IRP_MJ_WRITE } from '../wdk/irp.js';
import { STATUS_CANCELLED, STATUS_DELETE_PENDING, STATUS_FILE_LOCK_CONFLICT, STATUS_NOTIFY_CLEANUP, STATUS_NOTIFY_ENUM_DIR, STATUS_SUCCESS } from '../wdk/ntstatus.js';
import type { InvariantViolation } from './kernelInvariants.js';
import { FS_FILTER_INVARIANTS } from './fsFilterInvariants.js';

type Check = (facts: readonly Fact[]) => InvariantViolation[];

const SYSTEM_PID = 4;

/** MS-FSA 2.1.4.10 for one pair: does access (range, intent, owner) conflict with granted lock `l`? */
function conflicts(l: ByteRangeLockFields, byteOffset: number, length: number, exclusive: boolean, lockIntent: boolean, owner: { fileObject: string; processId: number; key: number }): boolean {
  if ((byteOffset === 0 && length === 0) || (l.byteOffset === 0 && l.length === 0)) return false;
  if (!(byteOffset <= l.byteOffset + l.length - 1 && byteOffset + length - 1 >= l.byteOffset)) return false;
  const mine = l.fileObject === owner.fileObject && l.processId === owner.processId && l.key === owner.key;
  if (l.exclusive) return !mine || (exclusive && lockIntent);
  return exclusive;
}

interface IoRequest {
  readonly write: boolean;
  readonly fileObject: string;
  readonly byteOffset: number;
  readonly length: number;
  readonly key: number;
  readonly processId: number;
  edited: boolean;
}

/** 11: granted locks are compatible; a lock conflict has a conflicting lock behind it; cleanup leaves no lock. */
export const byteRangeLocksHold: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const granted = new Map<string, ByteRangeLockFields>();
  const pids = new Map<string, number>([['P0', SYSTEM_PID], ['P1', 1000]]);
  const threadPid = new Map<string, number>();
  const io = new Map<string, IoRequest>();
  for (const f of facts) {
    switch (f.type) {
      case 'ProcessCreate':
        pids.set(f.object, f.pid);
        break;
      case 'ThreadCreate':
        threadPid.set(f.object, pids.get(f.process ?? 'P0') ?? SYSTEM_PID);
        break;
      case 'IoStart': {
        if ((f.major !== IRP_MJ_READ && f.major !== IRP_MJ_WRITE) || f.fileObject === null) break;
        const p = (f.parameters.Read ?? f.parameters.Write) as { ByteOffset?: number; Length?: number; Key?: number } | undefined;
        if (p === undefined || typeof p.ByteOffset !== 'number' || p.ByteOffset < 0 || typeof p.Length !== 'number') break;
        const processId = f.thread === null ? SYSTEM_PID : (threadPid.get(f.thread) ?? SYSTEM_PID);
        io.set(f.object, { write: f.major === IRP_MJ_WRITE, fileObject: f.fileObject, byteOffset: p.ByteOffset, length: p.Length, key: (p.Key ?? 0) >>> 0, processId, edited: false });
        break;
      }
      case 'PreOperationReturned':
        // A filter that edited the parameters sent a range the log does not spell out: not judged.
        if (f.edit !== undefined) {
          const r = io.get(f.object);
          if (r !== undefined) r.edited = true;
        }
        break;
      case 'FsComplete': {
        const r = io.get(f.object);
        io.delete(f.object);
        if (r === undefined || r.edited || f.status !== STATUS_FILE_LOCK_CONFLICT) break;
        const behind = [...granted.values()].some((l) => conflicts(l, r.byteOffset, r.length, r.write, false, r));
        if (!behind) out.push({ invariant: '24.9 11', seq: f.seq, message: `${f.object}: ${r.write ? 'WRITE' : 'READ'} of ${r.byteOffset}+${r.length} refused with STATUS_FILE_LOCK_CONFLICT, but no granted lock conflicts with it` });
        break;
      }
      case 'ByteRangeLockGranted': {
        for (const [id, l] of granted) {
          if (l.fileId === f.fileId && conflicts(l, f.byteOffset, f.length, f.exclusive, true, f)) {
            out.push({ invariant: '24.9 11', seq: f.seq, message: `${f.object} granted ${f.byteOffset}+${f.length} over the conflicting lock ${id} (${l.byteOffset}+${l.length})` });
          }
        }
        granted.set(f.object, { operation: f.operation, fileObject: f.fileObject, fileId: f.fileId, byteOffset: f.byteOffset, length: f.length, key: f.key, processId: f.processId, exclusive: f.exclusive });
        break;
      }
      case 'ByteRangeLockReleased':
        granted.delete(f.object);
        break;
      case 'FileObjectCleanup':
        for (const [id, l] of granted) if (l.fileObject === f.object) out.push({ invariant: '24.9 11', seq: f.seq, message: `${f.object} cleaned up while it still holds the byte-range lock ${id}` });
        break;
      default:
        break;
    }
  }
  return out;
};

const NOTIFY_ENDINGS: ReadonlySet<number> = new Set([STATUS_SUCCESS, STATUS_NOTIFY_ENUM_DIR, STATUS_NOTIFY_CLEANUP, STATUS_DELETE_PENDING, STATUS_CANCELLED]);

/**
 * 9: a notify request the file system took (FsRtlNotifyFullChangeDirectory) completes there exactly
 * once: with its changes, STATUS_NOTIFY_ENUM_DIR (Information 0), STATUS_NOTIFY_CLEANUP (at or after
 * its handle's cleanup), STATUS_DELETE_PENDING or STATUS_CANCELLED.
 */
export const notifyCompletesOnce: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const taken = new Set<string>();
  const fileObjectOf = new Map<string, string>();
  const cleanupStarted = new Set<string>();
  const completed = new Set<string>();
  for (const f of facts) {
    switch (f.type) {
      case 'IoStart':
        // A volume-level request (PnP, shutdown) has no file object, so nothing here concerns it.
        if (f.fileObject === null) break;
        fileObjectOf.set(f.object, f.fileObject);
        if (f.major === IRP_MJ_CLEANUP) cleanupStarted.add(f.fileObject);
        break;
      case 'FsRtlNotifyFullChangeDirectory':
        taken.add(f.operation);
        completed.delete(f.operation);
        break;
      case 'FsComplete': {
        if (!taken.has(f.object)) break;
        taken.delete(f.object);
        const where = `${f.object}: notify request`;
        if (completed.has(f.object)) out.push({ invariant: '24.9 9', seq: f.seq, message: `${where} completed twice` });
        completed.add(f.object);
        if (!NOTIFY_ENDINGS.has(f.status)) out.push({ invariant: '24.9 9', seq: f.seq, message: `${where} completed with ${f.status.toString(16)}` });
        if (f.status === STATUS_NOTIFY_ENUM_DIR && f.information !== 0) out.push({ invariant: '24.9 9', seq: f.seq, message: `${where} STATUS_NOTIFY_ENUM_DIR with Information ${f.information}` });
        if (f.status === STATUS_NOTIFY_CLEANUP && !cleanupStarted.has(fileObjectOf.get(f.object) ?? '')) out.push({ invariant: '24.9 9', seq: f.seq, message: `${where} STATUS_NOTIFY_CLEANUP before its handle's cleanup` });
        break;
      }
      default:
        break;
    }
  }
  return out;
};

/**
 * 10: a granted oplock request stays pending until a break, its holder's cleanup, a cancel or a
 * switch to a newer request of the same handle (Windows 7 levels); an operation that waits for a
 * break does not complete before the break is over (acknowledged, or the holder closed) or it was
 * cancelled; an acknowledgement comes only from a holder whose break owed one.
 */
export const oplockDiscipline: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const granted = new Map<string, string>();
  const ended = new Set<string>();
  const waiting = new Set<string>();
  const owing = new Set<string>();
  const grant = (operation: string, fileObject: string): void => {
    granted.set(operation, fileObject);
    ended.delete(operation);
  };
  for (const f of facts) {
    switch (f.type) {
      case 'OplockGranted':
        if (f.switched !== undefined) ended.add(f.switched);
        grant(f.operation, f.fileObject);
        break;
      case 'OplockAcknowledged':
        if (!owing.has(`${f.object}/${f.fileObject}`)) out.push({ invariant: '24.9 10', seq: f.seq, message: `${f.fileObject}: ${f.routine} acknowledged a break it did not owe` });
        if (f.newLevel !== 'ClosePending') owing.delete(`${f.object}/${f.fileObject}`);
        if (f.newLevel !== 'None' && f.newLevel !== 'ClosePending') grant(f.operation, f.fileObject);
        break;
      case 'OplockBreak':
      case 'OplockReleased':
        for (const [op, fo] of granted) if (fo === f.fileObject) ended.add(op);
        if (f.type === 'OplockBreak' && f.acknowledgementOwed) owing.add(`${f.object}/${f.fileObject}`);
        if (f.type === 'OplockReleased') owing.delete(`${f.object}/${f.fileObject}`);
        break;
      case 'OplockBreakWait':
        waiting.add(f.operation);
        break;
      case 'OplockWaitEnded':
        waiting.delete(f.operation);
        break;
      case 'FsComplete':
        if (granted.has(f.object)) {
          if (!ended.has(f.object)) out.push({ invariant: '24.9 10', seq: f.seq, message: `${f.object}: a granted oplock request completed (${f.status.toString(16)}) without a break, a cleanup, a cancel or a switch` });
          granted.delete(f.object);
        }
        if (waiting.has(f.object)) out.push({ invariant: '24.9 10', seq: f.seq, message: `${f.object}: an operation waiting for an oplock break completed before the break was over` });
        break;
      default:
        break;
    }
  }
  return out;
};

// The FsFilter callback operations' invariant (§24.9 16) lives in fsFilterInvariants.ts.
export const FS_INVARIANTS: Readonly<Record<string, Check>> = { byteRangeLocksHold, notifyCompletesOnce, oplockDiscipline, ...FS_FILTER_INVARIANTS };

export function checkFsInvariants(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(FS_INVARIANTS).flatMap((check) => check(facts));
}
