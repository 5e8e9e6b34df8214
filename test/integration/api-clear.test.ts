/**
 * Emptying optional fields through PUT /api/projects/{id}/<segment>/{key} (`clear`) on DynamoDB
 * Local: the field is gone from the stored record and the event names it; a required field, an
 * unknown name, or a field both sent and cleared is a 400 naming `clear.<n>` and changes nothing;
 * each kind's rules see a cleared field as never set.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { apiCall } from '../support/api.js';
import { makeProjectSpec, makeTestStore, type TestStore } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';

const P = 'acme-m365';
let ts: TestStore;
let deps: TestDeps;

beforeEach(async () => {
  ts = await makeTestStore();
  deps = makeTestDeps(ts.store);
  const spec = makeProjectSpec({ id: P });
  await registerProject(deps, { file: 'acme.yaml', spec, stages: resolveStages(spec) }, { start: false });
});
afterEach(async () => {
  await ts.drop();
});

const put = (path: string, body: unknown): Promise<HttpResponse> =>
  apiCall(deps, 'PUT', `/api/projects/${P}/${path}`, { body });
const parsed = (r: HttpResponse) => JSON.parse(r.body);
const paths = (r: HttpResponse) => parsed(r).issues.map((i: { path: string }) => i.path);
const messages = (r: HttpResponse) => parsed(r).issues.map((i: { message: string }) => i.message);

async function eventsOf(type: string) {
  return (await ts.store.listEvents(P, { limit: 200 })).items.filter((e) => e.type === type);
}

/** A task with an assignee, a due date and an acceptance text; its version. */
async function assignedTask(): Promise<number> {
  const res = await put('tasks/dns-cutover', {
    name: 'Configure tenant',
    assignee: 'dana@msp.example',
    due: '2026-12-10',
    acceptance: 'Tenant reachable',
  });
  expect(res.status, res.body).toBe(201);
  return parsed(res).version;
}

