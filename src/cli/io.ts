/** What a command writes to: lines on stdout and stderr, and a transient progress line on terminals. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Redraw a transient status line in place ('' clears it); absent when output is not a terminal. */
  progress?(line: string): void;
  /** Ends a command that runs until interrupted (`view --serve`); without it, SIGINT or SIGTERM does. */
  readonly stop?: AbortSignal;
}

/** A command: its name, its --help text, and what it does with its arguments (the exit code). Its one-line summary is in main.ts's table, which lists the commands without loading them. */
export interface Command {
  readonly name: string;
  readonly help: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export const TRUST_NOTE = `A scenario module is code: naming one runs it, with your permissions, like any script (trusted
  input). Trace files are data: fltsim checks them and never runs code from them.`;
