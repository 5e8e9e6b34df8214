/**
 * The served OpenAPI document: generated from the route declarations, valid for the recommended
 * ruleset of a standard linter, and honest about security (SigV4 on the staff API, nothing on
 * the approval pages and the document itself).
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { type HttpAppOptions, handleHttp } from '../../functions/http/app.js';
import { ROUTES, type RouteDeclaration } from '../../functions/http/routes.js';
import { cognitoSignIn, localSignIn } from '../../functions/http/sign-in.js';
import { makeTestDeps } from '../support/fakes.js';

const API_URL = 'https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}

interface Document {
  servers: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

/** GET /api/openapi.json of an app (no caller: the document is public). */
async function served(options: HttpAppOptions = {}): Promise<{ body: string; doc: Document }> {
  const deps = makeTestDeps({} as never);
  deps.config.publicBaseUrl = API_URL;
  const res = await handleHttp(
    deps,
    { method: 'GET', path: '/api/openapi.json', query: {}, headers: {}, body: '' },
    options,
  );
  expect(res.status).toBe(200);
  return { body: res.body, doc: JSON.parse(res.body) as Document };
}

function operations(doc: Document): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );
}

const LOCAL: HttpAppOptions = { console: { signIn: localSignIn() }, outbox: { list: async () => [] } };
const COGNITO: HttpAppOptions = {
  console: {
    signIn: cognitoSignIn({
      userPoolId: 'eu-west-2_abcDEF123',
      clientId: 'client123',
      domain: 'https://milepost-123.auth.eu-west-2.amazoncognito.com',
      baseUrl: API_URL,
    }),
  },
};

describe('the OpenAPI document', () => {
  for (const [name, options] of [
    ['in AWS', {}],
    ['locally, with the console and the outbox', LOCAL],
    ['in AWS with the console', COGNITO],
  ] as [string, HttpAppOptions][]) {
    it(`passes the recommended lint rules with no error, ${name}`, async () => {
      const { body } = await served(options);
      const config = await createConfig({ extends: ['recommended'] });
      const problems = await lintFromString({ source: body, absoluteRef: 'openapi.json', config });
      const errors = problems
        .filter((p) => p.severity === 'error')
        .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
      expect(errors).toEqual([]);
    });
  }

  it('names and summarizes every operation, and declares the 4XX answers of each API route', async () => {
    const { doc } = await served();
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThanOrEqual(12);
    for (const [path, method, op] of ops) {
      expect({ path, method, operationId: typeof op.operationId }).toEqual({
        path,
        method,
        operationId: 'string',
      });
      expect(op.summary, `${method} ${path}`).toBeTruthy();
      if (path !== '/api/openapi.json')
        expect(
          Object.keys(op.responses).some((s) => s.startsWith('4')),
          `${method} ${path}`,
        ).toBe(true);
    }
    const ids = ops.map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('says where the API is and how it is secured: SigV4 for the staff API, nothing for the pages', async () => {
    const { doc } = await served();
    expect(doc.servers).toEqual([expect.objectContaining({ url: API_URL })]);
    expect(doc.components.securitySchemes.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
      description: expect.stringContaining('Signature Version 4'),
    });
    for (const [path, , op] of operations(doc)) {
      const open = path.startsWith('/approve/') || path === '/api/openapi.json';
      expect({ path, security: op.security }).toEqual({ path, security: open ? [] : [{ sigv4: [] }] });
    }
    const withConsole = (await served(COGNITO)).doc;
    expect(withConsole.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie' });
    for (const [path, method, op] of operations(withConsole)) {
      const expected = path.startsWith('/api/')
        ? path === '/api/openapi.json'
          ? []
          : [{ sigv4: [] }]
        : path.startsWith('/approve/') || path.startsWith('/auth/')
          ? []
          : [{ session: [] }];
      expect({ path, method, security: op.security }).toEqual({ path, method, security: expected });
    }
  });

  it('holds exactly the declared routes the app serves', async () => {
    const key = (d: RouteDeclaration) => `${d.route.method} ${d.route.path}`;
    const all = Object.values(ROUTES) as RouteDeclaration[];
    const inAws = operations((await served()).doc).map(([path, method]) => `${method} ${path}`);
    expect(inAws.sort()).toEqual(
      all
        .filter((d) => d.group !== 'console' && d.group !== 'auth' && !d.outbox)
        .map(key)
        .sort(),
    );
    const local = operations((await served(LOCAL)).doc).map(([path, method]) => `${method} ${path}`);
    expect(local.sort()).toEqual(
      all
        .filter((d) => d.signIn !== 'cognito')
        .map(key)
        .sort(),
    );
    const cognito = operations((await served(COGNITO)).doc).map(([path, method]) => `${method} ${path}`);
    expect(cognito.sort()).toEqual(
      all
        .filter((d) => !d.outbox && d.signIn !== 'local')
        .map(key)
        .sort(),
    );
  });
});
