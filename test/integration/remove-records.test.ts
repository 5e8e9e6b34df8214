/**
 * Removing a project record (staff-remove-record.ts) on DynamoDB Local: the version rule, what is
 * refused (and that a refusal changes nothing), the event that keeps the record, the gate guard
 * against a decision in flight, another project's capacity gate, and a redeploy that must not
 * bring a removed record back.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, StateError } from '../../functions/core/errors.js';
import type { Entity } from '../../functions/core/model.js';
import type { Deps, NewEvent, ProjectStore, Removal } from '../../functions/core/ports.js';
import { type ProjectSpecInput, resolveStages } from '../../functions/core/spec/schema.js';
import { closeProject } from '../../functions/core/use-cases/close-project.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import {
  type RemovableEntity,
  removeProjectRecord,
} from '../../functions/core/use-cases/staff-remove-record.js';
import { upsertDeployment } from '../../functions/core/use-cases/staff-upsert-deployment.js';
import { upsertLesson } from '../../functions/core/use-cases/staff-upsert-lesson.js';
import { upsertRisk } from '../../functions/core/use-cases/staff-upsert-risk.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { upsertTestCase } from '../../functions/core/use-cases/staff-upsert-test-case.js';
import { upsertTrainingSession } from '../../functions/core/use-cases/staff-upsert-training-session.js';
import { makeProjectSpec, makeTestStore } from '../support/dynamo.js';
import { makeTestDeps, START } from '../support/fakes.js';
import {
  countEvents,
  decideLink,
  type LifecycleFixture,
  lifecycleFixture,
  qaPendingApproval,
} from './lifecycle-support.js';

const PM = 'pm@msp.example';
const ENGINEER = 'eng@msp.example';
const TOKEN = 'token-remove-AAAAAAAAAAAAAAAAAAAAAAAA';

/** Removes `id` with the version stored now. */
async function removeCurrent(f: LifecycleFixture, entity: RemovableEntity, id: string, deps: Deps = f.deps) {
  const record = (await f.deps.store.get(f.projectId, entity, id)) as { version: number } | undefined;
  return removeProjectRecord(deps, {
    projectId: f.projectId,
    entity,
    id,
    version: record?.version,
    actor: PM,
  });
}

/** The project's items (records and events) as stored, to compare before and after a refusal. */
async function everything(f: LifecycleFixture) {
  const snapshot = await f.deps.store.getProjectSnapshot(f.projectId);
  const events = await f.events();
  const below = await Promise.all(
    (['deployment', 'lesson'] as const).map((kind) => f.deps.store.list(f.projectId, kind)),
  );
  return { snapshot, events: events.length, below };
}

describe('removing a record with the version read', () => {
  it('deletes it and keeps the whole record in a <entity>_removed event', async () => {
    const f = await lifecycleFixture();
    await upsertTask(f.deps, f.projectId, 'typo', { name: 'Tpyo task', estimateHours: 3 }, PM);
    const stored = await f.deps.store.get(f.projectId, 'task', 'typo');

    const result = await removeCurrent(f, 'task', 'typo');

    expect(result.record).toEqual(stored);
    expect(await f.deps.store.get(f.projectId, 'task', 'typo')).toBeUndefined();
    const removed = (await f.events()).filter((e) => e.type === 'task_removed');
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ actor: PM, summary: 'Removed task "Tpyo task"' });
    expect(removed[0]?.data).toEqual({ id: 'typo', record: stored });
  });

  it('removes every removable kind: risk, resource, training session, lesson, planned test and deployment, free member', async () => {
    const f = await lifecycleFixture();
    await upsertTrainingSession(
      f.deps,
      f.projectId,
      'frontdesk',
      { title: 'Outlook basics', date: '2027-02-01', audience: 'front desk' },
      PM,
    );
    await upsertLesson(
      f.deps,
      f.projectId,
      'dns',
      { title: 'DNS TTL', whatHappened: 'Slow cut-over', kind: 'change', recommendation: 'Lower TTL early' },
      PM,
    );
    await upsertTestCase(
      f.deps,
      f.projectId,
      'login',
      { name: 'Login', category: 'functional', expectedResult: 'Signed in' },
      PM,
    );
    await upsertDeployment(f.deps, f.projectId, 'go-live', { name: 'Go-live' }, PM);
    const resource = (await f.deps.store.list(f.projectId, 'resource'))[0];
    const kinds: [RemovableEntity, string][] = [
      ['risk', 'mfa-lockout'],
      ['resource', resource?.id ?? ''],
      ['training_session', 'frontdesk'],
      ['lesson', 'dns'],
      ['test_case', 'login'],
      ['deployment', 'go-live'],
      ['member', 'PM@msp.example'],
    ];
    for (const [entity, id] of kinds) {
      await removeCurrent(f, entity, id);
      expect(await f.deps.store.get(f.projectId, entity, id), `${entity} ${id}`).toBeUndefined();
    }
    const events = await f.events();
    for (const [entity] of kinds) expect(countEvents(events, `${entity}_removed`), entity).toBe(1);
    const member = events.find((e) => e.type === 'member_removed');
    expect(member?.data).toMatchObject({ id: PM, record: { email: PM, name: 'Priya Shah', allocation: 30 } });
  });
});

