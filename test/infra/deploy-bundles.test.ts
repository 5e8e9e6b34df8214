/**
 * Bundle smoke test: the Lambda code exactly as `cdk deploy` would upload it. The app is
 * synthesized with bundling (esbuild, ESM), then each function's bundled `index.mjs` runs in a
 * child Node process with the Environment of its template, Ref/GetAtt values replaced by
 * plausible strings, plus endpoint overrides: DynamoDB Local, the local SES server, a stub of the
 * Step Functions API and a documents folder. This proves the bundles load as ESM on Node (no
 * missing module, require shim works), the template's variable names are the ones
 * functions/adapters/config.ts reads, and each handler is wired to its trigger's event shape.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { App, type CfnElement } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readEnv } from '../../functions/adapters/config.js';
import { DynamoProjectStore } from '../../functions/adapters/dynamo-store.js';
import { createTableInput } from '../../functions/adapters/table-definition.js';
import { makeDeps } from '../../functions/composition.js';
import { executionName, stateMachineName } from '../../functions/core/workflow-contract.js';
import { awsHttpOptions, handleEvent } from '../../functions/handlers/http.js';
import { buildApp, loadProjectSpecs } from '../../infra/build-app.js';
import { freePort } from '../../local/dynamodb-local.js';
import { type SesLocal, startSesLocal } from '../../local/ses-local.js';
import { SETTINGS } from './support.js';

type Json = Record<string, unknown>;
type FunctionName = 'lifecycle' | 'http' | 'approvals' | 'schedule' | 'register' | 'documents';

const REGION = SETTINGS.region;
const ACCOUNT = SETTINGS.account!;
const API_ID = 'a1b2c3d4e5';
const PUBLIC_BASE_URL = `https://${API_ID}.execute-api.${REGION}.amazonaws.com`;
const PROJECT_ID = 'brightsmile-m365';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** A stub of the Step Functions JSON API that records every call. */
interface SfnStub {
  endpoint: string;
  calls: { target: string; body: Json }[];
  server: Server;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function startSfnStub(): Promise<SfnStub> {
  const calls: SfnStub['calls'] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      const body = (text ? JSON.parse(text) : {}) as Json;
      calls.push({ target, body });
      const out =
        target === 'StartExecution'
          ? { executionArn: `${String(body.stateMachineArn)}:${String(body.name)}`, startDate: 1_800_000_000 }
          : {};
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(out));
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${port}`, calls, server };
}

/**
 * A stub of the Lambda Invoke API (RequestResponse) that runs the bundled documents function in a
 * fresh Node process for each call, as Lambda would: the lifecycle and schedule bundles reach the
 * documents bundle through their LambdaDocumentRenderer exactly as in AWS.
 */
interface LambdaStub {
  endpoint: string;
  calls: { functionName: string; payload: Json }[];
  server: Server;
}

async function startLambdaStub(run: (event: unknown) => Promise<Invocation>): Promise<LambdaStub> {
  const calls: LambdaStub['calls'] = [];
  const server = createServer((req, res) => {
    void readBody(req).then(async (text) => {
      const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      const payload = JSON.parse(text) as Json;
      calls.push({ functionName: decodeURIComponent(m?.[1] ?? ''), payload });
      try {
        const { result } = await run(payload);
        res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
        res.end(JSON.stringify(result));
      } catch (e) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
        res.end(JSON.stringify({ errorType: 'Error', errorMessage: String(e) }));
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${port}`, calls, server };
}

/** Values for the tokens of a template: pseudo parameters, the test table, the API id, other logical ids. */
function resolveValue(value: unknown, refs: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Json;
    if (typeof v.Ref === 'string') {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': REGION,
        'AWS::AccountId': ACCOUNT,
        'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudo[v.Ref] ?? refs[v.Ref] ?? v.Ref.toLowerCase();
    }
    if (Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolveValue(p, refs)).join(sep);
    }
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      const known = refs[`${id}.${attr}`];
      if (known !== undefined) return known;
      return attr === 'Arn'
        ? `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id.toLowerCase()}`
        : `${id.toLowerCase()}-${attr.toLowerCase()}`;
    }
    if (typeof v['Fn::ImportValue'] === 'string') return `imported-${v['Fn::ImportValue']}`;
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

interface Invocation {
  result: unknown;
  stdout: string;
  stderr: string;
}

