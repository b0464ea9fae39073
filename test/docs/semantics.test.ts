// docs/semantics.md is what messages, tests and docs cite as "§N": every citation in src/, docs/,
// the README and the tests names a section or item that has an anchor there, and every link into it
// from docs/ and the README lands on one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const semantics = readFileSync(join(root, 'docs', 'semantics.md'), 'utf8');
const anchors = new Set([...semantics.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]!));

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

/** The anchor a citation points to: "§14 inv. 7" → s14-7, "§13 A4" → s13-a4, "§11.13" → s11-13, "§8" → s8. */
function anchorOf(citation: string): string {
  const m = /^§(\d+)(?:\.(\d+)| (?:inv\.|invariant) (\d+)| (A\d+))?$/.exec(citation)!;
  const minor = m[2] ?? m[3] ?? m[4]?.toLowerCase();
  return minor === undefined ? `s${m[1]}` : `s${m[1]}-${minor}`;
}

const CITATION = /§\d+(?:\.\d+| inv\. \d+| invariant \d+| A\d+)?/g;

describe('docs/semantics.md (§1–§24)', () => {
  it('has an anchor for each of the 24 sections', () => {
    expect(Array.from({ length: 24 }, (_, i) => `s${i + 1}`).filter((a) => !anchors.has(a))).toEqual([]);
  });

  it('has an anchor for every section, ambiguity and invariant cited in src/, docs/, the README and the tests', () => {
    const sources = [...files(join(root, 'src'), /\.ts$/), ...files(join(root, 'test'), /\.ts$/), ...files(join(root, 'docs'), /\.md$/), join(root, 'README.md')];
    const missing = new Set<string>();
    for (const path of sources) {
      for (const [citation] of readFileSync(path, 'utf8').matchAll(CITATION)) {
        if (!anchors.has(anchorOf(citation))) missing.add(`${citation} (${path.slice(root.length + 1)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('every link into semantics.md from docs/ and the README lands on an anchor', () => {
    const broken: string[] = [];
    for (const path of [...files(join(root, 'docs'), /\.md$/), join(root, 'README.md')]) {
      for (const [, anchor] of readFileSync(path, 'utf8').matchAll(/semantics\.md#([a-z0-9-]+)/g)) {
        if (!anchors.has(anchor!)) broken.push(`${path.slice(root.length + 1)} → #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing in src/, docs/ or the README sends a reader to files users never get', () => {
    const sources = [...files(join(root, 'src'), /\.ts$/), ...files(join(root, 'docs'), /\.md$/), join(root, 'README.md')];
    expect(sources.filter((path) => /\.\.\/shared|shared\/reference/.test(readFileSync(path, 'utf8')))).toEqual([]);
  });
});
