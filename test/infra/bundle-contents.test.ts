/**
 * What goes into each function's code, from esbuild's metafile of the bundle `cdk synth` builds
 * (infra/bundle.ts): every AWS SDK client in a bundle is one its role may call (a client without
 * the permission is dead weight, or a call that would fail in AWS), and every service its role may
 * call has its client; zod brings English only; the SDK's default credential chain (SSO, INI, STS,
 * web identity) stays out; nothing but `index.mjs` is written where the code zip is made, and the
 * source map goes elsewhere; zod's JSON Schema generator is only where JSON Schema is written, and
 * the functions without it still validate, in English; the SDK's event-stream codec is left out
 * where no client streams events (the bundled function's DynamoDB calls below work without it). The stand-in credential chain is run in a
 * bundle against DynamoDB Local.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { baselineYaml, changePatchYaml } from '../../functions/core/change-requests/baseline-yaml.js';
import {
  type BundleResult,
  bundleFunction,
  JSON_SCHEMA_ENTRIES,
  NO_JSON_SCHEMA_MESSAGE,
} from '../../infra/bundle.js';
import { mapStackTrace } from '../../infra/stack-trace.js';
import { makeProject, makeTestStore } from '../support/dynamo.js';
import { actionsOf, type Built, buildExampleApp } from './support.js';

/** SDK client package -> the IAM service prefix of its actions. */
const CLIENT_SERVICES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sesv2': 'ses',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-lambda': 'lambda',
};

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

let built: Built;
const bundles = new Map<string, BundleResult & { outdir: string; mapsDir: string }>();

beforeAll(async () => {
  built = await buildExampleApp();
  for (const [name, fn] of Object.entries(built.platform.functions)) {
    const outdir = tempDir(`milepost-code-${name}-`);
    const mapsDir = tempDir('milepost-maps-');
    bundles.set(name, {
      ...(await bundleFunction(fn.entry, outdir, { dir: mapsDir, name })),
      outdir,
      mapsDir,
    });
  }
}, 240_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The node_modules packages whose code is in a bundle (inputs that left bytes in the output). */
function packagesIn(bundle: BundleResult): Set<string> {
  const out = new Set<string>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      if (pkg && input.bytesInOutput > 0) out.add(pkg);
    }
  }
  return out;
}

/** The inputs of a bundle whose path matches `pattern`. */
function inputsMatching(bundle: BundleResult, pattern: RegExp): string[] {
  return Object.values(bundle.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([path, input]) => pattern.test(path) && input.bytesInOutput > 0)
      .map(([path]) => path),
  );
}

/** The IAM service prefixes of the actions one platform function's role is allowed. */
function servicesOf(name: string): Set<string> {
  const fn = built.platform.functions[name as keyof typeof built.platform.functions];
  const roleId = built.platform.getLogicalId(fn.role.node.defaultChild as never);
  const statements = Object.values(built.platformTemplate.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Parameters<typeof actionsOf>[0][]);
  return new Set(
    statements.filter((s) => s.Effect === 'Allow').flatMap((s) => actionsOf(s).map((a) => a.split(':')[0]!)),
  );
}

describe('the SDK clients of each function', () => {
  it('bundles every platform function', () => {
    expect([...bundles.keys()]).toEqual(
      expect.arrayContaining(['http', 'lifecycle', 'mailFeedback', 'register', 'schedule']),
    );
  });

  it('are exactly the clients of the services its role may call', () => {
    for (const [name, bundle] of bundles) {
      const clients = [...packagesIn(bundle)].filter((p) => p.startsWith('@aws-sdk/client-'));
      for (const client of clients)
        expect(CLIENT_SERVICES, `${name}: map ${client} to its IAM service in this test`).toHaveProperty(
          client,
        );
      const bundled = clients.map((c) => CLIENT_SERVICES[c]!).sort();
      const granted = [...servicesOf(name)].filter((s) => Object.values(CLIENT_SERVICES).includes(s)).sort();
      expect(bundled, `${name}: SDK clients in the bundle vs services its role may call`).toEqual(granted);
    }
  });

  it('leaves the unused clients out where a function uses fewer ports', () => {
    // The two functions with fewer ports, named, so a wiring regression shows in this test too.
    expect(
      [...packagesIn(bundles.get('mailFeedback')!)].filter((p) => p.startsWith('@aws-sdk/client-')),
    ).toEqual(['@aws-sdk/client-dynamodb']);
    expect(
      [...packagesIn(bundles.get('register')!)].filter((p) => p.startsWith('@aws-sdk/client-')).sort(),
    ).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sesv2', '@aws-sdk/client-sfn']);
  });
});

