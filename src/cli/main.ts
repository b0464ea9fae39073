/**
 * The `fltsim` command line. The CLI may read the wall clock and write files; src/ below it may not.
 */
import { createSimulation } from '../simulation.js';
import { buildDemo, demoOptions } from '../scenarios/demo.js';
import { formatTrace } from '../trace/textFormat.js';
import { formatStacks } from '../trace/stackView.js';
import { exportCommand, replayCommand, runCommand } from './travelCommands.js';
import { describeExploration, exploreCommand } from './exploreCommand.js';
import { explore } from '../explore/explore.js';
import { scenarioById } from '../scenarios/index.js';

const HELP = `fltsim — a deterministic simulator of the Windows Filter Manager

Usage:
  fltsim demo [--seed N] [--strategy in-order|random]   run the built-in demo and print its trace
  fltsim run <scenario> [--seed N] [--trace out.ndjson] run a scenario (registry id or module path)
  fltsim replay <trace.ndjson> [--at N]                 re-run a trace and check it; or the state at event N
  fltsim export <trace.ndjson> --format perfetto|mermaid|text
  fltsim explore <scenario> [--strategy random|pct|exhaustive] [--schedules N]   find, shrink and print a race
  fltsim <command> --help                               help for one command
  fltsim --help                                         this text

The same seed and options always print the same trace.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Redraw a transient status line in place ('' clears it); absent when output is not a terminal. */
  progress?(line: string): void;
}

/** The exit code; a promise only for \`run\` with a scenario module path, which must be imported. */
export function main(argv: readonly string[], io: CliIo): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === 'demo') return demo(rest, io);
  if (command === 'run') return runCommand(rest, io);
  if (command === 'replay') return replayCommand(rest, io);
  if (command === 'export') return exportCommand(rest, io);
  if (command === 'explore') return exploreCommand(rest, io);
  io.err(`fltsim: unknown command '${command}' (try fltsim --help)`);
  return 2;
}

function demo(args: readonly string[], io: CliIo): number {
  let seed = 1;
  let strategy: 'in-order' | 'random' = 'in-order';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      io.out('fltsim demo [--seed N] [--strategy in-order|random]: run the built-in demo scenario and print its trace');
      return 0;
    } else if (a === '--seed') {
      const v = args[++i];
      if (v === undefined || !/^-?\d+$/.test(v)) {
        io.err(`fltsim demo: --seed needs an integer, got ${v === undefined ? 'nothing' : `'${v}'`}`);
        return 2;
      }
      seed = Number(v);
    } else if (a === '--strategy') {
      const v = args[++i];
      if (v !== 'in-order' && v !== 'random') {
        io.err(`fltsim demo: --strategy must be in-order or random, got ${v === undefined ? 'nothing' : `'${v}'`}`);
        return 2;
      }
      strategy = v;
    } else {
      io.err(`fltsim demo: unknown argument '${a}' (try fltsim demo --help)`);
      return 2;
    }
  }
  const sim = createSimulation({ ...demoOptions, seed, strategy });
  const demo = buildDemo(sim);
  io.out(`# fltsim demo, seed ${seed}, strategy ${strategy}`);
  io.out('');
  sim.runUntil(demo.driversLoaded);
  io.out('# device stacks once both drivers have loaded (top of each stack first)');
  for (const line of formatStacks(sim.state())) io.out(line);
  const result = sim.run();
  io.out('');
  io.out('# trace (one fact per line: #seq t=time object Type details)');
  for (const line of formatTrace(sim.log)) io.out(line);
  io.out('');
  io.out('# device stacks at the end');
  for (const line of formatStacks(sim.state())) io.out(line);
  io.out('');
  io.out(`# run ended: ${result.reason} after ${sim.log.length} facts, ${sim.choices.length} scheduling choices`);
  io.out('');
  raceDemo(seed, io);
  return result.reason === 'idle' ? 0 : 1;
}

/**
 * The second half of the demo: a filter's worker thread prefetches a file through generated I/O
 * (FltCreateFileEx, an asynchronous read) while the filter is unloaded; the explorer finds the
 * schedule where the worker uses its torn-down instance, then checks the fixed filter (which holds
 * a reference on its instance) against every schedule within two preemptions.
 */
function raceDemo(seed: number, io: CliIo): void {
  const scenario = scenarioById('race-unload-async-read');
  io.out(`# race exploration: ${scenario.description}`);
  const buggy = explore(scenario, { strategy: 'pct', seed, schedules: 200, args: { variant: 'buggy', rounds: 2 } });
  // Print the schedule PCT found, which interleaves the worker's generated I/O with the teardown;
  // shrinking reduces it to the simplest failing one (the whole unload first), said in one line.
  for (const line of describeExploration(scenario, { ...buggy, shrunk: null })) if (!/ Choice of=\d+$/.test(line)) io.out(line);
  if (buggy.shrunk !== null) {
    io.out(`# shrunk: the same violation with ${buggy.shrunk.preemptions} preemption(s) in ${buggy.shrunk.trace.length} facts — the minimal schedule that still fails`);
  }
  const fixed = explore(scenario, { strategy: 'exhaustive', preemptionBound: 2, schedules: 5000, args: { variant: 'fixed', rounds: 2 } });
  io.out('');
  io.out(`# the fixed filter (FltObjectReference on its instance before each round): ${fixed.found ? `VIOLATION ${fixed.violation?.name}` : 'no violation'} in ${fixed.schedules} schedules${fixed.exhausted ? ', every schedule within 2 preemptions' : ''}`);
}

const isEntry = typeof process !== 'undefined' && process.argv[1] !== undefined && /src[\\/]cli[\\/]main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  void Promise.resolve(
    main(process.argv.slice(2), {
      out: (l) => process.stdout.write(l + '\n'),
      err: (l) => process.stderr.write(l + '\n'),
      ...(process.stderr.isTTY ? { progress: (l: string) => process.stderr.write(`\r${l}\x1b[K`) } : {}),
    }),
  ).then((code) => {
    process.exitCode = code;
  });
}
