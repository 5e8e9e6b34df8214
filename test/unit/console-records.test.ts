/**
 * The console's forms of the QA and deployment records: test cases, deployment records and
 * training sessions are created and edited from the project page (CSRF-protected like every
 * console form), listed there, and a form with errors comes back with each next to its field.
 */
import { describe, expect, it } from 'vitest';
import type { StaffUser } from '../../functions/core/authorization.js';
import { csrfTokenFor, signLocalSession } from '../../functions/core/session.js';
import { CONSOLE_SECRET, consoleRequest } from '../support/console.js';
import { makeMember, makeProject, makeProjectSpec, makeStages, makeTeam } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const PM: StaffUser = { email: 'pm@msp.example', name: 'Priya Shah', groups: ['staff'] };
const OUTSIDER: StaffUser = { email: 'other@msp.example', name: 'Olive Other', groups: ['staff'] };
const SECRET = CONSOLE_SECRET;
const ID = 'acme-m365';
const EVIL = '<script>alert(1)</script>';

async function seeded(): Promise<TestDeps> {
  const store = new MemoryProjectStore();
  const project = makeProject({}, makeProjectSpec({ id: ID }));
  await store.commit([project, ...makeStages(project), ...makeTeam(project)]);
  return makeTestDeps(store);
}

const call = consoleRequest;

const FORMS = {
  testCase: {
    path: 'test-cases',
    entity: 'test_case',
    id: 'mail-flow',
    create: {
      name: `Mail flows ${EVIL}`,
      category: 'functional',
      steps: 'Send a mail from outside\r\nReply to it\n\n',
      expectedResult: 'Both arrive within a minute',
      result: 'passed',
      evidence: 'https://evidence.example/mail.png',
      tester: 'Marco Rossi',
    },
    stored: {
      name: `Mail flows ${EVIL}`,
      category: 'functional',
      steps: ['Send a mail from outside', 'Reply to it'],
      result: 'passed',
      tester: 'Marco Rossi',
    },
    update: { result: 'waived', waiverReason: 'Covered by the vendor’s test' },
    updated: { result: 'waived', waiverReason: 'Covered by the vendor’s test' },
    notice: 'testCase',
    anchor: 'test-cases',
    listed: 'Mail flows &lt;script&gt;',
  },
  deployment: {
    path: 'deployments',
    entity: 'deployment',
    id: 'cutover',
    create: {
      name: 'Mail cut-over',
      windowStart: '2026-12-05T18:00:00Z',
      windowEnd: '2026-12-05T22:00:00Z',
      steps: 'Switch MX\nCheck flow',
      rollbackPlan: `Point MX back ${EVIL}`,
      deployedBy: 'Marco Rossi',
    },
    stored: {
      name: 'Mail cut-over',
      steps: ['Switch MX', 'Check flow'],
      rollbackPlan: `Point MX back ${EVIL}`,
    },
    update: { result: 'succeeded', resultNotes: 'All mail flowing' },
    updated: { result: 'succeeded', resultNotes: 'All mail flowing' },
    notice: 'deployment',
    anchor: 'deployments',
    listed: 'Point MX back &lt;script&gt;',
  },
  training: {
    path: 'training-sessions',
    entity: 'training_session',
    id: 'front-desk',
    create: {
      title: 'Outlook for the front desk',
      date: '2026-12-08',
      audience: 'Front-desk staff',
      attendees: 'Ann\nBen',
      materials: 'https://training.example/slides.pdf',
    },
    stored: { title: 'Outlook for the front desk', attendees: ['Ann', 'Ben'], date: '2026-12-08' },
    update: { attendees: 'Ann\nBen\nCarla' },
    updated: { attendees: ['Ann', 'Ben', 'Carla'] },
    notice: 'training',
    anchor: 'training',
    listed: 'Outlook for the front desk',
  },
} as const;