describe('dead weight', () => {
  it('leaves the YAML library out (specs reach the functions as JSON), but for the http function', () => {
    // The http function writes an approved change request's baseline patch as YAML for the spec
    // file (GET /api/projects/{id}/baseline, the change request list): it needs the library.
    for (const [name, bundle] of bundles) {
      if (name === 'http') expect([...packagesIn(bundle)]).toContain('yaml');
      else expect([...packagesIn(bundle)], name).not.toContain('yaml');
    }
  });

  it("writes YAML with the library's ESM build: the http function has its writer, not its parser", () => {
    const http = bundles.get('http')!;
    expect(inputsMatching(http, /node_modules\/yaml\/browser\/dist\/stringify\/stringify\.js$/)).toHaveLength(
      1,
    );
    expect(inputsMatching(http, /node_modules\/yaml\/.*\/(parse\/parser|compose\/composer)\.js$/)).toEqual(
      [],
    );
    expect(inputsMatching(http, /node_modules\/yaml\/dist\//)).toEqual([]);
  });

  it('writes the same YAML bundled as unbundled (the baseline and a change patch)', async () => {
    const file = (
      await bundleFunction('functions/core/change-requests/baseline-yaml.ts', tempDir('milepost-yaml-'))
    ).file;
    const project = makeProject();
    const changes = [
      { field: 'budget.amount', old: 1000, new: 1500 },
      { field: 'scope.in', old: ['a'], new: ['a', 'b: "quoted"'] },
    ];
    const out = await runBundled(
      file,
      `out(JSON.stringify([mod.baselineYaml(${JSON.stringify(project)}), mod.changePatchYaml(${JSON.stringify(changes)})]));`,
      baseEnv(),
    );
    expect(JSON.parse(out)).toEqual([baselineYaml(project), changePatchYaml(changes)]);
    expect(parse(changePatchYaml(changes))).toEqual({
      budget: { amount: 1500 },
      scope: { in: ['a', 'b: "quoted"'] },
    });
  });

  it('takes only the English locale of zod', () => {
    for (const [name, bundle] of bundles) {
      const locales = inputsMatching(bundle, /node_modules\/zod\/.*locales\/(?!index)/).map((p) =>
        p.slice(p.lastIndexOf('/') + 1),
      );
      // The stand-in index (namespace `zod-locales:`) and en.js itself both carry that name.
      expect([...new Set(locales)], name).toEqual(['en.js']);
    }
  });

  it("leaves the SDK's event-stream codec out where no client streams events", () => {
    // The S3 and Lambda clients import the codec themselves (their streaming operations); the
    // HTTP protocol's own import of it resolves to a stand-in in every bundle.
    for (const [name, bundle] of bundles) {
      const clients = [...packagesIn(bundle)].filter((p) => /client-(s3|lambda)$/.test(p));
      const codec = inputsMatching(bundle, /^[^:]*@smithy\/core\/.*event-streams\/EventStreamSerde\.js$/);
      if (clients.length === 0) expect(codec, name).toEqual([]);
      expect(inputsMatching(bundle, /^sdk-no-event-streams:/), name).toHaveLength(
        [...packagesIn(bundle)].some((p) => p.startsWith('@aws-sdk/client-')) ? 1 : 0,
      );
    }
    expect(inputsMatching(bundles.get('mailFeedback')!, /event-streams/)).toEqual([
      'sdk-no-event-streams:event-streams',
    ]);
  });

  it('keeps the default credential chain (SSO, INI, STS, web identity, IMDS) out', () => {
    for (const [name, bundle] of bundles) {
      const packages = [...packagesIn(bundle)];
      expect(
        packages.filter((p) => /credential-provider|nested-clients|token-providers/.test(p)),
        name,
      ).toEqual([]);
      // The documents function calls no AWS service: it has no client, so no credentials either.
      expect(inputsMatching(bundle, /functions\/adapters\/lambda-credentials\.ts$/), name).toHaveLength(
        name === 'documents' ? 0 : 1,
      );
    }
  });
});

describe("zod's JSON Schema generator", () => {
  // A string of zod's generator (to-json-schema.js), the URI of the draft it writes by default.
  const GENERATOR = 'https://json-schema.org/draft/2020-12/schema';

  it('is only in the functions that write JSON Schema (the http function: its OpenAPI document)', () => {
    expect(JSON_SCHEMA_ENTRIES).toEqual(['functions/handlers/http.ts']);
    for (const [name, bundle] of bundles) {
      // The real module (the stand-in's path is prefixed by its namespace).
      const generator = inputsMatching(bundle, /^[^:]*node_modules\/zod\/v4\/core\/to-json-schema\.js$/);
      const code = readFileSync(bundle.file, 'utf8');
      if (name === 'http') {
        expect(generator, name).toHaveLength(1);
        expect(code, name).toContain(GENERATOR);
      } else {
        expect(generator, name).toEqual([]);
        expect(code, name).not.toContain(GENERATOR);
      }
    }
  });

  it('leaves a bundled function rejecting a bad event with zod English messages', async () => {
    const out = await runBundled(
      bundles.get('mailFeedback')!.file,
      `try { await mod.handler({ detail: { eventType: 'Bounce', mail: { messageId: 5 } } }); out('accepted'); } catch (e) { out(e.message); }`,
      baseEnv(),
    );
    expect(out).toBe(
      'detail.mail.messageId: Invalid input: expected string, received number; detail.bounce: Invalid input: expected object, received undefined',
    );
  });

  it('leaves a bundled function rejecting a malformed stored record, naming the field', async () => {
    const t = await makeTestStore();
    const project = makeProject();
    await t.store.commit([project]);
    await t.client.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { PK: `PROJECT#${project.id}`, SK: 'PROJECT' },
        UpdateExpression: 'SET #n = :n',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': 42 },
      }),
    );
    const event = {
      detail: {
        eventType: 'Complaint',
        mail: { messageId: 'm-1' },
        complaint: {
          complainedRecipients: [{ emailAddress: 'sponsor@acme.example' }],
          timestamp: '2026-12-03T08:00:00.000Z',
        },
      },
    };
    const out = await runBundled(
      bundles.get('mailFeedback')!.file,
      `try { await mod.handler(${JSON.stringify(event)}); out('accepted'); } catch (e) { out(e.message); }`,
      { ...baseEnv(), TABLE_NAME: t.tableName, DYNAMODB_ENDPOINT: t.endpoint },
    );
    expect(out).toBe(
      `stored project PROJECT#${project.id}/PROJECT is malformed: name: Invalid input: expected string, received number`,
    );
    await t.drop();
  });

  it("answers JSON Schema where it is left out with a clear error, and keeps zod's schema getters", async () => {
    const out = await runBundled(
      bundles.get('mailFeedback')!.file,
      `const s = mod.sesFeedbackEventSchema; const email = s.shape.detail.options[0].shape.bounce.shape.bouncedRecipients.element.shape.emailAddress;
       let message = 'generated'; try { s.toJSONSchema(); } catch (e) { message = e.message; }
       out(JSON.stringify({ message, minLength: email.minLength }));`,
      baseEnv(),
    );
    expect(JSON.parse(out)).toEqual({ message: NO_JSON_SCHEMA_MESSAGE, minLength: 1 });
  });
});

