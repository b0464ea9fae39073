// The long run of layers.test.ts (npm run test:deep): the import graph npm test reads from each
// file's cut-out import and export declarations (importGraph.ts) is the graph the whole files' parse
// gives, so no declaration the cut misses can hide an upward import or a cycle.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { valueImports } from './importGraph.js';
import './layers.test.js';

const src = join(import.meta.dirname, '..', '..', 'src');

describe('the import graph of src/, read two ways', () => {
  it('the cut-out declarations give every file the edges its whole parse gives', () => {
    const byFile = (whole: boolean) => valueImports(src, whole).map((e) => `${e.from} → ${e.to}`).sort();
    expect(byFile(false)).toEqual(byFile(true));
  });
});
