/**
 * Build the viewer's template, dist/viewer/viewer.html: vite bundles viewer/ (Preact, and the
 * library code the page runs) into one script and one stylesheet, and this script inlines both
 * into one HTML file with a Content-Security-Policy that allows exactly those two, by their
 * SHA-256: no other script can run in the page, inline or fetched, and nothing is fetched at all.
 * `fltsim view` puts the trace's data blocks where the template's placeholder is (src/viewer/payload.ts).
 *
 * Run by `npm run build` (and so by `prepare`); the viewer's tests build it when it is stale.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAYLOAD_PLACEHOLDER } from '../src/viewer/payload.js';

const root = join(import.meta.dirname, '..');
export const VIEWER_TEMPLATE = join(root, 'dist', 'viewer', 'viewer.html');

interface OutputFile {
  readonly type: 'chunk' | 'asset';
  readonly fileName: string;
  readonly code?: string;
  readonly source?: string | Uint8Array;
}

/** The newest modification time of any file under `dir`. */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(path) : s.mtimeMs);
  }
  return newest;
}

/**
 * Is the built page missing or older than what it bundles (src/, viewer/, the build's tsconfig)?
 * A stale page once reached the bench: a page written for another payload layout that Chromium
 * could not show ("Target page closed").
 */
export function viewerIsStale(template: string = VIEWER_TEMPLATE): boolean {
  if (!existsSync(template)) return true;
  const newestSource = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'viewer')), statSync(join(root, 'tsconfig.build.json')).mtimeMs);
  return statSync(template).mtimeMs < newestSource;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export async function buildViewer(out: string = VIEWER_TEMPLATE): Promise<void> {
  const { build } = await import('vite');
  const result = await build({
    root: join(root, 'viewer'),
    configFile: false,
    logLevel: 'warn',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      write: false,
      target: 'es2022',
      // FLTSIM_VIEWER_MINIFY=0 keeps the bundle's names, for a profile of the page in Chromium's DevTools.
      ...(process.env.FLTSIM_VIEWER_MINIFY === '0' ? { minify: false } : {}),
      cssCodeSplit: false,
      modulePreload: false,
      rollupOptions: { input: join(root, 'viewer', 'main.tsx'), output: { format: 'es', codeSplitting: false } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => (r as { output: OutputFile[] }).output);
  const chunks = outputs.filter((o) => o.type === 'chunk');
  const styles = outputs.filter((o) => o.type === 'asset' && o.fileName.endsWith('.css'));
  if (chunks.length !== 1) throw new Error(`the viewer must bundle into one script, got ${chunks.map((c) => c.fileName).join(', ')}`);
  const script = chunks[0]!.code!;
  const style = styles.map((s) => (typeof s.source === 'string' ? s.source : new TextDecoder().decode(s.source))).join('\n');
  // Inline code must not end its own element early.
  if (/<\/script|<!--/i.test(script)) throw new Error('the viewer bundle holds </script or <!--: it cannot be inlined');
  if (/<\/style/i.test(style)) throw new Error('the viewer stylesheet holds </style: it cannot be inlined');
  if (script.includes(PAYLOAD_PLACEHOLDER) || style.includes(PAYLOAD_PLACEHOLDER)) throw new Error('the bundle holds the payload placeholder');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    'img-src data:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fltsim view</title>
<style>${style}</style>
</head>
<body>
<div id="app"></div>
${PAYLOAD_PLACEHOLDER}
<script type="module">${script}</script>
</body>
</html>
`;
  mkdirSync(join(out, '..'), { recursive: true });
  // Written whole or not at all: two test files may build it at once.
  const temporary = `${out}.${process.pid}.tmp`;
  writeFileSync(temporary, html);
  renameSync(temporary, out);
}

if (process.argv[1] !== undefined && /buildViewer\.(ts|js)$/.test(process.argv[1])) {
  const started = performance.now();
  await buildViewer();
  console.log(`built ${VIEWER_TEMPLATE} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
