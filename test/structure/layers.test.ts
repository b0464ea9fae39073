// Layers point one way (docs/architecture.md): kernel → machines and streams → file system → kernel
// objects → I/O walk → Filter Manager routines → issued I/O and the I/O manager → simulation →
// checkers, exploration, time travel, traces → scenarios and host → entries and command line.
// Value imports only (type-only imports vanish at run time); re-exports count.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, valueImports, type ImportEdge } from './importGraph.js';
import { LAYERS, layerOf } from './layers.js';

const src = join(import.meta.dirname, '..', '..', 'src');
const edges = valueImports(src);

/** Every file `from` reaches through value imports. */
function reach(from: string): Set<string> {
  const seen = new Set<string>([from]);
  const todo = [from];
  while (todo.length > 0) {
    const file = todo.pop()!;
    for (const e of edges) if (e.from === file && !seen.has(e.to)) (seen.add(e.to), todo.push(e.to));
  }
  return seen;
}

describe('the import graph of src/', () => {
  it('has no import cycle', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('has no import that points up a layer', () => {
    const upward = (e: ImportEdge) => layerOf(e.to).rank > layerOf(e.from).rank;
    expect(edges.filter(upward).map((e) => `${e.from} (${layerOf(e.from).name}) → ${e.to} (${layerOf(e.to).name})`)).toEqual([]);
  });

  it('puts every file in a layer', () => {
    expect(edges.flatMap((e) => [e.from, e.to]).filter((f) => layerOf(f).rank < 0)).toEqual([]);
    expect(LAYERS.length).toBeGreaterThan(5);
  });

  it('keeps the test helpers out of the main entry: index.ts reaches nothing in testing/', () => {
    expect([...reach('index.ts')].filter((f) => f.startsWith('testing/'))).toEqual([]);
  });

  it('checks itself: a deliberate upward import and a deliberate cycle are found', () => {
    const planted: ImportEdge[] = [...edges, { from: 'kernel/kernel.ts', to: 'cli/main.ts' }, { from: 'cli/main.ts', to: 'kernel/kernel.ts' }];
    expect(planted.filter((e) => layerOf(e.to).rank > layerOf(e.from).rank)).toContainEqual({ from: 'kernel/kernel.ts', to: 'cli/main.ts' });
    expect(cycles(planted).some((c) => c.includes('kernel/kernel.ts') && c.includes('cli/main.ts'))).toBe(true);
  });
});