const RESULT_MARK = '@@milepost-result@@';
const RUNNER = `
const [bundle, eventJson] = process.argv.slice(2);
const mod = await import(bundle);
const result = await mod.handler(JSON.parse(eventJson), { awsRequestId: 'smoke', functionName: 'smoke' });
process.stdout.write('\\n${RESULT_MARK}' + JSON.stringify(result ?? null) + '\\n');
`;

let outdir: string;
let runner: string;
let tableName: string;
let dynamo: DynamoDBDocumentClient;
let ses: SesLocal;
let sfnStub: SfnStub;
let documentsDir: string;
let lambdaStub: LambdaStub;
let documentsFunctionName: string;
const bundles = new Map<FunctionName, { file: string; env: Record<string, string> }>();
let registrationProperties: Json;
let registrationResourceType: string;

beforeAll(async () => {
  outdir = tempDir('milepost-bundles-');
  runner = join(tempDir('milepost-runner-'), 'run.mjs');
  writeFileSync(runner, RUNNER);
  documentsDir = tempDir('milepost-documents-');

  const endpoint = inject('dynamodbEndpoint');
  const raw = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  dynamo = DynamoDBDocumentClient.from(raw);
  tableName = `bundles-${randomBytes(4).toString('hex')}`;
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
  ses = await startSesLocal();
  sfnStub = await startSfnStub();
  lambdaStub = await startLambdaStub((event) => invoke('documents', event));

  // Synthesize with bundling, as `cdk synth` does (cdk-nag and schema checks have their own tests).
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const { platform, projects } = buildApp(app, await loadProjectSpecs('projects'), SETTINGS);
  const assembly = app.synth();
  const platformTemplate = assembly.getStackArtifact(platform.artifactId).template as {
    Resources: Record<string, { Type: string; Properties: Json }>;
  };
  const tableId = platform.getLogicalId(platform.table.node.defaultChild as CfnElement);
  const apiId = platform.getLogicalId(platform.httpApi.node.defaultChild as CfnElement);
  // AWS::ApiGatewayV2::Api's ApiEndpoint attribute: https://<id>.execute-api.<region>.amazonaws.com (no trailing slash).
  const poolId = platform.getLogicalId(platform.staffSignIn.userPool.node.defaultChild as CfnElement);
  const refs = {
    [tableId]: tableName,
    [apiId]: API_ID,
    [`${apiId}.ApiEndpoint`]: PUBLIC_BASE_URL,
    // A user pool id as Cognito makes them (aws-jwt-verify checks the form).
    [poolId]: `${REGION}_TestPool1`,
  };
  for (const name of ['lifecycle', 'http', 'approvals', 'schedule', 'register', 'documents'] as const) {
    const fn = platform.functions[name].function;
    const props = platformTemplate.Resources[platform.getLogicalId(fn.node.defaultChild as CfnElement)]!
      .Properties as { Code: { S3Key: string }; Handler: string; Environment: { Variables: Json } };
    expect(props.Handler).toBe('index.handler');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(props.Environment.Variables)) env[k] = resolveValue(v, refs);
    bundles.set(name, {
      file: join(outdir, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs'),
      env,
    });
  }
  documentsFunctionName = platform
    .getLogicalId(platform.functions.documents.function.node.defaultChild as CfnElement)
    .toLowerCase();
  const project = projects.get(PROJECT_ID)!;
  const projectTemplate = assembly.getStackArtifact(project.artifactId).template as {
    Resources: Record<string, { Type: string; Properties: Json }>;
  };
  const registration =
    projectTemplate.Resources[project.getLogicalId(project.registration.node.defaultChild as CfnElement)]!;
  registrationResourceType = registration.Type;
  registrationProperties = registration.Properties;
}, 600_000);

