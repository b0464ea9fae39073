/**
 * Synchronization figures (§18): acquire/release pairs and KeSetEvent/KeWaitForSingleObject pairs
 * per second, each beside an in-run baseline of the same two threads doing plain scheduling points
 * (a `preempt` where the lock routine would be), so the ratio is what the lock's machine, facts and
 * waits cost over the scheduler alone.
 */
import { compare, measure, rateSpread, type Row } from './harness.js';
import {
  createSimulation,
  ERESOURCE,
  Executive,
  ExInitializeFastMutex,
  ExInitializeResourceLite,
  ExAcquireFastMutex,
  ExReleaseFastMutex,
  FAST_MUTEX,
  FltAcquireResourceExclusive,
  FltReleaseResource,
  KEVENT,
  KeInitializeEvent,
  KernelMode,
  KeSetEvent,
  KeWaitForSingleObject,
  preempt,
  SynchronizationEvent,
  type Blocking,
  type Simulation,
} from '../src/index.js';

const PAIRS = 2000;

type Body = (sim: Simulation) => { readonly init: () => Blocking<unknown>; readonly pair: () => Blocking<unknown> };

/** Two threads, PAIRS pairs each, in-order scheduling; returns the simulation run to idle. */
function run(body: Body): Simulation {
  const sim = createSimulation({ record: false });
  const { init, pair } = body(sim);
  sim.spawn('init', function* () {
    yield* init();
    for (const name of ['a', 'b']) {
      sim.spawn(name, function* () {
        for (let i = 0; i < PAIRS; i++) yield* pair();
      });
    }
  });
  sim.run();
  return sim;
}

const baseline: Body = () => ({
  init: function* () {},
  pair: function* () {
    yield* preempt();
    yield* preempt();
  },
});

const fastMutex: Body = () => {
  const m = new FAST_MUTEX('bench');
  return {
    init: () => ExInitializeFastMutex(m),
    pair: function* () {
      yield* ExAcquireFastMutex(m);
      yield* ExReleaseFastMutex(m);
    },
  };
};

const eresource: Body = () => {
  const r = new ERESOURCE('bench');
  return {
    init: () => ExInitializeResourceLite(r),
    pair: function* () {
      yield* FltAcquireResourceExclusive(r);
      yield* FltReleaseResource(r);
    },
  };
};

/** Each thread sets the auto-reset event and waits on it: a set/wait pair that never blocks for long. */
const event: Body = () => {
  const e = new KEVENT('bench');
  return {
    init: () => KeInitializeEvent(e, SynchronizationEvent, false),
    pair: function* () {
      yield* KeSetEvent(e, 0, false);
      yield* KeWaitForSingleObject(e, Executive, KernelMode, false, null);
    },
  };
};

function rate(name: string, body: Body): Row {
  run(body);
  const sample = measure({ warmup: 2, repetitions: 9 }, () => run(body));
  const pairs = 2 * PAIRS;
  return { name, value: pairs / sample.median, unit: 'pairs/s', note: rateSpread(pairs, sample) };
}

export function syncFigures(): Row[] {
  const base = rate('preempt pairs/s (baseline: two scheduling points)', baseline);
  const rows = [
    rate('FAST_MUTEX acquire/release pairs/s', fastMutex),
    rate('ERESOURCE FltAcquireResourceExclusive/FltReleaseResource pairs/s', eresource),
    rate('KeSetEvent/KeWaitForSingleObject pairs/s', event),
  ];
  return [base, ...rows.map((r) => compare(r, base))];
}

