/**
 * The `fltsim` command line. The CLI may read the wall clock and write files; src/ below it may not.
 * Every command parses with `util.parseArgs`, takes --help, and fails with one line on stderr and
 * an exit code from one table (exitCodes.ts, docs/cli.md); --debug adds the stack.
 */
import { FLTSIM_VERSION } from '../version.js';
import { describeFailure, EXIT, EXIT_TABLE } from './exitCodes.js';
import { TRUST_NOTE, type CliIo, type Command } from './io.js';

export type { CliIo } from './io.js';

/**
 * The commands in --help order, each module imported only when its command runs: importing all
 * seven loaded most of the simulator, ~0.7 CPU-s for every `fltsim --version` or `--help`, and a
 * command loads only what it uses (its summary lives here so that --help needs none of them).
 */
const COMMANDS: readonly { readonly name: string; readonly summary: string; load(): Promise<Command> }[] = [
  { name: 'run', summary: 'run a scenario to its end (a built-in id or a module path)', load: async () => (await import('./runCommand.js')).runCommand },
  { name: 'explore', summary: 'find, shrink and print a race under many schedules', load: async () => (await import('./exploreCommand.js')).exploreCommand },
  { name: 'merge', summary: 'merge the result files of explore --shard K/N into one report', load: async () => (await import('./mergeCommand.js')).mergeCommand },
  { name: 'replay', summary: 'check that a trace reproduces; step back from its violation; ask why', load: async () => (await import('./replayCommand.js')).replayCommand },
  { name: 'export', summary: "convert a trace (or a scenario's run) to Perfetto JSON, Mermaid or text", load: async () => (await import('./exportCommand.js')).exportCommand },
  { name: 'view', summary: 'write the time-travel viewer (one HTML file) for a trace or a scenario', load: async () => (await import('./viewCommand.js')).viewCommand },
  { name: 'demo', summary: 'run the built-in demo and print its trace, then find a race', load: async () => (await import('./demoCommand.js')).demoCommand },
];

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
    return await (await command.load()).run(rest, io);
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
