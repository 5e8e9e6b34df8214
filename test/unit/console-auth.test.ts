/**
 * The console's sign-in, session and authorization: who may change a project, what a forged or
 * expired session gets, that every form needs the session's CSRF token (and changes nothing
 * without it), that changes record the signed-in person, and the Cognito code flow with PKCE and
 * tokens verified by aws-jwt-verify (against keys made here).
 */
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  mayChange,
  requireChangeAllowed,
  type StaffUser,
  teamEmails,
} from '../../functions/core/authorization.js';
import { ForbiddenError } from '../../functions/core/errors.js';
import {
  csrfTokenFor,
  signLocalSession,
  verifyCsrfToken,
  verifyLocalSession,
} from '../../functions/core/session.js';
import { removeProjectRecord } from '../../functions/core/use-cases/staff-remove-record.js';
import { createHttpApp, type HttpAppOptions } from '../../functions/http/app.js';
import { type HttpResponse, respond } from '../../functions/http/exchange.js';
import { safeNext } from '../../functions/http/session.js';
import { cognitoSignIn, localSignIn } from '../../functions/http/sign-in.js';
import { makeMember, makeProject, makeProjectSpec, makeStages, makeTeam } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const PM: StaffUser = { email: 'pm@msp.example', name: 'Priya Shah', groups: ['staff'] };
const OUTSIDER: StaffUser = { email: 'other@msp.example', name: 'Olive Other', groups: ['staff'] };
const ADMIN: StaffUser = { email: 'boss@msp.example', name: 'Ada Admin', groups: ['staff', 'admin'] };
const SECRET = 'a-secret-of-this-test';
const ID = 'acme-m365';

async function seeded(): Promise<TestDeps> {
  const store = new MemoryProjectStore();
  const project = makeProject({}, makeProjectSpec({ id: ID }));
  await store.commit([project, ...makeStages(project), ...makeTeam(project)]);
  return makeTestDeps(store);
}

function sessionCookie(user: StaffUser, at = new Date()): string {
  return signLocalSession(SECRET, user, at);
}

