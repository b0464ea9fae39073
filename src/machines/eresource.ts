/**
 * The ERESOURCE (§18.4), acquired through ExAcquireResource*Lite or the Flt wrappers.
 *
 *   Free --LockAcquire(Exclusive)--> OwnedExclusive --LockRelease (last hold)--> Free
 *   Free --LockAcquire(Shared)--> OwnedShared --LockRelease (last hold)--> Free
 *   Free --LockDelete--> Deleted                                  (ExDeleteResourceLite)
 *
 * Recursion: the exclusive owner may acquire again in either mode; any thread may acquire shared
 * while it is owned shared. A shared owner asking for exclusive is never granted (it would wait for
 * itself: the shared → exclusive upgrade deadlock); `upgradeDeadlock` names that case.
 * Simplification: a shared request is granted while the resource is owned shared even if an
 * exclusive request waits (ExAcquireSharedStarveExclusive's rule, not ExAcquireResourceSharedLite's).
 */
import { setup } from 'xstate';
import { lockActions, lockBookkeeping, lockContextFromInput, lockGuards, lockRoot, holds, type LockContext, type LockEvent, type LockMode } from './lockOwners.js';
import type { MachineInput } from './machineContext.js';

export type EresourceState = 'Free' | 'OwnedExclusive' | 'OwnedShared' | 'Deleted';

export const eresourceMachine = setup({
  types: {} as { context: LockContext; events: LockEvent; input: MachineInput },
  actions: lockActions,
  guards: lockGuards,
}).createMachine({
  id: 'eresource',
  context: lockContextFromInput,
  initial: 'Free',
  on: lockRoot,
  states: {
    Free: {
      on: {
        ...lockBookkeeping,
        LockInitialize: {},
        LockAcquire: [
          { guard: 'exclusive', target: 'OwnedExclusive', actions: 'addOwner' },
          { guard: 'shared', target: 'OwnedShared', actions: 'addOwner' },
        ],
        LockDelete: 'Deleted',
      },
    },
    OwnedExclusive: {
      on: {
        ...lockBookkeeping,
        LockAcquire: { guard: 'isOwner', actions: 'addOwner' },
        LockRelease: [
          { guard: 'lastHold', target: 'Free', actions: 'removeOwner' },
          { guard: 'isOwner', actions: 'removeOwner' },
        ],
      },
    },
    OwnedShared: {
      on: {
        ...lockBookkeeping,
        LockAcquire: { guard: 'shared', actions: 'addOwner' },
        LockRelease: [
          { guard: 'lastHold', target: 'Free', actions: 'removeOwner' },
          { guard: 'isOwner', actions: 'removeOwner' },
        ],
      },
    },
    Deleted: { on: { ...lockBookkeeping } },
  },
});

/** A shared owner asks for exclusive: it would wait for itself forever. */
export function upgradeDeadlock(state: EresourceState, context: LockContext, thread: string, mode: LockMode): boolean {
  return state === 'OwnedShared' && mode === 'Exclusive' && holds(context, thread);
}
