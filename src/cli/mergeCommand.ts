/**
 * `fltsim merge <result.json>...`: the report of a whole exploration plan from the result files of
 * its N shards (`fltsim explore --shard K/N`), byte for byte what one `fltsim explore` of the same
 * plan prints, and the same exit code. The files are untrusted data: each is checked (a one-line
 * BAD_SHARD_RESULT naming the file and the field, exit 3), and the failing schedule is re-run here
 * and must fail again before it is reported. A plan of a scenario module names the module as a trace
 * does (path and SHA-256): merge loads it — from there, or from --scenario PATH — as replay does,
 * only when every shard ran the same module and the file here still has that digest.
 */
import { mergeShards, type ShardResult } from '../explore/shard.js';
import { parseShardResult } from '../explore/shardFile.js';
import { findScenario } from '../scenarios/index.js';
import { checkScenarioArgs } from '../scenarios/scenario.js';
import { builtInScenarios } from '../scenarios/index.js';
import { UsageError } from '../kernel/errors.js';
import { parseCommand, stringOption } from './args.js';
import { EXIT, inputError, usageError } from './exitCodes.js';
import { readText } from './files.js';
import { conclude } from './exploreCommand.js';
import type { Command } from './io.js';
import { loadScenarioModule, type ResolvedScenario } from './scenarioModule.js';

export const MERGE_HELP = `fltsim merge <result.json>... [--trace FILE] [--trace-shrunk FILE] [--scenario PATH]
  Merge the result files of every shard of one plan (fltsim explore ... --shard K/N) and print the
  report a single fltsim explore of that plan prints: the lowest failing schedule, its trace,
  shrunk, and the race windows' coverage summed. Exit 1 if a violation was found, as explore does.
  --trace FILE          write the failing schedule's trace
  --trace-shrunk FILE   write the shrunk schedule's trace
  --scenario PATH       the scenario module, when it is not where the result files say
  Result files are data: each is checked, never executed. A plan of a scenario module names the
  module (path and SHA-256); merge loads that module — code, trusted — and refuses it if it differs
  from the one the shards ran.`;

export const mergeCommand: Command = {
  name: 'merge',
  help: MERGE_HELP,
  async run(argv, io) {
    const p = parseCommand('merge', argv, { trace: { type: 'string' }, 'trace-shrunk': { type: 'string' }, scenario: { type: 'string' } });
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
    const resolved = await planScenario(results, p.positionals, stringOption(p, 'scenario'));
    const scenario = resolved.scenario;
    try {
      checkScenarioArgs(scenario, plan.args);
    } catch (error) {
      if (error instanceof UsageError) throw inputError(`${p.positionals[0]}: ${error.message}`);
      throw error;
    }
    const result = mergeShards(scenario, results);
    const options = { seed: plan.seed, schedules: plan.schedules, args: { ...plan.args }, ...(plan.reduction === undefined ? {} : { reduction: plan.reduction }), ...(plan.disabledRules === undefined ? {} : { disabledRules: plan.disabledRules }) };
    return conclude(p, { target: plan.scenario, options }, resolved, result, io, 1);
  },
};

/**
 * The plan's scenario: a built-in id, or its module — loaded only once the result files agree on
 * one module (mergeShards checks the rest of the plan) and its file here has their digest.
 */
async function planScenario(results: readonly ShardResult[], files: readonly string[], override: string | undefined): Promise<ResolvedScenario> {
  const plan = results[0]!.plan;
  const module = plan.module;
  if (module === undefined) {
    if (override !== undefined) throw usageError(`--scenario names a module, but ${files[0]} is a plan of the built-in scenario '${plan.scenario}'`);
    try {
      return { scenario: findScenario(plan.scenario, builtInScenarios), registry: builtInScenarios };
    } catch (error) {
      if (error instanceof UsageError) throw inputError(`${files[0]}: names scenario '${plan.scenario}', which is not built in`);
      throw error;
    }
  }
  results.forEach((r, i) => {
    if (r.plan.module?.sha256 !== module.sha256) throw inputError(`${files[i]}: [BAD_SHARD_RESULT] ran ${r.plan.module === undefined ? 'a built-in scenario' : `scenario module ${r.plan.module.path} with SHA-256 ${r.plan.module.sha256.slice(0, 12)}…`}, ${files[0]} module ${module.path} with ${module.sha256.slice(0, 12)}…: the shards ran different scenario modules`);
  });
  const loaded = await loadScenarioModule(override ?? module.path, module, { since: 'the shards ran', had: 'the shards had', needs: 'merge' });
  if (loaded.scenario.id !== plan.scenario) throw inputError(`${loaded.module!.path} exports scenario '${loaded.scenario.id}', the shards ran '${plan.scenario}'`);
  return loaded;
}
