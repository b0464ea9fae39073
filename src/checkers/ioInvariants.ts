/**
 * §14 invariants of the I/O path (§7, §8, §4 draining), checked over a log alone. Same shape as
 * kernelInvariants.ts: each check returns `{ invariant, seq, message }` for every violation it
 * finds, at the fact where it becomes visible; an empty list means the log satisfies it.
 *
 * Every check here is a safety check: it holds on any prefix of a correct run, so it can be run at
 * a pause point. What a run owes at its end (every operation completed, every drain returned) is
 * checked separately by `allOperationsCompleted` and `allDrainsReturned`, for runs that ended idle.
 *
 * What the log cannot show, and so is not checked: whether a pended pre-operation's resumption
 * (FltCompletePendedPreOperation) carried dirty edits — the fact has no `dirty` field, so after one
 * the parameters flowing down are whatever the next callback sees (§14 inv. 16); and whether a
 * post-only registration (§13 A15) was passed over by the pre walk — it leaves no fact unless its
 * post-op runs, so only the post-ops it does get are checked.
 */
import type { Fact, FactOf } from '../kernel/facts.js';
import { fingerprintIopb } from '../io/parametersSummary.js';
import { compareAltitudes } from '../wdk/altitude.js';
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
} from '../wdk/fltConstants.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, irpMajorName } from '../wdk/irp.js';
import { NT_SUCCESS, ntStatusName, STATUS_FLT_DISALLOW_FAST_IO, STATUS_PENDING } from '../wdk/ntstatus.js';
import type { InvariantViolation } from './kernelInvariants.js';

export type { InvariantViolation } from './kernelInvariants.js';

type Check = (facts: readonly Fact[]) => InvariantViolation[];

// ---------------------------------------------------------------------------------------------------
// What the checks share: which facts move an operation, and what the log says about instances.

/** Facts that are the operation's own walk; RoutineFailed and VerifierViolation only report a caller's misuse. */
const WALK_TYPES = [
  'IoStart',
  'PreOperation',
  'PreOperationReturned',
  'FltCompletePendedPreOperation',
  'LegacyFilterDispatch',
  'LegacyFilterCompletion',
  'FsDispatch',
  'FsPending',
  'FsComplete',
  'PostOperation',
  'PostOperationReturned',
  'FltCompletePendedPostOperation',
  'DrainPostOperation',
  'DrainPostOperationReturned',
  'IoComplete',
] as const satisfies readonly Fact['type'][];

type WalkType = (typeof WALK_TYPES)[number];
const WALK: ReadonlySet<string> = new Set(WALK_TYPES);
type WalkFact = Extract<Fact, { type: WalkType }>;

function isWalkFact(f: Fact): f is WalkFact {
  return WALK.has(f.type);
}

/** The instance a walk fact is about, or null (FS, legacy filters, start and completion). */
function instanceOf(f: Fact): string | null {
  return 'instance' in f && typeof f.instance === 'string' ? f.instance : null;
}

interface InstanceInfo {
  readonly altitude: string;
  readonly frame: number;
  readonly volume: string;
}

/** InstanceSetup of every instance in the log, by id. Altitudes never change (§14 inv. 22). */
function instanceTable(facts: readonly Fact[]): Map<string, InstanceInfo> {
  const out = new Map<string, InstanceInfo>();
  for (const f of facts) if (f.type === 'InstanceSetup') out.set(f.object, { altitude: f.altitude, frame: f.frame, volume: f.volume });
  return out;
}

/** `a` above `b`; an instance the log never set up sorts as unknown (false both ways). */
function above(table: Map<string, InstanceInfo>, a: string, b: string): boolean {
  const x = table.get(a);
  const y = table.get(b);
  return x !== undefined && y !== undefined && compareAltitudes(x.altitude, y.altitude) > 0;
}

function label(table: Map<string, InstanceInfo>, instance: string): string {
  const info = table.get(instance);
  return info === undefined ? instance : `${instance}@${info.altitude}`;
}

const asksForCallback = (result: number): boolean => result === FLT_PREOP_SUCCESS_WITH_CALLBACK || result === FLT_PREOP_SYNCHRONIZE;

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------

