// An exploration builds and drops a simulation per schedule, and each should die in V8's young
// generation (docs/exploration.md, "Memory"). Three ways of writing per-simulation code put an object
// in the old generation that points back into the simulation, and a dead old object still counts as
// live for young-generation collections until the next full one: then every schedule's simulation
// survives, is copied and promoted (it was ~40% of each schedule's bytes and a fifth of the run's
// time on the smallest race). This check reads src/ (the viewer and the CLI run no simulations of
// their own; the built-in scenarios are user code and may write either way) and names each:
//   - a generator function made inside a function: calling it gives the closure an initial map,
//     allocated old, pointing at the closure and its context;
//   - a getter or setter in an object literal: V8 allocates its AccessorPair old;
//   - a function literal assigned straight to a property (`x.f = () => …`): V8's parser marks it
//     to be allocated old (a guess meant for prototype methods).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', '..', 'src');
const SKIPPED = new Set(['viewer', 'cli', 'scenarios']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return dir === src && SKIPPED.has(name) ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * What the parse below looks for, found in the text first so that only those files are parsed
 * (parsing all of these files cost about 2 CPU-seconds of npm test): a `function*` that is not a
 * module's own declaration (indented, or after `=`, `(`, `,`, `:`, `?`, `return`), `get`/`set` after
 * `{` or `,` (a literal's accessor; comments allowed between), a function literal after `.name =`
 * or `] =`, and a literal's generator method (`{ *name(`).
 */
const FUNCTION_LITERAL = String.raw`(?:async\s+)?(?:function\b|\([^()]*\)\s*(?::[^=]*)?=>|[\w$]+\s*=>)`;
const SUSPECT = new RegExp(
  [
    String.raw`(?:^[ \t]+|[=(,:?]\s*|return\s+)function\s*\*`,
    String.raw`[{,]\s*(?:\/\*[\s\S]*?\*\/\s*|\/\/[^\n]*\n\s*)*[gs]et\s+[\w$]+\s*\(`,
    String.raw`(?:\.\s*[\w$]+|\])\s*=\s*` + FUNCTION_LITERAL,
    String.raw`[{,]\s*(?:async\s*)?\*\s*[\w$]+\s*\(`,
  ].join('|'),
  'm',
);

function oldGenerationRoots(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (!SUSPECT.test(text)) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string): void => {
    found.push(`${relative(src, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${what}`);
  };
  const visit = (node: ts.Node, inFunction: boolean): void => {
    const generatorClosure = ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node) || (ts.isMethodDeclaration(node) && ts.isObjectLiteralExpression(node.parent));
    if (inFunction && generatorClosure && node.asteriskToken !== undefined) {
      at(node, 'a generator function inside a function (write a module-level generator and call it)');
    }
    if ((ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && ts.isObjectLiteralExpression(node.parent)) {
      at(node, `an accessor in an object literal (${node.name.getText(source)}: put it on a class)`);
    }
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isPropertyAccessExpression(node.left) || ts.isElementAccessExpression(node.left)) &&
      (ts.isFunctionExpression(node.right) || ts.isArrowFunction(node.right))
    ) {
      at(node, `a function literal assigned to ${node.left.getText(source)} (assign it through a const)`);
    }
    const opensFunction = ts.isFunctionLike(node);
    ts.forEachChild(node, (child) => visit(child, inFunction || opensFunction));
  };
  visit(source, false);
  return found;
}

describe('per-simulation code leaves nothing in the old generation (docs/exploration.md, "Memory")', () => {
  it('src/ has no nested generator expression, object-literal accessor or function literal assigned to a property', () => {
    expect(sourceFiles(src).flatMap(oldGenerationRoots)).toEqual([]);
  });
});