async function call(
  deps: TestDeps,
  method: string,
  path: string,
  options: { cookie?: string; body?: Record<string, string>; headers?: Record<string, string> } = {},
  app: HttpAppOptions = { console: { signIn: localSignIn(SECRET) } },
): Promise<HttpResponse> {
  return respond(createHttpApp(deps, app), {
    method,
    path,
    query: {},
    headers: {
      ...(options.cookie ? { cookie: `milepost-session=${options.cookie}` } : {}),
      ...(options.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...options.headers,
    },
    body: options.body ? new URLSearchParams(options.body).toString() : '',
  });
}

const taskForm = (cookie: string, extra: Record<string, string> = {}) => ({
  csrf: csrfTokenFor(cookie),
  id: 'migrate-mail',
  name: 'Migrate mail',
  stage: 'initiation',
  status: 'in_progress',
  estimateHours: '12',
  actualHours: '3',
  ...extra,
});

describe('the change policy', () => {
  const project = makeProject({}, makeProjectSpec({ id: ID }));

  it('lets the recorded team members and admins change a project, and nobody else', () => {
    const team = teamEmails([...makeTeam(project), makeMember({ email: 'New.Hire@msp.example' })]);
    expect(mayChange(PM, team)).toBe(true);
    expect(mayChange({ ...PM, email: 'PM@MSP.example' }, team)).toBe(true);
    expect(mayChange({ ...OUTSIDER, email: 'new.hire@msp.example' }, team)).toBe(true);
    expect(mayChange(ADMIN, team)).toBe(true);
    expect(mayChange(OUTSIDER, team)).toBe(false);
    expect(mayChange({ ...OUTSIDER, groups: ['staff', 'administrators'] }, team)).toBe(false);
  });

  it('takes the right from a removed team member at once, though the spec still lists them', async () => {
    const deps = await seeded();
    const engineer: StaffUser = { email: 'eng@msp.example', name: 'Marco Rossi', groups: ['staff'] };
    await expect(requireChangeAllowed(deps, engineer, ID)).resolves.toMatchObject({ project: { id: ID } });
    const stored = await deps.store.get(ID, 'member', 'eng@msp.example');
    await removeProjectRecord(deps, {
      projectId: ID,
      entity: 'member',
      id: 'eng@msp.example',
      version: stored!.version,
      actor: PM.email,
    });
    expect((await deps.store.getProject(ID))!.spec.team.map((m) => m.email)).toContain('eng@msp.example');
    await expect(requireChangeAllowed(deps, engineer, ID)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses an outsider with a sentence that says why', async () => {
    const deps = await seeded();
    // Allowed: what it read comes back (the project and its team, for a form posted back).
    const allowed = await requireChangeAllowed(deps, PM, ID);
    expect(allowed.project.id).toBe(ID);
    expect(allowed.members.map((m) => m.email)).toContain(PM.email);
    const refused = requireChangeAllowed(deps, OUTSIDER, ID);
    await expect(refused).rejects.toBeInstanceOf(ForbiddenError);
    await expect(refused).rejects.toThrow(
      /Only the team of .+ and administrators can change it; other@msp\.example is not on its team/,
    );
  });
});

describe('local sessions and CSRF tokens', () => {
  const now = new Date('2026-12-01T09:00:00Z');

  it('names the person of a session it signed, until it expires', () => {
    const value = signLocalSession(SECRET, PM, now);
    expect(verifyLocalSession(SECRET, value, now)).toEqual(PM);
    expect(verifyLocalSession(SECRET, value, new Date(now.getTime() + 8 * 3600_000 - 1))).toEqual(PM);
    expect(verifyLocalSession(SECRET, value, new Date(now.getTime() + 8 * 3600_000))).toBeUndefined();
  });

  it('names nobody for a forged, altered, foreign or malformed value', () => {
    const value = signLocalSession(SECRET, PM, now);
    const [, payload, mac] = value.split('.');
    const admin = Buffer.from(JSON.stringify({ ...ADMIN, exp: now.getTime() + 1e9 })).toString('base64url');
    expect(verifyLocalSession(SECRET, `l1.${admin}.${mac}`, now)).toBeUndefined();
    expect(verifyLocalSession('another-secret', value, now)).toBeUndefined();
    expect(verifyLocalSession(SECRET, `l1.${payload}.${'A'.repeat(43)}`, now)).toBeUndefined();
    expect(verifyLocalSession(SECRET, 'garbage', now)).toBeUndefined();
    expect(verifyLocalSession(SECRET, '', now)).toBeUndefined();
  });

  it('gives each session its own CSRF token', () => {
    const a = signLocalSession(SECRET, PM, now);
    const b = signLocalSession(SECRET, OUTSIDER, now);
    expect(verifyCsrfToken(a, csrfTokenFor(a))).toBe(true);
    expect(verifyCsrfToken(a, csrfTokenFor(b))).toBe(false);
    expect(verifyCsrfToken(a, '')).toBe(false);
    expect(verifyCsrfToken(a, undefined)).toBe(false);
  });

  it('returns only to pages of this site after signing in', () => {
    expect(safeNext('/projects/acme?cursor=x')).toBe('/projects/acme?cursor=x');
    for (const bad of [
      '//evil.example',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:x',
      '/a\nb',
      undefined,
    ])
      expect(safeNext(bad)).toBe('/');
  });
});

describe('the console’s session guard', () => {
  it('sends a request without a session to sign in, and clears a forged or expired cookie', async () => {
    const deps = await seeded();
    const none = await call(deps, 'GET', `/projects/${ID}`);
    expect(none.status).toBe(303);
    expect(none.headers.location).toBe(`/auth/local?next=%2Fprojects%2F${ID}`);
    expect(none.cookies).toBeUndefined();

    const expired = sessionCookie(PM, new Date(Date.now() - 9 * 3600_000));
    for (const cookie of [
      expired,
      `${sessionCookie(PM).slice(0, -2)}xx`,
      sessionCookie(ADMIN).replace('l1.', 'l1.e'),
    ]) {
      const res = await call(deps, 'GET', '/', { cookie });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/auth/local');
      expect(res.cookies).toEqual([expect.stringMatching(/^milepost-session=; .*Max-Age=0/)]);
    }
    expect((await call(deps, 'GET', '/', { cookie: sessionCookie(PM) })).status).toBe(200);
  });

  it('refuses a form without the session’s CSRF token, or from another site, and changes nothing', async () => {
    const deps = await seeded();
    const cookie = sessionCookie(PM);
    const other = sessionCookie(OUTSIDER);
    const attempts: { body: Record<string, string>; headers?: Record<string, string> }[] = [
      { body: { ...taskForm(cookie), csrf: '' } },
      { body: { ...taskForm(cookie), csrf: csrfTokenFor(other) } },
      { body: (({ csrf: _c, ...rest }) => rest)(taskForm(cookie)) },
      { body: taskForm(cookie), headers: { origin: 'https://evil.example' } },
      { body: taskForm(cookie), headers: { 'sec-fetch-site': 'cross-site' } },
    ];
    for (const attempt of attempts) {
      const res = await call(deps, 'POST', `/projects/${ID}/tasks`, { cookie, ...attempt });
      expect(res.status).toBe(403);
      expect(res.body).toContain('Not allowed');
    }
    expect(await deps.store.get(ID, 'task', 'migrate-mail')).toBeUndefined();
    // Without a session at all: to sign in, nothing changed.
    const anonymous = await call(deps, 'POST', `/projects/${ID}/tasks`, { body: taskForm(cookie) });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe(`/auth/local?next=%2Fprojects%2F${ID}`);
    expect(await deps.store.get(ID, 'task', 'migrate-mail')).toBeUndefined();
  });

  it('saves a valid form as the signed-in person and redirects to the page that shows it', async () => {
    const deps = await seeded();
    const cookie = sessionCookie(PM);
    const res = await call(deps, 'POST', `/projects/${ID}/tasks`, { cookie, body: taskForm(cookie) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/projects/${ID}?notice=task&ref=migrate-mail#tasks`);
    expect(await deps.store.get(ID, 'task', 'migrate-mail')).toMatchObject({
      name: 'Migrate mail',
      status: 'in_progress',
      estimateHours: 12,
      actualHours: 3,
    });
    const events = await deps.store.listEvents(ID);
    expect(events.items.find((e) => e.type === 'task_created')?.actor).toBe('pm@msp.example');
    const page = await call(deps, 'GET', `/projects/${ID}`, { cookie });
    expect(page.body).toContain('Migrate mail');
    expect(page.body).toContain(`name="csrf" value="${csrfTokenFor(cookie)}"`);
  });

  it('records a lesson learned through its form, shows each missing field, and lists it with an Edit link', async () => {
    const deps = await seeded();
    const cookie = sessionCookie(PM);
    const empty = await call(deps, 'POST', `/projects/${ID}/lessons`, {
      cookie,
      body: { csrf: csrfTokenFor(cookie), id: 'pilot', title: 'Pilot first', stage: '' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('id="new-lesson-whatHappened-error">required to create</span>');
    expect(empty.body).toContain('value="Pilot first"');
    expect(await deps.store.get(ID, 'lesson', 'pilot')).toBeUndefined();

    const saved = await call(deps, 'POST', `/projects/${ID}/lessons`, {
      cookie,
      body: {
        csrf: csrfTokenFor(cookie),
        id: 'pilot',
        title: 'Pilot first',
        whatHappened: 'The <pilot> found the MFA issue',
        kind: 'repeat',
        recommendation: 'Always start with five mailboxes',
        stage: 'execution',
      },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/projects/${ID}?notice=lesson&ref=pilot#lessons`);
    expect(await deps.store.get(ID, 'lesson', 'pilot')).toMatchObject({
      kind: 'repeat',
      stage: 'execution',
      recordedBy: 'pm@msp.example',
    });
    const page = await call(deps, 'GET', `/projects/${ID}`, { cookie });
    expect(page.body).toContain('The &lt;pilot&gt; found the MFA issue');
    expect(page.body).toContain(`href="/projects/${ID}/lessons/pilot"`);
    const edit = await call(deps, 'GET', `/projects/${ID}/lessons/pilot`, { cookie });
    expect(edit.status).toBe(200);
    expect(edit.body).toContain('Always start with five mailboxes');
  });

  it('refuses a change by someone outside the team with 403 and a clear sentence, but lets them read', async () => {
    const deps = await seeded();
    const cookie = sessionCookie(OUTSIDER);
    const res = await call(deps, 'POST', `/projects/${ID}/tasks`, { cookie, body: taskForm(cookie) });
    expect(res.status).toBe(403);
    expect(res.body).toContain('is not on its team');
    expect(await deps.store.get(ID, 'task', 'migrate-mail')).toBeUndefined();
    const page = await call(deps, 'GET', `/projects/${ID}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Only its team and administrators can change it');
    expect(page.body).not.toContain(`action="/projects/${ID}/tasks"`);
    // An admin outside the team may change it.
    const admin = sessionCookie(ADMIN);
    expect(
      (await call(deps, 'POST', `/projects/${ID}/tasks`, { cookie: admin, body: taskForm(admin) })).status,
    ).toBe(303);
  });

  it('shows a form with errors next to their fields and keeps what was typed', async () => {
    const deps = await seeded();
    const cookie = sessionCookie(PM);
    const res = await call(deps, 'POST', `/projects/${ID}/tasks`, {
      cookie,
      body: taskForm(cookie, { id: 'bad id!', estimateHours: 'twelve', name: '<b>Mail</b>' }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(
      /id="new-task-id"[^>]*aria-describedby="new-task-id-hint new-task-id-error"[^>]*aria-invalid="true"/,
    );
    expect(res.body).toContain('id="new-task-estimateHours-error">must be a number</span>');
    expect(res.body).toContain('value="&lt;b&gt;Mail&lt;/b&gt;"');
    expect(await deps.store.get(ID, 'task', 'bad id!')).toBeUndefined();
  });

  it('signs out only with the session’s token, and clears the cookie', async () => {
    const deps = await seeded();
    const cookie = sessionCookie(PM);
    const refused = await call(deps, 'POST', '/auth/sign-out', { cookie, body: { csrf: 'nope' } });
    expect(refused.status).toBe(403);
    const res = await call(deps, 'POST', '/auth/sign-out', { cookie, body: { csrf: csrfTokenFor(cookie) } });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/auth/signed-out');
    expect(res.cookies).toEqual([
      expect.stringMatching(/^milepost-session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/),
    ]);
  });

  it('signs in locally only as a team member of the specs', async () => {
    const deps = await seeded();
    const page = await call(deps, 'GET', '/auth/local');
    expect(page.body).toContain('For local use only');
    expect(page.body).toContain('value="pm@msp.example"');
    const stranger = await call(deps, 'POST', '/auth/local', { body: { email: 'nobody@evil.example' } });
    expect(stranger.status).toBe(400);
    expect(stranger.cookies).toBeUndefined();
    const crossSite = await call(deps, 'POST', '/auth/local', {
      body: { email: 'pm@msp.example' },
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
  });
});

describe('signing in with Cognito', () => {
  const POOL = 'eu-west-2_abcDEF123';
  const CLIENT = 'client0123456789';
  const BASE = 'https://api.example.test';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };

  function idToken(claims: Record<string, unknown>): string {
    const now = Math.floor(Date.now() / 1000);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${enc({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${enc({
      sub: 'u-1',
      aud: CLIENT,
      iss: `https://cognito-idp.eu-west-2.amazonaws.com/${POOL}`,
      token_use: 'id',
      auth_time: now,
      iat: now,
      exp: now + 3600,
      email: 'PM@msp.example',
      name: 'Priya Shah',
      'cognito:groups': ['staff'],
      ...claims,
    })}`;
    return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url')}`;
  }

  function setup(token: string) {
    const exchanges: URLSearchParams[] = [];
    const signIn = cognitoSignIn(
      { userPoolId: POOL, clientId: CLIENT, domain: 'https://login.example.test', baseUrl: BASE },
      {
        jwks: { keys: [jwk as never] },
        fetch: (async (_url: string, init: RequestInit) => {
          exchanges.push(new URLSearchParams(String(init.body)));
          return new Response(JSON.stringify({ id_token: token, access_token: 'a', token_type: 'Bearer' }));
        }) as typeof fetch,
      },
    );
    return { signIn, exchanges, options: { console: { signIn } } as HttpAppOptions };
  }

  async function get(
    deps: TestDeps,
    options: HttpAppOptions,
    path: string,
    query: Record<string, string>,
    cookie?: string,
  ) {
    return respond(createHttpApp(deps, options), {
      method: 'GET',
      path,
      query,
      headers: cookie ? { cookie } : {},
      body: '',
    });
  }

  it('runs the code flow with PKCE and keeps the verified ID token in a Secure, HttpOnly cookie', async () => {
    const deps = await seeded();
    const token = idToken({});
    const { options, exchanges } = setup(token);

    const start = await get(deps, options, '/auth/sign-in', { next: `/projects/${ID}` });
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.location!);
    expect(authorize.origin + authorize.pathname).toBe('https://login.example.test/oauth2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${BASE}/auth/callback`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const pending = start.cookies?.[0] ?? '';
    expect(pending).toMatch(
      /^__Host-milepost-signin=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/,
    );
    const value = pending.split(';')[0]!.split('=')[1]!;
    const [state, verifier] = value.split('.');
    expect(authorize.searchParams.get('state')).toBe(state);
    expect(authorize.searchParams.get('code_challenge')).toBe(
      createHash('sha256').update(verifier!).digest('base64url'),
    );

    // A callback whose state is not the one this browser started: refused, no exchange.
    const forged = await get(
      deps,
      options,
      '/auth/callback',
      { code: 'c', state: 'other' },
      `__Host-milepost-signin=${value}`,
    );
    expect(forged.status).toBe(400);
    expect(exchanges).toHaveLength(0);

    const done = await get(
      deps,
      options,
      '/auth/callback',
      { code: 'the-code', state: state! },
      `__Host-milepost-signin=${value}`,
    );
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/projects/${ID}`);
    expect(exchanges[0]?.get('code_verifier')).toBe(verifier);
    expect(exchanges[0]?.get('client_id')).toBe(CLIENT);
    expect(exchanges[0]?.has('client_secret')).toBe(false);
    expect(done.cookies).toEqual(
      expect.arrayContaining([`__Host-milepost-session=${token}; Path=/; HttpOnly; SameSite=Lax; Secure`]),
    );

    const page = await get(deps, options, `/projects/${ID}`, {}, `__Host-milepost-session=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Priya Shah');
  });

  it('treats a token that is expired, for another client or signed by another key as no session', async () => {
    const deps = await seeded();
    const { options } = setup(idToken({}));
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = (() => {
      const [h, p] = idToken({}).split('.');
      return `${h}.${p}.${createSign('RSA-SHA256').update(`${h}.${p}`).sign(otherKey).toString('base64url')}`;
    })();
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      idToken({ exp: now - 10, iat: now - 4000 }),
      idToken({ aud: 'another-client' }),
      foreign,
      idToken({ token_use: 'access' }),
    ]) {
      const res = await get(deps, options, '/', {}, `__Host-milepost-session=${token}`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/auth/sign-in');
    }
  });

  it('ends the managed login session on sign-out', async () => {
    const deps = await seeded();
    const token = idToken({});
    const { options } = setup(token);
    const res = await respond(createHttpApp(deps, options), {
      method: 'POST',
      path: '/auth/sign-out',
      query: {},
      headers: {
        cookie: `__Host-milepost-session=${token}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `csrf=${csrfTokenFor(token)}`,
    });
    expect(res.status).toBe(303);
    const logout = new URL(res.headers.location!);
    expect(logout.pathname).toBe('/logout');
    expect(logout.searchParams.get('logout_uri')).toBe(`${BASE}/auth/signed-out`);
    expect(res.cookies).toEqual([expect.stringMatching(/^__Host-milepost-session=; .*Secure; Max-Age=0$/)]);
  });
});
