/**
 * §19.9 invariants 1–7 of contexts (§15), checked over a log alone, beside §14's. Each check
 * returns `{ invariant, seq, message }` for every violation, at the fact where it becomes visible;
 * `invariant` reads `19.9 n`. All are safety checks: they hold on every prefix of a correct run.
 *
 * What the log cannot show is left to the live verifier: the IRQL of a call (inv. 2's DISPATCH
 * half is the rule CONTEXT_ROUTINE_AT_DISPATCH), and which holder a reference belongs to.
 */
import type { Fact } from '../kernel/facts.js';
import type { InvariantViolation } from './kernelInvariants.js';

type Check = (facts: readonly Fact[]) => InvariantViolation[];

interface Tracked {
  readonly filter: string;
  count: number;
  /** `${instance ?? filter}|${target}` while linked. */
  key: string | null;
  instance: string | null;
  target: string | null;
  /** FLT_*_CONTEXT: a section context hangs on the same stream as the stream context (§24.4), under a key of its own. */
  contextType: number;
  cleanups: number;
  freed: boolean;
}

/** Walk the context facts once, calling `visit` after each with the tracked state it changed. */
function walk(facts: readonly Fact[], visit: (f: Fact, contexts: Map<string, Tracked>, linked: Map<string, string>, out: InvariantViolation[]) => void): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const contexts = new Map<string, Tracked>();
  const linked = new Map<string, string>();
  for (const f of facts) {
    visit(f, contexts, linked, out);
    const c = contexts.get(f.object);
    switch (f.type) {
      case 'FltAllocateContext':
        contexts.set(f.object, { filter: f.filter, count: 1, key: null, instance: null, target: null, contextType: f.contextType, cleanups: 0, freed: false });
        break;
      case 'FltReferenceContext':
      case 'FltReleaseContext':
      case 'ContextUnlinked':
        if (c === undefined) break;
        c.count = f.count;
        if (f.type === 'ContextUnlinked') {
          if (c.key !== null) linked.delete(c.key);
          c.key = c.instance = c.target = null;
        }
        break;
      case 'ContextLinked':
        if (c === undefined) break;
        c.count = f.count;
        c.key = `${c.contextType}|${f.instance ?? c.filter}|${f.target}`;
        c.instance = f.instance;
        c.target = f.target;
        linked.set(c.key, f.object);
        break;
      case 'ContextCleanupCallback':
        if (c !== undefined) c.cleanups++;
        break;
      case 'ContextFreed':
        if (c !== undefined) c.freed = true;
        break;
      default:
        break;
    }
  }
  return out;
}

/** 1: the count starts at 1; references, releases and links move it by exactly one; it never goes below 0. */
export const contextCounts: Check = (facts) =>
  walk(facts, (f, contexts, _linked, out) => {
    const c = contexts.get(f.object);
    const expect = (want: number): void => {
      if (f.type === 'FltReferenceContext' || f.type === 'FltReleaseContext' || f.type === 'ContextLinked' || f.type === 'ContextUnlinked') {
        if (f.count !== want || f.count < 0) out.push({ invariant: '19.9 1', seq: f.seq, message: `${f.object} ${f.type} count ${f.count}, expected ${want}` });
      }
    };
    if (c === undefined) return;
    if (f.type === 'FltReferenceContext' || f.type === 'ContextLinked') expect(c.count + 1);
    else if (f.type === 'FltReleaseContext') expect(c.count - 1);
    else if (f.type === 'ContextUnlinked') expect(f.handedToCaller ? c.count : c.count - 1);
  });

/** 2 (the log's half): no stream-handle context is set on a file object that is not open (pre-create, after close). */
export const contextsOnOpenFileObjects: Check = (facts) => {
  const open = new Set<string>();
  return walk(facts, (f, _contexts, _linked, out) => {
    if (f.type === 'FileObjectOpened') open.add(f.object);
    else if (f.type === 'FileObjectClose' || f.type === 'FileObjectOpenFailed') open.delete(f.object);
    else if (f.type === 'ContextLinked' && f.target.startsWith('O') && !open.has(f.target)) {
      out.push({ invariant: '19.9 2', seq: f.seq, message: `${f.object} set on ${f.target}, which is not open` });
    }
  });
};