/**
 * 2: pre-ops of one operation visit instances in strictly decreasing altitude; post-ops (and drains)
 * go only to instances whose pre-op asked for one (SUCCESS_WITH_CALLBACK, SYNCHRONIZE, or a pended
 * pre-op resumed with SUCCESS_WITH_CALLBACK) or that registered no pre-op (§13 A15); normal post-ops
 * run in strictly increasing altitude, none before every lower node is posted or drained, none
 * before the pre walk is over; and at completion every node that asked has had its post-op or drain.
 */
export const preAndPostOrder: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const table = instanceTable(facts);
  interface OpWalk {
    /** Instances whose PreOperation ran, with what they decided (result, or 'running' until they return). */
    readonly decided: Map<string, number | 'running'>;
    lastPre: string | null;
    lastPost: string | null;
    postWalkStarted: boolean;
    /** Instances that asked (or are post-only and showed up), and whether their node was handled. */
    readonly asked: Set<string>;
    readonly handled: Set<string>;
  }
  const ops = new Map<string, OpWalk>();
  const walk = (op: string): OpWalk =>
    getOrAdd(ops, op, () => ({ decided: new Map(), lastPre: null, lastPost: null, postWalkStarted: false, asked: new Set(), handled: new Set() }));
  const postTo = (f: FactOf<'PostOperation'> | FactOf<'DrainPostOperation'>, w: OpWalk): void => {
    const decision = w.decided.get(f.instance);
    if (decision === undefined) {
      // A post-only registration: it asked implicitly when the walk passed it.
      w.asked.add(f.instance);
    } else if (decision === 'running' || !w.asked.has(f.instance)) {
      const what = decision === 'running' ? 'is still running its pre-op' : `returned ${decision} from its pre-op`;
      out.push({ invariant: '2', seq: f.seq, message: `${f.object}: ${f.type} to ${label(table, f.instance)}, which ${what}` });
    }
  };
  for (const f of facts) {
    if (!isWalkFact(f)) continue;
    const w = walk(f.object);
    switch (f.type) {
      case 'PreOperation': {
        if (w.lastPre !== null && !above(table, w.lastPre, f.instance)) {
          out.push({ invariant: '2', seq: f.seq, message: `${f.object}: pre-op of ${label(table, f.instance)} after ${label(table, w.lastPre)}; pre-ops must go strictly down` });
        }
        if (w.postWalkStarted) out.push({ invariant: '2', seq: f.seq, message: `${f.object}: pre-op of ${label(table, f.instance)} after its post walk began` });
        w.lastPre = f.instance;
        w.decided.set(f.instance, 'running');
        break;
      }
      case 'PreOperationReturned':
      case 'FltCompletePendedPreOperation':
        w.decided.set(f.instance, f.result);
        if (asksForCallback(f.result)) w.asked.add(f.instance);
        break;
      case 'PostOperation': {
        w.postWalkStarted = true;
        postTo(f, w);
        if (w.lastPost !== null && !above(table, f.instance, w.lastPost)) {
          out.push({ invariant: '2', seq: f.seq, message: `${f.object}: post-op of ${label(table, f.instance)} after ${label(table, w.lastPost)}; post-ops must go strictly up` });
        }
        for (const lower of w.asked) {
          if (lower !== f.instance && !w.handled.has(lower) && above(table, f.instance, lower)) {
            out.push({ invariant: '2', seq: f.seq, message: `${f.object}: post-op of ${label(table, f.instance)} before the post-op or drain of ${label(table, lower)} below it` });
          }
        }
        w.lastPost = f.instance;
        w.handled.add(f.instance);
        break;
      }
      case 'DrainPostOperation':
        postTo(f, w);
        w.handled.add(f.instance);
        break;
      case 'LegacyFilterCompletion':
      case 'FsComplete':
        w.postWalkStarted = true;
        break;
      case 'IoComplete':
        for (const instance of w.asked) {
          if (!w.handled.has(instance)) {
            out.push({ invariant: '2', seq: f.seq, message: `${f.object} completed; ${label(table, instance)} asked for a post-op and got neither it nor a drain` });
          }
        }
        ops.delete(f.object);
        break;
      default:
        break;
    }
  }
  return out;
};

/**
 * 3: once a pre-op returns FLT_PREOP_COMPLETE (or a pended one is resumed with it), nothing below
 * sees the operation — no pre-op, no legacy filter, no file system, no post-op or drain of a lower
 * instance — and the completing instance gets no post-op of its own.
 */
