/**
 * The host bundle (issue 18 item 6): what a host that embeds fltsim ships. examples/embedding (the
 * main entry only, its own scenario) bundled and minified with esbuild, against the same host that
 * also uses the built-in scenarios and the test helpers (as the example did before: it imported
 * fltsim/testing, and the host functions defaulted to the built-in registry). Bytes, not time;
 * test/package/hostBundle.test.ts checks what is not in the bundle.
 */
import { hostBundle } from '../test/package/hostBundle.js';
import type { Row } from './harness.js';

const WITH_BUILT_INS = `
import { builtInScenarios } from '../../src/index.js';
import * as testing from '../../src/testing/index.js';
globalThis.keep = [builtInScenarios, testing];
`;

export async function hostBundleFigures(): Promise<Row[]> {
  const lean = await hostBundle();
  const full = await hostBundle('examples/embedding/main.ts', WITH_BUILT_INS);
  const base: Row = { name: 'host bundle + built-in scenarios + fltsim/testing', value: full.bytes, unit: 'bytes', note: 'examples/embedding bundled by esbuild, minified, also importing builtInScenarios and fltsim/testing' };
  return [
    base,
    {
      name: 'host bundle (examples/embedding, main entry only)',
      value: lean.bytes,
      unit: 'bytes',
      baseline: { name: base.name, value: base.value },
      ratio: lean.bytes / full.bytes,
      note: `${full.bytes - lean.bytes} bytes of built-in scenarios and test helpers tree-shaken away`,
    },
  ];
}
