/**
 * §14 invariants about the lifetime of operations and instances (5, 7, 10, 17, 20, and "every
 * operation completes exactly once"), and the liveness checks for runs that ended idle.
 */
import type { Fact, FactOf } from '../kernel/facts.js';
import { FLT_POSTOP_FINISHED_PROCESSING, FLT_POSTOP_MORE_PROCESSING_REQUIRED, FLT_PREOP_COMPLETE, FLT_PREOP_PENDING, FLTFL_CALLBACK_DATA_IRP_OPERATION } from '../wdk/fltConstants.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, irpMajorName } from '../wdk/irp.js';
import { NT_SUCCESS, ntStatusName, STATUS_FLT_DISALLOW_FAST_IO, STATUS_PENDING } from '../wdk/ntstatus.js';
import type { InvariantViolation } from './kernelInvariants.js';
import { isWalkFact, instanceOf, instanceTable, label, getOrAdd, type Check } from './ioWalk.js';

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
    if (f.type === 'IoStart' && f.fileObject !== null) {
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

// What a run that ended idle owes: liveness checks, wrong on a prefix of a run.
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
