/**
 * Embedding figures (issue 7): what driving fltsim from a host costs against its built-in run loop.
 *
 * The same prepared simulation (filters loaded, attach/detach churn threads queued, nothing run
 * yet) is run to idle three ways: `run()`; a host loop of `step()` calls, each returning the
 * thread run and the facts it appended; and a host that also lists `enabled()` and makes every
 * choice itself with `step(id)`. Preparation is not timed. Figures are steps per second; the ratio
 * is host / built-in, so the "overhead at most 1.5x" is a ratio of at least 1/1.5.
 */
import { rateSpread, sink, summarize, type Row } from './harness.js';
import { createSimulation, STATUS_SUCCESS, type Simulation } from '../src/index.js';
import { installFilter } from '../src/testing/index.js';

/** Host steps/s at least 0.67 of built-in steps/s: an overhead of at most 1.5x. */
const OVERHEAD_TARGET = 0.67;
const SIMS_PER_REPETITION = 6;
const WARMUP = 2;
const REPETITIONS = 11;
const VOLUMES = ['C:', 'D:', 'E:', 'F:'];

/** Six filters loaded on four volumes, then one thread per filter cycling manual attach/detach; not yet run. */
function prepared(seed: number): Simulation {
  const sim = createSimulation({ seed });
  VOLUMES.forEach((dosName, v) => sim.mountVolume({ name: `\\Device\\HarddiskVolume${v + 1}`, dosName }));
  const names = Array.from({ length: 6 }, (_, f) => `churn${f}`);
  names.forEach((name, f) => installFilter(sim, { name, altitude: String(320000 + f * 10), registration: { InstanceQueryTeardownCallback: () => STATUS_SUCCESS } }));
  sim.run();
  names.forEach((name, f) => {
    sim.spawn(`churn ${name}`, function* () {
      for (let c = 0; c < 8; c++) {
        for (const volume of VOLUMES) {
          yield* sim.FilterAttachAtAltitude(name, volume, String(320000 + f * 10 + 5), `${name} Churn`);
          yield* sim.FilterDetach(name, volume, `${name} Churn`);
        }
      }
      return STATUS_SUCCESS;
    });
  });
  return sim;
}

type Driver = (sim: Simulation) => number;

const builtIn: Driver = (sim) => sim.run().steps;

const hostSteps: Driver = (sim) => {
  let steps = 0;
  for (let r = sim.step(); r.kind === 'ran'; r = sim.step()) steps++;
  return steps;
};

const hostChoices: Driver = (sim) => {
  let steps = 0;
  for (let enabled = sim.enabled(); enabled.length > 0; enabled = sim.enabled()) {
    sim.step(enabled[0]!.id);
    steps++;
  }
  return steps;
};

const DRIVERS: readonly { readonly name: string; readonly drive: Driver }[] = [
  { name: 'built-in run() loop', drive: builtIn },
  { name: 'host step() loop', drive: hostSteps },
  { name: 'host enabled()+step(id) loop', drive: hostChoices },
];

/**
 * The three drivers take turns within every repetition (in rotating order), each on its own freshly
 * prepared simulations, and a ratio is taken per repetition: on a shared, noisy machine a burst of
 * load then slows all three alike instead of skewing one figure. Only the driving is timed.
 */
function timeDrivers(): { readonly seconds: number[][]; readonly ratios: number[][]; readonly steps: number } {
  const seconds: number[][] = DRIVERS.map(() => []);
  const ratios: number[][] = DRIVERS.map(() => []);
  let steps = 0;
  for (let rep = 0; rep < WARMUP + REPETITIONS; rep++) {
    const times: number[] = [];
    for (let k = 0; k < DRIVERS.length; k++) {
      const d = (rep + k) % DRIVERS.length;
      const sims = Array.from({ length: SIMS_PER_REPETITION }, (_, i) => prepared(i + 1));
      steps = 0;
      const start = process.hrtime.bigint();
      for (const sim of sims) steps += DRIVERS[d]!.drive(sim);
      times[d] = Number(process.hrtime.bigint() - start) / 1e9;
      sink(sims);
    }
    if (rep < WARMUP) continue;
    times.forEach((t, d) => {
      seconds[d]!.push(t);
      ratios[d]!.push(times[0]! / t);
    });
  }
  return { seconds, ratios, steps };
}

export function embedding(): Row[] {
  const { seconds, ratios, steps } = timeDrivers();
  const rows = DRIVERS.map(({ name }, d): Row => {
    const sample = summarize(seconds[d]!);
    return { name, value: steps / sample.median, unit: 'steps/s', note: `${steps} steps per repetition; ${rateSpread(steps, sample)}` };
  });
  const base = rows[0]!;
  return [
    base,
    ...rows.slice(1).map((row, i): Row => {
      const ratio = summarize(ratios[i + 1]!).median;
      return { ...row, baseline: { name: base.name, value: base.value }, ratio, target: OVERHEAD_TARGET, note: `overhead ${(1 / ratio).toFixed(2)}x (target <= 1.5x; median of per-repetition ratios); ${row.note ?? ''}` };
    }),
  ];
}
