// The worked example of docs/races.md (§18.4): a filter's own shared state (a stream list it looks
// up, then fills in) raced by two opens. Without its lock, exploration finds the double insert in a
// schedule that switches threads between the look-up and the insert; with a FAST_MUTEX around both,
// exhaustive search covers every schedule within two preemptions and finds nothing.
import { describe, expect, it } from 'vitest';
import { ExAcquireFastMutex, ExInitializeFastMutex, explore, ExReleaseFastMutex, FAST_MUTEX, preempt, type Monitor, type Simulation } from '../../src/index.js';

/** Build the race; returns how many list entries were created for the one file. */
function streamListRace(sim: Simulation, locked: boolean): () => number {
  const lock = new FAST_MUTEX('stream list');
  const streams = new Map<string, number>();
  let created = 0;
  sim.spawn('DriverEntry', function* () {
    yield* ExInitializeFastMutex(lock); // before any thread can use it
    for (const name of ['open A', 'open B']) {
      sim.spawn(name, function* () {
        if (locked) yield* ExAcquireFastMutex(lock);
        const found = streams.get('\\f.txt');
        yield* preempt(); // the filter allocates its entry here: another thread may run
        if (found === undefined) streams.set('\\f.txt', ++created);
        if (locked) yield* ExReleaseFastMutex(lock);
      });
    }
  });
  return () => created;
}

function exploreStreamList(locked: boolean, strategy: 'exhaustive' | 'random') {
  let created = (): number => 0;
  const doubleInsert: Monitor = (facts) => (created() > 1 ? [{ name: 'DOUBLE_INSERT', seq: facts.length - 1, message: 'two list entries for one stream' }] : []);
  return explore(
    { id: 'stream-list', build: (sim) => void (created = streamListRace(sim, locked)) },
    // The list is the filter's private JavaScript state: state hashing cannot see it, so it is off.
    { strategy, schedules: 200, seed: 1, stateHashing: false, monitors: [doubleInsert] },
  );
}

describe('docs/races.md worked example (§18.4)', () => {
  it('unlocked: the look-up and the insert race, and exploration finds two entries for one stream at the second schedule', () => {
    const r = exploreStreamList(false, 'exhaustive');
    expect(r.violation).toMatchObject({ kind: 'monitor', name: 'DOUBLE_INSERT' });
    expect(r.schedules).toBe(2);
    expect(r.shrunk?.preemptions).toBe(1);
  });

  it('locked: exhaustive search covers all 18 schedules within two preemptions and finds nothing; random finds nothing in 200', () => {
    const exhaustive = exploreStreamList(true, 'exhaustive');
    expect(exhaustive).toMatchObject({ found: false, exhausted: true, schedules: 18 });
    expect(exploreStreamList(true, 'random')).toMatchObject({ found: false, schedules: 200 });
  });
});
