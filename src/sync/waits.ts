/**
 * KeWaitForSingleObject / KeWaitForMultipleObjects (§18.2) on KEVENTs, built on the kernel's one
 * wait on objects (`waitForObjects`): WaitAny returns STATUS_WAIT_0 + the index of the object that
 * satisfied it (the lowest signaled one when several already are), WaitAll STATUS_SUCCESS once all
 * are signaled together, a timeout STATUS_TIMEOUT (a success code). Timeouts are LARGE_INTEGERs in
 * 100-ns units mapped onto virtual ticks (src/kernel/time.ts): NULL waits forever, 0 polls, a
 * negative value is relative, a positive one absolute.
 *
 * Not modelled: alerts and APCs (no wait is ever ended by STATUS_ALERTED or STATUS_USER_APC; an
 * Alertable or UserMode wait behaves as a KernelMode non-alertable one), and abandoned mutexes.
 */
import { kernelCall, preempt, waitForObjects, type Blocking, type WaitType } from '../kernel/effects.js';
import { arrayArgument, badArgument, booleanArgument, integerArgument, objectArgument, oneOfArgument } from '../kernel/arguments.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SimThread } from '../kernel/thread.js';
import { timeoutToTicks, type LargeInteger } from '../kernel/time.js';
import type { Waitable } from '../kernel/waitable.js';
import { STATUS_SUCCESS, STATUS_TIMEOUT, STATUS_WAIT_0, type NTSTATUS } from '../wdk/ntstatus.js';
import { DISPATCH_LEVEL, irqlName } from './irql.js';
import { bound } from './kernelObject.js';
import { KEVENT } from './kevent.js';

export type KWAIT_REASON = 'Executive' | 'UserRequest' | 'WrQueue';
export const Executive: KWAIT_REASON = 'Executive';
export const UserRequest: KWAIT_REASON = 'UserRequest';
export type KPROCESSOR_MODE = 'KernelMode' | 'UserMode';
export const KernelMode: KPROCESSOR_MODE = 'KernelMode';
export const UserMode: KPROCESSOR_MODE = 'UserMode';
export const WaitAll: WaitType = 'WaitAll';
export const WaitAny: WaitType = 'WaitAny';
export const THREAD_WAIT_OBJECTS = 3;
export const MAXIMUM_WAIT_OBJECTS = 64;

/** The objects a wait may name. */
export type DispatcherObject = KEVENT;

/** What a wait is about to do, decided on the waiting thread: the waitables and the timeout in ticks. */
export interface WaitPlan {
  readonly waitables: readonly Waitable[];
  readonly ticks: number | null;
}

/**
 * Check and log the start of a wait (the IRQL rule, the object count) and plan it. Shared with
 * FltCancellableWaitFor*, which adds the operation's cancel request to the waitables.
 */
export function planWait(
  kernel: Kernel,
  thread: SimThread,
  routine: string,
  objects: readonly DispatcherObject[],
  waitType: WaitType,
  Timeout: LargeInteger | null | undefined,
  extra: readonly Waitable[] = [],
): WaitPlan {
  const ticks = timeoutToTicks(Timeout, kernel.now, routine);
  const where = { kernel, object: thread.id };
  const waitables = [...objects.map((o) => bound(kernel, thread, objectArgument(routine, 'Object', o, KEVENT, 'a KEVENT', where), routine).waitable), ...extra];
  if (ticks !== 0 && thread.irql >= DISPATCH_LEVEL) {
    const held = thread.locksHeld.length === 0 ? '' : ` holding ${thread.locksHeld.join(', ')}`;
    throw kernel.violation('WAIT_AT_DISPATCH', thread.id, `${routine} by ${thread.name} at ${irqlName(thread.irql)}${held}: only a zero timeout is allowed there (§18.2)`);
  }
  kernel.emitFact({ seq: 0, time: 0, object: thread.id, type: 'KeWait', routine, on: waitables.map((w) => w.id), waitType, timeout: ticks });
  return { waitables, ticks };
}

