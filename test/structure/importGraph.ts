/**
 * The value-import graph of src/, read with the TypeScript parser: type-only imports are left out
 * (they vanish at run time and cannot form a load-order cycle), re-exports count as imports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (clause === undefined) return false; // a bare `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/**
 * Each import or export-from declaration of a module's text, cut out on its own: one that starts a
 * line, up to its module specifier (a named list may span lines). The parser then reads a few lines
 * per file instead of the whole file: parsing all of src/ whole cost ~1.3 of the test's ~1.6
 * CPU-seconds. Each piece is parsed alone, so a piece that is not a declaration (a line of a string
 * that reads like one) cannot hide the ones after it. test:deep checks that the pieces give every
 * file the edges its whole parse gives (layers.deep.test.ts).
 */
const DECLARATION = /^(?:import|export)\b[^;]*?\bfrom\s*['"][^'"\n]*['"]|^import\s*['"][^'"\n]*['"]/gm;

/** The module's import and export declarations: cut out of its text (see DECLARATION), or from the whole file's parse. */
function declarations(file: string, text: string, whole: boolean): (ts.ImportDeclaration | ts.ExportDeclaration)[] {
  const pieces = whole ? [text] : [...text.matchAll(DECLARATION)].map((m) => m[0]);
  return pieces.flatMap((piece) => ts.createSourceFile(file, piece, ts.ScriptTarget.ES2022, false).statements.filter((node) => ts.isImportDeclaration(node) || ts.isExportDeclaration(node)));
}

/**
 * Edges between files of `root`, as paths relative to it (`io/dispatch.ts` → `io/ioOperation.ts`).
 * `whole`: parse each file whole instead of its cut-out declarations (the deep run's cross-check).
 */
export function valueImports(root: string, whole = false): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root)) {
    for (const node of declarations(file, readFileSync(file, 'utf8'), whole)) {
      const spec = node.moduleSpecifier;
      if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
      if (isTypeOnly(node)) continue;
      const target = join(dirname(file), spec.text.replace(/\.js$/, '.ts'));
      edges.push({ from: relative(root, file), to: relative(root, target) });
    }
  }
  return edges;
}

/** Every elementary cycle reachable in the graph, each once, as a list of files (Tarjan's SCCs, then one cycle per SCC). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}
