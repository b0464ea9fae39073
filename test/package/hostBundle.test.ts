// The main entry tree-shakes (issue 18 item 6): a host that embeds fltsim with its own scenario —
// examples/embedding, which imports only the main entry — bundled and minified as its bundler
// would, carries none of fltsim's built-in scenarios and none of its test helpers. Checked on the
// bundle's content (its sources and its strings), not on its size; bench/hostBundle.ts measures bytes.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInScenarios } from '../../src/index.js';
import { hostBundle } from './hostBundle.js';

const root = join(import.meta.dirname, '..', '..');

describe('the host bundle of examples/embedding', () => {
  it('imports only the main entry: no file of the example reaches fltsim/testing or a module behind the entry', () => {
    const dir = join(root, 'examples', 'embedding');
    const imports = readdirSync(dir).flatMap((name) => [...readFileSync(join(dir, name), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => `${name}: ${m[1]}`));
    expect(imports.filter((i) => i.includes('src/') && !i.endsWith(': ../../src/index.js'))).toEqual([]);
  });

  it('holds the example and the simulation, but no built-in scenario and no test helper', async () => {
    const bundle = await hostBundle();
    expect(bundle.sources).toEqual(expect.arrayContaining(['examples/embedding/scenario.ts', 'src/simulation.ts', 'src/host/scenarios.ts']));
    expect(bundle.text).toContain('three applications write and read back a file each through a monitor');
    expect(bundle.sources.filter((s) => s.startsWith('src/testing/') || s.startsWith('src/scenarios/builders/') || s.startsWith('src/scenarios/races/'))).toEqual([]);
    expect(bundle.sources.filter((s) => s.startsWith('src/scenarios/'))).toEqual(['src/scenarios/registry.ts', 'src/scenarios/scenario.ts']);
    const leaked = builtInScenarios.filter((s) => bundle.text.includes(s.description) || (s.id.includes('-') && bundle.text.includes(`"${s.id}"`)));
    expect(leaked.map((s) => s.id)).toEqual([]);
    expect(bundle.text).not.toContain('has not registered yet: run the simulation first'); // the filter builder of the test helpers
  });
});
