import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newLinkId } from '../../functions/core/approval-links.js';
import { gatewayRoutes } from '../../functions/http/routes.js';
import { type BundleResult, bundleFunction } from '../../infra/bundle.js';
import { runBundledWithLogs } from '../support/bundled.js';
import { makeTestStore, type TestStore } from '../support/dynamo.js';
import { actionsOf, type Built, buildExampleApp, resourcesOf } from './support.js';

let built: Built;
let bundle: BundleResult;
let store: TestStore;
const dirs: string[] = [];

beforeAll(async () => {
  built = await buildExampleApp();
  const out = mkdtempSync(join(tmpdir(), 'milepost-approvals-'));
  dirs.push(out);
  bundle = await bundleFunction(built.platform.functions.approvals.entry, out);
  store = await makeTestStore();
}, 240_000);

afterAll(async () => {
  await store?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Resource = { Properties: Record<string, unknown> };
const resources = () => built.platformTemplate.toJSON().Resources as Record<string, Resource>;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  built.platform.getLogicalId(construct.node.defaultChild as never);

/** The function each route's integration invokes: `http` or `approvals`, by the integration's target. */
function routeTargets(): Map<string, string> {
  const all = resources();
  const fnIds = {
    http: logicalId(built.platform.functions.http.function),
    approvals: logicalId(built.platform.functions.approvals.function),
  };
  const integrationFn = new Map<string, string>();
  for (const [id, r] of Object.entries(all)) {
    if ((r as { Type?: string }).Type !== 'AWS::ApiGatewayV2::Integration') continue;
    const uri = JSON.stringify(r.Properties.IntegrationUri);
    const fn = Object.entries(fnIds).find(([, fnId]) => uri.includes(`"${fnId}"`))?.[0];
    integrationFn.set(id, fn ?? 'unknown');
  }
  const out = new Map<string, string>();
  for (const r of Object.values(all)) {
    if ((r as { Type?: string }).Type !== 'AWS::ApiGatewayV2::Route') continue;
    const target = (r.Properties.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const integration = (target.find((p) => typeof p === 'object' && p && 'Ref' in p) as { Ref: string }).Ref;
    out.set(r.Properties.RouteKey as string, integrationFn.get(integration) ?? 'unknown');
  }
  return out;
}

describe('the routes of the approvals function', () => {
  it('sends every approval route to the approvals function and every other route to http', () => {
    const targets = routeTargets();
    const approvals = gatewayRoutes()
      .filter((r) => r.fn === 'approvals')
      .map((r) => `${r.method} ${r.path}`);
    expect(approvals.sort()).toEqual([
      'GET /approve/{linkId}',
      'HEAD /approve/{linkId}',
      'POST /approve/{linkId}',
    ]);
    expect(targets.size).toBe(gatewayRoutes().length);
    for (const [key, fn] of targets) expect(fn, key).toBe(approvals.includes(key) ? 'approvals' : 'http');
    // Declared for the other function: no route under /approve is left to the http function.
    for (const r of gatewayRoutes()) if (r.path.startsWith('/approve')) expect(r.fn).toBe('approvals');
  });

  it('lets API Gateway invoke the approvals function for its routes only', () => {
    const approvalsId = logicalId(built.platform.functions.approvals.function);
    const permissions = Object.values(resources()).filter(
      (r) =>
        (r as { Type?: string }).Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(r.Properties.FunctionName).includes(`"${approvalsId}"`),
    );
    expect(permissions).toHaveLength(gatewayRoutes().filter((r) => r.fn === 'approvals').length);
    for (const p of permissions) expect(JSON.stringify(p.Properties.SourceArn)).toContain('/approve/');
  });
});

describe('the role of the approvals function', () => {
  /** The Allow statements of the policies attached to one function's role. */
  const statementsOf = (name: 'approvals' | 'http') => {
    const roleId = logicalId(built.platform.functions[name].role);
    return Object.values(built.platformTemplate.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Parameters<typeof actionsOf>[0][])
      .filter((s) => s.Effect === 'Allow');
  };

  it('may use the table, answer gate tasks, email as the sender, keep documents and render them: nothing else', () => {
    const actions = new Set(statementsOf('approvals').flatMap(actionsOf));
    const services = new Set([...actions].map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'lambda', 'logs', 's3', 'ses', 'states', 'xray']);
    expect([...actions].filter((a) => /^(s3|states|ses|lambda):/.test(a)).sort()).toEqual([
      // The renderer: a change request approved through its link while a gate waits publishes
      // that gate's document again on the new baseline (renew-gate-approvals.ts).
      'lambda:InvokeFunction',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:PutObject',
      'ses:SendEmail',
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
    ]);
  });

  it('has none of the permissions only the staff function has', () => {
    const approvals = new Set(statementsOf('approvals').flatMap(actionsOf));
    const staffOnly = ['secretsmanager:GetSecretValue', 'states:StartExecution'];
    const http = new Set(statementsOf('http').flatMap(actionsOf));
    for (const action of staffOnly) {
      expect(approvals.has(action), action).toBe(false);
      // ... which the http function does have (so this list is the staff's, not a guess).
      if (action !== 'states:StartExecution') expect(http.has(action), action).toBe(true);
    }
    // And no configuration of the staff's: no sign-in, no chat channel.
    const env = resources()[logicalId(built.platform.functions.approvals.function)]!.Properties
      .Environment as { Variables: Record<string, unknown> };
    for (const name of Object.keys(env.Variables)) expect(name).not.toMatch(/^(COGNITO_|WEBHOOK_)/);
  });

  it('keeps documents in the documents bucket only, renders with the documents function only, and answers the projects\u2019 state machines only', () => {
    const bucketId = logicalId(built.platform.documentsBucket);
    const documentsFunctionId = logicalId(built.platform.functions.documents.function);
    for (const s of statementsOf('approvals')) {
      const resource = JSON.stringify(resourcesOf(s));
      if (actionsOf(s).some((a) => a.startsWith('s3:'))) expect(resource).toContain(bucketId);
      if (actionsOf(s).some((a) => a.startsWith('lambda:'))) {
        expect(resource).toContain(documentsFunctionId);
        expect(resourcesOf(s)).toHaveLength(1);
      }
      if (actionsOf(s).some((a) => a.startsWith('states:')))
        expect(resource).toMatch(/:stateMachine:milepost-\*"/);
    }
  });
});

describe('the bundle of the approvals function', () => {
  /** Inputs that left code in the bundle. */
  const inputs = () =>
    Object.values(bundle.metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path),
    );

  it('holds none of the staff API, console, sign-in, OpenAPI or YAML code', () => {
    const all = inputs();
    // The approval pages themselves are there (so the check below looks at the right bundle).
    expect(all).toEqual(
      expect.arrayContaining([
        'functions/http/approvals-app.ts',
        'functions/core/use-cases/decide-approval.ts',
        'functions/core/use-cases/view-approval.ts',
      ]),
    );
    for (const module of [
      'functions/http/app.ts',
      'functions/http/routes.ts',
      'functions/http/schemas.ts',
      'functions/http/staff-api.ts',
      'functions/http/console.ts',
      'functions/http/auth.ts',
      'functions/http/sign-in.ts',
      'functions/http/session.ts',
      'functions/http/openapi.ts',
      'functions/http/mount.ts',
      'functions/core/use-cases/staff-submit-stage.ts',
      'functions/core/change-requests/baseline-yaml.ts',
      'functions/adapters/webhook-notifier.ts',
    ])
      expect(all, module).not.toContain(module);
    for (const pkg of ['aws-jwt-verify', '@asteasolutions/zod-to-openapi', '@hono/zod-openapi', 'yaml'])
      expect(
        all.filter((p) => p.includes(`node_modules/${pkg}/`)),
        pkg,
      ).toEqual([]);
    expect(all.filter((p) => p.includes('/pages/console/'))).toEqual([]);
  });

  it('answers an API Gateway v2 event of an unknown link with the neutral page, logging no link id', async () => {
    const linkId = newLinkId();
    const event = (method: string) => ({
      version: '2.0',
      routeKey: `${method} /approve/{linkId}`,
      rawPath: `/approve/${linkId}`,
      rawQueryString: '',
      headers: { host: 'a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com' },
      isBase64Encoded: false,
      requestContext: { stage: '$default', http: { method, path: `/approve/${linkId}` } },
    });
    const { out, logs } = await runBundled(
      bundle.file,
      `const r = []; for (const e of ${JSON.stringify([event('GET'), event('HEAD'), event('PUT')])}) r.push(await mod.handler(e)); out(JSON.stringify(r));`,
    );
    const [get, head, put] = JSON.parse(out) as {
      statusCode: number;
      body: string;
      headers: Record<string, string>;
    }[];
    expect(get!.statusCode).toBe(404);
    expect(get!.body).toContain('This link is not valid');
    expect(get!.body).not.toContain(linkId);
    expect(get!.headers['content-security-policy']).toBeDefined();
    expect(get!.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(head).toMatchObject({ statusCode: 404, body: '' });
    expect(put!.statusCode).toBe(405);
    expect(put!.headers.allow).toBe('GET, HEAD, POST');
    expect(logs).not.toContain(linkId);
  });
});

/** Imports `file` as `mod` in a fresh Node process against DynamoDB Local, runs `body` (which calls `out(text)`). */
function runBundled(file: string, body: string): Promise<{ out: string; logs: string }> {
  return runBundledWithLogs(file, body, {
    PATH: process.env.PATH,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'eu-west-2',
    TABLE_NAME: store.tableName,
    DYNAMODB_ENDPOINT: store.endpoint,
    STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:eu-west-2:123456789012:stateMachine:',
    PUBLIC_BASE_URL: 'https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com',
    SENDER_EMAIL: 'projects@msp.example.com',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
}
