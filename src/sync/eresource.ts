/**
 * ERESOURCE (§18.4): ExInitializeResourceLite, ExAcquireResourceExclusiveLite /
 * ExAcquireResourceSharedLite (the caller must have disabled normal kernel APCs first),
 * ExReleaseResourceLite, ExDeleteResourceLite, and the Filter Manager wrappers
 * FltAcquireResourceExclusive / FltAcquireResourceShared / FltReleaseResource, which enter and
 * leave the critical region themselves.
 *
 * Recursion follows the machine (src/machines/eresource.ts): the exclusive owner may acquire again
 * in either mode, shared owners may acquire shared again; a shared owner asking for exclusive is
 * the upgrade deadlock and is reported as LOCK_SELF_DEADLOCK.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { booleanArgument } from '../kernel/arguments.js';
import { kernelCall, preempt, type Blocking } from '../kernel/effects.js';
import type { LockMode } from '../kernel/facts.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SimThread } from '../kernel/thread.js';
import { eresourceMachine, upgradeDeadlock, type EresourceState } from '../machines/eresource.js';
import type { LockContext } from '../machines/lockOwners.js';
import { STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { changeRegion, checkIrql, normalKernelApcsDisabled } from './irql.js';
import { bound, requireKernelObject } from './kernelObject.js';
import { acquireLock, deleteLock, initializeLock, LockObject, releaseLock, tryAcquire, type SelfDeadlockCheck } from './lockCore.js';

export class ERESOURCE extends LockObject {
  readonly lockType = 'ERESOURCE' as const;
}

const selfDeadlock: SelfDeadlockCheck = (snapshot: AnyMachineSnapshot, thread: string, mode: LockMode) =>
  upgradeDeadlock(snapshot.value as EresourceState, snapshot.context as LockContext, thread, mode)
    ? 'it holds the resource shared and asks for it exclusive, so it would wait for itself (§18.4)'
    : null;

const nothing = (): void => {};

/** ExInitializeResourceLite(Resource): STATUS_SUCCESS. */
export function* ExInitializeResourceLite(Resource: ERESOURCE): Blocking<NTSTATUS> {
  yield* requireKernelObject('ExInitializeResourceLite', 'Resource', Resource, ERESOURCE);
  return yield* kernelCall((kernel, thread) => {
    initializeLock(kernel, thread, Resource, eresourceMachine, 'ExInitializeResourceLite');
    return STATUS_SUCCESS;
  });
}

/** ExDeleteResourceLite(Resource): STATUS_SUCCESS; the resource must not be held. */
export function* ExDeleteResourceLite(Resource: ERESOURCE): Blocking<NTSTATUS> {
  yield* requireKernelObject('ExDeleteResourceLite', 'Resource', Resource, ERESOURCE);
  return yield* kernelCall((kernel, thread) => {
    deleteLock(kernel, thread, Resource, 'ExDeleteResourceLite');
    return STATUS_SUCCESS;
  });
}

/** The calling thread's holds on `Resource` (0 if none), and whether the resource is owned exclusive; a query, no scheduling point. */
function* holdsOf(routine: string, Resource: ERESOURCE): Blocking<{ count: number; exclusive: boolean }> {
  yield* requireKernelObject(routine, 'Resource', Resource, ERESOURCE);
  return yield* kernelCall((kernel, thread) => {
    const snapshot = bound(kernel, thread, Resource, routine).actor.getSnapshot() as AnyMachineSnapshot;
    return { count: (snapshot.context as LockContext).owners[thread.id] ?? 0, exclusive: snapshot.matches('OwnedExclusive') };
  });
}

/** ExIsResourceAcquiredExclusiveLite(Resource): TRUE if the calling thread owns the resource exclusive (avscan's FLT_ASSERTs around its locks). */
export function* ExIsResourceAcquiredExclusiveLite(Resource: ERESOURCE): Blocking<boolean> {
  const h = yield* holdsOf('ExIsResourceAcquiredExclusiveLite', Resource);
  return h.exclusive && h.count > 0;
}

