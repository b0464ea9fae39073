/**
 * Which simulated thread appended each fact, and inside which callback — read off the log alone.
 *
 * Facts do not carry their thread (most are emitted deep inside a routine), but the log carries
 * enough to tell: a thread runs from the step that picks it until it waits, sleeps or exits, and
 * each of those is a fact (ThreadWait, ThreadWaitObjects, ThreadSleep, ThreadExit; a ThreadExit of a
 * sleeping timer thread is its cancellation by the running thread); a step with a real choice starts
 * with a Choice fact naming the thread; a step without one runs the only ready thread, and the
 * ready set follows from ThreadCreate, ThreadWake, ClockAdvance and the three above. A thread keeps
 * running across a preemption with no fact only when it is the one ready thread; a thread's exit
 * wakes those joining it (`join T…`) after its ThreadExit. So nothing is
 * ambiguous inside the run. Facts appended outside any thread (the scenario's build, a
 * `whenSettled` continuation, a host's own calls) are attributed to none: before the first step,
 * pass the build's length (`sim.built.facts`, the trace header's `built`) to be exact.
 *
 * Callbacks are the WDK's, as the log names them (PreOperation … PreOperationReturned, and the
 * instance, unload and completion callbacks): each runs on one thread until it returns, so the
 * callbacks open on a thread form a stack. The time-travel `why` (why.ts), the Perfetto export's
 * thread tracks and the viewer read this.
 */
import { sizeArgument } from '../kernel/arguments.js';
import { factsArgument } from '../kernel/dataArguments.js';
import type { Fact } from '../kernel/facts.js';

/** Opening fact type → the fact type that closes it. */
export const CALLBACK_RETURNS: Readonly<Record<string, string>> = {
  PreOperation: 'PreOperationReturned',
  PostOperation: 'PostOperationReturned',
  DrainPostOperation: 'DrainPostOperationReturned',
  AsyncIoCallback: 'AsyncIoCallbackReturned',
  InstanceSetup: 'InstanceSetupReturned',
  InstanceQueryTeardown: 'InstanceQueryTeardownReturned',
  InstanceTeardownStart: 'InstanceTeardownStartReturned',
  InstanceTeardownComplete: 'InstanceTeardownCompleteReturned',
  FilterUnloadCallback: 'FilterUnloadReturned',
};

const CLOSES = new Map(Object.entries(CALLBACK_RETURNS).map(([open, close]) => [close, open]));

/** One callback invocation: its opening fact, its closing fact (null while it runs), its thread. */
export interface CallbackSpan {
  readonly open: number;
  close: number | null;
  readonly thread: string | null;
  /** The callback it runs inside on the same thread (generated I/O from a post-create, …), or null. */
  readonly parent: number | null;
}

export interface ThreadActivity {
  /** Per seq: the thread that appended the fact, or null outside any thread. */
  readonly threadOf: readonly (string | null)[];
  /** Per seq: the opening seq of the innermost callback running on that thread (not the fact's own), or -1. */
  readonly callbackOf: Int32Array;
  /** Every callback invocation by its opening seq, in log order. */
  readonly callbacks: ReadonlyMap<number, CallbackSpan>;
}

/** Attribute every fact of `facts` (a log from seq 0) to its thread and callback. */
export function threadActivity(facts: readonly Fact[], buildFacts = 0): ThreadActivity {
  factsArgument('threadActivity', 'facts', facts);
  sizeArgument('threadActivity', 'buildFacts', buildFacts);
  const pass = new ThreadActivityPass(facts, buildFacts);
  pass.advanceTo(facts.length);
  return pass;
}

/**
 * threadActivity as a pass that can stop and go on: the viewer attributes a long trace a slice at a
 * time as it decodes it (`advanceTo`), so the first picture never waits for the whole log. Facts
 * before `attributed` are attributed exactly as threadActivity attributes them.
 */
