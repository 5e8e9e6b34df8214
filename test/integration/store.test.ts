import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHILD_PREFIX,
  COUNTER_PREFIX,
  MalformedRecordError,
  REMOVED_PREFIX,
  SNAPSHOT_FROM,
  TransactionTooLargeError,
} from '../../functions/adapters/dynamo-store.js';
import { ConflictError, ValidationError } from '../../functions/core/errors.js';
import type { DocumentRecord, Entity, Project } from '../../functions/core/model.js';
import type { NewEvent, ProjectStore } from '../../functions/core/ports.js';
import { inSnapshot, SNAPSHOT_CHILDREN } from '../../functions/core/snapshot.js';
import {
  makeDeployment,
  makeGate,
  makeLink,
  makeMember,
  makeProject,
  makeProjectSpec,
  makeResource,
  makeRisk,
  makeStage,
  makeStages,
  makeStakeholder,
  makeTask,
  makeTestCase,
  makeTestStore,
  makeTrainingSession,
  type TestStore,
} from '../support/dynamo.js';
import { MemoryProjectStore } from '../support/memory-store.js';

/** A plan document record (sorts outside the snapshot's key range). */
function planDocument(projectId: string): DocumentRecord {
  return {
    entity: 'document',
    projectId,
    id: 'plan',
    kind: 'plan',
    docVersion: 1,
    title: 'Project plan',
    key: `projects/${projectId}/plan/v1.html`,
    sha256: 'abc',
    createdAt: '2026-12-01T09:00:00.000Z',
    version: 0,
  };
}

const event = (projectId: string, summary: string, at?: string): NewEvent => ({
  projectId,
  type: 'test',
  actor: 'system',
  summary,
  ...(at ? { at } : {}),
});

/**
 * The ProjectStore contract, run on the DynamoDB store (DynamoDB Local) and on the in-memory store
 * of the unit tests, so that the fake cannot drift from the real thing.
 */
const STORES: [string, () => Promise<{ store: ProjectStore }>][] = [
  ['DynamoProjectStore on DynamoDB Local', () => makeTestStore()],
  ['MemoryProjectStore', async () => ({ store: new MemoryProjectStore() })],
];

