/**
 * A record removed and then created again with the same id, on DynamoDB Local (and the store's
 * commit on both stores): the new record starts above the removed one's last version (its removal
 * marker), so no version the removed incarnation had can update or remove it; staff upserts (API,
 * console, CLI) and a deploy whose spec adds the record back both do it, and a creation or removal
 * of the same id between a creation's read and its commit makes the commit conflict.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/core/errors.js';
import type { Entity } from '../../functions/core/model.js';
import type { ChildRef, ProjectStore } from '../../functions/core/ports.js';
import { type ProjectSpecInput, resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import {
  type RemovableEntity,
  removeProjectRecord,
} from '../../functions/core/use-cases/staff-remove-record.js';
import { upsertMember } from '../../functions/core/use-cases/staff-upsert-member.js';
import { upsertRisk } from '../../functions/core/use-cases/staff-upsert-risk.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { handleHttp } from '../../functions/http/app.js';
import { makeProjectSpec, makeTask, makeTestStore } from '../support/dynamo.js';
import { MemoryProjectStore } from '../support/memory-store.js';
import { countEvents, type LifecycleFixture, lifecycleFixture } from './lifecycle-support.js';

const PM = 'pm@msp.example';

async function stored(f: LifecycleFixture, entity: RemovableEntity, id: string) {
  return (await f.deps.store.get(f.projectId, entity, id)) as (Entity & { version: number }) | undefined;
}

async function remove(f: LifecycleFixture, entity: RemovableEntity, id: string, version?: number) {
  return removeProjectRecord(f.deps, {
    projectId: f.projectId,
    entity,
    id,
    version: version ?? (await stored(f, entity, id))?.version,
    actor: PM,
  });
}

/**
 * Every version 1..`upTo` is refused for an update (through `update`) and a removal, with the
 * version stored now, and nothing changes: the record and the event log stay as they were.
 */
async function oldVersionsRefused(
  f: LifecycleFixture,
  entity: RemovableEntity,
  id: string,
  upTo: number,
  update: (version: number) => Promise<unknown>,
) {
  const before = await stored(f, entity, id);
  const events = (await f.events()).length;
  const now = `changed since it was read (version ${before?.version} now)`;
  for (let version = 1; version <= upTo; version++) {
    await expect(update(version), `update with version ${version}`).rejects.toThrow(ConflictError);
    await expect(update(version)).rejects.toThrow(now);
    const removal = remove(f, entity, id, version);
    await expect(removal, `removal with version ${version}`).rejects.toThrow(ConflictError);
    await expect(removal).rejects.toThrow(now);
  }
  expect(await stored(f, entity, id)).toEqual(before);
  expect((await f.events()).length).toBe(events);
}

