// The long run of badArguments.test.ts (npm run test:deep): random seeds, a fresh world for each
// batch of random bad calls over every fuzzed routine, I/O checked on each world afterwards.
import { describe, it } from 'vitest';
import { budget } from '../support/deep.js';
import { fuzzEveryHelper, fuzzEveryRoutine } from './badArguments.test.js';

describe('bad arguments to every public routine, long', () => {
  it('worlds × random bad calls: typed errors only, then I/O works', () => {
    for (let i = 0; i < budget(1, 10); i++) fuzzEveryRoutine(budget(300, 2000));
  });

  it('worlds × random bad calls of every helper and constructor: typed errors or results, then I/O works', () => {
    for (let i = 0; i < budget(1, 10); i++) fuzzEveryHelper(budget(300, 3000));
  });
});