export const completeStopsTheWalk: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const table = instanceTable(facts);
  const completedBy = new Map<string, { instance: string; seq: number }>();
  for (const f of facts) {
    if (!isWalkFact(f)) continue;
    const by = completedBy.get(f.object);
    if ((f.type === 'PreOperationReturned' || f.type === 'FltCompletePendedPreOperation') && f.result === FLT_PREOP_COMPLETE) {
      completedBy.set(f.object, { instance: f.instance, seq: f.seq });
      continue;
    }
    if (by === undefined) continue;
    const who = `${label(table, by.instance)} completed ${f.object} at #${by.seq}`;
    switch (f.type) {
      case 'PreOperation':
        out.push({ invariant: '3', seq: f.seq, message: `${who}, yet ${label(table, f.instance)} got its pre-op` });
        break;
      case 'LegacyFilterDispatch':
        out.push({ invariant: '3', seq: f.seq, message: `${who}, yet legacy filter ${f.legacy} below got the IRP` });
        break;
      case 'FsDispatch':
      case 'FsPending':
      case 'FsComplete':
        out.push({ invariant: '3', seq: f.seq, message: `${who}, yet the file system saw it (${f.type})` });
        break;
      case 'PostOperation':
      case 'DrainPostOperation':
        if (f.instance === by.instance) out.push({ invariant: '3', seq: f.seq, message: `${who}, yet its own ${f.type} was called` });
        else if (above(table, by.instance, f.instance)) out.push({ invariant: '3', seq: f.seq, message: `${who}, yet ${label(table, f.instance)} below got ${f.type}` });
        break;
      case 'IoComplete':
        completedBy.delete(f.object);
        break;
      default:
        break;
    }
  }
  return out;
};

/** 4: each instance's post-op is called at most once per operation; a drain counts as that call. */
export const postOperationOnce: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const seen = new Map<string, number>();
  const issue = new Map<string, number>();
  for (const f of facts) {
    // Callback data a filter reuses (FltReuseCallbackData) starts again: count per IoStart.
    if (f.type === 'IoStart') issue.set(f.object, f.seq);
    if (f.type !== 'PostOperation' && f.type !== 'DrainPostOperation') continue;
    const key = `${f.object}@${issue.get(f.object) ?? -1} ${f.instance}`;
    const first = seen.get(key);
    if (first !== undefined) out.push({ invariant: '4', seq: f.seq, message: `${f.object}: ${f.type} of ${f.instance} again (first at #${first})` });
    else seen.set(key, f.seq);
  }
  return out;
};

/**
 * 5 (I/O part): an instance gets operation callbacks only for operations on its volume that started
 * (IoStart) after its InstanceSetup succeeded and before its InstanceTeardownStart; no new pre-op
 * after its TeardownStart; no operation callback at all after its InstanceTeardownComplete.
 * Post-ops of post-only registrations, having no pre-op, are held to the same window.
 */