describe.each(STORES)('ProjectStore contract: %s', (_name, makeStore) => {
  let t: { store: ProjectStore };
  beforeAll(async () => {
    t = await makeStore();
  });

  describe('round trip', () => {
    it('reads back every entity as it was committed, with version 1 and no key attributes', async () => {
      const project = makeProject({}, makeProjectSpec({ id: 'round-trip' }));
      const doc: DocumentRecord = {
        entity: 'document',
        projectId: 'round-trip',
        id: 'plan',
        kind: 'plan',
        docVersion: 1,
        title: 'Project plan',
        key: 'projects/round-trip/plan/v1.html',
        sha256: 'abc',
        createdAt: '2026-12-01T09:00:00.000Z',
        version: 0,
      };
      const children = [
        makeStage({ projectId: 'round-trip', supportUntil: undefined }),
        makeGate({ projectId: 'round-trip', taskToken: 'token-1', rule: { quorum: 1 } }),
        makeTask({ projectId: 'round-trip' }),
        makeRisk({ projectId: 'round-trip' }),
        makeMember({ projectId: 'round-trip' }),
        makeStakeholder({ projectId: 'round-trip' }),
        makeResource({ projectId: 'round-trip' }),
        doc,
        makeTestCase({ projectId: 'round-trip' }),
        makeDeployment({ projectId: 'round-trip', result: undefined }),
        makeTrainingSession({ projectId: 'round-trip' }),
      ] as const;
      const link = makeLink({ projectId: 'round-trip' });
      const stored = await t.store.commit([project, ...children, link], [event('round-trip', 'created')]);

      expect(stored.every((s) => s.version === 1)).toBe(true);
      expect(await t.store.getProject('round-trip')).toEqual({ ...project, version: 1 });
      // undefined fields are dropped, not stored
      const stage = await t.store.get('round-trip', 'stage', 'initiation');
      expect(stage).toEqual({ ...children[0], version: 1 });
      expect(stage).not.toHaveProperty('supportUntil');
      expect(await t.store.get('round-trip', 'gate', 'initiation')).toEqual({ ...children[1], version: 1 });
      expect(await t.store.get('round-trip', 'task', 'tenant')).toEqual({ ...children[2], version: 1 });
      expect(await t.store.get('round-trip', 'risk', 'data-loss')).toEqual({ ...children[3], version: 1 });
      expect(await t.store.get('round-trip', 'member', 'ENG@msp.example')).toEqual({
        ...children[4],
        version: 1,
      });
      expect(await t.store.get('round-trip', 'stakeholder', 'sponsor@acme.example')).toEqual({
        ...children[5],
        version: 1,
      });
      expect(await t.store.get('round-trip', 'resource', 'm365-business-premium')).toEqual({
        ...children[6],
        version: 1,
      });
      expect(await t.store.get('round-trip', 'document', 'plan')).toEqual({ ...doc, version: 1 });
      expect(await t.store.get('round-trip', 'test_case', 'mail-flow')).toEqual({
        ...children[8],
        version: 1,
      });
      // A planned deployment has no result yet: the attribute is absent, not stored as undefined.
      const deployment = await t.store.get('round-trip', 'deployment', 'cutover');
      expect(deployment).toEqual({ ...children[9], version: 1 });
      expect(deployment).not.toHaveProperty('result');
      expect(await t.store.get('round-trip', 'training_session', 'front-desk')).toEqual({
        ...children[10],
        version: 1,
      });
      // Each kind lists only its own records (distinct sort-key prefixes).
      expect((await t.store.list('round-trip', 'test_case')).map((r) => r.id)).toEqual(['mail-flow']);
      expect((await t.store.list('round-trip', 'deployment')).map((r) => r.id)).toEqual(['cutover']);
      expect((await t.store.list('round-trip', 'training_session')).map((r) => r.id)).toEqual(['front-desk']);
      expect(await t.store.getLink(link.linkHash)).toEqual({ ...link, version: 1 });

      const events = await t.store.listEvents('round-trip');
      expect(events.items).toHaveLength(1);
      expect(events.items[0]).toMatchObject({
        entity: 'event',
        projectId: 'round-trip',
        type: 'test',
        actor: 'system',
        summary: 'created',
      });
      expect(events.items[0]?.id.startsWith(events.items[0]?.at ?? 'x')).toBe(true);
      expect(events.items[0]).not.toHaveProperty('PK');
    });

    it('reads every page of a list larger than one Query page (1 MB)', async () => {
      const bulky = 'x'.repeat(40_000);
      const tasks = Array.from({ length: 30 }, (_, i) =>
        makeTask({ projectId: 'bulky', id: `t-${String(i).padStart(2, '0')}`, acceptance: bulky }),
      );
      await t.store.commit(tasks.slice(0, 15));
      await t.store.commit(tasks.slice(15));
      const listed = await t.store.list('bulky', 'task');
      expect(listed.map((x) => x.id)).toEqual(tasks.map((x) => x.id));
    });

    it('returns undefined for records that do not exist', async () => {
      expect(await t.store.getProject('nope')).toBeUndefined();
      expect(await t.store.get('nope', 'stage', 'initiation')).toBeUndefined();
      expect(await t.store.getLink('nope')).toBeUndefined();
    });

    it('lists every record of one kind, stages in lifecycle order', async () => {
      const project = makeProject({}, makeProjectSpec({ id: 'listing' }));
      const stages = ['support', 'initiation', 'qa'].map((key, i) =>
        makeStage({ projectId: 'listing', key, order: [6, 0, 4][i] ?? 0 }),
      );
      const tasks = Array.from({ length: 30 }, (_, i) => makeTask({ projectId: 'listing', id: `t-${i}` }));
      await t.store.commit([project, ...stages, ...tasks, makeRisk({ projectId: 'listing' })]);
      expect((await t.store.list('listing', 'stage')).map((s) => s.key)).toEqual([
        'initiation',
        'qa',
        'support',
      ]);
      expect(await t.store.list('listing', 'task')).toHaveLength(30);
      expect(await t.store.list('listing', 'risk')).toHaveLength(1);
      expect(await t.store.list('listing', 'gate')).toEqual([]);
    });
  });

  describe('snapshot and batch reads', () => {
    it('reads the project and its current records in one snapshot, without events, documents or deployments', async () => {
      const id = 'snapshot';
      const spec = makeProjectSpec({ id });
      const project = makeProject({}, spec);
      const stages = makeStages(project);
      const records = [
        ...stages,
        makeGate({ projectId: id }),
        makeTask({ projectId: id, id: 'b-task', stage: 'initiation' }),
        makeTask({ projectId: id, id: 'a-task', stage: 'execution' }),
        makeRisk({ projectId: id }),
        makeMember({ projectId: id, email: 'Eng@MSP.example' }),
        makeStakeholder({ projectId: id }),
        makeResource({ projectId: id }),
        makeTestCase({ projectId: id }),
        makeTrainingSession({ projectId: id }),
        makeDeployment({ projectId: id }),
        planDocument(id),
      ];
      // Another project whose id starts the same way stays out.
      const other = makeProject({}, makeProjectSpec({ id: `${id}-2` }));
      await t.store.commit(
        [project, ...records, other, makeTask({ projectId: `${id}-2` })],
        [event(id, 'e1')],
      );
      await t.store.commit([], [event(id, 'e2'), event(id, 'e3')]);

      const snapshot = await t.store.getProjectSnapshot(id);
      expect(snapshot?.project).toEqual({ ...project, version: 1 });
      const r = snapshot?.records;
      expect(r?.stage.map((s) => s.key)).toEqual(stages.map((s) => s.key));
      expect(r?.gate).toEqual([{ ...makeGate({ projectId: id }), version: 1 }]);
      expect(r?.task.map((x) => x.id)).toEqual(['a-task', 'b-task']);
      expect(r?.risk.map((x) => x.id)).toEqual(['data-loss']);
      expect(r?.member.map((x) => x.email)).toEqual(['Eng@MSP.example']);
      expect(r?.stakeholder).toHaveLength(1);
      expect(r?.resource).toHaveLength(1);
      expect(r?.test_case.map((x) => x.id)).toEqual(['mail-flow']);
      expect(r?.training_session.map((x) => x.id)).toEqual(['front-desk']);
      expect(Object.keys(r ?? {}).sort()).toEqual([...SNAPSHOT_CHILDREN].sort());
      expect(await t.store.getProjectSnapshot('no-such-project')).toBeUndefined();
    });

    it('reads several records of different kinds and projects in one call, in the order asked', async () => {
      const id = 'batch';
      const project = makeProject({}, makeProjectSpec({ id }));
      const link = makeLink({ projectId: id });
      const gate = makeGate({ projectId: id });
      await t.store.commit([project, gate, link, makeMember({ projectId: id, email: 'eng@msp.example' })]);
      const [l, p, missing, g, m, again] = await t.store.getRecords([
        { entity: 'link', linkHash: link.linkHash },
        { entity: 'project', id },
        { entity: 'stage', projectId: id, id: 'initiation' },
        { entity: 'gate', projectId: id, id: 'initiation' },
        { entity: 'member', projectId: id, id: 'ENG@msp.example' },
        { entity: 'project', id },
      ] as const);
      expect(l).toEqual({ ...link, version: 1 });
      expect(p).toEqual({ ...project, version: 1 });
      expect(missing).toBeUndefined();
      expect(g).toEqual({ ...gate, version: 1 });
      expect(m?.email).toBe('eng@msp.example');
      expect(again).toEqual(p);
    });
  });

  describe('optimistic locking', () => {
    it('updates a record read at its current version', async () => {
      const [stored] = await t.store.commit([makeProject({}, makeProjectSpec({ id: 'lock-ok' }))]);
      const project = stored as Project;
      const [updated] = await t.store.commit([{ ...project, currentStage: 'risk' }]);
      expect(updated?.version).toBe(2);
      expect(await t.store.getProject('lock-ok')).toMatchObject({ version: 2, currentStage: 'risk' });
    });

    it('rejects a stale version with ConflictError and writes nothing of the transaction', async () => {
      const [stored] = await t.store.commit([makeProject({}, makeProjectSpec({ id: 'stale' }))]);
      const project = stored as Project;
      await t.store.commit([{ ...project, name: 'Renamed' }]);

      const newStage = makeStage({ projectId: 'stale', key: 'execution' });
      const attempt = t.store.commit(
        [newStage, { ...project, name: 'Stale write' }],
        [event('stale', 'stale change')],
      );
      await expect(attempt).rejects.toBeInstanceOf(ConflictError);
      await expect(attempt).rejects.toThrow(/project stale changed since it was read/);

      expect(await t.store.getProject('stale')).toMatchObject({ name: 'Renamed', version: 2 });
      expect(await t.store.get('stale', 'stage', 'execution')).toBeUndefined();
      expect((await t.store.listEvents('stale')).items).toEqual([]);
    });

    it('rejects creating a record that already exists', async () => {
      await t.store.commit([makeRisk({ projectId: 'dup' })]);
      const attempt = t.store.commit([makeRisk({ projectId: 'dup', title: 'Other' })]);
      await expect(attempt).rejects.toBeInstanceOf(ConflictError);
      await expect(attempt).rejects.toThrow('risk data-loss of project dup already exists');
      expect(await t.store.get('dup', 'risk', 'data-loss')).toMatchObject({
        title: 'Mail lost during migration',
      });
    });

    it('keeps the cause of a conflict', async () => {
      const error = await t.store
        .commit([{ ...makeRisk({ projectId: 'cause' }), version: 3 }])
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).cause).toBeDefined();
    });

    it('lets exactly one of many concurrent commits on one record win', async () => {
      const [stored] = await t.store.commit([makeGate({ projectId: 'race' })]);
      const gate = stored as Entity;
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          t.store.commit([{ ...gate, reminders: i + 1 } as Entity], [event('race', `writer ${i}`)]),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.every((r) => r.status === 'rejected' && r.reason instanceof ConflictError)).toBe(true);
      const final = await t.store.get('race', 'gate', 'initiation');
      expect(final?.version).toBe(2);
      const events = await t.store.listEvents('race');
      expect(events.items).toHaveLength(1);
      expect(events.items[0]?.summary).toBe(`writer ${(final?.reminders ?? 0) - 1}`);
    });
  });

  describe('limits', () => {
    it('refuses more than 100 items with a clear error and writes nothing', async () => {
      const tasks = Array.from({ length: 100 }, (_, i) => makeTask({ projectId: 'big', id: `t-${i}` }));
      const attempt = t.store.commit(tasks, [event('big', 'too big')]);
      await expect(attempt).rejects.toBeInstanceOf(TransactionTooLargeError);
      await expect(attempt).rejects.toThrow(/101 items/);
      expect(await t.store.list('big', 'task')).toEqual([]);
    });

    it('writes exactly 100 items in one commit', async () => {
      const tasks = Array.from({ length: 99 }, (_, i) => makeTask({ projectId: 'full', id: `t-${i}` }));
      await t.store.commit(tasks, [event('full', 'hundred')]);
      expect(await t.store.list('full', 'task')).toHaveLength(99);
    });

    it('refuses a commit that changes one record twice', async () => {
      await expect(
        t.store.commit([makeRisk({ projectId: 'twice' }), makeRisk({ projectId: 'twice' })]),
      ).rejects.toThrow(/twice/);
    });
  });

  describe('event log', () => {
    it('pages through the events oldest first and newest first with an opaque cursor', async () => {
      const events = Array.from({ length: 7 }, (_, i) =>
        event('paged', `e${i}`, `2026-12-01T09:00:0${i}.000Z`),
      );
      await t.store.commit([], events.slice(0, 4));
      await t.store.commit([], events.slice(4));

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await t.store.listEvents('paged', { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((e) => e.summary));
        cursor = page.cursor;
        pages += 1;
      } while (cursor);
      expect(seen).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
      expect(pages).toBe(3);

      const newest = await t.store.listEvents('paged', { limit: 2, newestFirst: true });
      expect(newest.items.map((e) => e.summary)).toEqual(['e6', 'e5']);
      const next = await t.store.listEvents('paged', {
        limit: 10,
        newestFirst: true,
        ...(newest.cursor ? { cursor: newest.cursor } : {}),
      });
      expect(next.items.map((e) => e.summary)).toEqual(['e4', 'e3', 'e2', 'e1', 'e0']);
      expect(next.cursor).toBeUndefined();
    });

    it('keeps events of one commit in the order given', async () => {
      const at = '2026-12-02T10:00:00.000Z';
      await t.store.commit(
        [],
        ['a', 'b', 'c', 'd'].map((s) => event('same-ms', s, at)),
      );
      const page = await t.store.listEvents('same-ms');
      expect(page.items.map((e) => e.summary)).toEqual(['a', 'b', 'c', 'd']);
    });

    it('keeps events of separate commits with the same time in commit order', async () => {
      const at = '2026-12-03T10:00:00.000Z';
      for (const s of ['first', 'second', 'third', 'fourth', 'fifth']) {
        await t.store.commit([], [event('same-time', s, at)]);
      }
      const page = await t.store.listEvents('same-time');
      expect(page.items.map((e) => e.summary)).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
    });

    it('has no cursor when the last page is exactly full', async () => {
      await t.store.commit([], [event('exact', 'one'), event('exact', 'two')]);
      const page = await t.store.listEvents('exact', { limit: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.cursor).toBeUndefined();
    });

    it('rejects a cursor that is not one it gave out, or one of another project', async () => {
      await t.store.commit([], [event('cur-a', '1'), event('cur-a', '2')]);
      const page = await t.store.listEvents('cur-a', { limit: 1 });
      expect(page.cursor).toBeDefined();
      await expect(t.store.listEvents('cur-b', { cursor: page.cursor ?? '' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(t.store.listEvents('cur-a', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(t.store.listEvents('cur-a', { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('projects', () => {
    let p: { store: ProjectStore };
    beforeAll(async () => {
      p = await makeStore();
      const ids = ['p01', 'p02', 'p03', 'p04', 'p05'];
      const projects = ids.map((id, i) =>
        makeProject({ status: i % 2 === 0 ? 'active' : 'closed' }, makeProjectSpec({ id })),
      );
      await p.store.commit(projects);
    });

    it('lists only active projects from the active index', async () => {
      const page = await p.store.listProjects({ activeOnly: true });
      expect(page.items.map((x) => x.id)).toEqual(['p01', 'p03', 'p05']);
      expect(page.items.every((x) => x.status === 'active')).toBe(true);
      expect(page.items[0]).not.toHaveProperty('GSI1PK');
    });

    it('lists all projects, active then closed, across pages', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await p.store.listProjects({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((x) => x.id));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual(['p01', 'p03', 'p05', 'p02', 'p04']);
    });

    it('pages exactly at the boundary between active and closed projects', async () => {
      const first = await p.store.listProjects({ limit: 3 });
      expect(first.items.map((x) => x.id)).toEqual(['p01', 'p03', 'p05']);
      const second = await p.store.listProjects({
        limit: 3,
        ...(first.cursor ? { cursor: first.cursor } : {}),
      });
      expect(second.items.map((x) => x.id)).toEqual(['p02', 'p04']);
      expect(second.cursor).toBeUndefined();
    });

    it('moves a project out of the active index when it closes', async () => {
      const project = await p.store.getProject('p03');
      if (!project) throw new Error('missing');
      await p.store.commit([{ ...project, status: 'closed' }]);
      expect((await p.store.listProjects({ activeOnly: true })).items.map((x) => x.id)).toEqual([
        'p01',
        'p05',
      ]);
      await p.store.commit([{ ...project, version: project.version + 1, status: 'active' }]);
    });
  });
});

describe('DynamoProjectStore', () => {
  it('keys the snapshot kinds from GATE# upward and every other kind below it, events included', () => {
    // The snapshot is one Query over the range from GATE#: a kind on the wrong side would be
    // missing from it, or would bring the event log (or other growing records) into every check.
    const wrongSide = Object.entries(CHILD_PREFIX).filter(
      ([kind, prefix]) => inSnapshot(kind as keyof typeof CHILD_PREFIX) !== prefix >= SNAPSHOT_FROM,
    );
    expect(wrongSide).toEqual([]);
    expect('EVENT#' < SNAPSHOT_FROM && 'PROJECT' >= SNAPSHOT_FROM).toBe(true);
    // Removal markers and counters: below it, and no kind's prefix is a prefix of theirs.
    for (const bookkeeping of [REMOVED_PREFIX, COUNTER_PREFIX]) {
      expect(bookkeeping < SNAPSHOT_FROM).toBe(true);
      expect(
        Object.values(CHILD_PREFIX).filter((p) => bookkeeping.startsWith(p) || p.startsWith(bookkeeping)),
      ).toEqual([]);
    }
    expect(`${REMOVED_PREFIX}~` < SNAPSHOT_FROM && `${COUNTER_PREFIX}~` < SNAPSHOT_FROM).toBe(true);
  });

  let t: TestStore;
  beforeAll(async () => {
    t = await makeTestStore();
  });

  it('stores the link expiry as the TTL attribute and the project in the active index', async () => {
    const project = makeProject({}, makeProjectSpec({ id: 'keys' }));
    const link = makeLink({ projectId: 'keys' });
    await t.store.commit([project, link]);
    const rawLink = await t.client.send(
      new GetCommand({ TableName: t.tableName, Key: { PK: `LINK#${link.linkHash}`, SK: 'LINK' } }),
    );
    expect(rawLink.Item?.expiresAt).toBe(link.expiresAt);
    const rawProject = await t.client.send(
      new GetCommand({ TableName: t.tableName, Key: { PK: 'PROJECT#keys', SK: 'PROJECT' } }),
    );
    expect(rawProject.Item).toMatchObject({ GSI1PK: 'PROJECTS#active', GSI1SK: 'keys' });
  });

  it("keeps the portfolio's allocations counter in its own partition, apart from a project named portfolio", async () => {
    const [before] = await t.store.getRecords([{ entity: 'counter', counter: 'allocations' }] as const);
    const value = before?.value ?? 0;
    // A project named like the partition: its counters and records stay in PROJECT#portfolio.
    await t.store.commit([makeProject({}, makeProjectSpec({ id: 'portfolio' }))], [], [], {
      bumps: [{ counter: 'allocations' }, { projectId: 'portfolio', counter: 'assignments' }],
    });
    const raw = await t.client.send(
      new GetCommand({ TableName: t.tableName, Key: { PK: 'PORTFOLIO', SK: 'COUNTER#allocations' } }),
    );
    expect(raw.Item).toMatchObject({ value: value + 1 });
    expect(raw.Item?.GSI1PK).toBeUndefined();
    const [allocations, assignments] = await t.store.getRecords([
      { entity: 'counter', counter: 'allocations' },
      { entity: 'counter', projectId: 'portfolio', counter: 'assignments' },
    ] as const);
    expect(allocations).toEqual({ entity: 'counter', counter: 'allocations', value: value + 1 });
    expect(assignments).toEqual({
      entity: 'counter',
      projectId: 'portfolio',
      counter: 'assignments',
      value: 1,
    });
    // A check of the value read before the bump conflicts, naming what moved; nothing is written.
    const stale = t.store.commit([makeProject({}, makeProjectSpec({ id: 'after-bump' }))], [], [], {
      checks: [{ counter: 'allocations', value }],
    });
    await expect(stale).rejects.toThrow(ConflictError);
    await expect(stale).rejects.toThrow(/team member allocation .* changed since it was read/);
    expect(await t.store.getProject('after-bump')).toBeUndefined();
  });

  describe('malformed items', () => {
    /** Writes an item straight into the table, as a hand edit or another version could. */
    const put = (item: Record<string, unknown>) =>
      t.client.send(new PutCommand({ TableName: t.tableName, Item: item }));
    const failure = async (read: Promise<unknown>) => {
      const error = await read.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MalformedRecordError);
      return error as MalformedRecordError;
    };

    it('refuses a gate whose approver has no email, naming the record and the field', async () => {
      const { approvers: _dropped, ...gate } = makeGate({ projectId: 'bad-gate', stage: 'risk' });
      await put({
        ...gate,
        approvers: [{ name: 'No Email' }],
        version: 1,
        PK: 'PROJECT#bad-gate',
        SK: 'GATE#risk',
      });
      const error = await failure(t.store.get('bad-gate', 'gate', 'risk'));
      expect(error.record).toBe('gate PROJECT#bad-gate/GATE#risk');
      expect(error.issues.map((i) => i.path)).toEqual(['approvers.0.email']);
      expect(error.message).toMatch(
        /^stored gate PROJECT#bad-gate\/GATE#risk is malformed: approvers\.0\.email: /,
      );
      await failure(t.store.list('bad-gate', 'gate'));
    });

    it('refuses a project whose stored spec lost a field, in a read and in the project list', async () => {
      const project = makeProject({}, makeProjectSpec({ id: 'bad-project' }));
      const { timezone: _, ...customer } = project.spec.customer;
      await put({
        ...project,
        spec: { ...project.spec, customer },
        version: 1,
        PK: 'PROJECT#bad-project',
        SK: 'PROJECT',
        GSI1PK: 'PROJECTS#active',
        GSI1SK: 'bad-project',
      });
      const error = await failure(t.store.getProject('bad-project'));
      expect(error.record).toBe('project PROJECT#bad-project/PROJECT');
      expect(error.issues.map((i) => i.path)).toEqual(['spec.customer.timezone']);
      const listed = await failure(t.store.listProjects({ activeOnly: true, limit: 1000 }));
      expect(listed.issues.map((i) => i.path)).toEqual(['spec.customer.timezone']);
      // The list is shared by this file's tests: take the bad project out again.
      await put({
        ...project,
        version: 2,
        PK: 'PROJECT#bad-project',
        SK: 'PROJECT',
        GSI1PK: 'PROJECTS#active',
        GSI1SK: 'bad-project',
      });
      await expect(t.store.getProject('bad-project')).resolves.toMatchObject({ id: 'bad-project' });
    });

    it('refuses wrong types and values: a number as text, an unknown status, another kind of record', async () => {
      await put({
        ...makeTask({ projectId: 'bad-values', id: 't1' }),
        estimateHours: '8',
        version: 1,
        PK: 'PROJECT#bad-values',
        SK: 'TASK#t1',
      });
      expect((await failure(t.store.list('bad-values', 'task'))).issues.map((i) => i.path)).toEqual([
        'estimateHours',
      ]);

      const link = makeLink({ projectId: 'bad-values' });
      await put({ ...link, status: 'maybe', version: 1, PK: `LINK#${link.linkHash}`, SK: 'LINK' });
      const linkError = await failure(t.store.getLink(link.linkHash));
      expect(linkError.record).toMatch(/^link LINK#/);
      expect(linkError.issues.map((i) => i.path)).toEqual(['status']);

      await put({
        ...makeRisk({ projectId: 'bad-values', id: 'r1' }),
        version: 1,
        PK: 'PROJECT#bad-values',
        SK: 'STAGE#r1',
      });
      const kind = await failure(t.store.get('bad-values', 'stage', 'r1'));
      expect(kind.issues.map((i) => i.path)).toContain('entity');

      // A test case with a result the model does not know is refused where it is read.
      await put({
        ...makeTestCase({ projectId: 'bad-values', id: 'tc1' }),
        result: 'maybe',
        version: 1,
        PK: 'PROJECT#bad-values',
        SK: 'TESTCASE#tc1',
      });
      expect(
        (await failure(t.store.get('bad-values', 'test_case', 'tc1'))).issues.map((i) => i.path),
      ).toEqual(['result']);
    });

    it('refuses an event without its summary in the event log', async () => {
      await put({
        entity: 'event',
        projectId: 'bad-event',
        id: '2027-01-01T00:00:00.000Z#1',
        at: '2027-01-01T00:00:00.000Z',
        type: 'test',
        actor: 'system',
        PK: 'PROJECT#bad-event',
        SK: 'EVENT#2027-01-01T00:00:00.000Z#1',
      });
      const error = await failure(t.store.listEvents('bad-event'));
      expect(error.record).toBe('event PROJECT#bad-event/EVENT#2027-01-01T00:00:00.000Z#1');
      expect(error.issues.map((i) => i.path)).toEqual(['summary']);
    });

    it('drops attributes the model does not know instead of failing', async () => {
      const risk = makeRisk({ projectId: 'extra', id: 'r1' });
      await put({ ...risk, retiredField: 'x', version: 1, PK: 'PROJECT#extra', SK: 'RISK#r1' });
      const read = await t.store.get('extra', 'risk', 'r1');
      expect(read).toEqual({ ...risk, version: 1 });
      expect(read).not.toHaveProperty('retiredField');
    });
  });
});