/** 3: at most one linked context per key (volume×filter, instance, stream×instance, stream handle×instance). */
export const oneContextPerKey: Check = (facts) =>
  walk(facts, (f, contexts, linked, out) => {
    if (f.type !== 'ContextLinked') return;
    const c = contexts.get(f.object);
    const where = `|${f.instance ?? c?.filter ?? '?'}|${f.target}`;
    // A context the log never allocated has no known type: any context linked at that place counts.
    const other = c !== undefined ? linked.get(`${c.contextType}${where}`) : [...linked].find(([key]) => key.endsWith(where))?.[1];
    if (other !== undefined) out.push({ invariant: '19.9 3', seq: f.seq, message: `${f.object} linked to ${f.target} while ${other} is linked there` });
  });

/** 4: the cleanup callback runs once, at count 0, before the free; nothing happens to a freed context. */
export const cleanupOnceAtZero: Check = (facts) =>
  walk(facts, (f, contexts, _linked, out) => {
    const c = contexts.get(f.object);
    if (c === undefined || f.type === 'FltAllocateContext' || f.type === 'VerifierViolation' || f.type === 'RoutineFailed') return;
    if (c.freed) out.push({ invariant: '19.9 4', seq: f.seq, message: `${f.object} ${f.type} after it was freed` });
    else if (f.type === 'ContextCleanupCallback' && (c.count !== 0 || c.cleanups > 0)) out.push({ invariant: '19.9 4', seq: f.seq, message: `${f.object} cleanup callback at count ${c.count} (run ${c.cleanups} time(s) before)` });
    else if (f.type === 'ContextFreed' && c.count !== 0) out.push({ invariant: '19.9 4', seq: f.seq, message: `${f.object} freed at count ${c.count}` });
  });

/** 5: a linked context is unlinked no later than its object goes: file object closed, instance freed, filter unregistered. */
export const unlinkedByTeardown: Check = (facts) =>
  walk(facts, (f, contexts, _linked, out) => {
    if (f.type !== 'FileObjectClose' && f.type !== 'InstanceFreed' && f.type !== 'FltUnregisterFilterReturned') return;
    for (const [id, c] of contexts) {
      if (c.key === null) continue;
      const hangsOn = f.type === 'FileObjectClose' ? c.target === f.object : f.type === 'InstanceFreed' ? c.instance === f.object : c.filter === f.object;
      if (hangsOn) out.push({ invariant: '19.9 5', seq: f.seq, message: `${id} still linked to ${c.target} at ${f.type} of ${f.object}` });
    }
  });

/** 6: FltUnregisterFilter does not return while a context of the filter is referenced (not freed). */
export const unregisterWaitsForContexts: Check = (facts) =>
  walk(facts, (f, contexts, _linked, out) => {
    if (f.type !== 'FltUnregisterFilterReturned') return;
    for (const [id, c] of contexts) {
      if (c.filter === f.object && !c.freed) out.push({ invariant: '19.9 6', seq: f.seq, message: `${f.object} finished unregistering while ${id} has count ${c.count}` });
    }
  });

/** 7: after a delete a get finds nothing: no get routine references a context that is not linked. */
export const getFindsOnlyLinked: Check = (facts) =>
  walk(facts, (f, contexts, _linked, out) => {
    if (f.type !== 'FltReferenceContext' || !/^FltGet\w*Contexts?$/.test(f.by)) return;
    const c = contexts.get(f.object);
    if (c !== undefined && c.key === null) out.push({ invariant: '19.9 7', seq: f.seq, message: `${f.by} returned ${f.object}, which is not linked` });
  });

export const CONTEXT_INVARIANTS: Readonly<Record<string, Check>> = {
  contextCounts,
  contextsOnOpenFileObjects,
  oneContextPerKey,
  cleanupOnceAtZero,
  unlinkedByTeardown,
  unregisterWaitsForContexts,
  getFindsOnlyLinked,
};

export function checkContextInvariants(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(CONTEXT_INVARIANTS).flatMap((check) => check(facts));
}