describe('PUT with clear', () => {
  it('empties a task’s assignee and due date, keeps the rest, and the event names the cleared fields', async () => {
    const version = await assignedTask();

    const res = await put('tasks/dns-cutover', { version, clear: ['assignee', 'due'] });

    expect(res.status).toBe(200);
    const body = parsed(res);
    expect(body).not.toHaveProperty('assignee');
    expect(body).not.toHaveProperty('due');
    expect(body).toMatchObject({ name: 'Configure tenant', acceptance: 'Tenant reachable' });
    const stored = await ts.store.get(P, 'task', 'dns-cutover');
    expect(stored).not.toHaveProperty('assignee');
    expect(stored).not.toHaveProperty('due');
    expect(stored).toMatchObject({ acceptance: 'Tenant reachable', version: version + 1 });
    const [updated] = await eventsOf('task_updated');
    expect(updated?.data).toMatchObject({ id: 'dns-cutover' });
    expect((updated?.data as { changed?: string[] } | undefined)?.changed?.sort()).toEqual([
      'assignee',
      'due',
    ]);
  });

  it('clears one field and sets another in the same request', async () => {
    const version = await assignedTask();

    const res = await put('tasks/dns-cutover', { version, clear: ['assignee'], status: 'in_progress' });

    expect(res.status).toBe(200);
    expect(parsed(res)).toMatchObject({ status: 'in_progress', due: '2026-12-10' });
    expect(parsed(res)).not.toHaveProperty('assignee');
  });

  it('empties a risk’s owner and review date', async () => {
    const created = await put('risks/licences', {
      title: 'Licences late',
      likelihood: 2,
      impact: 4,
      owner: 'dana@msp.example',
      reviewBy: '2026-12-01',
    });
    const res = await put('risks/licences', {
      version: parsed(created).version,
      clear: ['owner', 'reviewBy'],
    });

    expect(res.status).toBe(200);
    const stored = await ts.store.get(P, 'risk', 'licences');
    expect(stored).toMatchObject({ title: 'Licences late', likelihood: 2, impact: 4 });
    expect(stored).not.toHaveProperty('owner');
    expect(stored).not.toHaveProperty('reviewBy');
  });

  it('answers 400 naming clear.<n> for a required field, with a message saying so, and changes nothing', async () => {
    const version = await assignedTask();

    const res = await put('tasks/dns-cutover', { version, clear: ['assignee', 'name'] });

    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['clear.1']);
    expect(messages(res)).toEqual(['name is required; it cannot be cleared']);
    expect(await ts.store.get(P, 'task', 'dns-cutover')).toMatchObject({
      assignee: 'dana@msp.example',
      version,
    });
    expect(await eventsOf('task_updated')).toEqual([]);
  });

  it('answers 400 naming clear.<n> for an unknown field, listing the ones that can be cleared', async () => {
    const version = await assignedTask();

    const res = await put('tasks/dns-cutover', { version, clear: ['owner'] });

    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['clear.0']);
    expect(messages(res)[0]).toBe('must be one of: assignee, acceptance, due, waiverReason, evidence');
    expect(await ts.store.get(P, 'task', 'dns-cutover')).toMatchObject({
      assignee: 'dana@msp.example',
      version,
    });
  });

  it('answers 400 for a field both given a value and cleared, and changes nothing', async () => {
    const version = await assignedTask();

    const res = await put('tasks/dns-cutover', { version, assignee: 'lee@msp.example', clear: ['assignee'] });

    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['clear.0']);
    expect(messages(res)[0]).toContain('assignee is also given a value');
    expect(await ts.store.get(P, 'task', 'dns-cutover')).toMatchObject({
      assignee: 'dana@msp.example',
      version,
    });
    expect(await eventsOf('task_updated')).toEqual([]);
  });

  it('applies the kind’s rules to the record without the field: a waived task or test case keeps its reason', async () => {
    const task = await put('tasks/legacy', {
      name: 'Legacy export',
      status: 'waived',
      waiverReason: 'Not needed',
    });
    const clearTask = await put('tasks/legacy', { version: parsed(task).version, clear: ['waiverReason'] });
    expect(clearTask.status).toBe(400);
    expect(parsed(clearTask).issues).toEqual([
      { path: 'waiverReason', message: 'a waived task needs a reason' },
    ]);
    expect(await ts.store.get(P, 'task', 'legacy')).toMatchObject({ waiverReason: 'Not needed' });

    // Clearing the reason together with un-waiving is fine.
    const reopened = await put('tasks/legacy', {
      version: parsed(task).version,
      status: 'todo',
      clear: ['waiverReason'],
    });
    expect(reopened.status).toBe(200);
    expect(parsed(reopened)).not.toHaveProperty('waiverReason');

    const test = await put('test-cases/sso', {
      name: 'SSO sign-in',
      category: 'functional',
      expectedResult: 'Signed in',
      result: 'waived',
      waiverReason: 'Customer skips SSO',
      evidence: 'ticket 12',
    });
    const clearTest = await put('test-cases/sso', {
      version: parsed(test).version,
      clear: ['waiverReason', 'evidence'],
    });
    expect(clearTest.status).toBe(400);
    expect(parsed(clearTest).issues).toEqual([
      { path: 'waiverReason', message: 'a waived test case needs a reason' },
    ]);
    const evidenceOnly = await put('test-cases/sso', { version: parsed(test).version, clear: ['evidence'] });
    expect(evidenceOnly.status).toBe(200);
    expect(await ts.store.get(P, 'test_case', 'sso')).toMatchObject({ waiverReason: 'Customer skips SSO' });
    expect(await ts.store.get(P, 'test_case', 'sso')).not.toHaveProperty('evidence');
  });

  it('empties the optional fields of deployments, training sessions and lessons', async () => {
    const dep = await put('deployments/cutover', {
      name: 'Cut-over',
      windowStart: '2026-12-05T18:00:00Z',
      windowEnd: '2026-12-05T22:00:00Z',
      rollbackPlan: 'Switch MX back',
      deployedBy: 'dana@msp.example',
    });
    const depCleared = await put('deployments/cutover', {
      version: parsed(dep).version,
      clear: ['windowStart', 'windowEnd', 'deployedBy'],
    });
    expect(depCleared.status).toBe(200);
    const storedDep = await ts.store.get(P, 'deployment', 'cutover');
    expect(storedDep).toMatchObject({ name: 'Cut-over', rollbackPlan: 'Switch MX back' });
    for (const field of ['windowStart', 'windowEnd', 'deployedBy'])
      expect(storedDep).not.toHaveProperty(field);

    const session = await put('training-sessions/admins', {
      title: 'Admin training',
      date: '2026-12-08',
      audience: 'IT staff',
      trainer: 'lee@msp.example',
    });
    const trainerCleared = await put('training-sessions/admins', {
      version: parsed(session).version,
      clear: ['trainer'],
    });
    expect(trainerCleared.status).toBe(200);
    expect(await ts.store.get(P, 'training_session', 'admins')).not.toHaveProperty('trainer');

    const lesson = await put('lessons/pilot', {
      title: 'Pilot group',
      whatHappened: 'A pilot found the MFA issue early',
      kind: 'repeat',
      recommendation: 'Pilot with 10 users',
      stage: 'execution',
    });
    const stageCleared = await put('lessons/pilot', { version: parsed(lesson).version, clear: ['stage'] });
    expect(stageCleared.status).toBe(200);
    expect(await ts.store.get(P, 'lesson', 'pilot')).not.toHaveProperty('stage');
  });

  it('refuses any clear of a team member or a resource (none of their fields is optional)', async () => {
    const member = await put('team/dana@msp.example', { name: 'Dana', role: 'engineer', allocation: 50 });
    expect(member.status).toBe(201);
    const res = await put('team/dana@msp.example', {
      version: parsed(member).version,
      clear: ['skills', 'x'],
    });
    expect(res.status).toBe(400);
    expect(parsed(res).issues).toEqual([
      { path: 'clear.0', message: 'skills is a list: send an empty list to empty it; it cannot be cleared' },
      { path: 'clear.1', message: 'this record has no optional field to clear' },
    ]);
  });

  it('lists each kind’s clearable fields in the OpenAPI document', async () => {
    const res = await apiCall(deps, 'GET', '/api/openapi.json');
    const schemas = parsed(res).components.schemas;
    expect(schemas.TaskInput.properties.clear.items.enum).toEqual([
      'assignee',
      'acceptance',
      'due',
      'waiverReason',
      'evidence',
    ]);
    expect(schemas.RiskInput.properties.clear.items.enum).toEqual(['owner', 'mitigation', 'reviewBy']);
    expect(schemas.LessonInput.properties.clear.items.enum).toEqual(['stage']);
    expect(schemas.TaskInput.properties.clear.description).toContain('Required fields cannot be cleared');
  });
});