export const operationCallbacksInLifetime: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const table = instanceTable(facts);
  const setupOk = new Map<string, number>();
  const teardownStart = new Map<string, number>();
  const teardownComplete = new Map<string, number>();
  const starts = new Map<string, FactOf<'IoStart'>>();
  /** Per operation (per IoStart, for reused callback data), the instances whose pre-op it called. */
  const hadPre = new Map<string, Set<string>>();
  const inWindow = (f: Fact, instance: string, what: string): void => {
    const start = starts.get(f.object);
    if (start === undefined) return;
    const ok = setupOk.get(instance);
    const torn = teardownStart.get(instance);
    if (ok === undefined || ok > start.seq) {
      out.push({ invariant: '5', seq: f.seq, message: `${f.object} (started #${start.seq}) gave ${label(table, instance)} its ${what}, but the instance's setup had not succeeded then` });
    } else if (torn !== undefined && torn < start.seq) {
      out.push({ invariant: '5', seq: f.seq, message: `${f.object} (started #${start.seq}) gave ${label(table, instance)} its ${what} after the instance's TeardownStart (#${torn})` });
    }
    const volume = table.get(instance)?.volume;
    if (volume !== undefined && volume !== start.volume) {
      out.push({ invariant: '5', seq: f.seq, message: `${f.object} on ${start.volume} gave ${label(table, instance)} on ${volume} its ${what}` });
    }
  };
  for (const f of facts) {
    switch (f.type) {
      case 'InstanceSetupReturned':
        if (NT_SUCCESS(f.status)) setupOk.set(f.object, f.seq);
        break;
      case 'InstanceTeardownStart':
        teardownStart.set(f.object, f.seq);
        break;
      case 'InstanceTeardownComplete':
        teardownComplete.set(f.object, f.seq);
        break;
      case 'IoStart':
        starts.set(f.object, f);
        hadPre.set(f.object, new Set());
        break;
      case 'PreOperation': {
        getOrAdd(hadPre, f.object, () => new Set()).add(f.instance);
        inWindow(f, f.instance, 'pre-op');
        const torn = teardownStart.get(f.instance);
        if (torn !== undefined) out.push({ invariant: '5', seq: f.seq, message: `${f.object}: pre-op of ${label(table, f.instance)} after its TeardownStart (#${torn})` });
        break;
      }
      case 'PostOperation':
      case 'DrainPostOperation':
        if (hadPre.get(f.object)?.has(f.instance) !== true) inWindow(f, f.instance, `${f.type} (post-only)`);
        break;
      default:
        break;
    }
    const instance = isWalkFact(f) ? instanceOf(f) : null;
    if (instance !== null) {
      const done = teardownComplete.get(instance);
      if (done !== undefined) out.push({ invariant: '5', seq: f.seq, message: `${f.object}: ${f.type} of ${label(table, instance)} after its InstanceTeardownComplete (#${done})` });
    }
  }
  return out;
};

/**
 * 7: FLT_PREOP_PENDING is answered by exactly one FltCompletePendedPreOperation from the same
 * instance, FLT_POSTOP_MORE_PROCESSING_REQUIRED by exactly one FltCompletePendedPostOperation, and
 * meanwhile nothing moves the operation (drains of other nodes run on a copy and may).
 */
export const pendedUntilCompleted: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const pended = new Map<string, { instance: string; seq: number; where: 'pre' | 'post' }>();
  for (const f of facts) {
    if (!isWalkFact(f)) continue;
    const p = pended.get(f.object);
    if (f.type === 'FltCompletePendedPreOperation' || f.type === 'FltCompletePendedPostOperation') {
      const where = f.type === 'FltCompletePendedPreOperation' ? 'pre' : 'post';
      if (p === undefined || p.instance !== f.instance || p.where !== where) {
        const state = p === undefined ? 'not pended' : `pended in the ${p.where}-op of ${p.instance} (#${p.seq})`;
        out.push({ invariant: '7', seq: f.seq, message: `${f.object}: ${f.type} by ${f.instance}, but the operation is ${state}` });
      } else pended.delete(f.object);
      continue;
    }
    if (f.type === 'DrainPostOperation' || f.type === 'DrainPostOperationReturned') continue;
    if (p !== undefined) {
      out.push({ invariant: '7', seq: f.seq, message: `${f.object}: ${f.type} while pended in the ${p.where}-op of ${p.instance} (#${p.seq})` });
      if (f.type === 'IoComplete') pended.delete(f.object);
    }
    if (f.type === 'PreOperationReturned' && f.result === FLT_PREOP_PENDING) pended.set(f.object, { instance: f.instance, seq: f.seq, where: 'pre' });
    else if (f.type === 'PostOperationReturned' && f.result === FLT_POSTOP_MORE_PROCESSING_REQUIRED) pended.set(f.object, { instance: f.instance, seq: f.seq, where: 'post' });
  }
  return out;
};

/**
 * 10: no operation completes with STATUS_PENDING (nor does a pre-op complete one with it); an IRP
 * operation never ends in STATUS_FLT_DISALLOW_FAST_IO; IRP_MJ_CLEANUP and IRP_MJ_CLOSE always
 * complete with a success status.
 */
