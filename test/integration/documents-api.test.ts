/**
 * The documents and lessons of the staff API on DynamoDB Local: the list with every version and
 * its SHA-256, the PDF download (latest and `?version=N`, SHA-256 of the bytes), 404s that name
 * what is missing, and lessons learned that reach the close-out report.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesSha256 } from '../../functions/core/documents/model.js';
import type { Project } from '../../functions/core/model.js';
import { generateCharter } from '../../functions/core/use-cases/generate-charter.js';
import { generateCloseout } from '../../functions/core/use-cases/generate-closeout.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { apiCall } from '../support/api.js';
import {
  makeProject,
  makeProjectSpec,
  makeStages,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import { makeTestDeps, pdfText, type TestDeps } from '../support/fakes.js';

let ts: TestStore;
let deps: TestDeps;

beforeEach(async () => {
  ts = await makeTestStore();
  deps = makeTestDeps(ts.store);
});

afterEach(async () => {
  await ts.drop();
});

async function seedProject(id = 'acme-m365'): Promise<Project> {
  const project = makeProject({}, makeProjectSpec({ id }));
  await deps.store.commit([project, ...makeStages(project)]);
  return project;
}

const call = (method: string, path: string, body?: unknown, query: Record<string, string> = {}) =>
  apiCall(deps, method, path, { body, query });

const bytesOf = (r: HttpResponse) =>
  new Uint8Array(Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8'));

describe('GET /api/projects/{id}/documents', () => {
  it('lists each document with its latest version, SHA-256, size and every version', async () => {
    const project = await seedProject();
    await generateCharter(deps, project.id, 'pm@msp.example');
    // A changed spec objective makes a second charter version.
    const changed = { ...project, spec: { ...project.spec, objectives: ['A new objective'] }, version: 1 };
    await deps.store.commit([changed]);
    const v2 = await generateCharter(deps, project.id, 'pm@msp.example');
    expect(v2.docVersion).toBe(2);

    const res = await call('GET', `/api/projects/${project.id}/documents`);
    expect(res.status).toBe(200);
    const list = JSON.parse(res.body);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: 'charter',
      kind: 'charter',
      version: 2,
      sha256: v2.sha256,
      size: v2.size,
    });
    expect(list[0].title).toBe('Project charter v2');
    expect(list[0].versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(list[0].versions[0].sha256).not.toBe(list[0].versions[1].sha256);
    // Each version names the storage version that holds its bytes, and they differ.
    const storage = list[0].versions.map((v: { storageVersion?: string }) => v.storageVersion);
    expect(storage.every((s: unknown) => typeof s === 'string' && s.length > 0)).toBe(true);
    expect(new Set(storage).size).toBe(2);
    const record = await deps.store.get(project.id, 'document', 'charter');
    expect(storage).toEqual(record!.versions!.map((v) => v.storageVersion));
  });

  it('answers 404 for an unknown project', async () => {
    const res = await call('GET', '/api/projects/no-such/documents');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error).toBe('project no-such not found');
  });
});

describe('GET /api/projects/{id}/documents/{documentId}', () => {
  it('serves the latest PDF and an older one with ?version=N; the SHA-256 listed matches the bytes', async () => {
    const project = await seedProject();
    await generateCharter(deps, project.id, 'pm@msp.example');
    await deps.store.commit([
      { ...project, spec: { ...project.spec, objectives: ['Second objective'] }, version: 1 },
    ]);
    await generateCharter(deps, project.id, 'pm@msp.example');
    const list = JSON.parse((await call('GET', `/api/projects/${project.id}/documents`)).body);

    const latest = await call('GET', `/api/projects/${project.id}/documents/charter`);
    expect(latest.status).toBe(200);
    expect(latest.isBase64Encoded).toBe(true);
    expect(latest.headers['content-type']).toBe('application/pdf');
    expect(latest.headers['content-disposition']).toBe(`attachment; filename="${project.id}-charter-v2.pdf"`);
    expect(latest.headers['x-content-type-options']).toBe('nosniff');
    expect(latest.headers['x-document-version']).toBe('2');
    const latestBytes = bytesOf(latest);
    expect(Buffer.from(latestBytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(bytesSha256(latestBytes)).toBe(list[0].versions[1].sha256);
    expect(pdfText(latestBytes)).toContain('Second objective');

    const older = await call('GET', `/api/projects/${project.id}/documents/charter`, undefined, {
      version: '1',
    });
    expect(older.status).toBe(200);
    const olderBytes = bytesOf(older);
    expect(bytesSha256(olderBytes)).toBe(list[0].versions[0].sha256);
    expect(pdfText(olderBytes)).toContain('Move mail to Microsoft 365');
    expect(pdfText(olderBytes)).not.toContain('Second objective');
  });

  it('answers 404 naming what is missing, and 400 naming a bad version', async () => {
    const project = await seedProject();
    await generateCharter(deps, project.id, 'pm@msp.example');
    const missingProject = await call('GET', '/api/projects/nope/documents/charter');
    expect([missingProject.status, JSON.parse(missingProject.body).error]).toEqual([
      404,
      'project nope not found',
    ]);
    const missingDoc = await call('GET', `/api/projects/${project.id}/documents/plan`);
    expect([missingDoc.status, JSON.parse(missingDoc.body).error]).toEqual([
      404,
      `document plan not found in project ${project.id}`,
    ]);
    const missingVersion = await call('GET', `/api/projects/${project.id}/documents/charter`, undefined, {
      version: '7',
    });
    expect([missingVersion.status, JSON.parse(missingVersion.body).error]).toEqual([
      404,
      'document charter has no version 7 (versions: 1)',
    ]);
    const bad = await call('GET', `/api/projects/${project.id}/documents/charter`, undefined, {
      version: 'x',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).issues[0].path).toBe('query.version');
  });

  it('refuses a caller without an identity', async () => {
    const project = await seedProject();
    await generateCharter(deps, project.id, 'pm@msp.example');
    const res = await apiCall(deps, 'GET', `/api/projects/${project.id}/documents/charter`, { caller: null });
    expect(res.status).toBe(401);
  });
});

describe('PUT /api/projects/{id}/lessons/{lessonId}', () => {
  it('creates and updates a lesson, names each missing field, and the close-out report lists it', async () => {
    const project = await seedProject();
    const missing = await call('PUT', `/api/projects/${project.id}/lessons/kickoff`, { title: 'Kick-off' });
    expect(missing.status).toBe(400);
    expect(
      JSON.parse(missing.body)
        .issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['kind', 'recommendation', 'whatHappened']);
    const badKind = await call('PUT', `/api/projects/${project.id}/lessons/kickoff`, { kind: 'maybe' });
    expect(JSON.parse(badKind.body).issues[0].path).toBe('kind');
    const badStage = await call('PUT', `/api/projects/${project.id}/lessons/kickoff`, {
      title: 'Kick-off',
      whatHappened: 'The sponsor joined late',
      kind: 'change',
      recommendation: 'Book the sponsor two weeks ahead',
      stage: 'no-such-stage',
    });
    expect([badStage.status, JSON.parse(badStage.body).issues[0].path]).toEqual([400, 'stage']);

    const created = await call('PUT', `/api/projects/${project.id}/lessons/kickoff`, {
      title: 'Kick-off',
      whatHappened: 'The sponsor joined late',
      kind: 'change',
      recommendation: 'Book the sponsor two weeks ahead',
      stage: 'initiation',
    });
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ id: 'kickoff', version: 1, recordedBy: 'local' });
    const updated = await call('PUT', `/api/projects/${project.id}/lessons/kickoff`, {
      recommendation: 'Book the sponsor three weeks ahead',
      version: 1,
    });
    expect([updated.status, JSON.parse(updated.body).version]).toEqual([200, 2]);
    const stale = await call('PUT', `/api/projects/${project.id}/lessons/kickoff`, {
      title: 'x',
      version: 1,
    });
    expect(stale.status).toBe(409);

    const detail = JSON.parse((await call('GET', `/api/projects/${project.id}`)).body);
    expect(detail.lessons).toHaveLength(1);
    const closeout = await generateCloseout(deps, project.id, 'pm@msp.example');
    const text = pdfText((await deps.documents.get(closeout.key)) ?? new Uint8Array());
    expect(text).toContain('Lessons learned');
    expect(text).toContain('Book the sponsor three weeks ahead');
    expect(text).toContain('The sponsor joined late');
  });
});
