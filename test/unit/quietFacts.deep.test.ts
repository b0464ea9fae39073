// The long run of quietFacts.test.ts (npm run test:deep): more random fact sequences on every object machine.
import { describe, it } from 'vitest';
import { budget } from '../support/deep.js';
import { quietMatchesXState } from './quietFacts.test.js';

describe('quiet facts, long', () => {
  it('a fact judged quiet leaves every machine exactly where XState takes it, and rejects nothing', () => {
    quietMatchesXState(budget(60, 1500));
  });
});