describe('a record created again after its removal', () => {
  it('starts above the removed version; an update or removal with any old version is refused and changes nothing', async () => {
    const f = await lifecycleFixture();
    await upsertTask(f.deps, f.projectId, 'typo', { name: 'Tpyo', estimateHours: 1 }, PM);
    await upsertTask(f.deps, f.projectId, 'typo', { name: 'Typo', version: 1 }, PM);
    await upsertTask(f.deps, f.projectId, 'typo', { estimateHours: 2, version: 2 }, PM);
    await remove(f, 'task', 'typo');

    const again = await upsertTask(
      f.deps,
      f.projectId,
      'typo',
      { name: 'Pilot group', estimateHours: 5 },
      PM,
    );

    expect(again.created).toBe(true);
    expect(again.record.version).toBe(4);
    expect(await stored(f, 'task', 'typo')).toMatchObject({ name: 'Pilot group', version: 4 });
    // The creation says which versions were the removed record's.
    const created = (await f.events()).filter((e) => e.type === 'task_created').at(-1);
    expect(created?.data).toEqual({ id: 'typo', removedVersion: 3 });
    await oldVersionsRefused(f, 'task', 'typo', 3, (version) =>
      upsertTask(f.deps, f.projectId, 'typo', { status: 'done', version }, PM),
    );
    // The version read now works as ever.
    const done = await upsertTask(f.deps, f.projectId, 'typo', { status: 'done', version: 4 }, PM);
    expect(done.record).toMatchObject({ status: 'done', version: 5 });
  });

  it('a second removal moves the marker up: the third incarnation starts above the second', async () => {
    const f = await lifecycleFixture();
    await remove(f, 'risk', 'mfa-lockout'); // version 1 (registered)
    const second = await upsertRisk(
      f.deps,
      f.projectId,
      'mfa-lockout',
      { title: 'MFA lockout', likelihood: 2, impact: 2 },
      PM,
    );
    expect(second.record.version).toBe(2);
    await upsertRisk(f.deps, f.projectId, 'mfa-lockout', { impact: 4, version: 2 }, PM);
    await remove(f, 'risk', 'mfa-lockout'); // version 3
    const third = await upsertRisk(
      f.deps,
      f.projectId,
      'mfa-lockout',
      { title: 'MFA lockout', likelihood: 1, impact: 1 },
      PM,
    );
    expect(third.record.version).toBe(4);
    await oldVersionsRefused(f, 'risk', 'mfa-lockout', 3, (version) =>
      upsertRisk(f.deps, f.projectId, 'mfa-lockout', { status: 'closed', version }, PM),
    );
    expect(countEvents(await f.events(), 'risk_removed')).toBe(2);
  });

  it('a team member by email, whatever its case', async () => {
    const f = await lifecycleFixture();
    await upsertMember(f.deps, f.projectId, PM, { allocation: 40, version: 1 }, PM);
    await remove(f, 'member', 'PM@MSP.example');
    const again = await upsertMember(
      f.deps,
      f.projectId,
      'Pm@Msp.Example',
      { name: 'Priya Shah', role: 'project manager', allocation: 20 },
      PM,
    );
    expect(again.record).toMatchObject({ email: PM, version: 3 });
    await oldVersionsRefused(f, 'member', PM, 2, (version) =>
      upsertMember(f.deps, f.projectId, PM, { allocation: 50, version }, PM),
    );
  });

  it('a stale version while the record is absent is told to create, and creates nothing', async () => {
    const f = await lifecycleFixture();
    await remove(f, 'risk', 'mfa-lockout');
    const stale = upsertRisk(f.deps, f.projectId, 'mfa-lockout', { status: 'closed', version: 1 }, PM);
    await expect(stale).rejects.toThrow(
      'risk mfa-lockout does not exist: omit version (or send 0) to create it',
    );
    expect(await stored(f, 'risk', 'mfa-lockout')).toBeUndefined();
  });

  it('through the API: created by omitting the version, answered with the stored version; a PUT or DELETE with an old one is 409', async () => {
    const f = await lifecycleFixture();
    const call = (method: string, path: string, body?: unknown, query: Record<string, string> = {}) =>
      handleHttp(f.deps, {
        method,
        path: `/api/projects/${f.projectId}${path}`,
        query,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? '' : JSON.stringify(body),
        caller: 'local',
      });
    expect((await call('PUT', '/tasks/typo', { name: 'Typo' })).status).toBe(201);
    expect((await call('PUT', '/tasks/typo', { name: 'Typo 2', version: 1 })).status).toBe(200);
    expect((await call('DELETE', '/tasks/typo', undefined, { version: '2' })).status).toBe(200);

    const created = await call('PUT', '/tasks/typo', { name: 'Typo again' });
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ id: 'typo', name: 'Typo again', version: 3 });
    for (const version of [1, 2]) {
      const put = await call('PUT', '/tasks/typo', { name: 'Stale', version });
      expect(put.status).toBe(409);
      expect(JSON.parse(put.body).error).toBe('task typo changed since it was read (version 3 now)');
      const del = await call('DELETE', '/tasks/typo', undefined, { version: String(version) });
      expect(del.status).toBe(409);
      expect(JSON.parse(del.body).error).toBe('task typo changed since it was read (version 3 now)');
    }
    expect(await stored(f, 'task', 'typo')).toMatchObject({ name: 'Typo again', version: 3 });
  });
});

