// The long run of machineTable.test.ts (npm run test:deep): more random fact sequences on every table-run machine.
import { describe, it } from 'vitest';
import { budget } from '../support/deep.js';
import { tableMatchesXState } from './machineTable.test.js';

describe('machines run from a table, long', () => {
  it('a table-run object is in the state, status and rejections of a live actor after every fact', () => {
    tableMatchesXState(budget(40, 1500));
  });
});
