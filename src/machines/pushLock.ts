/**
 * The push lock (EX_PUSH_LOCK through FltInitializePushLock and friends, §18.4).
 *
 *   Free --LockAcquire(Exclusive)--> OwnedExclusive --LockRelease--> Free
 *   Free --LockAcquire(Shared)--> OwnedShared --LockRelease (last hold)--> Free
 *   Free --LockDelete--> Deleted                                  (FltDeletePushLock)
 *
 * Not recursive in any mode: an owner that acquires again hangs on Windows, and is reported here
 * (`pushLockSelfDeadlock`). Windows keeps no owner; the model keeps one to name it in reports.
 */
import { and, not, setup } from 'xstate';
import { lockActions, lockBookkeeping, lockContextFromInput, lockGuards, lockRoot, holds, type LockContext, type LockEvent } from './lockOwners.js';
import type { MachineInput } from './machineContext.js';

export type PushLockState = 'Free' | 'OwnedExclusive' | 'OwnedShared' | 'Deleted';

export const pushLockMachine = setup({
  types: {} as { context: LockContext; events: LockEvent; input: MachineInput },
  actions: lockActions,
  guards: lockGuards,
}).createMachine({
  id: 'pushLock',
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
      on: { ...lockBookkeeping, LockRelease: { guard: 'lastHold', target: 'Free', actions: 'removeOwner' } },
    },
    OwnedShared: {
      on: {
        ...lockBookkeeping,
        LockAcquire: { guard: and(['shared', not('isOwner')]), actions: 'addOwner' },
        LockRelease: [
          { guard: 'lastHold', target: 'Free', actions: 'removeOwner' },
          { guard: 'isOwner', actions: 'removeOwner' },
        ],
      },
    },
    Deleted: { on: { ...lockBookkeeping } },
  },
});

/** Any acquire by a thread that already holds the push lock never returns. */
export function pushLockSelfDeadlock(context: LockContext, thread: string): boolean {
  return holds(context, thread);
}
