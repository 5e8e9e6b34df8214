/**
 * Security review of the staff API and the API Gateway adapter: callers without an IAM identity
 * are refused, path parameters and `limit` are validated before the store is touched, bodies are
 * capped, unexpected errors become a generic 500 logged without their message, and approval paths
 * never reach a log line.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../functions/adapters/json-logger.js';
import { newLinkId } from '../../functions/core/approval-links.js';
import type { ProjectStore } from '../../functions/core/ports.js';
import { handleApprovalEvent } from '../../functions/handlers/approvals.js';
import { handleEvent as handle } from '../../functions/handlers/http.js';
import { handleHttp } from '../../functions/http/app.js';
import { MAX_JSON_BYTES } from '../../functions/http/staff-api.js';
import { makeTestDeps } from '../support/fakes.js';

const SECRET = 'SECRET-value-0c9a1f';

/** A store whose every method fails: a response other than 500 proves it was not called. */
function untouchableStore(): ProjectStore {
  return new Proxy({} as ProjectStore, {
    get: (_target, prop) => () => Promise.reject(new Error(`store.${String(prop)} was called`)),
  });
}

/** A store whose every method fails with a message that holds a secret. */
function leakyStore(): ProjectStore {
  return new Proxy({} as ProjectStore, {
    get: () => () =>
      Promise.reject(new Error(`ValidationException: key LINK#${SECRET} token=${SECRET} at store.ts:12`)),
  });
}

/** The adapter's answer (always the structured form). */
async function handleEvent(
  deps: Parameters<typeof handle>[0],
  event: unknown,
): Promise<APIGatewayProxyStructuredResultV2> {
  return (await handle(deps, event)) as APIGatewayProxyStructuredResultV2;
}

/** The approvals function's answer (the approval routes are sent to it). */
async function handleApprovals(
  deps: Parameters<typeof handleApprovalEvent>[0],
  event: unknown,
): Promise<APIGatewayProxyStructuredResultV2> {
  return (await handleApprovalEvent(deps, event)) as APIGatewayProxyStructuredResultV2;
}

function capture() {
  const lines: string[] = [];
  return { lines, log: jsonLogger({}, (line) => lines.push(line)) };
}

function awsEvent(
  method: string,
  rawPath: string,
  options: {
    iam?: Record<string, string> | null;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    body?: string;
  } = {},
) {
  const iam = options.iam === undefined ? { userArn: 'arn:aws:iam::123456789012:user/pm' } : options.iam;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    headers: options.headers ?? {},
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
    requestContext: {
      stage: '$default',
      http: { method, path: rawPath },
      ...(iam ? { authorizer: { iam } } : {}),
    },
  };
}

const STAFF_ROUTES: [string, string][] = [
  ['GET', '/api/projects'],
  ['GET', '/api/projects/acme-m365'],
  ['GET', '/api/projects/acme-m365/events'],
  ['PUT', '/api/projects/acme-m365/tasks/tenant'],
  ['PUT', '/api/projects/acme-m365/risks/data-loss'],
  ['PUT', '/api/projects/acme-m365/team/eng%40msp.example'],
  ['PUT', '/api/projects/acme-m365/resources/licences'],
  ['POST', '/api/projects/acme-m365/stages/initiation/submit'],
];

describe('staff API in AWS: callers', () => {
  it('refuses every staff route without an IAM identity, before touching the store', async () => {
    const deps = makeTestDeps(untouchableStore());
    for (const [method, path] of STAFF_ROUTES) {
      for (const iam of [null, {}, { userArn: '', callerId: '' }] as (Record<string, string> | null)[]) {
        const res = await handleEvent(
          deps,
          awsEvent(method, path, { iam, headers: { 'x-milepost-actor': 'pm@msp.example' }, body: '{}' }),
        );
        expect({ method, path, iam, status: res.statusCode }).toEqual({ method, path, iam, status: 401 });
      }
    }
  });

  it('serves the OpenAPI document without an identity', async () => {
    const res = await handleEvent(
      makeTestDeps(untouchableStore()),
      awsEvent('GET', '/api/openapi.json', { iam: null }),
    );
    expect(res.statusCode).toBe(200);
  });
});

