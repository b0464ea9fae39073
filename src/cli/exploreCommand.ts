/**
 * `fltsim explore <scenario>`: run a scenario under many schedules, stop at the first violation,
 * shrink it, and print it with its trace; `--trace` / `--trace-shrunk` write the failing and the
 * shrunk schedule as trace files `fltsim replay` checks and lands on. Exit 1 when a violation is
 * found, 0 when none is.
 */
import { explore, replaySchedule } from '../explore/explore.js';
import { formatCoverage } from '../explore/coverage.js';
import type { ExploreResult, StrategyChoice } from '../explore/types.js';
import type { Scenario } from '../scenarios/scenario.js';
import { traceFileChunks } from '../tracefile/writer.js';
import { integerOption, listOption, oneOf, onePositional, parseCommand, scenarioArgs, stringOption, type Parsed } from './args.js';
import { EXIT, usageError } from './exitCodes.js';
import { isVerifierRule, type VerifierRule } from '../kernel/verifierRules.js';
import { writeChunks } from './files.js';
import { TRUST_NOTE, type CliIo, type Command } from './io.js';
import { exhaustiveInParallel, exploreInParallel } from './parallelExplore.js';
import { ProgressLine } from './progressLine.js';
import { checkScenarioArgs } from '../scenarios/scenario.js';
import { runShardCommand, shardOption, shardPlan } from './shardCommand.js';
import { MAX_RUNS, REDUCTIONS, type Reduction } from '../explore/shard.js';
import { resolveScenario, type ResolvedScenario } from './scenarioModule.js';
import { builtInScenarios as scenarios } from '../scenarios/index.js';

export const EXPLORE_HELP = `fltsim explore <scenario> [--strategy random|pct|exhaustive] [--schedules N] [--seed N]
                [--depth D] [--bound B] [--split-depth S] [--max-runs R]
                [--reduction none|sleep-sets|dpor|stateful-dpor] [--arg key=value]... [--trace FILE] [--trace-shrunk FILE]
                [--workers N] [--shard K/N [--out FILE]] [--disable-rule RULE]...
  Run the scenario (a built-in id or a module path) under up to N schedules (default 1000) and stop
  at the first violation of a §14 invariant, a verifier rule, a deadlock or a liveness bound;
  shrink it to a schedule where removing any preemption makes it pass, and print it. PCT takes a
  depth (default 2), exhaustive search a preemption bound (default 2). Prints, per race window the
  scenario declares, the schedules that reached it, and names the windows never reached.
  Exhaustive search uses partial-order reduction (DPOR with sleep sets; docs/exploration.md).
  --trace FILE          write the failing schedule's trace (fltsim replay FILE lands on the violation)
  --trace-shrunk FILE   write the shrunk schedule's trace
  --workers N           spread the schedules over N threads with the same result as one (random,
                        PCT: schedule indices; exhaustive: the subtrees of --split-depth, dealt out
                        as to N shards)
  --split-depth S       exhaustive: search the subtree under each choice prefix of length S on its
                        own (default 0: one tree); the unit --shard deals out
  --reduction MODE      exhaustive: dpor (default), stateful-dpor (stops runs at visited states;
                        sound when threads share state only through sharedCell: docs/exploration.md),
                        sleep-sets, or none (every interleaving within the bound, state hashing)
  --max-runs R          exhaustive: at most R runs per subtree, complete or cut short at a visited
                        state (default 10 x --schedules); cut runs cost a re-execution but are no
                        schedule, so the schedule budget alone does not bound the time
  --shard K/N           run only the K-th of N partitions of this plan (schedule indices, or
                        exhaustive subtrees) and write a result file; fltsim merge prints the report
                        of the whole plan from the N files (a module's file records its path
                        and SHA-256, and merge refuses a module that changed)
  --out FILE            where --shard writes its result (default shard-K-of-N.json)
  --disable-rule RULE   a verifier rule (docs/verifier.md) that does not count as a violation: the
                        run goes on to the next finding; repeat for several (the log still holds them)
  On a terminal a progress line shows schedules done and the rate. Exit 1 if a violation was found.
  Races to try: ${scenarios.filter((s) => s.id.startsWith('race-')).map((s) => s.id).join(', ')} (--arg variant=buggy|fixed).
  ${TRUST_NOTE}`;

