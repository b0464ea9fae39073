/**
 * `fltsim explore <scenario>`: run a scenario under many schedules, stop at the first violation,
 * shrink it, and print it with its trace (or write the shrunk run as a trace file). Exit 1 when a
 * violation is found, 0 when none is, 2 for bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { explore, replaySchedule } from '../explore/explore.js';
import { formatCoverage } from '../explore/coverage.js';
import type { ExploreResult, StrategyChoice } from '../explore/types.js';
import { scenarioById, scenarios } from '../scenarios/index.js';
import type { Scenario } from '../scenarios/scenario.js';
import { traceFileText } from '../tracefile/writer.js';
import type { CliIo } from './main.js';
import { exploreInParallel } from './parallelExplore.js';
import { ProgressLine } from './progressLine.js';
import { ArgError, integer, one, parse, report, sync, type Parsed } from './travelCommands.js';

export const EXPLORE_HELP = `fltsim explore <scenario> [--strategy random|pct|exhaustive] [--schedules N] [--seed N]
                [--depth D] [--bound B] [--arg key=value]... [--trace shrunk.ndjson] [--workers N]
  Run the scenario under up to N schedules (default 1000) and stop at the first violation of a
  §14 invariant, a verifier rule, a deadlock or a liveness bound; shrink it to a schedule where
  removing any preemption makes it pass, and print it. PCT takes a depth (default 2), exhaustive
  search a preemption bound (default 2). Prints, per race window the scenario declares, the
  schedules that reached it, and names the windows never reached. Exit 1 if a violation was found.
  --workers N spreads random or PCT schedules over N threads with the same result as one thread
  (exhaustive search stays on one: its schedules share one visited-state set). On a terminal a
  progress line shows schedules done and the rate.
  Races to try: ${scenarios.filter((s) => s.id.startsWith('race-')).map((s) => s.id).join(', ')} (--arg variant=buggy|fixed).`;

export function exploreCommand(args: readonly string[], io: CliIo): number | Promise<number> {
  let r: ExploreRequest | number;
  try {
    r = exploreRequest(args, io);
  } catch (error) {
    return report(io, error);
  }
  if (typeof r === 'number') return r;
  const progress = io.progress === undefined ? null : new ProgressLine(io.progress, () => Date.now());
  if (r.workers > 1 && r.strategy !== 'exhaustive') {
    return exploreInParallel(r.scenario, { ...r.options, strategy: r.strategy }, r.workers, (done, budget, violations) => progress?.update(done, budget, violations)).then(
      (result) => (progress?.end(), sync(io, () => conclude(r, result, io, r.workers))),
      (error: unknown) => (progress?.end(), report(io, error)),
    );
  }
  return sync(io, () => {
    if (r.workers > 1) io.out('# --workers ignored: exhaustive search runs on one thread (its schedules share one visited-state set)');
    const budget = r.options.schedules ?? 1000;
    const result = explore(r.scenario, { ...r.options, strategy: r.strategy, ...(progress === null ? {} : { onSchedule: (i: number, failed: boolean) => progress.update(i + 1, budget, failed ? 1 : 0) }) });
    progress?.end();
    return conclude(r, result, io);
  });
}

interface ExploreRequest {
  readonly scenario: Scenario;
  readonly strategy: StrategyChoice;
  readonly options: { seed: number; schedules: number; args: Record<string, string>; depth?: number; preemptionBound?: number };
  readonly workers: number;
  readonly parsed: Parsed;
}

/** The parsed command, or an exit code (0 after --help). Throws ArgError for bad arguments. */
function exploreRequest(args: readonly string[], io: CliIo): ExploreRequest | number {
  const parsed = parse('explore', args, {
    '--strategy': 'value',
    '--schedules': 'value',
    '--seed': 'value',
    '--depth': 'value',
    '--bound': 'value',
    '--arg': 'repeat',
    '--trace': 'value',
    '--workers': 'value',
  });
  if (parsed === 'help') return (io.out(EXPLORE_HELP), 0);
  const scenario = scenarioById(one(parsed, 'explore', 'scenario'));
  const strategy = parsed.flags.get('--strategy')?.[0] ?? 'random';
  if (strategy !== 'random' && strategy !== 'pct' && strategy !== 'exhaustive') {
    throw new ArgError(`fltsim explore: --strategy must be random, pct or exhaustive, got '${strategy}'`);
  }
  const workers = integer(parsed, 'explore', '--workers') ?? 1;
  if (workers < 1 || workers > 64) throw new ArgError(`fltsim explore: --workers must be between 1 and 64, got ${workers}`);
  const depth = integer(parsed, 'explore', '--depth');
  const bound = integer(parsed, 'explore', '--bound');
  const options = {
    seed: integer(parsed, 'explore', '--seed') ?? 1,
    schedules: integer(parsed, 'explore', '--schedules') ?? 1000,
    args: argsOf(parsed),
    ...(depth === undefined ? {} : { depth }),
    ...(bound === undefined ? {} : { preemptionBound: bound }),
  };
  return { scenario, strategy, options, workers, parsed };
}

