/**
 * utility.h: the lock helpers every avscan routine takes its ERESOURCEs through. Each asserts what
 * the C asserts (FLT_ASSERT, a checked build's NT_ASSERT): at most APC_LEVEL, and for an exclusive
 * acquire that the thread does not hold the resource shared only (the upgrade would wait for
 * itself); for a release that the thread holds it. Then the critical region and the Ex routine.
 */
import {
  APC_LEVEL,
  ExAcquireResourceExclusiveLite,
  ExAcquireResourceSharedLite,
  ExIsResourceAcquiredExclusiveLite,
  ExIsResourceAcquiredSharedLite,
  ExReleaseResourceLite,
  FLT_ASSERT,
  KeEnterCriticalRegion,
  KeGetCurrentIrql,
  KeLeaveCriticalRegion,
  type Blocking,
  type ERESOURCE,
} from '../../../src/index.js';

/** AvAcquireResourceExclusive. */
export function* AvAcquireResourceExclusive(Resource: ERESOURCE): Blocking<void> {
  FLT_ASSERT((yield* KeGetCurrentIrql()) <= APC_LEVEL, 'KeGetCurrentIrql() <= APC_LEVEL');
  FLT_ASSERT((yield* ExIsResourceAcquiredExclusiveLite(Resource)) || (yield* ExIsResourceAcquiredSharedLite(Resource)) === 0, 'ExIsResourceAcquiredExclusiveLite(Resource) || !ExIsResourceAcquiredSharedLite(Resource)');
  yield* KeEnterCriticalRegion();
  yield* ExAcquireResourceExclusiveLite(Resource, true);
}

/** AvAcquireResourceShared. */
export function* AvAcquireResourceShared(Resource: ERESOURCE): Blocking<void> {
  FLT_ASSERT((yield* KeGetCurrentIrql()) <= APC_LEVEL, 'KeGetCurrentIrql() <= APC_LEVEL');
  yield* KeEnterCriticalRegion();
  yield* ExAcquireResourceSharedLite(Resource, true);
}

/** AvReleaseResource. */
export function* AvReleaseResource(Resource: ERESOURCE): Blocking<void> {
  FLT_ASSERT((yield* KeGetCurrentIrql()) <= APC_LEVEL, 'KeGetCurrentIrql() <= APC_LEVEL');
  FLT_ASSERT((yield* ExIsResourceAcquiredExclusiveLite(Resource)) || (yield* ExIsResourceAcquiredSharedLite(Resource)) !== 0, 'ExIsResourceAcquiredExclusiveLite(Resource) || ExIsResourceAcquiredSharedLite(Resource)');
  yield* ExReleaseResourceLite(Resource);
  yield* KeLeaveCriticalRegion();
}