export const exploreCommand: Command = {
  name: 'explore',
  help: EXPLORE_HELP,
  async run(argv, io) {
    const p = parseCommand('explore', argv, {
      strategy: { type: 'string' },
      schedules: { type: 'string' },
      seed: { type: 'string' },
      depth: { type: 'string' },
      bound: { type: 'string' },
      arg: { type: 'string', multiple: true },
      trace: { type: 'string' },
      'trace-shrunk': { type: 'string' },
      workers: { type: 'string' },
      'split-depth': { type: 'string' },
      'max-runs': { type: 'string' },
      reduction: { type: 'string' },
      shard: { type: 'string' },
      out: { type: 'string' },
      'disable-rule': { type: 'string', multiple: true },
    });
    if (p.values['help'] === true) return (io.out(EXPLORE_HELP), EXIT.ok);
    const r = request(p);
    const resolved = await resolveScenario(r.target);
    checkScenarioArgs(resolved.scenario, r.options.args); // before any worker starts
    if (r.shard !== null) return runShardCommand(p, r, r.shard, resolved, io);
    const progress = io.progress === undefined ? null : new ProgressLine(io.progress, () => Date.now());
    let result: ExploreResult;
    if (r.workers > 1 && r.strategy !== 'exhaustive') {
      try {
        const module = resolved.module?.path;
        result = await exploreInParallel(resolved.scenario, { ...r.options, strategy: r.strategy }, r.workers, module, (done, budget, violations) => progress?.update(done, budget, violations));
      } finally {
        progress?.end();
      }
    } else if (r.workers > 1) {
      result = await exhaustiveInParallel(resolved.scenario, shardPlan(r, resolved), r.workers);
    } else {
      const budget = r.options.schedules;
      result = explore(resolved.scenario, { ...r.options, strategy: r.strategy, ...(progress === null ? {} : { onSchedule: (i: number, failed: boolean) => progress.update(i + 1, budget, failed ? 1 : 0) }) });
      progress?.end();
    }
    return conclude(p, r, resolved, result, io, r.workers);
  },
};

interface ExploreRequest {
  readonly target: string;
  readonly strategy: StrategyChoice;
  readonly options: ExploreCliOptions;
  readonly workers: number;
  readonly shard: { readonly index: number; readonly count: number } | null;
}

/** What the command line sets of ExploreOptions (explore, --workers, --shard and merge alike). */
export interface ExploreCliOptions {
  seed: number;
  schedules: number;
  args: Record<string, string>;
  depth?: number;
  preemptionBound?: number;
  splitDepth?: number;
  maxRuns?: number;
  reduction?: Reduction;
  disabledRules?: readonly VerifierRule[];
}

function request(p: Parsed): ExploreRequest {
  const target = onePositional(p, 'explore', 'scenario');
  const strategy = oneOf(p, 'strategy', ['random', 'pct', 'exhaustive'] as const, 'random');
  const workers = integerOption(p, 'workers', { min: 1, max: 64 }) ?? 1;
  const depth = integerOption(p, 'depth', { min: 1, max: 64 });
  const bound = integerOption(p, 'bound', { min: 0, max: 64 });
  const splitDepth = integerOption(p, 'split-depth', { min: 0, max: 16 });
  const maxRuns = integerOption(p, 'max-runs', { min: 1, max: MAX_RUNS });
  if (maxRuns !== undefined && strategy !== 'exhaustive') throw usageError('--max-runs bounds exhaustive search only (random and PCT run exactly --schedules runs)');
  const reduction = p.values['reduction'] === undefined ? undefined : oneOf(p, 'reduction', REDUCTIONS, 'dpor');
  if (reduction !== undefined && strategy !== 'exhaustive') throw usageError('--reduction applies to exhaustive search only');
  const disabledRules = disabledRulesOption(p);
  const options = {
    seed: integerOption(p, 'seed') ?? 1,
    schedules: integerOption(p, 'schedules', { min: 1, max: 100_000_000 }) ?? 1000,
    args: scenarioArgs(p),
    ...(depth === undefined ? {} : { depth }),
    ...(bound === undefined ? {} : { preemptionBound: bound }),
    ...(splitDepth === undefined ? {} : { splitDepth }),
    ...(maxRuns === undefined ? {} : { maxRuns }),
    ...(reduction === undefined ? {} : { reduction }),
    ...(disabledRules.length === 0 ? {} : { disabledRules }),
  };
  return { target, strategy, options, workers, shard: shardOption(p) };
}

