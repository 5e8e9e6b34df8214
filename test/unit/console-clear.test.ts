/**
 * Emptying fields from the console's edit pages: the form is posted as a browser posts it (every
 * field it renders, with what the person left in it), so an optional field emptied there is
 * cleared, a list emptied becomes empty, and a field every record has is refused next to it. A
 * post that leaves a field out keeps it, and a create form still treats empty as "not set".
 */
import { describe, expect, it } from 'vitest';
import type { StaffUser } from '../../functions/core/authorization.js';
import { csrfTokenFor, signLocalSession } from '../../functions/core/session.js';
import { CONSOLE_SECRET, consoleRequest } from '../support/console.js';
import { makeProject, makeProjectSpec, makeStages, makeTeam } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const PM: StaffUser = { email: 'pm@msp.example', name: 'Priya Shah', groups: ['staff'] };
const ID = 'acme-m365';

async function signedIn(): Promise<{ deps: TestDeps; cookie: string; csrf: string }> {
  const store = new MemoryProjectStore();
  const project = makeProject({}, makeProjectSpec({ id: ID }));
  await store.commit([project, ...makeStages(project), ...makeTeam(project)]);
  const cookie = signLocalSession(CONSOLE_SECRET, PM, new Date());
  return { deps: makeTestDeps(store), cookie, csrf: csrfTokenFor(cookie) };
}

const unescapeHtml = (s: string) =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

/**
 * The fields a browser posts from the first record form of a page: each input's value, each
 * textarea's text, each select's selected option (its first option when none is selected).
 */
