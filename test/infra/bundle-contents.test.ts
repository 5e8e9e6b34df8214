/**
 * What goes into each function's code, from esbuild's metafile of the bundle `cdk synth` builds
 * (infra/bundle.ts): every AWS SDK client or REST adapter (S3, Lambda) in a bundle is for a service
 * its role may call (a client without the permission is dead weight, or a call that would fail in
 * AWS), and every service its role may call has its client or adapter; zod brings English only; the SDK's default credential chain (SSO, INI, STS,
 * web identity) stays out; nothing but `index.mjs` is written where the code zip is made, and the
 * source map goes elsewhere. The stand-in credential chain is run in a bundle against DynamoDB
 * Local.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BundleResult, bundleFunction } from '../../infra/bundle.js';
import { mapStackTrace } from '../../infra/stack-trace.js';
import { type FakeAws, startFakeAws } from '../support/aws-server.js';
import { actionsOf, type Built, buildExampleApp } from './support.js';

/** SDK client package -> the IAM service prefix of its actions. */
const CLIENT_SERVICES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sesv2': 'ses',
};

/**
 * The services called with signed REST requests (functions/adapters/aws-request.ts) instead of
 * an SDK client: the adapter module that calls each -> its IAM service prefix.
 */
const REST_ADAPTERS: Record<string, string> = {
  'functions/adapters/documents.ts': 's3',
  'functions/adapters/lambda-renderer.ts': 'lambda',
};

/** The IAM services a bundle can call: its SDK clients and its REST adapters. */
function servicesCalledBy(name: string, bundle: BundleResult): string[] {
  const clients = [...packagesIn(bundle)].filter((p) => p.startsWith('@aws-sdk/client-'));
  for (const client of clients)
    expect(CLIENT_SERVICES, `${name}: map ${client} to its IAM service in this test`).toHaveProperty(client);
  const rest = Object.entries(REST_ADAPTERS)
    .filter(
      ([module]) => inputsMatching(bundle, new RegExp(`(^|/)${module.replace(/[.]/g, '\\.')}$`)).length > 0,
    )
    .map(([, service]) => service);
  return [...clients.map((c) => CLIENT_SERVICES[c]!), ...rest].sort();
}

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
      const called = servicesCalledBy(name, bundle);
      const known = [...Object.values(CLIENT_SERVICES), ...Object.values(REST_ADAPTERS)];
      const granted = [...servicesOf(name)].filter((s) => known.includes(s)).sort();
      expect(
        called,
        `${name}: SDK clients and REST adapters in the bundle vs services its role may call`,
      ).toEqual(granted);
    }
  });

  it('calls S3 and Lambda without their SDK clients (signed REST requests)', () => {
    for (const [name, bundle] of bundles) {
      const packages = [...packagesIn(bundle)];
      expect(packages, name).not.toContain('@aws-sdk/client-s3');
      expect(packages, name).not.toContain('@aws-sdk/client-lambda');
      const calls = servicesCalledBy(name, bundle).filter((s) => s === 's3' || s === 'lambda');
      // The signed-request adapter is there exactly when one of those services is called.
      expect(inputsMatching(bundle, /functions\/adapters\/aws-request\.ts$/), name).toHaveLength(
        calls.length > 0 ? 1 : 0,
      );
    }
    expect(servicesCalledBy('http', bundles.get('http')!)).toEqual([
      'dynamodb',
      'lambda',
      's3',
      'ses',
      'states',
    ]);
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

  it('takes only the English locale of zod', () => {
    for (const [name, bundle] of bundles) {
      const locales = inputsMatching(bundle, /node_modules\/zod\/.*locales\/(?!index)/).map((p) =>
        p.slice(p.lastIndexOf('/') + 1),
      );
      // The stand-in index (namespace `zod-locales:`) and en.js itself both carry that name.
      expect([...new Set(locales)], name).toEqual(['en.js']);
    }
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

describe('the signed REST requests inside a bundle', () => {
  let probe: string;
  let aws: FakeAws;
  beforeAll(async () => {
    probe = (await bundleFunction('test/support/rest-probe.ts', tempDir('milepost-rest-probe-'))).file;
    aws = await startFakeAws({ ASIAENVEXAMPLE: 'env-secret' });
    aws.answer(() => ({ status: 200, body: 'object' }));
  });
  afterAll(async () => {
    await aws?.close();
  });

  it('sign with the credentials and session token of the environment', async () => {
    const out = await runBundled(
      probe,
      `out(String(await mod.handler(${JSON.stringify(`${aws.endpoint}/b/k`)})));`,
      {
        ...baseEnv(),
        AWS_ACCESS_KEY_ID: 'ASIAENVEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'env-secret',
        AWS_SESSION_TOKEN: 'env-token',
      },
    );
    expect(out).toBe('200');
    expect(aws.requests.at(-1)!.signature).toMatchObject({
      ok: true,
      accessKeyId: 'ASIAENVEXAMPLE',
      service: 's3',
    });
    expect(aws.requests.at(-1)!.headers['x-amz-security-token']).toBe('env-token');
  });

  it('fail clearly without credentials, sending nothing', async () => {
    const before = aws.requests.length;
    const out = await runBundled(
      probe,
      `try { await mod.handler(${JSON.stringify(`${aws.endpoint}/b/k`)}); out('sent'); } catch (e) { out(e.message); }`,
      { ...baseEnv(), HOME: tempDir('milepost-home-') },
    );
    expect(out).toBe(
      's3 GetObject failed: no credentials to sign with (no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY))',
    );
    expect(aws.requests).toHaveLength(before);
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