/** `--disable-rule RULE`, repeated: each a rule id of the verifier's table, each once. */
function disabledRulesOption(p: Parsed): readonly VerifierRule[] {
  const rules: VerifierRule[] = [];
  for (const rule of listOption(p, 'disable-rule')) {
    if (!isVerifierRule(rule)) throw usageError(`--disable-rule names no verifier rule: '${rule.length > 40 ? `${rule.slice(0, 40)}…` : rule}' (the rules are in docs/verifier.md)`);
    if (!rules.includes(rule)) rules.push(rule);
  }
  return rules;
}

/** Print the result, write the traces asked for; exit 1 for a violation. */
export function conclude(p: Parsed, r: Pick<ExploreRequest, 'target' | 'options'>, resolved: ResolvedScenario, result: ExploreResult, io: CliIo, threads: number): number {
  // A module is named by its absolute path, so the line reads the same from a merge of shards.
  for (const line of describeExploration(resolved.scenario, result, threads, resolved.module?.path ?? r.target, r.options.reduction)) io.out(line);
  const writes: [string | undefined, readonly string[] | undefined, string][] = [
    [stringOption(p, 'trace'), result.choices, 'failing schedule'],
    [stringOption(p, 'trace-shrunk'), result.shrunk?.choices, 'shrunk schedule'],
  ];
  for (const [out, choices, what] of writes) {
    if (out === undefined) continue;
    if (!result.found || choices === undefined) {
      io.out(`# no ${what} to write to ${out}: no violation was found`);
      continue;
    }
    const replay = replaySchedule(resolved.scenario, { seed: result.seed, choices, args: r.options.args, ...(r.options.disabledRules === undefined ? {} : { disabledRules: r.options.disabledRules }) });
    writeChunks(out, traceFileChunks(replay.sim, 10_000, { module: resolved.module, violation: replay.violation }));
    io.out(`# the ${what}'s trace is in ${out}: fltsim replay ${out} checks it and lands on the violation`);
  }
  return result.found ? EXIT.violation : EXIT.ok;
}

/**
 * What a person reads: the outcome, and for a violation the shrunk schedule and its trace. An
 * exhaustive search says whether it covered its bounded space or spent its budget first (nothing
 * found then proves nothing), and when partial-order reduction had nothing to work with: a
 * scenario that does not declare its shared state makes every step dependent on every other.
 */
export function describeExploration(scenario: Scenario, r: ExploreResult, threads = 1, target: string = scenario.id, reduction: Reduction = 'dpor'): string[] {
  const on = threads > 1 ? ` on ${threads} worker threads` : '';
  const coverage = r.strategy !== 'exhaustive' || r.found ? '' : r.exhausted ? ', the bounded space exhausted' : ', the budget spent before the bounded space was exhausted (--schedules, --max-runs)';
  const lines = [`# explored ${scenario.id} with ${r.strategy}${on}: ${r.schedules} schedule(s)${coverage}`];
  if (r.strategy === 'exhaustive' && reduction !== 'none' && scenario.sharedState !== 'cells') {
    lines.push(`# partial-order reduction (${reduction}) skipped nothing: ${scenario.id} does not declare its shared state (sharedState: 'cells'), so every step counts as touching its filters' private variables (docs/exploration.md, "What makes a step dependent on everything")`);
  }
  if (r.pctBound !== null) lines.push(`# PCT guarantees each schedule finds a bug of depth ${r.pctBound.depth} with probability at least ${r.pctBound.probability.toPrecision(3)} (n=${r.pctBound.threads}, k=${r.pctBound.steps})`);
  lines.push(...formatCoverage(r.coverage, r.schedules));
  if (!r.found || r.violation === null) return [...lines, '# no violation found'];
  lines.push(`# VIOLATION (${r.violation.kind}) ${r.violation.name} at #${r.violation.seq}: ${r.violation.message}`);
  lines.push(`# found by schedule seed ${r.seed}, ${r.choices.length} choices${r.shrunk === null ? '' : `; shrunk to ${r.shrunk.preemptions} preemption(s)`}`);
  lines.push(`# replay it: fltsim explore ${target} --strategy ${r.strategy} --seed ${r.seed} --schedules 1 --trace failing.ndjson, then fltsim replay failing.ndjson`);
  // The shrunk schedule is printed when there is one; its violation sits at its own position.
  lines.push(r.shrunk === null ? '# trace of the failing schedule (one fact per line):' : `# trace of the shrunk schedule (one fact per line; its violation at #${r.shrunk.violation.seq}):`);
  lines.push(...(r.shrunk?.trace ?? r.trace));
  return lines;
}