describe('a deploy whose spec adds a removed record back', () => {
  it('creates it above the removed version; the old versions are refused', async () => {
    const f = await lifecycleFixture();
    const project = await f.deps.store.getProject(f.projectId);
    if (!project) throw new Error('no project');
    const spec = project.spec as unknown as ProjectSpecInput;
    const deploy = (input: ProjectSpecInput) => {
      const parsed = makeProjectSpec(input);
      return registerProject(
        f.deps,
        { file: 'test.yaml', spec: parsed, stages: resolveStages(parsed) },
        { start: false },
      );
    };
    await upsertMember(f.deps, f.projectId, PM, { allocation: 40, version: 1 }, PM);
    await upsertRisk(f.deps, f.projectId, 'mfa-lockout', { impact: 4, version: 1 }, PM);
    await remove(f, 'member', PM); // version 2
    await remove(f, 'risk', 'mfa-lockout'); // version 2

    // Dropped from the spec, then listed again: the deploy creates them, above version 2.
    await deploy({
      ...spec,
      team: spec.team.filter((m) => m.email !== PM),
      risks: (spec.risks ?? []).filter((r) => r.id !== 'mfa-lockout'),
    });
    await deploy(spec);

    expect(await stored(f, 'member', PM)).toMatchObject({ name: 'Priya Shah', allocation: 30, version: 3 });
    expect(await stored(f, 'risk', 'mfa-lockout')).toMatchObject({ impact: 3, version: 3 });
    // A record the spec adds that was never removed starts at 1 as ever.
    await deploy({
      ...spec,
      risks: [...(spec.risks ?? []), { id: 'licences', title: 'Licences late', likelihood: 2, impact: 2 }],
    });
    expect(await stored(f, 'risk', 'licences')).toMatchObject({ version: 1 });

    await oldVersionsRefused(f, 'member', PM, 2, (version) =>
      upsertMember(f.deps, f.projectId, PM, { allocation: 50, version }, PM),
    );
    await oldVersionsRefused(f, 'risk', 'mfa-lockout', 2, (version) =>
      upsertRisk(f.deps, f.projectId, 'mfa-lockout', { status: 'closed', version }, PM),
    );
  });
});

describe('a creation racing a removal of the same id', () => {
  it('a removal between the creation read and its commit makes the creation read again and start above it', async () => {
    const f = await lifecycleFixture();
    await upsertTask(f.deps, f.projectId, 'pilot', { name: 'Pilot', estimateHours: 1 }, PM);
    await remove(f, 'task', 'pilot'); // marker: version 1
    // Between the creation's read (marker 1) and its commit, someone creates the task, updates it
    // and removes it again (marker 3): the commit conflicts, the creation reads again.
    let raced = false;
    const store = Object.create(f.deps.store) as ProjectStore;
    store.commit = async (changes, events, removals, options) => {
      if (!raced && options?.creations?.length) {
        raced = true;
        await upsertTask(f.deps, f.projectId, 'pilot', { name: 'Other' }, PM);
        await upsertTask(f.deps, f.projectId, 'pilot', { name: 'Other 2', version: 2 }, PM);
        await remove(f, 'task', 'pilot');
      }
      return f.deps.store.commit(changes, events, removals, options);
    };
    const created = await upsertTask({ ...f.deps, store }, f.projectId, 'pilot', { name: 'Mine' }, PM);
    expect(raced).toBe(true);
    expect(created.record).toMatchObject({ name: 'Mine', version: 4 });
    expect(await stored(f, 'task', 'pilot')).toMatchObject({ name: 'Mine', version: 4 });
  });
});

