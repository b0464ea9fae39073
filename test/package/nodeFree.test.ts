// The core runs in a browser and in a worker (issue 7): nothing under src/ outside the CLI may
// import a Node built-in, with or without the `node:` prefix. The CLI may.
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Static imports and re-exports (`from '…'`), side-effect imports, dynamic `import('…')` and `require('…')`. */
const SPECIFIER = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

export function nodeImportsIn(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const specifier = m[1] ?? m[2] ?? m[3] ?? m[4]!;
    if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]!)) found.push(specifier);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

describe('no Node-only module in the core', () => {
  it('src/ outside src/cli imports no Node built-in', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      const rel = relative(root, file);
      if (rel.startsWith(join('src', 'cli'))) continue;
      for (const specifier of nodeImportsIn(readFileSync(file, 'utf8'))) offenders.push(`${rel}: ${specifier}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the check catches every form of import (checks the checker)', () => {
    expect(nodeImportsIn(`import { readFileSync } from 'node:fs';`)).toEqual(['node:fs']);
    expect(nodeImportsIn(`import * as path from "path";`)).toEqual(['path']);
    expect(nodeImportsIn(`export { x } from 'fs/promises';`)).toEqual(['fs/promises']);
    expect(nodeImportsIn(`import 'node:process';`)).toEqual(['node:process']);
    expect(nodeImportsIn(`const w = await import('node:worker_threads');`)).toEqual(['node:worker_threads']);
    expect(nodeImportsIn(`const os = require('os');`)).toEqual(['os']);
    expect(nodeImportsIn(`import { Subject } from 'rxjs'; import { x } from './path.js';`)).toEqual([]);
  });
});
