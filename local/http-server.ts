/**
 * The local HTTP interface on 127.0.0.1: the HTTP application (approval pages, staff API,
 * console pages and the outbox; each route answered by the code of the function that serves it in
 * AWS, functions/http/app.ts) at the same paths as in AWS, with every `/api` caller being the
 * local user (`local`), plus `GET /health`. The server listens before the services start, so
 * `/health` answers 503 (and everything else too) until `ready()` hands it the app. Afterwards a
 * health check decides: while a part of the runtime is down (the database JVM restarting),
 * `/health` and every other route answer 503 instead of failing one by one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type FetchApp, type HttpRequest, type HttpResponse, respond } from '../functions/http/exchange.js';
import { LocalRuntimeError } from './errors.js';
import { boundPort, LOOPBACK } from './listen.js';

/** What `/health` reports: `ok`, or why not (e.g. `database restarting`), and the runtime's clock. */
export interface Health {
  status: string;
  now?: Date;
}

export interface LocalHttpServer {
  port: number;
  url: string;
  /**
   * Serves the app from now on. `health` is asked on every request: any status but `ok` answers
   * 503 (default: always ok).
   */
  ready(app: FetchApp, health?: () => Health): void;
  close(): Promise<void>;
}

const MAX_BODY = 1_000_000;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BodyTooLarge('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, r: HttpResponse): void {
  res.writeHead(r.status, {
    'x-content-type-options': 'nosniff',
    ...r.headers,
    ...(r.cookies?.length ? { 'set-cookie': r.cookies } : {}),
  });
  res.end(r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
}

function json(status: number, body: unknown): HttpResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

/** Turns a node request into the runtime-neutral request of the handlers. */
export function toHttpRequest(req: IncomingMessage, body: string, caller?: string): HttpRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    ...(caller ? { caller } : {}),
  };
}

/**
 * Only this machine's names for the server: a page on another site that points a DNS name at
 * 127.0.0.1 (DNS rebinding) would otherwise read the unauthenticated local staff API.
 */
export function isLocalHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

interface Serving {
  app: FetchApp;
  health: () => Health;
}

function healthBody(h: Health): { status: string; now?: string } {
  return { status: h.status, ...(h.now ? { now: h.now.toISOString() } : {}) };
}

async function route(
  req: IncomingMessage,
  serving: Serving | undefined,
  port: number,
): Promise<HttpResponse> {
  if (!isLocalHost(req.headers.host, port)) return json(421, { message: 'unknown host: use 127.0.0.1' });
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (!serving)
    return json(503, path === '/health' ? { status: 'starting' } : { message: 'milepost is starting' });
  const health = serving.health();
  if (path === '/health') return json(health.status === 'ok' ? 200 : 503, healthBody(health));
  if (health.status !== 'ok') return json(503, { message: `milepost is unavailable: ${health.status}` });
  const app = serving.app;
  const body = await readBody(req);
  // The staff API is IAM-authorized in AWS; here every caller is the local user.
  const api = path === '/api' || path.startsWith('/api/');
  return respond(app, toHttpRequest(req, body, api ? 'local' : undefined));
}

/**
 * Listens on 127.0.0.1:`port`. Throws LocalRuntimeError when the port is taken.
 * `onError` receives unexpected failures (the response is a plain 500).
 */
export async function startHttpServer(
  port: number,
  onError: (err: unknown) => void = () => undefined,
): Promise<LocalHttpServer> {
  let serving: Serving | undefined;
  let listening = port;
  const server: Server = createServer((req, res) => {
    route(req, serving, listening).then(
      (r) => send(res, r),
      (err: unknown) => {
        if (err instanceof BodyTooLarge) return send(res, json(413, { message: err.message }));
        onError(err);
        send(res, json(500, { message: 'internal error' }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new LocalRuntimeError(`port ${port} is in use: pass --port N`));
      else if (err.code === 'EACCES')
        reject(new LocalRuntimeError(`port ${port} is not allowed for this user: pass --port N`));
      else reject(err);
    });
    server.listen(port, LOOPBACK, () => resolve());
  });
  // The port bound (the one the system picked when asked for 0), read from the socket.
  const actual = boundPort(server, 'http');
  listening = actual;
  return {
    port: actual,
    url: `http://${LOOPBACK}:${actual}`,
    ready: (app, health = () => ({ status: 'ok' })) => {
      serving = { app, health };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
