// §16.5 property, long run (npm run test:deep): see test/property/namesProperty.ts.
import { describe, it } from 'vitest';
import { nameProperty } from './namesProperty.js';

describe('name cache vs the file system (§16.5), long run', () => {
  it('random opens, renames, links, closes and queries', () => {
    nameProperty(400, 16);
  });
});
