/**
 * The plain search's key of a state (exhaustive.ts): the folded state without log positions,
 * each thread's progress, and what the scheduler's next move depends on. Stateful keys
 * (stateSummaries.ts statefulKey) start from it and add what it cannot see.
 */
import type { Simulation } from '../simulation.js';

/** The folded state without log positions and time, plus what the scheduler's next move depends on. */
export function stateKey(sim: Simulation, enabled: readonly string[], previous: string | null, preemptions: number, folded: object = sim.state()): string {
  const state = JSON.stringify(folded, (key, value: unknown) => (key === 'seq' ? undefined : value));
  // The folded state cannot see where each thread's code is (its generator), so two schedules that
  // reach the same objects with threads at different points would be merged wrongly: found by the
  // buggy unload race, whose bug exhaustive search then missed. Each thread's segment count stands
  // for its position (its code is deterministic); the clock stays in for sleepers.
  const progress = [...sim.kernel.threads.values()].map((t) => `${t.id}:${t.segments}`).join(',');
  return `${state}|${progress}|${enabled.join(',')}|${previous ?? ''}|${preemptions}`;
}
