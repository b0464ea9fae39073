/**
 * IRQL and APC-disable state of a simulated thread (§18.1): KeGetCurrentIrql, the critical and
 * guarded regions, and the documented IRQL limit of the routines that check it.
 *
 * IRQL itself is per thread (SimThread.irql): callbacks run where §18.1 says (post-operations at
 * DISPATCH_LEVEL unless synchronized), KeAcquireSpinLock raises to DISPATCH_LEVEL, a fast mutex to
 * APC_LEVEL. It is not a fact, since it follows from facts already in the log (the callback, the
 * lock). Region depths change through routines, so they are facts (`ApcRegion`).
 */
import { kernelCall, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SimThread } from '../kernel/thread.js';

export type KIRQL = 0 | 1 | 2;
export const PASSIVE_LEVEL = 0;
export const APC_LEVEL = 1;
export const DISPATCH_LEVEL = 2;

const IRQL_NAMES = ['PASSIVE_LEVEL', 'APC_LEVEL', 'DISPATCH_LEVEL'] as const;

export function irqlName(irql: number): string {
  return IRQL_NAMES[irql] ?? `IRQL ${irql}`;
}

/**
 * The highest IRQL each checked routine may be called at (the req.irql of its DDI page, §18.1).
 * Routines not listed here check their own limit or have none that the model can break.
 */
export const ROUTINE_IRQL_LIMITS: Readonly<Record<string, KIRQL>> = {
  FltCreateFile: PASSIVE_LEVEL,
  FltCreateFileEx: PASSIVE_LEVEL,
  FltCreateFileEx2: PASSIVE_LEVEL,
  FltClose: PASSIVE_LEVEL,
  FltReadFile: PASSIVE_LEVEL,
  FltReadFileEx: PASSIVE_LEVEL,
  FltWriteFile: PASSIVE_LEVEL,
  FltWriteFileEx: PASSIVE_LEVEL,
  FltSetInformationFile: PASSIVE_LEVEL,
  FltQueryInformationFile: PASSIVE_LEVEL,
  FltQueryVolumeInformationFile: PASSIVE_LEVEL,
  FltDeviceIoControlFile: PASSIVE_LEVEL,
  FltFsControlFile: PASSIVE_LEVEL,
  FltFlushBuffers: PASSIVE_LEVEL,
  FltTagFile: PASSIVE_LEVEL,
  FltUntagFile: PASSIVE_LEVEL,
  FltQuerySecurityObject: PASSIVE_LEVEL,
  FltSetSecurityObject: PASSIVE_LEVEL,
  FltCancelFileOpen: PASSIVE_LEVEL,
  FltQueryDirectoryFile: PASSIVE_LEVEL,
  FltLockUserBuffer: APC_LEVEL,
  FltAcquireResourceExclusive: APC_LEVEL,
  FltAcquireResourceShared: APC_LEVEL,
  ExAcquireResourceExclusiveLite: APC_LEVEL,
  ExAcquireResourceSharedLite: APC_LEVEL,
  ExInitializeResourceLite: DISPATCH_LEVEL,
  ExDeleteResourceLite: APC_LEVEL,
  FltReleaseResource: DISPATCH_LEVEL,
  ExReleaseResourceLite: DISPATCH_LEVEL,
  FltAcquirePushLockExclusive: APC_LEVEL,
  FltAcquirePushLockShared: APC_LEVEL,
  FltReleasePushLock: APC_LEVEL,
  FltDeletePushLock: APC_LEVEL,
  ExAcquireFastMutex: APC_LEVEL,
  ExReleaseFastMutex: APC_LEVEL,
  KeAcquireGuardedMutex: APC_LEVEL,
  KeReleaseGuardedMutex: APC_LEVEL,
  KeAcquireSpinLock: DISPATCH_LEVEL,
  KeReleaseSpinLock: DISPATCH_LEVEL,
  KeSetEvent: DISPATCH_LEVEL,
  KeResetEvent: DISPATCH_LEVEL,
  KeClearEvent: DISPATCH_LEVEL,
  KeEnterCriticalRegion: APC_LEVEL,
  KeLeaveCriticalRegion: APC_LEVEL,
  FsRtlEnterFileSystem: APC_LEVEL,
  FsRtlExitFileSystem: APC_LEVEL,
  KeEnterGuardedRegion: APC_LEVEL,
  KeLeaveGuardedRegion: APC_LEVEL,
};

