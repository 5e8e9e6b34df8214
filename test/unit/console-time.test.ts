/**
 * The console's budget and time section: the burn and the entries on the project page, the time
 * form (CSRF token, team only, each error under its field, nothing recorded on an error), with the
 * signed-in person as the actor; values escaped.
 */
import { describe, expect, it } from 'vitest';
import type { StaffUser } from '../../functions/core/authorization.js';
import { signLocalSession } from '../../functions/core/session.js';
import { createHttpApp } from '../../functions/http/app.js';
import { respond } from '../../functions/http/exchange.js';
import { localSignIn } from '../../functions/http/sign-in.js';
import { CONSOLE_SECRET, consoleCall } from '../support/console.js';
import { makeGate, makeMember, makeProject, makeProjectSpec, makeStages } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const PM: StaffUser = { email: 'pm@msp.example', name: 'Priya Shah', groups: ['staff'] };
const OUTSIDER: StaffUser = { email: 'other@msp.example', name: 'Olive Other', groups: ['staff'] };
const SECRET = CONSOLE_SECRET;
const ID = 'acme-m365';
const EVIL = '<script>alert(1)</script>';

async function seeded(): Promise<TestDeps> {
  const store = new MemoryProjectStore();
  const spec = makeProjectSpec({
    id: ID,
    resources: [],
    budget: { currency: 'GBP', amount: 10000, hours: 100 },
    rateCard: [
      { role: 'engineer', costRate: 100, billingRate: 150 },
      { role: 'project manager', costRate: 80 },
    ],
  });
  const project = makeProject({ currentStage: 'initiation' }, spec);
  await store.commit([
    project,
    ...makeStages(project),
    makeGate({ stage: 'initiation' }),
    makeMember({ email: 'pm@msp.example', name: 'Priya Shah', role: 'project manager' }),
    makeMember({ email: 'eng@msp.example', name: 'Marco Rossi', role: 'engineer' }),
  ]);
  const deps = makeTestDeps(store);
  deps.clock.set('2026-12-10T09:00:00.000Z');
  return deps;
}

const call = (deps: TestDeps, method: string, path: string, user: StaffUser, body?: Record<string, string>) =>
  consoleCall(deps, method, path, user, body);

describe('console budget and time', () => {
  it('records time from the form and shows it with the burn on the project page', async () => {
    const deps = await seeded();
    const res = await call(deps, 'POST', `/projects/${ID}/time-entries`, PM, {
      person: 'eng@msp.example',
      date: '2026-12-09',
      hours: '7.5',
      task: '',
      note: `Tenant ${EVIL}`,
    });
    expect(res.status, res.body).toBe(303);
    expect(res.headers.location).toContain('notice=time');
    const entries = await deps.store.list(ID, 'time_entry');
    expect(entries).toEqual([
      expect.objectContaining({ person: 'eng@msp.example', hours: 7.5, recordedBy: PM.email }),
    ]);

    const page = await call(deps, 'GET', `/projects/${ID}`, PM);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Budget and time');
    expect(page.body).toContain('£750.00 of £10,000.00 (7.5%)');
    expect(page.body).toContain('Record time');
    expect(page.body).not.toContain(EVIL);
    expect(page.body).toContain('Tenant &lt;script&gt;');
    // The form starts at the signed-in team member and today in the project's time zone.
    expect(page.body).toContain('<option value="pm@msp.example" selected>');
    expect(page.body).toContain('id="time-date" name="date" type="date" value="2026-12-10"');
  });

  it("starts the time form on today in the project's time zone, and on the first person for an admin outside the team", async () => {
    const deps = await seeded();
    // 23:30 in London on 9 December is 10 December in Sydney.
    deps.clock.set('2026-12-09T23:30:00.000Z');
    const admin: StaffUser = { email: 'admin@msp.example', name: 'Ada Admin', groups: ['staff', 'admin'] };
    const project = (await deps.store.getProject(ID))!;
    await deps.store.commit([{ ...project, timezone: 'Australia/Sydney' }]);
    const page = await call(deps, 'GET', `/projects/${ID}`, admin);
    expect(page.status).toBe(200);
    expect(page.body).toContain('id="time-date" name="date" type="date" value="2026-12-10"');
    const people = /<select id="time-person"[^>]*>(.*?)<\/select>/.exec(page.body)?.[1];
    expect(people).toContain('<option value="pm@msp.example">');
    expect(people).not.toContain(' selected');
  });

  it('brings the form back with each error under its field and records nothing', async () => {
    const deps = await seeded();
    const res = await call(deps, 'POST', `/projects/${ID}/time-entries`, PM, {
      person: 'eng@msp.example',
      date: '2026-12-31',
      hours: 'lots',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/id="time-hours-error">must be a number of hours/);
    const future = await call(deps, 'POST', `/projects/${ID}/time-entries`, PM, {
      person: 'eng@msp.example',
      date: '2026-12-31',
      hours: '2',
    });
    expect(future.status).toBe(400);
    expect(future.body).toMatch(/id="time-date-error">must not be after today/);
    expect(await deps.store.list(ID, 'time_entry')).toEqual([]);
  });

  it('refuses someone who is not on the team, and a form without its CSRF token', async () => {
    const deps = await seeded();
    const refused = await call(deps, 'POST', `/projects/${ID}/time-entries`, OUTSIDER, {
      person: 'eng@msp.example',
      date: '2026-12-09',
      hours: '2',
    });
    expect(refused.status).toBe(403);
    const cookie = signLocalSession(SECRET, PM, deps.clock.now());
    const noToken = await respond(createHttpApp(deps, { console: { signIn: localSignIn(SECRET) } }), {
      method: 'POST',
      path: `/projects/${ID}/time-entries`,
      query: {},
      headers: { cookie: `milepost-session=${cookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ person: 'eng@msp.example', date: '2026-12-09', hours: '2' }).toString(),
    });
    expect(noToken.status).toBe(403);
    expect(await deps.store.list(ID, 'time_entry')).toEqual([]);
    // An outsider reads the page without the form.
    const page = await call(deps, 'GET', `/projects/${ID}`, OUTSIDER);
    expect(page.body).toContain('Budget and time');
    expect(page.body).not.toContain('Record time</button>');
  });
});
