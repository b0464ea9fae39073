/**
 * Typed errors. Two families, as in the style guide:
 * - `VerifierError`: the *simulated filter* misused an API in a way Windows would bugcheck on or
 *   Filter Verifier flags. Recorded in the log as a `VerifierViolation` before it is thrown.
 * - `UsageError`: the *caller of fltsim* passed something fltsim cannot act on (wrong option,
 *   unknown scenario, a choice that is not enabled). Nothing is appended to the log.
 * A modelled failure (access denied, sharing violation) is neither: it is an NTSTATUS.
 */
import { elide, MAX_MESSAGE } from './elide.js';
import type { VerifierRule } from './verifierRules.js';

export interface ErrorPlace {
  /** The object the rule is about (`F1`, `I2`, `V1`, `T3`). */
  readonly object?: string | undefined;
  /** Log position at which the error was detected: the seq the next fact would take. */
  readonly seq?: number | undefined;
  readonly seed?: number | undefined;
}

export class FltSimError extends Error {
  readonly object: string | undefined;
  readonly seq: number | undefined;
  readonly seed: number | undefined;
  constructor(message: string, place: ErrorPlace = {}) {
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
    super(`[${rule}] ${message} (object ${place.object ?? '-'}, at seq ${place.seq ?? '-'}, seed ${place.seed ?? '-'})`, place);
    this.rule = rule;
    this.detail = message;
  }
}

export class UsageError extends FltSimError {
  readonly code: string;
  constructor(code: string, message: string, place: ErrorPlace = {}) {
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