describe('console forms of test cases, deployments and training sessions', () => {
  for (const [kind, f] of Object.entries(FORMS)) {
    it(`${kind}: creates from the project page, lists it there, edits it with its version`, async () => {
      const deps = await seeded();
      const cookie = signLocalSession(SECRET, PM, new Date());
      const csrf = csrfTokenFor(cookie);
      const page = await call(deps, 'GET', `/projects/${ID}`, { cookie });
      expect(page.body).toContain(`action="/projects/${ID}/${f.path}"`);

      const created = await call(deps, 'POST', `/projects/${ID}/${f.path}`, {
        cookie,
        body: { csrf, id: f.id, ...f.create },
      });
      expect(created.status).toBe(303);
      expect(created.headers.location).toBe(`/projects/${ID}?notice=${f.notice}&ref=${f.id}#${f.anchor}`);
      const stored = await deps.store.get(ID, f.entity, f.id);
      expect(stored).toMatchObject({ ...f.stored, version: 1 });
      const events = await deps.store.listEvents(ID);
      expect(events.items.at(-1)?.actor).toBe(PM.email);

      const listed = await call(deps, 'GET', `/projects/${ID}`, { cookie });
      expect(listed.body).toContain(`<section id="${f.anchor}"`);
      expect(listed.body).toContain(f.listed);
      expect(listed.body).not.toContain(EVIL);
      expect(listed.body).toContain(`href="/projects/${ID}/${f.path}/${f.id}"`);

      // The edit page: the stored values, lists one item per line, the version to send back.
      const edit = await call(deps, 'GET', `/projects/${ID}/${f.path}/${f.id}`, { cookie });
      expect(edit.status).toBe(200);
      expect(edit.body).toContain('<input type="hidden" name="version" value="1">');
      expect(edit.body).not.toContain(EVIL);
      const updated = await call(deps, 'POST', `/projects/${ID}/${f.path}`, {
        cookie,
        body: { csrf, id: f.id, version: '1', ...f.update },
      });
      expect(updated.status).toBe(303);
      expect(await deps.store.get(ID, f.entity, f.id)).toMatchObject({ ...f.updated, version: 2 });

      // A stale version: the form again with the conflict, nothing saved.
      const stale = await call(deps, 'POST', `/projects/${ID}/${f.path}`, {
        cookie,
        body: { csrf, id: f.id, version: '1', ...f.update },
      });
      expect(stale.status).toBe(409);
      expect((await deps.store.get(ID, f.entity, f.id))?.version).toBe(2);
    });

    it(`${kind}: refuses a post without the session's CSRF token or from outside the team, and saves nothing`, async () => {
      const deps = await seeded();
      const cookie = signLocalSession(SECRET, PM, new Date());
      const noToken = await call(deps, 'POST', `/projects/${ID}/${f.path}`, {
        cookie,
        body: { id: f.id, ...f.create },
      });
      expect(noToken.status).toBe(403);
      const outsider = signLocalSession(SECRET, OUTSIDER, new Date());
      const foreign = await call(deps, 'POST', `/projects/${ID}/${f.path}`, {
        cookie: outsider,
        body: { csrf: csrfTokenFor(outsider), id: f.id, ...f.create },
      });
      expect(foreign.status).toBe(403);
      expect(await deps.store.get(ID, f.entity, f.id)).toBeUndefined();
    });
  }

  it('shows each error next to its field and keeps what was typed', async () => {
    const deps = await seeded();
    const cookie = signLocalSession(SECRET, PM, new Date());
    const csrf = csrfTokenFor(cookie);
    const test = await call(deps, 'POST', `/projects/${ID}/test-cases`, {
      cookie,
      body: { csrf, id: 'load', name: `Load ${EVIL}`, category: 'performance', result: 'waived' },
    });
    expect(test.status).toBe(400);
    expect(test.body).toMatch(/id="new-testCase-expectedResult-error">[^<]+<\/span>/);
    expect(test.body).toContain('value="Load &lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(await deps.store.get(ID, 'test_case', 'load')).toBeUndefined();

    const deployment = await call(deps, 'POST', `/projects/${ID}/deployments`, {
      cookie,
      body: { csrf, id: 'cutover', name: 'Cut-over', windowStart: 'tomorrow evening' },
    });
    expect(deployment.status).toBe(400);
    expect(deployment.body).toContain(
      'id="new-deployment-windowStart-error">must be a date and time, e.g. 2026-12-05T18:00:00Z</span>',
    );
    expect(await deps.store.get(ID, 'deployment', 'cutover')).toBeUndefined();

    const training = await call(deps, 'POST', `/projects/${ID}/training-sessions`, {
      cookie,
      body: { csrf, id: 'intro', title: 'Intro', audience: 'Everyone', date: '2026-13-45' },
    });
    expect(training.status).toBe(400);
    expect(training.body).toMatch(/id="new-training-date-error">[^<]+<\/span>/);
    expect(await deps.store.get(ID, 'training_session', 'intro')).toBeUndefined();
  });
});

describe('the person fields of the record forms', () => {
  it("suggest the team's members for a task's assignee and a risk's owner, escaped, also on a form posted back", async () => {
    const deps = await seeded();
    await deps.store.commit([makeMember({ projectId: ID, email: 'eve@msp.example', name: `Eve ${EVIL}` })]);
    const cookie = signLocalSession(SECRET, PM, new Date());
    const csrf = csrfTokenFor(cookie);
    const datalist = (prefix: string, body: string) =>
      new RegExp(`<datalist id="${prefix}-team">(.*?)</datalist>`).exec(body)?.[1] ?? '';

    const page = await call(deps, 'GET', `/projects/${ID}`, { cookie });
    expect(page.status).toBe(200);
    for (const [prefix, name] of [
      ['new-task', 'assignee'],
      ['new-risk', 'owner'],
    ] as const) {
      expect(page.body).toMatch(
        new RegExp(`<input id="${prefix}-${name}" name="${name}"[^>]* list="${prefix}-team"`),
      );
      const options = datalist(prefix, page.body);
      expect(options).toContain(
        '<option value="eve@msp.example">Eve &lt;script&gt;alert(1)&lt;/script&gt;</option>',
      );
      expect(options).toContain(`<option value="${PM.email}">`);
    }
    expect(page.body).not.toContain(EVIL);
    // A required field says so plainly (an edit page refuses it emptied, as a create form does).
    expect(page.body).toContain('<label for="new-task-name">Name (required)</label>');

    // A task posted without its name comes back with the suggestions still there.
    const again = await call(deps, 'POST', `/projects/${ID}/tasks`, {
      cookie,
      body: { csrf, id: 'cabling', stage: 'execution', assignee: 'eve@msp.example' },
    });
    expect(again.status).toBe(400);
    expect(again.body).toContain('value="eve@msp.example" list="new-task-team"');
    expect(datalist('new-task', again.body)).toContain('<option value="eve@msp.example">');
  });
});
