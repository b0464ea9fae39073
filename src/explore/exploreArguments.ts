/**
 * The arguments of the exploration functions (explore, runSchedule, replaySchedule, shrinkSchedule,
 * exhaustiveSearch, reducedSearch, the strategies, windowHits, …), checked where each is called
 * (issue 14): a target without `build`, a seed that is NaN, a schedule budget that is a fraction,
 * a monitor that is not a function is a UsageError BAD_ARGUMENT naming the function and the
 * field — never a TypeError in the middle of the hundredth schedule.
 */
import { badArgument, booleanArgument, functionArgument, integerArgument, kindOf, oneOfArgument, sizeArgument, stringArgument } from '../kernel/arguments.js';
import { arrayOfArgument, shapeArgument, type Shape } from '../kernel/dataArguments.js';
import type { Strategy } from '../kernel/strategy.js';
import type { RaceWindow } from './coverage.js';
import type { ChoicePoint } from './shrink.js';
import type { Explorable, Monitor } from './types.js';

const optional = (value: unknown, check: (v: unknown) => unknown): void => {
  if (value !== undefined) check(value);
};

/** A bound that may be lifted: a whole number from 0, or Infinity (preemptionBound, maxSchedules). */
function boundArgument(routine: string, name: string, value: unknown): number {
  if (value === Infinity) return value;
  return integerArgument(routine, name, value, 0, Number.MAX_SAFE_INTEGER, 'a whole number from 0, or Infinity');
}

export function raceWindowArgument(routine: string, name: string, value: unknown): RaceWindow {
  return shapeArgument(routine, name, value, { name: 'string', opensAt: 'function', closesAt: 'function', hitBy: 'function' }, 'a RaceWindow ({ name, opensAt, closesAt, hitBy })');
}

export function raceWindowsArgument(routine: string, name: string, value: unknown): readonly RaceWindow[] {
  return arrayOfArgument(routine, name, value, (w, at) => raceWindowArgument(routine, at, w), 'an array of RaceWindow');
}

/** A scenario or any `{ build(sim, args) }` exploration can run. */
export function explorableArgument(routine: string, value: unknown): Explorable {
  const target = shapeArgument<Explorable>(routine, 'target', value, { id: 'string?', build: 'function', windows: 'array?' }, 'an Explorable (a Scenario, or { build(sim, args) })');
  const options = (target as { options?: unknown }).options;
  if (options !== undefined && typeof options !== 'function' && (options === null || typeof options !== 'object')) {
    throw badArgument(routine, `target.options is ${kindOf(options)}, not scenario options or a function of (seed, args)`);
  }
  optional(target.windows, (v) => raceWindowsArgument(routine, 'target.windows', v));
  optional(target.sharedState, (v) => oneOfArgument(routine, 'target.sharedState', v, ['cells'] as const));
  return target;
}

export function strategyArgument(routine: string, name: string, value: unknown): Strategy {
  return shapeArgument<Strategy>(routine, name, value, { name: 'string', choose: 'function' }, 'a Strategy ({ name, choose })');
}

export function choicesArgument(routine: string, name: string, value: unknown): readonly string[] {
  return arrayOfArgument(routine, name, value, (c, at) => stringArgument(routine, at, c), 'a choice list (an array of thread ids)');
}

export function monitorsArgument(routine: string, name: string, value: unknown): readonly Monitor[] {
  return arrayOfArgument(routine, name, value, (m, at) => functionArgument<Monitor>(routine, at, m, false)!, 'an array of monitors');
}

export function choicePointsArgument(routine: string, name: string, value: unknown): readonly ChoicePoint[] {
  return arrayOfArgument(routine, name, value, (p, at) => {
    const point = shapeArgument<ChoicePoint>(routine, at, p, { chosen: 'string', enabled: 'array' }, 'a ChoicePoint ({ chosen, previous, enabled })');
    if (point.previous !== null) stringArgument(routine, `${at}.previous`, point.previous);
    return point;
  }, 'an array of ChoicePoint');
}

/** The fields every schedule option set shares (ExploreOptions, ReplayOptions, ScheduleOptions); `required` for ScheduleOptions. */
export function scheduleFieldsArgument(routine: string, name: string, value: unknown, required: boolean): Record<string, unknown> {
  const shape: Shape = required
    ? { seed: 'integer', args: 'object', maxSteps: 'integer', maxOperationsInFlight: 'integer', invariants: 'boolean', monitors: 'array' }
    : { seed: 'integer?', args: 'object?', maxSteps: 'integer?', maxOperationsInFlight: 'integer?', invariants: 'boolean?', monitors: 'array?' };
  const o = shapeArgument<Record<string, unknown>>(routine, name, value, shape, 'schedule options');
  optional(o['maxSteps'], (v) => sizeArgument(routine, `${name}.maxSteps`, v));
  optional(o['maxOperationsInFlight'], (v) => sizeArgument(routine, `${name}.maxOperationsInFlight`, v));
  optional(o['monitors'], (v) => monitorsArgument(routine, `${name}.monitors`, v));
  optional(o['disabledRules'], (v) => arrayOfArgument(routine, `${name}.disabledRules`, v, (r, at) => stringArgument(routine, at, r), 'an array of rule ids'));
  optional(o['onBuilt'], (v) => functionArgument(routine, `${name}.onBuilt`, v, false));
  return o;
}

export function exploreOptionsArgument(routine: string, value: unknown): void {
  if (value === undefined || value === null) return;
  const o = scheduleFieldsArgument(routine, 'options', value, false);
  optional(o['strategy'], (v) => oneOfArgument(routine, 'options.strategy', v, ['random', 'pct', 'exhaustive'] as const));
  optional(o['schedules'], (v) => sizeArgument(routine, 'options.schedules', v));
  optional(o['maxRuns'], (v) => sizeArgument(routine, 'options.maxRuns', v));
  optional(o['depth'], (v) => integerArgument(routine, 'options.depth', v, 1, 1000, 'a PCT depth (1 to 1000)'));
  optional(o['preemptionBound'], (v) => boundArgument(routine, 'options.preemptionBound', v));
  optional(o['reduction'], (v) => oneOfArgument(routine, 'options.reduction', v, ['none', 'sleep-sets', 'dpor', 'stateful-dpor'] as const));
  optional(o['splitDepth'], (v) => sizeArgument(routine, 'options.splitDepth', v));
  optional(o['stateHashing'], (v) => booleanArgument(routine, 'options.stateHashing', v));
  optional(o['shrink'], (v) => booleanArgument(routine, 'options.shrink', v));
  optional(o['windows'], (v) => raceWindowsArgument(routine, 'options.windows', v));
  optional(o['onSchedule'], (v) => functionArgument(routine, 'options.onSchedule', v, false));
}

/** ExhaustiveOptions (exhaustiveSearch, reducedSearch). */
export function exhaustiveOptionsArgument(routine: string, value: unknown): void {
  const o = scheduleFieldsArgument(routine, 'options', value, true);
  shapeArgument(routine, 'options', o, { preemptionBound: 'number', stateHashing: 'boolean', maxSchedules: 'number', maxRuns: 'number?', visit: 'function' }, 'ExhaustiveOptions');
  boundArgument(routine, 'options.preemptionBound', o['preemptionBound']);
  boundArgument(routine, 'options.maxSchedules', o['maxSchedules']);
  optional(o['maxRuns'], (v) => boundArgument(routine, 'options.maxRuns', v));
  optional(o['root'], (v) => choicesArgument(routine, 'options.root', v));
}