afterAll(async () => {
  await ses?.stop();
  await new Promise<void>((r) => (sfnStub ? sfnStub.server.close(() => r()) : r()));
  await new Promise<void>((r) => (lambdaStub ? lambdaStub.server.close(() => r()) : r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs one bundled handler in a fresh Node process (a cold start) with its template environment. */
function invoke(name: FunctionName, event: unknown): Promise<Invocation> {
  const bundle = bundles.get(name)!;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...bundle.env,
    // What the Lambda runtime sets, then the local endpoints (absent in AWS).
    AWS_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: `milepost-${name}`,
    DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    SES_ENDPOINT: ses.endpoint,
    SFN_ENDPOINT: sfnStub.endpoint,
    LAMBDA_ENDPOINT: lambdaStub.endpoint,
    DOCUMENTS_DIR: documentsDir,
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [runner, pathToFileURL(bundle.file).href, JSON.stringify(event)],
      { env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${name} failed: ${error.message}\n${stdout}\n${stderr}`));
          return;
        }
        const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
        if (!line) {
          reject(new Error(`${name} printed no result:\n${stdout}\n${stderr}`));
          return;
        }
        resolve({ result: JSON.parse(line.slice(RESULT_MARK.length)), stdout, stderr });
      },
    );
  });
}

/** An API Gateway HTTP API (payload format 2.0) event on the $default stage. */
function httpEvent(method: string, path: string, routeKey: string, iam?: { userArn: string }): Json {
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { host: `${API_ID}.execute-api.${REGION}.amazonaws.com`, 'user-agent': 'smoke' },
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      domainName: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'smoke' },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '01/Dec/2026:09:00:00 +0000',
      timeEpoch: 1_796_115_600_000,
      ...(iam
        ? {
            authorizer: {
              iam: { accessKey: 'AKIA', accountId: ACCOUNT, callerId: 'AIDA', userArn: iam.userArn },
            },
          }
        : {}),
    },
    isBase64Encoded: false,
  };
}

describe('the bundled Lambda code with its template environment', () => {
  it('reads the endpoint-free configuration the template gives every function', () => {
    const configSource = readFileSync('functions/adapters/config.ts', 'utf8');
    for (const [name, { env }] of bundles) {
      // The documents function reads no configuration: model in, PDF out (its own test below).
      if (name === 'documents') {
        expect(Object.keys(env).sort()).toEqual(['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']);
        continue;
      }
      // Every variable the template sets is one config.ts reads (a misspelt optional one would be ignored).
      for (const key of Object.keys(env).filter(
        (k) => k !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      ))
        expect(configSource, `${name} ${key}`).toMatch(new RegExp(`^\\s+${key}: \\S`, 'm'));
      expect(env.TABLE_NAME, name).toBe(tableName);
      expect(env.PUBLIC_BASE_URL, name).toBe(PUBLIC_BASE_URL);
      expect(env.STATE_MACHINE_ARN_PREFIX, name).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:`);
      for (const endpoint of [
        'DYNAMODB_ENDPOINT',
        'SES_ENDPOINT',
        'SFN_ENDPOINT',
        'S3_ENDPOINT',
        'LAMBDA_ENDPOINT',
        'DOCUMENTS_DIR',
      ])
        expect(env, `${name} ${endpoint}`).not.toHaveProperty(endpoint);
      expect(env.DOCUMENTS_BUCKET, name).toMatch(/^documents/);
      // Every function that keeps documents names the renderer (the approval pages publish a
      // gate's document again when a change request re-baselines the project, registration when a
      // deployed spec edit changed it).
      expect(env.DOCUMENTS_FUNCTION_NAME, name).toBe(documentsFunctionName);
    }
  });

  it("fits Lambda's deployment package limits: 250 MB unzipped, and even a direct upload's 50 MB", () => {
    // Lambda: a function's code is at most 250 MB unzipped (layers included); 50 MB zipped for a
    // direct upload (cdk deploy goes through the bootstrap bucket, so only the first applies).
    const sizeOf = (path: string): number =>
      readdirSync(path, { withFileTypes: true }).reduce(
        (n, e) => n + (e.isDirectory() ? sizeOf(join(path, e.name)) : statSync(join(path, e.name)).size),
        0,
      );
    for (const [name, { file }] of bundles) {
      const bytes = sizeOf(dirname(file));
      expect(bytes, name).toBeGreaterThan(10_000);
      expect(bytes, name).toBeLessThanOrEqual(50 * 1024 * 1024);
    }
  });

  it('zips index.mjs alone: no source map inside, none linked, none applied at run time', () => {
    for (const [name, { file, env }] of bundles) {
      const assetDir = dirname(file);
      // The documents function also carries the two fonts pdfkit loads at run time.
      expect(readdirSync(assetDir).sort(), name).toEqual(
        name === 'documents' ? ['index.mjs', 'package.json', 'standard-fonts'] : ['index.mjs'],
      );
      expect(readFileSync(file, 'utf8'), name).not.toContain('sourceMappingURL');
      expect(env, name).not.toHaveProperty('NODE_OPTIONS');
    }
    // The maps are kept in the cloud assembly, outside every asset, one per function and code version.
    const maps = readdirSync(join(outdir, 'source-maps'));
    for (const name of bundles.keys()) {
      const code = readFileSync(bundles.get(name)!.file);
      const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
      expect(
        maps.filter((m) => m.endsWith(`.${hash}.mjs.map`)),
        name,
      ).toHaveLength(1);
    }
  });

  it('registers the project from the custom resource Create event and starts its execution', async () => {
    expect(registrationResourceType).toBe('Custom::MilepostProject');
    const serviceToken = resolveValue(registrationProperties.ServiceToken, {});
    // CloudFormation passes every property as the template has it; the Provider framework forwards the event.
    const event = {
      RequestType: 'Create',
      ServiceToken: serviceToken,
      ResponseURL: 'https://cloudformation-custom-resource-response.example/x',
      StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Milepost-Project-${PROJECT_ID}/1`,
      RequestId: 'request-1',
      LogicalResourceId: 'Registration',
      ResourceType: registrationResourceType,
      ResourceProperties: { ...registrationProperties, ServiceToken: serviceToken },
    };

    const { result } = await invoke('register', event);

    expect(result).toEqual({
      PhysicalResourceId: PROJECT_ID,
      Data: { created: 'true', updated: 'false', started: 'true' },
    });
    const starts = sfnStub.calls.filter((c) => c.target === 'StartExecution');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.body).toMatchObject({
      stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${stateMachineName(PROJECT_ID)}`,
      name: executionName(PROJECT_ID, 0),
    });
    expect(JSON.parse(String(starts[0]!.body.input))).toMatchObject({ projectId: PROJECT_ID });
    const project = await new DynamoProjectStore(dynamo, tableName).getProject(PROJECT_ID);
    expect(project).toMatchObject({ id: PROJECT_ID, status: 'active', generation: 0 });
  });

  it('renders a PDF with the bundled documents function: the fonts it uses sit next to the bundle, no others', async () => {
    const bundle = bundles.get('documents')!;
    const dir = join(bundle.file, '..');
    expect(readdirSync(join(dir, 'standard-fonts')).sort()).toEqual([
      'Helvetica.cjs',
      'HelveticaBold.cjs',
      'chunks',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({
      imports: { '#standard-fonts/*': './standard-fonts/*.cjs' },
    });
    const rows = Array.from({ length: 150 }, (_, i) => [`Deliverable ${i}`, `Accepted by the sponsor ${i}`]);
    const { result } = await invoke('documents', {
      document: {
        title: 'Close-out report',
        projectName: 'Bundle check',
        author: 'Example MSP',
        docVersion: 2,
        createdAt: '2026-12-01T09:00:00.000Z',
        meta: ['Customer: Example'],
        sections: [
          { heading: 'Deliverables', blocks: [{ type: 'table', columns: ['Name', 'Acceptance'], rows }] },
        ],
      },
    });
    const pdf = Buffer.from((result as { pdf: string }).pdf, 'base64');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // 150 table rows do not fit one A4 page: the table broke across pages.
    expect((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBeGreaterThan(2);
    // A malformed model is refused (the invoker sees a function error), not rendered.
    await expect(invoke('documents', { document: { title: 'x' } })).rejects.toThrow(/documents failed/);
  });

  it('enters the first stage and opens its gate, emailing approval links on the API URL', async () => {
    const entered = await invoke('lifecycle', {
      action: 'enterStage',
      projectId: PROJECT_ID,
      stage: 'initiation',
      executionStartedAt: new Date().toISOString(),
    });
    expect(entered.result).toMatchObject({ continueAsNew: false });

    const token = `token-${randomBytes(12).toString('hex')}`;
    const opened = await invoke('lifecycle', {
      action: 'openGate',
      projectId: PROJECT_ID,
      stage: 'initiation',
      taskToken: token,
    });
    // The token never reaches a log line.
    expect(opened.stdout + opened.stderr).not.toContain(token);
    const approvals = (await ses.outbox()).filter((m) => m.text.includes(`${PUBLIC_BASE_URL}/approve/`));
    expect(approvals.length).toBeGreaterThan(0);
    expect(approvals[0]!.from).toContain('projects@msp.example.com');
    // The gate's charter was rendered by the documents function (invoked by name) and stored as a PDF.
    expect(lambdaStub.calls.map((c) => c.functionName)).toContain(documentsFunctionName);
    const charter = readFileSync(join(documentsDir, 'projects', PROJECT_ID, 'charter', 'v1.pdf'));
    expect(charter.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(approvals[0]!.text).toContain(createHash('sha256').update(charter).digest('hex'));
    expect(approvals[0]!.text).toContain('?document=charter');
  });

  it('answers the staff API for an IAM caller (http) and an approval link from the email (approvals)', async () => {
    const list = (
      await invoke(
        'http',
        httpEvent('GET', '/api/projects', 'GET /api/projects', {
          userArn: `arn:aws:iam::${ACCOUNT}:user/pm`,
        }),
      )
    ).result as { statusCode: number; body: string; headers: Record<string, string> };
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-type']).toMatch(/application\/json/);
    expect(list.body).toContain(PROJECT_ID);

    const email = (await ses.outbox()).find((m) => m.text.includes(`${PUBLIC_BASE_URL}/approve/`))!;
    const link = new RegExp(`${PUBLIC_BASE_URL}(/approve/[A-Za-z0-9_-]+)`).exec(email.text)![1]!;
    const page = (await invoke('approvals', httpEvent('GET', link, 'GET /approve/{linkId}'))).result as {
      statusCode: number;
      body: string;
    };
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form');

    // The charter PDF through the same link: base64 with isBase64Encoded, as API Gateway needs for bytes.
    const download = (
      await invoke('approvals', {
        ...httpEvent('GET', link, 'GET /approve/{linkId}'),
        rawQueryString: 'document=charter',
        queryStringParameters: { document: 'charter' },
      })
    ).result as {
      statusCode: number;
      body: string;
      isBase64Encoded: boolean;
      headers: Record<string, string>;
    };
    expect(download.statusCode).toBe(200);
    expect(download.isBase64Encoded).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename=/);
    const bytes = Buffer.from(download.body, 'base64');
    expect(bytes).toEqual(readFileSync(join(documentsDir, 'projects', PROJECT_ID, 'charter', 'v1.pdf')));
  });

  it('shows the neutral page for an unknown approval link and refuses the staff API without a caller', async () => {
    const page = (
      await invoke('approvals', httpEvent('GET', '/approve/unknown-link-id', 'GET /approve/{linkId}'))
    ).result as { statusCode: number; body: string };
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('This link is not valid');
    expect(page.body).not.toContain('unknown-link-id');

    const anonymous = (await invoke('http', httpEvent('GET', '/api/projects', 'ANY /api/{proxy+}')))
      .result as { statusCode: number };
    expect(anonymous.statusCode).toBe(401);
  });

  it('serves the same OpenAPI document as the unbundled application', async () => {
    const event = httpEvent('GET', '/api/openapi.json', 'GET /api/openapi.json');
    const bundled = (await invoke('http', event)).result as { statusCode: number; body: string };
    expect(bundled.statusCode).toBe(200);
    const env = readEnv({ ...bundles.get('http')!.env, AWS_REGION: REGION });
    const unbundled = await handleEvent(makeDeps(env), event, awsHttpOptions(env));
    const doc = JSON.parse(bundled.body) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toContain('/api/projects');
    expect(doc).toEqual(JSON.parse((unbundled as { body: string }).body));
  });

  it('runs the monitoring check and the status report of a schedule event', async () => {
    const monitor = await invoke('schedule', { kind: 'monitor', projectId: PROJECT_ID });
    expect(monitor.result).toMatchObject({ status: 'checked', health: expect.any(Object) });

    // brightsmile reports weekly: every run is a report day; the report is kept as a document and emailed.
    const before = (await ses.outbox()).length;
    const report = await invoke('schedule', { kind: 'status-report', projectId: PROJECT_ID });
    expect(report.result).toMatchObject({ status: 'sent', recipients: expect.any(Number), failed: 0 });
    const { key } = report.result as { key: string };
    expect(readFileSync(join(documentsDir, key)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await ses.outbox()).length).toBeGreaterThan(before);

    const unknown = await invoke('schedule', { kind: 'monitor', projectId: 'no-such-project' });
    expect(unknown.result).toEqual({ status: 'skipped', reason: 'unknown_project' });
  });
});
