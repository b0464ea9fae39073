// docs/routines.md maps every WDK routine to our API and to the tests that pin it. This keeps the
// last column honest: every test file a row names exists, and for the sections that must have a
// test per routine (§16 file names, §17 communication ports) each row names one, and one of the
// files it names calls the routine it lists.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

interface Row {
  readonly section: string;
  readonly wdk: string;
  readonly tests: string;
}

function rows(): Row[] {
  const out: Row[] = [];
  let section = '';
  let inTable = false;
  for (const line of readFileSync(join(ROOT, 'docs', 'routines.md'), 'utf8').split('\n')) {
    if (line.startsWith('## ')) {
      section = line.slice(3).trim();
      inTable = false;
      continue;
    }
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    // Cells split on '|' not escaped as '\|' (the API column writes alternatives as `A \| B`).
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    if (cells[0]?.startsWith('WDK')) {
      inTable = cells[cells.length - 1] === 'tests';
      continue;
    }
    if (!inTable || cells[0]?.startsWith('---')) continue;
    out.push({ section, wdk: cells[0]!, tests: cells[cells.length - 1]! });
  }
  return out;
}

function testFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (entry.endsWith('.ts')) found.push(path);
  }
  return found;
}

const ALL_TEST_FILES = testFiles(join(ROOT, 'test'));

/** The files a tests cell names: a path from the repository root, or a file name found under test/. */
function resolve(cell: string): { named: string[]; missing: string[] } {
  const named: string[] = [];
  const missing: string[] = [];
  for (const token of cell.match(/[\w./-]+\.ts\b/g) ?? []) {
    if (token.includes('/')) {
      const path = join(ROOT, token);
      if (ALL_TEST_FILES.includes(path)) named.push(path);
      else missing.push(token);
    } else {
      const hits = ALL_TEST_FILES.filter((f) => basename(f) === token);
      if (hits.length > 0) named.push(...hits);
      else missing.push(token);
    }
  }
  return { named, missing };
}

/** The routine names of a WDK cell, parameter lists left out: `FltGetFileNameFormat / FltGetFileNameQueryMethod` → both. */
function routinesOf(wdk: string): string[] {
  return wdk.replace(/\([^)]*\)/g, '').match(/\b[A-Z][A-Za-z0-9]+\b/g) ?? [];
}

describe('docs/routines.md → tests', () => {
  const all = rows();

  it('has the sections it should', () => {
    const sections = new Set(all.map((r) => r.section));
    expect([...sections].filter((s) => /§1[567]\b/.test(s))).toEqual(['Contexts (§15)', 'File names (§16)', 'Communication ports (§17)']);
  });

  it('every test file a row names exists', () => {
    const missing = all.flatMap((r) => resolve(r.tests).missing.map((m) => `${r.section}: ${r.wdk.slice(0, 60)} → ${m}`));
    expect(missing).toEqual([]);
  });

  it('§16 and §17: every row names a test, and a named test calls each routine of the row', () => {
    const problems: string[] = [];
    for (const r of all.filter((x) => /§1[67]\)/.test(x.section))) {
      const { named } = resolve(r.tests);
      if (named.length === 0) {
        problems.push(`${r.wdk}: no test named`);
        continue;
      }
      const text = named.map((f) => readFileSync(f, 'utf8')).join('\n');
      for (const routine of routinesOf(r.wdk)) {
        if (!text.includes(routine)) problems.push(`${r.wdk}: ${routine} appears in none of ${named.map((f) => basename(f)).join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
