/**
 * Shrinking a failing schedule to a 1-minimal one: delta debugging (Zeller's ddmin) over its
 * preemptions. A preemption is a choice that switches away from the thread that ran last while that
 * thread could still run; a schedule without preemptions is what the in-order strategy does. Each
 * candidate drops a set of preemptions (the preempted thread keeps running instead) and is re-run
 * with a lenient replay; it is kept if it fails with the same violation, and its real choices
 * become the new schedule. It ends when removing any single remaining preemption makes it pass.
 */
import { badArgument, integerArgument, kindOf } from '../kernel/arguments.js';
import { shapeArgument } from '../kernel/dataArguments.js';
import { choicePointsArgument, choicesArgument, explorableArgument, scheduleFieldsArgument } from './exploreArguments.js';
import { UsageError } from '../kernel/errors.js';
import type { Strategy } from '../kernel/strategy.js';
import { runSchedule, sameViolation, type ScheduleOptions, type ScheduleOutcome } from './run.js';
import type { Explorable, ExplorationViolation } from './types.js';

/** One real choice as the kernel offered it. */
export interface ChoicePoint {
  readonly chosen: string;
  readonly previous: string | null;
  readonly enabled: readonly string[];
}

/** Wrap a strategy so every choice it makes is written to `out`. */
export function recordingStrategy(inner: Strategy, out: ChoicePoint[]): Strategy {
  return {
    name: inner.name,
    choose(enabled, context) {
      const i = inner.choose(enabled, context);
      out.push({ chosen: enabled[i]!.id, previous: context.previous, enabled: enabled.map((t) => t.id) });
      return i;
    },
  };
}

/**
 * Follow `choices` by position; where the recorded thread is not enabled (the run has drifted) or
 * the list has run out, do what in-order does: keep the last thread if it can run, else the oldest.
 * Never throws, unlike replayStrategy, because a shrinking candidate is allowed to drift.
 */
export function lenientReplayStrategy(choices: readonly string[]): Strategy {
  choicesArgument('lenientReplayStrategy', 'choices', choices);
  return {
    name: 'lenient-replay',
    choose(enabled, { choiceIndex, previous }) {
      const wanted = choices[choiceIndex];
      const i = wanted === undefined ? -1 : enabled.findIndex((t) => t.id === wanted);
      if (i >= 0) return i;
      const p = previous === null ? -1 : enabled.findIndex((t) => t.id === previous);
      return p >= 0 ? p : 0;
    },
  };
}

/** Positions of the preemptions among recorded choice points. */
export function preemptionsOf(points: readonly ChoicePoint[]): number[] {
  choicePointsArgument('preemptionsOf', 'points', points);
  const out: number[] = [];
  points.forEach((p, i) => {
    if (p.previous !== null && p.chosen !== p.previous && p.enabled.includes(p.previous)) out.push(i);
  });
  return out;
}

/** The choice list with the preemptions at `drop` undone: the preempted thread keeps running there. */
export function withoutPreemptions(points: readonly ChoicePoint[], drop: Iterable<number>): string[] {
  choicePointsArgument('withoutPreemptions', 'points', points);
  if (drop === null || typeof drop !== 'object' || typeof (drop as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw badArgument('withoutPreemptions', `drop is ${kindOf(drop)}, not an iterable of positions`);
  }
  const choices = points.map((p) => p.chosen);
  for (const i of drop) {
    const at = integerArgument('withoutPreemptions', 'drop[]', i, 0, points.length - 1, `a position among the ${points.length} choice points`);
    const previous = points[at]!.previous;
    if (previous === null) throw badArgument('withoutPreemptions', `choice point ${at} has no previous thread: not a preemption`);
    choices[at] = previous;
  }
  return choices;
}

export interface ReplayedSchedule extends ScheduleOutcome {
  readonly points: readonly ChoicePoint[];
}

/** Re-run `choices` leniently in a fresh simulation, recording every choice point. */
export function replayLeniently(target: Explorable, options: Omit<ScheduleOptions, 'strategy'>, choices: readonly string[]): ReplayedSchedule {
  explorableArgument('replayLeniently', target);
  scheduleFieldsArgument('replayLeniently', 'options', options, true);
  choicesArgument('replayLeniently', 'choices', choices);
  const points: ChoicePoint[] = [];
  const outcome = runSchedule(target, { ...options, strategy: recordingStrategy(lenientReplayStrategy(choices), points) });
  return { ...outcome, points };
}

export interface ShrinkResult {
  readonly choices: readonly string[];
  readonly preemptions: number;
  readonly outcome: ReplayedSchedule;
  /** Re-runs spent shrinking. */
  readonly runs: number;
}

export function shrinkSchedule(
  target: Explorable,
  options: Omit<ScheduleOptions, 'strategy'>,
  choices: readonly string[],
  violation: ExplorationViolation,
): ShrinkResult {
  explorableArgument('shrinkSchedule', target);
  scheduleFieldsArgument('shrinkSchedule', 'options', options, true);
  choicesArgument('shrinkSchedule', 'choices', choices);
  shapeArgument('shrinkSchedule', 'violation', violation, { kind: 'string', name: 'string', seq: 'integer', message: 'string' }, 'an ExplorationViolation ({ kind, name, seq, message })');
  let runs = 1;
  let current = replayLeniently(target, options, choices);
  if (!sameViolation(current.violation, violation)) throw new UsageError('NOT_REPRODUCED', 'shrink: the schedule does not reproduce its violation');
  const attempt = (drop: readonly number[]): boolean => {
    runs++;
    const candidate = replayLeniently(target, options, withoutPreemptions(current.points, drop));
    if (!sameViolation(candidate.violation, violation)) return false;
    current = candidate;
    return true;
  };
  let granularity = 2;
  for (;;) {
    const preemptions = preemptionsOf(current.points);
    if (preemptions.length === 0) break;
    granularity = Math.min(granularity, preemptions.length);
    const chunks = split(preemptions, granularity);
    if (chunks.some((chunk) => attempt(chunk))) {
      granularity = Math.max(granularity - 1, 2);
      continue;
    }
    if (granularity < preemptions.length) {
      granularity = Math.min(granularity * 2, preemptions.length);
      continue;
    }
    break; // every single preemption was tried (the finest split): 1-minimal
  }
  const trimmed = current.points.map((p) => p.chosen);
  return { choices: trimmed, preemptions: preemptionsOf(current.points).length, outcome: current, runs };
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(items.length / parts);
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
