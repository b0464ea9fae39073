/**
 * The command line's one table of exit codes, and the errors that carry them. Every failure is
 * reported as one line on stderr naming what went wrong and where (a file, a line, a flag, a fact);
 * only `--debug` adds a stack. docs/cli.md prints the same table.
 */
import { BudgetExceededError } from '../travel/budget.js';
import { DeterminismError, TraceFileError } from '../travel/errors.js';
import { FltSimError, ReplayDivergenceError, UsageError, VerifierError } from '../kernel/errors.js';

export const EXIT = {
  /** The command did what was asked: a run ended idle, a replay reproduced, nothing was found. */
  ok: 0,
  /** A violation was found: explore found one, or a run ended in a verifier violation or a deadlock. */
  violation: 1,
  /** The command line is wrong: an unknown command or option, a bad value, an unknown scenario id. */
  usage: 2,
  /** An input cannot be used: a missing or unreadable file, a damaged trace, a scenario module that is missing, invalid or changed, or one that needs more than a budget (--max-facts, …) allows. */
  input: 3,
  /** A replay did not reproduce its trace (another fltsim, a changed scenario, or nondeterminism). */
  diverged: 4,
  /** An output cannot be written: a full disk, no permission. */
  output: 5,
  /** A bug in fltsim itself; --debug shows the stack. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_TABLE = `Exit codes:
  0   success (a run ended idle, a replay reproduced its trace, no violation found)
  1   violation found (explore found one; a run ended in a verifier violation or a deadlock)
  2   usage error (unknown command or option, bad value, unknown scenario id)
  3   input error (missing or unreadable file, damaged trace, scenario module missing, invalid or changed, a budget exceeded)
  4   replay differs (the trace does not reproduce)
  5   output error (a file cannot be written: disk full, no permission)
  70  internal error (a bug in fltsim; --debug shows the stack)`;

/** A failure the CLI itself detected, with its exit code; the message is the whole line after "fltsim <command>: ". */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(EXIT.usage, message);
export const inputError = (message: string): CliError => new CliError(EXIT.input, message);

/** Usage errors fltsim's own API raises about what the user typed. */
const USAGE_CODES = new Set(['UNKNOWN_SCENARIO', 'BAD_SCENARIO_ARGUMENT', 'BAD_OPTION', 'UNKNOWN_STRATEGY', 'BAD_POSITION', 'POSITION_IN_BUILD']);

/** fltsim's own files: src/ from a checkout, dist/ installed (this file is src/cli/ or dist/cli/). */
const FLTSIM_CODE = new URL('../', import.meta.url).href;

/**
 * Where an error was thrown when that is a scenario module's own code (a file outside fltsim and
 * outside any package), as `file:line:column`; null when fltsim or a package threw it.
 */
export function thrownByScenarioCode(error: Error): string | null {
  const frame = error.stack?.split('\n').find((l) => /^\s+at /.test(l));
  const at = frame === undefined ? null : /\(?((?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])[^()]*?):(\d+):(\d+)\)?$/.exec(frame.trim());
  if (at === null) return null;
  const url = at[1]!.startsWith('file://') ? at[1]! : `file://${at[1]!.startsWith('/') ? '' : '/'}${at[1]!.replace(/\\/g, '/')}`;
  if (url.startsWith(FLTSIM_CODE) || /\/node_modules\//.test(url)) return null;
  return `${decodeURIComponent(url.slice('file://'.length))}:${at[2]}:${at[3]}`;
}

/** The exit code and the one line to print for any error a command threw. */
export function describeFailure(error: unknown): { code: ExitCode; line: string } {
  if (error instanceof CliError) return { code: error.exitCode, line: error.message };
  if (error instanceof TraceFileError) return { code: EXIT.input, line: error.message };
  if (error instanceof BudgetExceededError) return { code: EXIT.input, line: `stopped: ${error.message}` };
  if (error instanceof DeterminismError || error instanceof ReplayDivergenceError) return { code: EXIT.diverged, line: `replay differs: ${error.message}` };
  if (error instanceof VerifierError) return { code: EXIT.violation, line: `verifier violation ${error.message}` };
  if (error instanceof UsageError) return { code: USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.input, line: error.message };
  if (error instanceof FltSimError) return { code: EXIT.internal, line: `internal error: ${error.message} (run with --debug for the stack)` };
  // A scenario module is code: what its build or its threads throw is a fault of that input, not of fltsim.
  const where = error instanceof Error ? thrownByScenarioCode(error) : null;
  if (where !== null) return { code: EXIT.input, line: `the scenario module's code threw ${(error as Error).name}: ${(error as Error).message.split('\n')[0]} (at ${where})` };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: EXIT.internal, line: `internal error: ${message.split('\n')[0]} (run with --debug for the stack)` };
}
