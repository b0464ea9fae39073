/**
 * `fltsim view --serve`: the viewer's one HTML page served on the loopback interface, for a browser
 * that will not open files from disk (a remote desktop's, a sandboxed one) or a user who prefers a
 * URL. The page needs nothing else — it fetches nothing (its Content-Security-Policy forbids it) —
 * so the server answers exactly one path and refuses the rest.
 *
 * It listens on 127.0.0.1 only: the trace may hold names a user would not publish. And it answers
 * only requests addressed to that host and port by name (the Host header), so a web page the same
 * browser shows from elsewhere cannot read the trace through a name that resolves to 127.0.0.1 (DNS
 * rebinding).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SERVE_HOST = '127.0.0.1';

export interface ViewServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  /** Stop listening and end the open connections. */
  close(): Promise<void>;
}

/** Serve `html` at `/` on 127.0.0.1:`port` (0: a port the system picks). Rejects when the port is taken. */
export function serveViewer(html: string, port: number): Promise<ViewServer> {
  const body = Buffer.from(html, 'utf8');
  let allowedHosts: ReadonlySet<string> = new Set();
  const server = createServer((request, response) => answer(request, response, body, allowedHosts));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: SERVE_HOST, port, exclusive: true }, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      allowedHosts = new Set([`${SERVE_HOST}:${bound}`, `localhost:${bound}`]);
      resolve({
        url: `http://${SERVE_HOST}:${bound}/`,
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function answer(request: IncomingMessage, response: ServerResponse, body: Buffer, allowedHosts: ReadonlySet<string>): void {
  const plain = (status: number, text: string, headers: Record<string, string> = {}): void => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers });
    response.end(`${text}\n`);
  };
  if (!allowedHosts.has((request.headers.host ?? '').toLowerCase())) return plain(403, 'fltsim view: this server answers only requests to its own address');
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'fltsim view: only GET', { Allow: 'GET, HEAD' });
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/' && path !== '/index.html') return plain(404, 'fltsim view: the viewer is at /');
  response.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/**
 * Resolves when `signal` aborts, or (without one) on the first SIGINT or SIGTERM: what ends a
 * command that serves until it is interrupted. The process's handlers are removed afterwards.
 */
export function interrupted(signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal !== undefined) {
      if (signal.aborted) return done();
      signal.addEventListener('abort', () => done(), { once: true });
      return;
    }
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
