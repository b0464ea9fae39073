// Docs generated from code stay in sync with it: run `npm run docs` after changing the source table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../../scripts/generatedDocs.js';

describe('generated docs', () => {
  for (const [path, expected] of Object.entries(generatedDocs())) {
    it(`${path} is what \`npm run docs\` writes`, () => {
      expect(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')).toBe(expected);
    });
  }
});
