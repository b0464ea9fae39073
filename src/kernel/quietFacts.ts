/**
 * Which facts an object's machine takes without doing anything: a transition with no target, no
 * actions and (after its guard) nothing else, like the callback data's `DrainPostOperation: {}`.
 * Sending such a fact to a live actor costs a whole XState macrostep (candidate selection, a
 * microstep, a new snapshot equal to the old one); skipping the send leaves the machine exactly
 * where XState would have left it.
 *
 * The answer comes from the machine definition itself, derived once per state node and fact type
 * and cached on the node: walk from each active atomic state up to the root, as XState selects
 * transitions, and take the candidates of the first node that has any. The machine still decides:
 * a candidate's guard is the machine's own guard, evaluated with the machine's context and the
 * fact; a guarded candidate whose guard passes, a target, an action or anything this file does not
 * model (an inline or parameterized guard, a wildcard other than the root `'*'`, eventless
 * transitions) means the fact is sent as before. So a fact is only ever skipped when XState would
 * provably have taken a targetless, actionless transition, and a fact no state accepts still
 * reaches the root `'*'` and is rejected.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';

/** A plain named guard of the machine (`setup({ guards })`), called as XState calls it. */
type Guard = (args: { readonly context: unknown; readonly event: unknown }, params: undefined) => boolean;

/**
 * How one atomic state answers one fact type: `send` (the fact may do something), `quiet` (it
 * never does), or a list of guarded candidates to try in order, each quiet or not once chosen.
 */
type Plan = 'send' | 'quiet' | readonly { readonly guard: Guard | null; readonly quiet: boolean }[];

/** The parts of XState's StateNode read here (public in its typings, stable across v5). */
interface Node {
  readonly type: string;
  readonly parent?: Node;
  readonly always?: readonly unknown[];
  readonly transitions: ReadonlyMap<string, readonly Transition[]>;
}

interface Transition {
  readonly target?: readonly unknown[] | undefined;
  readonly actions: readonly unknown[];
  readonly guard?: unknown;
  readonly reenter?: boolean;
}

/**
 * Plans by state node, then fact type. Module-wide on purpose: a plan is a function of the machine
 * definition alone (shared, never changed), holds no simulation's state, and an exploration that
 * builds thousands of simulations derives each plan once.
 */
const plans = new WeakMap<object, Map<string, Plan>>();

/** Whether XState would take `event` in `snapshot` with a targetless, actionless transition. */
export function isQuietFact(snapshot: AnyMachineSnapshot, event: { readonly type: string }): boolean {
  // A stopped or finished actor answers a send in its own way (it ignores it): not this file's to predict.
  if (snapshot.status !== 'active') return false;
  const nodes = (snapshot as unknown as { readonly _nodes: readonly Node[] })._nodes;
  let atomic = 0;
  for (const node of nodes) {
    if (node.type !== 'atomic' && node.type !== 'final') continue;
    atomic++;
    // One region only: in a parallel state each region selects its own transitions, which this walk
    // would over-approximate (a region with no candidate would not climb past the parallel node).
    if (atomic > 1) return false;
    if (!quietIn(node, snapshot, event)) return false;
  }
  return atomic === 1;
}

function quietIn(node: Node, snapshot: AnyMachineSnapshot, event: { readonly type: string }): boolean {
  let byType = plans.get(node);
  if (byType === undefined) plans.set(node, (byType = new Map()));
  let plan = byType.get(event.type);
  if (plan === undefined) byType.set(event.type, (plan = planFor(node, event.type, snapshot.machine as AnyStateMachine)));
  if (plan === 'send') return false;
  if (plan === 'quiet') return true;
  for (const candidate of plan) {
    if (candidate.guard === null || candidate.guard({ context: snapshot.context, event }, undefined)) return candidate.quiet;
  }
  // No candidate's guard passed at this node: XState would climb further; send and let it.
  return false;
}

function planFor(atomic: Node, type: string, machine: AnyStateMachine): Plan {
  for (let node: Node | undefined = atomic; node !== undefined; node = node.parent) {
    // Eventless transitions are re-checked after every microstep, quiet or not: keep XState in charge.
    if (node.always !== undefined && node.always.length > 0) return 'send';
    for (const key of node.transitions.keys()) {
      if (key !== type && key !== '*' && key.includes('*')) return 'send';
    }
    const exact = node.transitions.get(type) ?? [];
    const wildcard = node.transitions.get('*') ?? [];
    const candidates = type === '*' ? exact : [...exact, ...wildcard];
    if (candidates.length === 0) continue;
    const out: { guard: Guard | null; quiet: boolean }[] = [];
    for (const t of candidates) {
      const guard = t.guard === undefined ? null : namedGuard(machine, t.guard);
      if (guard === undefined) return 'send';
      const quiet = (t.target === undefined || t.target.length === 0) && t.actions.length === 0 && t.reenter !== true;
      out.push({ guard, quiet });
      if (guard === null) break; // an unguarded candidate is always taken: later ones never are
    }
    // Every guard failing falls through to the parent in XState; not modelled here: those facts are sent.
    if (out[out.length - 1]!.guard !== null) out.push({ guard: null, quiet: false });
    if (out.length === 1) return out[0]!.quiet ? 'quiet' : 'send';
    return out.every((c) => !c.quiet) ? 'send' : out;
  }
  return 'send';
}

/** A guard given by name and implemented as a plain function; `undefined` for anything else. */
function namedGuard(machine: AnyStateMachine, guard: unknown): Guard | undefined {
  if (typeof guard !== 'string') return undefined;
  const resolved = (machine.implementations.guards as Record<string, unknown>)[guard];
  if (typeof resolved !== 'function' || 'check' in resolved) return undefined;
  return resolved as Guard;
}
