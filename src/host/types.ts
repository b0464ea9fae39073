/**
 * What a host simulator sees when it drives fltsim itself (docs/embedding.md): the choices it may
 * make before a step, what a step did, and the record of its driving that a snapshot keeps.
 */
import type { Fact } from '../kernel/facts.js';
import type { BlockedThread, StepResult } from '../kernel/kernel.js';
import type { JsonValue } from '../scenarios/scenario.js';

/**
 * One thing the next `step()` may run. A `thread` is ready now; a `sleeper` is due at `dueAt`
 * (listed only when nothing is ready: stepping it moves the clock there first).
 */
export type EnabledChoice =
  | { readonly kind: 'thread'; readonly id: string; readonly name: string }
  | { readonly kind: 'sleeper'; readonly id: string; readonly name: string; readonly dueAt: number };

/** What one `step()` did: the kernel's answer plus the clock after it and the facts it appended. */
export type HostStep = StepResult & {
  /** Virtual time after the step. */
  readonly time: number;
  /** The facts appended by this step, in order (empty for 'idle' and 'deadlock'). */
  readonly facts: readonly Fact[];
};

/** How a `runUntil*` call ended, besides the reasons `run()` gives. */
export type RunUntilTimeResult =
  | { readonly reason: 'reached'; readonly steps: number }
  | { readonly reason: 'limit'; readonly steps: number };

export type RunUntilFactResult =
  | { readonly reason: 'matched'; readonly steps: number; readonly fact: Fact }
  | { readonly reason: 'idle'; readonly steps: number }
  | { readonly reason: 'deadlock'; readonly steps: number; readonly blocked: readonly BlockedThread[] }
  | { readonly reason: 'waiting'; readonly steps: number; readonly until: number }
  | { readonly reason: 'limit'; readonly steps: number };

/**
 * One entry of the drive record, in the order the host acted:
 * - a number n: n steps the simulation's own strategy chose (run-length encoded);
 * - a string: one step whose real choice (two or more enabled) the host made, naming the thread;
 * - `{ advanceTo }`: the host moved the clock;
 * - `{ act, args }`: the host performed an action (`sim.act`): a built-in one or its scenario's.
 * Steps with a single runnable thread involve no choice, so a host's `step(id)` there is a plain step.
 */
export type DriveEntry = number | string | { readonly advanceTo: number } | { readonly act: string; readonly args: JsonValue };

/** A host action, as recorded live: at which step count it happened. */
export type HostAction =
  | { readonly atStep: number; readonly choose: string }
  | { readonly atStep: number; readonly advanceTo: number }
  | { readonly atStep: number; readonly act: string; readonly args: JsonValue };

/** Encode the host's actions and the total step count as a run-length drive record. */
export function driveRecord(actions: readonly HostAction[], totalSteps: number): DriveEntry[] {
  const drive: DriveEntry[] = [];
  let cursor = 0;
  for (const action of actions) {
    if (action.atStep > cursor) drive.push(action.atStep - cursor);
    cursor = action.atStep;
    if ('choose' in action) {
      drive.push(action.choose);
      cursor++;
    } else if ('act' in action) {
      drive.push({ act: action.act, args: action.args });
    } else {
      drive.push({ advanceTo: action.advanceTo });
    }
  }
  if (totalSteps > cursor) drive.push(totalSteps - cursor);
  return drive;
}
