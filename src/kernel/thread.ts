/**
 * A simulated thread: a stack of generators driven by the scheduler, one segment per step.
 * A segment runs from a resumption to the next Effect (preempt, wait, sleep) or to the end.
 */
import type { Blocking, WaitType } from './effects.js';
import type { Waitable } from './waitable.js';

/** One operation callback on a thread's stack: whose, which, and for what operation. */
export interface OperationCallbackFrame {
  readonly instance: string;
  readonly callback: 'PreOperation' | 'PostOperation' | 'DrainPostOperation';
  /** The operation as a report names it (`D3 IRP_MJ_CREATE \policy.dat`), built only for a report. */
  readonly operation: () => string;
}

export type ThreadState = 'ready' | 'blocked' | 'sleeping' | 'exited';

export class SimThread {
  /**
   * The scheduler's own state of the thread (ready, blocked, sleeping, exited). The kernel is the
   * layer below the machines — the machines' facts are emitted by threads it schedules — so a thread
   * has no machine: its state is the scheduler's data, and every change of it is a fact (ThreadCreate,
   * ThreadWait, ThreadWake, ThreadSleep, ThreadExit) that the fold replays (src/projection/threadFold.ts).
   */
  state: ThreadState = 'ready';
  /** Virtual time at which a sleeping thread becomes ready. */
  wakeAt = 0;
  /** Set while blocked: the waitable id, for deadlock reports. */
  waitingOn: string | null = null;
  waitReason: string | null = null;
  /** Set while blocked in a wait on objects (waitObjects): what it waits for, to release it from all of them. */
  waitSet: { readonly waitables: readonly Waitable[]; readonly waitType: WaitType } | null = null;
  /** The waitable of the thread's last single-object wait (read while it is blocked, for deadlock reports). */
  blockedOn: Waitable | null = null;
  /** Set while blocked in a wait with a timeout: its deadline. */
  waitUntil: number | null = null;
  /** Set while blocked in a wait with a timeout: the timer thread that ends the wait at its deadline. */
  waitTimer: SimThread | null = null;
  /** What the thread's generator is resumed with at its next segment (a wait's outcome). */
  resumeValue: unknown = undefined;
  /** An error to throw into the generator at its next resumption instead (a kernel call that failed). */
  resumeError: unknown = undefined;
  result: unknown = undefined;
  /**
   * Segments this thread has run. Its code is deterministic, so (segments run, state seen) stands
   * for where its generator is: exploration's state hashing needs it, since the fold cannot see it.
   */
  segments = 0;
  /** 0 PASSIVE_LEVEL, 1 APC_LEVEL, 2 DISPATCH_LEVEL: a thread at DISPATCH must not block. */
  irql = 0;
  /**
   * KeEnterCriticalRegion / FsRtlEnterFileSystem depth (normal kernel APCs off) and
   * KeEnterGuardedRegion depth (all APCs off), §18.1. The Flt lock wrappers enter a critical
   * region themselves; a guarded mutex enters a guarded region.
   */
  criticalRegionDepth = 0;
  guardedRegionDepth = 0;
  /** Locks (K…) this thread holds, each once, in the order it first took them: the lock-order graph's "held" side. */
  readonly locksHeld: string[] = [];
  /** Filters whose callbacks are running on this thread, innermost last. */
  readonly callbackFilters: string[] = [];
  /**
   * Operation callbacks (pre, post, drain) running on this thread, innermost last: FltMgr holds each
   * instance's rundown protection across the call, so this thread must not wait for that instance to
   * drain (FltDetachVolume from its own post-op); and re-entry of one callback is bounded (§10).
   */
  readonly operationCallbacks: OperationCallbackFrame[] = [];
  error: unknown = undefined;
  /** Monotonic creation index: the deterministic tie-break between equally enabled threads. */
  readonly order: number;

  /** An ended thread keeps its id, name and result; its generator (and all it closes over) goes. */
  release(): void {
    this.body = null;
    this.waitSet = null;
    this.blockedOn = null;
    this.waitTimer = null;
    this.resumeValue = undefined;
  }

  /** The thread's code: null once it has ended. */
  body: Blocking<unknown> | null;

  constructor(
    readonly id: string,
    readonly name: string,
    body: Blocking<unknown>,
    order: number,
    /** The SID of the thread's token: whose access a forced access check uses. */
    readonly token: string,
    /** The id of the process the thread belongs to (P0: System). */
    readonly process: string,
  ) {
    this.order = order;
    this.body = body;
  }
}
