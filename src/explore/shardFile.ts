/**
 * Reading a shard result (shard.ts) that came from elsewhere: a CI artifact, a pod's volume. It is
 * untrusted data, checked field by field before anything is merged; the first problem is one line,
 * a UsageError BAD_SHARD_RESULT naming the field. Nothing in it is ever run: the scenario is a
 * built-in id or a module the merge loads only when its SHA-256 matches (as replay does a trace's),
 * and the failing schedule is re-run and must fail again.
 */
import { UsageError } from '../kernel/errors.js';
import { isVerifierRule, VERIFIER_RULE_IDS, type VerifierRule } from '../kernel/verifierRules.js';
import { MAX_RUNS, REDUCTIONS, shardError, type ShardPlan, type ShardResult, type ShardUnit } from './shard.js';

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(o: Record<string, Json>, key: string, where: string): Json {
  if (!Object.hasOwn(o, key)) throw shardError(`${where}: '${key}' is missing`);
  return o[key];
}

function integer(v: Json, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw shardError(`${where} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v;
}

function text(v: Json, where: string, pattern: RegExp): string {
  if (typeof v !== 'string' || v.length > 1000 || !pattern.test(v)) throw shardError(`${where} is not valid: ${JSON.stringify(v)?.slice(0, 60)}`);
  return v;
}

function array(v: Json, where: string, max: number): Json[] {
  if (!Array.isArray(v) || v.length > max) throw shardError(`${where} must be a list of at most ${max} entries`);
  return v;
}

const MAX_SCHEDULES = 100_000_000;

function plan(v: Json): ShardPlan {
  if (!isObject(v)) throw shardError('plan must be an object');
  const argsIn = field(v, 'args', 'plan');
  if (!isObject(argsIn) || Object.keys(argsIn).length > 64) throw shardError('plan.args must be an object of at most 64 strings');
  const args: Record<string, string> = {};
  for (const [k, value] of Object.entries(argsIn)) args[text(k, 'plan.args key', /^[A-Za-z_][\w-]*$/)] = text(value, `plan.args.${k}`, /^[\s\S]*$/);
  const strategy = field(v, 'strategy', 'plan');
  if (strategy !== 'random' && strategy !== 'pct' && strategy !== 'exhaustive') throw shardError(`plan.strategy must be random, pct or exhaustive, got ${JSON.stringify(strategy)?.slice(0, 40)}`);
  const module = moduleRef(v);
  return {
    // A built-in id, or a module's own id (any printable text: the module is what is loaded).
    scenario: text(field(v, 'scenario', 'plan'), 'plan.scenario', module === undefined ? /^[A-Za-z0-9][\w.-]{0,99}$/ : /^[^\0-\x1f]{1,200}$/),
    ...(module === undefined ? {} : { module }),
    args,
    strategy,
    seed: integer(field(v, 'seed', 'plan'), 'plan.seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    schedules: integer(field(v, 'schedules', 'plan'), 'plan.schedules', 1, MAX_SCHEDULES),
    depth: integer(field(v, 'depth', 'plan'), 'plan.depth', 1, 64),
    bound: integer(field(v, 'bound', 'plan'), 'plan.bound', 0, 64),
    splitDepth: integer(field(v, 'splitDepth', 'plan'), 'plan.splitDepth', 0, 16),
    ...(Object.hasOwn(v, 'maxRuns') ? { maxRuns: integer(v['maxRuns']!, 'plan.maxRuns', 1, MAX_RUNS) } : {}),
    ...reduction(v),
    ...disabledRules(v),
  };
}

/** plan.reduction, when present: one of ExploreOptions.reduction's values. */
function reduction(v: Record<string, Json>): { reduction?: (typeof REDUCTIONS)[number] } {
  if (!Object.hasOwn(v, 'reduction')) return {};
  const value = v['reduction'];
  const found = REDUCTIONS.find((r) => r === value);
  if (found === undefined) throw shardError(`plan.reduction must be one of ${REDUCTIONS.join(', ')}, got ${JSON.stringify(value)?.slice(0, 40)}`);
  return { reduction: found };
}

/** plan.disabledRules, when present: rule ids of the verifier's table (explore --disable-rule). */
function disabledRules(v: Record<string, Json>): { disabledRules?: readonly VerifierRule[] } {
  if (!Object.hasOwn(v, 'disabledRules')) return {};
  const rules = array(v['disabledRules']!, 'plan.disabledRules', VERIFIER_RULE_IDS.length).map((r, i) => {
    const id = text(r, `plan.disabledRules[${i}]`, /^[A-Z][A-Z0-9_]{0,63}$/);
    if (!isVerifierRule(id)) throw shardError(`plan.disabledRules[${i}] names no verifier rule: ${id}`);
    return id;
  });
  return { disabledRules: rules };
}

/**
 * plan.module, when the plan's scenario came from a module: `{ path, sha256 }` as a trace header
 * holds it. The path is only read here; merge loads a module only after its digest matches.
 */
function moduleRef(v: Record<string, Json>): ShardPlan['module'] {
  if (!Object.hasOwn(v, 'module')) return undefined;
  const m = v['module'];
  if (!isObject(m) || Object.keys(m).length !== 2) throw shardError('plan.module must be { path, sha256 }');
  return {
    path: text(field(m, 'path', 'plan.module'), 'plan.module.path', /^[^\0]+$/),
    sha256: text(field(m, 'sha256', 'plan.module'), 'plan.module.sha256', /^[0-9a-f]{64}$/),
  };
}

function unit(v: Json, where: string, windows: number, p: ShardPlan): ShardUnit {
  if (!isObject(v)) throw shardError(`${where} must be an object`);
  const schedules = integer(field(v, 'schedules', where), `${where}.schedules`, 0, p.schedules);
  const positions = p.strategy === 'exhaustive' ? schedules : p.schedules;
  const hits = array(field(v, 'hits', where), `${where}.hits`, schedules).map((h, i) => {
    const row = array(h, `${where}.hits[${i}]`, windows + 1);
    if (row.length !== windows + 1) throw shardError(`${where}.hits[${i}] must hold a position and ${windows} count(s)`);
    return row.map((x, j) => integer(x, `${where}.hits[${i}][${j}]`, 0, j === 0 ? positions - 1 : Number.MAX_SAFE_INTEGER));
  });
  const failureIn = field(v, 'failure', where);
  let failure: ShardUnit['failure'] = null;
  if (failureIn !== null) {
    if (!isObject(failureIn)) throw shardError(`${where}.failure must be an object or null`);
    failure = {
      at: integer(field(failureIn, 'at', `${where}.failure`), `${where}.failure.at`, 0, positions - 1),
      choices: array(field(failureIn, 'choices', `${where}.failure`), `${where}.failure.choices`, 10_000_000).map((c, i) => text(c, `${where}.failure.choices[${i}]`, /^T\d{1,9}$/)),
    };
  }
  const exhausted = field(v, 'exhausted', where);
  if (typeof exhausted !== 'boolean') throw shardError(`${where}.exhausted must be true or false`);
  return { unit: integer(field(v, 'unit', where), `${where}.unit`, 0, 100_000_000), schedules, exhausted, prunedAfterLast: integer(field(v, 'prunedAfterLast', where), `${where}.prunedAfterLast`, 0, Number.MAX_SAFE_INTEGER), hits, failure };
}

/** Check parsed JSON (from `file`, for messages) is a shard result and return it typed. */
export function parseShardResult(json: Json, file: string): ShardResult {
  try {
    if (!isObject(json)) throw shardError('not a JSON object');
    if (json['format'] !== 'fltsim-explore-shard') throw shardError(`not an fltsim shard result (format ${JSON.stringify(json['format'])?.slice(0, 40)})`);
    if (json['version'] !== 1) throw shardError(`shard result version ${JSON.stringify(json['version'])?.slice(0, 20)} is not supported (this fltsim reads version 1)`);
    const p = plan(field(json, 'plan', 'result'));
    const shard = field(json, 'shard', 'result');
    if (!isObject(shard)) throw shardError('shard must be an object');
    const count = integer(field(shard, 'count', 'shard'), 'shard.count', 1, 10_000);
    const index = integer(field(shard, 'index', 'shard'), 'shard.index', 1, count);
    const windows = integer(field(json, 'windows', 'result'), 'windows', 0, 1000);
    const roots = integer(field(json, 'roots', 'result'), 'roots', 0, 100_000_000);
    const units = array(field(json, 'units', 'result'), 'units', p.strategy === 'exhaustive' ? roots : 1).map((u, i) => unit(u, `units[${i}]`, windows, p));
    if (p.strategy === 'exhaustive') {
      units.forEach((u, i) => {
        if (u.unit >= roots || u.unit % count !== index - 1 || (i > 0 && u.unit <= units[i - 1]!.unit)) throw shardError(`units[${i}] is subtree ${u.unit}, not one of shard ${index}/${count}'s in order`);
        if (u.failure !== null && u.failure.at !== u.schedules - 1) throw shardError(`units[${i}].failure is not its last schedule`);
      });
    } else {
      const u = units[0];
      if (units.length !== 1 || u === undefined || u.unit !== index - 1) throw shardError(`a ${p.strategy} shard holds exactly one unit, starting at index ${index - 1}`);
      const mine = (at: number) => at % count === index - 1;
      if (!u.hits.every((h) => mine(h[0]!)) || (u.failure !== null && !mine(u.failure.at))) throw shardError(`schedule indices of shard ${index}/${count} must be ${index - 1} modulo ${count}`);
    }
    return { format: 'fltsim-explore-shard', version: 1, plan: p, shard: { index, count }, windows, roots, units };
  } catch (error) {
    if (error instanceof UsageError) throw shardError(`${file}: ${error.message.replace(/^\[BAD_SHARD_RESULT\] /, '')}`);
    throw error;
  }
}
