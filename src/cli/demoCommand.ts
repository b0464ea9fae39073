/** `fltsim demo`: the built-in demo scenario's trace, then a race found, shrunk and its fix checked. */
import { createSimulation } from '../simulation.js';
import { buildDemo, demoOptions } from '../scenarios/demo.js';
import { formatTrace } from '../trace/textFormat.js';
import { formatStacks } from '../trace/stackView.js';
import { explore } from '../explore/explore.js';
import { findScenario } from '../scenarios/index.js';
import { integerOption, oneOf, parseCommand } from './args.js';
import { EXIT, usageError } from './exitCodes.js';
import type { CliIo, Command } from './io.js';
import { describeExploration } from './exploreCommand.js';

export const demoCommand: Command = {
  name: 'demo',
  help: `fltsim demo [--seed N] [--strategy in-order|random]
  Run the built-in demo scenario and print its trace, then explore a race: a filter's worker
  prefetches through generated I/O while the filter unloads.`,
  async run(argv, io) {
    const p = parseCommand('demo', argv, { seed: { type: 'string' }, strategy: { type: 'string' } });
    if (p.values['help'] === true) return (io.out(demoCommand.help), EXIT.ok);
    if (p.positionals.length > 0) throw usageError(`unexpected argument '${p.positionals[0]}' (try fltsim demo --help)`);
    return demo(integerOption(p, 'seed') ?? 1, oneOf(p, 'strategy', ['in-order', 'random'] as const, 'in-order'), io);
  },
};

function demo(seed: number, strategy: 'in-order' | 'random', io: CliIo): number {
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
  return result.reason === 'idle' ? EXIT.ok : EXIT.violation;
}

/**
 * The second half of the demo: a filter's worker thread prefetches a file through generated I/O
 * (FltCreateFileEx, an asynchronous read) while the filter is unloaded; the explorer finds the
 * schedule where the worker uses its torn-down instance, then checks the fixed filter (which holds
 * a reference on its instance) against every schedule within two preemptions.
 */
function raceDemo(seed: number, io: CliIo): void {
  const scenario = findScenario('race-unload-async-read');
  io.out(`# race exploration: ${scenario.description}`);
  const buggy = explore(scenario, { strategy: 'pct', seed, schedules: 200, args: { variant: 'buggy', rounds: 2 } });
  // Print the schedule PCT found, which interleaves the worker's generated I/O with the teardown;
  // shrinking reduces it to the simplest failing one (the whole unload first), said in one line.
  for (const line of describeExploration(scenario, { ...buggy, shrunk: null })) if (!/ Choice of=\d+$/.test(line)) io.out(line);
  if (buggy.shrunk !== null) {
    io.out(`# shrunk: the same violation with ${buggy.shrunk.preemptions} preemption(s) in ${buggy.shrunk.trace.length} facts — the minimal schedule that still fails`);
    io.out(`# see it in a browser, stack by stack: fltsim explore ${scenario.id} --strategy pct --seed ${seed} --schedules 200 --arg variant=buggy --arg rounds=2 --trace race.ndjson --trace-shrunk shrunk.ndjson; fltsim view race.ndjson --beside shrunk.ndjson (docs/viewer.md)`);
  }
  const fixed = explore(scenario, { strategy: 'exhaustive', preemptionBound: 2, schedules: 5000, args: { variant: 'fixed', rounds: 2 } });
  io.out('');
  io.out(`# the fixed filter (FltObjectReference on its instance before each round): ${fixed.found ? `VIOLATION ${fixed.violation?.name}` : 'no violation'} in ${fixed.schedules} schedules${fixed.exhausted ? ', every schedule within 2 preemptions' : ''}`);
}