/** Print the result, write the shrunk trace when asked; exit 1 for a violation. */
function conclude(r: ExploreRequest, result: ExploreResult, io: CliIo, threads = 1): number {
  for (const line of describeExploration(r.scenario, result, threads)) io.out(line);
  const out = r.parsed.flags.get('--trace')?.[0];
  if (out !== undefined && result.found) {
    const replay = replaySchedule(r.scenario, { seed: result.seed, choices: result.shrunk?.choices ?? result.choices, args: r.options.args });
    writeFileSync(out, traceFileText(replay.sim));
    io.out(`# the shrunk schedule's trace is in ${out} (fltsim replay / fltsim export read it)`);
  }
  return result.found ? 1 : 0;
}

function argsOf(p: Parsed): Record<string, string> {
  const args: Record<string, string> = {};
  for (const kv of p.flags.get('--arg') ?? []) {
    const m = /^([A-Za-z_][\w-]*)=(.*)$/.exec(kv);
    if (m === null) throw new ArgError(`fltsim explore: --arg needs key=value, got '${kv}'`);
    args[m[1]!] = m[2]!;
  }
  return args;
}

/** What a person reads: the outcome, and for a violation the shrunk schedule and its trace. */
export function describeExploration(scenario: Scenario, r: ExploreResult, threads = 1): string[] {
  const on = threads > 1 ? ` on ${threads} worker threads` : '';
  const lines = [`# explored ${scenario.id} with ${r.strategy}${on}: ${r.schedules} schedule(s)${r.exhausted ? ', the bounded space exhausted' : ''}`];
  if (r.pctBound !== null) lines.push(`# PCT guarantees each schedule finds a bug of depth ${r.pctBound.depth} with probability at least ${r.pctBound.probability.toPrecision(3)} (n=${r.pctBound.threads}, k=${r.pctBound.steps})`);
  lines.push(...formatCoverage(r.coverage, r.schedules));
  if (!r.found || r.violation === null) return [...lines, '# no violation found'];
  lines.push(`# VIOLATION (${r.violation.kind}) ${r.violation.name} at #${r.violation.seq}: ${r.violation.message}`);
  lines.push(`# found by schedule seed ${r.seed}, ${r.choices.length} choices${r.shrunk === null ? '' : `; shrunk to ${r.shrunk.preemptions} preemption(s)`}`);
  lines.push(`# replay it: fltsim explore ${scenario.id} --strategy ${r.strategy} --seed ${r.seed} --schedules 1, or replaySchedule(scenario, { seed, choices })`);
  lines.push('# trace of the failing schedule (one fact per line):');
  lines.push(...(r.shrunk?.trace ?? r.trace));
  return lines;
}