export const finalStatus: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const starts = new Map<string, FactOf<'IoStart'>>();
  const judge = (f: Fact, status: number, what: string): void => {
    const start = starts.get(f.object);
    if (status >>> 0 === STATUS_PENDING) out.push({ invariant: '10', seq: f.seq, message: `${f.object}: ${what} with STATUS_PENDING` });
    if (start === undefined) return;
    if ((start.flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) !== 0 && status >>> 0 === STATUS_FLT_DISALLOW_FAST_IO) {
      out.push({ invariant: '10', seq: f.seq, message: `${f.object}: IRP operation ${what} with STATUS_FLT_DISALLOW_FAST_IO` });
    }
    if ((start.major === IRP_MJ_CLEANUP || start.major === IRP_MJ_CLOSE) && !NT_SUCCESS(status)) {
      out.push({ invariant: '10', seq: f.seq, message: `${f.object}: ${irpMajorName(start.major)} ${what} with ${ntStatusName(status)}; it cannot fail` });
    }
  };
  for (const f of facts) {
    if (f.type === 'IoStart') starts.set(f.object, f);
    else if (f.type === 'IoComplete') judge(f, f.status, 'completed');
    else if ((f.type === 'PreOperationReturned' || f.type === 'FltCompletePendedPreOperation') && f.result === FLT_PREOP_COMPLETE && f.status !== null) {
      judge(f, f.status, `completed by ${f.instance}'s pre-op`);
    }
  }
  return out;
};

/**
 * The fingerprint of the parameters an operation was issued with, as the top of its path sees them:
 * IoStart carries the parameters' summary, plus the write buffer's length under `buffer`.
 */
function issuedFingerprint(start: FactOf<'IoStart'>): string {
  const { buffer: _buffer, ...parameters } = start.parameters;
  return fingerprintIopb({
    MajorFunction: start.major,
    MinorFunction: start.minor,
    IrpFlags: start.irpFlags,
    OperationFlags: start.operationFlags,
    TargetFileObject: { id: start.fileObject },
    Parameters: parameters as never,
  });
}

/**
 * 16: parameter edits. The first pre-op sees the parameters as issued; each lower pre-op, and the
 * file system, sees what the one above saw unless that one returned with FltSetCallbackDataDirty
 * (or was a pended pre-op whose resumption may carry dirty edits: unknown from the log, so the next
 * callback's view is taken as given); every post-op and drain sees exactly what its own pre-op saw,
 * and a post-only registration what flowed past its altitude.
 */
export const parameterEdits: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const table = instanceTable(facts);
  interface Flow {
    /** What the next lower callback must see, or null when an edit may have changed it. */
    current: string | null;
    /** What each instance's pre-op saw, in walk order. */
    readonly seen: Map<string, string>;
  }
  const flows = new Map<string, Flow>();
  const observe = (f: Fact, flow: Flow, fingerprint: string, who: string): void => {
    if (flow.current !== null && flow.current !== fingerprint) {
      out.push({ invariant: '16', seq: f.seq, message: `${f.object}: ${who} saw parameters ${fingerprint}, but ${flow.current} flowed down to it` });
    }
    flow.current = fingerprint;
  };
  for (const f of facts) {
    if (!isWalkFact(f)) continue;
    if (f.type === 'IoStart') {
      flows.set(f.object, { current: issuedFingerprint(f), seen: new Map() });
      continue;
    }
    const flow = flows.get(f.object);
    if (flow === undefined) continue;
    switch (f.type) {
      case 'PreOperation':
        observe(f, flow, f.parameters, `pre-op of ${label(table, f.instance)}`);
        flow.seen.set(f.instance, f.parameters);
        break;
      case 'PreOperationReturned':
        if (f.dirty) flow.current = null;
        break;
      case 'FltCompletePendedPreOperation':
        flow.current = null;
        break;
      case 'FsDispatch':
        observe(f, flow, f.parameters, 'the file system');
        break;
      case 'PostOperation':
      case 'DrainPostOperation': {
        let expected = flow.seen.get(f.instance);
        if (expected === undefined) {
          // Post-only: it saw what the next lower pre-op saw, or, with none below, what the walk ended with.
          for (const [instance, fingerprint] of flow.seen) {
            if (above(table, f.instance, instance)) {
              expected = fingerprint;
              break;
            }
          }
          expected ??= flow.current ?? undefined;
        }
        if (expected !== undefined && expected !== f.parameters) {
          out.push({ invariant: '16', seq: f.seq, message: `${f.object}: ${f.type} of ${label(table, f.instance)} saw parameters ${f.parameters}, but its pre-op saw ${expected}` });
        }
        break;
      }
      case 'IoComplete':
        flows.delete(f.object);
        break;
      default:
        break;
    }
  }
  return out;
};

