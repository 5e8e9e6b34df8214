import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../functions/handlers/http-types.js';
import { LocalRuntimeError } from '../../local/errors.js';
import { type LocalHttpServer, type LocalRoutes, startHttpServer } from '../../local/http-server.js';

let servers: LocalHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(port = 0) {
  const s = await startHttpServer(port);
  servers.push(s);
  return s;
}

function routes(seen: HttpRequest[]): LocalRoutes {
  return {
    app: async (req) => {
      seen.push(req);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    },
    outboxJson: async () => [{ subject: 'hello' }],
    portfolioHtml: async () => '<h1>Portfolio</h1>',
    projectHtml: async (id) => (id === 'acme' ? '<h1>acme</h1>' : undefined),
    outboxHtml: async () => '<h1>Outbox</h1>',
  };
}

describe('local HTTP server', () => {
  it('answers /health with 503 until ready and 200 after', async () => {
    const s = await start();
    const before = await fetch(`${s.url}/health`);
    expect(before.status).toBe(503);
    expect((await fetch(`${s.url}/`)).status).toBe(503);
    s.ready(routes([]));
    const after = await fetch(`${s.url}/health`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'ok' });
  });

  it('passes approval pages and the staff API to the product handler, the API as caller local', async () => {
    const s = await start();
    const seen: HttpRequest[] = [];
    s.ready(routes(seen));
    await fetch(`${s.url}/approve/abc?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    await fetch(`${s.url}/api/projects/acme`);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/approve/abc',
      query: { x: '1' },
      body: 'decision=approve',
    });
    expect(seen[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen[0]!.caller).toBeUndefined();
    expect(seen[1]).toMatchObject({ method: 'GET', path: '/api/projects/acme', caller: 'local' });
  });

  it('serves the outbox as JSON and the dashboard pages with security headers', async () => {
    const s = await start();
    s.ready(routes([]));
    expect(await (await fetch(`${s.url}/api/outbox`)).json()).toEqual([{ subject: 'hello' }]);
    const project = await fetch(`${s.url}/projects/acme`);
    expect(project.status).toBe(200);
    expect(project.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(project.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${s.url}/projects/nope`)).status).toBe(404);
    expect((await fetch(`${s.url}/elsewhere`)).status).toBe(404);
    expect(await (await fetch(`${s.url}/outbox`)).text()).toContain('Outbox');
  });

  it('refuses a request for another host name (DNS rebinding) and serves its own names', async () => {
    const s = await start();
    const seen: HttpRequest[] = [];
    s.ready(routes(seen));
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: s.port, path: '/api/projects', headers: { host } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await get(`attacker.example:${s.port}`)).toBe(421);
    expect(await get('127.0.0.1')).toBe(421);
    expect(seen).toHaveLength(0);
    expect(await get(`localhost:${s.port}`)).toBe(200);
    expect(await get(`127.0.0.1:${s.port}`)).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it('says which port is in use and what to do', async () => {
    const s = await start();
    const err = await startHttpServer(s.port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalRuntimeError);
    expect((err as Error).message).toBe(`port ${s.port} is in use: pass --port N`);
  });
});
