/**
 * The property tests' random systems as scenarios, so a failing seed can be run, saved, replayed
 * and exported from the command line: `fltsim run random-io --seed 42 --trace failing.ndjson`.
 * The workload's own seed is the argument `workload`, by default the run's seed.
 */
import { randomFrameBoundaries, randomWorkload } from './builders/randomWorkload.js';
import { randomIoSimulationOptions, randomIoWorkload } from './builders/randomIoWorkload.js';
import { intArg, type Scenario, type ScenarioArgs, type ScenarioOptions } from './scenario.js';

const workloadSeed = (seed: number, args: ScenarioArgs): number => intArg(args, 'workload', seed, -(2 ** 31), 2 ** 53 - 1);
const WORKLOAD_ARGUMENT = { workload: { kind: 'int', min: -(2 ** 31), max: 2 ** 53 - 1, description: "the workload's seed (default: the run's seed)" } } as const;

export const randomScenario: Scenario = {
  id: 'random',
  description: 'a random stack of filters, volumes and operators attaching, detaching and unloading (test/property/kernel.test.ts); arg: workload (seed)',
  options: (seed, args) => ({ frameBoundaries: randomFrameBoundaries(workloadSeed(seed, args)), onViolation: 'record' }),
  arguments: WORKLOAD_ARGUMENT,
  build(sim, args) {
    randomWorkload(sim, workloadSeed(sim.seed, args));
  },
};

export const randomIoScenario: Scenario = {
  id: 'random-io',
  description: 'random stacks and random application I/O with pending, draining and teardown (test/property/io.test.ts); arg: workload (seed)',
  options: (seed, args): ScenarioOptions => {
    const { seed: _seed, strategy: _strategy, ...rest } = randomIoSimulationOptions(workloadSeed(seed, args));
    return rest;
  },
  arguments: WORKLOAD_ARGUMENT,
  build(sim, args) {
    randomIoWorkload(sim, workloadSeed(sim.seed, args));
  },
};