/**
 * 17 (I/O part): InstanceTeardownComplete for I comes after every drain of I has returned, after
 * every operation I pended (pre or post) has been released, and after every operation callback of
 * I that was running has returned.
 */
export const teardownWaitsForIo: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const owed = new Map<string, Map<string, string>>();
  const owe = (instance: string, key: string, what: string): void => void getOrAdd(owed, instance, () => new Map()).set(key, what);
  const settle = (instance: string, key: string): void => void owed.get(instance)?.delete(key);
  for (const f of facts) {
    switch (f.type) {
      case 'PreOperation':
        owe(f.instance, `run ${f.object}`, `its pre-op of ${f.object} (#${f.seq}) is running`);
        break;
      case 'PreOperationReturned':
        settle(f.instance, `run ${f.object}`);
        if (f.result === FLT_PREOP_PENDING) owe(f.instance, `pend ${f.object}`, `it pended ${f.object} in its pre-op (#${f.seq})`);
        break;
      case 'FltCompletePendedPreOperation':
      case 'FltCompletePendedPostOperation':
        settle(f.instance, `pend ${f.object}`);
        break;
      case 'PostOperation':
        owe(f.instance, `run ${f.object}`, `its post-op of ${f.object} (#${f.seq}) is running`);
        break;
      case 'PostOperationReturned':
        settle(f.instance, `run ${f.object}`);
        if (f.result === FLT_POSTOP_MORE_PROCESSING_REQUIRED) owe(f.instance, `pend ${f.object}`, `it pended ${f.object} in its post-op (#${f.seq})`);
        break;
      case 'DrainPostOperation':
        owe(f.instance, `drain ${f.object}`, `its drain of ${f.object} (#${f.seq}) has not returned`);
        break;
      case 'DrainPostOperationReturned':
        settle(f.instance, `drain ${f.object}`);
        break;
      case 'InstanceTeardownComplete':
        for (const what of owed.get(f.object)?.values() ?? []) {
          out.push({ invariant: '17', seq: f.seq, message: `${f.object} TeardownComplete while ${what}` });
        }
        break;
      default:
        break;
    }
  }
  return out;
};

/** 20: every drain returns FLT_POSTOP_FINISHED_PROCESSING, once, for the drain that is open. */
export const drainsFinish: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const open = new Map<string, number>();
  for (const f of facts) {
    if (f.type === 'DrainPostOperation') {
      const key = `${f.object} ${f.instance}`;
      const earlier = open.get(key);
      if (earlier !== undefined) out.push({ invariant: '20', seq: f.seq, message: `${f.object}: drain of ${f.instance} again while the one at #${earlier} has not returned` });
      open.set(key, f.seq);
    } else if (f.type === 'DrainPostOperationReturned') {
      const key = `${f.object} ${f.instance}`;
      if (!open.has(key)) out.push({ invariant: '20', seq: f.seq, message: `${f.object}: DrainPostOperationReturned of ${f.instance} without a drain in progress` });
      open.delete(key);
      if (f.result !== FLT_POSTOP_FINISHED_PROCESSING) {
        out.push({ invariant: '20', seq: f.seq, message: `${f.object}: drain of ${f.instance} returned ${f.result}, not FLT_POSTOP_FINISHED_PROCESSING` });
      }
    }
  }
  return out;
};

/**
 * 6 (safety part): every operation starts once and completes at most once, and nothing moves it
 * after its IoComplete (or before its IoStart). One exception: a drain runs on a copy of the
 * callback data (§4 step 3), so the real operation may complete while it runs; only the return of
 * a drain that began before the IoComplete may follow it.
 */