/**
 * ExIsResourceAcquiredSharedLite(Resource): how many times the calling thread holds the resource,
 * 0 if not at all; an exclusive owner counts too (it has shared access as well).
 */
export function* ExIsResourceAcquiredSharedLite(Resource: ERESOURCE): Blocking<number> {
  return (yield* holdsOf('ExIsResourceAcquiredSharedLite', Resource)).count;
}

function requireCriticalRegion(kernel: Kernel, thread: SimThread, routine: string, Resource: ERESOURCE): void {
  if (normalKernelApcsDisabled(thread)) return;
  throw kernel.violation(
    'RESOURCE_WITHOUT_CRITICAL_REGION',
    Resource.binding?.id ?? thread.id,
    `${routine} by ${thread.name} with normal kernel APCs enabled: call KeEnterCriticalRegion or FsRtlEnterFileSystem first, or use the Flt wrapper (§18.4)`,
  );
}

function* exAcquire(routine: string, Resource: ERESOURCE, mode: LockMode, Wait: boolean): Blocking<boolean> {
  booleanArgument(routine, 'Wait', Wait);
  yield* requireKernelObject(routine, 'Resource', Resource, ERESOURCE);
  yield* kernelCall((kernel, thread) => {
    checkIrql(kernel, thread, routine);
    requireCriticalRegion(kernel, thread, routine, Resource);
  });
  if (Wait) {
    yield* acquireLock(Resource, routine, mode, selfDeadlock, nothing);
    return true;
  }
  yield* preempt();
  return yield* kernelCall((kernel, thread) => tryAcquire(kernel, thread, Resource, routine, mode, selfDeadlock));
}

/** ExAcquireResourceExclusiveLite(Resource, Wait): TRUE once acquired; with Wait = FALSE, FALSE if it cannot be at once. */
export function ExAcquireResourceExclusiveLite(Resource: ERESOURCE, Wait: boolean): Blocking<boolean> {
  return exAcquire('ExAcquireResourceExclusiveLite', Resource, 'Exclusive', Wait);
}

/** ExAcquireResourceSharedLite(Resource, Wait). */
export function ExAcquireResourceSharedLite(Resource: ERESOURCE, Wait: boolean): Blocking<boolean> {
  return exAcquire('ExAcquireResourceSharedLite', Resource, 'Shared', Wait);
}

/** ExReleaseResourceLite(Resource): one hold of the calling thread. */
export function* ExReleaseResourceLite(Resource: ERESOURCE): Blocking<void> {
  yield* requireKernelObject('ExReleaseResourceLite', 'Resource', Resource, ERESOURCE);
  return yield* releaseLock(Resource, 'ExReleaseResourceLite', nothing);
}

function* fltAcquire(routine: string, Resource: ERESOURCE, mode: LockMode): Blocking<void> {
  yield* requireKernelObject(routine, 'Resource', Resource, ERESOURCE);
  yield* kernelCall((kernel, thread) => {
    checkIrql(kernel, thread, routine);
    changeRegion(kernel, thread, routine, 'critical', 1);
  });
  yield* acquireLock(Resource, routine, mode, selfDeadlock, nothing);
}

/** FltAcquireResourceExclusive(Resource): enters a critical region, then acquires exclusive, waiting as long as it takes. */
export function FltAcquireResourceExclusive(Resource: ERESOURCE): Blocking<void> {
  return fltAcquire('FltAcquireResourceExclusive', Resource, 'Exclusive');
}

/** FltAcquireResourceShared(Resource). */
export function FltAcquireResourceShared(Resource: ERESOURCE): Blocking<void> {
  return fltAcquire('FltAcquireResourceShared', Resource, 'Shared');
}

/** FltReleaseResource(Resource): releases, then leaves the critical region the wrapper entered. */
export function* FltReleaseResource(Resource: ERESOURCE): Blocking<void> {
  yield* requireKernelObject('FltReleaseResource', 'Resource', Resource, ERESOURCE);
  return yield* releaseLock(Resource, 'FltReleaseResource', (kernel, thread) => changeRegion(kernel, thread, 'FltReleaseResource', 'critical', -1));
}
