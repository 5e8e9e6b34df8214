/**
 * The console's Remove forms: on a record's edit page (CSRF token and the version read), a removal
 * goes back to the project page with the record gone; a refusal or a stale version comes back as
 * the edit page with why (409); a post without the token, from another site or from outside the
 * team removes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { StaffUser } from '../../functions/core/authorization.js';
import { csrfTokenFor, signLocalSession } from '../../functions/core/session.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { createHttpApp } from '../../functions/http/app.js';
import { respond } from '../../functions/http/exchange.js';
import { localSignIn } from '../../functions/http/sign-in.js';
import { CONSOLE_SECRET, consoleRequest } from '../support/console.js';
import { makeProjectSpec } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const PM: StaffUser = { email: 'pm@msp.example', name: 'Priya Shah', groups: ['staff'] };
const OUTSIDER: StaffUser = { email: 'other@msp.example', name: 'Olive Other', groups: ['staff'] };
const SECRET = CONSOLE_SECRET;
const ID = 'acme-m365';
const EVIL = '<script>alert(1)</script>';

async function seeded(): Promise<TestDeps> {
  const deps = makeTestDeps(new MemoryProjectStore());
  const spec = makeProjectSpec({ id: ID });
  await registerProject(deps, { file: 'acme.yaml', spec, stages: resolveStages(spec) }, { start: false });
  await upsertTask(deps, ID, 'typo', { name: `Typo ${EVIL}` }, PM.email);
  return deps;
}

const call = consoleRequest;

describe('the Remove form of a record', () => {
  it('is on the edit page with the CSRF token and the version read; removing goes back to the project page', async () => {
    const deps = await seeded();
    const cookie = signLocalSession(SECRET, PM, new Date());
    const csrf = csrfTokenFor(cookie);
    const page = await call(deps, 'GET', `/projects/${ID}/tasks/typo`, { cookie });
    expect(page.status).toBe(200);
    const form = page.body.match(
      /<form method="post" action="\/projects\/acme-m365\/tasks\/typo\/remove">.*?<\/form>/s,
    )?.[0];
    expect(form).toContain(`name="csrf" value="${csrf}"`);
    expect(form).toContain('name="version" value="1"');
    expect(form).toContain('Remove task or deliverable typo');
    expect(page.body).not.toContain(EVIL);

    const before = await call(deps, 'GET', `/projects/${ID}`, { cookie });
    expect(before.body).toContain('href="/projects/acme-m365/tasks/typo"');

    const res = await call(deps, 'POST', `/projects/${ID}/tasks/typo/remove`, {
      cookie,
      body: { csrf, version: '1' },
    });
    expect(res.status).toBe(303);
    const location = res.headers.location ?? '';
    expect(location).toBe(`/projects/${ID}?notice=removed&ref=task+or+deliverable+typo#tasks`);
    expect(await deps.store.get(ID, 'task', 'typo')).toBeUndefined();
    const [path, query] = location.split('#')[0]!.split('?');
    const shown = await respond(createHttpApp(deps, { console: { signIn: localSignIn(SECRET) } }), {
      method: 'GET',
      path: path!,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers: { cookie: `milepost-session=${cookie}` },
      body: '',
    });
    expect(shown.body).toContain('Removed task or deliverable typo; the project’s event log keeps it.');
    expect(shown.body).not.toContain('href="/projects/acme-m365/tasks/typo"');
    expect(shown.body).not.toContain(EVIL);
    const events = (await deps.store.listEvents(ID, { limit: 200 })).items;
    expect(events.find((e) => e.type === 'task_removed')).toMatchObject({ actor: PM.email });
  });

  it('comes back as the edit page (409) with the reason when the removal is refused or the version is stale', async () => {
    const deps = await seeded();
    const cookie = signLocalSession(SECRET, PM, new Date());
    const csrf = csrfTokenFor(cookie);
    const refused = await call(deps, 'POST', `/projects/${ID}/team/eng%40msp.example/remove`, {
      cookie,
      body: { csrf, version: '1' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatch(
      /<div class="error-summary" role="alert">Not removed: team member eng@msp.example cannot be removed: they are the assignee or owner of risk data-loss \(open\): reassign or close it first\.<\/div>/,
    );
    expect(await deps.store.get(ID, 'member', 'eng@msp.example')).toBeDefined();

    const stale = await call(deps, 'POST', `/projects/${ID}/tasks/typo/remove`, {
      cookie,
      body: { csrf, version: '5' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('Not removed: task typo changed since it was read (version 1 now).');
    expect(stale.body).toContain('name="version" value="1"');
    expect(stale.body).toContain('Typo &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(stale.body).not.toContain(EVIL);

    const noVersion = await call(deps, 'POST', `/projects/${ID}/tasks/typo/remove`, {
      cookie,
      body: { csrf },
    });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toContain('Not removed: the form did not say which version was read.');
    expect(await deps.store.get(ID, 'task', 'typo')).toBeDefined();

    const gone = await call(deps, 'POST', `/projects/${ID}/risks/nope/remove`, {
      cookie,
      body: { csrf, version: '1' },
    });
    expect(gone.status).toBe(404);
  });

  it('removes nothing without the CSRF token, from another site, or for someone outside the team', async () => {
    const deps = await seeded();
    const cookie = signLocalSession(SECRET, PM, new Date());
    const noToken = await call(deps, 'POST', `/projects/${ID}/tasks/typo/remove`, {
      cookie,
      body: { version: '1' },
    });
    expect(noToken.status).toBe(403);
    const crossSite = await call(deps, 'POST', `/projects/${ID}/tasks/typo/remove`, {
      cookie,
      body: { csrf: csrfTokenFor(cookie), version: '1' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const outsider = signLocalSession(SECRET, OUTSIDER, new Date());
    const foreign = await call(deps, 'POST', `/projects/${ID}/tasks/typo/remove`, {
      cookie: outsider,
      body: { csrf: csrfTokenFor(outsider), version: '1' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('is not on its team');
    const signedOut = await call(deps, 'POST', `/projects/${ID}/tasks/typo/remove`, {
      body: { version: '1' },
    });
    expect(signedOut.status).toBe(303);
    expect(await deps.store.get(ID, 'task', 'typo')).toBeDefined();
  });
});
