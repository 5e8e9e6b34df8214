import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectStore } from '../../functions/core/ports.js';
import { signLocalSession } from '../../functions/core/session.js';
import { createHttpApp } from '../../functions/http/app.js';
import type { FetchApp, HttpRequest } from '../../functions/http/exchange.js';
import { localSignIn } from '../../functions/http/sign-in.js';
import { LocalRuntimeError } from '../../local/errors.js';
import { type LocalHttpServer, startHttpServer } from '../../local/http-server.js';
import { makeProject, makeProjectSpec } from '../support/dynamo.js';
import { makeTestDeps } from '../support/fakes.js';

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

/** An app that records each request as the runtime-neutral request it was given. */
function recordingApp(seen: HttpRequest[]): FetchApp {
  return {
    fetch: async (req, env) => {
      const url = new URL(req.url);
      seen.push({
        method: req.method,
        path: env.path,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(req.headers),
        body: await req.text(),
        ...(env.caller ? { caller: env.caller } : {}),
      });
      return new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } });
    },
  };
}

/** The real application over a store that knows one project (`acme`) and an outbox of one email. */
function consoleApp(): FetchApp {
  const project = makeProject({}, makeProjectSpec({ id: 'acme' }));
  const store = {
    getProject: async (id: string) => (id === 'acme' ? project : undefined),
    // No records of any kind (the project page also reads the budget ledger).
    get: async () => undefined,
    list: async () => [],
    listEvents: async () => ({ items: [] }),
    listProjects: async () => ({ items: [project] }),
  } as unknown as ProjectStore;
  const email = {
    messageId: 'm1',
    from: 'a@msp.example',
    channel: 'email' as const,
    to: ['b@acme.example'],
    subject: 'hello',
    text: '',
    html: '',
    sentAt: '2026-12-01T09:00:00.000Z',
  };
  return createHttpApp(makeTestDeps(store), {
    console: { signIn: localSignIn(SECRET) },
    outbox: { list: async () => [email] },
  });
}

const SECRET = 'local-secret-of-this-test';
/** The session cookie of a person signed in locally. */
const signedIn = {
  cookie: `milepost-session=${signLocalSession(SECRET, { email: 'pm@msp.example', name: 'PM', groups: ['staff'] }, new Date())}`,
};

describe('local HTTP server', () => {
  it('answers /health with 503 until ready and 200 after', async () => {
    const s = await start();
    const before = await fetch(`${s.url}/health`);
    expect(before.status).toBe(503);
    expect((await fetch(`${s.url}/`)).status).toBe(503);
    s.ready(recordingApp([]));
    const after = await fetch(`${s.url}/health`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'ok' });
  });

  it("answers /health with the runtime's clock, and 503 everywhere while its health check fails", async () => {
    const s = await start();
    const seen: HttpRequest[] = [];
    let health: { status: string; now: Date } = { status: 'ok', now: new Date('2027-01-02T03:04:05.000Z') };
    s.ready(recordingApp(seen), () => health);
    const ok = await fetch(`${s.url}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', now: '2027-01-02T03:04:05.000Z' });

    health = { status: 'database restarting', now: new Date('2027-01-02T03:04:06.000Z') };
    const down = await fetch(`${s.url}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'database restarting', now: '2027-01-02T03:04:06.000Z' });
    const page = await fetch(`${s.url}/api/projects`);
    expect(page.status).toBe(503);
    expect(seen).toHaveLength(0);

    health = { status: 'ok', now: new Date('2027-01-02T03:04:07.000Z') };
    expect((await fetch(`${s.url}/api/projects`)).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('passes approval pages and the staff API to the app, the API as caller local', async () => {
    const s = await start();
    const seen: HttpRequest[] = [];
    s.ready(recordingApp(seen));
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
    s.ready(consoleApp());
    expect(await (await fetch(`${s.url}/api/outbox`)).json()).toEqual([
      expect.objectContaining({ subject: 'hello' }),
    ]);
    const anonymous = await fetch(`${s.url}/projects/acme`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/auth/local?next=%2Fprojects%2Facme');
    const project = await fetch(`${s.url}/projects/acme`, { headers: signedIn });
    expect(project.status).toBe(200);
    expect(project.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(project.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${s.url}/projects/nope`, { headers: signedIn })).status).toBe(404);
    // An unknown path keeps the signed-in header (Sign out and the console's links); signed out, a
    // plain Not found, never a sign-in redirect.
    const elsewhere = await fetch(`${s.url}/elsewhere`, { headers: signedIn });
    expect(elsewhere.status).toBe(404);
    const page = await elsewhere.text();
    expect(page).toContain('Not found');
    expect(page).toContain('Sign out');
    expect(page).toContain('href="/capacity"');
    const stranger = await fetch(`${s.url}/elsewhere`, { redirect: 'manual' });
    expect(stranger.status).toBe(404);
    expect(await stranger.text()).not.toContain('Sign out');
    expect(await (await fetch(`${s.url}/outbox`, { headers: signedIn })).text()).toContain('Outbox');
    // Signing in sets an HttpOnly, SameSite cookie (several Set-Cookie headers pass through).
    const signIn = await fetch(`${s.url}/auth/local`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=pm%40msp.example&next=%2Fprojects%2Facme',
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/projects/acme');
    expect(signIn.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^milepost-session=l1\.[^;]+; Path=\/; HttpOnly; SameSite=Lax$/),
    ]);
  });

  it('refuses a request for another host name (DNS rebinding) and serves its own names', async () => {
    const s = await start();
    const seen: HttpRequest[] = [];
    s.ready(recordingApp(seen));
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
