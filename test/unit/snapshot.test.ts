import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/core/errors.js';
import { snapshotStore } from '../../functions/core/snapshot.js';
import { makeGate, makeMember, makeProject, makeTask } from '../support/dynamo.js';
import { MemoryProjectStore } from '../support/memory-store.js';

async function seeded() {
  const store = new MemoryProjectStore();
  const project = makeProject();
  await store.commit([
    project,
    makeGate(),
    makeTask({ id: 'a' }),
    makeMember({ email: 'Eng@MSP.example' }),
    {
      entity: 'document',
      projectId: project.id,
      id: 'plan',
      kind: 'plan',
      docVersion: 1,
      title: 'Plan',
      key: 'k',
      sha256: 's',
      createdAt: project.createdAt,
      version: 0,
    },
  ]);
  const snapshot = await store.getProjectSnapshot(project.id);
  if (!snapshot) throw new Error('no snapshot');
  store.requests.reads = 0;
  return { store, snapshot, projectId: project.id };
}

describe('snapshotStore', () => {
  it('serves the project and its current records from the snapshot, without requests', async () => {
    const { store, snapshot, projectId } = await seeded();
    const view = snapshotStore(store, snapshot);
    expect((await view.getProject(projectId))?.version).toBe(1);
    expect((await view.get(projectId, 'gate', 'initiation'))?.status).toBe('waiting');
    expect((await view.get(projectId, 'member', 'eng@msp.example'))?.name).toBe('Marco Rossi');
    expect((await view.list(projectId, 'task')).map((t) => t.id)).toEqual(['a']);
    expect(await view.get(projectId, 'task', 'missing')).toBeUndefined();
    expect(store.requests.reads).toBe(0);
  });

  it('reads a kind outside the snapshot once, and again after it is committed', async () => {
    const { store, snapshot, projectId } = await seeded();
    const view = snapshotStore(store, snapshot);
    const doc = await view.get(projectId, 'document', 'plan');
    await view.get(projectId, 'document', 'plan');
    expect(store.requests.reads).toBe(1);
    await view.commit([{ ...doc!, docVersion: 2 }]);
    expect((await view.get(projectId, 'document', 'plan'))?.docVersion).toBe(2);
    expect(store.requests.reads).toBe(2);
  });

  it('sees its own commits with their new versions, and hands out copies', async () => {
    const { store, snapshot, projectId } = await seeded();
    const view = snapshotStore(store, snapshot);
    const task = await view.get(projectId, 'task', 'a');
    task!.name = 'changed in memory only';
    expect((await view.get(projectId, 'task', 'a'))?.name).not.toBe('changed in memory only');
    await view.commit([{ ...task!, status: 'done' }, makeTask({ id: 'b' })]);
    expect(await view.get(projectId, 'task', 'a')).toMatchObject({ status: 'done', version: 2 });
    expect((await view.list(projectId, 'task')).map((t) => t.id)).toEqual(['a', 'b']);
    expect(snapshot.records.task).toHaveLength(1);
  });

  it('reads from the store after a conflict, so a retry sees the latest data', async () => {
    const { store, snapshot, projectId } = await seeded();
    const view = snapshotStore(store, snapshot);
    const gate = (await view.get(projectId, 'gate', 'initiation'))!;
    await store.commit([{ ...gate, reminders: 1 }]); // someone else changes it meanwhile
    await expect(view.commit([{ ...gate, reminders: 5 }])).rejects.toBeInstanceOf(ConflictError);
    expect((await view.get(projectId, 'gate', 'initiation'))?.reminders).toBe(1);
    expect(store.requests.reads).toBe(1);
  });
});

describe('snapshotStore and removals', () => {
  it('drops a removed record from the snapshot (member by email in any case) and forgets kept reads of its kind', async () => {
    const { store, snapshot, projectId } = await seeded();
    const view = snapshotStore(store, snapshot);
    const task = await view.get(projectId, 'task', 'a');
    const member = await view.get(projectId, 'member', 'eng@msp.example');
    expect((await view.list(projectId, 'document')).map((d) => d.id)).toEqual(['plan']);
    const doc = await store.get(projectId, 'document', 'plan');
    await view.commit(
      [],
      [],
      [
        { ref: { entity: 'task', projectId, id: 'a' }, version: task?.version ?? 0 },
        { ref: { entity: 'member', projectId, id: 'ENG@msp.example' }, version: member?.version ?? 0 },
        { ref: { entity: 'document', projectId, id: 'plan' }, version: doc?.version ?? 0 },
      ],
    );
    expect(await view.get(projectId, 'task', 'a')).toBeUndefined();
    expect(await view.list(projectId, 'task')).toEqual([]);
    expect(await view.get(projectId, 'member', 'eng@msp.example')).toBeUndefined();
    expect((await view.getProjectSnapshot(projectId))?.records.member).toEqual([]);
    expect(await view.list(projectId, 'document')).toEqual([]);
  });
});
