// A routine that can block is a generator function and is called with `yield*` (README, "A first
// simulation"). Called as a plain statement — `FltSetStreamContext(Instance, FileObject, …);` — it
// builds a generator nobody runs: the routine silently does nothing, and TypeScript says nothing
// because the result is discarded. That mistake reached a test three times in one day once the
// context routines became scheduling points. This check reads every TypeScript file of the
// project (the samples, scenarios, tests, bench, src) and names each statement that calls one of
// the public generator routines and throws the generator away.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');

/** The public routines that are generator functions: the ones a caller must run with `yield*`. */
const GENERATOR_ROUTINES = new Set(
  Object.entries(api)
    .filter(([, value]) => typeof value === 'function' && (value as { constructor: { name: string } }).constructor.name === 'GeneratorFunction')
    .map(([name]) => name),
);

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/**
 * Whether the text calls a generator routine anywhere but after `yield*`: a routine's name, then `(`
 * or type arguments, not preceded by `yield*`, `function`/`function*` (its definition) or `.` (a
 * member, which the check below does not look at). Only such files are parsed: parsing all of the
 * project's ~730 files cost ~4 CPU-seconds of npm test, and most call the routines only with yield*.
 * A superset of what the parse finds — a comment between `yield*` and the name only costs a parse.
 */
const CALL = new RegExp(`(^|[^\\w$])(?:${[...GENERATOR_ROUTINES].join('|')})\\s*[(<]`, 'g');
function callsWithoutYield(text: string): boolean {
  for (const match of text.matchAll(CALL)) {
    const before = text.slice(Math.max(0, match.index - 24), match.index + match[1]!.length).trimEnd();
    if (!/(?:\byield\s*\*|\bfunction\s*\*?|\.)$/.test(before)) return true;
  }
  return false;
}

/** `Routine(…);` or `void Routine(…);` as a whole statement, the callee one of the generator routines. */
function discardedCalls(file: string, text = readFileSync(file, 'utf8')): string[] {
  if (!callsWithoutYield(text)) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node)) {
      let expression = node.expression;
      if (ts.isVoidExpression(expression)) expression = expression.expression;
      if (ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && GENERATOR_ROUTINES.has(expression.expression.text)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${relative(root, file)}:${line + 1}: ${expression.expression.text}(…) without yield*`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('generator routines are run, not dropped', () => {
  it('knows the blocking routines (FltCreateFile, the context Get/Set/Delete routines, KeWaitForSingleObject, …)', () => {
    for (const name of ['FltCreateFile', 'FltClose', 'FltSetStreamContext', 'FltGetInstanceContext', 'KeWaitForSingleObject', 'FltSendMessage']) {
      expect(GENERATOR_ROUTINES.has(name), name).toBe(true);
    }
    // Plain routines stay plain: FltReleaseContext is callable at DISPATCH and never waits (§15).
    expect(GENERATOR_ROUTINES.has('FltReleaseContext')).toBe(false);
  });

  it('no statement in the samples, scenarios, tests, bench or src calls one and throws the generator away', () => {
    const offenders = ['examples', 'src', 'test', 'bench', 'scripts'].flatMap((dir) => typeScriptFiles(join(root, dir)).flatMap((file) => discardedCalls(file)));
    expect(offenders).toEqual([]);
  });

  it('parses every file where a routine is called other than after yield* (the files it skips cannot hold the mistake)', () => {
    for (const text of ['FltClose(h);', 'x;FltClose(h);', 'if (x) FltClose(h);', 'else FltClose(h);', 'void FltClose(h);', 'label: FltSetStreamContext(a, b, 0, c);', 'FltClose<never>(h);', 'yield* g(); FltClose(h);']) {
      expect(callsWithoutYield(text), text).toBe(true);
    }
    for (const text of ['yield* FltClose(h);', 'yield *FltClose(h);', 'export function* FltClose(h) {}', 'function FltClose(h) {}', 'api.FltClose(h);', 'const FltCloseAll = 1; MyFltClose(h);', '// FltClose is a generator']) {
      expect(callsWithoutYield(text), text).toBe(false);
    }
  });

  it('finds the mistake when it is there', () => {
    const text = 'function* post() {\n  FltSetStreamContext(a, b, 0, c);\n  yield* FltClose(h);\n  void FltClose(h);\n}\n';
    expect(discardedCalls(join(root, 'example.ts'), text)).toEqual(['example.ts:2: FltSetStreamContext(…) without yield*', 'example.ts:4: FltClose(…) without yield*']);
  });
});
