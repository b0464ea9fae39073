// Restore replays facts to subscribers on request (issue 18 item 5, docs/embedding.md "Saving and
// restoring"): restoreSimulation(snapshot, { scenarios: builtInScenarios, replayTo }) hands the host the restored simulation's
// fact stream before anything is rebuilt, so a host's view built from facts$ is rebuilt with it,
// fact for fact, and stays subscribed afterwards.
import { describe, expect, it } from 'vitest';
import { filter, map } from 'rxjs';
import type { Observable } from 'rxjs';
import { builtInScenarios, createScenarioSimulation, restoreSimulation, SubscriberError, UsageError, type Fact } from '../../src/index.js';

/** A demo run halfway through a host's drive: strategy steps, a host choice, a clock move. */
function halfway() {
  const sim = createScenarioSimulation('demo', { seed: 5, strategy: 'random' }, { scenarios: builtInScenarios });
  sim.run({ maxSteps: 8 });
  const enabled = sim.enabled();
  sim.step(enabled[enabled.length - 1]!.id);
  sim.run({ maxSteps: 6 });
  return sim;
}

describe('restore with replayTo', () => {
  it('a subscriber given the stream sees every fact of the restored log in order, then the facts that follow', () => {
    const original = halfway();
    const seen: Fact[] = [];
    const restored = restoreSimulation(JSON.parse(JSON.stringify(original.save())), { scenarios: builtInScenarios, replayTo: (facts$) => facts$.subscribe((f) => seen.push(f)) });
    expect(seen.map((f) => f.seq)).toEqual(original.log.map((f) => f.seq));
    expect(JSON.stringify(seen)).toBe(JSON.stringify(original.log));
    expect(seen[0]).toMatchObject({ seq: 0, type: 'SimulationStart' });
    restored.run();
    original.run();
    expect(JSON.stringify(seen)).toBe(JSON.stringify(original.log));
  });

  it('operators in a pipe see the replay too, and the subscription can be ended', () => {
    const original = halfway();
    const opens: string[] = [];
    let subscription: { unsubscribe(): void } | null = null;
    const restored = restoreSimulation(original.save(), {
      scenarios: builtInScenarios,
      replayTo: (facts$: Observable<Fact>) => {
        subscription = facts$.pipe(filter((f) => f.type === 'InstanceSetup' || f.type === 'InstanceSetupReturned'), map((f) => `${f.type} ${f.object}`)).subscribe((line) => opens.push(line));
      },
    });
    const replayed = opens.length;
    expect(opens).toEqual(original.log.filter((f) => f.type === 'InstanceSetup' || f.type === 'InstanceSetupReturned').map((f) => `${f.type} ${f.object}`));
    subscription!.unsubscribe();
    restored.run();
    expect(opens).toHaveLength(replayed);
  });

  it('without replayTo nothing is delivered; a replayTo that is not a function is a UsageError', () => {
    const saved = halfway().save();
    expect(restoreSimulation(saved, { scenarios: builtInScenarios }).log.length).toBe(saved.facts);
    expect(() => restoreSimulation(saved, { scenarios: builtInScenarios, replayTo: 3 as unknown as () => void })).toThrow(UsageError);
  });

  it('a subscriber that throws during the replay fails the restore with a SubscriberError naming the fact', () => {
    const saved = halfway().save();
    const boom = new Error('view broke');
    let error: unknown = null;
    try {
      restoreSimulation(saved, { scenarios: builtInScenarios, replayTo: (facts$) => facts$.subscribe((f) => { if (f.seq === 12) throw boom; }) });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(SubscriberError);
    expect(error).toMatchObject({ factSeq: 12, cause: boom });
  });
});
