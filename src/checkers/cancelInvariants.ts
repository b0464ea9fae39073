/**
 * §19.9 invariants 23–26 of cancellation and cancel-safe queues (§19), checked over a log alone,
 * beside §14's. Each returns `{ invariant, seq, message }` at the fact where the violation shows.
 *
 * The IRP facts (J…) carry their operation, so one walk follows each operation's cancel state:
 * who armed a cancel routine, whether the cancel bit is set, and whether the routine was called.
 * Invariant 22 (FltCancellableWait* returns STATUS_CANCELLED only for a cancelled operation) is
 * the wait's own logic: the log names the waitables, not the operation, so it is not checked here.
 */
import type { Fact } from '../kernel/facts.js';
import { STATUS_CANCELLED, STATUS_FLT_CBDQ_DISABLED, STATUS_PENDING } from '../wdk/ntstatus.js';
import type { InvariantViolation } from './kernelInvariants.js';

type Check = (facts: readonly Fact[]) => InvariantViolation[];

interface IrpTrack {
  state: 'NotCancelable' | 'Cancelable' | 'CancelRequested' | 'CancelRoutineCalled';
  routine: string | null;
}

/** Cancel state of every operation's IRP, updated fact by fact; `visit` sees the state before the fact. */
function walk(facts: readonly Fact[], visit: (f: Fact, irps: Map<string, IrpTrack>, out: InvariantViolation[]) => void): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const irps = new Map<string, IrpTrack>();
  for (const f of facts) {
    visit(f, irps, out);
    switch (f.type) {
      case 'IoSetCancelRoutine': {
        const t = irps.get(f.operation) ?? { state: 'NotCancelable', routine: null };
        if (t.state === 'CancelRequested') t.state = 'CancelRoutineCalled';
        else t.state = 'Cancelable';
        t.routine = f.routine;
        irps.set(f.operation, t);
        break;
      }
      case 'CancelRoutineCleared': {
        const t = irps.get(f.operation);
        if (t !== undefined) Object.assign(t, { state: 'NotCancelable', routine: null });
        break;
      }
      case 'IoCancelIrp': {
        const t = irps.get(f.operation) ?? { state: 'NotCancelable', routine: null };
        t.state = f.routineCalled ? 'CancelRoutineCalled' : t.state === 'CancelRoutineCalled' ? t.state : 'CancelRequested';
        irps.set(f.operation, t);
        break;
      }
      case 'IoCompleteRequest':
      case 'IoStart':
        // (An IRP sent to a driver's own device carries no operation: nothing of FltMgr's to track.)
        if (f.type === 'IoStart' || f.operation !== null) irps.delete(f.type === 'IoStart' ? f.object : f.operation!);
        break;
      default:
        break;
    }
  }
  return out;
}

/** 23: a pended operation is completed only by its owner — never while a cancel routine is armed — and once. */
export const pendedCompletedOnceByOwner: Check = (facts) => {
  const completions = new Map<string, number>();
  return walk(facts, (f, irps, out) => {
    if (f.type === 'IoStart') completions.set(f.object, 0);
    if (f.type === 'IoComplete') {
      const n = (completions.get(f.object) ?? 0) + 1;
      completions.set(f.object, n);
      if (n > 1) out.push({ invariant: '19.9 23', seq: f.seq, message: `${f.object} completed ${n} times` });
    }
    if (f.type !== 'FltCompletePendedPreOperation' && f.type !== 'FltCompletePendedPostOperation') return;
    const t = irps.get(f.object);
    if (t !== undefined && t.state === 'Cancelable') {
      out.push({ invariant: '19.9 23', seq: f.seq, message: `${f.object} resumed by ${f.instance} while its ${t.routine} cancel routine was armed: the cancel path could complete it too` });
    }
  });
};

/** 24: CompleteCanceledIo follows a cancel of queued data; RemoveNextIo never yields data being cancelled; a disabled queue inserts nothing. */
export const cbdqCancelDiscipline: Check = (facts) => {
  const disabled = new Set<string>();
  return walk(facts, (f, irps, out) => {
    switch (f.type) {
      case 'FltCbdqDisable':
        disabled.add(f.object);
        return;
      case 'FltCbdqEnable':
      case 'FltCbdqInitialize':
        disabled.delete(f.object);
        return;
      case 'FltCbdqInsertIo':
        if (disabled.has(f.object) && f.status !== STATUS_FLT_CBDQ_DISABLED) out.push({ invariant: '19.9 24', seq: f.seq, message: `${f.object} is disabled, yet FltCbdqInsertIo of ${f.operation} returned ${f.status.toString(16)}` });
        if (!disabled.has(f.object) && f.status === STATUS_FLT_CBDQ_DISABLED) out.push({ invariant: '19.9 24', seq: f.seq, message: `${f.object} is enabled, yet refused ${f.operation}` });
        return;
      case 'FltCbdqRemoveNextIo':
      case 'FltCbdqRemoveIo': {
        const t = f.operation === null ? undefined : irps.get(f.operation);
        if (t !== undefined && t.state === 'CancelRoutineCalled') out.push({ invariant: '19.9 24', seq: f.seq, message: `${f.type} handed out ${f.operation}, which its cancel path owns` });
        return;
      }
      case 'CbdqCompleteCanceledIo': {
        const t = irps.get(f.operation);
        if (t === undefined || t.state !== 'CancelRoutineCalled' || t.routine !== 'FltCbdq') out.push({ invariant: '19.9 24', seq: f.seq, message: `CompleteCanceledIo for ${f.operation}, whose Cbdq cancel routine was never called` });
        return;
      }
      default:
        return;
    }
  });
};

/** 25: a cancelled operation ends with its normal result, STATUS_CANCELLED with Information 0, or another error — never STATUS_PENDING. */
export const cancelledFinalStatus: Check = (facts) =>
  walk(facts, (f, irps, out) => {
    if (f.type !== 'IoComplete') return;
    const t = irps.get(f.object);
    if (t === undefined || (t.state !== 'CancelRequested' && t.state !== 'CancelRoutineCalled')) return;
    if (f.status === STATUS_PENDING) out.push({ invariant: '19.9 25', seq: f.seq, message: `cancelled ${f.object} completed with STATUS_PENDING` });
    if (f.status === STATUS_CANCELLED && f.information !== 0) out.push({ invariant: '19.9 25', seq: f.seq, message: `cancelled ${f.object} completed with STATUS_CANCELLED and Information ${f.information}` });
  });

/** 26: one cancel routine at a time: never FltSetCancelCompletion on queued data, nor a second arm over an armed one. */
export const oneCancelRoutine: Check = (facts) =>
  walk(facts, (f, irps, out) => {
    if (f.type !== 'IoSetCancelRoutine') return;
    const t = irps.get(f.operation);
    if (t !== undefined && t.state === 'Cancelable') out.push({ invariant: '19.9 26', seq: f.seq, message: `${f.routine} armed on ${f.operation} over its ${t.routine} cancel routine` });
  });

export const CANCEL_INVARIANTS: Readonly<Record<string, Check>> = {
  pendedCompletedOnceByOwner,
  cbdqCancelDiscipline,
  cancelledFinalStatus,
  oneCancelRoutine,
};

export function checkCancelInvariants(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(CANCEL_INVARIANTS).flatMap((check) => check(facts));
}