export const completesOnce: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const started = new Set<string>();
  const completed = new Map<string, number>();
  const draining = new Set<string>();
  for (const f of facts) {
    if (f.type === 'FltReuseCallbackData') {
      // A filter's own callback data, reused after completion (§11.11): its next IoStart is a new operation.
      started.delete(f.object);
      completed.delete(f.object);
      continue;
    }
    if (!isWalkFact(f)) continue;
    if (f.type === 'IoStart') {
      if (started.has(f.object)) out.push({ invariant: '6', seq: f.seq, message: `${f.object} started twice` });
      started.add(f.object);
      continue;
    }
    if (!started.has(f.object)) out.push({ invariant: '6', seq: f.seq, message: `${f.object}: ${f.type} before its IoStart` });
    const drain = f.type === 'DrainPostOperation' || f.type === 'DrainPostOperationReturned' ? `${f.object} ${f.instance}` : null;
    const done = completed.get(f.object);
    if (f.type === 'DrainPostOperationReturned' && draining.delete(drain!)) continue;
    if (done !== undefined) {
      out.push({ invariant: '6', seq: f.seq, message: `${f.object}: ${f.type} after its IoComplete (#${done})` });
    } else if (f.type === 'IoComplete') completed.set(f.object, f.seq);
    else if (f.type === 'DrainPostOperation') draining.add(drain!);
  }
  return out;
};

/**
 * fltsim's own (the I/O manager's side of §11.3): IRP_MJ_CLOSE goes to a file object only once
 * every other operation on it has completed — each IRP holds a reference on its file object — and
 * no operation on the file object starts after its close.
 */
export const closeAfterIo: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const inFlight = new Map<string, Set<string>>();
  const fileObjectOf = new Map<string, string>();
  const closedAt = new Map<string, number>();
  for (const f of facts) {
    if (f.type === 'IoStart') {
      const closed = closedAt.get(f.fileObject);
      if (closed !== undefined) out.push({ invariant: 'close-after-io', seq: f.seq, message: `${f.object} (${irpMajorName(f.major)}) starts on ${f.fileObject} after its close (#${closed})` });
      const others = getOrAdd(inFlight, f.fileObject, () => new Set());
      if (f.major === IRP_MJ_CLOSE) {
        if (others.size > 0) out.push({ invariant: 'close-after-io', seq: f.seq, message: `${f.object} closes ${f.fileObject} while ${[...others].join(', ')} on it is in flight` });
        closedAt.set(f.fileObject, f.seq);
      }
      others.add(f.object);
      fileObjectOf.set(f.object, f.fileObject);
    } else if (f.type === 'IoComplete') {
      const fo = fileObjectOf.get(f.object);
      if (fo !== undefined) inFlight.get(fo)?.delete(f.object);
    }
  }
  return out;
};

export const IO_INVARIANTS: Readonly<Record<string, Check>> = {
  preAndPostOrder,
  completeStopsTheWalk,
  postOperationOnce,
  operationCallbacksInLifetime,
  pendedUntilCompleted,
  finalStatus,
  parameterEdits,
  teardownWaitsForIo,
  drainsFinish,
  completesOnce,
  closeAfterIo,
};

export function checkIoInvariants(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(IO_INVARIANTS).flatMap((check) => check(facts));
}

// ---------------------------------------------------------------------------------------------------
// What a run that ended idle owes: these are liveness checks, wrong on a prefix of a run.

/** 6 (liveness part), for runs that ended idle: every operation that started has completed. */
export const allOperationsCompleted: Check = (facts) => {
  const open = new Map<string, FactOf<'IoStart'>>();
  for (const f of facts) {
    if (f.type === 'IoStart') open.set(f.object, f);
    else if (f.type === 'IoComplete') open.delete(f.object);
  }
  return [...open.values()].map((s) => ({ invariant: '6', seq: s.seq, message: `${s.object} (${irpMajorName(s.major)} on ${s.fileObject}) never completed` }));
};

/** 20 (liveness part), for runs that ended idle: every drain has returned. */
export const allDrainsReturned: Check = (facts) => {
  const open = new Map<string, FactOf<'DrainPostOperation'>>();
  for (const f of facts) {
    if (f.type === 'DrainPostOperation') open.set(`${f.object} ${f.instance}`, f);
    else if (f.type === 'DrainPostOperationReturned') open.delete(`${f.object} ${f.instance}`);
  }
  return [...open.values()].map((d) => ({ invariant: '20', seq: d.seq, message: `${d.object}: drain of ${d.instance} never returned` }));
};

export const IO_LIVENESS: Readonly<Record<string, Check>> = { allOperationsCompleted, allDrainsReturned };

export function checkIoLiveness(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(IO_LIVENESS).flatMap((check) => check(facts));
}
