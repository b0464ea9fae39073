/**
 * Judging one schedule: the §14 checkers over its log, the verifier's record, user monitors, and
 * the two ways a run can fail to finish — deadlock (nothing can run while threads wait) and
 * liveness (a Coyote-style "hot" state: something is owed and the run does not get it paid).
 */
import { CONTEXT_INVARIANTS } from '../checkers/contextInvariants.js';
import { CANCEL_INVARIANTS } from '../checkers/cancelInvariants.js';
import { FS_INVARIANTS } from '../checkers/fsInvariants.js';
import { fsFilterAcquiresReleased } from '../checkers/fsFilterInvariants.js';
import { GENERATED_INVARIANTS } from '../checkers/generatedInvariants.js';
import { IO_INVARIANTS, IO_LIVENESS } from '../checkers/ioInvariants.js';
import { KERNEL_INVARIANTS, type InvariantViolation } from '../checkers/kernelInvariants.js';
import { NAME_INVARIANTS } from '../checkers/nameInvariants.js';
import { PORT_INVARIANTS } from '../checkers/portInvariants.js';
import type { BlockedThread } from '../kernel/kernel.js';
import type { Fact } from '../kernel/facts.js';
import type { SimState } from '../projection/simState.js';
import { formatCycle, type WaitForEdge } from '../projection/waitFor.js';
import type { ExplorationViolation, Monitor } from './types.js';

type Check = (facts: readonly Fact[]) => InvariantViolation[];

/** Every §14 and §19.9 safety check, by name: they hold on any prefix of a correct run. */
export const SAFETY_CHECKS: Readonly<Record<string, Check>> = { ...KERNEL_INVARIANTS, ...IO_INVARIANTS, ...GENERATED_INVARIANTS, ...CONTEXT_INVARIANTS, ...NAME_INVARIANTS, ...PORT_INVARIANTS, ...CANCEL_INVARIANTS, ...FS_INVARIANTS };

/** The first verifier violation the run recorded (the model's own misuse rules) that is not disabled, or null. */
export function verifierViolation(facts: readonly Fact[], disabledRules: readonly string[] = []): ExplorationViolation | null {
  for (const f of facts) {
    if (f.type === 'VerifierViolation' && !disabledRules.includes(f.rule)) return { kind: 'verifier', name: f.rule, seq: f.seq, message: `${f.object}: ${f.message}` };
  }
  return null;
}

/** SAFETY_CHECKS as pairs, listed once: a checker run per distinct log of an exploration needs no new list. */
const SAFETY_CHECK_LIST: readonly (readonly [string, Check])[] = Object.entries(SAFETY_CHECKS);

/** The earliest §14 violation over the log, or null. */
export function invariantViolation(facts: readonly Fact[]): ExplorationViolation | null {
  let best: ExplorationViolation | null = null;
  for (const [name, check] of SAFETY_CHECK_LIST) {
    for (const v of check(facts)) {
      const section = v.invariant.startsWith('19.9') || v.invariant.startsWith('24.9') ? v.invariant : `14 ${v.invariant}`;
      if (best === null || v.seq < best.seq) best = { kind: 'invariant', name: `${name} (§${section})`, seq: v.seq, message: v.message };
    }
  }
  return best;
}

export function monitorViolation(facts: readonly Fact[], monitors: readonly Monitor[]): ExplorationViolation | null {
  for (let i = 0; i < monitors.length; i++) {
    const monitor = monitors[i]!;
    const found = monitor(facts)[0];
    if (found !== undefined) return { kind: 'monitor', name: found.name ?? (monitor.name || `monitor ${i}`), seq: found.seq, message: found.message };
  }
  return null;
}

const LIVENESS_CHECK_LIST: readonly (readonly [string, Check])[] = Object.entries({ ...IO_LIVENESS, fsFilterAcquiresReleased });

/** Owed at the end of an idle run: every operation completed, every drain returned (§14 6, 20), every FsFilter acquire released (§24.9 16). */
export function idleLivenessViolation(facts: readonly Fact[]): ExplorationViolation | null {
  for (const [name, check] of LIVENESS_CHECK_LIST) {
    const v = check(facts)[0];
    if (v !== undefined) return { kind: 'liveness', name, seq: v.seq, message: v.message };
  }
  return null;
}

/**
 * What a state owes (its "hot" parts): an unload requested and not finished, an operation pended
 * by a filter and not completed, any operation still in flight, a thread blocked. Empty: cold.
 */
export function hotParts(state: SimState): string[] {
  const out: string[] = [];
  for (const [id, f] of Object.entries(state.filters)) {
    if (f.state === 'UnloadCallback' || f.state === 'Unregistering') out.push(`unload of ${f.name} (${id}) not finished`);
  }
  for (const [id, op] of Object.entries(state.operations)) {
    if (op.pendedBy !== null) out.push(`${id} pended by ${op.pendedBy} and not completed`);
    else if (op.state !== 'Allocated' && op.state !== 'Freed' && op.state !== 'Completed') out.push(`${id} in flight (${op.state})`);
  }
  for (const [id, t] of Object.entries(state.threads)) if (t.state === 'blocked') out.push(`${id} (${t.name}) blocked on ${t.waitingOn ?? '?'}`);
  return out;
}

/**
 * Name the waiters of a deadlock, and the wait cycle where the log shows one: a thread waiting for
 * another thread's exit ("exit of T3", a join) is an edge to that thread.
 */
export function deadlockViolation(blocked: readonly BlockedThread[], seq: number, waitCycles: readonly (readonly WaitForEdge[])[] = []): ExplorationViolation {
  const waiters = blocked.map(
    (b) => `${b.thread} (${b.name}) waits on ${b.waitingOn}${b.reason === '' ? '' : ` for ${b.reason}`}${b.heldBy === undefined || b.heldBy.length === 0 ? '' : `, held by ${b.heldBy.join(', ')}`}`,
  );
  const byId = new Map(blocked.map((b) => [b.thread, b]));
  const next = (b: BlockedThread): BlockedThread | undefined => {
    const m = /^(?:join |exit of )(T\d+)/.exec(b.reason);
    return m === null ? undefined : byId.get(m[1]!);
  };
  let cycle = '';
  for (const start of blocked) {
    const path: string[] = [];
    let at: BlockedThread | undefined = start;
    while (at !== undefined && !path.includes(at.thread)) {
      path.push(at.thread);
      at = next(at);
    }
    if (at !== undefined) {
      const from = path.indexOf(at.thread);
      cycle = ` Wait cycle: ${[...path.slice(from), at.thread].join(' → ')}.`;
      break;
    }
  }
  // The wait-for graph (locks, events, operations, gates) names cycles the join rule above cannot see.
  const graph = waitCycles.length === 0 ? '' : ` Wait-for cycle${waitCycles.length > 1 ? 's' : ''}: ${waitCycles.map(formatCycle).join(' | ')}.`;
  return { kind: 'deadlock', name: 'deadlock', seq, message: `nothing can run while ${blocked.length} thread(s) wait: ${waiters.join('; ')}.${cycle}${graph}` };
}
