/**
 * Typed errors of time travel and trace files. Each names where the problem is (a log position,
 * a trace-file line) so a user can open the file at that line or jump the cursor there.
 */
import { integerArgument, sizeArgument, stringArgument } from '../kernel/arguments.js';
import { factArgument } from '../kernel/dataArguments.js';
import { FltSimError, ReplayDivergenceError } from '../kernel/errors.js';
import type { Fact } from '../kernel/facts.js';

/** A fact the fold cannot take: its object's machine rejects it, its seq is out of order, or it names an object that does not exist. */
export class FactRejectedError extends FltSimError {
  constructor(
    readonly fact: Fact,
    readonly problem: string,
  ) {
    factArgument('FactRejectedError', 'fact', fact);
    stringArgument('FactRejectedError', 'problem', problem);
    super(`fact #${String(fact.seq)} (${String(fact.type)} on ${String(fact.object)}) cannot follow the facts before it: ${problem}`, { object: fact.object, seq: fact.seq });
  }
}

/** A trace file that cannot be loaded. Nothing of it is loaded: readers parse and check the whole file first. */
export class TraceFileError extends FltSimError {
  constructor(
    /** 1-based line of the file (line 1 is the header); 0 when the problem is the file as a whole. */
    readonly line: number,
    readonly problem: string,
  ) {
    sizeArgument('TraceFileError', 'line', line);
    stringArgument('TraceFileError', 'problem', problem);
    super(line > 0 ? `trace file line ${line}: ${problem}` : `trace file: ${problem}`);
  }
}

/** A re-run that did not reproduce its recording: the first fact that differs (undefined: that log ended first). */
export class DeterminismError extends ReplayDivergenceError {
  constructor(
    readonly firstDifference: number,
    readonly expected: Fact | undefined,
    readonly actual: Fact | undefined,
    seed: number,
    /** Why the replay stopped there, when not a differing fact (e.g. the drive could not be followed). */
    readonly reason?: string,
  ) {
    sizeArgument('DeterminismError', 'firstDifference', firstDifference);
    if (expected !== undefined) factArgument('DeterminismError', 'expected', expected);
    if (actual !== undefined) factArgument('DeterminismError', 'actual', actual);
    integerArgument('DeterminismError', 'seed', seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a seed (a whole number)');
    if (reason !== undefined) stringArgument('DeterminismError', 'reason', reason);
    super(
      `replay diverged at seq ${firstDifference}: expected ${brief(expected)}, got ${brief(actual)}${reason === undefined ? '' : `: ${reason}`}`,
      { seq: firstDifference, seed },
    );
  }
}

/** A fact in an error message: its JSON, elided past 300 characters (a message stays one readable line). */
function brief(fact: Fact | undefined): string {
  if (fact === undefined) return '(end of log)';
  const text = JSON.stringify(fact);
  return text.length <= 300 ? text : `${text.slice(0, 300)}… (${text.length} characters)`;
}
