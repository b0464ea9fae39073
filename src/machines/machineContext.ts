/**
 * What every object machine shares. The machines' events are the log's facts, so a machine is
 * driven live by the kernel (`actor.send(fact)`) and rebuilt offline by folding the log through
 * XState's pure `transition()`: one definition serves both.
 *
 * The root `'*'` transition catches any fact no state accepts and reports it, instead of XState's
 * default of ignoring it; the kernel turns a report into an error before the fact is appended.
 */
export interface MachineInput {
  readonly reject: (event: { type: string }) => void;
}

export interface MachineContext {
  readonly reject: (event: { type: string }) => void;
}

/** A machine's top-level state name: the value itself for a flat machine, the outer key of a nested one. */
export function topState(value: unknown): string {
  return typeof value === 'string' ? value : Object.keys(value as object)[0]!;
}

/**
 * A state value as one string: the value itself for a flat machine, "Outer.Inner" for a nested one
 * (the fold and the time-travel fold engine record states this way; the view splits it).
 */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  const [outer, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  return `${outer}.${statePath(inner)}`;
}

export const contextFromInput = ({ input }: { input: MachineInput }): MachineContext => ({ reject: input.reject });

/** For offline folds: rejections there mean the log itself is inconsistent. */
export const throwOnReject: MachineInput = {
  reject: (event) => {
    throw new Error(`log holds a fact its object's machine does not accept: ${event.type}`);
  },
};
