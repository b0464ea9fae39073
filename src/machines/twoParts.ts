/**
 * A machine whose every state has the same two parts (nested states), for a second thing about the
 * object that changes independently of its lifecycle: an instance registered for data scan, a file
 * object whose caching is initiated, a section the modified page writer is queued for. Parallel
 * regions would say the same, but a machine with them cannot run from the kernel's table
 * (src/kernel/machineTable.ts), so the product of the two is spelled out here instead.
 *
 * Every state starts in the first part. The second part repeats each of its state's transitions
 * that have a target, aimed at the second part of that target, so the part survives every move of
 * the lifecycle; targetless transitions (the bookkeeping) stay on the state, shared by both parts.
 * `enter` moves from the first part to the second in the states it names, `leave` (if the part can
 * end) back.
 */

type Target = string | { readonly target?: string; readonly guard?: string };
type StateConfig = { readonly on?: Readonly<Record<string, Target | readonly Target[] | Record<string, never>>> };

/** A move between the parts: the fact that makes it, and the guard that must pass (a named guard). */
export interface PartMove {
  readonly event: string;
  readonly guard?: string;
}

export interface TwoParts {
  /** The machine's id: the carried transitions name their targets absolutely (`#id.State.Part`). */
  readonly machine: string;
  readonly first: string;
  readonly second: string;
  /** The states in which `enter.event` moves to the second part. */
  readonly enterIn: ReadonlySet<string>;
  readonly enter: PartMove;
  /** The move back, in the same states; none: once in the second part, the object stays there. */
  readonly leave?: PartMove;
}

function move(m: PartMove, target: string): Target {
  return m.guard === undefined ? target : { guard: m.guard, target };
}

export function withTwoParts<S extends Readonly<Record<string, StateConfig>>>(spec: TwoParts, states: S): S {
  const carry = (t: Target): Target =>
    typeof t === 'string' ? `#${spec.machine}.${t}.${spec.second}` : t.target === undefined ? t : { ...t, target: `#${spec.machine}.${t.target}.${spec.second}` };
  const out: Record<string, unknown> = {};
  for (const [name, config] of Object.entries(states)) {
    const carried: Record<string, unknown> = {};
    for (const [event, t] of Object.entries(config.on ?? {})) {
      const targets = (Array.isArray(t) ? t : [t]) as readonly Target[];
      if (targets.some((x) => typeof x === 'string' || x.target !== undefined)) carried[event] = targets.map(carry);
    }
    const moves = spec.enterIn.has(name);
    if (moves && spec.leave !== undefined && carried[spec.leave.event] !== undefined) throw new Error(`internal: ${spec.machine}.${name} moves on ${spec.leave.event} itself`);
    out[name] = {
      ...config,
      initial: spec.first,
      states: {
        [spec.first]: moves ? { on: { [spec.enter.event]: move(spec.enter, spec.second) } } : {},
        [spec.second]: { on: moves && spec.leave !== undefined ? { ...carried, [spec.leave.event]: move(spec.leave, spec.first) } : carried },
      },
    };
  }
  return out as S;
}
