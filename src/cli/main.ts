/**
 * The `fltsim` command line. The CLI may read the wall clock and write files; src/ below it may not.
 * Every command parses with `util.parseArgs`, takes --help, and fails with one line on stderr and
 * an exit code from one table (exitCodes.ts, docs/cli.md); --debug adds the stack.
 */
import { FLTSIM_VERSION } from '../version.js';
import { demoCommand } from './demoCommand.js';
import { describeFailure, EXIT, EXIT_TABLE } from './exitCodes.js';
import { exploreCommand } from './exploreCommand.js';
import { exportCommand } from './exportCommand.js';
import { mergeCommand } from './mergeCommand.js';
import { TRUST_NOTE, type CliIo, type Command } from './io.js';
import { replayCommand } from './replayCommand.js';
import { runCommand } from './runCommand.js';
import { viewCommand } from './viewCommand.js';

export type { CliIo } from './io.js';

const COMMANDS: readonly Command[] = [runCommand, exploreCommand, mergeCommand, replayCommand, exportCommand, viewCommand, demoCommand];

const HELP = `fltsim ${FLTSIM_VERSION} — a deterministic simulator of the Windows Filter Manager

Usage: fltsim <command> [options]      (options as --flag value or --flag=value)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join('\n')}

  fltsim <command> --help   options of one command
  fltsim --version          the version

Find a race, then debug it:
  fltsim explore race-unload-async-read --strategy pct --trace race.ndjson
  fltsim replay race.ndjson                      check it reproduces, land on the violation
  fltsim replay race.ndjson --at violation --back 3
  fltsim replay race.ndjson --why <seq>
  fltsim view race.ndjson                        the same, in a browser: race.html

  ${TRUST_NOTE}

${EXIT_TABLE}

The same seed and options always print the same trace. docs/cli.md has the details.`;

/** Run one command line; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(`fltsim: a command is needed (try fltsim --help)`);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') return (io.out(HELP), EXIT.ok);
  if (name === '--version' || name === '-v') return (io.out(FLTSIM_VERSION), EXIT.ok);
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`fltsim: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}; try fltsim --help)`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const { code, line } = describeFailure(error);
    io.err(`fltsim ${command.name}: ${line}`);
    if (debug && error instanceof Error && error.stack !== undefined) io.err(error.stack);
    return code;
  }
}

const isEntry = typeof process !== 'undefined' && process.argv[1] !== undefined && /src[\\/]cli[\\/]main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  void main(process.argv.slice(2), {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    ...(process.stderr.isTTY ? { progress: (l: string) => process.stderr.write(`\r${l}\x1b[K`) } : {}),
  }).then((code) => {
    process.exitCode = code;
  });
}
