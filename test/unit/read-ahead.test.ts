import { describe, expect, it } from 'vitest';
import type { DocumentRecord } from '../../functions/core/model.js';
import { lazySnapshotStore, readAheadStore } from '../../functions/core/read-ahead.js';
import { makeGate, makeProject, makeResource, makeTask } from '../support/dynamo.js';
import { MemoryProjectStore } from '../support/memory-store.js';

async function seeded() {
  const store = new MemoryProjectStore();
  const project = makeProject();
  const other = makeProject({}, { ...project.spec, id: 'other' });
  const document: DocumentRecord = {
    entity: 'document',
    projectId: project.id,
    id: 'charter',
    kind: 'charter',
    docVersion: 1,
    title: 'Charter',
    key: 'k',
    sha256: 's',
    createdAt: project.createdAt,
    version: 0,
  };
  await store.commit([project, other, makeGate(), makeTask({ id: 'a' }), makeResource(), document]);
  store.requests.reads = 0;
  return { store, projectId: project.id, document: { ...document, version: 1 } };
}

describe('readAheadStore', () => {
  it('answers the records read ahead (also one read as absent) without a request, copies out, the rest from the store', async () => {
    const { store, projectId, document } = await seeded();
    const view = readAheadStore(store, [
      { entity: 'document', projectId, id: 'charter', record: document },
      { entity: 'ledger', projectId, id: 'budget', record: undefined },
    ]);
    const read = await view.get(projectId, 'document', 'charter');
    expect(read).toEqual(document);
    read!.title = 'changed in memory only';
    expect((await view.get(projectId, 'document', 'charter'))?.title).toBe('Charter');
    expect(await view.get(projectId, 'ledger', 'budget')).toBeUndefined();
    expect(store.requests.reads).toBe(0);
    expect((await view.get(projectId, 'task', 'a'))?.id).toBe('a');
    expect(store.requests.reads).toBe(1);
  });
});

describe('lazySnapshotStore', () => {
  it('reads nothing until asked, then the project and its current records with one request', async () => {
    const { store, projectId } = await seeded();
    const view = lazySnapshotStore(store, projectId);
    expect(store.requests.reads).toBe(0);
    const [project, gate, tasks, resources] = await Promise.all([
      view.getProject(projectId),
      view.get(projectId, 'gate', 'initiation'),
      view.list(projectId, 'task'),
      view.list(projectId, 'resource'),
    ]);
    expect(project?.id).toBe(projectId);
    expect(gate?.stage).toBe('initiation');
    expect(tasks.map((t) => t.id)).toEqual(['a']);
    expect(resources).toHaveLength(1);
    expect(await view.get(projectId, 'ledger', 'budget')).toBeUndefined();
    expect(store.requests.reads).toBe(1);
  });

  it('reads kinds outside the snapshot and other projects from the store', async () => {
    const { store, projectId } = await seeded();
    const view = lazySnapshotStore(store, projectId);
    expect((await view.get(projectId, 'document', 'charter'))?.docVersion).toBe(1);
    expect((await view.getProject('other'))?.id).toBe('other');
    expect(store.requests.reads).toBe(2);
  });

  it('sees a commit made through it', async () => {
    const { store, projectId } = await seeded();
    const view = lazySnapshotStore(store, projectId);
    const task = (await view.get(projectId, 'task', 'a'))!;
    await view.commit([{ ...task, status: 'done' }]);
    expect(await view.get(projectId, 'task', 'a')).toMatchObject({ status: 'done', version: 2 });
    expect(store.requests.reads).toBe(1);
  });
});
