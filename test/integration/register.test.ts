import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/core/errors.js';
import type { ProjectSpec, ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { recordsFromSpec, registerProject } from '../../functions/core/use-cases/register-project.js';
import { handleRegister } from '../../functions/handlers/register.js';
import { makeProjectSpec, makeTestStore, projectSpecInput, type TestStore } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';

const loaded = (spec: ProjectSpec) => ({ file: `${spec.id}.yaml`, spec, stages: resolveStages(spec) });

describe('registerProject', () => {
  let t: TestStore;
  let deps: TestDeps;
  beforeAll(async () => {
    t = await makeTestStore();
    deps = makeTestDeps(t.store);
  });

  it('creates the project and every record of its spec, then starts generation 0', async () => {
    const spec = makeProjectSpec({ id: 'reg-new' });
    const result = await registerProject(deps, loaded(spec), { start: true });

    expect(result).toEqual({ projectId: 'reg-new', created: true, updated: false, started: true });
    expect(await t.store.getProject('reg-new')).toMatchObject({
      status: 'active',
      currentStage: 'initiation',
      generation: 0,
      executionName: 'reg-new-g0',
      mspName: 'Northwind Managed IT',
      version: 1,
      spec,
    });
    const stages = await t.store.list('reg-new', 'stage');
    expect(stages.map((s) => [s.key, s.status, s.order])).toEqual(
      ['initiation', 'resourcing', 'risk', 'execution', 'qa', 'deployment', 'support'].map((k, i) => [
        k,
        'pending',
        i,
      ]),
    );
    expect((await t.store.list('reg-new', 'stakeholder')).map((s) => s.email).sort()).toEqual([
      'approver@acme.example',
      'informed@acme.example',
      'sponsor@acme.example',
    ]);
    expect(await t.store.list('reg-new', 'member')).toHaveLength(2);
    expect(await t.store.list('reg-new', 'resource')).toMatchObject([
      { id: 'm365-business-premium', name: 'M365 Business Premium', cost: 2640 },
    ]);
    expect((await t.store.list('reg-new', 'risk')).map((r) => [r.id, r.status])).toEqual([
      ['data-loss', 'open'],
      ['mfa-lockout', 'open'],
    ]);
    expect(await t.store.list('reg-new', 'task')).toMatchObject([
      {
        id: 'cutover',
        type: 'deliverable',
        status: 'todo',
        stage: 'deployment',
        acceptance: 'MX points to M365',
      },
      { id: 'tenant', type: 'deliverable', status: 'todo', stage: 'execution' },
    ]);
    const events = await t.store.listEvents('reg-new');
    expect(events.items.map((e) => e.type)).toEqual(['project_registered']);
    expect(deps.workflow.starts).toContainEqual({
      projectId: 'reg-new',
      name: 'reg-new-g0',
      input: { projectId: 'reg-new' },
    });
  });

  it('does not start when not asked to', async () => {
    const own = makeTestDeps(t.store);
    const result = await registerProject(own, loaded(makeProjectSpec({ id: 'reg-nostart' })), {
      start: false,
    });
    expect(result.started).toBe(false);
    expect(own.workflow.starts).toEqual([]);
  });

  it('is idempotent: a second registration of the same spec overwrites nothing', async () => {
    const spec = makeProjectSpec({ id: 'reg-twice' });
    await registerProject(deps, loaded(spec), { start: true });
    const risk = await t.store.get('reg-twice', 'risk', 'mfa-lockout');
    if (!risk) throw new Error('risk missing');
    await t.store.commit([{ ...risk, owner: 'Priya Shah', mitigation: 'Enrol MFA a week ahead' }]);

    const again = await registerProject(deps, loaded(spec), { start: true });
    expect(again).toEqual({ projectId: 'reg-twice', created: false, updated: false, started: true });
    expect(await t.store.get('reg-twice', 'risk', 'mfa-lockout')).toMatchObject({
      owner: 'Priya Shah',
      version: 2,
    });
    expect((await t.store.getProject('reg-twice'))?.version).toBe(1);
    expect((await t.store.listEvents('reg-twice')).items.map((e) => e.type)).toEqual(['project_registered']);
    expect(deps.workflow.starts.filter((s) => s.projectId === 'reg-twice').map((s) => s.name)).toEqual([
      'reg-twice-g0',
      'reg-twice-g0',
    ]);
  });

  it('stores a changed spec with a spec_updated event and adds only new records', async () => {
    const spec = makeProjectSpec({ id: 'reg-change' });
    await registerProject(deps, loaded(spec), { start: false });
    const original = spec.risks[0];
    if (!original) throw new Error('fixture has risks');
    const changed = makeProjectSpec({
      id: 'reg-change',
      name: 'Microsoft 365 migration (phase 1)',
      risks: [
        { ...original, title: 'Renamed in the spec' },
        { id: 'vendor', title: 'Vendor delay', likelihood: 2, impact: 2 },
      ],
    });
    const result = await registerProject(deps, loaded(changed), { start: false });

    expect(result).toMatchObject({ created: false, updated: true });
    expect(await t.store.getProject('reg-change')).toMatchObject({
      name: 'Microsoft 365 migration (phase 1)',
      spec: changed,
      version: 2,
    });
    expect(await t.store.get('reg-change', 'risk', 'data-loss')).toMatchObject({
      title: 'Mail lost during migration',
      version: 1,
    });
    expect(await t.store.get('reg-change', 'risk', 'vendor')).toMatchObject({
      title: 'Vendor delay',
      status: 'open',
    });
    const events = await t.store.listEvents('reg-change');
    expect(events.items.map((e) => e.type)).toEqual(['project_registered', 'spec_updated']);

    const unchanged = await registerProject(deps, loaded(changed), { start: false });
    expect(unchanged.updated).toBe(false);
    expect((await t.store.listEvents('reg-change')).items).toHaveLength(2);
  });

  it('registers a spec of more than 100 records in chunks, the project item last', async () => {
    const deliverables = Array.from({ length: 120 }, (_, i) => ({
      id: `d-${String(i).padStart(3, '0')}`,
      name: `Deliverable ${i}`,
      stage: 'execution',
      acceptance: 'Accepted',
    }));
    const spec = makeProjectSpec({ id: 'reg-big', deliverables });
    expect(recordsFromSpec(loaded(spec)).length).toBeGreaterThan(100);

    const result = await registerProject(deps, loaded(spec), { start: false });
    expect(result.created).toBe(true);
    expect(await t.store.list('reg-big', 'task')).toHaveLength(120);
    expect(await t.store.getProject('reg-big')).toMatchObject({ version: 1 });
  });

  it('finishes a chunked registration that failed half-way, without a visible project before', async () => {
    const deliverables = Array.from({ length: 110 }, (_, i) => ({
      id: `d-${i}`,
      name: `Deliverable ${i}`,
      stage: 'execution',
      acceptance: 'Accepted',
    }));
    const spec = makeProjectSpec({ id: 'reg-half', deliverables });
    // The first chunk of a registration that then crashed.
    await t.store.commit(recordsFromSpec(loaded(spec)).slice(0, 60));
    expect(await t.store.getProject('reg-half')).toBeUndefined();
    expect((await t.store.listProjects()).items.map((p) => p.id)).not.toContain('reg-half');

    const result = await registerProject(deps, loaded(spec), { start: false });
    expect(result.created).toBe(true);
    expect(await t.store.list('reg-half', 'task')).toHaveLength(110);
    expect((await t.store.listEvents('reg-half')).items.map((e) => e.type)).toEqual(['project_registered']);
  });

  it('treats a concurrent registration of the same project as one creation', async () => {
    const spec = makeProjectSpec({ id: 'reg-race' });
    const results = await Promise.all([
      registerProject(deps, loaded(spec), { start: false }),
      registerProject(deps, loaded(spec), { start: false }),
      registerProject(deps, loaded(spec), { start: false }),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await t.store.listEvents('reg-race')).items).toHaveLength(1);
  });

  it('resumes a closed-out generation by the name of the current execution', async () => {
    const spec = makeProjectSpec({ id: 'reg-gen' });
    await registerProject(deps, loaded(spec), { start: false });
    const project = await t.store.getProject('reg-gen');
    if (!project) throw new Error('missing');
    await t.store.commit([
      { ...project, generation: 1, executionName: 'reg-gen-g1', currentStage: 'execution' },
    ]);
    const own = makeTestDeps(t.store);
    await registerProject(own, loaded(spec), { start: true });
    expect(own.workflow.starts).toEqual([
      { projectId: 'reg-gen', name: 'reg-gen-g1', input: { projectId: 'reg-gen', startAt: 'execution' } },
    ]);
  });

  it('does not start a closed project', async () => {
    const spec = makeProjectSpec({ id: 'reg-closed' });
    await registerProject(deps, loaded(spec), { start: false });
    const project = await t.store.getProject('reg-closed');
    if (!project) throw new Error('missing');
    await t.store.commit([{ ...project, status: 'closed' }]);
    const own = makeTestDeps(t.store);
    expect((await registerProject(own, loaded(spec), { start: true })).started).toBe(false);
    expect(own.workflow.starts).toEqual([]);
  });
});

describe('register custom resource handler', () => {
  let t: TestStore;
  let deps: TestDeps;
  beforeAll(async () => {
    t = await makeTestStore();
    deps = makeTestDeps(t.store);
  });

  const createEvent = (spec: unknown, type: 'Create' | 'Update' = 'Create') => ({
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:eu-west-2:123456789012:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:eu-west-2:123456789012:stack/p/1',
    RequestId: 'r-1',
    LogicalResourceId: 'Registration',
    ResourceType: 'Custom::MilepostProject',
    ResourceProperties: { ServiceToken: 'x', spec },
  });

  it('registers and starts the project from the spec JSON on Create', async () => {
    const spec = makeProjectSpec({ id: 'cr-create' });
    const response = await handleRegister(deps, createEvent(JSON.stringify(spec)));
    expect(response).toEqual({
      PhysicalResourceId: 'cr-create',
      Data: { created: 'true', updated: 'false', started: 'true' },
    });
    expect(await t.store.getProject('cr-create')).toMatchObject({ status: 'active', spec });
    expect(deps.workflow.starts.map((s) => s.name)).toContain('cr-create-g0');
  });

  it('updates the spec on Update', async () => {
    await handleRegister(deps, createEvent(JSON.stringify(makeProjectSpec({ id: 'cr-update' }))));
    const response = await handleRegister(
      deps,
      createEvent(JSON.stringify(makeProjectSpec({ id: 'cr-update', name: 'New name' })), 'Update'),
    );
    expect(response.Data).toMatchObject({ created: 'false', updated: 'true' });
    expect((await t.store.getProject('cr-update'))?.name).toBe('New name');
  });

  it('rejects an invalid spec naming every field, and writes nothing', async () => {
    const input: ProjectSpecInput = projectSpecInput({
      id: 'cr-bad',
      budget: { currency: 'GBP', amount: -5, hours: 10 },
      timeline: { start: '2027-01-01', end: '2026-01-01' },
    });
    const error = await handleRegister(deps, createEvent(JSON.stringify(input))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['spec.budget.amount']);

    const crossField = projectSpecInput({
      id: 'cr-bad',
      timeline: { start: '2027-01-01', end: '2026-01-01' },
    });
    const second = await handleRegister(deps, createEvent(JSON.stringify(crossField))).catch(
      (e: unknown) => e,
    );
    expect((second as ValidationError).issues.map((i) => i.path)).toEqual(['spec.timeline.end']);

    await expect(handleRegister(deps, createEvent('{not json'))).rejects.toBeInstanceOf(ValidationError);
    expect(await t.store.getProject('cr-bad')).toBeUndefined();
  });

  it('archives the project on Delete: its records are retained', async () => {
    await handleRegister(deps, createEvent(JSON.stringify(makeProjectSpec({ id: 'cr-delete' }))));
    const response = await handleRegister(deps, {
      ...createEvent(''),
      RequestType: 'Delete',
      PhysicalResourceId: 'cr-delete',
    });
    expect(response).toEqual({ PhysicalResourceId: 'cr-delete' });
    expect(await t.store.getProject('cr-delete')).toMatchObject({ status: 'archived' });
    expect(await t.store.list('cr-delete', 'stage')).not.toHaveLength(0);
  });

  it('rejects an event that is not a custom resource event', async () => {
    await expect(handleRegister(deps, { hello: 'world' })).rejects.toBeInstanceOf(ValidationError);
  });
});
