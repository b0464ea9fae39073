/**
 * The machine of a lock with one owner and no recursion: FAST_MUTEX, KGUARDED_MUTEX and
 * KSPIN_LOCK (§18.4). One definition, one file per kernel object naming it.
 *
 *   Free --LockAcquire--> Owned --LockRelease--> Free
 *
 * The owner acquiring again would wait for itself (a fast mutex or guarded mutex) or spin forever
 * (a spin lock): `exclusiveSelfDeadlock` names that case, which the engine reports instead of hanging.
 */
import { setup } from 'xstate';
import { lockActions, lockBookkeeping, lockContextFromInput, lockGuards, lockRoot, holds, type LockContext, type LockEvent } from './lockOwners.js';
import type { MachineInput } from './machineContext.js';

export type ExclusiveLockState = 'Free' | 'Owned';

export function exclusiveLockMachine(id: string) {
  return setup({
    types: {} as { context: LockContext; events: LockEvent; input: MachineInput },
    actions: lockActions,
    guards: lockGuards,
  }).createMachine({
    id,
    context: lockContextFromInput,
    initial: 'Free',
    on: lockRoot,
    states: {
      Free: { on: { ...lockBookkeeping, LockInitialize: {}, LockAcquire: { guard: 'exclusive', target: 'Owned', actions: 'addOwner' } } },
      Owned: { on: { ...lockBookkeeping, LockRelease: { guard: 'isOwner', target: 'Free', actions: 'removeOwner' } } },
    },
  });
}

export function exclusiveSelfDeadlock(context: LockContext, thread: string): boolean {
  return holds(context, thread);
}