function formFields(page: string): Record<string, string> {
  const form = page.match(
    /<form method="post" action="\/projects\/[^"]+\/(?!.*\/remove")[^"]*"[\s\S]*?<\/form>/,
  )?.[0];
  if (!form) throw new Error('no record form on the page');
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input\b[^>]*\bname="([^"]+)"[^>]*>/g)) {
    fields[m[1]!] = unescapeHtml(m[0].match(/\bvalue="([^"]*)"/)?.[1] ?? '');
  }
  for (const m of form.matchAll(/<textarea\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) {
    fields[m[1]!] = unescapeHtml(m[2]!);
  }
  for (const m of form.matchAll(/<select\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const options = [...m[2]!.matchAll(/<option value="([^"]*)"( selected)?>/g)];
    fields[m[1]!] = unescapeHtml((options.find((o) => o[2]) ?? options[0])?.[1] ?? '');
  }
  return fields;
}

/** The options a select of the page offers, by value. */
function selectOptions(page: string, id: string): string[] {
  const select = page.match(new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`))?.[1];
  if (select === undefined) throw new Error(`no select ${id}`);
  return [...select.matchAll(/<option value="([^"]*)"/g)].map((o) => o[1]!);
}

/** The row of the project page's task table that names `name`. */
function taskRow(page: string, name: string): string {
  const row = page.match(new RegExp(`<tr><td>${name}<div[\\s\\S]*?</tr>`))?.[0];
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

describe('emptying a field on an edit page', () => {
  it("clears a task's assignee and due date; the project page shows them empty", async () => {
    const { deps, cookie, csrf } = await signedIn();
    const created = await consoleRequest(deps, 'POST', `/projects/${ID}/tasks`, {
      cookie,
      body: {
        csrf,
        id: 'dns-cutover',
        name: 'Switch DNS',
        assignee: 'marco@msp.example',
        due: '2026-12-10',
        acceptance: 'MX points at the tenant',
      },
    });
    expect(created.status).toBe(303);
    const before = await consoleRequest(deps, 'GET', `/projects/${ID}`, { cookie });
    expect(taskRow(before.body, 'Switch DNS')).toContain('marco@msp.example');
    expect(taskRow(before.body, 'Switch DNS')).toContain('2026-12-10');

    const edit = await consoleRequest(deps, 'GET', `/projects/${ID}/tasks/dns-cutover`, { cookie });
    const fields = formFields(edit.body);
    expect(fields).toMatchObject({ version: '1', assignee: 'marco@msp.example', due: '2026-12-10' });
    const saved = await consoleRequest(deps, 'POST', `/projects/${ID}/tasks`, {
      cookie,
      body: { ...fields, assignee: '', due: '' },
    });

    expect(saved.status).toBe(303);
    const stored = await deps.store.get(ID, 'task', 'dns-cutover');
    expect(stored).toMatchObject({ name: 'Switch DNS', acceptance: 'MX points at the tenant', version: 2 });
    expect(stored).not.toHaveProperty('assignee');
    expect(stored).not.toHaveProperty('due');
    const events = (await deps.store.listEvents(ID)).items.filter((e) => e.type === 'task_updated');
    expect((events.at(-1)?.data as { changed?: string[] } | undefined)?.changed?.sort()).toEqual([
      'assignee',
      'due',
    ]);
    const after = await consoleRequest(deps, 'GET', `/projects/${ID}`, { cookie });
    expect(taskRow(after.body, 'Switch DNS')).not.toContain('marco@msp.example');
    expect(taskRow(after.body, 'Switch DNS')).not.toContain('2026-12-10');
    const editAgain = await consoleRequest(deps, 'GET', `/projects/${ID}/tasks/dns-cutover`, { cookie });
    expect(formFields(editAgain.body)).toMatchObject({ version: '2', assignee: '', due: '' });
  });

  it('keeps a field the post leaves out, and a create form still treats empty as not set', async () => {
    const { deps, cookie, csrf } = await signedIn();
    const created = await consoleRequest(deps, 'POST', `/projects/${ID}/tasks`, {
      cookie,
      body: { csrf, id: 'licences', name: 'Order licences', assignee: '', due: '', acceptance: '' },
    });
    expect(created.status).toBe(303);
    expect(await deps.store.get(ID, 'task', 'licences')).toMatchObject({ status: 'todo', version: 1 });

    const withAssignee = await consoleRequest(deps, 'POST', `/projects/${ID}/tasks`, {
      cookie,
      body: { csrf, id: 'licences', version: '1', assignee: 'marco@msp.example', due: '2026-12-01' },
    });
    expect(withAssignee.status).toBe(303);
    // Only the due date is in this post: the assignee stays.
    const partial = await consoleRequest(deps, 'POST', `/projects/${ID}/tasks`, {
      cookie,
      body: { csrf, id: 'licences', version: '2', due: '' },
    });
    expect(partial.status).toBe(303);
    const stored = await deps.store.get(ID, 'task', 'licences');
    expect(stored).toMatchObject({ assignee: 'marco@msp.example', version: 3 });
    expect(stored).not.toHaveProperty('due');
  });

  it("clears a risk's owner; refuses an emptied required field next to it and saves nothing", async () => {
    const { deps, cookie, csrf } = await signedIn();
    await consoleRequest(deps, 'POST', `/projects/${ID}/risks`, {
      cookie,
      body: {
        csrf,
        id: 'licences',
        title: 'Licences late',
        likelihood: '2',
        impact: '4',
        owner: 'marco@msp.example',
      },
    });
    const fields = formFields(
      (await consoleRequest(deps, 'GET', `/projects/${ID}/risks/licences`, { cookie })).body,
    );

    const refused = await consoleRequest(deps, 'POST', `/projects/${ID}/risks`, {
      cookie,
      body: { ...fields, owner: '', title: '' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain(
      'id="edit-risk-title-error">must not be empty: it cannot be cleared</span>',
    );
    expect(await deps.store.get(ID, 'risk', 'licences')).toMatchObject({
      title: 'Licences late',
      owner: 'marco@msp.example',
      version: 1,
    });

    const saved = await consoleRequest(deps, 'POST', `/projects/${ID}/risks`, {
      cookie,
      body: { ...fields, owner: '' },
    });
    expect(saved.status).toBe(303);
    expect(await deps.store.get(ID, 'risk', 'licences')).not.toHaveProperty('owner');
  });

  it('clears an optional select set to "(not set)"; a select every record has offers no "(not set)"', async () => {
    const { deps, cookie, csrf } = await signedIn();
    await consoleRequest(deps, 'POST', `/projects/${ID}/deployments`, {
      cookie,
      body: {
        csrf,
        id: 'cutover',
        name: 'Cut-over',
        steps: 'Switch MX\nCheck flow',
        rollbackPlan: 'MX back',
        result: 'failed',
      },
    });
    const edit = await consoleRequest(deps, 'GET', `/projects/${ID}/deployments/cutover`, { cookie });
    expect(selectOptions(edit.body, 'edit-deployment-result')).toEqual([
      '',
      'succeeded',
      'failed',
      'rolled_back',
    ]);
    const fields = formFields(edit.body);
    expect(fields.result).toBe('failed');

    const saved = await consoleRequest(deps, 'POST', `/projects/${ID}/deployments`, {
      cookie,
      body: { ...fields, result: '', steps: '' },
    });
    expect(saved.status).toBe(303);
    const stored = await deps.store.get(ID, 'deployment', 'cutover');
    expect(stored).not.toHaveProperty('result');
    expect(stored).toMatchObject({ steps: [], rollbackPlan: 'MX back', version: 2 });

    // A task's type, stage and status cannot be cleared: no "(not set)" on its edit page, but on the create form.
    await consoleRequest(deps, 'POST', `/projects/${ID}/tasks`, {
      cookie,
      body: { csrf, id: 'mx', name: 'MX' },
    });
    const taskEdit = await consoleRequest(deps, 'GET', `/projects/${ID}/tasks/mx`, { cookie });
    for (const name of ['type', 'stage', 'status']) {
      expect(selectOptions(taskEdit.body, `edit-task-${name}`)).not.toContain('');
    }
    const projectPage = await consoleRequest(deps, 'GET', `/projects/${ID}`, { cookie });
    expect(selectOptions(projectPage.body, 'new-task-status')).toContain('');

    // A lesson's stage select has its own empty choice ("Not about one stage"), offered once; choosing it clears.
    await consoleRequest(deps, 'POST', `/projects/${ID}/lessons`, {
      cookie,
      body: {
        csrf,
        id: 'pilot',
        title: 'Pilot',
        whatHappened: 'It helped',
        kind: 'repeat',
        recommendation: 'Again',
        stage: 'execution',
      },
    });
    const lessonEdit = await consoleRequest(deps, 'GET', `/projects/${ID}/lessons/pilot`, { cookie });
    expect(selectOptions(lessonEdit.body, 'edit-lesson-stage').filter((v) => v === '')).toHaveLength(1);
    const lessonSaved = await consoleRequest(deps, 'POST', `/projects/${ID}/lessons`, {
      cookie,
      body: { ...formFields(lessonEdit.body), stage: '' },
    });
    expect(lessonSaved.status).toBe(303);
    expect(await deps.store.get(ID, 'lesson', 'pilot')).not.toHaveProperty('stage');
  });

  it("empties a team member's skills (a list) and refuses an emptied allocation", async () => {
    const { deps, cookie, csrf } = await signedIn();
    const created = await consoleRequest(deps, 'POST', `/projects/${ID}/team`, {
      cookie,
      body: {
        csrf,
        email: 'lee@msp.example',
        name: 'Lee',
        role: 'engineer',
        skills: 'Exchange, Intune',
        allocation: '40',
      },
    });
    expect(created.status).toBe(303);
    const fields = formFields(
      (await consoleRequest(deps, 'GET', `/projects/${ID}/team/lee@msp.example`, { cookie })).body,
    );
    expect(fields.skills).toBe('Exchange, Intune');

    const refused = await consoleRequest(deps, 'POST', `/projects/${ID}/team`, {
      cookie,
      body: { ...fields, allocation: '' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('must not be empty: it cannot be cleared');

    const saved = await consoleRequest(deps, 'POST', `/projects/${ID}/team`, {
      cookie,
      body: { ...fields, skills: '' },
    });
    expect(saved.status).toBe(303);
    expect(await deps.store.get(ID, 'member', 'lee@msp.example')).toMatchObject({
      skills: [],
      allocation: 40,
    });
  });
});
