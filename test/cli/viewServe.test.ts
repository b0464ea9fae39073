// `fltsim view --serve` (issue 17): the viewer's page served on 127.0.0.1 until the command is
// stopped. The test runs the CLI in-process with a stop signal in place of Ctrl+C, reads the URL it
// prints, fetches the page (the same bytes `--out` writes), and checks what else the server refuses:
// other paths, other methods, and a request addressed to another host name (DNS rebinding). One
// test runs the real command line (bin/fltsim.mjs) and stops it with SIGINT, as Ctrl+C does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const work = mkdtempSync(join(tmpdir(), 'fltsim-view-serve-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Served {
  readonly url: string;
  readonly out: string[];
  readonly err: string[];
  stop(): Promise<number>;
}

/** `fltsim view …args --serve`, running until stop(); resolves once it printed its URL. */
async function serve(...args: string[]): Promise<Served> {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  let printed: (url: string) => void = () => undefined;
  const url = new Promise<string>((done) => (printed = done));
  const running = main(['view', ...args, '--serve'], {
    out: (line) => {
      out.push(line);
      const m = /is at (http:\/\/\S+) /.exec(line);
      if (m !== null) printed(m[1]!);
    },
    err: (line) => err.push(line),
    stop: controller.signal,
  });
  const first = await Promise.race([url, running.then((code) => `exited ${code}: ${err.join('\n')}`)]);
  if (!first.startsWith('http://')) throw new Error(first);
  return {
    url: first,
    out,
    err,
    stop: () => (controller.abort(), running),
  };
}

/** A raw GET (fetch refuses to set Host): status and body. */
function get(url: string, options: { readonly host?: string; readonly method?: string } = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: options.method ?? 'GET', headers: options.host === undefined ? {} : { host: options.host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('fltsim view --serve', () => {
  it('serves the page --out writes at http://127.0.0.1:PORT/ until stopped, then refuses connections', async () => {
    const file = join(work, 'demo.html');
    const served = await serve('demo', '--out', file);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(served.out).toEqual([`# the viewer for ${/for (\d+) facts/.exec(served.out[0]!)![1]} facts is in ${file}: open it in a browser (no network needed)`, `# the viewer for ${/for (\d+) facts/.exec(served.out[0]!)![1]} facts is at ${served.url} (this machine only; Ctrl+C stops)`]);
    const page = await fetch(served.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toBe(readFileSync(file, 'utf8'));
    expect(html).toContain('Content-Security-Policy');
    expect(html).toContain('"title":"demo (seed 1)"');
    // The same page by the name localhost, and at /index.html.
    expect((await get(`${served.url}index.html`, { host: `localhost:${new URL(served.url).port}` })).status).toBe(200);

    expect(await served.stop()).toBe(0);
    await expect(fetch(served.url)).rejects.toThrow();
  });

  it('answers only GET and HEAD of / at its own address: 404, 405, and 403 for another Host (DNS rebinding)', async () => {
    const served = await serve('demo');
    try {
      expect(served.out).toHaveLength(1); // --serve without --out writes no file
      expect(await get(`${served.url}trace.ndjson`)).toMatchObject({ status: 404, type: 'text/plain; charset=utf-8' });
      expect(await get(served.url, { method: 'POST' })).toMatchObject({ status: 405 });
      expect(await get(served.url, { method: 'HEAD' })).toMatchObject({ status: 200, body: '' });
      expect(await get(served.url, { host: `attacker.example:${new URL(served.url).port}` })).toMatchObject({ status: 403, body: 'fltsim view: this server answers only requests to its own address\n' });
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('a given --port is used; a taken one is an output error (exit 5); --port without --serve a usage error, and so is a --facts-per-block of 0', async () => {
    const first = await serve('demo');
    const port = new URL(first.url).port;
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['view', 'demo', '--serve', '--port', port], { out: (l) => out.push(l), err: (l) => err.push(l) });
      expect({ code, err }).toEqual({ code: 5, err: [`fltsim view: cannot serve on 127.0.0.1:${port}: EADDRINUSE`] });
    } finally {
      await first.stop();
    }
    const again = await serve('demo', '--port', port);
    expect(again.url).toBe(`http://127.0.0.1:${port}/`);
    await again.stop();
    const err: string[] = [];
    expect(await main(['view', 'demo', '--port', '8080'], { out: () => undefined, err: (l) => err.push(l) })).toBe(2);
    expect(err).toEqual(['fltsim view: --port needs --serve']);
    err.length = 0;
    expect(await main(['view', 'demo', '--serve', '--port', '70000'], { out: () => undefined, err: (l) => err.push(l) })).toBe(2);
    expect(err).toEqual(["fltsim view: --port must be an integer from 0 to 65535, got '70000'"]);
    err.length = 0;
    expect(await main(['view', 'demo', '--facts-per-block', '0'], { out: () => undefined, err: (l) => err.push(l) })).toBe(2);
    expect(err).toEqual(["fltsim view: --facts-per-block must be an integer from 1 to 50000000, got '0'"]);
  });

  it('the command line serves until SIGINT, then exits 0', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'fltsim.mjs'), 'view', 'demo', '--serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /is at (http:\/\/\S+) /.exec(stdout);
        if (m !== null) done(m[1]!);
      });
      void exited.then((code) => fail(new Error(`exited ${code} before serving: ${stderr}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="fltsim-payload"');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});
