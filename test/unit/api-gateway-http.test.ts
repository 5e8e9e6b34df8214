import { describe, expect, it } from 'vitest';
import { handleEvent, toHttpRequest } from '../../functions/handlers/http.js';
import { actorOf } from '../../functions/http/staff-api.js';
import { makeTestDeps } from '../support/fakes.js';

function event(overrides: Record<string, unknown> = {}, context: Record<string, unknown> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/projects',
    rawQueryString: 'limit=5',
    headers: { 'content-type': 'application/json', 'x-milepost-actor': 'someone@example.com' },
    queryStringParameters: { limit: '5' },
    isBase64Encoded: false,
    requestContext: {
      stage: '$default',
      http: { method: 'GET', path: '/api/projects' },
      authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/pm', callerId: 'AIDA' } },
      ...context,
    },
    ...overrides,
  };
}

describe('API Gateway HTTP API adapter', () => {
  it('takes the caller of /api routes from the IAM authorizer', () => {
    const req = toHttpRequest(event());
    expect(req).toMatchObject({
      method: 'GET',
      path: '/api/projects',
      query: { limit: '5' },
      caller: 'arn:aws:iam::123456789012:user/pm',
    });
  });

  it('sets no caller on the public approval routes', () => {
    const req = toHttpRequest(event({ rawPath: '/approve/abc' }));
    expect(req.caller).toBeUndefined();
  });

  it('decodes a base64 form body', () => {
    const body = Buffer.from('decision=approve&comment=ok', 'utf8').toString('base64');
    const req = toHttpRequest(event({ rawPath: '/approve/abc', body, isBase64Encoded: true }));
    expect(req.body).toBe('decision=approve&comment=ok');
  });

  it('drops a named stage from the path and lower-cases header names', () => {
    const req = toHttpRequest(
      event({ rawPath: '/prod/api/projects', headers: { Origin: 'https://x.example' } }, { stage: 'prod' }),
    );
    expect(req.path).toBe('/api/projects');
    expect(req.headers).toEqual({ origin: 'https://x.example' });
  });

  it('ignores the local actor header in AWS: the IAM caller acts', () => {
    expect(actorOf(toHttpRequest(event()))).toBe('arn:aws:iam::123456789012:user/pm');
  });

  it('answers with the status, headers and body of the app', async () => {
    const store = { listProjects: async () => ({ items: [] }) } as never;
    const res = await handleEvent(makeTestDeps(store), event());
    expect(res).toMatchObject({
      statusCode: 200,
      body: '[]',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  });

  it('answers a malformed event with 400 and no details', async () => {
    const res = await handleEvent(makeTestDeps({} as never), { nothing: true });
    expect(res).toMatchObject({ statusCode: 400, body: 'Bad request' });
  });
});