describe('the code and its source map', () => {
  it('writes only index.mjs where the code zip is made, with no map and no link to one', () => {
    for (const [name, bundle] of bundles) {
      expect(readdirSync(bundle.outdir), name).toEqual(['index.mjs']);
      expect(readFileSync(bundle.file, 'utf8'), name).not.toContain('sourceMappingURL');
      expect(readdirSync(bundle.mapsDir), name).toEqual([
        expect.stringMatching(new RegExp(`^${name}\\.[0-9a-f]{12}\\.mjs\\.map$`)),
      ]);
    }
  });

  it('maps a stack trace of the minified code back to the source', async () => {
    const bundle = bundles.get('mailFeedback')!;
    const stack = await runBundled(
      bundle.file,
      'try { await mod.handler({ detail: {} }); } catch (e) { out(e.stack); }',
      baseEnv(),
    );
    expect(stack).toMatch(/index\.mjs:\d+:\d+/);
    const map = JSON.parse(readFileSync(bundle.mapFile!, 'utf8'));
    expect(mapStackTrace(stack, map)).toContain('[functions/handlers/mail-feedback.ts:');
  });
});

describe('the credential chain inside a bundle', () => {
  let probe: string;
  beforeAll(async () => {
    probe = (await bundleFunction('test/support/credentials-probe.ts', tempDir('milepost-probe-'))).file;
  });

  it('signs with the credentials of the environment', async () => {
    const out = await runBundled(
      probe,
      `out(String(await mod.handler(${JSON.stringify(inject('dynamodbEndpoint'))})));`,
      {
        ...baseEnv(),
        AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SESSION_TOKEN: 'token',
      },
    );
    expect(out).toBe('true');
  });

  it('fails with a clear error when the environment has none (no other source is tried)', async () => {
    const out = await runBundled(
      probe,
      `try { await mod.handler(${JSON.stringify(inject('dynamodbEndpoint'))}); out('sent'); } catch (e) { out(e.name + ': ' + e.message); }`,
      { ...baseEnv(), HOME: tempDir('milepost-home-') },
    );
    expect(out).toBe(
      'CredentialsProviderError: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
    );
  });
});

function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: 'milepost',
    STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:eu-west-2:123456789012:stateMachine:',
    PUBLIC_BASE_URL: 'https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com',
    SENDER_EMAIL: 'projects@msp.example.com',
    AWS_REGION: 'eu-west-2',
  };
}

const MARK = '@@out@@';
/** Imports `file` as `mod` in a fresh Node process, runs `body` (which calls `out(text)`), returns the text. */
function runBundled(file: string, body: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script = `const mod = await import(${JSON.stringify(pathToFileURL(file).href)}); const out = (t) => process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(t) + '\\n'); ${body}`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { env, timeout: 120_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith(MARK));
        if (error || !line)
          reject(new Error(`bundle run failed: ${error?.message ?? ''}\n${stdout}\n${stderr}`));
        else resolve(JSON.parse(line.slice(MARK.length)) as string);
      },
    );
  });
}