/** The NTSTATUS a finished wait returns, logged as KeWaitReturned. */
export function finishWait(routine: string, status: NTSTATUS): Blocking<NTSTATUS> {
  return kernelCall((kernel, thread) => {
    kernel.emitFact({ seq: 0, time: 0, object: thread.id, type: 'KeWaitReturned', routine, status });
    return status;
  });
}

function* wait(routine: string, objects: readonly DispatcherObject[], waitType: WaitType, Timeout: LargeInteger | null | undefined): Blocking<NTSTATUS> {
  yield* preempt();
  const plan = yield* kernelCall((kernel, thread) => planWait(kernel, thread, routine, objects, waitType, Timeout));
  const outcome = yield* waitForObjects(plan.waitables, waitType, plan.ticks, `${routine} ${plan.waitables.map((w) => w.id).join(',')}`);
  const status = outcome.kind === 'timeout' ? STATUS_TIMEOUT : waitType === 'WaitAny' ? STATUS_WAIT_0 + outcome.index : STATUS_SUCCESS;
  return yield* finishWait(routine, status);
}

/** The arguments a wait takes but the model does not act on (no alerts, no APCs): still of their types. */
export function checkWaitKind(routine: string, WaitReason: unknown, WaitMode: unknown, Alertable: unknown): void {
  oneOfArgument(routine, 'WaitReason', WaitReason, [Executive, UserRequest, 'WrQueue'] as const);
  oneOfArgument(routine, 'WaitMode', WaitMode, [KernelMode, UserMode] as const);
  booleanArgument(routine, 'Alertable', Alertable);
}

/** KeWaitForSingleObject(Object, WaitReason, WaitMode, Alertable, Timeout): STATUS_SUCCESS or STATUS_TIMEOUT. */
export function* KeWaitForSingleObject(
  Object: DispatcherObject,
  WaitReason: KWAIT_REASON,
  WaitMode: KPROCESSOR_MODE,
  Alertable: boolean,
  Timeout: LargeInteger | null,
): Blocking<NTSTATUS> {
  checkWaitKind('KeWaitForSingleObject', WaitReason, WaitMode, Alertable);
  return yield* wait('KeWaitForSingleObject', [Object], 'WaitAny', Timeout);
}

/**
 * KeWaitForMultipleObjects(Count, Object, WaitType, WaitReason, WaitMode, Alertable, Timeout,
 * WaitBlockArray). More than THREAD_WAIT_OBJECTS objects need a WaitBlockArray (any non-null
 * value stands for one); more than MAXIMUM_WAIT_OBJECTS bug-check.
 */
export function* KeWaitForMultipleObjects(
  Count: number,
  Object: readonly DispatcherObject[],
  WaitType: WaitType,
  WaitReason: KWAIT_REASON,
  WaitMode: KPROCESSOR_MODE,
  Alertable: boolean,
  Timeout: LargeInteger | null,
  WaitBlockArray: unknown = null,
): Blocking<NTSTATUS> {
  const objects = arrayArgument('KeWaitForMultipleObjects', 'Object', Object, Number.MAX_SAFE_INTEGER, (o) => o as DispatcherObject);
  integerArgument('KeWaitForMultipleObjects', 'Count', Count, 1, Number.MAX_SAFE_INTEGER, 'a ULONG from 1');
  if (Count > objects.length) throw badArgument('KeWaitForMultipleObjects', `Count ${Count} is more than the ${objects.length} objects of Object`);
  oneOfArgument('KeWaitForMultipleObjects', 'WaitType', WaitType, [WaitAll, WaitAny]);
  checkWaitKind('KeWaitForMultipleObjects', WaitReason, WaitMode, Alertable);
  yield* kernelCall((kernel, thread) => {
    if (Count > MAXIMUM_WAIT_OBJECTS || (Count > THREAD_WAIT_OBJECTS && WaitBlockArray === null)) {
      throw kernel.violation('TOO_MANY_WAIT_OBJECTS', thread.id, `KeWaitForMultipleObjects on ${Count} objects${WaitBlockArray === null ? ' without a WaitBlockArray' : ''} (§18.2)`);
    }
  });
  return yield* wait('KeWaitForMultipleObjects', Object.slice(0, Count), WaitType, Timeout);
}