describe('the version rule and what is absent', () => {
  it('refuses a version that is not the stored one, naming it, and changes nothing', async () => {
    const f = await lifecycleFixture();
    const risk = await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout');
    const before = await everything(f);

    const wrong = removeProjectRecord(f.deps, {
      projectId: f.projectId,
      entity: 'risk',
      id: 'mfa-lockout',
      version: (risk?.version ?? 0) + 1,
      actor: PM,
    });
    await expect(wrong).rejects.toThrow(ConflictError);
    await expect(wrong).rejects.toThrow(
      `risk mfa-lockout changed since it was read (version ${risk?.version} now)`,
    );
    const missing = removeProjectRecord(f.deps, {
      projectId: f.projectId,
      entity: 'risk',
      id: 'mfa-lockout',
      version: undefined,
      actor: PM,
    });
    await expect(missing).rejects.toThrow(ConflictError);
    await expect(missing).rejects.toThrow('send the version you read');

    expect(await everything(f)).toEqual(before);
  });

  it('is 404 for a record or project that does not exist, and 409 for a closed project', async () => {
    const f = await lifecycleFixture();
    await expect(
      removeProjectRecord(f.deps, {
        projectId: f.projectId,
        entity: 'risk',
        id: 'nope',
        version: 1,
        actor: PM,
      }),
    ).rejects.toThrow(new NotFoundError('risk nope not found'));
    await expect(
      removeProjectRecord(f.deps, { projectId: 'no-such', entity: 'risk', id: 'x', version: 1, actor: PM }),
    ).rejects.toThrow(NotFoundError);
    await closeProject(f.deps, { projectId: f.projectId });
    const closed = removeCurrent(f, 'risk', 'mfa-lockout');
    await expect(closed).rejects.toThrow(StateError);
    await expect(closed).rejects.toThrow(/is closed/);
    expect(await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout')).toBeDefined();
  });

  it('loses to a change committed after the read: the record stays, the message names the new version', async () => {
    const f = await lifecycleFixture();
    const risk = await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout');
    let raced = false;
    const store = Object.create(f.deps.store) as ProjectStore;
    store.commit = async (changes: Entity[], events?: NewEvent[], removals?: Removal[]) => {
      if (removals?.length && !raced) {
        raced = true;
        const now = await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout');
        if (now) await f.deps.store.commit([{ ...now, status: 'mitigated' }]);
      }
      return f.deps.store.commit(changes, events, removals);
    };
    const attempt = removeProjectRecord(
      { ...f.deps, store },
      { projectId: f.projectId, entity: 'risk', id: 'mfa-lockout', version: risk?.version, actor: PM },
    );
    await expect(attempt).rejects.toThrow(`version ${(risk?.version ?? 0) + 1} now`);
    expect((await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout'))?.status).toBe('mitigated');
    expect(countEvents(await f.events(), 'risk_removed')).toBe(0);
  });
});

describe('what is refused (409, nothing changes)', () => {
  async function refused(f: LifecycleFixture, entity: RemovableEntity, id: string, message: RegExp) {
    const before = await everything(f);
    const attempt = removeCurrent(f, entity, id);
    await expect(attempt).rejects.toThrow(StateError);
    await expect(attempt).rejects.toThrow(message);
    expect(await everything(f)).toEqual(before);
  }

  it('a deliverable: raise a change request', async () => {
    const f = await lifecycleFixture();
    await refused(f, 'task', 'tenant', /deliverable .*raise a change request/);
  });

  it('a task with hours booked to it: waive it instead', async () => {
    const f = await lifecycleFixture();
    await upsertTask(f.deps, f.projectId, 'migrate', { name: 'Migrate', actualHours: 2.5 }, PM);
    await refused(
      f,
      'task',
      'migrate',
      /task migrate cannot be removed: 2\.5 h are booked to it: waive it instead/,
    );
  });

  it('a team member who owns an open risk (by name) or is assigned an open task (by email), named', async () => {
    const f = await lifecycleFixture();
    await upsertTask(f.deps, f.projectId, 'mx', { name: 'Lower MX TTL', assignee: 'ENG@msp.example' }, PM);
    await upsertTask(
      f.deps,
      f.projectId,
      'old',
      { name: 'Done already', assignee: ENGINEER, status: 'done' },
      PM,
    );
    await refused(
      f,
      'member',
      ENGINEER,
      /team member eng@msp\.example cannot be removed: they are the assignee or owner of task mx \(todo\), risk data-loss \(open\): reassign or close them first/,
    );

    // Once the task is done and the risk closed, the member can go; their time history is theirs.
    const task = await f.deps.store.get(f.projectId, 'task', 'mx');
    await upsertTask(f.deps, f.projectId, 'mx', { status: 'done', version: task?.version }, PM);
    const risk = await f.deps.store.get(f.projectId, 'risk', 'data-loss');
    await upsertRisk(f.deps, f.projectId, 'data-loss', { status: 'closed', version: risk?.version }, PM);
    await removeCurrent(f, 'member', ENGINEER);
    expect(await f.deps.store.get(f.projectId, 'member', ENGINEER)).toBeUndefined();
  });

  it('a test case with a result: waive it instead', async () => {
    const f = await lifecycleFixture();
    await upsertTestCase(
      f.deps,
      f.projectId,
      'login',
      { name: 'Login', category: 'functional', expectedResult: 'Signed in', result: 'failed' },
      PM,
    );
    await refused(f, 'test_case', 'login', /its result is failed: .*waive it instead/);
  });

  it('a deployment with a result: history', async () => {
    const f = await lifecycleFixture();
    await upsertDeployment(f.deps, f.projectId, 'go-live', { name: 'Go-live', result: 'rolled_back' }, PM);
    await refused(f, 'deployment', 'go-live', /its result is rolled_back: .*history/);
  });
});

describe('the gate guard', () => {
  it('commits the open gate with the removal, unchanged but for its version', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN });
    const gate = await f.gate('initiation');
    const seen: Entity[][] = [];
    const store = Object.create(f.deps.store) as ProjectStore;
    store.commit = (changes, events, removals) => {
      if (removals?.length) seen.push(changes);
      return f.deps.store.commit(changes, events, removals);
    };
    await removeCurrent(f, 'risk', 'mfa-lockout', { ...f.deps, store });
    expect(seen).toEqual([[gate]]);
  });

  it('a decision that read the criteria before the removal does not pass the gate: the round is withdrawn', async () => {
    const { f, link } = await qaPendingApproval(TOKEN);
    const real = f.deps.store;
    // The removal runs inside the decision, after its reads and before its commit that passes the
    // gate; the removal's own follow-up (the gate re-check) waits until that commit is done, so
    // only the guard in the removal's transaction can stop the gate passing.
    let removalCommitted!: () => void;
    const committed = new Promise<void>((resolve) => {
      removalCommitted = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const removalStore = Object.create(real) as ProjectStore;
    removalStore.commit = async (changes, events, removals) => {
      if (!removals?.length) return real.commit(changes, events, removals);
      try {
        return await real.commit(changes, events, removals);
      } finally {
        removalCommitted();
        await released;
      }
    };
    let removal: Promise<unknown> | undefined;
    const store = Object.create(real) as ProjectStore;
    store.commit = async (changes, events, removals) => {
      const passes = changes.some((c) => c.entity === 'gate' && c.status === 'approved');
      if (!passes || removal) return real.commit(changes, events, removals);
      removal = removeCurrent(f, 'task', 'login', { ...f.deps, store: removalStore });
      removal.catch(() => removalCommitted());
      await committed;
      try {
        return await real.commit(changes, events, removals);
      } finally {
        release();
      }
    };

    const decision = await decideLink({ ...f.deps, store }, link, 'approve');
    release();
    await removal;

    expect(removal).toBeDefined();
    expect(decision).toBe('neutral');
    expect(await f.deps.store.get(f.projectId, 'task', 'login')).toBeUndefined();
    const gate = await f.gate('qa');
    expect(gate.status).toBe('waiting');
    expect(f.workflow.successes).toHaveLength(0);
    const events = await f.events();
    expect(countEvents(events, 'gate_approved')).toBe(0);
    expect(countEvents(events, 'task_removed')).toBe(1);
    expect(countEvents(events, 'approvals_withdrawn')).toBe(1);
  });
});

describe("another project's capacity gate", () => {
  it('passes once a member who over-allocated the person is removed', async () => {
    const ts = await makeTestStore();
    try {
      const deps = makeTestDeps(ts.store);
      deps.clock.set(START);
      const person = 'alex@msp.example';
      const team = (allocation: number): ProjectSpecInput['team'] => [
        { name: 'Alex', email: person, role: 'engineer', skills: ['exchange'], allocation },
      ];
      const register = async (id: string, overrides: Partial<ProjectSpecInput>) => {
        const spec = makeProjectSpec({ id, name: `Project ${id}`, risks: [], ...overrides });
        await registerProject(
          deps,
          { file: `${id}.yaml`, spec, stages: resolveStages(spec) },
          { start: false },
        );
      };
      await register('proj-a', { team: team(60) });
      await register('proj-b', { team: team(60), stages: [{ key: 'resourcing' }, { key: 'deployment' }] });
      await enterStage(deps, { projectId: 'proj-b', stage: 'resourcing', executionStartedAt: START });
      await openGate(deps, { projectId: 'proj-b', stage: 'resourcing', taskToken: 'token-b' });
      expect((await ts.store.get('proj-b', 'gate', 'resourcing'))?.status).toBe('waiting');

      const member = await ts.store.get('proj-a', 'member', person);
      await removeProjectRecord(deps, {
        projectId: 'proj-a',
        entity: 'member',
        id: person,
        version: member?.version,
        actor: PM,
      });

      expect((await ts.store.get('proj-b', 'gate', 'resourcing'))?.status).toBe('approved');
      expect(deps.workflow.successes).toEqual([
        { taskToken: 'token-b', output: { stage: 'resourcing', round: 0, decision: 'auto' } },
      ]);
    } finally {
      await ts.drop();
    }
  });
});

describe('a deploy after a removal', () => {
  it('does not bring back a record the spec still lists; a record the spec adds is created', async () => {
    const f = await lifecycleFixture();
    const project = await f.deps.store.getProject(f.projectId);
    if (!project) throw new Error('no project');
    await removeCurrent(f, 'member', PM);
    await removeCurrent(f, 'risk', 'mfa-lockout');
    const deploy = (spec: ProjectSpecInput) => {
      const parsed = makeProjectSpec(spec);
      return registerProject(
        f.deps,
        { file: 'test.yaml', spec: parsed, stages: resolveStages(parsed) },
        { start: false },
      );
    };
    const spec = project.spec as unknown as ProjectSpecInput;

    // The same spec: nothing to do. A spec that changes something else: the removed stay removed.
    expect((await deploy(spec)).updated).toBe(false);
    const newcomer = {
      name: 'Nia Obi',
      email: 'nia@msp.example',
      role: 'engineer',
      skills: [],
      allocation: 20,
    };
    const edited = { ...spec, name: 'Microsoft 365 migration (phase 1)', team: [...spec.team, newcomer] };
    expect((await deploy(edited)).updated).toBe(true);

    expect(await f.deps.store.get(f.projectId, 'member', PM)).toBeUndefined();
    expect(await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout')).toBeUndefined();
    expect(await f.deps.store.get(f.projectId, 'member', 'nia@msp.example')).toMatchObject({
      name: 'Nia Obi',
    });
    const updated = (await f.events()).filter((e) => e.type === 'spec_updated');
    expect(updated.at(-1)?.data).toMatchObject({ added: { member: 1 } });

    // Dropped from the spec and listed again: the spec adds it, so it is created again.
    const without = { ...edited, team: edited.team.filter((m) => m.email !== PM) };
    await deploy(without);
    expect(await f.deps.store.get(f.projectId, 'member', PM)).toBeUndefined();
    await deploy(edited);
    expect(await f.deps.store.get(f.projectId, 'member', PM)).toMatchObject({ name: 'Priya Shah' });
  });
});

describe('the store deletes on the version read', () => {
  it('deletes with the event in one transaction, refuses a changed or absent record by name, counts removals against 100 items', async () => {
    const f = await lifecycleFixture();
    const risk = await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout');
    if (!risk) throw new Error('no risk');
    const ref = { entity: 'risk', projectId: f.projectId, id: 'mfa-lockout' } as const;
    const event: NewEvent = { projectId: f.projectId, type: 'probe', actor: PM, summary: 'probe' };
    const before = (await f.events()).length;

    await expect(f.deps.store.commit([], [event], [{ ref, version: risk.version + 1 }])).rejects.toThrow(
      new ConflictError(
        `risk mfa-lockout of project ${f.projectId} changed or was removed since it was read`,
      ),
    );
    expect(await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout')).toEqual(risk);
    expect((await f.events()).length).toBe(before);

    // A removal is two items: the Delete and its removal marker.
    const tooMany = Array.from({ length: 99 }, () => event);
    await expect(f.deps.store.commit([], tooMany, [{ ref, version: risk.version }])).rejects.toThrow(
      /101 items is more than/,
    );
    expect(await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout')).toEqual(risk);

    await f.deps.store.commit([], [event], [{ ref, version: risk.version }]);
    expect(await f.deps.store.get(f.projectId, 'risk', 'mfa-lockout')).toBeUndefined();
    expect((await f.events()).length).toBe(before + 1);
    await expect(f.deps.store.commit([], [event], [{ ref, version: risk.version }])).rejects.toThrow(
      ConflictError,
    );
    expect((await f.events()).length).toBe(before + 1);
  });
});
