// The same build runs in a browser (issue 7): a page bundled by vite from the built package runs
// the scenarios of page/scenarios.mjs in headless Chromium, and its log equals, byte for byte, the
// log plain Node gives running the same module against the same package. Among them (issue 18) a
// random host with recorded inputs, saved at a random step, whose restored copy the page checks
// continues byte-identically.
//
// Chromium is Debian's (/usr/bin/chromium, installed by .ci/run), driven by playwright-core; no
// browser is ever downloaded. The check runs in the browser viewer.test.ts launches, which registers
// it (packageInBrowserTests): a launch of Chromium costs ~3 CPU-seconds, once for both. Without
// Chromium that file is skipped on a developer machine, with a message; under CI=true a missing
// chromium is a failure.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, HAS_CHROMIUM, type Browser } from '../support/viewerInChromium.js';

const root = join(import.meta.dirname, '..', '..');
const pageDir = join(import.meta.dirname, 'page');
const ci = process.env.CI === 'true';

/** Bundle the page with vite, the package resolved to its build in dist/ as `fltsim` and `fltsim/testing`. */
async function buildPage(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    root: pageDir,
    base: './',
    logLevel: 'warn',
    configFile: false,
    resolve: {
      alias: [
        { find: /^fltsim$/, replacement: join(root, 'dist', 'index.js') },
        { find: /^fltsim\/testing$/, replacement: join(root, 'dist', 'testing', 'index.js') },
      ],
    },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };

/** Serve `dir` on a loopback port: module scripts do not load from file:// URLs. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

async function logInChromium(browser: Browser, url: string): Promise<string> {
  const page = await browser.context.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(url);
    // Page-side code as strings: the test is type-checked without the DOM library.
    // No limit of its own (timeout 0): a loaded machine is slower, never red; vitest's limit catches a hang.
    await page.waitForFunction("document.title === 'fltsim: done'", undefined, { timeout: 0 });
    const result = (await page.evaluate('window.fltsimResult')) as { log?: string; error?: string };
    expect(errors).toEqual([]);
    if (result.error !== undefined) throw new Error(`the page failed: ${result.error}`);
    return result.log!;
  } finally {
    await page.close();
  }
}

/** Registers the check; `browser` is the file's Chromium, launched in its beforeAll (null without one). */
export function packageInBrowserTests(browser: () => Browser | null): void {
  describe.skipIf(!HAS_CHROMIUM && !ci)('the package in a browser', () => {
    const work = mkdtempSync(join(tmpdir(), 'fltsim-browser-'));
    let server: Server | null = null;
    afterAll(async () => {
      // The browser stays open (the file's other tests use it): its idle keep-alive connection would hold close() up.
      server?.closeAllConnections();
      await new Promise<void>((done) => (server === null ? done() : server.close(() => done())));
      rmSync(work, { recursive: true, force: true });
    });

    it('a page built from the package runs the scenarios with the log Node gives, byte for byte', async () => {
      const chromium = browser();
      if (chromium === null) throw new Error(`CI=true but there is no chromium at ${CHROMIUM_PATH}: .ci/run installs Debian's chromium`);
      const out = join(work, 'page');
      await buildPage(out);
      const served = await serve(out);
      server = served.server;
      const inBrowser = await logInChromium(chromium, served.url);
      const inNode = execFileSync(process.execPath, [join(pageDir, 'node.mjs')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(inNode.length).toBeGreaterThan(10_000);
      expect(inBrowser.length).toBe(inNode.length);
      expect(inBrowser === inNode).toBe(true);
    });
  });
}
