/**
 * What the lock machines share (§18.4): who owns the lock, as context data. `owners` maps a thread
 * id to how many times it holds the lock (recursion, where the lock allows it); its keys are in the
 * order the threads were granted it.
 *
 * The machine decides whether a request is granted: the engine asks `snapshot.can(LockAcquire…)`
 * and emits the fact only then. Each machine therefore answers LockAcquire, LockRelease and
 * LockDelete at its root with a transition that does nothing (so `can` says no when no state grants
 * it) instead of letting them reach the root's `'*'`, which reports a fact no state accepts.
 */
import { assign } from 'xstate';
import type { FactOf, LockMode } from '../kernel/facts.js';
import type { MachineInput } from './machineContext.js';

export interface LockContext {
  readonly reject: (event: { type: string }) => void;
  readonly owners: Readonly<Record<string, number>>;
}

export type LockEvent =
  | FactOf<'LockInitialize'>
  | FactOf<'LockAcquire'>
  | FactOf<'LockRelease'>
  | FactOf<'LockDelete'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export const lockContextFromInput = ({ input }: { input: MachineInput }): LockContext => ({ reject: input.reject, owners: {} });

type Args = { context: LockContext; event: LockEvent };

export const lockActions = {
  rejectEvent: ({ context, event }: Args) => context.reject(event),
  addOwner: assign<LockContext, LockEvent, undefined, LockEvent, never>(({ context, event }: Args) => {
    const thread = (event as FactOf<'LockAcquire'>).thread;
    return { owners: { ...context.owners, [thread]: (context.owners[thread] ?? 0) + 1 } };
  }),
  removeOwner: assign<LockContext, LockEvent, undefined, LockEvent, never>(({ context, event }: Args) => {
    const thread = (event as FactOf<'LockRelease'>).thread;
    const owners = { ...context.owners };
    const count = (owners[thread] ?? 0) - 1;
    if (count > 0) owners[thread] = count;
    else delete owners[thread];
    return { owners };
  }),
};

export const lockGuards = {
  isOwner: ({ context, event }: Args) => 'thread' in event && (context.owners[event.thread] ?? 0) > 0,
  /** The releasing thread's last hold, and nobody else holds it: the lock becomes free. */
  lastHold: ({ context, event }: Args) => {
    if (event.type !== 'LockRelease') return false;
    const keys = Object.keys(context.owners);
    return keys.length === 1 && keys[0] === event.thread && context.owners[event.thread] === 1;
  },
  shared: ({ event }: Args) => event.type === 'LockAcquire' && event.mode === 'Shared',
  exclusive: ({ event }: Args) => event.type === 'LockAcquire' && event.mode === 'Exclusive',
};

/** Root handlers: see the module comment. */
export const lockRoot = {
  '*': { actions: 'rejectEvent' },
  LockAcquire: {},
  LockRelease: {},
  LockDelete: {},
} as const;

export const lockBookkeeping = { RoutineFailed: {}, VerifierViolation: {} } as const;

/** Does `thread` hold the lock (in any mode)? */
export function holds(context: LockContext, thread: string): boolean {
  return (context.owners[thread] ?? 0) > 0;
}

export type { LockMode };
