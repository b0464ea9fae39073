/**
 * What every object machine shares. The machines' events are the log's facts, so a machine is
 * driven live by the kernel (`actor.send(fact)`) and rebuilt offline by folding the log through
 * XState's pure `transition()`: one definition serves both.
 *
 * The root `'*'` transition catches any fact no state accepts and reports it, instead of XState's
 * default of ignoring it; the kernel turns a report into an error before the fact is appended.
 */
import { FltSimError } from '../kernel/errors.js';
export interface MachineInput {
  readonly reject: (event: { type: string }) => void;
}

export interface MachineContext {
  readonly reject: (event: { type: string }) => void;
}

export const contextFromInput = ({ input }: { input: MachineInput }): MachineContext => ({ reject: input.reject });

/** For offline folds: rejections there mean the log itself is inconsistent. */
export const throwOnReject: MachineInput = {
  reject: (event) => {
    throw new FltSimError(`log holds a fact its object's machine does not accept: ${event.type}`);
  },
};
