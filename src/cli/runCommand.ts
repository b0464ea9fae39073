/** `fltsim run <scenario>`: run a built-in scenario or a scenario module to its end, optionally writing its trace. */
import { traceFileChunks } from '../tracefile/writer.js';
import { startRun } from '../travel/recording.js';
import type { Simulation } from '../simulation.js';
import { VerifierError } from '../kernel/errors.js';
import { integerOption, oneOf, onePositional, parseCommand, scenarioArgs, stringOption, type Parsed } from './args.js';
import { EXIT } from './exitCodes.js';
import { writeChunks } from './files.js';
import { TRUST_NOTE, type CliIo, type Command } from './io.js';
import { resolveScenario, type ResolvedScenario } from './scenarioModule.js';
import { builtInScenarios as scenarios } from '../scenarios/index.js';

export const SCENARIO_OPTIONS = {
  seed: { type: 'string' },
  strategy: { type: 'string' },
  arg: { type: 'string', multiple: true },
} as const;

export const SCENARIO_HELP = `  <scenario> is a built-in id (${scenarios.map((s) => s.id).join(', ')})
  or the path of a module (.ts or .js) exporting one: { id, description, build(sim, args) }.
  --seed N              the run's seed (default 1)
  --strategy S          in-order (default) or random
  --arg key=value       a scenario argument (repeat for more)`;

export const runCommand: Command = {
  name: 'run',
  help: `fltsim run <scenario> [--seed N] [--strategy in-order|random] [--arg key=value]... [--trace FILE]
  Run the scenario to its end and print how it ended; --trace writes its NDJSON trace file
  (docs/trace-format.md), which \`fltsim replay\` checks and steps through.
${SCENARIO_HELP}
  --trace FILE          write the trace there
  ${TRUST_NOTE}`,
  async run(argv, io) {
    const p = parseCommand('run', argv, { ...SCENARIO_OPTIONS, trace: { type: 'string' } });
    if (p.values['help'] === true) return (io.out(runCommand.help), EXIT.ok);
    const target = onePositional(p, 'run', 'scenario');
    const resolved = await resolveScenario(target);
    const sim = startScenario(p, resolved);
    const result = runToEnd(sim);
    const o = sim.options;
    const violations = sim.log.filter((f) => f.type === 'VerifierViolation').length;
    io.out(`# fltsim run ${resolved.scenario.id}, seed ${o.seed}, strategy ${o.strategy}: ${result.reason} after ${sim.log.length} facts, ${sim.choices.length} scheduling choices${violations > 0 ? `, ${violations} verifier violation(s)` : ''}`);
    const trace = stringOption(p, 'trace');
    if (trace !== undefined) {
      writeChunks(trace, traceFileChunks(sim, 10_000, { module: resolved.module }));
      io.out(`# trace written to ${trace} (fltsim replay ${trace})`);
    }
    return result.reason === 'idle' && violations === 0 ? EXIT.ok : EXIT.violation;
  },
};

/**
 * Run to the end; a verifier violation that ends the run (option onViolation 'throw', the default)
 * ends it here too, with its log — and so its trace — kept.
 */
export function runToEnd(sim: Simulation): { reason: string } {
  try {
    return sim.run();
  } catch (error) {
    if (error instanceof VerifierError) return { reason: `verifier violation ${error.rule}` };
    throw error;
  }
}

/** A fresh run of the resolved scenario with --seed, --strategy and --arg. */
export function startScenario(p: Parsed, resolved: ResolvedScenario): Simulation {
  const seed = integerOption(p, 'seed') ?? 1;
  const strategy = oneOf(p, 'strategy', ['in-order', 'random'] as const, 'in-order');
  return startRun({ scenario: resolved.scenario.id, args: scenarioArgs(p), options: { seed, strategy } }, resolved.registry);
}

export type { CliIo };
