// Step footprints checked fact by fact against the fold (docs/exploration.md, "Independence"): for
// every fact of real runs — the built-in scenarios, the races buggy and fixed, every WDK sample port —
// fold it onto the state before it and list the records it changed; each must be in the fact's write
// set (FactFootprints), or DPOR could take two steps that change the same record for independent and
// skip one of their orders. What a fact only reads (a `Choice`, a routine's failure, a reference count
// change of an object whose count lives apart, `<object>:counts`) must leave its object's machine
// where it was. The clock's facts (`sim`) wake sleepers that they do not name; the kernel charges
// those wakes to the step that let the clock move (Kernel.chargeWakes), so they are left out here.
import { enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { FactFootprints } from '../../src/kernel/factFootprint.js';
import { applyFact } from '../../src/projection/fold.js';
import { RECORD_OF_PREFIX } from '../../src/travel/foldEngine.js';
import { emptySimState, type SimState } from '../../src/projection/simState.js';
import { throwOnReject } from '../../src/machines/machineContext.js';
import { statePath } from '../../src/machines/stateValue.js';
import { builtInScenarios, createScenarioSimulation, type Fact } from '../../src/index.js';
import { runSample, sampleScenarios } from '../samples/run.js';
import { budget, DEEP } from '../support/deep.js';

enablePatches();

/** The per-object collections of the folded state, one per id prefix (the fold's own table): a record changed is the object changed. */
const COLLECTIONS: ReadonlySet<string> = new Set(Object.values(RECORD_OF_PREFIX));

/** Facts that change only the object's reference count (`references`), which its footprint writes as `<object>:counts`. */
const COUNTS = new Set(['FltObjectReference', 'FltObjectDereference']);

interface Mismatch {
  readonly seq: number;
  readonly type: string;
  readonly record: string;
  readonly writes: readonly string[];
}

/** Every record a fact of `log` changes that its footprint does not write, and every read-only fact that moved its machine. */
function mismatches(log: readonly Fact[]): Mismatch[] {
  const machines = new Map<string, { machine: AnyStateMachine; snapshot: AnyMachineSnapshot }>();
  const born = (id: string, machine: AnyStateMachine): string => {
    const [snapshot] = initialTransition(machine, throwOnReject);
    machines.set(id, { machine, snapshot });
    return statePath(snapshot.value);
  };
  let moved: string | null = null;
  let writes = new Set<string>();
  const advance = (fact: Fact): string | null => {
    const m = machines.get(fact.object);
    if (m === undefined) return null;
    const [snapshot] = transition(m.machine, m.snapshot, fact as never);
    // Only a fact that does not write its object has to leave the machine where it was.
    if (writes.has(fact.object)) {
      // written: any move is allowed
    } else if (statePath(snapshot.value) !== statePath(m.snapshot.value)) moved = fact.object;
    else if (JSON.stringify(snapshot.context) !== JSON.stringify(m.snapshot.context)) moved = fact.object;
    m.snapshot = snapshot;
    return statePath(snapshot.value);
  };
  const sleepers = new Map<string, number>();
  const footprints = new FactFootprints();
  const found: Mismatch[] = [];
  let state = emptySimState();
  for (const fact of log) {
    writes = new Set<string>();
    footprints.record(fact, { read: () => {}, write: (id) => writes.add(id) });
    moved = null;
    const before = state;
    let patches: Patch[];
    [state, patches] = produceWithPatches(before, (d: Draft<SimState>) => applyFact(d, fact, born, advance, sleepers));
    if (fact.object === 'sim') continue;
    const miss = (record: string): void => void found.push({ seq: fact.seq, type: fact.type, record, writes: [...writes].sort() });
    for (const { path } of patches) {
      const [top, key] = path as [keyof SimState, string | number | undefined];
      if (top === 'time' || top === 'seq') continue;
      if (top === 'violations') {
        if (!writes.has('violations')) miss('violations');
      } else if (top === 'nameCache') {
        if (!writes.has(`names:${key}`)) miss(`nameCache.${key}`);
      } else if (key === undefined || !COLLECTIONS.has(top)) {
        miss(String(top));
      } else if (!writes.has(String(key))) {
        // A count-only fact changes its object's `references` and nothing else of the record.
        const onlyCount = COUNTS.has(fact.type) && key === fact.object && writes.has(`${key}:counts`) && path[2] === 'references' && path.length === 3;
        if (!onlyCount) miss(`${top}.${key}`);
      }
    }
    // A fact whose footprint only reads its object must not move that object's machine.
    if (moved !== null && !writes.has(moved) && !(COUNTS.has(fact.type) && writes.has(`${moved}:counts`))) miss(`machine ${moved}`);
  }
  return found;
}

const samples = await sampleScenarios();

// npm test: one seed, random (~1 CPU-s); test:deep: eight seeds, in order and random.
const seeds = Array.from({ length: budget(1, 8) }, (_, i) => i + 1);
const strategies = DEEP ? (['in-order', 'random'] as const) : (['random'] as const);

describe('every record a fact changes is in its write set (the fold, fact by fact)', () => {
  // io-soak's long run (~1.5 CPU-s a seed) is the deep run's.
  it.each(builtInScenarios.filter((s) => DEEP || s.id !== 'io-soak').map((s) => [s.id, s] as const))('%s, buggy and fixed where it has variants', (_, scenario) => {
    const variants = scenario.id.startsWith('race-') ? ['buggy', 'fixed'] : [undefined];
    for (const variant of variants) {
      for (const seed of seeds) {
        for (const strategy of strategies) {
          const sim = createScenarioSimulation(scenario.id, { seed, strategy }, { scenarios: builtInScenarios, args: variant === undefined ? {} : { variant } });
          sim.run({ maxSteps: 20_000 });
          expect(mismatches(sim.log), `${scenario.id} ${variant ?? ''} seed ${seed} ${strategy}`).toEqual([]);
        }
      }
    }
  });

  it.each(samples)('the %s sample', (_, scenario) => {
    for (const seed of seeds) {
      for (const strategy of strategies) {
        const { sim } = runSample(scenario, {}, seed, strategy);
        expect(mismatches(sim.log), `seed ${seed} ${strategy}`).toEqual([]);
      }
    }
  });
});
