// The time-travel property of issue 13 over scenarios of every kind — the demo, the random kernel
// and I/O workloads, io-soak, the six built-in races (buggy and fixed), and scenarios loaded from a
// module (set up with whenSettled, or with run() inside its build; and one with every facility in
// flight): saved at a random step and restored, a run continues to the uninterrupted log byte for
// byte; forked at a random choice with another thread, it is a valid run of its own; and checked
// replay of it passes.
// Shared by everyScenario.test.ts (short) and everyScenario.deep.test.ts (long).
import fc from 'fast-check';
import { expect } from 'vitest';
import { foldLog, restoreSimulation, builtInScenarios as scenarios, type Fact, type Scenario, type ScenarioArgs } from '../../src/index.js';
import { fork, replayChecked, startRun, type RunSpec } from '../../src/travel/recording.js';
import { scenario as facilitiesModule } from './fixtures/facilitiesScenario.js';
import { scenario as scannerModule } from './fixtures/scannerScenario.js';

export const registry: readonly Scenario[] = [...scenarios, scannerModule, facilitiesModule];

export interface Kind {
  readonly scenario: string;
  readonly args: ScenarioArgs;
}

export const kinds: readonly Kind[] = [
  { scenario: 'demo', args: {} },
  { scenario: 'random', args: {} },
  { scenario: 'random-io', args: {} },
  { scenario: 'io-soak', args: { threads: 3, iterations: 2 } },
  // Buggy race-reentrant-create is left out: its run has no end (each create issues another until
  // JavaScript's stack gives out); explore reports it as UNBOUNDED_RECURSION, and the checked
  // replay of its explored schedule is below.
  ...scenarios
    .filter((s) => s.id.startsWith('race-'))
    .flatMap((s) => [{ scenario: s.id, args: { variant: 'buggy' } }, { scenario: s.id, args: { variant: 'fixed' } }])
    .filter((k) => !(k.scenario === 'race-reentrant-create' && k.args.variant === 'buggy')),
  { scenario: 'scanner', args: { apps: 2 } },
  { scenario: 'scanner', args: { apps: 3, setup: 'run' } },
  // Every facility in flight at once: a cancel-safe queue, port messages, locks with waiters, timed
  // KEVENT waits, a held file-system request (facilities.test.ts stops it where all are).
  { scenario: 'facilities', args: {} },
];

const text = (facts: readonly Fact[]): string => JSON.stringify(facts);
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** Steps of the run to its end, and its log. */
function uninterrupted(spec: RunSpec): { steps: number; log: readonly Fact[]; saved: ReturnType<ReturnType<typeof startRun>['save']> } {
  const sim = startRun(spec, registry);
  let steps = 0;
  while (sim.step().kind === 'ran') steps++;
  return { steps, log: sim.log, saved: sim.save() };
}

export const runs = fc.record({
  kind: fc.constantFrom(...kinds),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  strategy: fc.constantFrom('in-order' as const, 'random' as const),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  other: fc.nat(),
});

export interface RunCase {
  readonly kind: Kind;
  readonly seed: number;
  readonly strategy: 'in-order' | 'random';
  /** Where to save, as a fraction of the run's steps (and which choice to fork at). */
  readonly at: number;
  /** Which of the other enabled threads the fork picks. */
  readonly other: number;
}

export function checkRun({ kind, seed, strategy, at, other }: RunCase): void {
  const spec: RunSpec = { scenario: kind.scenario, args: kind.args, options: { seed, strategy } };
  const where = `${kind.scenario} ${JSON.stringify(kind.args)} seed ${seed} ${strategy}`;
  const whole = uninterrupted(spec);

  // Save at a random step (0: right after the build, before the first set-up step) and restore.
  const k = Math.floor(at * whole.steps);
  const sim = startRun(spec, registry);
  for (let i = 0; i < k; i++) sim.step();
  const restored = restoreSimulation(JSON.parse(JSON.stringify(sim.save())), { scenarios: registry });
  expect(restored.log.length, `${where}: restored at step ${k}`).toBe(sim.log.length);
  restored.run();
  expect(text(restored.log), `${where}: saved at step ${k}, restored, continued`).toBe(text(whole.log));

  // Checked replay of the whole run.
  expect(replayChecked(whole.saved, whole.log, registry).log.length).toBe(whole.log.length);

  // Fork at a random real choice (after the build) with another thread.
  const built = startRun(spec, registry).built.facts;
  const choices = whole.log.filter((f) => f.type === 'Choice' && f.seq >= built);
  if (choices.length === 0) return;
  const choice = choices[Math.floor(at * choices.length) % choices.length]!;
  const forked = fork(whole.saved, choice.seq, [], registry);
  // The step boundary at or before the Choice: a step that first moves the clock starts with ClockAdvance.
  expect(forked.log.length, `${where}: fork at #${choice.seq}`).toBe(whole.log[choice.seq - 1]!.type === 'ClockAdvance' ? choice.seq - 1 : choice.seq);
  const others = forked.enabled().filter((c) => c.id !== choice.object);
  expect(others.length, `${where}: a choice at #${choice.seq} has another thread`).toBeGreaterThan(0);
  const pick = others[other % others.length]!;
  forked.step(pick.id);
  forked.run();
  expect(text(forked.log.slice(0, choice.seq))).toBe(text(whole.log.slice(0, choice.seq)));
  expect(forked.log[choice.seq]).toMatchObject({ type: 'Choice', object: pick.id });
  // Valid: the log folds to the live state, and the fork saves and replays as a run of its own.
  expect(plain(foldLog(forked.log)), `${where}: fork folds to its live state`).toEqual(plain(forked.state()));
  const forkSaved = forked.save();
  expect(text(restoreSimulation(JSON.parse(JSON.stringify(forkSaved)), { scenarios: registry }).log)).toBe(text(forked.log));
  replayChecked(forkSaved, forked.log, registry);
}
