// Property tests draw a fresh random seed each run on a developer's machine, so every run can find
// something new (fast-check prints the seed and path of a failure to replay it). CI sets
// FLTSIM_FC_SEED so that a landing is judged on a fixed set of random runs: a new counterexample
// found by chance must come from a developer's run and be pinned, not turn an unrelated change red.
import fc from 'fast-check';

const seed = process.env.FLTSIM_FC_SEED;
if (seed !== undefined && seed !== '') {
  const value = Number(seed);
  if (!Number.isInteger(value)) throw new Error(`FLTSIM_FC_SEED must be an integer, not '${seed}'`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: value });
}
