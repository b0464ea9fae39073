// Docs generated from code stay in sync with it: run `npm run docs` after changing the source table.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../../scripts/generatedDocs.js';
import { MACHINES } from '../../scripts/machineStates.js';

describe('generated docs', () => {
  for (const [path, expected] of Object.entries(generatedDocs())) {
    it(`${path} is what \`npm run docs\` writes`, () => {
      expect(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')).toBe(expected);
    });
  }

  it('docs/machines.md covers every machine exported from src/machines/', () => {
    const dir = new URL('../../src/machines/', import.meta.url);
    const exported = readdirSync(dir).flatMap((file) => [...readFileSync(new URL(file, dir), 'utf8').matchAll(/^export const (\w+Machine) = /gm)].map((m) => m[1]!));
    expect(Object.keys(MACHINES).sort()).toEqual(exported.sort());
  });
});
