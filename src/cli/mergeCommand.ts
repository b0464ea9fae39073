/**
 * `fltsim merge <result.json>...`: the report of a whole exploration plan from the result files of
 * its N shards (`fltsim explore --shard K/N`), byte for byte what one `fltsim explore` of the same
 * plan prints, and the same exit code. The files are untrusted data: each is checked (a one-line
 * BAD_SHARD_RESULT naming the file and the field, exit 3), the scenario must be a built-in id, and
 * the failing schedule is re-run here and must fail again before it is reported.
 */
import { mergeShards, type ShardResult } from '../explore/shard.js';
import { parseShardResult } from '../explore/shardFile.js';
import { findScenario } from '../scenarios/index.js';
import { checkScenarioArgs } from '../scenarios/scenario.js';
import { builtInScenarios } from '../scenarios/index.js';
import { UsageError } from '../kernel/errors.js';
import { parseCommand } from './args.js';
import { EXIT, inputError, usageError } from './exitCodes.js';
import { readText } from './files.js';
import { conclude } from './exploreCommand.js';
import type { Command } from './io.js';

export const MERGE_HELP = `fltsim merge <result.json>... [--trace FILE] [--trace-shrunk FILE]
  Merge the result files of every shard of one plan (fltsim explore ... --shard K/N) and print the
  report a single fltsim explore of that plan prints: the lowest failing schedule, its trace,
  shrunk, and the race windows' coverage summed. Exit 1 if a violation was found, as explore does.
  --trace FILE          write the failing schedule's trace
  --trace-shrunk FILE   write the shrunk schedule's trace
  Result files are data: each is checked, and nothing in one is run but a built-in scenario.`;

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge the result files of explore --shard K/N into one report',
  help: MERGE_HELP,
  async run(argv, io) {
    const p = parseCommand('merge', argv, { trace: { type: 'string' }, 'trace-shrunk': { type: 'string' } });
    if (p.values['help'] === true) return (io.out(MERGE_HELP), EXIT.ok);
    if (p.positionals.length === 0) throw usageError('needs the result files of every shard (try fltsim merge --help)');
    const results: ShardResult[] = p.positionals.map((file) => {
      const text = readText(file, 'shard result');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw inputError(`${file}: not JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
      }
      return parseShardResult(json, file);
    });
    const plan = results[0]!.plan;
    let scenario;
    try {
      scenario = findScenario(plan.scenario, builtInScenarios);
    } catch (error) {
      if (error instanceof UsageError) throw inputError(`${p.positionals[0]}: names scenario '${plan.scenario}', which is not built in`);
      throw error;
    }
    try {
      checkScenarioArgs(scenario, plan.args);
    } catch (error) {
      if (error instanceof UsageError) throw inputError(`${p.positionals[0]}: ${error.message}`);
      throw error;
    }
    const result = mergeShards(scenario, results);
    const options = { seed: plan.seed, schedules: plan.schedules, args: { ...plan.args } };
    return conclude(p, { target: plan.scenario, options }, { scenario, registry: builtInScenarios }, result, io, 1);
  },
};