describe('staff API: validation before the store', () => {
  const deps = makeTestDeps(untouchableStore());
  const call = (method: string, path: string, query: Record<string, string> = {}, body = '') =>
    handleHttp(deps, { method, path, query, headers: {}, body, caller: 'arn:aws:iam::1:user/pm' });

  it('refuses malformed project ids, record ids and emails with 400 and the field', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/api/projects/ACME', 'id'],
      ['GET', '/api/projects/acme_m365', 'id'],
      ['GET', '/api/projects/-acme', 'id'],
      ['GET', `/api/projects/${'a'.repeat(49)}`, 'id'],
      ['GET', '/api/projects/%2E%2E', 'id'],
      ['GET', '/api/projects/acme%2Fother', 'id'],
      ['GET', '/api/projects/acme%00', 'id'],
      ['GET', '/api/projects/%3Cscript%3E/events', 'id'],
      ['PUT', '/api/projects/acme-m365/tasks/..', 'taskId'],
      ['PUT', '/api/projects/acme-m365/tasks/a%2Fb', 'taskId'],
      ['PUT', `/api/projects/acme-m365/tasks/${'t'.repeat(65)}`, 'taskId'],
      ['PUT', '/api/projects/acme-m365/risks/%20risk', 'riskId'],
      ['PUT', '/api/projects/acme-m365/resources/.hidden', 'resourceId'],
      ['PUT', '/api/projects/acme-m365/team/not-an-email', 'email'],
      ['PUT', '/api/projects/acme-m365/team/a%40b.example%0Ax', 'email'],
      ['POST', '/api/projects/acme-m365/stages/Initiation/submit', 'stage'],
    ];
    for (const [method, path, field] of cases) {
      const res = await call(method, path, {}, '{}');
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(res.body).issues.map((i: { path: string }) => i.path)).toContain(field);
    }
  });

  it('answers a malformed percent-encoding in a path with 400', async () => {
    expect((await call('GET', '/api/projects/%E0%A4%A')).status).toBe(400);
  });

  it('caps limit and the cursor of the event log', async () => {
    for (const limit of ['0', '101', '1000000000', '-1', 'abc', '10.5', '']) {
      const res = await call('GET', '/api/projects/acme-m365/events', { limit });
      expect({ limit, status: res.status }).toEqual({ limit, status: 400 });
      expect(res.body).toContain('query.limit');
    }
    const long = await call('GET', '/api/projects/acme-m365/events', { cursor: 'c'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(long.body).toContain('query.cursor');
    const unknown = await call('GET', '/api/projects/acme-m365/events', { limit: '10', admin: 'true' });
    expect(unknown.status).toBe(400);
  });

  it('refuses a body larger than any valid one with 413', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(MAX_JSON_BYTES) });
    const res = await call('PUT', '/api/projects/acme-m365/tasks/tenant', {}, body);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: 'request body too large' });
  });
});

describe('staff API: cross-site requests', () => {
  it('refuses a state-changing request a web page makes through the browser, locally too', async () => {
    const deps = makeTestDeps(untouchableStore());
    const base = deps.config.publicBaseUrl;
    for (const [method, path] of STAFF_ROUTES.filter(([m]) => m !== 'GET')) {
      for (const headers of [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: base },
        { origin: 'null' },
        { origin: 'http://localhost:9999' },
      ] as Record<string, string>[]) {
        const res = await handleHttp(deps, { method, path, query: {}, headers, body: '{}', caller: 'local' });
        expect({ path, headers, status: res.status }).toEqual({ path, headers, status: 403 });
      }
    }
  });

  it('accepts requests of the same origin and of clients that send no browser headers', async () => {
    const deps = makeTestDeps(untouchableStore(), { log: jsonLogger({}, () => undefined) });
    const base = deps.config.publicBaseUrl;
    for (const headers of [{}, { origin: base, 'sec-fetch-site': 'same-origin' }] as Record<
      string,
      string
    >[]) {
      const res = await handleHttp(deps, {
        method: 'POST',
        path: '/api/projects/acme-m365/stages/initiation/submit',
        query: {},
        headers,
        body: '',
        caller: 'local',
      });
      // Past the check: the (failing) store was asked.
      expect(res.status).toBe(500);
    }
  });
});

describe('unexpected errors', () => {
  it('become a generic 500 without details, logged without the message', async () => {
    const { lines, log } = capture();
    const deps = makeTestDeps(leakyStore(), { log });
    for (const [method, path] of STAFF_ROUTES) {
      const res = await handleEvent(
        deps,
        awsEvent(method, path, { body: method === 'GET' ? undefined : '{}' }),
      );
      if (res.statusCode === 400) continue; // a body the route refuses before the store
      expect({ path, status: res.statusCode, body: res.body }).toEqual({
        path,
        status: 500,
        body: '{"error":"internal error"}',
      });
      expect(res.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
    }
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain('store.ts');
      expect(JSON.parse(line)).toMatchObject({ level: 'error', error: 'Error' });
    }
  });
});

describe('API Gateway adapter logs', () => {
  it('never logs the path or the link id of an approval route', async () => {
    const { lines, log } = capture();
    const deps = makeTestDeps(leakyStore(), { log });
    const id = newLinkId();
    for (const method of ['GET', 'HEAD', 'POST']) {
      const res = await handleApprovals(
        deps,
        awsEvent(method, `/approve/${id}`, { iam: null, body: 'decision=approve&csrf=x' }),
      );
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain(SECRET);
    }
    // An event of an unexpected shape is refused without logging any of it.
    const malformed = await handleApprovals(deps, { rawPath: `/approve/${id}`, requestContext: {} });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      expect(line).not.toContain(id);
      expect(line).not.toContain('/approve/');
      expect(line).not.toContain(SECRET);
    }
  });
});

describe('JSON logger', () => {
  it('redacts secret fields at any depth and logs errors by name only', () => {
    const { lines, log } = capture();
    log.error('failed', {
      taskToken: SECRET,
      gate: { approvers: [{ email: 'a@b.example', linkHash: SECRET }], csrfSecret: SECRET },
      request: { headers: { Authorization: SECRET, cookie: SECRET } },
      nonce: SECRET,
      cause: new Error(`key LINK#${SECRET}`),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      message: 'failed',
      taskToken: '[redacted]',
      gate: { approvers: [{ email: 'a@b.example', linkHash: '[redacted]' }], csrfSecret: '[redacted]' },
      request: { headers: { Authorization: '[redacted]', cookie: '[redacted]' } },
      cause: { error: 'Error' },
    });
  });

  it('cuts deep or cyclic values instead of failing', () => {
    const { lines, log } = capture();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    log.info('cyclic', { cyclic });
    expect(lines[0]).toContain('[nested]');
  });
});
