/**
 * Oplock levels and §21.8's break tables: which holder an operation through another file object
 * breaks, to what level, whether the holder must acknowledge and whether the operation waits
 * ("Checking the oplock state of IRP_MJ_…"), and the arithmetic of the Windows 7 levels
 * (OPLOCK_LEVEL_CACHE_* bits). Pure functions of a level and a cause; oplocks.ts applies them to
 * a stream's holders.
 */
import type { OplockBreakTarget, OplockLevel } from '../kernel/facts.js';

/** OPLOCK_LEVEL_CACHE_* bits of the Windows 7 levels (R 1, H 2, W 4). */
const WIN7_BITS: Readonly<Record<string, number>> = { R: 1, RH: 3, RW: 5, RWH: 7 };
const WIN7_NAMES: Readonly<Record<number, OplockBreakTarget | 'RWH'>> = { 0: 'None', 1: 'R', 3: 'RH', 5: 'RW', 7: 'RWH' };

export const isWin7 = (level: OplockLevel | OplockBreakTarget): boolean => WIN7_BITS[level] !== undefined;
/** OPLOCK_LEVEL_CACHE_* bits of a Windows 7 level or break target (None: 0). */
export const cacheBits = (level: OplockLevel | OplockBreakTarget): number => WIN7_BITS[level] ?? 0;
/** The Windows 7 level of some OPLOCK_LEVEL_CACHE_* bits, or undefined for a combination no oplock has. */
export const win7Level = (bits: number): OplockBreakTarget | 'RWH' | undefined => WIN7_NAMES[bits];

/** What an operation through another file object does to a holder (§21.8's tables). */
export type OplockBreakCause =
  /**
   * IRP_MJ_CREATE of the existing stream. `sharingViolation`: the share check would fail (Batch and
   * Filter do not look at it: they break before the check). `filterConflict`: the open asks a
   * "writable" access (anything beyond FILE_READ_ATTRIBUTES, FILE_WRITE_ATTRIBUTES, FILE_READ_DATA,
   * FILE_READ_EA, FILE_EXECUTE, SYNCHRONIZE, READ_CONTROL; an overwrite) or does not share read.
   */
  | { readonly kind: 'create'; readonly overwrite: boolean; readonly attributesOnly: boolean; readonly filterConflict: boolean; readonly sharingViolation: () => boolean }
  | { readonly kind: 'read' }
  | { readonly kind: 'write' }
  /** SET_INFORMATION FileEndOfFile / FileAllocation / FileValidDataLength. */
  | { readonly kind: 'setEndOfFile' }
  /** Any IRP_MJ_LOCK_CONTROL. */
  | { readonly kind: 'lock' }
  /** SET_INFORMATION FileRename / FileLink / FileShortName. */
  | { readonly kind: 'rename' }
  /** SET_INFORMATION FileDisposition with DeleteFile TRUE. */
  | { readonly kind: 'delete' }
  /** IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION with SyncTypeCreateSection; `writable`: PAGE_READWRITE or PAGE_EXECUTE_READWRITE. */
  | { readonly kind: 'section'; readonly writable: boolean };

export interface Rule {
  readonly to: OplockBreakTarget;
  /** The holder must acknowledge (REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED; legacy: Level 1, Batch, Filter). */
  readonly ack: boolean;
  /** The operation waits for the acknowledgement (RH breaks by a write, lock or overwrite do not). */
  readonly wait: boolean;
}

const owing = (to: OplockBreakTarget, wait = true): Rule => ({ to, ack: true, wait });
export const NONE_NO_ACK: Rule = { to: 'None', ack: false, wait: false };

/** A write-like change (write, size change, lock): everything to none; R and Level 2 need no acknowledgement, RH's breaker goes on. */
function writeRule(level: OplockLevel, lock: boolean): Rule | null {
  if (level === 'Level2' || level === 'R') return NONE_NO_ACK;
  if (level === 'RH') return owing('None', false);
  if (lock && level === 'Filter') return null;
  return owing('None');
}

function readRule(level: OplockLevel): Rule | null {
  if (level === 'Level1' || level === 'Batch') return owing('Level2');
  if (level === 'RW') return owing('R');
  if (level === 'RWH') return owing('RH');
  return null;
}

/**
 * IRP_MJ_CREATE ("Checking the oplock state of IRP_MJ_CREATE"). Batch and Filter holders are broken
 * before the share check (NTFS; FastFat's FsRtlCurrentBatchOplock test), so even an open that then
 * fails with STATUS_SHARING_VIOLATION breaks them; a Filter oplock only by an open that asks a
 * writable access or does not share read. Every other level is looked at once the share check is
 * known: on a sharing violation only the H holders break (RH → R, RWH → RW) and the create waits to
 * check sharing again — the others are not broken, the create fails; otherwise Level 1 → Level 2, W
 * is broken (RW → R, RWH → RH), and an overwrite breaks everything to none (R, Level 2 and RH with
 * the create going on at once).
 */
function createRule(level: OplockLevel, cause: Extract<OplockBreakCause, { kind: 'create' }>, sharingViolation: () => boolean): Rule | null {
  if (cause.attributesOnly) return null;
  const over = cause.overwrite;
  switch (level) {
    case 'Batch':
      return owing(over ? 'None' : 'Level2');
    case 'Filter':
      return cause.filterConflict ? owing('None') : null;
    case 'Level1':
      return sharingViolation() ? null : owing(over ? 'None' : 'Level2');
    case 'Level2':
    case 'R':
      return over && !sharingViolation() ? NONE_NO_ACK : null;
    case 'RH':
      if (sharingViolation()) return owing('R');
      return over ? owing('None', false) : null;
    case 'RW':
      return sharingViolation() ? null : owing(over ? 'None' : 'R');
    case 'RWH':
      if (sharingViolation()) return owing('RW');
      return owing(over ? 'None' : 'RH');
  }
}

export function ruleFor(level: OplockLevel, cause: OplockBreakCause, sharingViolation: () => boolean): Rule | null {
  switch (cause.kind) {
    case 'create':
      return createRule(level, cause, sharingViolation);
    case 'read':
      return readRule(level);
    case 'write':
    case 'setEndOfFile':
      return writeRule(level, false);
    case 'lock':
      return writeRule(level, true);
    case 'rename':
      if (level === 'Batch' || level === 'Filter') return owing('None');
      return level === 'RH' ? owing('R') : level === 'RWH' ? owing('RW') : null;
    case 'delete':
      return level === 'RH' ? owing('R') : level === 'RWH' ? owing('RW') : null;
    case 'section':
      // FsRtlCheckOplockForFsFilterCallback: a writable section breaks the Windows 7 levels to none, unacknowledged; legacy ones stay.
      return cause.writable && isWin7(level) ? NONE_NO_ACK : null;
  }
}

/** The lower of two break targets (a second break of a holder already breaking). */
export function lower(a: OplockBreakTarget, b: OplockBreakTarget): OplockBreakTarget {
  if (isWin7(a) || isWin7(b)) return (win7Level(cacheBits(a) & cacheBits(b)) ?? 'None') as OplockBreakTarget;
  return a === 'None' || b === 'None' ? 'None' : 'Level2';
}
