/**
 * DELETE /api/projects/{id}/<segment>/{key} on DynamoDB Local: the version as a query parameter,
 * the removed record in the answer, and the errors naming the field or the record at fault.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { type ApiCallOptions, apiCall } from '../support/api.js';
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

const call = (method: string, path: string, options: ApiCallOptions = {}): Promise<HttpResponse> =>
  apiCall(deps, method, path, options);
const parsed = (r: HttpResponse) => JSON.parse(r.body);

describe('DELETE a record', () => {
  it('removes a task with the version read and answers 200 with the record as it was', async () => {
    const put = await call('PUT', `/api/projects/${P}/tasks/typo`, {
      body: { name: 'Typo', estimateHours: 2 },
    });
    expect(put.status).toBe(201);
    const { version } = parsed(put);

    const res = await call('DELETE', `/api/projects/${P}/tasks/typo`, {
      query: { version: String(version) },
    });

    expect(res.status).toBe(200);
    expect(parsed(res)).toMatchObject({ id: 'typo', name: 'Typo', type: 'task', version });
    expect(parsed(res)).not.toHaveProperty('entity');
    expect(await ts.store.get(P, 'task', 'typo')).toBeUndefined();
    const events = (await ts.store.listEvents(P, { limit: 200 })).items;
    expect(events.filter((e) => e.type === 'task_removed')).toHaveLength(1);
  });

  it('answers 400 naming `version` when it is missing or not a number, and changes nothing', async () => {
    for (const query of [{}, { version: 'three' }, { version: '0' }] as Record<string, string>[]) {
      const res = await call('DELETE', `/api/projects/${P}/risks/mfa-lockout`, { query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(parsed(res).issues.map((i: { path: string }) => i.path)).toEqual(['query.version']);
    }
    expect(await ts.store.get(P, 'risk', 'mfa-lockout')).toBeDefined();
  });

  it('answers 409 for a stale version (naming the stored one), 404 for an absent record or project', async () => {
    const stale = await call('DELETE', `/api/projects/${P}/risks/mfa-lockout`, { query: { version: '7' } });
    expect(stale.status).toBe(409);
    expect(parsed(stale).error).toBe('risk mfa-lockout changed since it was read (version 1 now)');
    const absent = await call('DELETE', `/api/projects/${P}/risks/nope`, { query: { version: '1' } });
    expect(absent.status).toBe(404);
    expect(parsed(absent).error).toBe('risk nope not found');
    const noProject = await call('DELETE', '/api/projects/no-such/risks/x', { query: { version: '1' } });
    expect(noProject.status).toBe(404);
  });

  it('answers 409 with what to do instead for a refused removal', async () => {
    const member = await call('DELETE', `/api/projects/${P}/team/ENG@msp.example`, {
      query: { version: '1' },
    });
    expect(member.status).toBe(409);
    expect(parsed(member).error).toMatch(/owner of risk data-loss \(open\): reassign or close it first/);
    const deliverable = await call('DELETE', `/api/projects/${P}/tasks/tenant`, { query: { version: '1' } });
    expect(deliverable.status).toBe(409);
    expect(parsed(deliverable).error).toMatch(/raise a change request/);
  });

  it('removes every kind on the path of its upsert', async () => {
    const create: [string, unknown][] = [
      ['risks/dup', { title: 'Duplicate', likelihood: 1, impact: 1 }],
      ['team/nia@msp.example', { name: 'Nia', role: 'engineer', allocation: 10 }],
      ['resources/laptop', { kind: 'hardware', name: 'Laptop', quantity: 1, cost: 900 }],
      ['test-cases/login', { name: 'Login', category: 'functional', expectedResult: 'Signed in' }],
      ['deployments/go-live', { name: 'Go-live' }],
      ['training-sessions/basics', { title: 'Basics', date: '2027-02-01', audience: 'front desk' }],
      ['lessons/dns', { title: 'DNS', whatHappened: 'Slow', kind: 'change', recommendation: 'Lower TTL' }],
    ];
    for (const [path, body] of create) {
      const put = await call('PUT', `/api/projects/${P}/${path}`, { body });
      expect(put.status, path).toBe(201);
      const res = await call('DELETE', `/api/projects/${P}/${path}`, {
        query: { version: String(parsed(put).version) },
      });
      expect(res.status, path).toBe(200);
      const again = await call('DELETE', `/api/projects/${P}/${path}`, { query: { version: '1' } });
      expect(again.status, path).toBe(404);
    }
  });

  it('needs an authenticated caller (401) and refuses a cross-site request (403), changing nothing', async () => {
    const anonymous = await call('DELETE', `/api/projects/${P}/risks/mfa-lockout`, {
      query: { version: '1' },
      caller: null,
    });
    expect(anonymous.status).toBe(401);
    const crossSite = await call('DELETE', `/api/projects/${P}/risks/mfa-lockout`, {
      query: { version: '1' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(await ts.store.get(P, 'risk', 'mfa-lockout')).toBeDefined();
  });

  it('is in the OpenAPI document with its required version query parameter', async () => {
    const doc = parsed(await call('GET', '/api/openapi.json'));
    const op = doc.paths['/api/projects/{id}/team/{email}'].delete;
    expect(op.operationId).toBe('deleteTeamMember');
    expect(op.parameters).toContainEqual(
      expect.objectContaining({ name: 'version', in: 'query', required: true }),
    );
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409']);
  });
});
