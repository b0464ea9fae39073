/**
 * §14 invariants about the walk of one operation (2, 3, 4, 16): the order of pre- and post-ops,
 * COMPLETE stopping the walk, one post-op per request, and who sees which parameter edit.
 */
import type { Fact, FactOf } from '../kernel/facts.js';
import { fingerprintIopb } from '../io/parametersSummary.js';
import { FLT_PREOP_COMPLETE, FLT_PREOP_DISALLOW_FASTIO } from '../wdk/fltConstants.js';
import type { InvariantViolation } from './kernelInvariants.js';
import { isWalkFact, instanceTable, above, label, asksForCallback, getOrAdd, type Check } from './ioWalk.js';

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
 * 3: once a pre-op returns FLT_PREOP_COMPLETE or FLT_PREOP_DISALLOW_FASTIO (or a pended one is resumed with COMPLETE), nothing below
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
    // DISALLOW_FASTIO stops a fast operation's walk exactly as COMPLETE does (§14 invariant 3).
    if ((f.type === 'PreOperationReturned' || f.type === 'FltCompletePendedPreOperation') && (f.result === FLT_PREOP_COMPLETE || f.result === FLT_PREOP_DISALLOW_FASTIO)) {
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
      case 'FsFastIoDeclined':
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
    TargetFileObject: start.fileObject === null ? null : { id: start.fileObject },
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
