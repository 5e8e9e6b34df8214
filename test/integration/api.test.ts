import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../../functions/core/model.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { taskInputSchema } from '../../functions/http/schemas.js';
import { type ApiCallOptions, apiCall } from '../support/api.js';
import {
  makeGate,
  makeMember,
  makeProject,
  makeProjectSpec,
  makeStages,
  makeTask,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';

const TOKEN = 'task-token-api-SECRET';

let ts: TestStore;
let deps: TestDeps;

beforeEach(async () => {
  ts = await makeTestStore();
  deps = makeTestDeps(ts.store);
});

afterEach(async () => {
  await ts.drop();
});

/** A project at `currentStage` with its stage records and the current gate waiting (with a task token). */
async function seedProject(id = 'acme-m365', currentStage = 'initiation'): Promise<Project> {
  const project = makeProject({ currentStage }, makeProjectSpec({ id }));
  const stages = makeStages(project).map((s) =>
    s.key === currentStage ? { ...s, status: 'active' as const, startedAt: '2026-12-01T09:00:00.000Z' } : s,
  );
  const resolved = project.stages.find((s) => s.key === currentStage);
  const gate = makeGate({
    projectId: id,
    stage: currentStage,
    rule: resolved?.gate.rule ?? 'all',
    taskToken: TOKEN,
    approvers: (resolved?.gate.approvers ?? []).map((email) => ({
      email,
      name: email,
      linkHash: 'hash-of-a-link-SECRET',
    })),
  });
  await deps.store.commit([project, ...stages, gate]);
  return project;
}

const call = (
  method: string,
  path: string,
  body?: unknown,
  options: Omit<ApiCallOptions, 'body'> = {},
): Promise<HttpResponse> => apiCall(deps, method, path, { ...options, body });

const parsed = (r: HttpResponse) => JSON.parse(r.body);

describe('GET /api/projects', () => {
  it('lists every project with current stage, status, RAG and reasons, overdue and next due', async () => {
    await seedProject('acme-m365');
    await seedProject('lawfirm-network', 'resourcing');
    const res = await call('GET', '/api/projects');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const projects = parsed(res); // a plain array, like /api/outbox
    expect(projects).toHaveLength(2);
    expect(projects.find((p: { id: string }) => p.id === 'lawfirm-network')).toMatchObject({
      id: 'lawfirm-network',
      name: 'Microsoft 365 migration',
      customer: 'Acme Dental',
      currentStage: 'resourcing',
      currentStageName: 'Resource Allocation',
      completedStages: expect.any(Number),
      totalStages: 7,
      status: 'active',
      rag: expect.stringMatching(/^(green|amber|red)$/),
      reasons: expect.any(Array),
      overdue: expect.any(Array),
      customerWaitMs: 0,
    });
  });

  it('needs an authenticated caller', async () => {
    const res = await call('GET', '/api/projects', undefined, { caller: null });
    expect(res.status).toBe(401);
    expect(parsed(res)).toEqual({ error: expect.any(String) });
  });
});

describe('GET /api/projects/{id}', () => {
  it('returns the project with current stage, status, stages and gates without secrets', async () => {
    await seedProject();
    const res = await call('GET', '/api/projects/acme-m365');
    expect(res.status).toBe(200);
    const body = parsed(res);
    expect(body).toMatchObject({ id: 'acme-m365', currentStage: 'initiation', status: 'active' });
    expect(body.stages.map((s: { key: string }) => s.key)).toEqual([
      'initiation',
      'resourcing',
      'risk',
      'execution',
      'qa',
      'deployment',
      'support',
    ]);
    expect(body.stages[0]).toMatchObject({ status: 'active', gate: { rule: 'all' } });
    expect(body.gates).toHaveLength(1);
    expect(body.gates[0]).toMatchObject({
      stage: 'initiation',
      status: 'waiting',
      approvers: [{ email: 'sponsor@acme.example' }],
    });
    for (const key of ['risks', 'tasks', 'team', 'resources', 'documents']) expect(body[key]).toEqual([]);
    // What blocks the current stage, so a PM (or a client) knows what to record next.
    expect(body.criteria).toEqual({ stage: 'initiation', met: true, unmet: [] });
    expect(res.body).not.toContain(TOKEN);
    expect(res.body).not.toContain('SECRET');
    expect(res.body).not.toContain('taskToken');
    expect(res.body).not.toContain('linkHash');
  });

  it('answers 404 for an unknown project', async () => {
    const res = await call('GET', '/api/projects/nope');
    expect(res.status).toBe(404);
    expect(parsed(res).error).toContain('nope');
  });

  it('answers 400 with the field for a malformed project id', async () => {
    const res = await call('GET', '/api/projects/Not_A_Slug');
    expect(res.status).toBe(400);
    expect(parsed(res).issues).toEqual([{ path: 'id', message: 'must be a project id' }]);
  });
});

describe('GET /api/projects/{id}/events', () => {
  it('pages the event log with a cursor', async () => {
    await seedProject();
    for (let i = 0; i < 5; i++) {
      await call('PUT', `/api/projects/acme-m365/tasks/t${i}`, { name: `Task ${i}`, stage: 'execution' });
    }
    const first = await call('GET', '/api/projects/acme-m365/events', undefined, { query: { limit: '3' } });
    expect(first.status).toBe(200);
    const page1 = parsed(first);
    expect(page1.items).toHaveLength(3);
    expect(page1.cursor).toEqual(expect.any(String));
    // Follow the cursor to the end (the charter's generation is an event too).
    const items = [...page1.items];
    let cursor: string | undefined = page1.cursor;
    while (cursor) {
      const page = parsed(
        await call('GET', '/api/projects/acme-m365/events', undefined, { query: { limit: '3', cursor } }),
      );
      expect(page.items.length).toBeLessThanOrEqual(3);
      items.push(...page.items);
      cursor = page.cursor;
    }
    const all = items.filter((e: { type: string }) => e.type === 'task_created');
    expect(all.map((e: { data: { id: string } }) => e.data.id)).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });

  it('rejects a bad limit and a bad cursor with the field path', async () => {
    await seedProject();
    const badLimit = await call('GET', '/api/projects/acme-m365/events', undefined, {
      query: { limit: '0' },
    });
    expect(badLimit.status).toBe(400);
    expect(parsed(badLimit).issues[0].path).toBe('query.limit');
    const badCursor = await call('GET', '/api/projects/acme-m365/events', undefined, {
      query: { cursor: 'zzz' },
    });
    expect(badCursor.status).toBe(400);
    expect(parsed(badCursor).issues[0].path).toBe('cursor');
  });
});

describe('PUT /api/projects/{id}/tasks/{taskId}', () => {
  it('creates with version omitted, updates with the version read, and refuses a stale version with 409', async () => {
    await seedProject();
    const created = await call(
      'PUT',
      '/api/projects/acme-m365/tasks/configure-tenant',
      { name: 'Configure tenant', stage: 'execution', estimateHours: 8 },
      { headers: { 'x-milepost-actor': 'pm@msp.example' } },
    );
    expect(created.status).toBe(201);
    expect(parsed(created)).toMatchObject({
      id: 'configure-tenant',
      status: 'todo',
      estimateHours: 8,
      version: 1,
    });

    const updated = await call('PUT', '/api/projects/acme-m365/tasks/configure-tenant', {
      version: 1,
      status: 'done',
      actualHours: 9.5,
    });
    expect(updated.status).toBe(200);
    expect(parsed(updated)).toMatchObject({
      name: 'Configure tenant',
      status: 'done',
      actualHours: 9.5,
      version: 2,
    });

    const stale = await call('PUT', '/api/projects/acme-m365/tasks/configure-tenant', {
      version: 1,
      status: 'todo',
    });
    expect(stale.status).toBe(409);
    expect(parsed(stale).error).toContain('changed since it was read');
    const stored = await deps.store.get('acme-m365', 'task', 'configure-tenant');
    expect(stored).toMatchObject({ status: 'done', version: 2 });

    const events = await deps.store.listEvents('acme-m365', { limit: 10 });
    // The initiation criteria already hold: the first change let the gate request approvals.
    expect(events.items.map((e) => e.type)).toContain('approval_requested');
    expect(events.items.filter((e) => e.type.startsWith('task_')).map((e) => [e.type, e.actor])).toEqual([
      ['task_created', 'pm@msp.example'],
      ['task_updated', 'local'],
    ]);
  });

  it('waives a test case only with a reason (400 names waiverReason otherwise)', async () => {
    await seedProject();
    const path = '/api/projects/acme-m365/tasks/load-test';
    const refused = await call('PUT', path, { name: 'Load test', stage: 'qa', status: 'waived' });
    expect(refused.status).toBe(400);
    expect(parsed(refused).issues).toEqual([
      { path: 'waiverReason', message: 'a waived task needs a reason' },
    ]);
    expect(await deps.store.get('acme-m365', 'task', 'load-test')).toBeUndefined();

    const waived = await call('PUT', path, {
      name: 'Load test',
      stage: 'qa',
      status: 'waived',
      waiverReason: 'Customer accepts: 12 users only',
    });
    expect(waived.status).toBe(201);
    expect(parsed(waived)).toMatchObject({
      status: 'waived',
      waiverReason: 'Customer accepts: 12 users only',
    });
  });

  it('answers 409 when a concurrent update commits between the read and the write', async () => {
    await seedProject();
    await deps.store.commit([makeTask({ id: 'tenant', stage: 'execution' })]);
    // Both read version 1; both try to write.
    const results = await Promise.all([
      call('PUT', '/api/projects/acme-m365/tasks/tenant', { version: 1, actualHours: 1 }),
      call('PUT', '/api/projects/acme-m365/tasks/tenant', { version: 1, actualHours: 2 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await deps.store.get('acme-m365', 'task', 'tenant'))?.version).toBe(2);
  });

  it('answers 409 when updating without a version or creating with one', async () => {
    await seedProject();
    await deps.store.commit([makeTask({ id: 'tenant', stage: 'execution' })]);
    expect((await call('PUT', '/api/projects/acme-m365/tasks/tenant', { status: 'done' })).status).toBe(409);
    expect(
      (await call('PUT', '/api/projects/acme-m365/tasks/absent', { version: 3, name: 'x' })).status,
    ).toBe(409);
  });

  it('answers 400 with field paths for an invalid body', async () => {
    await seedProject();
    const res = await call('PUT', '/api/projects/acme-m365/tasks/t1', {
      name: 'x',
      estimateHours: -1,
      status: 'finished',
      colour: 'red',
    });
    expect(res.status).toBe(400);
    const paths = parsed(res).issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['estimateHours', 'status']));
    expect(JSON.stringify(parsed(res).issues)).toContain('colour');
    const noName = await call('PUT', '/api/projects/acme-m365/tasks/t1', { stage: 'execution' });
    expect(parsed(noName)).toEqual({
      error: 'invalid request',
      issues: [{ path: 'name', message: 'required to create' }],
    });
    const badStage = await call('PUT', '/api/projects/acme-m365/tasks/t1', { name: 'x', stage: 'nowhere' });
    expect(parsed(badStage).issues).toEqual([{ path: 'stage', message: 'unknown stage "nowhere"' }]);
    const notJson = await call('PUT', '/api/projects/acme-m365/tasks/t1', '{"name":');
    expect(notJson.status).toBe(400);
    expect(await deps.store.get('acme-m365', 'task', 't1')).toBeUndefined();
  });

  it('answers 404 for a task of an unknown project', async () => {
    const res = await call('PUT', '/api/projects/nope/tasks/t1', { name: 'x' });
    expect(res.status).toBe(404);
  });

  it('answers 409 for a change to a closed project', async () => {
    const project = await seedProject();
    const stored = await deps.store.getProject(project.id);
    if (!stored) throw new Error('no project');
    await deps.store.commit([{ ...stored, status: 'closed' }]);
    const res = await call('PUT', '/api/projects/acme-m365/tasks/t1', { name: 'late' });
    expect(res.status).toBe(409);
  });
});

describe('PUT risks, team members and resources', () => {
  it('creates and updates a risk', async () => {
    await seedProject();
    const created = await call('PUT', '/api/projects/acme-m365/risks/vendor-delay', {
      title: 'Vendor delivers late',
      likelihood: 4,
      impact: 4,
    });
    expect(created.status).toBe(201);
    expect(parsed(created)).toMatchObject({ status: 'open', version: 1 });
    const updated = await call('PUT', '/api/projects/acme-m365/risks/vendor-delay', {
      version: 1,
      owner: 'Marco Rossi',
      mitigation: 'Order two weeks early',
    });
    expect(parsed(updated)).toMatchObject({
      title: 'Vendor delivers late',
      owner: 'Marco Rossi',
      version: 2,
    });
    const bad = await call('PUT', '/api/projects/acme-m365/risks/r2', {
      title: 'x',
      likelihood: 6,
      impact: 1,
    });
    expect(parsed(bad).issues).toEqual([{ path: 'likelihood', message: 'must be 1-5' }]);
  });

  it('creates a team member keyed by email and validates the allocation', async () => {
    await seedProject();
    const created = await call('PUT', '/api/projects/acme-m365/team/Eng%40MSP.example', {
      name: 'Marco Rossi',
      role: 'engineer',
      skills: ['exchange'],
      allocation: 80,
    });
    expect(created.status).toBe(201);
    expect(parsed(created)).toMatchObject({ email: 'eng@msp.example', allocation: 80 });
    const bad = await call('PUT', '/api/projects/acme-m365/team/eng%40msp.example', {
      version: 1,
      allocation: 150,
    });
    expect(bad.status).toBe(400);
    expect(parsed(bad).issues[0].path).toBe('allocation');
    const badEmail = await call('PUT', '/api/projects/acme-m365/team/not-an-email', { name: 'x' });
    expect(parsed(badEmail).issues[0].path).toBe('email');
  });

  it('passes an automatic gate when a resource completes its criteria', async () => {
    await seedProject('acme-m365', 'resourcing');
    await deps.store.commit([makeMember({ email: 'eng@msp.example', skills: ['exchange'], allocation: 80 })]);
    const res = await call('PUT', '/api/projects/acme-m365/resources/m365-licences', {
      kind: 'software',
      name: 'M365 Business Premium',
      quantity: 12,
      cost: 2640,
    });
    expect(res.status).toBe(201);
    expect((await deps.store.get('acme-m365', 'gate', 'resourcing'))?.status).toBe('approved');
    expect(deps.workflow.successes).toEqual([
      { taskToken: TOKEN, output: { stage: 'resourcing', round: 0, decision: 'auto' } },
    ]);
  });
});

describe('PUT test cases, deployments and training sessions', () => {
  it('records a test case, versioned, and shows it in the project; a failed one keeps QA from requesting approval', async () => {
    await seedProject('acme-m365', 'qa');
    const path = '/api/projects/acme-m365/test-cases/mail-flow';
    const missing = await call('PUT', path, { name: 'Mail flow' });
    expect(missing.status).toBe(400);
    expect(parsed(missing).issues.map((i: { path: string }) => i.path)).toEqual([
      'category',
      'expectedResult',
    ]);
    const badCategory = await call('PUT', path, {
      name: 'Mail flow',
      category: 'vibes',
      expectedResult: 'x',
    });
    expect(badCategory.status).toBe(400);
    expect(parsed(badCategory).issues[0].path).toBe('category');

    const created = await call('PUT', path, {
      name: 'Mail flow',
      category: 'functional',
      steps: ['Send a mail from outside'],
      expectedResult: 'It arrives within a minute',
      result: 'failed',
      evidence: 'Bounced: SPF fail',
      tester: 'Marco Rossi',
    });
    expect(created.status).toBe(201);
    expect(parsed(created)).toMatchObject({
      id: 'mail-flow',
      version: 1,
      result: 'failed',
      testedAt: expect.any(String),
    });
    const events = await deps.store.listEvents('acme-m365');
    expect(events.items.map((e) => e.type)).toContain('test_case_created');

    const submit = await call('POST', '/api/projects/acme-m365/stages/qa/submit');
    expect(parsed(submit)).toMatchObject({ submitted: false });
    expect(parsed(submit).unmet).toContain(
      'Test case "Mail flow" failed: fix it and run it again, or waive it with a reason.',
    );
    expect((await deps.store.get('acme-m365', 'gate', 'qa'))?.status).toBe('waiting');

    // Waived needs a reason; a stale version is a conflict; nothing changes on either.
    const noReason = await call('PUT', path, { version: 1, result: 'waived' });
    expect(noReason.status).toBe(400);
    expect(parsed(noReason).issues).toEqual([
      { path: 'waiverReason', message: 'a waived test case needs a reason' },
    ]);
    expect((await call('PUT', path, { version: 0, result: 'passed' })).status).toBe(409);
    expect((await deps.store.get('acme-m365', 'test_case', 'mail-flow'))?.result).toBe('failed');

    const passed = await call('PUT', path, { version: 1, result: 'passed', evidence: 'Arrived in 20 s' });
    expect(passed.status).toBe(200);
    const detail = parsed(await call('GET', '/api/projects/acme-m365'));
    expect(detail.testCases).toEqual([
      expect.objectContaining({ id: 'mail-flow', version: 2, result: 'passed', evidence: 'Arrived in 20 s' }),
    ]);
    expect(detail.criteria).toEqual({ stage: 'qa', met: true, unmet: [] });
  });

  it('records a deployment and a training session; the deployment gate needs both', async () => {
    await seedProject('acme-m365', 'deployment');
    await deps.store.commit([makeTask({ id: 'cutover', stage: 'deployment', status: 'done' })]);
    const dep = '/api/projects/acme-m365/deployments/cutover';
    const backwards = await call('PUT', dep, {
      name: 'Cut-over',
      windowStart: '2026-12-05T22:00:00Z',
      windowEnd: '2026-12-05T18:00:00Z',
    });
    expect(backwards.status).toBe(400);
    expect(parsed(backwards).issues).toEqual([{ path: 'windowEnd', message: 'must be after windowStart' }]);
    const badTime = await call('PUT', dep, { name: 'Cut-over', windowStart: 'tonight' });
    expect(parsed(badTime).issues[0].path).toBe('windowStart');
    expect(await deps.store.get('acme-m365', 'deployment', 'cutover')).toBeUndefined();

    const planned = await call('PUT', dep, {
      name: 'Cut-over',
      windowStart: '2026-12-05T18:00:00Z',
      windowEnd: '2026-12-05T22:00:00Z',
      steps: ['Switch MX'],
    });
    expect(planned.status).toBe(201);
    let detail = parsed(await call('GET', '/api/projects/acme-m365'));
    expect(detail.criteria.unmet).toEqual(
      expect.arrayContaining([
        'Deployment "Cut-over" has no rollback plan.',
        'Deployment "Cut-over" has no result yet.',
      ]),
    );
    await call('PUT', dep, {
      version: 1,
      rollbackPlan: 'MX back to the old server',
      result: 'succeeded',
      deployedBy: 'Marco',
    });

    const session = '/api/projects/acme-m365/training-sessions/front-desk';
    const noDate = await call('PUT', session, { title: 'Outlook basics', audience: 'front desk' });
    expect(parsed(noDate).issues).toEqual([{ path: 'date', message: 'required to create' }]);
    const today = deps.clock.now().toISOString().slice(0, 10);
    const held = await call('PUT', session, {
      title: 'Outlook basics',
      date: today < '2026-12-01' ? today : '2026-12-01',
      audience: 'front desk',
      attendees: ['Jo Smith'],
      materials: ['Quick-start guide'],
    });
    expect(held.status).toBe(201);
    detail = parsed(await call('GET', '/api/projects/acme-m365'));
    expect(detail.deployments).toEqual([
      expect.objectContaining({
        id: 'cutover',
        version: 2,
        rollbackPlan: 'MX back to the old server',
        result: 'succeeded',
      }),
    ]);
    expect(detail.trainingSessions).toEqual([
      expect.objectContaining({ id: 'front-desk', attendees: ['Jo Smith'] }),
    ]);
    expect(detail.criteria).toEqual({ stage: 'deployment', met: true, unmet: [] });
  });
});

describe('POST /api/projects/{id}/stages/{stage}/submit', () => {
  it('submits the current stage and sends the approval requests', async () => {
    await seedProject();
    const res = await call('POST', '/api/projects/acme-m365/stages/initiation/submit', undefined, {
      headers: { 'x-milepost-actor': 'pm@msp.example' },
    });
    expect(res.status).toBe(200);
    expect(parsed(res)).toEqual({ submitted: true, unmet: [] });
    expect(deps.mailer.sent.map((m) => m.to)).toContainEqual(['sponsor@acme.example']);
  });

  it('answers 409 for a stage that is not the current one and 404 for an unknown stage', async () => {
    await seedProject();
    const notCurrent = await call('POST', '/api/projects/acme-m365/stages/risk/submit');
    expect(notCurrent.status).toBe(409);
    expect(parsed(notCurrent).error).toContain('not the current stage');
    expect((await call('POST', '/api/projects/acme-m365/stages/nowhere/submit')).status).toBe(404);
  });
});

describe('routing', () => {
  it('answers unknown API paths with JSON 404 and wrong methods with 405', async () => {
    const missing = await call('GET', '/api/nothing');
    expect(missing.status).toBe(404);
    expect(parsed(missing)).toEqual({ error: 'not found' });
    expect((await call('DELETE', '/api/projects')).status).toBe(405);
  });

  it('answers other paths with an HTML 404', async () => {
    const res = await call('GET', '/wp-admin');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
  });
});

describe('GET /api/openapi.json', () => {
  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const res = await call('GET', '/api/openapi.json', undefined, { caller: null });
    expect(res.status).toBe(200);
    const doc = parsed(res);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/projects',
        '/api/projects/{id}',
        '/api/projects/{id}/events',
        '/api/projects/{id}/tasks/{taskId}',
        '/api/projects/{id}/risks/{riskId}',
        '/api/projects/{id}/team/{email}',
        '/api/projects/{id}/resources/{resourceId}',
        '/api/projects/{id}/stages/{stage}/submit',
      ]),
    );
    const taskInput = doc.components.schemas.TaskInput;
    expect(Object.keys(taskInput.properties).sort()).toEqual(Object.keys(taskInputSchema.shape).sort());
    expect(taskInput.properties.estimateHours).toMatchObject({ type: 'number', minimum: 0 });
    expect(
      doc.paths['/api/projects/{id}/tasks/{taskId}'].put.requestBody.content['application/json'].schema,
    ).toEqual({
      $ref: '#/components/schemas/TaskInput',
    });
    // Every $ref points at a component that exists.
    const refs = [...res.body.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref as string);
  });
});