export class ThreadActivityPass implements ThreadActivity {
  readonly threadOf: (string | null)[] = [];
  readonly callbackOf: Int32Array;
  readonly callbacks = new Map<number, CallbackSpan>();
  private readonly ready = new Set<string>();
  private readonly sleeping = new Map<string, number>();
  private readonly open = new Map<string | null, number[]>();
  private current: string | null = null;
  /** A thread that just exited: the wake-ups of threads joining it follow its ThreadExit, still its own. */
  private exited: string | null = null;
  /** Why each blocked thread waits (ThreadWait's reason): `join T7` waits on T7's exit. */
  private readonly waitReason = new Map<string, string>();
  private next = 0;

  /** @param facts the log, or an array the caller fills in order up to where it asks this pass to go */
  constructor(
    private readonly facts: readonly Fact[],
    private readonly buildFacts = 0,
  ) {
    this.callbackOf = new Int32Array(facts.length).fill(-1);
  }

  /** Facts attributed so far: seqs 0 … attributed - 1. */
  get attributed(): number {
    return this.next;
  }

  /** Attribute the facts up to (not including) seq `end`. */
  advanceTo(end: number): void {
    const { facts, threadOf, callbackOf, callbacks, ready, sleeping, open, waitReason } = this;
    let { current, exited } = this;
    for (let seq = this.next; seq < end; seq++) {
      const f = facts[seq]!;
      let thread: string | null;
      // A thread's own end of segment, except a sleeping timer's ThreadExit: another thread cancelled it.
      const endsSegment = (f.type === 'ThreadWait' || f.type === 'ThreadWaitObjects' || f.type === 'ThreadSleep' || f.type === 'ThreadExit') && !sleeping.has(f.object);
      if (f.type === 'ClockAdvance') {
        for (const [t, until] of sleeping) if (until <= f.to) (sleeping.delete(t), ready.add(t));
        current = null; // a step that moves the clock picks its thread after this fact
        thread = null;
      } else if (f.type === 'Choice') {
        current = f.object;
        thread = current;
      } else if (f.type === 'ThreadCreate') {
        thread = f.parent;
        if (f.parent !== null) current = f.parent; // the creator is running: the fact says so
        ready.add(f.object);
      } else if (endsSegment) {
        thread = f.object;
      } else if (f.type === 'ThreadWake' && exited !== null && waitReason.get(f.object) === `join ${exited}`) {
        thread = exited;
      } else {
        if (seq < this.buildFacts) current = null;
        else if (current === null || !ready.has(current)) current = ready.size === 1 ? ready.values().next().value! : null;
        thread = current;
      }
      threadOf[seq] = thread;
      const stack = open.get(thread);
      const top = stack !== undefined && stack.length > 0 ? stack[stack.length - 1]! : -1;
      callbackOf[seq] = top;
      if (f.type in CALLBACK_RETURNS) {
        callbacks.set(seq, { open: seq, close: null, thread, parent: top < 0 ? null : top });
        if (stack === undefined) open.set(thread, [seq]);
        else stack.push(seq);
      } else {
        const opener = CLOSES.get(f.type);
        if (opener !== undefined && stack !== undefined) {
          for (let i = stack.length - 1; i >= 0; i--) {
            const o = facts[stack[i]!]!;
            if (o.type === opener && o.object === f.object) {
              callbacks.get(stack[i]!)!.close = seq;
              stack.splice(i, 1);
              break;
            }
          }
        }
      }
      // After the fact: who can run next.
      if (f.type !== 'ThreadWake') exited = f.type === 'ThreadExit' && endsSegment ? f.object : null;
      if (f.type === 'ThreadWait') waitReason.set(f.object, f.reason);
      if (f.type === 'ThreadExit' && !endsSegment) {
        sleeping.delete(f.object); // a timer cancelled (KeCancelTimer)
      } else if (endsSegment) {
        ready.delete(f.object);
        if (f.type === 'ThreadSleep') sleeping.set(f.object, f.until);
        current = null;
      } else if (f.type === 'ThreadWake') {
        ready.add(f.object);
      }
    }
    this.current = current;
    this.exited = exited;
    this.next = Math.max(this.next, end);
  }
}