/** Raise IRQL_TOO_HIGH if `thread` runs above `limit` (or above the routine's table entry). */
export function checkIrql(kernel: Kernel, thread: SimThread, routine: string, limit: number | undefined = ROUTINE_IRQL_LIMITS[routine]): void {
  if (limit === undefined || thread.irql <= limit) return;
  throw kernel.violation('IRQL_TOO_HIGH', thread.id, `${routine} at ${irqlName(thread.irql)} by ${thread.name}: allowed at ${irqlName(limit)} or below (§18.1)`);
}

/** Are normal kernel APCs off for the thread (what FltCreateFile must not be called with, §18.5)? */
export function normalKernelApcsDisabled(thread: SimThread): boolean {
  return thread.criticalRegionDepth > 0 || thread.guardedRegionDepth > 0 || thread.irql >= APC_LEVEL;
}

/** KeAreAllApcsDisabled: in a guarded region or at APC_LEVEL or above (§18.1). */
export function allApcsDisabled(thread: SimThread): boolean {
  return thread.guardedRegionDepth > 0 || thread.irql >= APC_LEVEL;
}

/** Change the thread's critical or guarded region depth by `delta`, as `routine` does, and log it. */
export function changeRegion(kernel: Kernel, thread: SimThread, routine: string, region: 'critical' | 'guarded', delta: 1 | -1): void {
  const depth = region === 'critical' ? thread.criticalRegionDepth : thread.guardedRegionDepth;
  if (delta < 0 && depth === 0) {
    throw kernel.violation('APC_REGION_UNBALANCED', thread.id, `${routine} by ${thread.name} without a matching enter (${region} region depth is 0)`);
  }
  if (region === 'critical') thread.criticalRegionDepth += delta;
  else thread.guardedRegionDepth += delta;
  kernel.emitFact({ seq: 0, time: 0, object: thread.id, type: 'ApcRegion', routine, criticalRegion: thread.criticalRegionDepth, guardedRegion: thread.guardedRegionDepth });
}

function region(routine: string, which: 'critical' | 'guarded', delta: 1 | -1): Blocking<void> {
  return kernelCall((kernel, thread) => {
    checkIrql(kernel, thread, routine);
    changeRegion(kernel, thread, routine, which, delta);
  });
}

/** KeGetCurrentIrql(). */
export function KeGetCurrentIrql(): Blocking<KIRQL> {
  return kernelCall((_kernel, thread) => thread.irql as KIRQL);
}

/** KeAreAllApcsDisabled(). */
export function KeAreAllApcsDisabled(): Blocking<boolean> {
  return kernelCall((_kernel, thread) => allApcsDisabled(thread));
}

/** KeAreApcsDisabled(): normal kernel APCs off (critical or guarded region, or IRQL ≥ APC_LEVEL). */
export function KeAreApcsDisabled(): Blocking<boolean> {
  return kernelCall((_kernel, thread) => normalKernelApcsDisabled(thread));
}

export const KeEnterCriticalRegion = (): Blocking<void> => region('KeEnterCriticalRegion', 'critical', 1);
export const KeLeaveCriticalRegion = (): Blocking<void> => region('KeLeaveCriticalRegion', 'critical', -1);
/** FsRtlEnterFileSystem: KeEnterCriticalRegion under the file-system name (avscan waits inside one). */
export const FsRtlEnterFileSystem = (): Blocking<void> => region('FsRtlEnterFileSystem', 'critical', 1);
export const FsRtlExitFileSystem = (): Blocking<void> => region('FsRtlExitFileSystem', 'critical', -1);
export const KeEnterGuardedRegion = (): Blocking<void> => region('KeEnterGuardedRegion', 'guarded', 1);
export const KeLeaveGuardedRegion = (): Blocking<void> => region('KeLeaveGuardedRegion', 'guarded', -1);
