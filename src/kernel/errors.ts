/**
 * Typed errors. Two families, as in the style guide:
 * - `VerifierError`: the *simulated filter* misused an API in a way Windows would bugcheck on or
 *   Filter Verifier flags. Recorded in the log as a `VerifierViolation` before it is thrown.
 * - `UsageError`: the *caller of fltsim* passed something fltsim cannot act on (wrong option,
 *   unknown scenario, a choice that is not enabled). Nothing is appended to the log.
 * A modelled failure (access denied, sharing violation) is neither: it is an NTSTATUS.
 */
import { elide, kindOf, MAX_MESSAGE } from './elide.js';
import type { VerifierRule } from './verifierRules.js';

export interface ErrorPlace {
  /** The object the rule is about (`F1`, `I2`, `V1`, `T3`). */
  readonly object?: string | undefined;
  /** Log position at which the error was detected: the seq the next fact would take. */
  readonly seq?: number | undefined;
  readonly seed?: number | undefined;
}

/**
 * What every error constructor takes: a message string and an ErrorPlace whose fields are absent or
 * of their kind. Checked here, not in kernel/arguments.ts, which builds on these classes (issue 14:
 * `new VerifierError(5)` is a UsageError, not a TypeError from reading `place.object`).
 */
function checkErrorArguments(routine: string, message: unknown, place: unknown): void {
  if (typeof message !== 'string') throw new UsageError('BAD_ARGUMENT', `${routine}: message is ${kindOf(message)}, not a string`);
  if (place === null || typeof place !== 'object') throw new UsageError('BAD_ARGUMENT', `${routine}: place is ${kindOf(place)}, not an ErrorPlace ({ object?, seq?, seed? })`);
  const { object, seq, seed } = place as Record<string, unknown>;
  if (object !== undefined && typeof object !== 'string') throw new UsageError('BAD_ARGUMENT', `${routine}: place.object is ${kindOf(object)}, not an object id`);
  for (const [name, value] of [['seq', seq], ['seed', seed]] as const) {
    if (value !== undefined && typeof value !== 'number') throw new UsageError('BAD_ARGUMENT', `${routine}: place.${name} is ${kindOf(value)}, not a number`);
  }
}

export class FltSimError extends Error {
  readonly object: string | undefined;
  readonly seq: number | undefined;
  readonly seed: number | undefined;
  constructor(message: string, place: ErrorPlace = {}) {
    checkErrorArguments(new.target.name, message, place);
    // Bounded: a message may quote input of any size (a fact, a name, an argument).
    super(elide(message, MAX_MESSAGE));
    this.name = new.target.name;
    this.object = place.object;
    this.seq = place.seq;
    this.seed = place.seed;
  }
}

export class VerifierError extends FltSimError {
  /** Stable rule id: a key of VERIFIER_RULES, listed in docs/verifier.md. */
  readonly rule: VerifierRule;
  /** What the filter did, without the place (the message adds it). */
  readonly detail: string;
  constructor(rule: VerifierRule, message: string, place: ErrorPlace) {
    if (typeof rule !== 'string') throw new UsageError('BAD_ARGUMENT', `VerifierError: rule is ${kindOf(rule)}, not a rule id`);
    checkErrorArguments('VerifierError', message, place);
    super(`[${rule}] ${message} (object ${place.object ?? '-'}, at seq ${place.seq ?? '-'}, seed ${place.seed ?? '-'})`, place);
    this.rule = rule;
    this.detail = message;
  }
}

export class UsageError extends FltSimError {
  readonly code: string;
  constructor(code: string, message: string, place: ErrorPlace = {}) {
    if (typeof code !== 'string') throw new UsageError('BAD_ARGUMENT', `UsageError: code is ${kindOf(code)}, not a string`);
    super(`[${code}] ${message}`, place);
    this.code = code;
  }
}

/** A replayed run took a different path from its recording. */
export class ReplayDivergenceError extends FltSimError {
  constructor(message: string, place: ErrorPlace) {
    super(message, place);
  }
}