describe.each([
  ['DynamoDB Local', async () => (await makeTestStore()).store],
  ['the in-memory store', async () => new MemoryProjectStore() as ProjectStore],
])('the store (%s): removal markers and creations above them', (_name, make) => {
  it('a removal leaves its marker; a creation holds only above the marker read, while absent', async () => {
    const store = await make();
    const projectId = `marker-${Date.now().toString(36)}`;
    const ref: ChildRef = { entity: 'task', projectId, id: 't1' };
    const marker = { entity: 'removed', ref } as const;
    const task = (version: number, name = 'T1') => makeTask({ projectId, id: 't1', name, version });
    expect(await store.getRecords([marker])).toEqual([undefined]);
    await store.commit([task(0)]);
    await store.commit([task(1)]);
    await store.commit([], [], [{ ref, version: 2 }]);
    expect(await store.getRecords([ref, marker])).toEqual([
      undefined,
      { entity: 'removed', ref, version: 2 },
    ]);

    // Not above the marker: refused as a write of the removed record (no such record).
    await expect(store.commit([task(0)], [], [], { creations: [{ ref, above: 0 }] })).rejects.toThrow(
      new ConflictError(`task t1 of project ${projectId} was removed or created since it was read`),
    );
    await expect(store.commit([task(1)], [], [], { creations: [{ ref, above: 1 }] })).rejects.toThrow(
      ConflictError,
    );
    // A creation must name a record of the commit at the marker's version.
    await expect(store.commit([task(1)], [], [], { creations: [{ ref, above: 2 }] })).rejects.toThrow(
      /needs that record in the commit at version 2/,
    );
    expect(await store.get(projectId, 'task', 't1')).toBeUndefined();

    const [created] = await store.commit([task(2, 'Again')], [], [], { creations: [{ ref, above: 2 }] });
    expect(created).toMatchObject({ name: 'Again', version: 3 });
    // The record exists now: a second creation above the same marker is refused.
    await expect(
      store.commit([task(2, 'Twice')], [], [], { creations: [{ ref, above: 2 }] }),
    ).rejects.toThrow(new ConflictError(`task t1 of project ${projectId} already exists`));
    // An update and a removal with a removed version are refused; the marker stays until the next removal.
    await expect(store.commit([task(2, 'Stale')])).rejects.toThrow(ConflictError);
    await expect(store.commit([], [], [{ ref, version: 2 }])).rejects.toThrow(ConflictError);
    expect(await store.get(projectId, 'task', 't1')).toMatchObject({ name: 'Again', version: 3 });
    await store.commit([], [], [{ ref, version: 3 }]);
    expect(await store.getRecords([marker])).toEqual([{ entity: 'removed', ref, version: 3 }]);
  });

  it('counters: read as 0 until bumped, bumped without a version, a check holds only on the value read', async () => {
    const store = await make();
    const projectId = `counter-${Date.now().toString(36)}`;
    const counter = { projectId, counter: 'assignments' } as const;
    const read = async () => (await store.getRecords([{ entity: 'counter', ...counter }]))[0]?.value;
    expect(await read()).toBe(0);
    await store.commit([], [], [], { checks: [{ ...counter, value: 0 }] });
    await expect(store.commit([], [], [], { checks: [{ ...counter, value: 1 }] })).rejects.toThrow(
      new ConflictError(`a task or risk of project ${projectId} was assigned since it was read`),
    );
    await store.commit([makeTask({ projectId, id: 'a' })], [], [], { bumps: [counter] });
    await store.commit([], [], [], { bumps: [counter] });
    expect(await read()).toBe(2);
    // A failed check writes nothing of its commit.
    await expect(
      store.commit([makeTask({ projectId, id: 'b' })], [], [], { checks: [{ ...counter, value: 0 }] }),
    ).rejects.toThrow(ConflictError);
    expect(await store.get(projectId, 'task', 'b')).toBeUndefined();
    await store.commit([makeTask({ projectId, id: 'b' })], [], [], { checks: [{ ...counter, value: 2 }] });
    expect(await store.get(projectId, 'task', 'b')).toMatchObject({ version: 1 });
    // One item once per commit: a bump and a check of the same counter is refused before sending.
    await expect(
      store.commit([], [], [], { bumps: [counter], checks: [{ ...counter, value: 2 }] }),
    ).rejects.toThrow(/twice/);
  });
});
